package machine

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// view is what the page holds: the console and the trace, replaced by a
// step back's history.
type view struct {
	console string
	trace   []protocol.TraceLine
	total   int
	last    protocol.Event
	// shadows: after each stop the worker's background work is done
	// (session.Background), so a step back can start from the shadow;
	// replayed is the most a step back replayed.
	shadows  bool
	replayed uint64
}

func (v *view) apply(e protocol.Event) {
	if r := e.Rewind; r != nil {
		v.replayed = max(v.replayed, r.Replayed)
		v.console, v.trace, v.total = "", r.Trace, r.TraceTotal
		for _, o := range r.Console {
			v.console += o.Text
		}
	}
	for _, o := range e.Output {
		v.console += o.Text
	}
	v.trace = append(v.trace, e.Trace...)
	v.total += len(e.Trace) + e.Dropped
	v.last = e
}

// settle runs the session until it stops, as the worker does.
func (v *view) settle(t *testing.T, s *session.Session, r protocol.Request) protocol.Event {
	t.Helper()
	v.apply(s.Handle(r))
	for i := 0; s.Active() || passTime(s); i++ { // passTime: time passes (pace_test.go)
		if i > 1_000_000 {
			t.Fatalf("%s never stopped", r.Type)
		}
		v.apply(s.Slice())
	}
	for v.shadows && s.Background() {
	}
	return v.last
}

// point is the state the page shows at a stop.
type point struct {
	insns   uint64
	regs    protocol.Regs
	procs   string
	console string
	trace   int
	lastSys string
}

func (v *view) point(t *testing.T) point {
	t.Helper()
	e := v.last
	if e.Regs == nil || e.Kernel == nil {
		t.Fatalf("a stop without registers or kernel state: %+v", e)
	}
	var procs []string
	for _, p := range e.Kernel.Procs {
		procs = append(procs, fmt.Sprintf("%d/%d%s", p.Pid, p.PPid, p.State))
	}
	p := point{insns: e.Instructions, regs: *e.Regs, procs: strings.Join(procs, " "),
		console: v.console, trace: v.total}
	if n := len(v.trace); n > 0 {
		p.lastSys = v.trace[n-1].Text
	}
	return p
}

func (p point) diff(q point) string {
	if p == q {
		return ""
	}
	return fmt.Sprintf("\n got %+v\nwant %+v", p, q)
}

// TestStepBackIsExact steps fork_test (8 writers and 6 readers on the
// message box, preempted by the seeded scheduler) in uneven strides,
// recording what the page shows at each stop, then steps back to each
// stop in turn and compares every register, the process table, the
// console and the trace.
func TestStepBackIsExact(t *testing.T) {
	t.Run("replay from the start", func(t *testing.T) { stepBackIsExact(t, false) })
	t.Run("from the shadow", func(t *testing.T) { stepBackIsExact(t, true) })
}

func stepBackIsExact(t *testing.T, shadows bool) {
	elf := program(t, "musl", "fork_test")
	s := session.New(Start, nil, "")
	v := &view{}
	v.settle(t, s, protocol.Request{Type: protocol.Load, Name: "fork_test", Data: elf, Seed: 7})
	var points []point
	for i := 0; ; i++ {
		e := v.settle(t, s, protocol.Request{Type: protocol.Step, Count: 1 + (i*7919)%40000})
		if e.State != protocol.StatePaused {
			break
		}
		points = append(points, v.point(t))
	}
	if len(points) < 20 || !strings.Contains(v.console, "PASS") {
		t.Fatalf("%d stops, console %q", len(points), v.console)
	}
	t.Logf("%d stops, %d instructions, %d trace lines", len(points), v.last.Instructions, v.total)
	v.shadows = shadows
	// One instruction at a time, near the end: forward again and back.
	v.settle(t, s, protocol.Request{Type: protocol.StepBack, Count: 1000})
	v.settle(t, s, protocol.Request{Type: protocol.Step, Count: 5})
	v.replayed = 0
	five := v.point(t)
	var back []point
	for range 5 {
		back = append(back, v.point(t))
		v.settle(t, s, protocol.Request{Type: protocol.StepBack})
	}
	// From the shadow a step back replays the gap and the distance; from
	// the start, everything up to the stop.
	t.Logf("a step back of one instruction replayed at most %d instructions", v.replayed)
	if shadows && v.replayed > 1<<18+1 || !shadows && v.replayed < 1<<20 {
		t.Errorf("shadows %v: a step back of one instruction replayed up to %d instructions", shadows, v.replayed)
	}
	for i := 4; i >= 0; i-- {
		v.settle(t, s, protocol.Request{Type: protocol.Step})
		if d := v.point(t).diff(back[i]); d != "" {
			t.Fatalf("forward again, step %d:%s", 5-i, d)
		}
	}
	if d := v.point(t).diff(five); d != "" {
		t.Fatalf("after five steps back and five forward:%s", d)
	}
	// Back from the end to stops, newest first, by instruction counts.
	for i := len(points) - 1; i >= 0; i -= 1 + len(points)/15 {
		want := points[i]
		r := protocol.Request{Type: protocol.StepBack, Count: int(v.last.Instructions) - int(want.insns)}
		if r.Count < 0 { // the latest stops are ahead: forward to them
			r = protocol.Request{Type: protocol.Step, Count: -r.Count}
		}
		e := v.settle(t, s, r)
		if e.State != protocol.StatePaused || e.Error != "" {
			t.Fatalf("step back to %d: %s %s", want.insns, e.State, e.Error)
		}
		if d := v.point(t).diff(want); d != "" {
			t.Fatalf("back at %d instructions:%s", want.insns, d)
		}
	}
	if e := v.settle(t, s, protocol.Request{Type: protocol.Run}); e.State != protocol.StateExited || !strings.Contains(v.console, "PASS") {
		t.Fatalf("running on after stepping back: %s, console %q", e.State, v.console)
	}
}

// TestBackSyscall goes back to where each system call returned, as Next
// syscall stopped going forward.
func TestBackSyscall(t *testing.T) {
	elf := program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	v := &view{}
	v.settle(t, s, protocol.Request{Type: protocol.Load, Name: "hello", Data: elf})
	var stops []point
	for {
		e := v.settle(t, s, protocol.Request{Type: protocol.NextSyscall})
		if e.State != protocol.StatePaused {
			break
		}
		stops = append(stops, v.point(t))
	}
	if len(stops) < 3 {
		t.Fatalf("hello made %d system calls", len(stops))
	}
	for i := len(stops) - 1; i >= 0; i-- {
		e := v.settle(t, s, protocol.Request{Type: protocol.BackSyscall})
		if e.Error != "" {
			t.Fatalf("back to call %d: %s", i+1, e.Error)
		}
		if d := v.point(t).diff(stops[i]); d != "" {
			t.Fatalf("back to call %d (%s):%s", i+1, stops[i].lastSys, d)
		}
	}
	if e := v.settle(t, s, protocol.Request{Type: protocol.BackSyscall}); !strings.Contains(e.Error, "no system call") {
		t.Errorf("before the first call: %q", e.Error)
	}
}

// TestStepBackInShell types into busybox sh, then steps back past the
// typed line (its echo and its output disappear from the console) and
// runs forward again: the line is typed again at the same instruction,
// so the shell ends where it was. New input after a step back starts a
// new history.
func TestStepBackInShell(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{Seed: 3})
	v := &view{shadows: true}
	if e := v.settle(t, s, protocol.Request{Type: protocol.Run}); e.State != protocol.StateInput {
		t.Fatalf("no prompt: %s %s", e.State, e.Error)
	}
	prompt := v.point(t)
	v.settle(t, s, protocol.Request{Type: protocol.Input, Text: "hello\n"})
	between := v.point(t)
	v.settle(t, s, protocol.Request{Type: protocol.Input, Text: "sleep 2 & ps\n"})
	done := v.point(t)
	if !strings.Contains(done.console, "hello, world") || !strings.Contains(done.console, "sleep 2") {
		t.Fatalf("console %q", done.console)
	}
	// Back to just before the first line was typed.
	e := v.settle(t, s, protocol.Request{Type: protocol.StepBack, Count: int(done.insns - prompt.insns + 1)})
	if e.Error != "" || strings.Contains(v.console, "hello") || e.Instructions != prompt.insns-1 {
		t.Fatalf("back before the prompt: %s %q at %d", e.Error, v.console, e.Instructions)
	}
	// Forward: the two lines come again at their counts.
	if e := v.settle(t, s, protocol.Request{Type: protocol.Run}); e.State != protocol.StateInput {
		t.Fatalf("forward again: %s %s", e.State, e.Error)
	}
	if d := v.point(t).diff(done); d != "" {
		t.Fatalf("forward again:%s", d)
	}
	// Back to where the second line was typed: the state before it.
	v.settle(t, s, protocol.Request{Type: protocol.StepBack, Count: int(done.insns - between.insns)})
	if d := v.point(t).diff(between); d != "" {
		t.Fatalf("back between the lines:%s", d)
	}
	// Something else typed there: the second line is forgotten.
	v.settle(t, s, protocol.Request{Type: protocol.Input, Text: "echo other\n"})
	if e := v.settle(t, s, protocol.Request{Type: protocol.StepBack}); e.Error != "" {
		t.Fatal(e.Error)
	}
	if e := v.settle(t, s, protocol.Request{Type: protocol.Run}); e.State != protocol.StateInput ||
		strings.Contains(v.console, "sleep 2") || !strings.Contains(v.console, "other") {
		t.Fatalf("a new history: %s, console %q", e.State, v.console)
	}
	// A terminal's clock follows real time (pace.go): the time given is
	// an input too, so a replay through a sleep needs it given again.
	v.settle(t, s, protocol.Request{Type: protocol.Input, Text: "sleep 1; echo woke\n"})
	woke := v.point(t)
	if !strings.Contains(woke.console, "woke") {
		t.Fatalf("console %q", woke.console)
	}
	if e := v.settle(t, s, protocol.Request{Type: protocol.StepBack}); e.Error != "" || e.Instructions != woke.insns-1 ||
		!strings.Contains(v.console, "woke") {
		t.Fatalf("back through the sleep: %q at %d, console %q", e.Error, e.Instructions, v.console)
	}
	v.settle(t, s, protocol.Request{Type: protocol.Run})
	if d := v.point(t).diff(woke); d != "" {
		t.Fatalf("forward after the sleep:%s", d)
	}
}

// TestStepBackCost measures a step back of one instruction after 1M,
// 10M and 100M instructions of bench_sieve (a replay from the start).
func TestStepBackCost(t *testing.T) {
	if os.Getenv("TRAPDOOR_MEASURE") == "" {
		t.Skip("set TRAPDOOR_MEASURE=1 to measure")
	}
	elf := program(t, "musl", "bench_sieve")
	for _, shadows := range []bool{false, true} {
		for _, n := range []int{1_000_000, 10_000_000, 100_000_000} {
			s := session.New(Start, nil, "")
			v := &view{}
			v.settle(t, s, protocol.Request{Type: protocol.Load, Name: "bench_sieve", Data: elf})
			v.shadows = shadows
			t0 := time.Now()
			v.settle(t, s, protocol.Request{Type: protocol.Step, Count: n})
			background := time.Since(t0)
			want := v.last.Instructions
			v.shadows = false // the next shadow is built after the step back: not timed
			t0 = time.Now()
			e := v.settle(t, s, protocol.Request{Type: protocol.StepBack})
			dt := time.Since(t0)
			if e.Instructions != want-1 {
				t.Fatalf("after %d: back at %d", want, e.Instructions)
			}
			t.Logf("MEASURE step back after %d instructions, shadow %v: %v, replayed %d instructions (run and shadow %v)",
				want, shadows, dt.Round(time.Millisecond), v.replayed, background.Round(time.Millisecond))
		}
	}
}

// TestStepBackInModule steps into the msgbox module's system call at
// CPL 0 and back: each earlier instruction inside the module, and the
// user's int $0x80 before it, shows as it did going forward.
func TestStepBackInModule(t *testing.T) {
	elf := program(t, "musl", "testit")
	s := session.New(Start, nil, "")
	v := &view{shadows: true}
	v.settle(t, s, protocol.Request{Type: protocol.Load, Name: "testit", Data: elf, Args: []string{"testit"},
		Files: []protocol.File{moduleFile(t, "msgbox.o")}})
	var e protocol.Event
	for i := 0; ; i++ {
		if i > 20000 {
			t.Fatal("no int $0x80 with eax 500 within 20000 steps")
		}
		e = v.settle(t, s, protocol.Request{Type: protocol.Step})
		if len(e.Code) > 0 && strings.HasPrefix(e.Code[0].Text, "int") && e.Regs.GPR[0] == 500 {
			break
		}
	}
	points := []point{v.point(t)}
	for range 6 {
		v.settle(t, s, protocol.Request{Type: protocol.Step})
		points = append(points, v.point(t))
	}
	if points[3].regs.EIP < 0xC0000000 {
		t.Fatalf("not in the module after 3 steps from int $0x80: %+v", points[3])
	}
	for i := len(points) - 2; i >= 0; i-- {
		e := v.settle(t, s, protocol.Request{Type: protocol.StepBack})
		if e.Error != "" {
			t.Fatalf("back to step %d: %s", i, e.Error)
		}
		if d := v.point(t).diff(points[i]); d != "" {
			t.Fatalf("back to step %d:%s", i, d)
		}
	}
	// Forward again the same way, then to the end: the run is the one
	// it was (its stops in the module are in the log).
	for i := 1; i < len(points); i++ {
		v.settle(t, s, protocol.Request{Type: protocol.Step})
		if d := v.point(t).diff(points[i]); d != "" {
			t.Fatalf("forward again to step %d:%s", i, d)
		}
	}
	e = v.settle(t, s, protocol.Request{Type: protocol.Run})
	if e.State != protocol.StateExited || !strings.Contains(v.console, "testit: all ok") {
		t.Fatalf("to the end: %s, console %q", e.State, v.console)
	}
	end := e.Instructions
	e = v.settle(t, s, protocol.Request{Type: protocol.StepBack, Count: int(end - points[len(points)-1].insns)})
	if d := v.point(t).diff(points[len(points)-1]); e.Error != "" || d != "" {
		t.Fatalf("from the end back into the module: %s%s", e.Error, d)
	}
	e = v.settle(t, s, protocol.Request{Type: protocol.Run})
	if e.State != protocol.StateExited || e.Instructions != end || !strings.Contains(v.console, "testit: all ok") {
		t.Fatalf("to the end again: %s at %d (was %d), console %q", e.State, e.Instructions, end, v.console)
	}
}
