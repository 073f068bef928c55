package session

import (
	"io"
	"time"

	"trapdoor/wasm/protocol"
)

// The shadow machine: a step back replays from the first instruction, so
// it costs the whole run so far (natively about 0.8 s per 100 million
// instructions, several times that in a browser). While the program is
// stopped the worker has nothing to do, so it replays a second machine
// in the background (Background) to shadowGap instructions before the
// stop (or the start). A step back to a point at or after the shadow takes the shadow
// and runs it the rest of the way: at most the gap and the distance
// stepped back, whatever the run's length. A shadow is used once (it
// becomes the live machine), then the next is built behind it.

// shadowGap is how far behind the stop the shadow waits: a step back
// within it (one instruction, a few system calls back) is one replay of
// at most this many instructions.
const shadowGap = 1 << 18

// replica is a machine with where it is in the log. A Program's
// callbacks reach the page only for the live one; a shadow's fill its
// own history, which it brings along when it becomes live.
type replica struct {
	m            Machine
	instructions uint64
	applied      int // inputs given from the log
	hist         history
	held         bool
}

func (r *replica) machine() Machine {
	if r == nil {
		return nil
	}
	return r.m
}

func closeMachine(m Machine) {
	if c, ok := m.(io.Closer); ok {
		c.Close()
	}
}

// startReplica starts base afresh; live makes it the live machine at
// once (its callbacks reach the page from its first one).
func (s *Session) startReplica(base Program, live bool) (*replica, error) {
	r := &replica{}
	if live {
		s.live = r
	}
	p := base
	p.Output = func(fd int, b []byte) {
		if r == s.live {
			s.output(fd, b)
		} else {
			r.hist.addOutput(fd, b)
		}
	}
	p.Trace = func(l protocol.TraceLine) {
		if r == s.live {
			s.traceLine(l)
			return
		}
		at := r.instructions
		if c, ok := r.m.(Counter); ok {
			at = c.Instructions()
		}
		r.hist.addTrace(l, at)
	}
	p.Log = func(l string) {
		if r == s.live {
			s.logLine(l)
		} else {
			r.hist.addLog(l)
		}
	}
	m, err := s.start(p)
	if err != nil {
		return nil, err
	}
	r.m = m
	if cr, ok := m.(ClockRecorder); ok {
		cr.RecordClock(func(at uint64, d time.Duration) {
			if r == s.live {
				s.recordClock(at, d)
			}
		})
		if !live {
			cr.HoldClock(true) // a replay: the log gives it its time
			r.held = true
		}
	}
	return r, nil
}

// wantShadow says where a shadow should be now (ok false: none needed):
// only while the program is stopped for the user, who may step back, or
// waits for what they type.
func (s *Session) wantShadow() (to uint64, ok bool) {
	if s.shadowStuck || s.replaying || s.prog == nil || s.m == nil || s.noStepBack() != "" {
		return 0, false
	}
	if ms, ok := s.m.(ModuleStopper); ok && ms.HasModules() {
		return 0, false // its replay would not be sliced (modstop.go)
	}
	switch s.state {
	case protocol.StatePaused, protocol.StateExited, protocol.StateInput:
		// A short run's shadow is a machine started and not run: what
		// a step back spends most on then is starting one.
		return s.instructions - min(shadowGap, s.instructions), true
	}
	return 0, false
}

// Background does one slice of work on the shadow and reports whether
// it did any (the worker calls it while the session is not Active, and
// returns to its event loop between slices).
func (s *Session) Background() bool {
	to, ok := s.wantShadow()
	if !ok {
		return false
	}
	r := s.shadow
	if r != nil && r.instructions > to {
		return false // ahead of where it would go: still behind the stop
	}
	if r == nil {
		var err error
		if r, err = s.startReplica(*s.prog, false); err != nil {
			s.shadowStuck = true
			return false
		}
		s.shadow = r
	}
	if r.instructions == to {
		return false
	}
	if res, err := s.replayStep(r.m, &r.instructions, &r.applied, &to); err != nil || res == replayStuck {
		// It ended or waits where the live machine did not: give up
		// on shadows for this program rather than spin.
		closeMachine(r.m)
		s.shadow, s.shadowStuck = nil, true
	}
	return true
}
