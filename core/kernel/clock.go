package kernel

import (
	"time"

	"trapdoor/core/cpu"
)

// Virtual time: a run's clocks are derived from the instruction count
// (one nanosecond per instruction) plus the time the program slept, so a
// run is reproducible and sleeping costs nothing. Wall-clock mode uses
// the host's clocks instead.
const (
	// virtualEpoch is CLOCK_REALTIME at boot in virtual mode
	// (2026-01-01T00:00:00Z).
	virtualEpoch = 1767225600 * int64(time.Second)
	// bootUptime is CLOCK_MONOTONIC at the first instruction.
	bootUptime = 1 * int64(time.Second)
)

type clock struct {
	wall  bool
	start time.Time
	cpu   *cpu.CPU
	slept int64 // virtual nanoseconds spent sleeping
}

func (c *clock) monotonicNS() int64 {
	if c.wall {
		return bootUptime + int64(time.Since(c.start))
	}
	return bootUptime + int64(c.cpu.Instructions) + c.slept
}

func (c *clock) realtimeNS() int64 {
	if c.wall {
		return time.Now().UnixNano()
	}
	return virtualEpoch + c.monotonicNS() - bootUptime
}

// cpuNS is the process's CPU time: its instructions at one per ns.
func (c *clock) cpuNS() int64 { return int64(c.cpu.Instructions) }

// sleep passes d nanoseconds.
func (c *clock) sleep(d int64) {
	if d <= 0 {
		return
	}
	if c.wall {
		time.Sleep(time.Duration(d))
		return
	}
	c.slept += d
}

// AdvanceClock passes d of time on the virtual clock, as a host pacing it
// (Config.HostClock) says real time passed while the machine waited or
// ran slower than one instruction a nanosecond. Timers that fall due fire
// at the next scheduling point, as every timer does: when every task
// waited, the next RunFor wakes the sleepers (AwaitingInput turns false
// at once) and ITIMER_REAL sends SIGALRM. Call it between RunFor calls;
// it is an input like ConsoleInput (a replay that makes the same calls at
// the same points gets the same run). A d of zero or less does nothing.
func (k *Kernel) AdvanceClock(d time.Duration) {
	if d <= 0 {
		return
	}
	k.clock.slept += int64(d)
	if next := k.nextDeadline(); next != 0 && next <= k.clock.monotonicNS() {
		k.idle = false // a timer is due: RunFor has work again
	}
}

// Uptime is the time on the machine's monotonic clock since boot: its
// instructions (one nanosecond each) plus the time it slept or was given
// (AdvanceClock); wall-clock machines read the host's clock.
func (k *Kernel) Uptime() time.Duration {
	return time.Duration(k.clock.monotonicNS() - bootUptime)
}

// NextTimer is how long until the earliest pending timer (a sleep, a
// timed wait, an alarm) falls due on the machine's clock; ok is false
// when none is pending. A host pacing the clock waits that long before
// advancing it, and need not poll when ok is false.
func (k *Kernel) NextTimer() (d time.Duration, ok bool) {
	next := k.nextDeadline()
	if next == 0 {
		return 0, false
	}
	return time.Duration(max(next-k.clock.monotonicNS(), 0)), true
}
