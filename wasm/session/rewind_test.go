package session

import (
	"strings"
	"testing"

	"trapdoor/wasm/protocol"
)

// typist is the fake machine of session_test.go reading a terminal: what
// it is given is written back, with the count it arrived at.
type typist struct {
	fake
	got     []string
	writing bool // in the write's trace callback
}

// Instructions implements Counter: the write is the 500th instruction
// of 1000, whichever Run crosses it.
func (f *typist) Instructions() uint64 {
	if f.writing {
		return f.n / 2
	}
	return f.pc
}

func (f *typist) WaitingForInput() bool { return false }
func (f *typist) Input(b []byte, eof bool) {
	f.got = append(f.got, string(b))
	f.p.Output(1, b)
}

func drive(t *testing.T, s *Session, r protocol.Request) (last protocol.Event, _ string) {
	t.Helper()
	last = s.Handle(r)
	for i := 0; s.Active(); i++ {
		if i > 10000 {
			t.Fatalf("%s never stopped", r.Type)
		}
		last = s.Slice()
	}
	return last, ""
}

func TestStepBackReplaysInputsAtTheirCounts(t *testing.T) {
	var machines []*typist
	start := func(p Program) (Machine, error) {
		m := &typist{}
		trace := p.Trace
		p.Trace = func(l protocol.TraceLine) { m.writing = true; trace(l); m.writing = false }
		m.fake = fake{n: 1000, p: p}
		machines = append(machines, m)
		return m, nil
	}
	s := New(start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "t", Data: []byte("\x7fELF")})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 100})
	s.Handle(protocol.Request{Type: protocol.Input, Text: "a"})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 500}) // past the write at 500
	s.Handle(protocol.Request{Type: protocol.Input, Text: "b"})
	e, _ := drive(t, s, protocol.Request{Type: protocol.Step, Count: 50})
	if e.Instructions != 650 {
		t.Fatalf("at %d", e.Instructions)
	}
	// Back to 300: a fresh machine given "a" at 100 only.
	e, _ = drive(t, s, protocol.Request{Type: protocol.StepBack, Count: 350})
	m := machines[len(machines)-1]
	if len(machines) < 2 || e.Instructions != 300 || e.EIP != 0x8049000+300 || len(m.got) != 1 || m.got[0] != "a" {
		t.Fatalf("back at %d (eip %#x), the replay was given %q", e.Instructions, e.EIP, m.got)
	}
	if r := e.Rewind; r == nil || len(r.Console) != 1 || r.Console[0].Text != "a" || r.TraceTotal != 0 || e.Error != "" {
		t.Fatalf("rewind %+v, error %q", e.Rewind, e.Error)
	}
	// Forward again: "b" comes again at 600 with the write at 500.
	e, _ = drive(t, s, protocol.Request{Type: protocol.Step, Count: 350})
	if e.Instructions != 650 || len(m.got) != 2 || m.got[1] != "b" {
		t.Fatalf("forward again to %d: given %q", e.Instructions, m.got)
	}
	// Back to where "b" was typed: the state before it, and the shadow
	// (built while stopped) is the machine that goes there.
	for s.Background() {
	}
	n := len(machines)
	e, _ = drive(t, s, protocol.Request{Type: protocol.StepBack, Count: 50})
	if m := machines[len(machines)-1]; len(machines) != n || e.Instructions != 600 || len(m.got) != 1 {
		t.Fatalf("back at %d with %d machines (was %d), given %q", e.Instructions, len(machines), n, m.got)
	}
	// (A run this short has its shadow at the start: a machine started.)
	if r := e.Rewind; r == nil || r.Replayed != 600 || r.TraceTotal != 1 || len(r.Console) != 1 || r.Console[0].Text != "ahi\n" {
		t.Fatalf("from the shadow: %+v", e.Rewind)
	}
	// New input there: "b" is forgotten.
	s.Handle(protocol.Request{Type: protocol.Input, Text: "c"})
	drive(t, s, protocol.Request{Type: protocol.Run})
	if m := machines[len(machines)-1]; len(m.got) != 2 || m.got[1] != "c" {
		t.Fatalf("after new input: given %q", m.got)
	}
	e, _ = drive(t, s, protocol.Request{Type: protocol.BackSyscall})
	if e.Instructions != 500 || e.Error != "" {
		t.Fatalf("back to the write: at %d, %q", e.Instructions, e.Error)
	}
}

func TestStepBackRefusesWithAReason(t *testing.T) {
	s, _ := newSession(100)
	if e := s.Handle(protocol.Request{Type: protocol.StepBack}); e.Error == "" || e.NoStepBack == "" {
		t.Errorf("step back with nothing loaded: %+v", e)
	}
	s.Handle(protocol.Request{Type: protocol.Load, Name: "x", Data: []byte("\x7fELF")})
	if e := s.Handle(protocol.Request{Type: protocol.StepBack}); e.Error == "" || e.NoStepBack == "" {
		t.Errorf("step back before the first instruction: %+v", e)
	}
	if e := s.Handle(protocol.Request{Type: protocol.BackSyscall}); e.Error == "" {
		t.Errorf("back syscall before the first instruction: %+v", e)
	}
}

// clocked is a machine on the host's clock: its runs cannot be replayed.
type clocked struct{ fake }

func (clocked) NotReplayable() string { return "its clock is the host's" }

func TestStepBackUnavailableOnTheHostClock(t *testing.T) {
	s := New(func(p Program) (Machine, error) { return &clocked{fake{n: 100, p: p}}, nil }, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "x", Data: []byte("\x7fELF")})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 10})
	e := s.Handle(protocol.Request{Type: protocol.StepBack})
	if e.NoStepBack != "its clock is the host's" || !strings.Contains(e.Error, "its clock is the host's") || e.Instructions != 10 {
		t.Errorf("step back on the host's clock: %+v", e)
	}
	if s.Background() {
		t.Error("a shadow of a machine that cannot be replayed")
	}
}

func TestPauseStopsAStepBackOnTheWay(t *testing.T) {
	s, _ := newSession(1_000_000)
	s.Handle(protocol.Request{Type: protocol.Load, Name: "x", Data: []byte("\x7fELF")})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 900_000})
	if e := s.Handle(protocol.Request{Type: protocol.StepBack}); !e.Rewinding || e.State != protocol.StateRunning || e.Regs != nil {
		t.Fatalf("a step back under way: %+v", e)
	}
	s.Slice()
	e := s.Handle(protocol.Request{Type: protocol.Pause})
	if e.State != protocol.StatePaused || e.Rewinding || e.Rewind == nil || e.Instructions >= 899_999 ||
		!strings.Contains(e.Stop, "on the way") {
		t.Fatalf("paused step back: state %s at %d, stop %q, rewind %v", e.State, e.Instructions, e.Stop, e.Rewind != nil)
	}
	if e, _ := drive(t, s, protocol.Request{Type: protocol.Run}); e.State != protocol.StateExited {
		t.Fatalf("running on: %s", e.State)
	}
}

// drifting is a machine that is not deterministic: each start's
// registers differ.
type drifting struct {
	fake
	start uint32
}

func (f *drifting) Registers() protocol.Regs {
	return protocol.Regs{EIP: f.EIP(), GPR: [8]uint32{f.start}}
}

func TestStepBackSaysWhenTheReplayDiffers(t *testing.T) {
	starts := uint32(0)
	s := New(func(p Program) (Machine, error) {
		starts++
		return &drifting{fake{n: 100, p: p}, starts}, nil
	}, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "x", Data: []byte("\x7fELF")})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 10})
	drive(t, s, protocol.Request{Type: protocol.Step, Count: 10})
	e, _ := drive(t, s, protocol.Request{Type: protocol.StepBack, Count: 10})
	if e.Instructions != 10 || !strings.Contains(e.Error, "does not match the run") {
		t.Errorf("a replay with other registers than the run's stop: at %d, error %q", e.Instructions, e.Error)
	}
	e, _ = drive(t, s, protocol.Request{Type: protocol.StepBack, Count: 5})
	if e.Instructions != 5 || e.Error != "" {
		t.Errorf("back to a count the run never stopped at: at %d, error %q", e.Instructions, e.Error)
	}
}
