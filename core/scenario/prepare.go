package scenario

import (
	"fmt"

	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// Watch receives what a prepared machine does from its first
// instruction on: the earlier steps' output and trace too, so whoever
// shows the machine shows how it got there.
type Watch struct {
	// Kernel is called once the kernel exists, before the files are
	// installed and anything runs (a place to hook its log).
	Kernel func(k *kernel.Kernel)
	// Output gets what processes write to descriptors 1 and 2.
	Output func(fd int, b []byte)
	// Trace gets every trace event.
	Trace trace.Sink
}

// Prepared is the machine a scenario prepares for one of its steps: the
// kernel configured as the scenario's machine says, its files installed,
// its modules loaded, every step before the shown one run as grading
// runs it, and the shown step's command started, stopped before its
// first instruction. The page's workbench starts on it; RunFor goes on.
type Prepared struct {
	Kernel *kernel.Kernel
	// Step is the index of the shown step in the scenario's Steps.
	Step int
	// Pid is its command's process; Program the guest path it runs.
	Pid     int
	Program string
	// Earlier says how the steps before it ended (their output is what
	// the watch saw: nothing is kept here).
	Earlier []StepResult

	g *grader
}

// ViewStep is the index of the step the view shows: the step the view
// names, or the first command when it names none; -1 when the scenario
// has no command.
func (sc *Scenario) ViewStep() int {
	for i, s := range sc.Steps {
		if s.Wait {
			continue
		}
		if sc.View == nil || sc.View.Step == "" || s.ID == sc.View.Step {
			return i
		}
	}
	return -1
}

// Prepare builds the machine the scenario prepares for step (a step's
// id; "" for the view's step, ViewStep). w sees everything the machine
// does, from the first step on. Guest behaviour never panics it; a
// scenario whose earlier steps cannot run gives the error the report
// would.
func Prepare(sc *Scenario, r Resolver, step string, w Watch) (p *Prepared, err error) {
	i := sc.ViewStep()
	if step != "" {
		if i = sc.stepNamed(step); i < 0 {
			return nil, fmt.Errorf("the scenario has no step %q", step)
		}
	}
	if i < 0 || sc.Steps[i].Wait {
		return nil, fmt.Errorf("the scenario has no command to show")
	}
	g := newGrader(sc)
	// Nothing is graded: keep no output or trace for checks (a long
	// earlier step would pile up events the watch has seen already).
	g.watch, g.record = w, false
	defer func() {
		if x := recover(); x != nil {
			p, err = nil, fmt.Errorf("internal error preparing the scenario's machine: %v", x)
		}
	}()
	if err := g.prepare(r); err != nil {
		return nil, err
	}
	g.ran = true
	for j := 0; j < i; j++ {
		if err := g.runStep(j); err != nil {
			return nil, err
		}
	}
	started, err := g.startStep(i)
	if err != nil {
		return nil, err
	}
	sr := g.steps[i]
	if !started {
		return nil, fmt.Errorf("step %d (%s): %s", i+1, sr.res.Command, sr.res.Error)
	}
	p = &Prepared{Kernel: g.k, Step: i, Pid: sr.root, Program: sr.step.guestPath(), g: g}
	for _, e := range g.steps[:i] {
		p.Earlier = append(p.Earlier, e.res)
	}
	return p, nil
}

// Ended reports whether the shown step's command has ended.
func (p *Prepared) Ended() bool { return p.g.steps[p.Step].res.Ended }

func (sc *Scenario) stepNamed(id string) int {
	for i := range sc.Steps {
		if sc.Steps[i].ID == id {
			return i
		}
	}
	return -1
}
