package session

import (
	"fmt"

	"trapdoor/wasm/protocol"
)

// A check on replays. Stepping back rests on the machine being
// deterministic; should some state escape the log (a kernel reading the
// host's clock, iterating a Go map where the guest can see the order),
// a replay would show a state the program never had. So the session
// remembers the registers it showed at its stops, by instruction count,
// and a step back that lands on one of them compares: a difference is
// said, not shown as the past.

// maxSeen bounds the stops remembered (forgotten all at once beyond).
const maxSeen = 4096

// see remembers the registers shown at a stop of the current history.
func (s *Session) see(r protocol.Regs) {
	if !s.stopped() || s.replaying {
		return
	}
	if s.seen == nil || len(s.seen) >= maxSeen {
		s.seen = map[uint64]protocol.Regs{}
	}
	s.seen[s.instructions] = r
}

// forgetSeen forgets the stops after at: a new history from there.
func (s *Session) forgetSeen(at uint64) {
	for n := range s.seen {
		if n > at {
			delete(s.seen, n)
		}
	}
}

// checkSeen compares a step back's state with the stop shown there.
func (s *Session) checkSeen() {
	rr, ok := s.m.(RegisterReader)
	want, seen := s.seen[s.instructions]
	if !ok || !seen {
		return
	}
	if got := rr.Registers(); got != want {
		s.err = fmt.Sprintf("stepping back: the replay does not match the run (at %d instructions eip %#x, the run had %#x): "+
			"the machine was not deterministic here, so what is shown may not be the past", s.instructions, got.EIP, want.EIP)
	}
}
