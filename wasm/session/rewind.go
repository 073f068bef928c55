package session

import (
	"fmt"
	"time"

	"trapdoor/wasm/protocol"
)

// Stepping back. A machine is deterministic for a given Program: the
// scheduler's slices and the guest's randomness come from the seed and
// its clocks from the instruction count. So the state after n
// instructions is rebuilt by starting the same Program afresh and running
// it, at full speed and without breakpoints, to n, giving it each input
// (typed keys, ^C, ^D) at the instruction count where it first arrived.
// The inputs are the session's log; nothing else from outside changes a
// machine (breakpoints, inspecting and the trace details only look).
//
// The log outlives a step back: running forward again gives the machine
// the inputs still ahead of it at their counts, so stepping back and then
// forward ends in the very state it left. New input starts a new history
// and forgets the inputs that were ahead.

// Counter is a Machine that tells its instruction count from inside its
// callbacks (the session's count is updated only after a Run): a trace
// line's count is where Back syscall goes.
type Counter interface {
	Instructions() uint64
}

// Nondeterministic is a Machine whose runs cannot be replayed (it runs on
// the host's clock): NotReplayable says why, or "" when they can.
type Nondeterministic interface {
	NotReplayable() string
}

// ClockRecorder is a Machine whose clock follows real time
// (wasm/machine/pace.go). The time it is given is an input like typed
// keys: recorded with its instruction count (RecordClock), and given
// again by AdvanceClock to a replay, which is held from real time.
type ClockRecorder interface {
	RecordClock(f func(at uint64, d time.Duration))
	HoldClock(held bool)
	AdvanceClock(d time.Duration)
}

// input is one entry of the log, made after at instructions: what
// Interactive.Input was given, or the real time (clock) the machine's
// clock was given.
type input struct {
	at    uint64
	text  []byte
	eof   bool
	clock time.Duration
	// A stop inside a module's system call (modstop.go): suspend, one
	// the run made; step, a Run(step) that stepped module code from at
	// to to.
	suspend bool
	step    uint64
	to      uint64
}

// history is what the page's panels hold, kept by the session so that a
// step back can send them cut at the earlier point.
type history struct {
	console    []chunk
	bytes      int
	consoleCut bool
	trace      []protocol.TraceLine
	traceTotal int
	log        []string
	// sysAt is the instruction count of each system call's trace line,
	// in order: where Back syscall can go.
	sysAt []uint64
}

func (h *history) addOutput(fd int, b []byte) {
	if k := len(h.console) - 1; k >= 0 && h.console[k].fd == fd {
		h.console[k].b = append(h.console[k].b, b...)
	} else {
		h.console = append(h.console, chunk{fd, append([]byte(nil), b...)})
	}
	h.bytes += len(b)
	if h.bytes > 2*protocol.KeepConsoleBytes { // cut rarely, in one go
		h.cutConsole(protocol.KeepConsoleBytes)
	}
}

// cutConsole keeps the latest keep bytes.
func (h *history) cutConsole(keep int) {
	for h.bytes > keep && len(h.console) > 0 {
		cut := min(h.bytes-keep, len(h.console[0].b))
		h.console[0].b = h.console[0].b[cut:]
		h.bytes -= cut
		h.consoleCut = true
		if len(h.console[0].b) == 0 {
			h.console = h.console[1:]
		}
	}
	h.console = append([]chunk(nil), h.console...)
}

func (h *history) addTrace(l protocol.TraceLine, at uint64) {
	h.traceTotal++
	if h.trace = append(h.trace, l); len(h.trace) > 2*protocol.KeepTraceLines {
		h.trace = append([]protocol.TraceLine(nil), h.trace[len(h.trace)-protocol.KeepTraceLines:]...)
	}
	if l.Name != "" {
		h.sysAt = append(h.sysAt, at)
	}
}

func (h *history) addLog(l string) {
	if h.log = append(h.log, l); len(h.log) > 2*protocol.KeepTraceLines {
		h.log = append([]string(nil), h.log[len(h.log)-protocol.KeepTraceLines:]...)
	}
}

// rewind is the page's view of the history.
func (h *history) rewind(from, to uint64) *protocol.Rewind {
	h.cutConsole(protocol.KeepConsoleBytes)
	r := &protocol.Rewind{To: to, ConsoleCut: h.consoleCut, TraceTotal: h.traceTotal, Replayed: to - from}
	for _, c := range h.console {
		r.Console = append(r.Console, protocol.Output{FD: c.fd, Text: string(c.b)})
	}
	r.Trace = h.trace[max(0, len(h.trace)-protocol.KeepTraceLines):]
	r.Log = h.log[max(0, len(h.log)-protocol.KeepTraceLines):]
	return r
}

// noStepBack says why stepping back is unavailable now ("" when it is).
func (s *Session) noStepBack() string {
	switch {
	case s.prog == nil:
		return "no program is loaded"
	case s.m == nil:
		return "the program could not be started"
	}
	if nd, ok := s.m.(Nondeterministic); ok {
		if why := nd.NotReplayable(); why != "" {
			return why
		}
	}
	if s.instructions == 0 && !s.replaying {
		return "the program has not run an instruction yet: there is nothing to go back to"
	}
	return ""
}

// stepBack starts rebuilding the state n instructions back.
func (s *Session) stepBack(n uint64) {
	if why := s.noStepBack(); why != "" {
		s.err = "cannot step back: " + why
		return
	}
	s.rewindTo(s.instructions - min(n, s.instructions))
}

// backSyscall starts rebuilding the state where the latest system call
// before the current instruction returned.
func (s *Session) backSyscall() {
	if why := s.noStepBack(); why != "" {
		s.err = "cannot step back: " + why
		return
	}
	at := s.hist.sysAt
	for i := len(at) - 1; i >= 0; i-- {
		if at[i] < s.instructions {
			s.rewindTo(at[i])
			return
		}
	}
	s.err = "no system call has returned before this instruction"
}

// rewindTo replaces the machine with one that Work runs to target: the
// shadow when it is not past target (shadow.go), else a fresh one.
func (s *Session) rewindTo(target uint64) {
	closeMachine(s.m)
	s.m = nil
	r := s.shadow
	s.shadow = nil
	if r == nil || r.instructions > target {
		closeMachine(r.machine())
		var err error
		if r, err = s.startReplica(*s.prog, false); err != nil {
			s.fail(fmt.Errorf("stepping back: restarting the program: %v", err))
			return
		}
	}
	s.live = r
	s.m, s.instructions, s.applied, s.hist, s.held = r.m, r.instructions, r.applied, r.hist, r.held
	s.replaying, s.replayTo, s.replayFrom = true, target, s.instructions
	s.holdClock()
	s.state, s.stepLeft, s.toSyscall, s.overTo, s.stopWhy = protocol.StateRunning, 0, false, 0, ""
	// The batch of the history being left is replaced by the rewind.
	s.out, s.outBytes, s.outDropped, s.trace, s.dropped, s.log = nil, 0, 0, nil, 0, nil
}

// record logs typed input at the current instruction count: a new
// history, so the inputs that were ahead (after a step back) are
// forgotten.
func (s *Session) record(text []byte, eof bool) {
	s.forgetAhead()
	s.inputs = append(s.inputs, input{at: s.instructions, text: text, eof: eof})
	s.applied++
	s.holdClock()
}

// recordClock logs real time given to the machine's clock (called by the
// machine, maybe inside Run: at is its own count).
func (s *Session) recordClock(at uint64, d time.Duration) {
	if s.applying || s.replaying {
		return // the log's own entry, given again
	}
	s.inputs = append(s.inputs[:s.applied], input{at: at, clock: d})
	s.applied++
}

// holdClock holds the machine's clock from real time exactly while the
// log has inputs ahead (replaying, or forward again after a step back):
// the recorded time is given instead.
func (s *Session) holdClock() {
	cr, ok := s.m.(ClockRecorder)
	if want := s.replaying || s.applied < len(s.inputs); ok && want != s.held {
		s.held = want
		cr.HoldClock(want)
	}
}

// applyDue gives the machine the logged inputs whose count has come
// (replaying, or running forward again after a step back).
func (s *Session) applyDue() bool {
	given := s.giveDue(s.m, s.instructions, &s.applied)
	if given {
		s.holdClock() // the last input ahead: real time again
	}
	return given
}

// giveDue gives m, after at instructions, the logged inputs from
// *applied on whose count has come.
func (s *Session) giveDue(m Machine, at uint64, applied *int) bool {
	given := false
	s.applying = true
	for *applied < len(s.inputs) && s.inputs[*applied].at <= at {
		e := s.inputs[*applied]
		if e.step > 0 {
			break // a run, not an input: replayStep makes it
		}
		*applied++
		if e.suspend {
			continue // a place to stop at, reached
		}
		given = true
		if cr, ok := m.(ClockRecorder); ok && e.clock > 0 {
			cr.AdvanceClock(e.clock)
		} else if in, ok := m.(Interactive); ok && e.clock == 0 {
			in.Input(e.text, e.eof)
		}
	}
	s.applying = false
	return given
}

// untilInput caps budget at the next logged input's count.
func (s *Session) untilInput(budget uint64) uint64 {
	return s.untilNext(s.instructions, s.applied, budget)
}

// untilNext caps budget at the count of the input applied, for a
// machine after at instructions.
func (s *Session) untilNext(at uint64, applied int, budget uint64) uint64 {
	if applied < len(s.inputs) {
		if next := s.inputs[applied].at; next > at {
			budget = min(budget, next-at)
		}
	}
	return budget
}

// replay runs one slice of a step back.
func (s *Session) replay() {
	t0, before := s.now(), s.instructions
	res, err := s.replayStep(s.m, &s.instructions, &s.applied, &s.replayTo)
	s.adapt(s.instructions-before, s.now().Sub(t0))
	switch {
	case err != nil:
		s.endReplay(fmt.Sprintf("the program failed while stepping back, after %d instructions: %v", s.instructions, err))
		s.fail(err)
	case res == replayStuck:
		// Ended or waiting for input that never came: the machine did
		// not do what it did before.
		s.endReplay(fmt.Sprintf("the program stopped after %d of %d instructions while stepping back", s.instructions, s.replayTo))
	case res == replayThere:
		s.endReplay("")
	}
}

// Where a slice of a replay got to.
type replayResult int

const (
	replayMore  replayResult = iota // not there yet
	replayThere                     // at the target
	replayStuck                     // it ended or waits where the run it replays did not
)

// replayStep runs m, after *at instructions with *applied inputs of the
// log given, one slice toward *target: the inputs before it at their
// counts (one made at the target stays ahead: the state after n
// instructions is the one the user saw before giving it), stopping
// where the run stopped inside module calls. A target inside a recorded
// module step (no state of the run was there) becomes the step's start.
func (s *Session) replayStep(m Machine, at *uint64, applied *int, target *uint64) (replayResult, error) {
	if *at >= *target {
		return replayThere, nil
	}
	s.giveDue(m, *at, applied)
	if e, ok := s.pendingStep(*at, *applied); ok {
		if *target < e.to {
			*target = *at
			return replayThere, nil
		}
		ran, err := m.Run(e.step)
		*at += ran
		*applied++
		switch {
		case err != nil:
			return replayStuck, err
		case *at != e.to:
			return replayStuck, nil
		case *at >= *target:
			return replayThere, nil
		}
		return replayMore, nil
	}
	budget := *target - *at
	ms, isMS := m.(ModuleStopper)
	if !isMS || !ms.HasModules() {
		// Sliced, to take requests between slices. With modules not: a
		// slice ending inside a module call would change the run.
		budget = min(budget, s.budget)
	}
	budget = s.untilNext(*at, *applied, budget)
	run := m.Run
	if isMS {
		run = ms.RunPlain
	}
	ran, err := run(budget)
	*at += ran
	switch {
	case err != nil:
		return replayStuck, err
	case *at >= *target:
		return replayThere, nil
	case ran < budget && !s.giveDue(m, *at, applied):
		if _, ok := s.pendingStep(*at, *applied); !ok {
			return replayStuck, nil
		}
	}
	return replayMore, nil
}

// endReplay stops a step back where it is (at its target unless it was
// paused or went wrong) and shows that state.
func (s *Session) endReplay(why string) {
	s.replaying = false
	s.rewound = true
	s.kernelNow = true
	if why != "" {
		s.err = why
		s.inputs = s.inputs[:s.applied] // they no longer fit this run
	}
	s.holdClock()
	s.state = protocol.StatePaused
	s.stopWhy = fmt.Sprintf("stepped back (%d instructions replayed)", s.instructions-s.replayFrom)
	s.checkSeen()
	if s.instructions < s.replayTo {
		s.stopWhy = fmt.Sprintf("step back stopped on the way, %d instructions before where it was going", s.replayTo-s.instructions)
	}
	if _, _, done := s.m.Exited(); done {
		s.state = protocol.StateExited
	}
	s.applyBreaks()
}
