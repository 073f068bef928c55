package scenario

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"trapdoor/core/kernel"
)

// stateValue is one kind of kernel state a check can sample.
type stateValue struct {
	// needsName: the value is about a tracked process name (pf_*).
	needsName bool
	// perProcess: the value is about the check's step's process, which
	// must be alive when sampled.
	perProcess bool
	read       func(k *kernel.Kernel, t *kernel.Task, name string) (value, error)
}

// stateValues are the values a state check may name, as data.
var stateValues = map[string]stateValue{
	// The message box (DM510).
	"msgbox_depth": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		return numValue(int64(k.Msgbox().Depth)), nil
	}},
	"msgbox_bytes": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		return numValue(int64(k.Msgbox().BytesUsed)), nil
	}},
	"msgbox_top": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		m := k.Msgbox().Messages
		if len(m) == 0 {
			return value{}, fmt.Errorf("the message box is empty")
		}
		return textValue(string(m[0])), nil
	}},
	// CoW fault statistics of a tracked name (INFO0940).
	"pf_cow_faults": {needsName: true, read: func(k *kernel.Kernel, _ *kernel.Task, name string) (value, error) {
		s, err := pfStat(k, name)
		if err != nil {
			return value{}, err
		}
		return numValue(s.CoWFaults), nil
	}},
	"pf_vmas": {needsName: true, read: func(k *kernel.Kernel, _ *kernel.Task, name string) (value, error) {
		s, err := pfStat(k, name)
		if err != nil {
			return value{}, err
		}
		return numValue(int64(len(s.VMAs))), nil
	}},
	"pf_tracked": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		var names []string
		for _, s := range k.PFStats() {
			names = append(names, s.Name)
		}
		return value{num: int64(len(names)), hasNum: true, text: strings.Join(names, " ")}, nil
	}},
	// Kernel modules: what module code holds and did.
	"module_heap_bytes": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		b, _ := k.ModuleHeap()
		return numValue(int64(b)), nil
	}},
	"module_allocations": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		_, n := k.ModuleHeap()
		return numValue(int64(n)), nil
	}},
	"module_oopses": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		return numValue(int64(k.ModuleStats().Oopses)), nil
	}},
	"module_lockups": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		return numValue(int64(k.ModuleStats().Lockups)), nil
	}},
	"module_calls": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		return numValue(int64(k.ModuleStats().Calls)), nil
	}},
	"modules": {read: func(k *kernel.Kernel, _ *kernel.Task, _ string) (value, error) {
		var names []string
		for _, m := range k.Modules() {
			names = append(names, m.Name)
		}
		return value{num: int64(len(names)), hasNum: true, text: strings.Join(names, " ")}, nil
	}},
	// A step's process (NCTU, INFO0940).
	"cmdline": {perProcess: true, read: func(k *kernel.Kernel, t *kernel.Task, _ string) (value, error) {
		n, errno := k.FS.Resolve(nil, "/proc/"+strconv.Itoa(t.Tgid)+"/cmdline", true)
		if errno != 0 || n.Generate == nil {
			return value{}, fmt.Errorf("/proc/%d/cmdline: %v", t.Tgid, errno)
		}
		// As ps shows it: arguments separated by blanks.
		return textValue(strings.TrimRight(strings.ReplaceAll(string(n.Generate()), "\x00", " "), " ")), nil
	}},
	"comm": {perProcess: true, read: func(_ *kernel.Kernel, t *kernel.Task, _ string) (value, error) {
		return textValue(t.Comm), nil
	}},
	"vma_count": {perProcess: true, read: func(_ *kernel.Kernel, t *kernel.Task, _ string) (value, error) {
		return numValue(int64(len(t.MM.VMAs))), nil
	}},
	"cow_faults": {perProcess: true, read: func(_ *kernel.Kernel, t *kernel.Task, _ string) (value, error) {
		return numValue(int64(t.MM.CoWFaults)), nil
	}},
}

func stateValueNames() []string { return slices.Sorted(maps.Keys(stateValues)) }

func pfStat(k *kernel.Kernel, name string) (*kernel.PFStat, error) {
	for _, s := range k.PFStats() {
		if s.Name == name {
			return &s, nil
		}
	}
	return nil, fmt.Errorf("%q is not tracked (no pf_set_param for it, or pf_cleanup ran)", name)
}

// probe samples a state check's value: at the first event matching At,
// or after the last step.
type probe struct {
	check  int
	step   int  // the check's step, -1 for none
	main   bool // only events of the step's own process
	at     *CallPattern
	done   bool
	got    value
	err    error
	atLine string // the trace line the sample was taken at
}

// preparedProbes makes a probe for every state check with an At.
func (g *grader) preparedProbes() {
	for i := range g.sc.Checks {
		c := &g.sc.Checks[i]
		if c.State == nil || c.State.At == nil {
			continue
		}
		g.probes = append(g.probes, &probe{check: i, step: g.stepIndex(c.Step), at: c.State.At, main: c.State.Process == "main"})
	}
}

func (g *grader) stepIndex(id string) int {
	if id == "" {
		return -1
	}
	return g.sc.stepNamed(id)
}

// sample reads the check's value now, about the process that made the
// event (pid).
func (p *probe) sample(g *grader, line string, pid int) {
	p.done, p.atLine = true, line
	p.got, p.err = g.readState(g.sc.Checks[p.check].State, p.step, pid)
}

// readState reads a state value from the machine as it is now. A
// per-process value is about pid when it is given (the process whose
// event triggered the sample), else about the step's command.
func (g *grader) readState(s *StateCheck, step, pid int) (value, error) {
	v := stateValues[s.Value]
	var t *kernel.Task
	if v.perProcess {
		sr := g.steps[step]
		if pid <= 0 {
			if sr.root < 0 {
				return value{}, fmt.Errorf("step %s never started a process", sr.res.ID)
			}
			if sr.res.Ended {
				return value{}, fmt.Errorf("process %d (step %s) had ended when the value was sampled; sample it while it runs (\"at\")", sr.root, sr.res.ID)
			}
			pid = sr.root
		}
		t = g.k.Tasks[pid]
		if t == nil || t.MM == nil {
			return value{}, fmt.Errorf("process %d had ended when the value was sampled; sample it while it runs (\"at\")", pid)
		}
	}
	return v.read(g.k, t, s.Name)
}
