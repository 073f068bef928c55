package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vectorDir is where the committed test programs are.
const vectorDir = "../../testvectors/bin"

// diskResolver reads vectors from the repository and slot programs from
// a map of vector names.
type diskResolver struct {
	slots map[string]string // slot -> vector name
}

func (d diskResolver) Vector(name string) ([]byte, error) {
	p := filepath.Join(vectorDir, name)
	if strings.HasPrefix(name, "modules/") {
		p = filepath.Join(vectorDir, "..", name)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("unknown test vector %q", name)
	}
	return b, err
}

func (d diskResolver) Program(slot string) ([]byte, bool, error) {
	v, ok := d.slots[slot]
	if !ok {
		return nil, false, nil
	}
	b, err := d.Vector(v)
	return b, true, err
}

func mustParse(t *testing.T, s string) *Scenario {
	t.Helper()
	sc, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sc
}

func loadScenario(t *testing.T, path string) *Scenario {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sc
}

// checkByID finds a check's result.
func checkByID(t *testing.T, r *Report, id string) CheckResult {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in the report", id)
	return CheckResult{}
}

func TestParseErrors(t *testing.T) {
	const hello = `"files": [{"path": "/bin/hello", "vector": "musl/hello"}], "steps": [{"id": "h", "run": "hello"}]`
	for _, tc := range []struct{ name, in, want string }{
		{"empty", ``, "empty input"},
		{"not json", "{\n  \"trapdoor_scenario\": 1,\n  oops\n}", "line 3, column 3: invalid character 'o'"},
		{"unclosed", `{"trapdoor_scenario": 1, "steps": [`, "unexpected end of input"},
		{"trailing", `{"trapdoor_scenario": 1, ` + hello + `} {}`, "more after the scenario's closing brace"},
		{"no version", `{"steps": []}`, `no "trapdoor_scenario" version field`},
		{"future version", `{"trapdoor_scenario": 7}`, "unknown format version 7 (this Trapdoor reads version 1)"},
		{"version string", `{"trapdoor_scenario": "1"}`, "must be a version number"},
		{"unknown field", "{\"trapdoor_scenario\": 1,\n \"stpes\": []}", `line 2, column 2: unknown field "stpes"`},
		{"wrong type", "{\"trapdoor_scenario\": 1,\n \"steps\": {}}", "line 2, column 11: steps must be a list"},
		{"no steps", `{"trapdoor_scenario": 1}`, "at least one step"},
		{"missing program", `{"trapdoor_scenario": 1, "steps": [{"run": "ls"}]}`, "no file in files provides /bin/ls (missing program)"},
		{"relative run", `{"trapdoor_scenario": 1, "steps": [{"run": "bin/ls"}]}`, "a guest path starts with /"},
		{"two sources", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "vector": "musl/hello", "text": "x"}], "steps": [{"run": "a"}]}`, "exactly one of vector, slot, text and base64"},
		{"bad vector name", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "vector": "../../etc/passwd"}], "steps": [{"run": "a"}]}`, "name it by its path under testvectors/bin"},
		{"bad pin", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "a", "sha256": "abc"}], "steps": [{"run": "a"}]}`, "64 lower-case hex digits"},
		{"check names nothing", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"points": 1}]}`, "checks[0]: a check names exactly one of exit, stdout, stderr, trace, log and state (this one names 0)"},
		{"check names two", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"step": "h", "exit": {"status": 0}, "stdout": {"contains": ["x"]}}]}`, "this one names 2"},
		{"check unknown step", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"step": "nope", "exit": {"status": 0}}]}`, `step "nope" is not defined (steps: h)`},
		{"exit without step", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"exit": {"status": 0}}]}`, "name the step"},
		{"empty text check", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"stdout": {}}]}`, "give equals, contains"},
		{"bad regex", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"stdout": {"regex": "("}}]}`, "bad regex"},
		{"empty trace", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"trace": {"calls": []}}]}`, "calls is empty"},
		{"pattern names nothing", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"trace": {"calls": [{}]}}]}`, "give name (a system call) or signal"},
		{"bad signal", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"trace": {"calls": [{"signal": "SIGFOO"}]}}]}`, `unknown signal "SIGFOO"`},
		{"empty matcher", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"trace": {"calls": [{"name": "write", "ret": {}}]}}]}`, "empty object matches nothing"},
		{"float matcher", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"trace": {"calls": [{"name": "write",` + "\n" + `  "ret": 1.5}]}}]}`, "line 2, column 10: matcher: 1.5 is not a whole number"},
		{"unknown state", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"state": {"value": "load", "expect": 1}}]}`, `unknown value "load"`},
		{"pf without name", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"state": {"value": "pf_cow_faults", "expect": 1}}]}`, "needs name"},
		{"cmdline without step", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"state": {"value": "cmdline", "expect": "x"}}]}`, "give step"},
		{"log with step", `{"trapdoor_scenario": 1, ` + hello + `, "checks": [{"step": "h", "log": {"contains": "x"}}]}`, "drop step"},
		{"bad profile", `{"trapdoor_scenario": 1, "machine": {"profile": "win95"}, ` + hello + `}`, `unknown profile "win95"`},
		{"bad policy", `{"trapdoor_scenario": 1, "machine": {"msgbox": "drop"}, ` + hello + `}`, `unknown msgbox policy "drop"`},
		{"bad panel", `{"trapdoor_scenario": 1, ` + hello + `, "view": {"panel": "radio"}}`, `unknown panel "radio"`},
		{"view unknown step", `{"trapdoor_scenario": 1, ` + hello + `, "view": {"step": "x"}}`, `view: step "x" is not defined or is a wait`},
		{"module without source", `{"trapdoor_scenario": 1, ` + hello + `, "modules": [{"name": "m"}]}`, "modules[0] (m): give vector, slot or base64"},
		{"module slot clash", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "s"}], "modules": [{"name": "m", "slot": "s"}], "steps": [{"run": "a"}]}`, `slot "s" is used twice`},
		{"check on a wait", `{"trapdoor_scenario": 1, ` + hello[:len(hello)-1] + `, {"id": "w", "wait": true}], "checks": [{"step": "w", "exit": {"status": 0}}]}`, `step "w" is a wait`},
		{"duplicate step", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/hello", "vector": "musl/hello"}], "steps": [{"id": "h", "run": "hello"}, {"id": "h", "run": "hello"}]}`, `id "h" is used twice`},
		{"wait with run", `{"trapdoor_scenario": 1, ` + hello[:len(hello)-1] + `, {"wait": true, "run": "hello"}]}`, "a wait step has nothing else"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse accepted %s", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// TestRunErrors: problems only a run finds give a report with an error
// and every check failed, never a panic.
func TestRunErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown vector", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "vector": "musl/nonesuch"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`,
			`unknown test vector "musl/nonesuch"`},
		{"empty slot", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "student"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`,
			"slot student: missing program: supply one (--program student=PATH)"},
		{"pin mismatch", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "s", "default": "musl/hello", "sha256": "` + strings.Repeat("0", 64) + `"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`,
			"the scenario pins 0000"},
		{"not a module", `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "vector": "musl/hello"}], "modules": [{"name": "m", "vector": "musl/hello"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`,
			"module m: m: module: not a relocatable object (ET_EXEC): compile with -c"},
		{"file under a file", `{"trapdoor_scenario": 1, "files": [{"path": "/etc/passwd/x", "text": "x"}, {"path": "/bin/a", "vector": "musl/hello"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`,
			"/etc/passwd is not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(mustParse(t, tc.in), diskResolver{})
			if !strings.Contains(r.Error, tc.want) {
				t.Fatalf("report error %q\nwant it to contain %q", r.Error, tc.want)
			}
			if r.Passed || r.Points != 0 || len(r.Checks) != 1 || r.Checks[0].Passed || r.Checks[0].Error == "" {
				t.Fatalf("a scenario that did not run must fail every check: %s", r.Marshal())
			}
		})
	}
}

// TestNotAnELF: a slot filled with something that is not a program
// fails the step with status 127 and a reason, like a shell.
func TestNotAnELF(t *testing.T) {
	sc := mustParse(t, `{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "s"}], "steps": [{"id": "a", "run": "a"}],
		"checks": [{"id": "exit", "step": "a", "exit": {"status": 0}}]}`)
	r := Run(sc, MapResolver{Programs: map[string][]byte{"s": []byte("#!/bin/sh\necho hi\n")}})
	c := checkByID(t, r, "exit")
	if c.Passed || !strings.Contains(c.Got, "cannot start") || r.Steps[0].Status != 127 {
		t.Fatalf("want a failed start, got %+v / %+v", c, r.Steps[0])
	}
}

func TestShippedScenariosPass(t *testing.T) {
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	if len(paths) == 0 {
		t.Fatal("no scenarios in testvectors/scenarios")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			sc := loadScenario(t, p)
			r := Run(sc, diskResolver{})
			if !r.Passed {
				t.Fatalf("%s fails:\n%s", p, r.Marshal())
			}
			if r.Points != r.MaxPoints || r.MaxPoints == 0 {
				t.Fatalf("points %d of %d", r.Points, r.MaxPoints)
			}
			// Determinism: a second run gives the same bytes.
			if again := Run(loadScenario(t, p), diskResolver{}); !bytes.Equal(again.Marshal(), r.Marshal()) {
				t.Fatalf("two runs differ:\n%s\n---\n%s", r.Marshal(), again.Marshal())
			}
			// The canonical form is a fixed point: it parses to itself.
			canon := Marshal(sc)
			if !bytes.Equal(Marshal(mustParse(t, string(canon))), canon) {
				t.Fatal("canonical JSON does not reparse to itself")
			}
		})
	}
}

// TestWrongProgram puts another vector in hello's slot: the checks about
// its output and stderr fail with evidence, the others still pass.
func TestWrongProgram(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/hello.json")
	r := Run(sc, diskResolver{slots: map[string]string{"hello": "musl/crash_segv"}})
	if r.Passed {
		t.Fatalf("crash_segv passed hello:\n%s", r.Marshal())
	}
	exit := checkByID(t, r, "exit")
	if exit.Passed || exit.Got != "killed by SIGSEGV" {
		t.Errorf("exit check: %+v", exit)
	}
	out := checkByID(t, r, "output")
	if out.Passed || !strings.Contains(out.Detail, `line 1: want "hello, world\n"`) {
		t.Errorf("output check: %+v", out)
	}
	if r.Files[0].Source != "slot hello" {
		t.Errorf("file source %q", r.Files[0].Source)
	}
}

func TestTraceMatchers(t *testing.T) {
	sc := mustParse(t, `{"trapdoor_scenario": 1,
		"files": [{"path": "/bin/hello", "vector": "musl/hello"}],
		"steps": [{"id": "h", "run": "hello"}],
		"checks": [
			{"id": "ioctl-errno", "step": "h", "trace": {"calls": [{"name": "ioctl", "args": [1, "TIOCGWINSZ"], "ret": "ENOTTY"}]}},
			{"id": "ioctl-raw", "step": "h", "trace": {"calls": [{"name": "ioctl", "ret": -25}]}},
			{"id": "string-arg", "step": "h", "trace": {"calls": [{"name": "writev", "args": [1, {"contains": "hello, world"}]}]}},
			{"id": "wrong-fd", "step": "h", "trace": {"calls": [{"name": "writev", "args": [2]}]}},
			{"id": "missing-call", "step": "h", "trace": {"calls": [{"name": "msgbox_put"}]}},
			{"id": "exact", "step": "h", "trace": {"order": "exact", "calls": [{"name": "writev"}, {"name": "writev"}, {"name": "writev"}, {"name": "exit_group"}]}},
			{"id": "exact-broken", "step": "h", "trace": {"order": "exact", "calls": [{"name": "ioctl"}, {"name": "writev"}, {"name": "exit_group"}]}},
			{"id": "each-count", "step": "h", "trace": {"order": "each", "calls": [{"name": "writev", "count": 3}, {"name": "exit_group", "count": {"le": 1}}]}},
			{"id": "each-count-wrong", "step": "h", "trace": {"order": "each", "calls": [{"name": "writev", "count": 2}]}}
		]}`)
	r := Run(sc, diskResolver{})
	for id, want := range map[string]bool{"ioctl-errno": true, "ioctl-raw": true, "string-arg": true, "wrong-fd": false,
		"missing-call": false, "exact": true, "exact-broken": false, "each-count": true, "each-count-wrong": false} {
		if c := checkByID(t, r, id); c.Passed != want {
			t.Errorf("%s: passed=%v, want %v\n%+v", id, c.Passed, want, c)
		}
	}
	wrong := checkByID(t, r, "wrong-fd")
	if len(wrong.Nearest) == 0 || !strings.Contains(wrong.Nearest[0], "<- argument 1: want 2, got 1") {
		t.Errorf("wrong-fd evidence: %+v", wrong)
	}
	if c := checkByID(t, r, "missing-call"); !strings.Contains(c.Detail, "the trace has no such msgbox_put call") {
		t.Errorf("missing-call detail: %q", c.Detail)
	}
	if c := checkByID(t, r, "exact-broken"); !strings.Contains(c.Detail, "the longest run matched 2 calls") || len(c.Nearest) != 1 {
		t.Errorf("exact-broken evidence: %+v", c)
	}
}

// TestWrongProgramsFailTheRightChecks fills each course scenario's slot
// with another program: exactly the checks about what that program does
// differently fail.
func TestWrongProgramsFailTheRightChecks(t *testing.T) {
	for _, tc := range []struct {
		scenario, slot, vector string
		fail                   []string
	}{
		{"dm510-testit-keep", "testit", "musl/hello", []string{"verdict", "puts", "lifo"}},
		{"dm510-abuse-truncate", "msgbox_abuse", "musl/testit", []string{"verdict", "null", "wild", "kernel-address", "negative", "too-small", "memory-cap", "still-works"}},
		{"dm510-fork-test-keep", "fork_test", "musl/testit", []string{"verdict", "concurrent"}},
		{"nctu-sayhello", "sayhello", "musl/sayhello2", []string{"call", "log", "dmesg"}},
		{"nctu-sayhello2", "sayhello2", "musl/sayhello", []string{"greeting", "copy", "errors", "log"}},
		{"nctu-kernel-signal", "sigkernel", "musl/signals", []string{"exit", "verdict", "kernel-sends", "errors"}},
		{"nctu-change-cmdline", "change_cmdline", "musl/procfs", []string{"verdict", "original", "new", "ps", "call", "cmdline-before", "cmdline-after", "errors"}},
		{"nctu-strace-ls", "ls", "musl/hello", []string{"output", "syscalls"}},
		{"info0940-cow-stats", "fork", "musl/hello", []string{"faults-counted"}},
		// The 2019 report's interrupt-only locking loses messages when
		// kernel-mode faults sleep.
		{"dm510-module", "module", "modules/msgbox_irq.o", []string{"abuse", "abuse-verdict", "fork_test"}},
		// A module that does not provide the calls: the built-in ones answer.
		{"nctu-module", "module", "modules/msgbox.o", []string{"module-served"}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			sc := loadScenario(t, "../../testvectors/scenarios/"+tc.scenario+".json")
			r := Run(sc, diskResolver{slots: map[string]string{tc.slot: tc.vector}})
			if r.Error != "" {
				t.Fatal(r.Error)
			}
			var failed []string
			for _, c := range r.Checks {
				if !c.Passed {
					failed = append(failed, c.ID)
				}
			}
			if strings.Join(failed, " ") != strings.Join(tc.fail, " ") {
				t.Fatalf("with %s in slot %s, failed %v, want %v", tc.vector, tc.slot, failed, tc.fail)
			}
		})
	}
}

// TestBackgroundSteps: a background command runs alongside the next
// foreground one on the same machine, each keeps its own output and exit
// status, and a wait lets it finish.
func TestBackgroundSteps(t *testing.T) {
	sc := mustParse(t, `{"trapdoor_scenario": 1, "machine": {"seed": 5},
		"files": [{"path": "/bin/fork_wait", "vector": "musl/fork_wait"}, {"path": "/bin/hello", "vector": "musl/hello"}],
		"steps": [{"id": "bg", "run": "fork_wait", "background": true}, {"id": "fg", "run": "hello"}, {"wait": true}],
		"checks": [
			{"id": "bg-exit", "step": "bg", "exit": {"status": 0}},
			{"id": "bg-out", "step": "bg", "stdout": {"contains": ["fork_wait: all ok"], "not_contains": ["hello, world"]}},
			{"id": "fg-out", "step": "fg", "stdout": {"equals": "hello, world\ni386 -42 42 beef Z\ngoodbye\n"}},
			{"id": "fg-pid", "step": "fg", "trace": {"process": "main", "calls": [{"name": "set_tid_address", "ret": 2}]}}]}`)
	r := Run(sc, diskResolver{})
	if !r.Passed {
		t.Fatalf("background steps:\n%s", r.Marshal())
	}
	if again := Run(sc, diskResolver{}); !bytes.Equal(again.Marshal(), r.Marshal()) {
		t.Fatal("two runs with background steps differ")
	}
}

func TestSlotsAndGrade(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/nctu-change-cmdline.json")
	slots := sc.Slots()
	if len(slots) != 1 || slots[0].Name != "change_cmdline" || slots[0].Path != "/bin/change_cmdline" ||
		slots[0].Default != "musl/change_cmdline" || slots[0].Required || slots[0].Embedded {
		t.Fatalf("slots: %+v", slots)
	}
	if _, err := Grade([]byte(`{"trapdoor_scenario": 9}`), diskResolver{}); err == nil {
		t.Fatal("Grade accepted a future version")
	}
	data, _ := os.ReadFile("../../testvectors/scenarios/hello.json")
	r, err := Grade(data, diskResolver{})
	if err != nil || !r.Passed {
		t.Fatalf("Grade(hello): %v", err)
	}
}

// TestNativeExpectations: the outputs scenarios expect of the plain test
// vectors are their recorded native runs (testvectors/expected), not
// text typed in; re-recording the vectors must update the scenarios.
func TestNativeExpectations(t *testing.T) {
	for _, tc := range []struct{ scenario, check, expected string }{
		{"hello", "output", "musl/hello.stdout"},
		{"fork_wait", "output", "musl/fork_wait.stdout"},
		{"pipes", "output", "musl/pipes.stdout"},
		{"signals", "output", "musl/signals.stdout"},
		{"procfs", "output", "musl/procfs.stdout"},
		{"cow", "output", "musl/cow.stdout"},
		{"session", "wc-output", "musl/stdin_wc.stdout"},
		{"session", "hello-output", "musl/hello.stdout"},
		{"session", "exitcode-stderr", "musl/exitcode.stderr"},
	} {
		sc := loadScenario(t, "../../testvectors/scenarios/"+tc.scenario+".json")
		want, err := os.ReadFile("../../testvectors/expected/" + tc.expected)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range sc.Checks {
			if c.ID != tc.check {
				continue
			}
			found = true
			text := c.Stdout
			if text == nil {
				text = c.Stderr
			}
			if text == nil || text.Equals == nil || *text.Equals != string(want) {
				t.Errorf("%s: check %s does not expect exactly %s", tc.scenario, tc.check, tc.expected)
			}
		}
		if !found {
			t.Errorf("%s: no check %s", tc.scenario, tc.check)
		}
	}
}

// A student's program is as likely to be built with glibc as with musl:
// every shipped scenario whose slot defaults to a musl vector passes with
// the glibc build of the same program in that slot (glibc forks with
// clone, buffers differently and makes other calls at start-up).
func TestShippedScenariosPassWithGlibcBuilds(t *testing.T) {
	paths, err := filepath.Glob("../../testvectors/scenarios/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatal("no scenarios", err)
	}
	tried := 0
	for _, path := range paths {
		sc := loadScenario(t, path)
		for _, slot := range sc.Slots() {
			name, ok := strings.CutPrefix(slot.Default, "musl/")
			if !ok || slot.SHA256 != "" {
				continue
			}
			if _, err := os.Stat("../../testvectors/bin/glibc/" + name); err != nil {
				continue
			}
			tried++
			t.Run(filepath.Base(path)+"/"+slot.Name, func(t *testing.T) {
				r := Run(sc, diskResolver{slots: map[string]string{slot.Name: "glibc/" + name}})
				if !r.Passed {
					var failed []string
					for _, c := range r.Checks {
						if !c.Passed {
							failed = append(failed, c.ID+": "+c.Detail)
						}
					}
					t.Errorf("glibc/%s in slot %s: error %q, failed %q", name, slot.Name, r.Error, failed)
				}
			})
		}
	}
	if tried < 10 {
		t.Fatalf("only %d slots tried", tried)
	}
}
