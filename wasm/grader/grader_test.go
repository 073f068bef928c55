package grader

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trapdoor/core/scenario"
	"trapdoor/wasm/machine"
	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// siteFetch serves what the site ships: programs/NAME from testvectors
// (modules from testvectors/modules), scenarios/X from testvectors/scenarios.
func siteFetch(url string) ([]byte, error) {
	name, ok := strings.CutPrefix(url, "programs/")
	p := filepath.Join("../../testvectors", url)
	if ok {
		p = filepath.Join("../../testvectors/bin", name)
		if strings.HasPrefix(name, "modules/") {
			p = filepath.Join("../../testvectors", name)
		}
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("HTTP status 404")
	}
	return b, err
}

type disk struct{ programs map[string][]byte }

func (d disk) Vector(name string) ([]byte, error) { return siteFetch(VectorURL(name)) }
func (d disk) Program(slot string) ([]byte, bool, error) {
	b, ok := d.programs[slot]
	return b, ok, nil
}

func load(t *testing.T, name string) *scenario.Scenario {
	b, err := os.ReadFile("../../testvectors/scenarios/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestOpenAndGradeMatchTheCLI(t *testing.T) {
	g := New(siteFetch)
	for _, name := range []string{"hello", "dm510-module", "nctu-change-cmdline"} {
		sc := load(t, name)
		ev := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioOpen, ID: 3, URL: "scenarios/" + name + ".json", Base: "https://x.org/t/"})
		if ev.Error != "" || ev.ID != 3 || ev.Info == nil {
			t.Fatalf("%s: open: %+v", name, ev)
		}
		if want := scenario.EncodeLink("https://x.org/t/", sc); ev.Link != want {
			t.Errorf("%s: link %q, want %q", name, ev.Link, want)
		}
		if len(ev.Info.Checks) != len(sc.Checks) || len(ev.Info.Slots) != len(sc.Slots()) {
			t.Errorf("%s: info lists %d checks and %d slots", name, len(ev.Info.Checks), len(ev.Info.Slots))
		}
		// Opening the link gives the same scenario, and grading it the
		// report trapdoor grade prints.
		rep := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioGrade, Source: ev.Link})
		if want := string(scenario.Run(sc, disk{}).Marshal()); rep.Report != want {
			t.Errorf("%s: the report differs from core/scenario's on disk", name)
		}
	}
}

func TestWrongProgramAndPins(t *testing.T) {
	g := New(siteFetch)
	wrong, _ := siteFetch("programs/musl/exitcode")
	rep := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioGrade, URL: "scenarios/hello.json",
		Programs: map[string][]byte{"hello": wrong}})
	r, err := protocol.DecodeReport(rep.Report)
	if err != nil || r.Passed {
		t.Fatalf("a wrong program passed (%v): %s", err, rep.Report)
	}
	// A program too big for the link is pinned: the default no longer
	// fits, so the page must ask for the file.
	sc := load(t, "hello")
	big, _ := siteFetch("programs/musl/fork500")
	if ok, _ := scenario.EmbedProgram(sc, "hello", big); ok {
		t.Fatal("fork500 was embedded")
	}
	ev := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioOpen, Source: scenario.EncodeLink("b", sc)})
	if ev.Error != "" || len(ev.Info.Slots) != 1 || !ev.Info.Slots[0].NeedsFile {
		t.Fatalf("pinned slot: %+v", ev)
	}
	// Pinned to the default itself: nothing to ask.
	sc = load(t, "hello")
	def, _ := siteFetch("programs/musl/hello")
	scenario.EmbedProgram(sc, "hello", def)
	sc.Files[0].Base64 = ""
	ev = g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioOpen, Source: string(scenario.Marshal(sc))})
	if ev.Error != "" || ev.Info.Slots[0].NeedsFile {
		t.Fatalf("slot pinned to its default: %+v", ev)
	}
}

func TestBadScenariosSayWhy(t *testing.T) {
	g := New(siteFetch)
	for _, c := range []struct{ src, want string }{
		{`{"trapdoor_scenario": 1, "steps": [`, "line"},
		{`{"trapdoor_scenario": 7, "steps": []}`, "unknown format version 7"},
		{"#s9=AAAA", "unknown link version"},
		{"#s1=", "nothing after s1="},
		{"#s1=@@@", "damaged"},
		{"", "no scenario"},
	} {
		ev := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioOpen, Source: c.src})
		if !strings.Contains(ev.Error, c.want) || ev.Info != nil {
			t.Errorf("%q: error %q, want it to say %q", c.src, ev.Error, c.want)
		}
	}
	ev := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioOpen, URL: "scenarios/nosuch.json"})
	if !strings.Contains(ev.Error, "404") {
		t.Errorf("a missing file: %q", ev.Error)
	}
}

func TestWorkshopFollowsTheView(t *testing.T) {
	o := workshop(load(t, "hello"), nil)
	if o.Vector != "musl/hello" || !o.Run || len(o.Breaks) != 1 || o.Breaks[0] != "main" || o.Panel != "trace" || len(o.Differs) != 0 {
		t.Errorf("hello: %+v", o)
	}
	o = workshop(load(t, "nctu-change-cmdline"), nil)
	if o.Vector != "musl/sh_launcher" || len(o.Breaks) != 1 || o.Breaks[0] != "change_cmdline()" || o.Stdin == "" {
		t.Errorf("change_cmdline: %+v", o)
	}
	// The machine's files: the scenario, then the vectors it names (the
	// slot's default only while nobody fills the slot).
	paths := func(fs []protocol.File) string {
		var p []string
		for _, f := range fs {
			p = append(p, f.Path+" "+f.URL)
		}
		return strings.Join(p, ", ")
	}
	o = workshop(load(t, "info0940-cow-stats"), nil)
	if got := paths(o.Machine); got != "/.trapdoor/scenario.json , /.trapdoor/vectors/musl/test programs/musl/test, /.trapdoor/vectors/musl/fork programs/musl/fork" {
		t.Errorf("info0940 machine files: %s", got)
	}
	if len(o.Differs) != 1 || o.Differs[0] != "the 2 step(s) after it do not run there" {
		t.Errorf("info0940 differs: %q", o.Differs)
	}
	mine := map[string][]byte{"fork": []byte("x")}
	o = workshop(load(t, "info0940-cow-stats"), mine)
	var spec protocol.ScenarioMachine
	if err := json.Unmarshal(o.Machine[0].Data, &spec); err != nil || spec.Step != "get_info" || string(spec.Programs["fork"]) != "x" {
		t.Errorf("spec %+v (%v)", spec, err)
	}
	if got := paths(o.Machine[1:]); got != "/.trapdoor/vectors/musl/test programs/musl/test" {
		t.Errorf("with the fork slot filled: %s", got)
	}
}

// The Load the page sends for "Open the view in the workbench", through
// the worker's session and machine: the workbench starts where grading
// was when get_info began.
func TestWorkshopLoadStartsOnThePreparedMachine(t *testing.T) {
	o := workshop(load(t, "info0940-cow-stats"), nil)
	elf, _ := siteFetch(VectorURL(o.Vector))
	s := session.New(machine.Start, siteFetch, "")
	s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: o.Breaks})
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: o.Vector, Data: elf, Args: o.Args, Env: o.Env, Stdin: o.Stdin, Files: o.Machine})
	if e.State != protocol.StateLoaded {
		t.Fatalf("load: %+v", e)
	}
	var out strings.Builder
	for _, x := range e.Output {
		out.WriteString(x.Text)
	}
	// What set_param and fork printed when graded, in order.
	rep := scenario.Run(load(t, "info0940-cow-stats"), disk{})
	if want := rep.Steps[0].Stdout + rep.Steps[1].Stdout; out.String() != want || want == "" {
		t.Errorf("the earlier steps printed %q in the workbench, %q when graded", out.String(), want)
	}
	e = s.Handle(protocol.Request{Type: protocol.Run})
	for i := 0; s.Active() && i < 10000; i++ {
		e = s.Slice()
	}
	if e.State != protocol.StatePaused || !strings.Contains(e.Stop, "pf_get_info") {
		t.Fatalf("want a stop after pf_get_info, got %s (%s)", e.State, e.Stop)
	}
}

func TestGradeProgress(t *testing.T) {
	g := New(siteFetch)
	var seen []protocol.ScenarioEvent
	g.Progress = func(e protocol.ScenarioEvent) { seen = append(seen, e) }
	rep := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioGrade, ID: 9, URL: "scenarios/info0940-cow-stats.json"})
	if want := string(scenario.Run(load(t, "info0940-cow-stats"), disk{}).Marshal()); rep.Report != want {
		t.Fatal("the report with progress differs")
	}
	if len(seen) < 5+12 {
		t.Fatalf("%d progress events for 5 steps and 12 checks", len(seen))
	}
	first, last := seen[0], seen[len(seen)-1]
	if first.Type != protocol.ScenarioProgress || first.ID != 9 || first.Progress.Doing != "step 1 of 5: ./test (set_param)" {
		t.Errorf("first: %+v %+v", first, first.Progress)
	}
	if p := last.Progress; p.Done != 17 || p.Total != 17 {
		t.Errorf("last: %+v", p)
	}
}

// The workshop's "add a kernel module": the answer's link opens the
// variant, which grades with the module as trapdoor grade does.
func TestAddModule(t *testing.T) {
	g := New(siteFetch)
	obj, _ := siteFetch("programs/modules/msgbox.o")
	ev := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioAddModule, ID: 4, URL: "scenarios/dm510-testit-keep.json",
		Base: "https://x.org/t/", Module: &protocol.ScenarioModule{Name: "msgbox.o", Data: obj}})
	if ev.Error != "" || ev.ID != 4 || ev.Info == nil || len(ev.Info.Modules) != 1 || ev.Info.Modules[0].Key != "msgbox" {
		t.Fatalf("add: %+v", ev)
	}
	sc, err := scenario.DecodeLink(ev.Link)
	if err != nil || len(sc.Modules) != 1 {
		t.Fatalf("the link: %v", err)
	}
	rep := g.Handle(protocol.ScenarioRequest{Type: protocol.ScenarioGrade, Source: ev.Link})
	if want := string(scenario.Run(sc, disk{}).Marshal()); rep.Report != want || !strings.Contains(rep.Report, `"module msgbox"`) {
		t.Errorf("the variant's report: %s", rep.Report)
	}
	// The workbench starts the variant with the module loaded.
	if o := ev.Info.Open; o == nil || !strings.Contains(string(o.Machine[0].Data), `modules`) {
		t.Errorf("the workbench's machine lacks the module")
	}
	for _, bad := range []protocol.ScenarioRequest{
		{Type: protocol.ScenarioAddModule, URL: "scenarios/hello.json"},
		{Type: protocol.ScenarioAddModule, URL: "scenarios/hello.json", Module: &protocol.ScenarioModule{Name: "x", Data: []byte("text")}},
	} {
		if ev := g.Handle(bad); ev.Error == "" || ev.Info != nil {
			t.Errorf("%+v: no error", bad.Module)
		}
	}
}

// Every shipped scenario's view opens on its prepared machine, and the
// shown step prints there what it printed when graded.
func TestEveryViewRunsAsGraded(t *testing.T) {
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		sc := load(t, name)
		o := workshop(sc, nil)
		if o == nil || o.Vector == "" {
			t.Errorf("%s: no view to open", name)
			continue
		}
		elf, _ := siteFetch(VectorURL(o.Vector))
		s := session.New(machine.Start, siteFetch, "")
		e := s.Handle(protocol.Request{Type: protocol.Load, Name: o.Vector, Data: elf, Args: o.Args, Env: o.Env, Stdin: o.Stdin, Files: o.Machine})
		if e.State != protocol.StateLoaded {
			t.Errorf("%s: load: %s", name, e.Error)
			continue
		}
		var out strings.Builder
		e = s.Handle(protocol.Request{Type: protocol.Run})
		for i := 0; i < 100000; i++ {
			for _, x := range e.Output {
				if x.FD == 1 {
					out.WriteString(x.Text)
				}
			}
			if !s.Active() {
				break
			}
			e = s.Slice()
		}
		// The report keeps an excerpt of a long output, and its length.
		graded := scenario.Run(sc, disk{}).Steps[sc.ViewStep()]
		shown, _, _ := strings.Cut(graded.Stdout, "\n[... ")
		if got := out.String(); len(got) != graded.StdoutBytes || !strings.HasPrefix(got, shown) {
			t.Errorf("%s: step %s printed %q in the workbench, %q when graded", name, graded.ID, got, graded.Stdout)
		}
	}
}
