package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// ScenarioView shows the scenario library, one scenario (shipped, or out
// of a link's fragment), the programs its slots take, and its grade. The
// scenario itself is read, linked and graded by core/scenario in a worker
// (wasm/grader), so what the page reports is what `trapdoor grade` prints.
type ScenarioView struct {
	app.Compo

	wb *Workbench // to open the scenario's view in
	// ctx is the component's own context: callbacks that outlive the
	// element whose event started them (the worker started by Stop, a
	// file read) dispatch through it, as go-app drops a dispatch from a
	// context whose element is gone.
	ctx app.Context

	library    []protocol.ScenarioEntry
	libraryErr string

	w         *scenarioWorker
	worker    string // "", "starting", "ready", "failed"
	workerErr string

	frag   string // the fragment shown: "scenarios", "scenario/ID", "s1=..."
	shown  string // the last scenario fragment, for the nav tab
	req    protocol.ScenarioRequest
	nextID int
	openID int // the open request the view waits for (0: none)

	info    *protocol.ScenarioInfo
	openErr string
	link    string
	copied  string

	programs  map[string][]byte // slot -> the file picked
	fileNames map[string]string
	slotErr   map[string]string

	gradeID   int
	progress  *protocol.GradeProgress // how far the grade is (nil: not started)
	report    string
	reportErr string
	view      *protocol.ReportView
	openNote  string // why the workbench cannot open the view
	addID     int    // the add-module request the workshop waits for (0: none)
	addErr    string // why the module was not added
	pageTitle string // the document's title as the site set it
}

func (v *ScenarioView) OnInit() {
	v.library, v.libraryErr = scenariosFromEnv()
}

func (v *ScenarioView) OnMount(ctx app.Context) {
	v.ctx = ctx
	if app.IsClient {
		v.pageTitle = app.Window().Get("document").Get("title").String()
	}
}

func (v *ScenarioView) OnDismount() { v.w.stop() }

// OnNav routes the fragment: the library, a shipped scenario or a link.
func (v *ScenarioView) OnNav(ctx app.Context) {
	v.ctx = ctx
	frag := ctx.Page().URL().Fragment
	if !scenarioFragment(frag) && v.pageTitle != "" && app.IsClient {
		app.Window().Get("document").Set("title", v.pageTitle) // the workbench's
	}
	if !scenarioFragment(frag) || frag == v.frag {
		return
	}
	v.frag = frag
	if frag != fragLibrary {
		v.shown = frag
	}
	if !app.IsClient {
		return
	}
	if v.w == nil {
		v.worker = "starting"
		v.w = startScenarioWorker(v.ctx, v.onEvent)
	}
	v.info, v.openErr, v.link, v.copied, v.openNote = nil, "", "", "", ""
	v.addID, v.addErr = 0, ""
	v.programs, v.fileNames, v.slotErr = map[string][]byte{}, map[string]string{}, map[string]string{}
	v.report, v.reportErr, v.view, v.gradeID = "", "", nil, 0
	switch {
	case frag == fragLibrary:
		v.openID = 0
		return
	case strings.HasPrefix(frag, fragScenario):
		id := strings.TrimPrefix(frag, fragScenario)
		e := v.entry(id)
		if e == nil {
			v.openErr = fmt.Sprintf("There is no scenario %q in this site's library.", id)
			return
		}
		v.req = protocol.ScenarioRequest{URL: e.File}
	default:
		v.req = protocol.ScenarioRequest{Source: frag}
	}
	v.open()
}

func (v *ScenarioView) lastFragment(def string) string {
	if v.shown != "" {
		return v.shown
	}
	return def
}

func (v *ScenarioView) entry(id string) *protocol.ScenarioEntry {
	for i := range v.library {
		if v.library[i].ID == id {
			return &v.library[i]
		}
	}
	return nil
}

// open asks the worker to read the scenario and make its link (with the
// programs picked so far embedded).
func (v *ScenarioView) open() {
	v.nextID++
	v.openID = v.nextID
	r := v.req
	r.Type, r.ID, r.Base, r.Programs = protocol.ScenarioOpen, v.openID, pageBase(), v.programs
	v.w.send(r)
}

// pageBase is the page's URL without its fragment: the base of links.
func pageBase() string {
	href := app.Window().Get("location").Get("href").String()
	if i := strings.IndexByte(href, '#'); i >= 0 {
		href = href[:i]
	}
	return href
}

func (v *ScenarioView) onEvent(ctx app.Context, e protocol.ScenarioEvent) {
	switch e.Type {
	case protocol.Ready:
		if e.Version != protocol.Version {
			v.worker, v.workerErr = "failed", fmt.Sprintf("the emulator worker speaks protocol %d, the page %d: reload the page", e.Version, protocol.Version)
			return
		}
		v.worker = "ready"
	case protocol.Fatal:
		v.worker, v.workerErr = "failed", e.Error
	case protocol.Update:
		if e.Error != "" { // a worker without scenario support
			v.worker, v.workerErr = "failed", e.Error
		}
	case protocol.ScenarioProgress:
		if e.ID == v.gradeID && e.Progress != nil {
			v.progress = e.Progress
		}
	case protocol.ScenarioAnswer:
		switch e.ID {
		case v.openID:
			v.openID = 0
			v.info, v.openErr, v.link = e.Info, e.Error, e.Link
			if v.info != nil && v.info.Title != "" {
				app.Window().Get("document").Set("title", v.info.Title+" · Trapdoor")
			}
		case v.addID:
			v.addModuleAnswer(ctx, e) // scenario_workshop.go
		case v.gradeID:
			v.gradeID, v.progress = 0, nil
			v.report, v.reportErr, v.view = e.Report, e.Error, nil
			if e.Report != "" {
				r, err := protocol.DecodeReport(e.Report)
				if err != nil {
					v.reportErr = "the report is damaged: " + err.Error()
				} else {
					v.view = &r
				}
			}
		}
	}
}

func (v *ScenarioView) grade(ctx app.Context, e app.Event) {
	v.nextID++
	v.gradeID = v.nextID
	v.report, v.reportErr, v.view, v.progress = "", "", nil, nil
	r := v.req
	r.Type, r.ID, r.Programs = protocol.ScenarioGrade, v.gradeID, v.programs
	v.w.send(r)
}

// stopGrading ends a grade that takes too long (a program that never
// ends runs up to the scenario's instruction limit): the worker is
// replaced and the scenario read again.
func (v *ScenarioView) stopGrading(ctx app.Context, e app.Event) {
	v.w.stop()
	v.gradeID, v.report, v.view, v.progress = 0, "", nil, nil
	v.reportErr = "Stopped before the end: no report. A program that never ends is stopped at the scenario's instruction limit, which can take minutes here."
	v.worker = "starting"
	v.w = startScenarioWorker(v.ctx, v.onEvent)
	v.open()
}

// onSlotFile reads the picked program; a slot that pins a hash takes
// only the file with that hash.
func (v *ScenarioView) onSlotFile(ctx app.Context, e app.Event) {
	slot := e.Get("target").Get("dataset").Get("slot").String()
	v.readPicked(e, func(name string, b []byte) { v.setProgram(slot, name, b) })
}

// readPicked reads the file picked in an input's change event, then
// calls got on the UI goroutine.
func (v *ScenarioView) readPicked(e app.Event, got func(name string, b []byte)) {
	t := e.Get("target")
	files := t.Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	f := files.Index(0)
	name := f.Get("name").String()
	t.Set("value", "") // the same file can be picked again
	var then app.Func
	then = app.FuncOf(func(this app.Value, args []app.Value) any {
		arr := app.Window().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		v.ctx.Dispatch(func(ctx app.Context) {
			then.Release()
			got(name, b)
		})
		return nil
	})
	f.Call("arrayBuffer").Call("then", then)
}

func (v *ScenarioView) setProgram(slot, name string, b []byte) {
	delete(v.slotErr, slot)
	if s := v.slot(slot); s != nil && s.SHA256 != "" {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
			v.slotErr[slot] = fmt.Sprintf("%s has sha256 %s, but the scenario pins %s: it is not the program this scenario was made for.", name, got, s.SHA256)
			return
		}
	}
	v.programs[slot], v.fileNames[slot] = b, name
	v.report, v.view, v.reportErr = "", nil, ""
	v.open() // the link now carries the program
}

func (v *ScenarioView) clearProgram(ctx app.Context, e app.Event) {
	slot := e.Get("currentTarget").Get("dataset").Get("slot").String()
	delete(v.programs, slot)
	delete(v.fileNames, slot)
	delete(v.slotErr, slot)
	v.report, v.view, v.reportErr = "", nil, ""
	v.open()
}

func (v *ScenarioView) slot(name string) *protocol.ScenarioSlot {
	if v.info == nil {
		return nil
	}
	for i := range v.info.Slots {
		if v.info.Slots[i].Name == name {
			return &v.info.Slots[i]
		}
	}
	return nil
}

// missing lists the slots that still need a file before grading.
func (v *ScenarioView) missing() []string {
	var m []string
	if v.info != nil {
		for _, s := range v.info.Slots {
			if _, ok := v.programs[s.Name]; s.NeedsFile && !ok {
				m = append(m, s.Name)
			}
		}
	}
	return m
}

func (v *ScenarioView) copyLink(ctx app.Context, e app.Event) {
	v.copied = "Copied."
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		v.copied = "This browser does not allow copying here: select the link and copy it."
		return
	}
	var fail app.Func
	fail = app.FuncOf(func(this app.Value, args []app.Value) any {
		v.ctx.Dispatch(func(ctx app.Context) {
			fail.Release()
			v.copied = "The browser refused to copy: select the link and copy it."
		})
		return nil
	})
	clip.Call("writeText", v.link).Call("catch", fail)
}

// download saves the report's JSON as a file.
func (v *ScenarioView) download(ctx app.Context, e app.Event) {
	blob := app.Window().Get("Blob").New([]any{v.report}, map[string]any{"type": "application/json"})
	url := app.Window().Get("URL").Call("createObjectURL", blob)
	a := app.Window().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", v.reportName())
	a.Call("click")
	app.Window().Get("URL").Call("revokeObjectURL", url)
}

func (v *ScenarioView) reportName() string {
	id := "scenario"
	if v.info != nil && v.info.ID != "" {
		id = v.info.ID
	}
	return id + "-report.json"
}

// openInWorkbench loads the view's step into the workbench with its argv,
// environment, stdin and breakpoints, on the panel the view names.
func (v *ScenarioView) openInWorkbench(ctx app.Context, e app.Event) {
	o := v.info.Open
	var picked []byte
	if o != nil {
		picked = v.programs[o.Slot]
	}
	if note := v.wb.openScenarioStep(ctx, v.info, v.frag, picked); note != "" {
		v.openNote = note
		return
	}
	setFragment(ctx, v.wb.selected)
}
