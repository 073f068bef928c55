package ui

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

func newWorkbench(t *testing.T) *Workbench {
	t.Setenv(EnvPrograms, ProgramsEnv([]protocol.Program{
		{Name: "hello", Libc: "musl", URL: "programs/musl/hello", Purpose: "The smallest useful program."},
		{Name: "args", Libc: "musl", URL: "programs/musl/args", Purpose: "Process start.", Args: []string{"argv0", "a b"}},
		{Name: "hello", Libc: "glibc", URL: "programs/glibc/hello", Purpose: "The smallest useful program."},
	}))
	w := &Workbench{}
	w.OnInit()
	return w
}

func html(w *Workbench) string { return app.HTMLString(w.Render()) }

func TestFirstRenderExplainsEveryPanel(t *testing.T) {
	w := newWorkbench(t)
	h := html(w)
	for _, want := range []string{
		"Starting the emulator", "The smallest useful program.", `data-key="musl/args"`,
		"output will appear here", "Every system call",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("first render lacks %q", want)
		}
	}
	if strings.Contains(h, `data-key="glibc/hello"`) {
		t.Error("the glibc program is listed under the musl tab")
	}
	w.selected = "musl/args"
	if h := html(w); !strings.Contains(h, "argv0 &#34;a b&#34;") {
		t.Error("the selected program's argv is not shown, quoted")
	}
}

func TestEventsFillThePanels(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	st := 0
	scroll := w.apply(protocol.Event{Type: protocol.Update, State: protocol.StateExited, Exit: &st, Reason: "exited with status 0",
		Output: []protocol.Output{{FD: 1, Text: "hello, "}, {FD: 1, Text: "world\n"}, {FD: 2, Text: "oops\n"}},
		Trace: []protocol.TraceLine{{Pid: 1, Name: "write", Text: `write(1, "hello, world\n", 13) = 13`},
			{Pid: 2, Name: "exit_group", Text: "[pid 2] exit_group(0) = ?"}}, Instructions: 12345})
	if !scroll {
		t.Error("new lines should scroll the panels")
	}
	h := html(w)
	for _, want := range []string{"Emulator ready", `<span class="fd1">hello, world`, `<span class="fd2">oops`,
		`<span class="sc">write</span>`, `<span class="pid">[pid 2] </span>`, "12,345", "exited with status 0", "2 calls"} {
		if !strings.Contains(h, want) {
			t.Errorf("render lacks %q", want)
		}
	}
}

func TestPanelsKeepTheirLimits(t *testing.T) {
	w := newWorkbench(t)
	big := strings.Repeat("x", 100<<10)
	for i := 0; i < 5; i++ {
		w.apply(protocol.Event{Type: protocol.Update, Output: []protocol.Output{{FD: 1, Text: big}}})
	}
	if w.consoleBytes > maxConsoleBytes || !w.consoleCut {
		t.Errorf("console holds %d bytes (cut %v)", w.consoleBytes, w.consoleCut)
	}
	lines := make([]protocol.TraceLine, 700)
	for i := range lines {
		lines[i] = protocol.TraceLine{Pid: 1, Name: "getpid", Text: "getpid() = 1"}
	}
	w.apply(protocol.Event{Type: protocol.Update, Trace: lines})
	w.apply(protocol.Event{Type: protocol.Update, Trace: lines, Dropped: 50})
	if len(w.trace) != maxTraceLines || w.traceTotal != 1450 || w.traceCut != 450 {
		t.Errorf("trace %d lines, total %d, cut %d", len(w.trace), w.traceTotal, w.traceCut)
	}
}

func TestWorkerFailureIsShown(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	w.apply(protocol.Event{Type: protocol.Fatal, Error: "the emulator worker stopped."})
	if h := html(w); !strings.Contains(h, "worker stopped") || !strings.Contains(h, `id="restart"`) {
		t.Error("a dead worker is not reported with a way to restart it")
	}
	w = newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version + 1})
	if h := html(w); !strings.Contains(h, "reload the page") || !strings.Contains(h, "Emulator failed") {
		t.Error("a stale worker is not reported")
	}
}

func TestTraceFilter(t *testing.T) {
	lines := []protocol.TraceLine{
		{Pid: 1, Name: "write", Text: "write"}, {Pid: 1, Name: "writev", Text: "writev"},
		{Pid: 2, Name: "read", Text: "read"}, {Pid: 2, Text: "+++ exited with 0 +++"},
	}
	for filter, want := range map[string]int{"": 4, "write": 2, "writev": 1, "2": 2, "read, 1": 3, "nothing": 0} {
		if got := len(filterTrace(lines, filter)); got != want {
			t.Errorf("filter %q kept %d lines, want %d", filter, got, want)
		}
	}
}

func TestRegistersShowChanges(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	r1 := protocol.Regs{GPR: [8]uint32{1, 2, 3, 4, 0xbffff000, 0, 0, 0}, EIP: 0x8049000, EFLAGS: 0x246}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Regs: &r1})
	if h := html(w); !strings.Contains(h, "bffff000") || !strings.Contains(h, "PF ZF IF") || strings.Contains(h, "reg-changed") {
		t.Error("first stop: registers and flags not shown, or shown as changed")
	}
	r2 := r1
	r2.GPR[0], r2.EIP = 7, 0x8049002
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Regs: &r2})
	if n := strings.Count(html(w), "reg-changed"); n != 2 {
		t.Errorf("%d registers marked changed after a step that changed eax and eip, want 2", n)
	}
	r3 := r2
	r3.GPR[1] = 9
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StateRunning, Regs: &r3})
	if strings.Contains(html(w), "bffff000") {
		t.Error("registers shown while running (they would be stale at once)")
	}
	// Paused again: changes are against the previous stop (r2), not
	// against what was seen while running.
	r4 := r3
	r4.EIP = 0x8049010
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Regs: &r4})
	if n := strings.Count(html(w), "reg-changed"); n != 2 {
		t.Errorf("%d registers marked changed after running on, want ecx and eip", n)
	}
}

func TestCodeViewWhileStopped(t *testing.T) {
	w := newWorkbench(t)
	r := protocol.Regs{EIP: 0x8049000}
	code := []protocol.AsmLine{{Addr: 0x8049000, Where: "main", Bytes: "55", Text: "push %ebp"}, {Addr: 0x8049001, Bytes: "89e5", Text: "mov %esp,%ebp"}}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Regs: &r, Code: code})
	if h := html(w); !strings.Contains(h, "push %ebp") || !strings.Contains(h, "asm-eip") || !strings.Contains(h, ">main<") {
		t.Error("code view missing while paused")
	}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StateRunning, Regs: &r})
	if strings.Contains(html(w), "push %ebp") {
		t.Error("stale code view shown while running")
	}
}

// Events still in flight for a program the user has replaced (switching
// programs while one is paused or stepping) must not show on the new one.
func TestEventsOfAReplacedProgramAreDropped(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	w.selected = "musl/hello"
	w.load()
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused, Instructions: 5_000_000})
	w.selected = "musl/args"
	w.load()
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen - 1, State: protocol.StatePaused, Instructions: 5_000_001,
		Log: []string{"old machine"}, Trace: []protocol.TraceLine{{Pid: 1, Name: "brk", Text: "brk(NULL) = 0x804c000"}},
		Output: []protocol.Output{{FD: 1, Text: "old output"}}})
	if w.state != protocol.StateLoading || w.insns != 0 || len(w.klog) != 0 || len(w.trace) != 0 || len(w.console) != 0 {
		t.Errorf("a stale event changed the page: state %s, %d instructions, log %q, trace %v, console %v",
			w.state, w.insns, w.klog, w.trace, w.console)
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateLoaded})
	if w.state != protocol.StateLoaded {
		t.Errorf("the new program's event was not applied: state %s", w.state)
	}
}

// The kernel panels render what the worker's snapshot holds.
func TestKernelPanels(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	k := &protocol.KernelState{Pid: 2,
		Procs: []protocol.Proc{{Pid: 1, State: "S", Comm: "cow", Cmdline: []string{"cow"}}, {Pid: 2, PPid: 1, State: "R", Comm: "cow", OnCPU: true}},
		Space: &protocol.Space{CoWFaults: 3, VMAs: []protocol.VMA{{Start: 0x08051000, End: 0x08053000, Perms: "rw-p", Kind: "file",
			Name: "/bin/cow", Pages: 2, Present: 2, Shared: 2, CoWFaults: 1}}},
		PagesOf: 0x08051000, Pages: []protocol.Page{{Addr: 0x08051000, Present: true, Frame: 0xd, Refs: 2}, {Addr: 0x08052000}},
		Signals: &protocol.Signals{Blocked: []string{"SIGINT"}, Actions: []protocol.SigAction{{Name: "SIGUSR1", Handler: 0x8049000, Where: "on_usr1", Flags: []string{"SA_RESTART"}}}},
		Msgbox:  &protocol.Msgbox{Depth: 1, Messages: []string{`"hi"`}, Used: 18, Limit: 1 << 20, Policy: "keep"}}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Kernel: k})
	w.inspectVMA = 0x08051000
	h := html(w)
	for _, want := range []string{`data-pid="2"`, "[cow]", "Address space of 2 (cow)", "08051000-08053000", "vma-shared",
		"pg pg-shared", "×2", "pg pg-absent", "08049000 on_usr1", "SA_RESTART", "SIGINT", `top `, `&#34;hi&#34;`, "depth 1, 18 of 1048576 bytes, keep"} {
		if !strings.Contains(h, want) {
			t.Errorf("kernel panels lack %q", want)
		}
	}
	many := make([]protocol.Proc, 250)
	for i := range many {
		many[i] = protocol.Proc{Pid: i + 1, State: "S", Comm: "forkbomb"}
	}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StatePaused, Kernel: &protocol.KernelState{Pid: 1, Procs: many}})
	if h := html(w); !strings.Contains(h, "… 50 more processes") || strings.Count(h, `class="proc `) != maxProcRows {
		t.Errorf("a table of 250 processes should show %d rows and say how many more", maxProcRows)
	}
}
