package scenario

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// watched collects what a prepared machine does.
type watched struct {
	out    bytes.Buffer
	events trace.Recorder
	kernel *kernel.Kernel
}

func (w *watched) watch() Watch {
	return Watch{
		Kernel: func(k *kernel.Kernel) { w.kernel = k },
		Output: func(fd int, b []byte) { w.out.Write(b) },
		Trace:  &w.events,
	}
}

// runToEnd runs a prepared machine until every process has ended.
func runToEnd(t *testing.T, p *Prepared) {
	t.Helper()
	for range 1000 {
		done, _, err := p.Kernel.RunFor(1 << 40)
		if err != nil {
			t.Fatalf("RunFor: %v", err)
		}
		if done {
			return
		}
	}
	t.Fatal("the machine did not end")
}

func called(events []trace.Event, name string) bool {
	for _, e := range events {
		if e.Kind == trace.Syscall && e.Name == name {
			return true
		}
	}
	return false
}

// INFO0940: the view of get_info starts on the kernel that set_param and
// fork left, and runs there as grading runs it.
func TestPrepareINFO0940(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/info0940-cow-stats.json")
	var w watched
	p, err := Prepare(sc, diskResolver{}, "", w.watch())
	if err != nil {
		t.Fatal(err)
	}
	if p.Kernel != w.kernel || sc.Steps[p.Step].ID != "get_info" || p.Program != "/bin/test" {
		t.Fatalf("prepared step %d (%s) running %s; want get_info's /bin/test on the watched kernel", p.Step, sc.Steps[p.Step].ID, p.Program)
	}
	if len(p.Earlier) != 2 || p.Earlier[0].Status != 0 || p.Earlier[1].Status != 0 || !p.Earlier[1].Ended {
		t.Fatalf("earlier steps %+v; want set_param and fork, both ended with 0", p.Earlier)
	}
	// set_param ran as call 385 (test -N): only the scenario's linux-4.15
	// profile has that number.
	stats := p.Kernel.PFStats()
	if len(stats) != 1 || stats[0].Name != "fork" || stats[0].CoWFaults < 37 {
		t.Fatalf("pf state %+v; want \"fork\" tracked with fork's 37 CoW faults or more", stats)
	}
	if p.Kernel.Tasks[p.Pid] == nil || p.Kernel.Tasks[p.Pid].Comm != "test" {
		t.Fatalf("pid %d is not get_info's test", p.Pid)
	}
	if !called(w.events.Events, "pf_set_param") || called(w.events.Events, "pf_get_info") {
		t.Fatal("the watch should have seen set_param's call and nothing of get_info yet")
	}
	if p.Ended() {
		t.Fatal("the shown step has ended before running")
	}
	// What get_info prints on the prepared machine is what grading saw.
	before := w.out.Len()
	runToEnd(t, p)
	got := w.out.String()[before:]
	rep := Run(sc, diskResolver{})
	want := rep.Steps[p.Step].Stdout
	if got != want || !strings.HasPrefix(got, "Number of VMA") {
		t.Fatalf("get_info printed %q on the prepared machine; grading saw %q", got, want)
	}
	if !p.Ended() {
		t.Fatal("the shown step has not ended")
	}
	// Later steps are not run: fork is still tracked.
	if len(p.Kernel.PFStats()) != 1 {
		t.Fatal("cleanup ran on the prepared machine")
	}
}

// The machine's settings: the msgbox policy decides what the steps before
// the shown one leave in the box.
func TestPrepareMsgboxPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   kernel.MsgboxPolicy
		depth  int
	}{
		// get-small reads 9 bytes of "operating systems": truncate drops
		// the message, keep leaves it on the stack.
		{"truncate", kernel.MsgboxTruncate, 1},
		{"keep", kernel.MsgboxKeep, 2},
	} {
		sc := loadScenario(t, "../../testvectors/scenarios/dm510-put-get.json")
		sc.Machine.Msgbox = tc.policy
		p, err := Prepare(sc, diskResolver{}, "get", Watch{})
		if err != nil {
			t.Fatal(err)
		}
		box := p.Kernel.Msgbox()
		if box.Policy != tc.want || box.Depth != tc.depth {
			t.Errorf("%s: policy %v depth %d; want %v and %d", tc.policy, box.Policy, box.Depth, tc.want, tc.depth)
		}
		if len(p.Earlier) != 3 {
			t.Errorf("%s: %d earlier steps, want put1, put2, get-small", tc.policy, len(p.Earlier))
		}
	}
}

// Profile, seed and modules reach the prepared kernel.
func TestPrepareMachine(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/dm510-module.json")
	p, err := Prepare(sc, diskResolver{}, "", Watch{})
	if err != nil {
		t.Fatal(err)
	}
	mods := p.Kernel.Modules()
	if len(mods) != 1 || mods[0].Name != "msgbox" || sc.Steps[p.Step].ID != "fork_test" {
		t.Fatalf("modules %+v at step %d; want msgbox loaded, fork_test shown", mods, p.Step)
	}
	// The earlier steps ran against the module.
	if len(p.Earlier) != 2 || p.Earlier[0].Status != 0 {
		t.Fatalf("earlier steps %+v", p.Earlier)
	}
	info := loadScenario(t, "../../testvectors/scenarios/info0940-cow-stats.json")
	q, err := Prepare(info, diskResolver{}, "set_param", Watch{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Step != 0 || len(q.Earlier) != 0 || len(q.Kernel.PFStats()) != 0 {
		t.Fatalf("set_param: step %d, %d earlier, pf %+v; want a fresh machine", q.Step, len(q.Earlier), q.Kernel.PFStats())
	}
}

func TestPrepareErrors(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/hello.json")
	if _, err := Prepare(sc, diskResolver{}, "nope", Watch{}); err == nil || !strings.Contains(err.Error(), `no step "nope"`) {
		t.Errorf("unknown step: %v", err)
	}
	if _, err := Prepare(sc, MapResolver{}, "", Watch{}); err == nil || !strings.Contains(err.Error(), "unknown test vector") {
		t.Errorf("missing vector: %v", err)
	}
	w := mustParse(t, `{"trapdoor_scenario": 1, "files": [{"path": "/bin/hello", "vector": "musl/hello"}],
		"steps": [{"wait": true}]}`)
	if _, err := Prepare(w, diskResolver{}, "", Watch{}); err == nil || !strings.Contains(err.Error(), "no command") {
		t.Errorf("only a wait: %v", err)
	}
}

// Progress: the steps, then the checks, counted; the report is Run's.
func TestRunWithProgress(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/info0940-cow-stats.json")
	var seen []Progress
	rep := RunWith(sc, diskResolver{}, Options{Progress: func(p Progress) { seen = append(seen, p) }, ProgressEvery: 1000})
	if want := Run(sc, diskResolver{}).Marshal(); !bytes.Equal(rep.Marshal(), want) {
		t.Fatal("the report with progress differs from Run's")
	}
	total := len(sc.Steps) + len(sc.Checks)
	last := seen[len(seen)-1]
	if last.Done != total || last.Total != total || last.Instructions != rep.Instructions {
		t.Fatalf("last progress %+v; want %d of %d at %d instructions", last, total, total, rep.Instructions)
	}
	stepLine := regexp.MustCompile(`^step 2 of 5: \./fork \(fork\)$`)
	var steps, checks, within int
	for i, p := range seen {
		if i > 0 && p.Done < seen[i-1].Done {
			t.Fatalf("progress went back: %+v after %+v", p, seen[i-1])
		}
		switch {
		case stepLine.MatchString(p.Doing) && p.Done == 1:
			steps++
		case strings.HasPrefix(p.Doing, "check "):
			checks++
		}
		if i > 0 && p.Doing == seen[i-1].Doing && p.Instructions > seen[i-1].Instructions {
			within++
		}
	}
	if steps == 0 || checks != len(sc.Checks) || within == 0 {
		t.Fatalf("%d calls at step 2, %d at checks, %d within a step; want some, %d, some", steps, checks, within, len(sc.Checks))
	}
}

func TestVectors(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/info0940-cow-stats.json")
	none := func(string) bool { return false }
	if got := strings.Join(sc.Vectors(none), " "); got != "musl/test musl/fork" {
		t.Errorf("no program supplied: %s", got)
	}
	if got := strings.Join(sc.Vectors(func(s string) bool { return s == "fork" }), " "); got != "musl/test" {
		t.Errorf("fork supplied: %s", got)
	}
	mod := loadScenario(t, "../../testvectors/scenarios/dm510-module.json")
	if got := strings.Join(mod.Vectors(none), " "); got != "musl/testit musl/msgbox_abuse musl/fork_test modules/msgbox.o" {
		t.Errorf("module scenario: %s", got)
	}
	// Exactly what a run fetches: a resolver with only these runs it.
	vecs := map[string][]byte{}
	for _, v := range sc.Vectors(none) {
		b, err := diskResolver{}.Vector(v)
		if err != nil {
			t.Fatal(err)
		}
		vecs[v] = b
	}
	if rep := Run(sc, MapResolver{Vectors: vecs}); rep.Error != "" || !rep.Passed {
		t.Errorf("with the listed vectors only: %s", rep.Marshal())
	}
}
