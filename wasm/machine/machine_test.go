package machine

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

func program(t *testing.T, libc, name string) []byte {
	b, err := os.ReadFile("../../testvectors/bin/" + libc + "/" + name)
	if err != nil {
		t.Skipf("test vector not built: %v", err)
	}
	return b
}

// run drives a session the way the worker does and returns everything the
// page would have received.
func run(t *testing.T, r protocol.Request) (out, trace string, last protocol.Event) {
	out, trace, _, last = runLog(t, r)
	return
}

func runLog(t *testing.T, r protocol.Request) (out, trace, log string, last protocol.Event) {
	s := session.New(Start, nil, "")
	e := s.Handle(r)
	if e.State != protocol.StateLoaded {
		t.Fatalf("load: %+v", e)
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	var o, tr, lg strings.Builder
	for i := 0; s.Active(); i++ {
		if i > 100000 {
			t.Fatal("the program never ended")
		}
		last = s.Slice()
		for _, x := range last.Output {
			o.WriteString(x.Text)
		}
		for _, l := range last.Trace {
			tr.WriteString(l.Text + "\n")
		}
		for _, l := range last.Log {
			lg.WriteString(l + "\n")
		}
	}
	return o.String(), tr.String(), lg.String(), last
}

func TestHello(t *testing.T) {
	elf := program(t, "glibc", "hello")
	out, tr, last := run(t, protocol.Request{Type: protocol.Load, Name: "hello", Data: elf, Args: []string{"hello"}})
	if !strings.HasPrefix(out, "hello, world\n") {
		t.Errorf("output %q", out)
	}
	if !strings.Contains(tr, `write(1, "hello, world\n", 13)`) {
		t.Errorf("no write line in the trace:\n%s", tr)
	}
	if last.State != protocol.StateExited || last.Exit == nil || *last.Exit != 0 {
		t.Errorf("last event %+v", last)
	}
}

func TestStepIsExact(t *testing.T) {
	elf := program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", Data: elf})
	var eips []uint32
	for i := 0; i < 3; i++ {
		s.Handle(protocol.Request{Type: protocol.Step})
		e := s.Slice()
		if e.Instructions != uint64(i+1) || e.State != protocol.StatePaused {
			t.Fatalf("step %d: %+v", i+1, e)
		}
		eips = append(eips, e.EIP)
	}
	if eips[0] == eips[1] || eips[1] == eips[2] {
		t.Errorf("EIP did not move: %x", eips)
	}
	e := s.Flush()
	if e.Regs == nil || e.Regs.EIP != e.EIP || e.Regs.GPR[4] < 0xb0000000 || e.Regs.EFLAGS&2 == 0 {
		t.Errorf("registers after three steps: %+v", e.Regs)
	}
	if len(e.Stack) != 16 || e.Stack[0].Addr != e.Regs.GPR[4] {
		t.Errorf("stack view: %+v", e.Stack)
	}
	if len(e.Code) < 5 || e.Code[0].Addr != e.EIP || e.Code[0].Text == "" || e.Code[0].Text == "(bad)" {
		t.Fatalf("code view: %+v", e.Code)
	}
	for _, l := range e.Code {
		t.Logf("%08x %-24s %-20s %s", l.Addr, l.Where, l.Bytes, l.Text)
	}
}

func TestCrashAndBadInput(t *testing.T) {
	elf := program(t, "musl", "crash_segv")
	_, _, log, last := runLog(t, protocol.Request{Type: protocol.Load, Name: "crash_segv", Data: elf})
	t.Logf("kernel log:\n%s", log)
	if last.Exit == nil || *last.Exit != 139 || !strings.Contains(last.Reason, "SIGSEGV") {
		t.Errorf("crash_segv: %+v", last)
	}
	if !strings.Contains(log, "segfault at 0") {
		t.Errorf("the kernel log says nothing of the segfault:\n%s", log)
	}
	s := session.New(Start, nil, "")
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: "notes.txt", Data: []byte("hello")})
	if e.State != protocol.StateFailed || !strings.Contains(e.Error, "not an ELF") {
		t.Errorf("text file: %+v", e)
	}
}

func TestDroppedMachineEnds(t *testing.T) {
	elf := program(t, "musl", "hello")
	m, err := Start(session.Program{Name: "hello", ELF: elf, Args: []string{"hello"},
		Output: func(int, []byte) {}, Trace: func(protocol.TraceLine) {}})
	if err != nil {
		t.Fatal(err)
	}
	m.Run(10)
	m.(*Machine).Close() // must not block or leak a parked goroutine
}

// A machine dropped mid-run (the user switched programs while it was
// paused) says nothing more: its callbacks feed the session, which by then
// belongs to the next program.
func TestDroppedMachineSaysNothing(t *testing.T) {
	for _, c := range []struct {
		name  string
		stdin string
	}{{"bench_sieve", "x"}, {"stdin_wc", ""}} { // mid-computation; parked in a terminal read
		t.Run(c.name, func(t *testing.T) {
			var said atomic.Int32
			closed := atomic.Bool{}
			note := func(what string) {
				if closed.Load() {
					said.Add(1)
					t.Logf("after Close: %s", what)
				}
			}
			m, err := Start(session.Program{Name: c.name, ELF: program(t, "musl", c.name), Args: []string{c.name}, Stdin: []byte(c.stdin),
				Output: func(fd int, b []byte) { note(fmt.Sprintf("output %q", b)) },
				Trace:  func(l protocol.TraceLine) { note("trace " + l.Text) },
				Log:    func(l string) { note("log " + l) }})
			if err != nil {
				t.Fatal(err)
			}
			m.Run(200_000)
			closed.Store(true)
			m.(*Machine).Close()
			time.Sleep(100 * time.Millisecond) // the goroutine unwinds on its own
			if n := said.Load(); n != 0 {
				t.Errorf("the dropped machine reported %d times", n)
			}
		})
	}
}

// TestVectorsAsThePageRunsThem runs the programs with argv, environment and
// stdin as the site's catalog gives them, and compares with the native runs.
// Output goes to a terminal here (a pipe natively), which changes only how
// stdio splits its writes, not the bytes.
func TestVectorsAsThePageRunsThem(t *testing.T) {
	env := lines(t, "../../testvectors/expected/environ")
	for _, name := range []string{"args", "stdin_wc", "exitcode", "crash_fpe"} {
		for _, libc := range []string{"musl", "glibc"} {
			t.Run(libc+"/"+name, func(t *testing.T) {
				elf := program(t, libc, name)
				args := []string{name}
				if a, err := os.ReadFile("../../testvectors/src/" + name + ".args"); err == nil {
					args = strings.Split(strings.TrimSuffix(string(a), "\n"), "\n")
				}
				stdin, _ := os.ReadFile("../../testvectors/src/" + name + ".stdin")
				s := session.New(Start, nil, "")
				if e := s.Handle(protocol.Request{Type: protocol.Load, Name: name, Data: elf, Args: args, Env: env, Stdin: string(stdin)}); e.Error != "" {
					t.Fatal(e.Error)
				}
				s.Handle(protocol.Request{Type: protocol.Run})
				var out, errOut strings.Builder
				var last protocol.Event
				for s.Active() {
					last = s.Slice()
					for _, o := range last.Output {
						if o.FD == 1 {
							out.WriteString(o.Text)
						} else {
							errOut.WriteString(o.Text)
						}
					}
				}
				exp := "../../testvectors/expected/" + libc + "/" + name
				if want := read(t, exp+".stdout"); out.String() != want {
					t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
				}
				if want := read(t, exp+".stderr"); errOut.String() != want {
					t.Errorf("stderr %q, want %q", errOut.String(), want)
				}
				if want := strings.TrimSpace(read(t, exp+".status")); last.Exit == nil || fmt.Sprint(*last.Exit) != want {
					t.Errorf("status %v (%s), want %s", last.Exit, last.Reason, want)
				}
			})
		}
	}
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("no expected result: %v", err)
	}
	return string(b)
}

func lines(t *testing.T, p string) []string {
	return strings.Split(strings.TrimSuffix(read(t, p), "\n"), "\n")
}

func TestNextSyscall(t *testing.T) {
	elf := program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", Data: elf})
	var names []string
	for i := 0; i < 3; i++ {
		s.Handle(protocol.Request{Type: protocol.NextSyscall})
		var e protocol.Event
		for s.Active() {
			e = s.Slice()
			for _, l := range e.Trace {
				names = append(names, l.Name)
			}
		}
		if e.State != protocol.StatePaused {
			t.Fatalf("after next-syscall %d: %+v", i+1, e)
		}
	}
	if len(names) != 3 || names[0] != "set_thread_area" {
		t.Errorf("three next-syscalls traced %q, want one call each, set_thread_area first", names)
	}
}

func TestTypedInput(t *testing.T) {
	elf := program(t, "musl", "stdin_wc")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "stdin_wc", Data: elf})
	var out strings.Builder
	drive := func() protocol.Event {
		var e protocol.Event
		for s.Active() {
			e = s.Slice()
			for _, o := range e.Output {
				out.WriteString(o.Text)
			}
		}
		return e
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	if e := drive(); e.State != protocol.StateInput {
		t.Fatalf("stdin_wc should wait for input: %+v", e)
	}
	// stdin_wc reads until read() has returned 0 twice: two ^Ds.
	for _, in := range []protocol.Request{
		{Type: protocol.Input, Text: "one two\n"},
		{Type: protocol.Input, Text: "three", EOF: true},
		{Type: protocol.Input, EOF: true},
		{Type: protocol.Input, EOF: true},
	} {
		s.Handle(in)
		drive()
	}
	if e := s.Flush(); e.State != protocol.StateExited {
		t.Fatalf("after two ^D: %+v", e)
	}
	// The terminal echoes what is typed ("three" has no newline: ^D
	// ends the read without one), then the program's report follows.
	if !strings.HasPrefix(out.String(), "one two\nthreebytes=13 lines=1 words=3") {
		t.Errorf("output %q", out.String())
	}
}

func TestBreakpoints(t *testing.T) {
	elf := program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: []string{"main", "writev()"}})
	s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", Data: elf})
	var stops []string
	var out strings.Builder
	for i := 0; i < 10; i++ {
		s.Handle(protocol.Request{Type: protocol.Run})
		var e protocol.Event
		for s.Active() {
			e = s.Slice()
			for _, o := range e.Output {
				out.WriteString(o.Text)
			}
		}
		if e.State == protocol.StateExited {
			break
		}
		if e.State != protocol.StatePaused {
			t.Fatalf("stop %d: %+v", i, e)
		}
		stops = append(stops, e.Stop)
		if e.Stop == "breakpoint at main" && (len(e.Code) == 0 || e.Code[0].Where != "main") {
			t.Errorf("stopped at main, but the code view is at %+v", e.Code)
		}
	}
	want := "breakpoint at main|breakpoint on writev|breakpoint on writev|breakpoint on writev"
	if got := strings.Join(stops, "|"); got != want {
		t.Errorf("stops %q, want %q", got, want)
	}
	if !strings.HasPrefix(out.String(), "hello, world\n") {
		t.Errorf("output %q", out.String())
	}
	if e := s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: []string{"no_such_function"}}); !strings.Contains(e.Error, "no symbol no_such_function") {
		t.Errorf("unknown symbol: %+v", e)
	}
}

func TestStepOver(t *testing.T) {
	elf := program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: []string{"main"}})
	s.Handle(protocol.Request{Type: protocol.Load, Name: "hello", Data: elf})
	s.Handle(protocol.Request{Type: protocol.Run})
	for s.Active() {
		s.Slice()
	}
	s.Handle(protocol.Request{Type: protocol.Breakpoints})
	// Step until EIP is at a call in main, then step over it.
	var e protocol.Event
	for i := 0; i < 100; i++ {
		e = s.Flush()
		if len(e.Code) > 0 && strings.HasPrefix(e.Code[0].Text, "call") {
			break
		}
		s.Handle(protocol.Request{Type: protocol.Step})
		for s.Active() {
			s.Slice()
		}
	}
	if len(e.Code) < 2 || !strings.HasPrefix(e.Code[0].Text, "call") {
		t.Fatalf("no call within 100 steps: %+v", e.Code)
	}
	next, before, call := e.Code[1].Addr, e.Instructions, e.Code[0].Text
	s.Handle(protocol.Request{Type: protocol.StepOver})
	for s.Active() {
		e = s.Slice()
	}
	if e.State != protocol.StatePaused || e.EIP != next || e.Instructions <= before+1 {
		t.Errorf("after stepping over %q: state %s eip %#x (want %#x), %d instructions (from %d)", call, e.State, e.EIP, next, e.Instructions, before)
	}
}

// The kernel panels' data: right after cow forks, the child's process
// entry, its address space with shared frames, and a VMA's pages.
func TestInspectAfterFork(t *testing.T) {
	elf := program(t, "musl", "cow")
	s := session.New(Start, nil, "")
	if e := s.Handle(protocol.Request{Type: protocol.Load, Name: "cow", Data: elf}); e.Kernel == nil || len(e.Kernel.Procs) != 1 {
		t.Fatalf("a loaded program's event should show its process: %+v", e.Kernel)
	}
	forked := false
	for i := 0; i < 200 && !forked; i++ {
		s.Handle(protocol.Request{Type: protocol.NextSyscall})
		for s.Active() {
			for _, l := range s.Slice().Trace {
				forked = forked || l.Name == "fork" || l.Name == "clone"
			}
		}
	}
	if !forked {
		t.Fatal("cow never forked")
	}
	e := s.Handle(protocol.Request{Type: protocol.Inspect, Pid: 2})
	k := e.Kernel
	if k == nil || len(k.Procs) != 2 || k.Pid != 2 || k.Procs[1].PPid != 1 || k.Procs[1].Cmdline[0] != "cow" {
		t.Fatalf("process table after fork: %+v", k)
	}
	var data protocol.VMA
	for _, v := range k.Space.VMAs {
		if v.Kind == "file" && strings.HasPrefix(v.Perms, "rw") {
			data = v
		}
	}
	if data.Shared == 0 || data.Shared != data.Present {
		t.Fatalf("the child's .data right after fork should be all shared: %+v", data)
	}
	e = s.Handle(protocol.Request{Type: protocol.Inspect, Pid: 2, VMA: data.Start})
	shared := 0
	for _, p := range e.Kernel.Pages {
		if p.Present && p.Refs > 1 && !p.Writable {
			shared++
		}
	}
	if e.Kernel.PagesOf != data.Start || shared != data.Shared {
		t.Errorf("pages of %#x: %d shared, want %d: %+v", data.Start, shared, data.Shared, e.Kernel.Pages)
	}
	if e.Kernel.Msgbox == nil || e.Kernel.Msgbox.Depth != 0 {
		t.Errorf("msgbox: %+v", e.Kernel.Msgbox)
	}
	// Gone processes fall back to the one running.
	if e := s.Handle(protocol.Request{Type: protocol.Inspect, Pid: 77}); e.Kernel.Pid == 77 || e.Kernel.Space == nil {
		t.Errorf("an unknown pid: %+v", e.Kernel)
	}
}

// While running, snapshots come a few times a second, not with every
// event: they cost the page a render each.
func TestInspectRateWhileRunning(t *testing.T) {
	elf := program(t, "musl", "bench_sieve")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "bench_sieve", Data: elf})
	s.Handle(protocol.Request{Type: protocol.Run})
	snaps, events := 0, 0
	start := time.Now()
	for time.Since(start) < time.Second && s.Active() {
		events++
		if s.Slice().Kernel != nil {
			snaps++
		}
	}
	if snaps == 0 || snaps > 4 || events < 10 {
		t.Errorf("%d snapshots in %d events over a second", snaps, events)
	}
}

// A system call's detail: its decoded arguments and the buffers it copied
// from the process (write) or into it (read).
func TestDetailShowsTheBytesCopied(t *testing.T) {
	elf := program(t, "glibc", "stdin_wc")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "stdin_wc", Data: elf, Stdin: "one two\nthree\n"})
	s.Handle(protocol.Request{Type: protocol.Run})
	var lines []protocol.TraceLine
	for s.Active() {
		lines = append(lines, s.Slice().Trace...)
	}
	find := func(name string) protocol.TraceLine {
		for _, l := range lines {
			if l.Name == name {
				return l
			}
		}
		t.Fatalf("no %s in the trace", name)
		return protocol.TraceLine{}
	}
	for _, c := range []struct{ call, dir, data string }{
		{"read", "out", "one two"}, // stdin_wc reads in small pieces
		{"write", "in", "bytes=14 lines=2 words=3 sum="},
	} {
		l := find(c.call)
		e := s.Handle(protocol.Request{Type: protocol.Detail, Seq: l.Seq})
		d := e.Detail
		if d == nil || d.Seq != l.Seq || len(d.Copies) != 1 {
			t.Fatalf("%s detail: %+v", l.Text, d)
		}
		cp := d.Copies[0]
		if cp.Dir != c.dir || !strings.HasPrefix(string(cp.Data), c.data) || cp.Arg != "arg 2" {
			t.Errorf("%s copied %+v (%q), want %s %q", l.Text, cp, cp.Data, c.dir, c.data)
		}
		if last := d.Args[len(d.Args)-1]; last.Name != "result" || last.Value != fmt.Sprint(len(cp.Data)) || d.Result != last.Value {
			t.Errorf("%s result line %+v, %d bytes copied", l.Text, last, len(cp.Data))
		}
		// The call's path starts at an int $0x80 in the program's code.
		if code := string(s.Handle(protocol.Request{Type: protocol.Detail, Seq: l.Seq}).Detail.Name); code != c.call || d.Int80 == 0 || d.Comm != "stdin_wc" || d.Where == "" {
			t.Errorf("%s path: int $0x80 at %#x (%q) in %q", l.Text, d.Int80, d.Where, d.Comm)
		}
	}
	if e := s.Handle(protocol.Request{Type: protocol.Detail, Seq: 99999}); e.Detail == nil || e.Detail.Missing == "" {
		t.Errorf("an unknown line: %+v", e.Detail)
	}
}

// ^C typed at the terminal interrupts a program that never ends: the
// terminal sends SIGINT to the foreground group.
func TestInterruptFromTheTerminal(t *testing.T) {
	elf := program(t, "musl", "spin")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "spin", Data: elf})
	s.Handle(protocol.Request{Type: protocol.Run})
	for i := 0; i < 5; i++ {
		s.Slice()
	}
	s.Handle(protocol.Request{Type: protocol.Input, Text: "\x03"})
	var e protocol.Event
	for i := 0; s.Active() && i < 100; i++ {
		e = s.Slice()
	}
	if e.State != protocol.StateExited || e.Exit == nil || *e.Exit != 130 || !strings.Contains(e.Reason, "SIGINT") {
		t.Errorf("after ^C: state %s, exit %v (%s)", e.State, e.Exit, e.Reason)
	}
}
