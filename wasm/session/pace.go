package session

import (
	"time"

	"trapdoor/wasm/protocol"
)

// Real time while a program waits. An interactive machine's clock follows
// real time (wasm/machine/pace.go): while every process sleeps (`sleep 3`,
// or the shell at its prompt with a job sleeping in the background) the
// session is in StateInput and the worker, instead of blocking on the next
// request, wakes when the earliest timer falls due and calls Tick, which
// passes the time and runs the program again once a task wakes.

// Paced is an Interactive machine whose clock follows real time.
type Paced interface {
	// NextTimer is how long until the earliest timer falls due; ok is
	// false when none is pending (the program waits for keys only).
	NextTimer() (d time.Duration, ok bool)
	// Tick passes the time waited; it reports whether the machine still
	// waits.
	Tick() bool
}

// maxTimerWait caps the worker's wait, so a late timer (the host's
// timers are not exact) is looked at again soon.
const maxTimerWait = 50 * time.Millisecond

// TimerWait says how long the worker may wait for a request before it
// calls Tick; ok is false when the session needs no ticks (it waits for
// requests only).
func (s *Session) TimerWait() (d time.Duration, ok bool) {
	if s.state != protocol.StateInput || s.m == nil {
		return 0, false
	}
	p, isPaced := s.m.(Paced)
	if !isPaced {
		return 0, false
	}
	d, ok = p.NextTimer()
	return min(d, maxTimerWait), ok
}

// Tick passes the time a waiting program has waited; when that wakes a
// task the session runs again (Active).
func (s *Session) Tick() {
	if s.state != protocol.StateInput || s.m == nil {
		return
	}
	if p, ok := s.m.(Paced); ok && !p.Tick() {
		s.state = protocol.StateRunning
	}
}
