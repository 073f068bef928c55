package scenario

import (
	"fmt"
	"io"
	"path"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// Limits that keep a report bounded whatever a program does.
const (
	// MaxOutputBytes is how much of each step's stdout and stderr is kept
	// for checks (the byte counts in the report stay exact).
	MaxOutputBytes = 1 << 20
	// MaxTraceEvents is how many trace events are kept for checks.
	MaxTraceEvents = 500_000
)

// defaultEnv is the environment every command starts with (the CLI's).
var defaultEnv = []string{"PATH=/bin:/usr/bin", "HOME=/home/user", "LANG=C"}

// Run grades sc: it builds one machine, installs the files, runs the
// steps in order and evaluates every check. It never panics on guest
// behaviour; a scenario that cannot run (a missing program) gives a
// report whose Error says why, with every check failed.
func Run(sc *Scenario, r Resolver) *Report { return RunWith(sc, r, Options{}) }

// RunWith is Run with options: a progress callback for a page that shows
// how far grading is. The report does not depend on them.
func RunWith(sc *Scenario, r Resolver, opt Options) (rep *Report) {
	g := newGrader(sc)
	g.progress = newProgress(sc, opt)
	// A bug here must not take down the page's worker or the grader:
	// it becomes a failed report that says so.
	defer func() {
		if p := recover(); p != nil {
			rep = &Report{Format: ReportFormat, Scenario: sc.ID, Title: sc.Title, ScenarioSHA256: g.report.ScenarioSHA256,
				Error: fmt.Sprintf("internal error in the grader: %v", p), Checks: []CheckResult{}}
		}
	}()
	if err := g.prepare(r); err != nil {
		g.report.Error = err.Error()
	} else {
		g.preparedProbes()
		if err := g.runSteps(); err != nil {
			g.report.Error = err.Error()
		}
	}
	g.grade()
	g.progress.finish(g.report.Instructions)
	return g.report
}

func newGrader(sc *Scenario) *grader {
	g := &grader{sc: sc, owner: map[int]int{}, record: true, waiting: -1}
	g.report = &Report{Format: ReportFormat, Scenario: sc.ID, Title: sc.Title, ScenarioSHA256: sha256Hex(Marshal(sc))}
	return g
}

// grader is one run of a scenario.
type grader struct {
	sc     *Scenario
	report *Report
	k      *kernel.Kernel
	steps  []*stepRun
	// owner maps a pid to the index of the step whose command it is or
	// descends from.
	owner map[int]int
	// all is the whole run's output, both streams interleaved.
	all      capture
	events   []ownedEvent
	traceCut bool
	probes   []*probe
	// waiting is the step a foreground run waits for (-1: none).
	waiting int
	ran     bool
	// record: keep output and trace events for the checks (a prepared
	// machine stops keeping them once the workbench has it).
	record bool
	// watch also gets what the machine does (Prepare's caller).
	watch    Watch
	progress *progress
}

type ownedEvent struct {
	step int // -1: no step's
	ev   trace.Event
}

// stepRun is a step's state during the run.
type stepRun struct {
	step           *Step
	res            StepResult
	root           int
	stdin          []byte
	stdout, stderr capture
}

// capture keeps up to MaxOutputBytes of a stream and counts all of it.
type capture struct {
	b []byte
	n int
}

func (c *capture) write(p []byte) {
	c.n += len(p)
	if room := MaxOutputBytes - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
}

// prepare builds the machine and installs the files.
func (g *grader) prepare(r Resolver) error {
	cfg, err := machineConfig(g.sc.Machine)
	if err != nil {
		return err
	}
	cfg.Stdin = kernel.Stdio{R: stdinReader{g}, Kind: kernel.StdioPipe}
	cfg.Stdout = kernel.Stdio{W: outWriter{g, 1}, Kind: kernel.StdioPipe}
	cfg.Stderr = kernel.Stdio{W: outWriter{g, 2}, Kind: kernel.StdioPipe}
	cfg.Trace = sink{g}
	type install struct {
		path string
		data []byte
		mode uint32
	}
	var files []install
	for i := range g.sc.Files {
		f := &g.sc.Files[i]
		data, source, err := fileContents(f, r)
		if err != nil {
			return err
		}
		mode := f.Mode
		if mode == 0 {
			mode = 0644
			if f.Text == nil && (f.Vector != "" || f.Slot != "") {
				mode = 0755
			}
		}
		files = append(files, install{f.Path, data, mode})
		g.report.Files = append(g.report.Files, FileResult{Path: f.Path, Source: source, Bytes: len(data), SHA256: sha256Hex(data)})
	}
	var modules [][]byte
	for i := range g.sc.Modules {
		m := &g.sc.Modules[i]
		data, source, err := fileContents(m.asFile(), r)
		if err != nil {
			return err
		}
		modules = append(modules, data)
		g.report.Files = append(g.report.Files, FileResult{Path: "module " + m.Name, Source: source, Bytes: len(data), SHA256: sha256Hex(data)})
	}
	g.k = kernel.New(cfg)
	if g.watch.Kernel != nil {
		g.watch.Kernel(g.k)
	}
	for _, f := range files {
		if err := g.checkParents(f.path); err != nil {
			return err
		}
		g.k.FS.WriteFile(f.path, f.data, f.mode)
	}
	if err := g.loadModules(modules); err != nil {
		return err
	}
	for i := range g.sc.Steps {
		s := &g.sc.Steps[i]
		sr := &stepRun{step: s, root: -1, stdin: []byte(s.Stdin)}
		sr.res.ID = s.ID
		if s.Wait {
			sr.res.Command = "wait"
		} else {
			sr.res.Command = strings.Join(append([]string{s.argv0()}, s.Args...), " ")
		}
		g.steps = append(g.steps, sr)
	}
	return nil
}

// loadModules configures module support and loads the modules in order.
func (g *grader) loadModules(objs [][]byte) error {
	m := g.sc.Machine
	if m.ModuleFaultSleeps {
		if err := g.k.SetModuleFaultSleeps(true); err != nil {
			return fmt.Errorf("machine: module_fault_sleeps: %v", err)
		}
	}
	if m.ModuleLockup != 0 {
		if err := g.k.SetModuleLockup(m.ModuleLockup); err != nil {
			return fmt.Errorf("machine: module_lockup: %v", err)
		}
	}
	for i, obj := range objs {
		name := g.sc.Modules[i].Name
		if _, err := g.k.LoadModule(name, obj); err != nil {
			return fmt.Errorf("module %s: %v", name, err)
		}
	}
	return nil
}

// checkParents refuses a file whose directory is a file already (the
// kernel's tree builder expects directories there).
func (g *grader) checkParents(p string) error {
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		n, errno := g.k.FS.Resolve(nil, dir, true)
		if errno == 0 && !n.IsDir() {
			return fmt.Errorf("%s: %s is not a directory", p, dir)
		}
	}
	return nil
}

func (s *Step) argv0() string {
	if s.Argv0 != "" {
		return s.Argv0
	}
	return s.Run
}

// env is the step's environment: the defaults with its entries added or
// replaced.
func (s *Step) env() []string {
	env := append([]string(nil), defaultEnv...)
	for _, e := range s.Env {
		name, _, _ := strings.Cut(e, "=")
		replaced := false
		for i, d := range env {
			if strings.HasPrefix(d, name+"=") {
				env[i], replaced = e, true
			}
		}
		if !replaced {
			env = append(env, e)
		}
	}
	return env
}

// runSteps runs the steps: a command in the foreground runs until it
// ends (processes started in the background go on alongside), a wait
// runs until every process has ended, and so does the end of the list.
func (g *grader) runSteps() error {
	g.ran = true
	for i := range g.steps {
		g.progress.step(i)
		if err := g.runStep(i); err != nil {
			return err
		}
	}
	return g.runUntil(-1)
}

// runStep runs step i: a wait, or its command (to its end unless it is a
// background one).
func (g *grader) runStep(i int) error {
	sr := g.steps[i]
	if sr.step.Wait {
		return g.runUntil(-1)
	}
	started, err := g.startStep(i)
	if err != nil || !started || sr.step.Background {
		return err
	}
	return g.runUntil(i)
}

// startStep starts step i's command without running an instruction of
// it. A command that cannot start is the step's result (status 127), not
// an error: started is false.
func (g *grader) startStep(i int) (started bool, err error) {
	sr := g.steps[i]
	argv := append([]string{sr.step.argv0()}, sr.step.Args...)
	others := g.running()
	t, err := g.k.Start(sr.step.guestPath(), argv, sr.step.env())
	if err != nil {
		sr.res.Error = startError(err)
		sr.res.Ended, sr.res.Status = true, 127
		return false, nil
	}
	if others != "" && g.k.Current() == t {
		// The kernel put the new process on the CPU over a live one
		// without saving it: it cannot start a process while others
		// run, and carrying on would grade a corrupted machine.
		return false, fmt.Errorf("step %d (%s) starts while %s still runs: background runs are not supported yet by this kernel (kernel.Start cannot add a process to a running machine)", i+1, sr.res.Command, others)
	}
	sr.root = t.Pid
	sr.res.Pid = t.Pid
	g.owner[t.Pid] = i
	return true, nil
}

// running names the step commands still running ("" for none).
func (g *grader) running() string {
	var names []string
	for _, sr := range g.steps {
		if sr.root >= 0 && !sr.res.Ended {
			names = append(names, sr.res.Command)
		}
	}
	return strings.Join(names, ", ")
}

// startError words a Start failure without the guest path twice.
func startError(err error) string {
	return fmt.Sprintf("cannot start: %v", err)
}

// runUntil runs the machine until step i's command has ended (i >= 0)
// or every process has (i < 0).
func (g *grader) runUntil(i int) error {
	g.waiting = i
	defer func() { g.waiting = -1 }()
	stalled := 0
	for i < 0 || !g.steps[i].res.Ended {
		before := g.k.Instructions()
		// A run split into RunFor calls behaves as one (kernel.RunFor):
		// the chunks only give a progress callback its turns.
		done, _, err := g.k.RunFor(g.progress.chunk())
		if err != nil {
			return fmt.Errorf("emulator failure: %v", err)
		}
		if done {
			break
		}
		// RunFor also returns when nothing can run without outside help
		// (console input): nobody will give it, so do not spin.
		if g.k.Instructions() == before {
			if stalled++; stalled > 2 {
				return fmt.Errorf("the machine stopped making progress (waiting for input nobody gives)")
			}
		} else {
			stalled = 0
		}
		g.progress.ran(g.k.Instructions())
	}
	if i >= 0 && !g.steps[i].res.Ended {
		return fmt.Errorf("step %d (%s): the machine stopped before the command ended", i+1, g.steps[i].res.Command)
	}
	return nil
}

// ownerOf is the step a pid belongs to: its own, or its parent's.
func (g *grader) ownerOf(pid int) int {
	for depth := 0; depth < 64; depth++ {
		if s, ok := g.owner[pid]; ok {
			return s
		}
		t := g.k.Tasks[pid]
		if t == nil || t.PPid == 0 || t.PPid == pid {
			return -1
		}
		s, ok := g.owner[t.PPid]
		if ok {
			g.owner[pid] = s
			return s
		}
		pid = t.PPid
	}
	return -1
}

// currentStep is the step of the task on the CPU (the one making the
// system call that reads or writes the console).
func (g *grader) currentStep() int {
	t := g.k.Current()
	if t == nil {
		return -1
	}
	return g.ownerOf(t.Tgid)
}

// stdinReader gives each step's processes that step's stdin.
type stdinReader struct{ g *grader }

func (r stdinReader) Read(p []byte) (int, error) {
	s := r.g.currentStep()
	if s < 0 || len(r.g.steps[s].stdin) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.g.steps[s].stdin)
	r.g.steps[s].stdin = r.g.steps[s].stdin[n:]
	return n, nil
}

// outWriter collects stdout (fd 1) or stderr (fd 2) per step.
type outWriter struct {
	g  *grader
	fd int
}

func (w outWriter) Write(p []byte) (int, error) {
	if w.g.watch.Output != nil {
		w.g.watch.Output(w.fd, p)
	}
	if !w.g.record {
		return len(p), nil
	}
	w.g.all.write(p)
	if s := w.g.currentStep(); s >= 0 {
		if w.fd == 1 {
			w.g.steps[s].stdout.write(p)
		} else {
			w.g.steps[s].stderr.write(p)
		}
	}
	return len(p), nil
}

// sink records trace events with their step, notes how step commands
// end, and samples kernel state for probes.
type sink struct{ g *grader }

func (s sink) Event(e *trace.Event) {
	g := s.g
	step := g.ownerOf(e.Pid)
	if e.Kind == trace.Syscall && e.Errno == 0 && e.Ret > 0 && (e.Name == "fork" || e.Name == "vfork" || e.Name == "clone") {
		if _, known := g.owner[int(e.Ret)]; !known && step >= 0 {
			g.owner[int(e.Ret)] = step
		}
	}
	if g.watch.Trace != nil {
		g.watch.Trace.Event(e)
	}
	switch {
	case !g.record:
	case len(g.events) < MaxTraceEvents:
		g.events = append(g.events, ownedEvent{step, *e})
	default:
		g.traceCut = true
	}
	if (e.Kind == trace.Exited || e.Kind == trace.Killed) && step >= 0 && g.steps[step].root == e.Tid {
		r := &g.steps[step].res
		r.Ended = true
		if e.Kind == trace.Exited {
			r.Status = e.Status
		} else {
			r.Status, r.Signal = 128+e.Signal, abi.SignalName(e.Signal)
		}
		if g.waiting == step {
			g.k.Yield()
		}
	}
	for _, p := range g.probes {
		if !p.done && (p.step < 0 || p.step == step) && (!p.main || e.Pid == g.steps[step].root) {
			if ok, _ := p.at.matchEvent(e); ok {
				p.sample(g, renderer.Render(e), e.Pid)
			}
		}
	}
}
