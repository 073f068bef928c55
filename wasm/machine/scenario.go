package machine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"trapdoor/core/kernel"
	"trapdoor/core/scenario"
	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// A scenario's view in the workbench: a load whose files hold
// protocol.ScenarioMachineFile starts on the machine the scenario
// prepares (core/scenario.Prepare, the code `trapdoor grade` runs): its
// kernel settings, files and modules, the steps before the shown one run
// (their output, trace and log lines come first), and the shown step's
// command stopped before its first instruction.

// scenarioSpec finds the scenario a load carries, if any.
func scenarioSpec(files []session.File) ([]byte, bool) {
	for _, f := range files {
		if f.Path == protocol.ScenarioMachineFile {
			return f.Data, true
		}
	}
	return nil, false
}

// startScenario builds p's machine from the scenario in its files. p's
// ELF must be the program the shown step runs: the workbench takes its
// symbols from it. p's argv, environment and stdin are the shown step's.
func startScenario(p session.Program, spec []byte) (session.Machine, error) {
	var sm protocol.ScenarioMachine
	if err := json.Unmarshal(spec, &sm); err != nil {
		return nil, fmt.Errorf("the scenario's machine: %v", err)
	}
	sc, err := scenario.Parse([]byte(sm.Scenario))
	if err != nil {
		return nil, fmt.Errorf("the scenario is not valid: %v", err)
	}
	shownStep(sc, sm.Step, p)
	r := scenario.MapResolver{Vectors: map[string][]byte{}, Programs: sm.Programs}
	for _, f := range p.Files {
		if name, ok := strings.CutPrefix(f.Path, protocol.ScenarioVectorDir); ok {
			r.Vectors[name] = f.Data
		}
	}
	m := &Machine{}
	m.tr = tracer{m: m, out: p.Trace}
	output := func(fd int, b []byte) {
		if !m.closed {
			p.Output(fd, b)
		}
	}
	prep, err := scenario.Prepare(sc, r, sm.Step, scenario.Watch{
		Kernel: func(k *kernel.Kernel) {
			m.k = k
			if p.Log != nil {
				k.Log.OnLine = func(l kernel.LogLine) {
					if !m.closed {
						p.Log(l.String())
					}
				}
			}
		},
		Output: func(fd int, b []byte) { fdWriter{fd, output}.Write(b) },
		Trace:  &m.tr,
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the scenario's machine: %v", err)
	}
	if n, errno := prep.Kernel.FS.Resolve(nil, prep.Program, true); errno != 0 || !bytes.Equal(n.Data, p.ELF) {
		return nil, fmt.Errorf("%s is not the program the scenario's step runs (%s)", p.Name, prep.Program)
	}
	return m, nil
}

// shownStep gives the shown step the workbench's argv, environment and
// stdin (the scenario's own unless the user changed them there).
func shownStep(sc *scenario.Scenario, id string, p session.Program) {
	i := sc.ViewStep()
	for j := range sc.Steps {
		if id != "" && sc.Steps[j].ID == id {
			i = j
		}
	}
	if i < 0 || len(p.Args) == 0 {
		return
	}
	st := &sc.Steps[i]
	st.Argv0, st.Args = p.Args[0], p.Args[1:]
	st.Env, st.Stdin = p.Env, string(p.Stdin)
}
