package browser

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"trapdoor/core/scenario"
)

// diskVectors resolves test vectors as `trapdoor grade` does from the
// repository: testvectors/bin/NAME, kernel modules from testvectors/modules.
type diskVectors struct{ programs map[string][]byte }

func (d diskVectors) Vector(name string) ([]byte, error) {
	p := filepath.Join("../../testvectors/bin", filepath.FromSlash(name))
	if strings.HasPrefix(name, "modules/") {
		p = filepath.Join("../../testvectors", filepath.FromSlash(name))
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unknown test vector %q", name)
	}
	return b, err
}

func (d diskVectors) Program(slot string) ([]byte, bool, error) {
	b, ok := d.programs[slot]
	return b, ok, nil
}

func readVector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testvectors/bin", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shippedScenario is one file of testvectors/scenarios, parsed natively.
type shippedScenario struct {
	file string // the library's id: the file name without .json
	sc   *scenario.Scenario
}

// loadShipped is a copy of a shipped scenario, to change.
func loadShipped(t *testing.T, lib []shippedScenario, file string) *scenario.Scenario {
	t.Helper()
	for _, s := range lib {
		if s.file == file {
			sc, err := scenario.Parse(scenario.Marshal(s.sc))
			if err != nil {
				t.Fatal(err)
			}
			return sc
		}
	}
	t.Fatalf("no shipped scenario %s", file)
	return nil
}

func shippedScenarios(t *testing.T) []shippedScenario {
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	if len(paths) == 0 {
		t.Fatal("no scenarios in testvectors/scenarios")
	}
	var out []shippedScenario
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, shippedScenario{file: strings.TrimSuffix(filepath.Base(p), ".json"), sc: sc})
	}
	return out
}

// pageScenario is what the page shows for a scenario once graded.
type pageScenario struct {
	ID     string `json:"id"`
	Link   string `json:"link"`
	Report string `json:"report"`
	Error  string `json:"error"`
}

// gradeJS opens the fragment, waits for the scenario (by id), optionally
// grades it, and returns the link and the report's JSON as shown. One
// round trip per scenario keeps the test fast.
const gradeJS = `(async (frag, id, grade) => {
	const sleep = (ms) => new Promise(r => setTimeout(r, ms));
	const until = async (what, f, ms) => {
		for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) {
			const v = f();
			if (v) return v;
		}
		throw new Error("timed out waiting for " + what);
	};
	if (location.hash !== "#" + frag) location.hash = frag;
	await until("the scenario " + id, () => {
		const s = document.querySelector("#scenario");
		const l = document.querySelector("#scenario-link");
		return s && s.dataset.id === id && l && l.value !== "" && !document.querySelector("#grade").disabled;
	}, 20000);
	const out = {id: id, link: document.querySelector("#scenario-link").value};
	if (grade) {
		// A report already shown is stale: wait for the page to replace it.
		document.querySelectorAll("#report, #report-error").forEach(e => e.dataset.stale = "1");
		document.querySelector("#grade").click();
		await until("the report", () => !document.querySelector("[data-stale]") &&
			document.querySelector("#report-json, #report-error"), 40000);
		const r = document.querySelector("#report-json");
		out.report = r ? r.textContent : "";
		const e = document.querySelector("#report-error");
		out.error = e ? e.textContent : "";
	}
	return out;
})`

func (e *env) scenarioPage(frag, id string, grade bool) pageScenario {
	e.t.Helper()
	var p pageScenario
	call := fmt.Sprintf("%s(%q, %q, %v)", gradeJS, frag, id, grade)
	e.run("opening "+frag, chromedp.Evaluate(call, &p, await))
	return p
}

// setSlot puts a file into a slot's picker and waits until the page took
// it (or refused it).
func (e *env) setSlot(slot, path string) {
	e.t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		e.t.Fatal(err)
	}
	sel := fmt.Sprintf(`input.sv-slot-file[data-slot=%q]`, slot)
	e.run("choosing "+path+" for "+slot,
		chromedp.SetUploadFiles(sel, []string{abs}, chromedp.ByQuery),
		chromedp.Poll(fmt.Sprintf(`(() => {
			const s = document.querySelector('.sv-slot[data-slot=%q]');
			return s && (s.querySelector('.sv-slot-error') || s.querySelector('.sv-slot-state').textContent.startsWith('yours: %s'));
		})()`, slot, filepath.Base(path)), nil, chromedp.WithPollingTimeout(10*time.Second)))
}

func failedChecks(t *testing.T, report string) []string {
	t.Helper()
	var r struct {
		Checks []struct {
			ID     string `json:"id"`
			Passed bool   `json:"passed"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatalf("report: %v\n%s", err, report)
	}
	var ids []string
	for _, c := range r.Checks {
		if !c.Passed {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// rawLink makes a link around any JSON, as a hand-edited or damaged
// scenario would travel.
func rawLink(base, version string, data []byte) string {
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(data)
	w.Close()
	return base + "#" + version + "=" + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

func TestScenarios(t *testing.T) {
	start := time.Now()
	e := setup(t, prefix)
	e.load(e.url)
	lib := shippedScenarios(t)

	t.Run("library", func(t *testing.T) {
		e.t = t
		e.run("opening the library", chromedp.Click("#nav-scenarios"), chromedp.WaitVisible("#scenario-library"))
		var ids []string
		e.run("listing the library", chromedp.Evaluate(`[...document.querySelectorAll(".sv-entry")].map(a => a.dataset.id)`, &ids))
		var want []string
		for _, s := range lib {
			want = append(want, s.file)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("the library lists %v, testvectors/scenarios holds %v", ids, want)
		}
		e.shot("scenario-01-library")
	})

	// Every shipped scenario: the page's report is byte for byte what
	// trapdoor grade gives (core/scenario with the repository's vectors),
	// and its link is what trapdoor link --base prints.
	t.Run("reports identical to the CLI", func(t *testing.T) {
		e.t = t
		began := time.Now()
		for _, s := range lib {
			p := e.scenarioPage("scenario/"+s.file, s.sc.ID, true)
			native := scenario.Run(s.sc, diskVectors{}).Marshal()
			if p.Report != string(native) {
				t.Errorf("%s: the page's report differs from trapdoor grade's:\n%s", s.file, firstLineDiff(native, []byte(p.Report)))
			}
			if want := scenario.EncodeLink(e.url, s.sc); p.Link != want {
				t.Errorf("%s: the page's link differs from trapdoor link's:\npage: %.120s\ncli:  %.120s", s.file, p.Link, want)
			}
			if s.file == "hello" {
				e.shot("scenario-02-hello-graded")
			}
		}
		t.Logf("MEASURE %d scenarios graded in the browser in %v", len(lib), time.Since(began).Round(time.Millisecond))
	})

	var copiedLink string
	helloSC := func() *scenario.Scenario {
		for _, s := range lib {
			if s.file == "hello" {
				sc, _ := scenario.Parse(scenario.Marshal(s.sc))
				return sc
			}
		}
		t.Fatal("no hello scenario")
		return nil
	}

	// A wrong program in the slot (exitcode: other output, stderr, status
	// 42) fails exactly the checks trapdoor grade fails, and the link then
	// carries the program as trapdoor link --program does.
	t.Run("wrong program", func(t *testing.T) {
		e.t = t
		e.scenarioPage("scenario/hello", "hello", false)
		e.setSlot("hello", "../../testvectors/bin/musl/exitcode")
		wrong := readVector(t, "musl/exitcode")
		sc := helloSC()
		native := scenario.Run(sc, diskVectors{programs: map[string][]byte{"hello": wrong}}).Marshal()
		var link string
		e.run("waiting for the link with the program", chromedp.Poll(`document.querySelector("#scenario-link").value.length > 2000`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Value("#scenario-link", &link))
		p := e.scenarioPage("scenario/hello", "hello", true)
		if p.Report != string(native) {
			t.Errorf("the page's report differs from trapdoor grade --program:\n%s", firstLineDiff(native, []byte(p.Report)))
		}
		failed := failedChecks(t, p.Report)
		if want := []string{"exit", "output", "writes", "quiet"}; !slices.Equal(failed, want) {
			t.Errorf("failed checks %v, want %v", failed, want)
		}
		var shown []string
		e.run("reading the failed checks", chromedp.Evaluate(`[...document.querySelectorAll(".sv-check-fail")].map(c => c.dataset.id)`, &shown))
		if !slices.Equal(shown, failed) {
			t.Errorf("the page marks %v failed, the report %v", shown, failed)
		}
		if v := e.text("#report-verdict"); v != "Failed" {
			t.Errorf("verdict %q", v)
		}
		embedded := helloSC()
		if ok, err := scenario.EmbedProgram(embedded, "hello", wrong); !ok || err != nil {
			t.Fatalf("embedding: %v %v", ok, err)
		}
		if want := scenario.EncodeLink(e.url, embedded); link != want {
			t.Errorf("the link with the program differs from trapdoor link --program's:\npage: %.160s\ncli:  %.160s", link, want)
		}
		// Download JSON saves the report's bytes.
		dir := t.TempDir()
		e.run("downloading the report",
			cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir),
			chromedp.Click("#download-report"))
		var saved []byte
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if saved, _ = os.ReadFile(filepath.Join(dir, "hello-report.json")); len(saved) > 0 {
				break
			}
		}
		if !bytes.Equal(saved, native) {
			t.Errorf("the downloaded report (%d bytes) differs from trapdoor grade's (%d bytes)", len(saved), len(native))
		}
		// The Copy link button puts that link on the clipboard.
		var copied string
		e.run("copying the link",
			chromedp.ActionFunc(func(ctx context.Context) error {
				for _, name := range []string{"clipboard-read", "clipboard-write"} {
					err := cdpbrowser.SetPermission(&cdpbrowser.PermissionDescriptor{Name: name}, cdpbrowser.PermissionSettingGranted).Do(ctx)
					if err != nil {
						return err
					}
				}
				return nil
			}),
			chromedp.Click("#copy-link"),
			chromedp.WaitVisible(".sv-copied"),
			chromedp.Evaluate(`navigator.clipboard.readText()`, &copied, await))
		if copied != link {
			t.Errorf("Copy link copied %.120q, the page shows %.120q", copied, link)
		}
		copiedLink = copied
		e.shot("scenario-03-wrong-program")
		e.run("narrow viewport", chromedp.EmulateViewport(420, 860))
		e.shot("scenario-03-narrow")
		e.run("wide viewport", chromedp.EmulateViewport(1280, 860))
	})

	// A program that never ends can be stopped; the grader comes back.
	t.Run("stop grading", func(t *testing.T) {
		e.t = t
		e.scenarioPage("scenario/hello", "hello", false)
		e.setSlot("hello", "../../testvectors/bin/musl/spin")
		var msg string
		e.run("grading spin, then stopping",
			chromedp.Click("#grade"), chromedp.WaitVisible("#stop-grading"),
			chromedp.Sleep(500*time.Millisecond), chromedp.Click("#stop-grading"),
			chromedp.Text("#report-error", &msg, chromedp.NodeVisible))
		if !strings.Contains(msg, "Stopped") {
			t.Errorf("after Stop: %q", msg)
		}
		e.run("using the default again", chromedp.Click(`.sv-slot[data-slot="hello"] .btn-small`))
		p := e.scenarioPage("scenario/hello", "hello", true)
		if r := failedChecks(t, p.Report); p.Report == "" || len(r) > 0 {
			t.Errorf("grading after a stop: failed %v, error %q", r, p.Error)
		}
	})

	// A program too large for a link is named by its hash: the page asks
	// for it, refuses another file, and grades with the right one.
	t.Run("pinned program", func(t *testing.T) {
		e.t = t
		big := readVector(t, "musl/fork500")
		sc := helloSC()
		if ok, err := scenario.EmbedProgram(sc, "hello", big); ok || err != nil {
			t.Fatalf("fork500 (%d bytes) was embedded (%v, %v); the test wants one above %d", len(big), ok, err, scenario.MaxEmbedBytes)
		}
		link := scenario.EncodeLink(e.url, sc)
		frag := link[strings.IndexByte(link, '#')+1:]
		e.run("opening the pinned link", chromedp.Evaluate(fmt.Sprintf(`location.hash = %q`, frag), nil),
			chromedp.WaitVisible(`.sv-slot-need[data-slot="hello"]`))
		var disabled bool
		e.run("reading the grade button", chromedp.Evaluate(`document.querySelector("#grade").disabled`, &disabled))
		if !disabled {
			t.Error("grading is offered before the pinned program was given")
		}
		e.setSlot("hello", "../../testvectors/bin/musl/hello")
		if msg := e.text(`.sv-slot[data-slot="hello"] .sv-slot-error`); !strings.Contains(msg, "pins") {
			t.Errorf("a file with another hash: %q", msg)
		}
		e.shot("scenario-04-pinned-refused")
		e.setSlot("hello", "../../testvectors/bin/musl/fork500")
		p := e.scenarioPage(frag, "hello", true)
		native := scenario.Run(sc, diskVectors{programs: map[string][]byte{"hello": big}}).Marshal()
		if p.Report != string(native) {
			t.Errorf("the pinned program's report differs:\n%s", firstLineDiff(native, []byte(p.Report)))
		}
	})

	t.Run("bad scenarios", func(t *testing.T) {
		e.t = t
		hello := scenario.Marshal(helloSC())
		bad := []struct {
			name, link string
		}{
			{"malformed JSON", rawLink(e.url, "s1", []byte(`{"trapdoor_scenario": 1, "steps": [`))},
			{"unknown version", rawLink(e.url, "s1", bytes.Replace(hello, []byte(`"trapdoor_scenario": 1`), []byte(`"trapdoor_scenario": 7`), 1))},
			{"missing program", rawLink(e.url, "s1", bytes.Replace(hello, []byte(`"run": "hello"`), []byte(`"run": "nosuch"`), 1))},
			{"check naming nothing", rawLink(e.url, "s1", edit(t, hello, func(m map[string]any) {
				m["checks"].([]any)[0].(map[string]any)["step"] = "nosuch"
			}))},
			{"cut short", scenario.EncodeLink(e.url, helloSC())[:len(e.url)+40]},
			{"unknown link version", e.url + "#s9=AAAA"},
		}
		for i, b := range bad {
			_, err := scenario.DecodeLink(b.link)
			if err == nil {
				t.Fatalf("%s: the link decodes natively; the test is wrong", b.name)
			}
			frag := b.link[strings.IndexByte(b.link, '#')+1:]
			// The previous case's error stays on screen until the page has
			// read the new fragment, so wait for the text to change to the
			// expected reason; on a timeout, report what the page shows.
			var shown string
			e.run("opening a bad link: "+b.name, chromedp.Evaluate(fmt.Sprintf(`location.hash = %q`, frag), nil))
			_ = chromedp.Run(e.ctx, chromedp.Poll(fmt.Sprintf(`(() => { const e = document.querySelector("#scenario-error .sv-error-text"); return !!e && e.offsetParent !== null && e.textContent.includes(%q); })()`, err.Error()),
				nil, chromedp.WithPollingTimeout(10*time.Second)))
			e.run("reading the error: "+b.name, chromedp.Text("#scenario-error .sv-error-text", &shown, chromedp.ByQuery))
			// The page gives the same reason trapdoor grade/link give.
			if !strings.Contains(shown, err.Error()) {
				t.Errorf("%s: the page says %q, the CLI %q", b.name, shown, err.Error())
			}
			if i == 1 {
				e.shot("scenario-05-bad-link")
			}
		}
	})

	// The view's step opens in the workbench with its breakpoints: hello
	// stops at main.
	t.Run("open in the workbench", func(t *testing.T) {
		e.t = t
		e.scenarioPage("scenario/hello", "hello", false)
		e.run("opening the view", chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)), chromedp.Click("#open-workbench"),
			chromedp.WaitVisible("#workbench-view #run"),
			// The code view names the function EIP is in: stopped at main.
			chromedp.Poll(`(document.querySelector("#code .panel-meta") || {}).textContent === "main"`, nil, chromedp.WithPollingTimeout(20*time.Second)))
		var breaks, frag string
		e.run("reading the workbench", chromedp.Value("#breaks", &breaks), chromedp.Evaluate(`location.hash`, &frag))
		if breaks != "main" || frag != "#musl/hello" {
			t.Errorf("breakpoints %q, fragment %q; want main and #musl/hello", breaks, frag)
		}
		e.shot("scenario-06-workbench")
		// With the student's program in the slot, that program opens (as
		// one of the workbench's uploads, named for the slot).
		e.scenarioPage("scenario/hello", "hello", false)
		e.setSlot("hello", "../../testvectors/bin/musl/exitcode")
		e.run("opening the view with exitcode", chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)), chromedp.Click("#open-workbench"),
			chromedp.WaitVisible("#workbench-view #run"),
			chromedp.Poll(`location.hash === "#upload/hello" && (document.querySelector("#code .panel-meta") || {}).textContent === "main"`, nil, chromedp.WithPollingTimeout(20*time.Second)))
		if sel := e.text("#selected-name"); !strings.Contains(sel, "yours") {
			t.Errorf("the workbench shows %q, want the uploaded program", sel)
		}

		// INFO0940's view of get_info starts on the machine set_param and
		// fork left: their output and system calls come first, and the
		// run stops at get_info's pf_get_info.
		e.scenarioPage("scenario/info0940-cow-stats", "info0940-cow-stats", false)
		e.run("opening get_info's view", chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)), chromedp.Click("#open-workbench"),
			chromedp.WaitVisible("#workbench-view #scenario-banner"),
			chromedp.Poll(`document.querySelector("#stat-state").textContent === "Paused: breakpoint on pf_get_info"`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		e.shot("scenario-07-info0940-workbench")
		native := scenario.Run(loadShipped(t, lib, "info0940-cow-stats"), diskVectors{})
		console, trace := e.text("#console-body"), e.text("#trace-body")
		if want := native.Steps[0].Stdout + native.Steps[1].Stdout; !strings.HasPrefix(console, strings.TrimSpace(want)) {
			t.Errorf("the console starts %.200q; want set_param's and fork's output %q first", console, want)
		}
		set, get := strings.Index(trace, "pf_set_param("), strings.Index(trace, "pf_get_info(")
		if set < 0 || get < set || strings.Contains(trace, "pf_cleanup(") {
			t.Errorf("trace: want set_param's pf_set_param, then pf_get_info, and no pf_cleanup (a later step):\n%s", trace)
		}
		// Back on the workbench's own machine: get_info alone finds
		// nothing tracked.
		e.run("leaving the scenario's machine", chromedp.Click("#leave-scenario"),
			chromedp.WaitNotPresent("#scenario-banner"),
			chromedp.Poll(`document.querySelector("#stat-state").textContent === "Loaded"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Click("#run"),
			chromedp.Poll(`document.querySelector("#stat-state").textContent === "Exited"`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		if c := e.text("#console-body"); strings.Contains(c, "pf_set_param performed") || strings.Contains(c, "Number of VMA") {
			t.Errorf("alone, get_info printed %q", c)
		}

		// The machine's settings and the earlier steps' state in the kernel
		// panels: put-get's view of its "get" step (a link) under truncate
		// has put1 and put2 run and get-small's message dropped.
		sc := loadShipped(t, lib, "dm510-put-get")
		sc.View.Step, sc.View.StopAt = "get", "start"
		link := scenario.EncodeLink(e.url, sc)
		frag = link[strings.IndexByte(link, '#')+1:]
		e.scenarioPage(frag, "dm510-put-get", false)
		e.run("opening get's view", chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)), chromedp.Click("#open-workbench"),
			chromedp.WaitVisible("#workbench-view #scenario-banner"),
			chromedp.Poll(`((document.querySelector("#msgbox .panel-meta") || {}).textContent || "").match(/^depth 1, .*, truncate$/)`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		if m := e.text("#msgbox .msgs"); !strings.Contains(m, "hello") {
			t.Errorf("the message box shows %q; want put1's hello on top", m)
		}
		e.shot("scenario-08-msgbox-workbench")
	})

	// The workshop adds the student's module to a scenario that had none:
	// the page opens the variant's link, grades it byte for byte as
	// trapdoor grade grades that link, and its view in the workbench has
	// the module loaded.
	t.Run("workshop adds a module", func(t *testing.T) {
		e.t = t
		e.scenarioPage("scenario/dm510-testit-keep", "dm510-testit-keep", false)
		abs, _ := filepath.Abs("../../testvectors/modules/msgbox.o")
		e.run("adding msgbox.o", chromedp.SetUploadFiles("#workshop-module", []string{abs}, chromedp.ByQuery),
			chromedp.Poll(`location.hash.startsWith("#s1=") && document.querySelector("#scenario-files") &&
				document.querySelector("#scenario-files").textContent.includes("msgbox") && !document.querySelector("#grade").disabled`,
				nil, chromedp.WithPollingTimeout(20*time.Second)))
		var frag string
		e.run("reading the fragment", chromedp.Evaluate(`location.hash.slice(1)`, &frag))
		p := e.scenarioPage(frag, "dm510-testit-keep", true)
		sc, err := scenario.DecodeLink(p.Link)
		if err != nil || len(sc.Modules) != 1 || sc.Modules[0].Name != "msgbox" {
			t.Fatalf("the variant's link: %v", err)
		}
		native := scenario.Run(sc, diskVectors{}).Marshal()
		if p.Report != string(native) || !strings.Contains(p.Report, `"module msgbox"`) {
			t.Errorf("the variant's report differs from trapdoor grade's:\n%s", firstLineDiff(native, []byte(p.Report)))
		}
		e.shot("scenario-09-workshop-module")
		e.run("opening the variant's view", chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Click("#open-workbench"),
			chromedp.WaitVisible("#workbench-view #scenario-banner"),
			chromedp.Poll(`document.querySelector("#kmod-syscalls") && document.querySelector("#kmod-syscalls").textContent.includes("msgbox_put")`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		// A file that is not a module is refused with the reason.
		e.scenarioPage("scenario/hello", "hello", false)
		notModule, _ := filepath.Abs("../../testvectors/scenarios/hello.json")
		e.run("adding a JSON file as a module", chromedp.SetUploadFiles("#workshop-module", []string{notModule}, chromedp.ByQuery),
			chromedp.WaitVisible("#workshop-error"))
		if msg := e.text("#workshop-error"); !strings.Contains(msg, "not an ELF object") {
			t.Errorf("the workshop says %q", msg)
		}
	})

	// While a grade runs the page says which step or check runs and how
	// many of all are done.
	t.Run("grading progress", func(t *testing.T) {
		e.t = t
		e.scenarioPage("scenario/pipes", "pipes", false)
		var seen []string
		e.run("grading pipes", chromedp.Evaluate(`new Promise(resolve => {
			const seen = [];
			const note = () => {
				const p = document.querySelector("#grade-progress");
				if (p) seen.push((p.dataset.done || "-") + "/" + (p.dataset.total || "-") + " " + (p.dataset.doing || ""));
			};
			const obs = new MutationObserver(note);
			obs.observe(document.querySelector("#scenario"), {subtree: true, childList: true, attributes: true, characterData: true});
			document.querySelector("#grade").click();
			const wait = () => {
				if (document.querySelector("#report-json, #report-error")) { obs.disconnect(); resolve(seen); }
				else setTimeout(wait, 20);
			};
			wait();
		})`, &seen, await))
		sc := loadShipped(t, lib, "pipes")
		total := strconv.Itoa(len(sc.Steps) + len(sc.Checks))
		var running bool
		for _, s := range seen {
			if strings.HasPrefix(s, "0/"+total+" step 1 of 1: ") {
				running = true
			}
		}
		if !running {
			t.Errorf("while grading the page showed %q; want 0/%s during step 1 of 1", seen, total)
		}
		if len(seen) > 0 {
			t.Logf("progress shown: %q", seen)
		}
	})

	// A copied link opened in a fresh browser profile restores the
	// scenario, and again offline once the service worker has it.
	t.Run("fresh profile and offline", func(t *testing.T) {
		// The link the first browser's Copy link gave, with the wrong
		// program riding in it.
		link := copiedLink
		if link == "" {
			t.Skip("no link was copied (the wrong program test did not run)")
		}
		sc, err := scenario.DecodeLink(link)
		if err != nil {
			t.Fatal(err)
		}
		native := string(scenario.Run(sc, diskVectors{}).Marshal())
		if !strings.Contains(native, `"source": "slot hello (embedded)"`) {
			t.Fatalf("the copied link does not carry the program:\n%s", native)
		}
		f := e.freshBrowser(t)
		f.run("opening the link", chromedp.Navigate(link), chromedp.WaitNotPresent("#app-wasm-loader"))
		p := f.scenarioPage(link[strings.IndexByte(link, '#')+1:], "hello", true)
		if p.Link != link || p.Report != native {
			t.Errorf("a fresh profile: link equal %v, report equal %v", p.Link == link, p.Report == native)
		}
		defer f.goOffline()()
		f.run("reloading the link offline", chromedp.Navigate(e.url+"#scenarios"), chromedp.Navigate(link), chromedp.WaitNotPresent("#app-wasm-loader"))
		p = f.scenarioPage(link[strings.IndexByte(link, '#')+1:], "hello", true)
		if p.Link != link || p.Report != native {
			t.Errorf("offline: link equal %v, report equal %v (%s)", p.Link == link, p.Report == native, p.Error)
		}
		f.shot("scenario-07-offline")
	})
	t.Logf("MEASURE scenario browser tests took %v", time.Since(start).Round(time.Millisecond))
}

// freshBrowser starts another Chromium with an empty profile on the same
// site: what someone opening a shared link has.
func (e *env) freshBrowser(t *testing.T) *env {
	f := *e
	f.t, f.ctx = t, startChromium(t, chromium(t), 2*time.Minute)
	return &f
}

// edit changes a scenario's JSON as a hand edit would.
func edit(t *testing.T, data []byte, change func(map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstLineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d\ncli:  %s\npage: %s", i+1, w[i], g[i])
		}
	}
	return fmt.Sprintf("cli %d lines, page %d lines", len(w), len(g))
}
