package machine

import "time"

// Real time in an interactive machine. The kernel's clock is virtual: it
// counts instructions (one nanosecond each) and, left alone, jumps to the
// next timer when every task sleeps, so `sleep 3` would end at once. A
// user at a terminal expects real seconds, so a machine whose program
// reads the terminal runs its kernel with a host-paced clock
// (kernel.Config.HostClock) and gives it the real time that passes:
//
//   - while it waits (for keys or a timer): all of that time, from when
//     the slice that found every task asleep ended (Tick, the next Run);
//   - while it runs: what the slice took beyond its instructions' virtual
//     nanoseconds (the emulator runs well under 1000 MIPS), so a job
//     sleeping in the background wakes on time while another computes.
//
// Time while the session is paused does not pass, unless the machine was
// waiting when it was paused (the wait goes on: it counts at the next
// slice, as on a real terminal where nobody stops the clock). Every
// change goes through advance, the one place a recorder of the machine's
// inputs needs to watch: the kernel never reads the host's clock itself.

// wallNow reads the host's clock; tests replace it.
var wallNow = time.Now

// pacer is the real-time bookkeeping of an interactive machine.
type pacer struct {
	on       bool      // the kernel's clock is paced by the host
	waitFrom time.Time // when the machine began waiting; zero when it is not
	// held: the machine gives its kernel no real time of its own (a
	// replay gives the recorded advances instead, AdvanceClock).
	held bool
	// record is told of every advance (RecordClock).
	record func(at uint64, d time.Duration)
}

// advance passes d of real time on the kernel's clock (the timers that
// fall due fire at the next slice), unless the machine's real time is
// held.
func (m *Machine) advance(d time.Duration) {
	if !m.pace.held {
		m.AdvanceClock(d)
	}
}

// AdvanceClock passes d on the kernel's clock now, between slices, and
// tells the recorder (RecordClock). A step back by replay gives a fresh
// machine, held (HoldClock), the recorded advances at their instruction
// counts: with the same inputs at the same counts the run is the same.
func (m *Machine) AdvanceClock(d time.Duration) {
	if d <= 0 || !m.pace.on {
		return
	}
	m.k.AdvanceClock(d)
	if m.pace.record != nil {
		m.pace.record(m.k.Instructions(), d)
	}
}

// RecordClock installs f, told of every advance of the kernel's clock
// with the instruction count it was made at (they are inputs, like typed
// keys). Machines that are not paced make none.
func (m *Machine) RecordClock(f func(at uint64, d time.Duration)) { m.pace.record = f }

// HoldClock stops (true) or restarts (false) the machine's own advances
// from real time; restarting forgets the time since it began waiting, so
// a replay's own duration does not pass on the guest's clock.
func (m *Machine) HoldClock(held bool) {
	m.pace.held = held
	m.pace.waitFrom = time.Time{}
	if !held && m.WaitingForInput() {
		m.pace.waitFrom = wallNow()
	}
}

// Paced reports whether the machine's clock follows real time.
func (m *Machine) Paced() bool { return m.pace.on }

// paceStart is called before a slice: the time the machine waited
// passes. It returns the slice's start.
func (m *Machine) paceStart() time.Time {
	now := wallNow()
	if m.pace.on && !m.pace.waitFrom.IsZero() {
		m.advance(now.Sub(m.pace.waitFrom))
		m.pace.waitFrom = time.Time{}
	}
	return now
}

// paceEnd is called after a slice of ran instructions that began at
// start: the real time it took beyond the instructions' virtual time
// passes, and if every task now waits, the waiting starts.
func (m *Machine) paceEnd(start time.Time, ran uint64) {
	if !m.pace.on {
		return
	}
	now := wallNow()
	m.advance(now.Sub(start) - time.Duration(ran))
	if !m.done && m.k.AwaitingInput() {
		m.pace.waitFrom = now
	}
}

// Tick implements session.Paced: the time since the machine began
// waiting passes on its clock. It reports whether the machine still
// waits (false: a timer fell due, and the session's next slice wakes its
// task).
func (m *Machine) Tick() bool {
	if !m.pace.on || m.pace.held {
		return m.WaitingForInput()
	}
	now := wallNow()
	if m.pace.waitFrom.IsZero() {
		m.pace.waitFrom = now // the wait starts now
	}
	m.advance(now.Sub(m.pace.waitFrom))
	m.pace.waitFrom = now
	return m.WaitingForInput()
}

// NextTimer implements session.Paced: how long, in real time, until the
// earliest timer of a waiting machine falls due (ok false: none is
// pending, the machine waits for keys only and needs no polling).
func (m *Machine) NextTimer() (time.Duration, bool) {
	if !m.pace.on || m.done {
		return 0, false
	}
	d, ok := m.k.NextTimer()
	if ok && !m.pace.waitFrom.IsZero() {
		d -= wallNow().Sub(m.pace.waitFrom) // already waited, not yet given
	}
	return max(d, 0), ok
}
