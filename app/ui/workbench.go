package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// Limits that keep the page fast however much a program prints: the panels
// keep the most recent output and trace lines.
const (
	maxConsoleBytes = 256 << 10
	maxTraceLines   = 1000
)

// Workbench is the whole page: the program picker, the run controls, the
// console and the syscall trace.
type Workbench struct {
	app.Compo

	programs   []protocol.Program
	catalogErr string
	libc       string // the picker's tab: "musl" or "glibc"
	selected   string // "libc/name"

	w         *bridge
	worker    string // "starting", "ready", "failed"
	workerErr string
	canRun    bool
	note      string
	readyMs   float64
	version   string

	loaded       string // the key of the program in the worker
	gen          int    // the latest Load's number: events of older ones are stale
	state        string
	console      []protocol.Output
	consoleBytes int
	consoleCut   bool
	trace        []protocol.TraceLine
	traceFilter  string
	klog         []string // the kernel's messages (dmesg)
	showLog      bool     // the right panel shows the kernel log, not the trace
	traceTotal   int
	tracePid     int  // the pid of the first trace line
	manyPids     bool // lines of more than one process: each shows its pid
	traceCut     int
	insns        uint64
	mips         float64
	eip          uint32
	regs         *protocol.Regs // at the next instruction
	regsStop     *protocol.Regs // at the latest stop
	code         []protocol.AsmLine
	stack        []protocol.StackWord
	breaks       string                // the breakpoints as typed
	stop         string                // why the program paused by itself
	regsPrev     *protocol.Regs        // at the stop before, for highlighting
	kernel       *protocol.KernelState // the kernel panels' latest snapshot
	inspectPid   int                   // the process they show (0: the running one)
	inspectVMA   uint32                // the VMA whose pages they list (0: none)
	open         map[int]bool          // trace lines opened to their detail, by Seq
	details      map[int]*protocol.TraceDetail
	exit         *int
	reason       string
	lastErr      string
	busy         bool

	uploads   []upload
	uploadErr string
	kmods     kmodChoice // kernel modules loaded with the program (module.go)

	overrides map[string]runIO // argv, env and stdin the user changed, by program
	scenario  *scenarioRun     // a scenario's view opened here (scenario_open.go)
	shell     protocol.ShellSettings

	pauseAsked int // counts Pause clicks, to tell whether the latest was answered

	rewinding  bool   // the worker is rebuilding an earlier state (Step back)
	noStepBack string // why Step back is unavailable ("" when it is)

	updateReady   bool // a new version of the site is installed
	hadController bool // a service worker served this page (not a first visit)
}

// OnInit runs natively too (prerendering): the catalog comes from go-app's
// environment, so the prerendered page already lists the programs.
func (w *Workbench) OnInit() {
	w.programs, w.catalogErr = programsFromEnv()
	w.version = app.Getenv(EnvVersion)
	w.libc = "musl"
	w.worker = "starting"
	w.state = protocol.StateIdle
	if p := w.first(); p != nil {
		w.selected = key(*p)
	}
}

func (w *Workbench) first() *protocol.Program {
	for i := range w.programs {
		if w.programs[i].Libc == w.libc {
			return &w.programs[i]
		}
	}
	if len(w.programs) > 0 {
		return &w.programs[0]
	}
	return nil
}

func key(p protocol.Program) string { return p.Libc + "/" + p.Name }

func (w *Workbench) program(k string) *protocol.Program {
	if k == shellKey {
		p := shellProgram()
		return &p
	}
	for i := range w.programs {
		if key(w.programs[i]) == k {
			return &w.programs[i]
		}
	}
	if u := w.uploaded(k); u != nil {
		p := u.program()
		return &p
	}
	return nil
}

// OnMount starts the worker: only in the browser.
func (w *Workbench) OnMount(ctx app.Context) {
	if !app.IsClient {
		return
	}
	if sw := app.Window().Get("navigator").Get("serviceWorker"); sw.Truthy() {
		w.hadController = sw.Get("controller").Truthy()
	}
	w.loadUploads(ctx)
	w.kmods.restore(ctx) // module.go
	w.restoreShellSettings(ctx)
	if frag := ctx.Page().URL().Fragment; w.uploaded(frag) != nil {
		w.selected = frag // OnNav ran before the uploads were read
	}
	w.w = startWorker(ctx, w.onEvent, w.onWorkerFail)
	// Hooks for the browser tests and for measuring by hand in devtools.
	app.Window().Set("trapdoor", map[string]any{
		"busy": app.FuncOf(func(this app.Value, args []app.Value) any {
			ms := 2000
			if len(args) > 0 && args[0].Type() == app.TypeNumber {
				ms = args[0].Int()
			}
			ctx.Dispatch(func(ctx app.Context) { w.w.send(protocol.Request{Type: protocol.Busy, Millis: ms}) })
			return nil
		}),
	})
}

// OnAppUpdate: the service worker has installed a new version; it is
// used after a reload, which the page offers rather than forces (a program
// may be running).
func (w *Workbench) OnAppUpdate(ctx app.Context) {
	// On a first visit the new service worker claims the page, which
	// go-app also reports as an update: only a page that was already
	// served by a service worker has an older version to replace.
	w.updateReady = w.hadController && ctx.AppUpdateAvailable()
}

// restartWorker replaces a failed or stuck worker with a fresh one.
func (w *Workbench) restartWorker(ctx app.Context, e app.Event) {
	w.w.stop()
	w.worker, w.workerErr, w.canRun = "starting", "", false
	w.state, w.loaded, w.lastErr, w.busy = protocol.StateIdle, "", "", false
	w.gen = 0 // a new worker has loaded nothing
	w.w = startWorker(ctx, w.onEvent, w.onWorkerFail)
}

// OnDismount stops the worker.
func (w *Workbench) OnDismount() { w.w.stop() }

// OnNav selects the program named in the URL fragment (#musl/hello), which
// makes a link to a program shareable; the fragment never reaches a server
// or the service worker's cache keys.
func (w *Workbench) OnNav(ctx app.Context) {
	frag := ctx.Page().URL().Fragment
	if p := w.program(frag); p != nil {
		w.selected = frag
		if p.Libc != uploadLibc && p.Libc != shellLibc {
			w.libc = p.Libc
		}
	}
}

func (w *Workbench) onWorkerFail(ctx app.Context, msg string) { w.fail(msg) }

func (w *Workbench) fail(msg string) { w.worker, w.workerErr = "failed", msg }

func (w *Workbench) onEvent(ctx app.Context, e protocol.Event) {
	if e.Type == protocol.Ready {
		w.readyMs = app.Window().Get("performance").Call("now").Float()
		app.Window().Get("trapdoor").Set("readyMs", w.readyMs)
	}
	if w.apply(e) {
		ctx.Defer(func(app.Context) { scrollToEnd("console-body"); scrollToEnd("trace-body") })
	}
	if e.Detail != nil {
		ctx.Defer(func(app.Context) { showTraceLine(e.Detail.Seq) })
	}
}

// apply updates the page's state from a worker event and reports whether
// the panels got new lines (to scroll them).
func (w *Workbench) apply(e protocol.Event) bool {
	switch e.Type {
	case protocol.Ready:
		if e.Version != protocol.Version {
			w.fail(fmt.Sprintf("the emulator worker speaks protocol %d, the page %d: reload the page", e.Version, protocol.Version))
			return false
		}
		w.worker, w.canRun, w.note = "ready", e.CanRun, e.Note
		if w.breaks != "" { // a restarted worker starts without them
			w.w.send(protocol.Request{Type: protocol.Breakpoints, Breaks: splitBreaks(w.breaks)})
		}
		return false
	case protocol.Fatal:
		w.fail(e.Error)
		return false
	case protocol.Update:
		if e.Gen != w.gen {
			// Sent for a program the page has since replaced (it was
			// in flight when the user switched): none of it applies.
			return false
		}
	default:
		return false
	}
	w.busy = e.Note == "busy"
	w.rewinding, w.noStepBack = e.Rewinding, e.NoStepBack
	if e.Rewind != nil {
		w.rewind(e.Rewind)
	}
	if e.State == protocol.StateLoaded && w.state == protocol.StateRunning && e.Error == "" {
		// The answer to a load the page sent a Run (or Step over, Next
		// syscall) after: the worker has that request next, the program
		// is as good as running.
	} else if e.State != "" {
		w.state = e.State
		if e.State != protocol.StateRunning {
			w.pauseAsked++ // answered: a pending stuck check stands down
		}
	}
	for _, o := range e.Output {
		w.appendOutput(o)
	}
	if e.OutputDropped > 0 {
		w.appendOutput(protocol.Output{FD: -1, Text: fmt.Sprintf("\n… %d bytes of output not shown …\n", e.OutputDropped)})
	}
	w.appendTrace(e.Trace, e.Dropped)
	if w.klog = append(w.klog, e.Log...); len(w.klog) > maxTraceLines {
		w.klog = w.klog[len(w.klog)-maxTraceLines:]
	}
	w.insns, w.mips, w.eip, w.exit, w.reason = e.Instructions, e.MIPS, e.EIP, e.Exit, e.Reason
	w.setRegs(e.Regs, w.state)
	w.stop = e.Stop
	if e.Kernel != nil {
		w.kernel = e.Kernel
	}
	if e.Detail != nil {
		w.addDetail(e.Detail)
	}
	if w.state == protocol.StateRunning || len(e.Code) > 0 || e.Regs != nil {
		w.code, w.stack = e.Code, e.Stack // stale the moment the program runs on
	}
	if e.Error != "" && w.lastErr == "" {
		w.lastErr = e.Error // the first error of a run is the cause
	}
	return len(e.Output) > 0 || len(e.Trace) > 0 || len(e.Log) > 0
}

// rewind replaces the console, trace and kernel log with the history up
// to the earlier point a step back went to.
func (w *Workbench) rewind(r *protocol.Rewind) {
	w.console, w.consoleBytes, w.consoleCut = nil, 0, r.ConsoleCut
	for _, o := range r.Console {
		w.appendOutput(o)
	}
	w.trace, w.traceTotal, w.tracePid, w.manyPids = nil, 0, 0, false
	w.appendTrace(r.Trace, r.TraceTotal-len(r.Trace))
	w.klog = append([]string(nil), r.Log...)
	w.open, w.details = nil, nil // lines after this point are gone
}

func (w *Workbench) appendOutput(o protocol.Output) {
	if n := len(w.console) - 1; n >= 0 && w.console[n].FD == o.FD {
		w.console[n].Text += o.Text
	} else {
		w.console = append(w.console, o)
	}
	w.consoleBytes += len(o.Text)
	for w.consoleBytes > maxConsoleBytes && len(w.console) > 0 {
		cut := min(w.consoleBytes-maxConsoleBytes, len(w.console[0].Text))
		w.console[0].Text = w.console[0].Text[cut:]
		w.consoleBytes -= cut
		w.consoleCut = true
		if w.console[0].Text == "" {
			w.console = w.console[1:]
		}
	}
}

func (w *Workbench) appendTrace(lines []protocol.TraceLine, dropped int) {
	for _, l := range lines {
		if w.tracePid == 0 {
			w.tracePid = l.Pid
		}
		w.manyPids = w.manyPids || l.Pid != w.tracePid
	}
	w.trace = append(w.trace, lines...)
	w.traceTotal += len(lines) + dropped
	if over := len(w.trace) - maxTraceLines; over > 0 {
		w.trace = append([]protocol.TraceLine(nil), w.trace[over:]...)
	}
	w.traceCut = w.traceTotal - len(w.trace)
}

func scrollToEnd(id string) {
	el := app.Window().GetElementByID(id)
	if el.Truthy() {
		el.Set("scrollTop", el.Get("scrollHeight"))
	}
}

// Actions.

func (w *Workbench) selectProgram(ctx app.Context, k string) {
	w.selected = k
	u := *ctx.Page().URL()
	u.Fragment = k
	ctx.Page().ReplaceURL(&u)
}

// onProgramClick reads the program from the button: go-app keeps a reused
// element's first handler when only the closure's captured values differ,
// so a per-item closure would select the program the button showed before.
func (w *Workbench) onProgramClick(ctx app.Context, e app.Event) {
	if k := e.Get("currentTarget").Get("dataset").Get("key"); k.Truthy() {
		w.selectProgram(ctx, k.String())
	}
}

func (w *Workbench) setLibc(ctx app.Context, libc string) {
	w.libc = libc
	if p := w.program(w.selected); p == nil || p.Libc != libc && p.Libc != uploadLibc && p.Libc != shellLibc {
		if f := w.first(); f != nil {
			w.selectProgram(ctx, key(*f))
		}
	}
}

// fresh reports whether Run and Step must (re)load the selected program.
// A load in flight is not: the worker takes requests in order, so a Run
// sent now applies to the program that load brings (a second load would
// only repeat it).
func (w *Workbench) fresh() bool {
	switch w.state {
	case protocol.StateLoading, protocol.StateLoaded, protocol.StatePaused, protocol.StateRunning:
		return w.loaded != w.selected
	}
	return true
}

func (w *Workbench) load() {
	p := w.program(w.selected)
	if p == nil {
		return
	}
	w.console, w.consoleBytes, w.consoleCut = nil, 0, false
	w.trace, w.traceTotal, w.traceCut, w.klog = nil, 0, 0, nil
	w.tracePid, w.manyPids = 0, false
	w.exit, w.reason, w.lastErr, w.insns, w.mips = nil, "", "", 0, 0
	w.regs, w.regsStop, w.regsPrev, w.code, w.stack = nil, nil, nil, nil, nil
	w.kernel, w.inspectPid, w.inspectVMA, w.open, w.details = nil, 0, 0, nil, nil
	w.rewinding, w.noStepBack = false, ""
	w.loaded = w.selected
	w.state = protocol.StateLoading
	w.gen++
	io := w.io(*p)
	r := protocol.Request{Type: protocol.Load, Gen: w.gen, Name: p.Name, URL: p.URL, Args: io.Args, Env: io.Env, Stdin: io.Stdin}
	if u := w.uploaded(w.selected); u != nil {
		r.Data = u.Data
	}
	if w.selected == shellKey {
		r = w.shellLoad()
	}
	r.Files = append(r.Files, w.kmods.files()...)
	r.Files = append(r.Files, w.scenarioFiles()...) // on a scenario's machine
	w.w.send(r)
}

func (w *Workbench) run(ctx app.Context, e app.Event) {
	if w.fresh() {
		w.load()
	}
	w.state = protocol.StateRunning
	w.w.send(protocol.Request{Type: protocol.Run})
}

func (w *Workbench) pause(ctx app.Context, e app.Event) {
	w.w.send(protocol.Request{Type: protocol.Pause})
	// A worker stuck inside the emulator (a bug, not a guest loop: those
	// pause at the next instruction) never answers; offer a restart.
	w.pauseAsked++
	asked := w.pauseAsked
	ctx.After(3*time.Second, func(ctx app.Context) {
		if w.pauseAsked == asked && w.state == protocol.StateRunning && w.worker == "ready" {
			w.fail("it did not answer Pause within 3 seconds.")
		}
	})
}

func (w *Workbench) step(ctx app.Context, e app.Event) {
	if w.fresh() {
		w.load()
	}
	w.w.send(protocol.Request{Type: protocol.Step, Count: 1})
}

// stepBack goes back one instruction: the worker replays the program
// from its start (deterministic) to the instruction before.
func (w *Workbench) stepBack(ctx app.Context, e app.Event) {
	w.state, w.rewinding = protocol.StateRunning, true
	w.w.send(protocol.Request{Type: protocol.StepBack, Count: 1})
}

// backSyscall goes back to where the previous system call returned.
func (w *Workbench) backSyscall(ctx app.Context, e app.Event) {
	w.state, w.rewinding = protocol.StateRunning, true
	w.w.send(protocol.Request{Type: protocol.BackSyscall})
}

// stepBackWhy says why the step back buttons are off ("" when they are on).
func (w *Workbench) stepBackWhy() string {
	switch {
	case w.loaded == "" || w.state == protocol.StateIdle || w.state == protocol.StateLoading:
		return "Load and step a program first."
	case w.loaded != w.selected:
		return "Another program is selected: run or step it first."
	case w.noStepBack != "":
		return "Stepping back is unavailable: " + w.noStepBack + "."
	case w.insns == 0:
		return "No instruction has run yet: there is nothing to go back to."
	}
	return ""
}

func (w *Workbench) restart(ctx app.Context, e app.Event) {
	w.load() // stops at the first instruction: the worker answers "loaded"
}

func (w *Workbench) stepOver(ctx app.Context, e app.Event) {
	if w.fresh() {
		w.load()
	}
	w.state = protocol.StateRunning
	w.w.send(protocol.Request{Type: protocol.StepOver})
}

func (w *Workbench) nextSyscall(ctx app.Context, e app.Event) {
	if w.fresh() {
		w.load()
	}
	w.state = protocol.StateRunning
	w.w.send(protocol.Request{Type: protocol.NextSyscall})
}

// Rendering.

func (w *Workbench) Render() app.UI {
	// data-gen counts loads: a test tells a settled run from the one before.
	return app.Div().Class("tw").DataSet("version", w.version).DataSet("gen", w.gen).Body(
		w.renderHeader(),
		app.Div().Class("tw-main").Body(
			w.renderPicker(),
			app.Main().Class("tw-work").Body(
				w.renderControls(),
				w.renderNotice(),
				w.renderScenarioBanner(),
				app.Div().Class("tw-panels").Body(
					app.Div().Class("tw-left").Body(
						w.renderCode(),
						w.renderConsole(),
					),
					app.Div().Class("tw-right").Body(
						w.renderStack(),
						w.renderTrace(),
					),
				),
				w.renderModules(),
				w.renderKernel(),
			),
		),
	)
}

func (w *Workbench) renderHeader() app.UI {
	label, class, title := "Starting the emulator…", "pill pill-wait", "The emulator runs in a Web Worker, off the page's thread."
	switch {
	case w.worker == "failed":
		label, class, title = "Emulator failed", "pill pill-bad", w.workerErr
	case w.worker == "ready" && w.canRun:
		label, class = "Emulator ready", "pill pill-ok"
	case w.worker == "ready":
		label, class, title = "Emulator core not there yet", "pill pill-warn", w.note
	}
	if w.readyMs > 0 {
		title += fmt.Sprintf(" Ready %.0f ms after the page started loading.", w.readyMs)
	}
	return app.Header().Class("tw-header").Body(
		app.Img().Class("tw-logo").Src("/web/icon.svg").Alt(""),
		app.Div().Class("tw-brand").Body(
			app.H1().Text("Trapdoor"),
			app.P().Text("Real i386 Linux programs, run in your browser. Watch every system call cross into the kernel and back."),
		),
		app.Span().ID("worker-status").Class(class).Title(strings.TrimSpace(title)).
			DataSet("state", w.worker).Text(label),
	)
}

func (w *Workbench) renderPicker() app.UI {
	var shown []protocol.Program
	for _, p := range w.programs {
		if p.Libc == w.libc {
			shown = append(shown, p)
		}
	}
	tab := func(libc, label string) app.UI {
		c := "tab"
		if w.libc == libc {
			c += " tab-on"
		}
		return app.Button().Class(c).Text(label).Title("Programs linked with " + libc).
			OnClick(func(ctx app.Context, e app.Event) { w.setLibc(ctx, libc) })
	}
	var list app.UI
	switch {
	case w.catalogErr != "":
		list = app.P().Class("empty").Text(w.catalogErr)
	case len(w.programs) == 0:
		list = app.P().Class("empty").Text("No test programs were built into this site. Build them with `make vectors`, then rebuild the site with `make site`.")
	default:
		list = app.Ul().Class("programs").Body(
			app.Range(shown).Slice(func(i int) app.UI {
				p := shown[i]
				k := key(p)
				c := "program"
				if k == w.selected {
					c += " program-on"
				}
				return app.Li().Body(
					app.Button().Class(c).DataSet("key", k).OnClick(w.onProgramClick).
						Body(
							app.Span().Class("program-name").Text(p.Name),
							app.Span().Class("program-purpose").Text(purposeOr(p)),
						),
				)
			}),
		)
	}
	return app.Aside().Class("tw-picker").Body(
		app.Div().Class("picker-head").Body(
			app.H2().Text("Programs"),
			app.Div().Class("tabs").Body(tab("musl", "musl"), tab("glibc", "glibc")),
		),
		w.renderShellEntry(),
		app.P().Class("picker-hint").Text("Static 32-bit programs from the test suite, each built against both C libraries."),
		list,
		w.renderUploads(),
	)
}

func libcLabel(libc string) string {
	if libc == uploadLibc {
		return "yours"
	}
	if libc == shellLibc {
		return "busybox"
	}
	return libc
}

func purposeOr(p protocol.Program) string {
	if p.Purpose != "" {
		return p.Purpose
	}
	return "A test program."
}

func (w *Workbench) renderControls() app.UI {
	p := w.program(w.selected)
	idle := w.worker != "ready" || !w.canRun || p == nil
	// While a load is in flight Run, Step and the like stay on: the
	// worker applies them to the program once loaded (fresh).
	running := w.state == protocol.StateRunning
	loading := w.state == protocol.StateLoading
	var title, purpose, argv string
	if p != nil {
		title = p.Name
		purpose = purposeOr(*p)
		argv = strings.Join(quoteArgs(w.io(*p).Args, p.Name), " ")
	} else {
		title, purpose = "No program selected", "Pick a program on the left."
	}
	disabledWhy := ""
	if idle {
		disabledWhy = w.idleReason()
	}
	return app.Section().Class("tw-controls").Body(
		app.Div().Class("selected").Body(
			app.H2().ID("selected-name").Body(
				app.Text(title),
				app.If(p != nil, func() app.UI { return app.Span().Class("libc").Text(libcLabel(p.Libc)) }),
			),
			app.P().Class("selected-purpose").Text(purpose),
			app.If(argv != "", func() app.UI {
				return app.P().Class("selected-argv").Body(app.Span().Class("k").Text("argv"), app.Code().Text(argv))
			}),
		),
		app.Div().Class("buttons").Body(
			app.Button().ID("run").Class("btn btn-primary").Text("▶ Run").Title(or(disabledWhy, "Run the program at full speed")).
				Disabled(idle || running).OnClick(w.run),
			app.Button().ID("pause").Class("btn").Text("❚❚ Pause").Title(or(disabledWhy, "Stop after the current slice")).
				// On while loading too: a Run pressed then is queued in the
				// worker, and a Pause right behind it must not be lost.
				Disabled(idle || !(running || loading)).OnClick(w.pause),
			app.Button().ID("step").Class("btn").Text("↷ Step").Title(or(disabledWhy, "Execute one instruction")).
				Disabled(idle || running).OnClick(w.step),
			app.Button().ID("step-back").Class("btn").Text("↶ Step back").
				Title(or(disabledWhy, or(w.stepBackWhy(), "Go back one instruction: the emulator replays the program from its start (it is deterministic: same seed, virtual time, your input at the same instructions), so registers, memory, processes, console and trace show that earlier point"))).
				Disabled(idle || running || w.stepBackWhy() != "").OnClick(w.stepBack),
			app.Button().ID("step-over").Class("btn").Text("⤼ Step over").Title(or(disabledWhy, "Execute one instruction; a call runs until it returns")).
				Disabled(idle || running).OnClick(w.stepOver),
			app.Button().ID("next-syscall").Class("btn").Text("⇥ Next syscall").Title(or(disabledWhy, "Run until the next system call has returned")).
				Disabled(idle || running).OnClick(w.nextSyscall),
			app.Button().ID("back-syscall").Class("btn").Text("⇤ Back syscall").
				Title(or(disabledWhy, or(w.stepBackWhy(), "Go back to where the previous system call returned (where Next syscall stopped)"))).
				Disabled(idle || running || w.stepBackWhy() != "").OnClick(w.backSyscall),
			app.Button().ID("restart-program").Class("btn").Text("↺ Restart").Title(or(disabledWhy, "Load the program afresh, stopped before its first instruction")).
				Disabled(idle || running || loading || w.loaded == "").OnClick(w.restart),
		),
		// Full width: the settings would be squeezed beside the buttons.
		app.Div().Class("controls-extra").Body(
			app.If(p != nil && w.selected == shellKey, w.renderShellSettings).
				ElseIf(p != nil, func() app.UI { return w.renderIO(*p) }),
			w.renderBreaks(),
		),
		app.Dl().Class("stats").Body(
			stat("State", w.stateText(), "stat-state"),
			stat("Instructions", commas(w.insns), "stat-insns"),
			stat("Speed", mipsText(w.mips, w.insns), "stat-mips"),
			stat("EIP", eipText(w.eip), "stat-eip"),
		),
		w.renderRegs(),
	)
}

func (w *Workbench) idleReason() string {
	switch {
	case w.worker == "starting":
		return "The emulator is still starting."
	case w.worker == "failed":
		return "The emulator failed: " + w.workerErr
	case !w.canRun:
		return "This build cannot run programs yet."
	}
	return "Pick a program first."
}

func (w *Workbench) renderNotice() app.UI {
	var notes []app.UI
	switch {
	case w.worker == "failed":
		notes = append(notes, app.Div().ID("notice").Class("notice notice-bad").Body(
			app.Strong().Text("The emulator stopped. "), app.Text(w.workerErr+" "),
			app.Button().ID("restart").Class("btn btn-small").Text("Restart the emulator").OnClick(w.restartWorker)))
	case w.worker == "ready" && !w.canRun:
		notes = append(notes, app.Div().ID("notice").Class("notice notice-warn").Body(
			app.Strong().Text("Programs cannot run in this build yet. "), app.Text(w.note)))
	case w.lastErr != "":
		notes = append(notes, app.Div().ID("notice").Class("notice notice-bad").Body(
			app.Strong().Text("The program could not run. "), app.Text(w.lastErr)))
	}
	if w.updateReady {
		notes = append(notes, app.Div().ID("update").Class("notice notice-ok").Body(
			app.Strong().Text("A new version of Trapdoor is ready. "),
			app.Button().Class("btn btn-small").Text("Reload to use it").
				OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() })))
	}
	if len(notes) == 0 {
		return app.Div().ID("notice").Class("notice-none")
	}
	return app.Div().Class("notices").Body(notes...)
}

func (w *Workbench) renderConsole() app.UI {
	var body app.UI
	if len(w.console) == 0 {
		body = app.P().Class("empty").Text("The program's output will appear here as it runs: standard output in white, standard error in orange. A program without a preset stdin reads a terminal: type below, the terminal echoes it; ^D ends input, ^C interrupts. Pick a program and press Run.")
	} else {
		body = app.Pre().Class("console-text").Body(
			app.If(w.consoleCut, func() app.UI { return app.Span().Class("cut").Text("… earlier output not shown\n") }),
			app.Range(w.console).Slice(func(i int) app.UI {
				return app.Span().Class(fmt.Sprintf("fd%d", w.console[i].FD)).Text(w.console[i].Text)
			}),
		)
	}
	return app.Section().Class("panel").ID("console").Body(
		app.Div().Class("panel-head").Body(
			app.H3().Text("Console"),
			app.Span().Class("panel-meta").Text(w.exitText()),
		),
		app.Div().Class("panel-body").ID("console-body").Body(body),
		app.If(w.interactive(), w.renderTyping),
	)
}

// interactive reports whether the loaded program reads a terminal the user
// types into: it was started without a preset stdin and has not ended.
func (w *Workbench) interactive() bool {
	switch w.state {
	case protocol.StateRunning, protocol.StatePaused, protocol.StateLoaded, protocol.StateInput:
	default:
		return false
	}
	p := w.program(w.loaded)
	return p != nil && w.io(*p).Stdin == ""
}

func (w *Workbench) renderTyping() app.UI {
	c := "typing"
	hint := "Input for the program; Enter sends a line"
	if w.state == protocol.StateInput {
		c += " typing-wait"
		hint = "The program is waiting for input; Enter sends a line"
	}
	// No <form>: a submit that slipped through would reload the page.
	return app.Div().Class(c).Body(
		app.Span().Class("prompt").Text("›"),
		app.Input().ID("console-input").Class("typing-input").Type("text").
			Attr("autocomplete", "off").Attr("spellcheck", "false").Placeholder(hint).
			OnKeyDown(w.onTypingKey),
		app.Button().ID("send-eof").Class("btn btn-small").Type("button").Text("^D").
			Title("End of file: the program's next read returns 0").OnClick(w.sendEOF),
		app.Button().ID("send-intr").Class("btn btn-small").Type("button").Text("^C").
			Title("Interrupt: the terminal sends SIGINT to the foreground processes").OnClick(w.sendIntr),
	)
}

func (w *Workbench) onTypingKey(ctx app.Context, e app.Event) {
	switch {
	case e.Get("key").String() == "Enter":
		w.sendLine(ctx)
	case e.Get("ctrlKey").Bool() && e.Get("key").String() == "d":
		e.PreventDefault()
		w.sendEOF(ctx, e)
	case e.Get("ctrlKey").Bool() && e.Get("key").String() == "c" &&
		e.Get("target").Get("selectionStart").Int() == e.Get("target").Get("selectionEnd").Int():
		e.PreventDefault() // nothing selected to copy: it is the terminal's ^C
		w.sendIntr(ctx, e)
	}
}

// sendLine sends the typed line with its newline. The kernel's terminal
// echoes it into the console (unless the program turned echo off, as for a
// password).
func (w *Workbench) sendLine(ctx app.Context) {
	in := app.Window().GetElementByID("console-input")
	text := in.Get("value").String() + "\n"
	in.Set("value", "")
	w.w.send(protocol.Request{Type: protocol.Input, Text: text})
}

// sendEOF sends what is typed so far, then the terminal's ^D: a read
// returns that text, or 0 (end of file) on an empty line.
func (w *Workbench) sendEOF(ctx app.Context, e app.Event) {
	in := app.Window().GetElementByID("console-input")
	text := in.Get("value").String()
	in.Set("value", "")
	w.w.send(protocol.Request{Type: protocol.Input, Text: text, EOF: true})
	in.Call("focus")
}

// sendIntr types ^C: the terminal signals the foreground process group.
func (w *Workbench) sendIntr(ctx app.Context, e app.Event) {
	w.w.send(protocol.Request{Type: protocol.Input, Text: "\x03"})
	app.Window().GetElementByID("console-input").Call("focus")
}

func (w *Workbench) renderTrace() app.UI {
	if w.showLog {
		return w.renderLog()
	}
	var body app.UI
	if len(w.trace) == 0 {
		body = app.Div().Class("empty").Body(
			app.P().Text("Every system call the program makes will appear here as it happens, in the format of strace:"),
			app.Pre().Class("trace-example").Body(traceLine(`write(1, "hello, world\n", 13) = 13`)),
		)
	} else {
		shown := filterTrace(w.trace, w.traceFilter)
		body = app.Div().Class("trace-lines").Body(
			app.If(w.traceCut > 0, func() app.UI {
				return app.Div().Class("cut").Text(fmt.Sprintf("… %d earlier lines not shown", w.traceCut))
			}),
			app.If(len(shown) == 0, func() app.UI {
				return app.Div().Class("cut").Text("No line matches the filter.")
			}),
			app.Range(shown).Slice(func(i int) app.UI { return w.renderTraceLine(shown[i]) }),
		)
	}
	meta := ""
	if w.traceTotal > 0 {
		meta = fmt.Sprintf("%s calls", commas(uint64(w.traceTotal)))
	}
	return app.Section().Class("panel").ID("trace").Body(
		app.Div().Class("panel-head").Body(
			w.panelTabs(),
			app.Input().ID("trace-filter").Class("trace-filter").Type("search").
				Placeholder("filter: read write 2").Title("System call names (a prefix matches: write matches writev) and process ids").
				Attr("value", w.traceFilter).OnInput(w.onTraceFilter),
			app.Span().Class("panel-meta").Text(meta),
		),
		app.Div().Class("panel-body").ID("trace-body").Body(body),
	)
}

// traceLine highlights the call's name: "[pid 2] read(0, ...) = 5".
func traceLine(s string) app.UI {
	pre := ""
	if strings.HasPrefix(s, "[pid ") {
		if i := strings.Index(s, "] "); i > 0 {
			pre, s = s[:i+2], s[i+2:]
		}
	}
	switch {
	case strings.HasPrefix(s, "--- "): // a signal
		return app.Span().Class("sig").Text(pre + s)
	case strings.HasPrefix(s, "+++ "): // an exit
		return app.Span().Class("exit").Text(pre + s)
	}
	i := strings.IndexByte(s, '(')
	if i <= 0 || strings.ContainsAny(s[:i], " +-") {
		return app.Span().Text(pre + s)
	}
	return app.Span().Body(
		app.If(pre != "", func() app.UI { return app.Span().Class("pid").Text(pre) }),
		app.Span().Class("sc").Text(s[:i]),
		app.Text(s[i:]),
	)
}

func (w *Workbench) stateText() string {
	if w.busy {
		return "Busy (responsiveness check)"
	}
	if w.rewinding {
		return "Stepping back… (replaying the run)"
	}
	switch w.state {
	case protocol.StateIdle:
		return "Not started"
	case protocol.StateLoading:
		return "Loading…"
	case protocol.StateLoaded:
		return "Loaded"
	case protocol.StateRunning:
		return "Running"
	case protocol.StatePaused:
		if w.stop != "" {
			return "Paused: " + w.stop
		}
		return "Paused"
	case protocol.StateInput:
		return "Waiting for input"
	case protocol.StateExited:
		if strings.HasPrefix(w.reason, "killed") {
			return "Killed"
		}
		return "Exited"
	case protocol.StateFailed:
		return "Failed"
	}
	return w.state
}

func (w *Workbench) exitText() string {
	if w.exit == nil {
		return ""
	}
	if strings.Contains(w.reason, "status") {
		return w.reason
	}
	if w.reason != "" {
		return fmt.Sprintf("%s (status %d)", w.reason, *w.exit)
	}
	return fmt.Sprintf("exit status %d", *w.exit)
}

func stat(label, value, id string) app.UI {
	return app.Div().Class("stat").Body(app.Dt().Text(label), app.Dd().ID(id).Text(value))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func quoteArgs(args []string, name string) []string {
	if len(args) == 0 {
		return []string{name}
	}
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'\\$") {
			a = fmt.Sprintf("%q", a)
		}
		q[i] = a
	}
	return q
}

func commas(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mipsText shows the speed once there is enough to measure: a short
// program's few milliseconds are mostly the browser compiling code.
func mipsText(m float64, insns uint64) string {
	if m <= 0 || insns < 10_000_000 {
		return "–"
	}
	return fmt.Sprintf("%.1f MIPS", m)
}

func eipText(eip uint32) string {
	if eip == 0 {
		return "–"
	}
	return fmt.Sprintf("%08x", eip)
}

func (w *Workbench) onTraceFilter(ctx app.Context, e app.Event) {
	w.traceFilter = e.Get("target").Get("value").String()
}

// filterTrace keeps the lines matching any word of the filter: a number is
// a process id, anything else a prefix of the system call's name. Signal
// and exit lines have no name: a pid filter keeps them, a name filter not.
func filterTrace(lines []protocol.TraceLine, filter string) []protocol.TraceLine {
	words := strings.FieldsFunc(filter, func(r rune) bool { return r == ' ' || r == ',' })
	if len(words) == 0 {
		return lines
	}
	var out []protocol.TraceLine
	for _, l := range lines {
		for _, wd := range words {
			if pid, err := strconv.Atoi(wd); err == nil && l.Pid == pid ||
				l.Name != "" && strings.HasPrefix(l.Name, wd) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// panelTabs switch the right panel between the trace and the kernel log.
func (w *Workbench) panelTabs() app.UI {
	tab := func(id, label string, on bool, show bool) app.UI {
		c := "ptab"
		if on {
			c += " ptab-on"
		}
		return app.Button().ID(id).Class(c).Text(label).
			OnClick(func(ctx app.Context, e app.Event) { w.showLog = show })
	}
	return app.Div().Class("ptabs").Body(
		tab("tab-trace", "System calls", !w.showLog, false),
		tab("tab-log", fmt.Sprintf("Kernel log (%d)", len(w.klog)), w.showLog, true),
	)
}

func (w *Workbench) renderLog() app.UI {
	var body app.UI
	if len(w.klog) == 0 {
		body = app.P().Class("empty").Text("The kernel's own messages (what dmesg shows) will appear here: a segfault, a process killed for running out of memory or time.")
	} else {
		body = app.Div().Class("trace-lines").Body(
			app.Range(w.klog).Slice(func(i int) app.UI {
				return app.Div().Class("trace-line klog").Text(w.klog[i])
			}),
		)
	}
	return app.Section().Class("panel").ID("trace").Body(
		app.Div().Class("panel-head").Body(w.panelTabs()),
		app.Div().Class("panel-body").ID("trace-body").Body(body),
	)
}
