package machine

import (
	"os"
	"strings"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// testWall is the host's clock in this package's tests: it moves only
// when a test moves it (passTime), so a run's guest time does not depend
// on how fast the test machine is.
var testWall = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	wallNow = func() time.Time { return testWall }
	os.Exit(m.Run())
}

// passTime lets the time a waiting session waits for pass, as the worker
// does (TimerWait, then Tick): it reports whether the session runs again
// (false: it waits for keys only, or is not waiting).
func passTime(s *session.Session) bool {
	for i := 0; i < 1e6; i++ {
		d, ok := s.TimerWait()
		if !ok {
			return false
		}
		testWall = testWall.Add(d)
		if s.Tick(); s.Active() {
			return true
		}
	}
	panic("a timer that never falls due")
}

// runOut runs the session until it waits with no timer pending (or
// ends), returning the console's output, the time it waited on the test
// clock and the last event.
func runOut(t *testing.T, s *session.Session) (string, time.Duration, protocol.Event) {
	t.Helper()
	var o strings.Builder
	var last protocol.Event
	start := testWall
	for i := 0; s.Active() || passTime(s); i++ {
		if i > 100000 {
			t.Fatal("the machine never waits")
		}
		last = s.Slice()
		for _, x := range last.Output {
			o.WriteString(x.Text)
		}
	}
	return o.String(), testWall.Sub(start), last
}

// TestShellSleepTakesItsTime: `sleep 1` in the foreground returns once a
// second has passed on the host's clock, not before; meanwhile the
// session waits (StateInput) and the worker has a timer to wait for.
func TestShellSleepTakesItsTime(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{})
	typeLine(t, s, "")
	s.Handle(protocol.Request{Type: protocol.Input, Text: "sleep 1; echo done\n"})
	start := testWall
	var out strings.Builder
	for i := 0; !strings.Contains(out.String(), "\ndone\n"); i++ {
		if i > 100000 {
			t.Fatalf("no done: %q", out.String())
		}
		for s.Active() {
			for _, x := range s.Slice().Output {
				out.WriteString(x.Text)
			}
		}
		if strings.Contains(out.String(), "\ndone\n") {
			break
		}
		// Time passes in steps of at most 10 ms, as the worker's polls.
		d, ok := s.TimerWait()
		if !ok || s.Flush().State != protocol.StateInput {
			t.Fatalf("waiting with no timer (%v) in state %s: %q", ok, s.Flush().State, out.String())
		}
		testWall = testWall.Add(min(d, 10*time.Millisecond))
		s.Tick()
	}
	if took := testWall.Sub(start); took < time.Second || took > 1100*time.Millisecond {
		t.Errorf("done after %v of host time, want 1 s (plus busybox's 20 ms after a line)", took)
	}
}

// TestShellBackgroundJobWakesWhileWaiting: a job sleeping in the
// background while the shell waits at its prompt prints once its time
// has passed, with no key typed; then only keys are awaited.
func TestShellBackgroundJobWakesWhileWaiting(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{})
	typeLine(t, s, "")
	s.Handle(protocol.Request{Type: protocol.Input, Text: "(sleep 2; echo job done) &\n"})
	out, waited, last := runOut(t, s)
	if !strings.Contains(out, "job done\n") {
		t.Fatalf("the job did not print: %q", out)
	}
	if waited < 2*time.Second || waited > 2200*time.Millisecond {
		t.Errorf("the job printed after %v, want 2 s", waited)
	}
	if _, ok := s.TimerWait(); ok || last.State != protocol.StateInput {
		t.Errorf("after the job: state %s, timer pending %v", last.State, ok)
	}
}

// TestPacedOnlyOnATerminal: a program given its stdin (as the CLI's
// pipes and the reference runs) keeps the jumping virtual clock: its
// sleep passes at once.
func TestPacedOnlyOnATerminal(t *testing.T) {
	bb := program(t, "thirdparty", "busybox")
	m, err := Start(session.Program{Name: "busybox", ELF: bb, Args: []string{"sh", "-c", "sleep 5; read x; echo $x"},
		Stdin: []byte("piped\n"), Output: func(int, []byte) {}, Trace: func(protocol.TraceLine) {}})
	if err != nil {
		t.Fatal(err)
	}
	if m.(*Machine).Paced() {
		t.Fatal("a machine with a preset stdin is paced")
	}
	for i := 0; i < 1000; i++ {
		if _, err := m.Run(1e6); err != nil {
			t.Fatal(err)
		}
		if _, _, done := m.Exited(); done {
			return
		}
	}
	t.Fatal("the sleep did not pass at once")
}

// TestPacedOnTheRealClock: with the host's real clock, driven as the
// worker drives it, a 300 ms sleep ends after 300 ms of wall time.
func TestPacedOnTheRealClock(t *testing.T) {
	wallNow = time.Now
	t.Cleanup(func() { wallNow = func() time.Time { return testWall } })
	s := shellSession(t, protocol.ShellSettings{})
	real := func() string {
		var o strings.Builder
		for i := 0; i < 100000; i++ {
			for s.Active() {
				for _, x := range s.Slice().Output {
					o.WriteString(x.Text)
				}
			}
			d, ok := s.TimerWait()
			if !ok {
				return o.String()
			}
			time.Sleep(d)
			s.Tick()
		}
		t.Fatal("never settles")
		return ""
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	real()
	start := time.Now()
	s.Handle(protocol.Request{Type: protocol.Input, Text: "sleep 0.3; echo done\n"})
	out := real()
	took := time.Since(start)
	t.Logf("sleep 0.3 took %v", took)
	if !strings.Contains(out, "done\n") || took < 300*time.Millisecond {
		t.Errorf("output %q after %v", out, took)
	}
}

// TestPacedWhileComputing: while a program computes in the foreground,
// the real time a slice takes beyond its instructions' virtual time
// passes too, so a job sleeping in the background wakes after a second
// of wall time, not after a billion instructions. The test clock moves
// 10 ms at every reading: each slice of 100,000 instructions (0.1 ms of
// virtual time) takes 10 ms.
func TestPacedWhileComputing(t *testing.T) {
	bb := program(t, "thirdparty", "busybox")
	spin := program(t, "musl", "spin")
	saved := wallNow
	t.Cleanup(func() { wallNow = saved })
	clock := testWall
	wallNow = func() time.Time { clock = clock.Add(10 * time.Millisecond); return clock }
	var out strings.Builder
	m, err := Start(session.Program{Name: "busybox", ELF: bb, Args: []string{"sh", "-c", "(sleep 1; echo bg woke) & spin"},
		Env: []string{"PATH=/bin"}, Files: []session.File{{Path: "/bin/spin", Data: spin}},
		Output: func(_ int, b []byte) { out.Write(b) }, Trace: func(protocol.TraceLine) {}})
	if err != nil {
		t.Fatal(err)
	}
	for runs := 1; runs <= 1000; runs++ {
		if _, err := m.Run(100_000); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "bg woke") {
			t.Logf("the job woke after %d slices", runs)
			if runs < 95 || runs > 150 {
				t.Errorf("the job woke after %d slices of 10 ms, want about 100", runs)
			}
			return
		}
	}
	t.Fatalf("the job did not wake in 1000 slices of 10 ms: %q", out.String())
}

// TestPacedVectorsOnTheRealClock: the test programs that use timers
// (alarm, setitimer, usleep, nanosleep interrupted) print what they print
// natively when the page runs them on the terminal's real-time clock,
// driven as the worker drives them.
func TestPacedVectorsOnTheRealClock(t *testing.T) {
	wallNow = time.Now
	t.Cleanup(func() { wallNow = func() time.Time { return testWall } })
	env := lines(t, "../../testvectors/expected/environ")
	for _, name := range []string{"signals", "fork_wait", "pipes"} {
		elf := program(t, "musl", name)
		s := session.New(Start, nil, "")
		s.Handle(protocol.Request{Type: protocol.Load, Name: name, Data: elf, Args: []string{name}, Env: env})
		s.Handle(protocol.Request{Type: protocol.Run})
		start := time.Now()
		var out strings.Builder
		for i := 0; ; i++ {
			if i > 100000 {
				t.Fatalf("%s never ends", name)
			}
			for s.Active() {
				for _, o := range s.Slice().Output {
					if o.FD == 1 {
						out.WriteString(o.Text)
					}
				}
			}
			d, ok := s.TimerWait()
			if !ok {
				break
			}
			time.Sleep(d)
			s.Tick()
		}
		t.Logf("%s took %v", name, time.Since(start).Round(time.Millisecond))
		if want := read(t, "../../testvectors/expected/musl/"+name+".stdout"); out.String() != want {
			t.Errorf("%s printed:\n%s\nnatively:\n%s", name, out.String(), want)
		}
	}
}

// TestShellInterruptASleep: ^C typed during a foreground `sleep 5` ends
// it at once (the keys are not held until the timer falls due); the
// shell prompts again with only keys awaited.
func TestShellInterruptASleep(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{})
	typeLine(t, s, "")
	s.Handle(protocol.Request{Type: protocol.Input, Text: "sleep 5\n"})
	// 200 ms pass (busybox's 20 ms after the line among them): sleep
	// runs and sleeps.
	for waited := time.Duration(0); waited < 200*time.Millisecond; waited += 10 * time.Millisecond {
		for s.Active() {
			s.Slice()
		}
		testWall = testWall.Add(10 * time.Millisecond)
		s.Tick()
	}
	for s.Active() {
		s.Slice()
	}
	if d, ok := s.TimerWait(); !ok || s.Flush().State != protocol.StateInput {
		t.Fatalf("not sleeping: timer %v %v, state %s", d, ok, s.Flush().State)
	}
	start := testWall
	out, _, _ := typeLine(t, s, "\x03")
	if !strings.HasSuffix(out, "/bin $ ") {
		t.Errorf("after ^C: %q", out)
	}
	if waited := testWall.Sub(start); waited > 100*time.Millisecond {
		t.Errorf("^C took %v of host time to end the sleep", waited)
	}
	if _, ok := s.TimerWait(); ok {
		t.Error("a timer is still pending after the sleep was interrupted")
	}
}
