package machine

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"trapdoor/core/scenario"
	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// scenarioLoad is the Load the page sends to open a scenario's view: the
// step's program, the scenario and the vectors it names.
func scenarioLoad(t *testing.T, file, step string, edit func(*scenario.Scenario)) (protocol.Request, *scenario.Scenario) {
	t.Helper()
	data, err := os.ReadFile("../../testvectors/scenarios/" + file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(sc)
	}
	spec, _ := json.Marshal(protocol.ScenarioMachine{Scenario: string(scenario.Marshal(sc)), Step: step})
	r := protocol.Request{Type: protocol.Load, Files: []protocol.File{{Path: protocol.ScenarioMachineFile, Data: spec}},
		// The workbench's own settings give way to the scenario's.
		Msgbox: "keep", Profile: "default"}
	for _, v := range sc.Vectors(func(string) bool { return false }) {
		dir := "../../testvectors/bin/"
		if strings.HasPrefix(v, "modules/") {
			dir = "../../testvectors/"
		}
		b, err := os.ReadFile(dir + v)
		if err != nil {
			t.Skipf("test vector not built: %v", err)
		}
		r.Files = append(r.Files, protocol.File{Path: protocol.ScenarioVectorDir + v, Data: b})
	}
	return r, sc
}

// INFO0940's view of get_info: the console and trace start with set_param
// and fork, then get_info reads the statistics they left.
func TestScenarioMachineINFO0940(t *testing.T) {
	r, _ := scenarioLoad(t, "info0940-cow-stats.json", "", nil)
	r.Name, r.Data = "test", program(t, "musl", "test")
	r.Args = []string{"./test", "-N", "-o", "get_info", "-p", "fork"}
	// The load runs set_param and fork: its event carries their lines.
	loaded := session.New(Start, nil, "").Handle(r)
	var before, beforeTrace strings.Builder
	for _, x := range loaded.Output {
		before.WriteString(x.Text)
	}
	for _, l := range loaded.Trace {
		beforeTrace.WriteString(l.Text + "\n")
	}
	if !strings.HasPrefix(before.String(), "pf_set_param performed successfully.\n") || !strings.Contains(beforeTrace.String(), "pf_set_param(") {
		t.Fatalf("the load showed %q and\n%s\nwant set_param's line and call first", before.String(), beforeTrace.String())
	}
	// Then get_info runs and reads the statistics they left.
	out, tr, last := run(t, r)
	if !strings.HasPrefix(out, "Number of VMA      : ") || strings.Contains(out, "pf_set_param") {
		t.Errorf("get_info printed %q", out)
	}
	if !strings.Contains(tr, "pf_get_info(") || strings.Contains(tr, "pf_set_param(") || strings.Contains(tr, "pf_cleanup(") {
		t.Errorf("trace: want get_info's pf_get_info only (no earlier step's call, no later step's pf_cleanup):\n%s", tr)
	}
	if last.State != protocol.StateExited || last.Exit == nil || *last.Exit != 0 {
		t.Errorf("get_info ended %+v", last)
	}
}

// The msgbox policy and what the steps before the shown one put in the
// box are in the kernel panels as soon as the step is loaded.
func TestScenarioMachineMsgbox(t *testing.T) {
	for _, tc := range []struct {
		policy string
		depth  int
	}{{"truncate", 1}, {"keep", 2}} {
		r, _ := scenarioLoad(t, "dm510-put-get.json", "get", func(sc *scenario.Scenario) { sc.Machine.Msgbox = tc.policy })
		r.Name, r.Data = "msgbox_get", program(t, "musl", "msgbox_get")
		r.Args = []string{"./msgbox_get", "100"} // the step's, as the page sends them
		s := session.New(Start, nil, "")
		e := s.Handle(r)
		if e.State != protocol.StateLoaded || e.Kernel == nil || e.Kernel.Msgbox == nil {
			t.Fatalf("%s: load: %+v", tc.policy, e)
		}
		if b := e.Kernel.Msgbox; b.Policy != tc.policy || b.Depth != tc.depth {
			t.Errorf("%s: the panel shows policy %q, depth %d; want depth %d", tc.policy, b.Policy, b.Depth, tc.depth)
		}
		var cmd []string
		for _, p := range e.Kernel.Procs {
			if p.OnCPU {
				cmd = p.Cmdline
			}
		}
		if strings.Join(cmd, " ") != "./msgbox_get 100" {
			t.Errorf("%s: the process on the CPU runs %q; want the get step's msgbox_get 100", tc.policy, cmd)
		}
	}
}

func TestScenarioMachineModules(t *testing.T) {
	r, _ := scenarioLoad(t, "dm510-module.json", "", nil)
	r.Name, r.Data = "fork_test", program(t, "musl", "fork_test")
	s := session.New(Start, nil, "")
	e := s.Handle(r)
	if e.State != protocol.StateLoaded || e.Kernel == nil || e.Kernel.Modules == nil || len(e.Kernel.Modules.Modules) != 1 {
		t.Fatalf("load: want msgbox loaded, got %+v", e.Kernel)
	}
}

func TestScenarioMachineErrors(t *testing.T) {
	r, _ := scenarioLoad(t, "info0940-cow-stats.json", "", nil)
	// Another program than the step's: its symbols would lie.
	r.Name, r.Data = "hello", program(t, "musl", "hello")
	s := session.New(Start, nil, "")
	if e := s.Handle(r); e.State != protocol.StateFailed || !strings.Contains(e.Error, "is not the program the scenario's step runs (/bin/test)") {
		t.Errorf("another program: %+v", e)
	}
	// A vector missing from the load.
	r, _ = scenarioLoad(t, "info0940-cow-stats.json", "", nil)
	r.Name, r.Data, r.Files = "test", program(t, "musl", "test"), r.Files[:1]
	if e := s.Handle(r); e.State != protocol.StateFailed || !strings.Contains(e.Error, `unknown test vector "musl/test"`) {
		t.Errorf("no vectors: %+v", e)
	}
	r.Files = []protocol.File{{Path: protocol.ScenarioMachineFile, Data: []byte(`{"scenario": "{"}`)}}
	if e := s.Handle(r); e.State != protocol.StateFailed || !strings.Contains(e.Error, "the scenario is not valid") {
		t.Errorf("bad scenario: %+v", e)
	}
}

// The workbench's argv for the shown step replaces the scenario's: get_info
// of a name set_param did not track fails, on the same machine.
func TestScenarioMachineArgs(t *testing.T) {
	r, _ := scenarioLoad(t, "info0940-cow-stats.json", "", nil)
	r.Name, r.Data = "test", program(t, "musl", "test")
	r.Args = []string{"./test", "-N", "-o", "get_info", "-p", "ls"}
	out, _, last := run(t, r)
	if last.Exit == nil || *last.Exit != 1 || strings.Contains(out, "Number of VMA") {
		t.Errorf("get_info -p ls printed %q and ended %+v; want a failure (ls is not tracked)", out, last.Exit)
	}
}
