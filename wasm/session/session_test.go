package session

import (
	"errors"
	"strings"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
)

// fake runs a program of n instructions that writes "hi\n" halfway and
// traces the write.
type fake struct {
	n, pc uint64
	p     Program
	wrote bool
}

func (f *fake) Run(budget uint64) (uint64, error) {
	ran := min(budget, f.n-f.pc)
	f.pc += ran
	if !f.wrote && f.pc >= f.n/2 {
		f.wrote = true
		f.p.Output(1, []byte("hi\n"))
		f.p.Trace(protocol.TraceLine{Pid: 1, Name: "write", Text: `write(1, "hi\n", 3) = 3`})
	}
	return ran, nil
}

func (f *fake) Exited() (int, string, bool) { return 0, "exited", f.pc == f.n }
func (f *fake) EIP() uint32                 { return 0x8049000 + uint32(f.pc) }

func newSession(n uint64) (*Session, *[]string) {
	var fetched []string
	start := func(p Program) (Machine, error) {
		if string(p.ELF) != "\x7fELF" {
			return nil, errors.New("not an ELF")
		}
		return &fake{n: n, p: p}, nil
	}
	fetch := func(url string) ([]byte, error) {
		fetched = append(fetched, url)
		return []byte("\x7fELF"), nil
	}
	return New(start, fetch, ""), &fetched
}

func TestHelloSaysWhetherItCanRun(t *testing.T) {
	s := New(nil, nil, "no machine API yet")
	h := s.Hello()
	if h.Type != protocol.Ready || h.CanRun || h.Note == "" || h.Version != protocol.Version {
		t.Fatalf("hello = %+v", h)
	}
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", URL: "programs/musl/hello"})
	if e.State != protocol.StateFailed || !strings.Contains(e.Error, "no machine API") {
		t.Fatalf("load without a machine: %+v", e)
	}
}

func TestRunToExitBatchesOutput(t *testing.T) {
	s, fetched := newSession(1_000_000)
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", URL: "programs/musl/hello"})
	if e.State != protocol.StateLoaded || len(*fetched) != 1 {
		t.Fatalf("load: %+v fetched %v", e, *fetched)
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	var out []string
	var trace []protocol.TraceLine
	for i := 0; s.Active(); i++ {
		if i > 10000 {
			t.Fatal("never exited")
		}
		e = s.Slice()
		for _, o := range e.Output {
			out = append(out, o.Text)
		}
		trace = append(trace, e.Trace...)
	}
	if e.State != protocol.StateExited || e.Exit == nil || *e.Exit != 0 || e.Instructions != 1_000_000 {
		t.Fatalf("last event: %+v", e)
	}
	if strings.Join(out, "") != "hi\n" || len(trace) != 1 {
		t.Fatalf("out %q trace %+v", out, trace)
	}
	if e := s.Handle(protocol.Request{Type: protocol.Run}); e.Error == "" {
		t.Fatal("running an exited program should say why it cannot")
	}
}

func TestStepAndPause(t *testing.T) {
	s, _ := newSession(1 << 40)
	s.Handle(protocol.Request{Type: protocol.Load, Name: "p", Data: []byte("\x7fELF")})
	s.Handle(protocol.Request{Type: protocol.Step, Count: 3})
	e := s.Slice()
	if e.State != protocol.StatePaused || e.Instructions != 3 || s.Active() {
		t.Fatalf("after step 3: %+v", e)
	}
	s.Handle(protocol.Request{Type: protocol.Step})
	if e := s.Slice(); e.Instructions != 4 || e.EIP != 0x8049004 {
		t.Fatalf("after step: %+v", e)
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	s.Slice()
	if e := s.Handle(protocol.Request{Type: protocol.Pause}); e.State != protocol.StatePaused || s.Active() {
		t.Fatalf("pause: %+v", e)
	}
}

func TestSliceBudgetAdapts(t *testing.T) {
	s, _ := newSession(1 << 50)
	clock := time.Unix(0, 0)
	s.now = func() time.Time { return clock }
	s.Handle(protocol.Request{Type: protocol.Load, Name: "p", Data: []byte("\x7fELF")})
	s.Handle(protocol.Request{Type: protocol.Run})
	// Pretend the machine does 100 instructions per microsecond.
	fm := s.m.(*fake)
	s.m = timed{fm, &clock}
	for i := 0; i < 20; i++ {
		s.Slice()
	}
	// 20 ms at 100 MIPS is 2,000,000 instructions.
	if s.budget < 1_500_000 || s.budget > 2_500_000 {
		t.Fatalf("budget = %d, want about 2e6", s.budget)
	}
	if e := s.Slice(); e.MIPS < 99 || e.MIPS > 101 {
		t.Fatalf("MIPS = %v", e.MIPS)
	}
}

type timed struct {
	*fake
	clock *time.Time
}

func (t timed) Run(b uint64) (uint64, error) {
	n, err := t.fake.Run(b)
	*t.clock = t.clock.Add(time.Duration(n) * time.Microsecond / 100)
	return n, err
}

func TestTraceIsBoundedPerEvent(t *testing.T) {
	s, _ := newSession(1)
	for i := 0; i < maxTracePerEvent+5; i++ {
		s.traceLine(protocol.TraceLine{Pid: 1, Name: "getpid", Text: "getpid() = 1"})
	}
	e := s.event()
	if len(e.Trace) != maxTracePerEvent || e.Dropped != 5 {
		t.Fatalf("trace %d dropped %d", len(e.Trace), e.Dropped)
	}
	if e := s.event(); len(e.Trace) != 0 || e.Dropped != 0 {
		t.Fatal("batch not cleared")
	}
}

func TestBadRequests(t *testing.T) {
	s, _ := newSession(10)
	if e := s.Handle(protocol.Request{Type: "frobnicate"}); e.Error == "" {
		t.Fatal("unknown request accepted silently")
	}
	if e := s.Handle(protocol.Request{Type: protocol.Load, Name: "x", Data: []byte("MZ")}); e.State != protocol.StateFailed || e.Error != "not an ELF" {
		t.Fatalf("bad ELF: %+v", e)
	}
	// The page sends load and run together: after a failed load, run must
	// not replace the load's reason with a vaguer one.
	if e := s.Handle(protocol.Request{Type: protocol.Run}); e.Error != "" || e.State != protocol.StateFailed {
		t.Fatalf("run after a failed load: %+v", e)
	}
	if e := New(nil, nil, "x").Handle(protocol.Request{Type: protocol.Step}); e.Error == "" {
		t.Fatal("step with nothing loaded accepted")
	}
}

func TestBusySpinsThenStops(t *testing.T) {
	s := New(nil, nil, "x")
	// A clock that advances a millisecond per reading makes the slicing
	// independent of how fast (or loaded) the machine is.
	clock := time.Unix(0, 0)
	s.now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	s.Handle(protocol.Request{Type: protocol.Busy, Millis: 30})
	n := 0
	for s.Active() {
		s.Slice()
		n++
	}
	if n < 2 {
		t.Fatalf("30 ms of busy work took %d slices, want at least 2", n)
	}
}

func TestOutputIsBatchedAndBounded(t *testing.T) {
	s, _ := newSession(1)
	line := []byte(strings.Repeat("x", 99) + "\n")
	for i := 0; i < 2000; i++ { // 200 KB in small writes: one chunk
		s.output(1, line)
	}
	if out, _ := s.Pending(); out != 200_000 || out < FlushOutput {
		t.Fatalf("pending %d bytes", out)
	}
	e := s.event()
	if len(e.Output) != 1 || len(e.Output[0].Text) != 200_000 || e.OutputDropped != 0 {
		t.Fatalf("batch: %d chunks, dropped %d", len(e.Output), e.OutputDropped)
	}
	s.output(2, make([]byte, maxOutputPerEvent+10))
	if e := s.event(); e.OutputDropped != 10 || len(e.Output[0].Text) != maxOutputPerEvent {
		t.Fatalf("flood: dropped %d", e.OutputDropped)
	}
}
