package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// scenarioRun is a scenario's view opened in the workbench: while the
// program it opened is selected, every load (Run, Restart) starts on the
// machine the scenario prepares: its kernel settings, files and modules,
// the steps before the shown one run (core/scenario.Prepare in the
// worker).
type scenarioRun struct {
	key     string // the workbench program it is bound to
	title   string
	frag    string // the scenario view's fragment, to go back
	step    string // the shown step's command
	files   []protocol.File
	differs []string
}

func firstNonEmpty(a, b []byte) []byte {
	if len(a) > 0 {
		return a
	}
	return b
}

// openScenarioStep puts a scenario's view into the workbench: the step's
// program selected with the step's argv, environment and stdin, on the
// scenario's prepared machine, the view's breakpoints set, its panel
// shown, and the program loaded (and run to the first breakpoint when the
// view stops somewhere). It returns why it cannot.
//
// A program for the step's slot (picked, or carried in the link) opens as
// one of the workbench's uploaded programs, named for the slot.
func (w *Workbench) openScenarioStep(ctx app.Context, in *protocol.ScenarioInfo, frag string, picked []byte) string {
	o := in.Open
	if o == nil {
		return "This scenario has no step to show."
	}
	k := o.Vector
	if data := firstNonEmpty(picked, o.Data); len(data) > 0 {
		w.addUpload(ctx, o.Slot, data)
		k = w.selected
	}
	if k == "" {
		return "The step this scenario shows runs a program nobody has supplied yet: choose one for its slot first."
	}
	p := w.program(k)
	if p == nil {
		return "The workbench has no test program " + k + "."
	}
	k = key(*p)
	if w.overrides == nil {
		w.overrides = map[string]runIO{}
	}
	w.overrides[k] = runIO{Args: o.Args, Env: o.Env, Stdin: o.Stdin}
	w.scenario = &scenarioRun{key: k, title: or(in.Title, in.ID), frag: frag,
		step: strings.Join(o.Args, " "), files: o.Machine, differs: o.Differs}
	if p.Libc != uploadLibc {
		w.libc = p.Libc
	}
	w.selected = k
	w.breaks = strings.Join(o.Breaks, ", ")
	if in := app.Window().GetElementByID("breaks"); in.Truthy() {
		in.Set("value", w.breaks) // the field keeps a typed value over an empty attribute
	}
	w.w.send(protocol.Request{Type: protocol.Breakpoints, Breaks: o.Breaks})
	w.showLog = o.Panel == "log"
	w.load()
	if o.Run {
		w.state = protocol.StateRunning
		w.w.send(protocol.Request{Type: protocol.Run})
	}
	return ""
}

// scenarioFiles are what a load adds to start on a scenario's machine:
// nothing unless the program a scenario opened is selected.
func (w *Workbench) scenarioFiles() []protocol.File {
	if s := w.scenario; s != nil && s.key == w.selected {
		return s.files
	}
	return nil
}

// leaveScenario makes the program run on the workbench's own machine
// again.
func (w *Workbench) leaveScenario(ctx app.Context, e app.Event) {
	w.scenario = nil
	w.load()
}

// renderScenarioBanner says the selected program runs on a scenario's
// machine, and offers the way back.
func (w *Workbench) renderScenarioBanner() app.UI {
	s := w.scenario
	if s == nil || s.key != w.selected {
		return app.Text("")
	}
	what := "the scenario's kernel settings, files and modules, and the steps before this one already run (their output and trace come first)"
	if len(s.differs) > 0 {
		what += "; " + strings.Join(s.differs, "; ")
	}
	if w.kmods.any() {
		what += "; the modules picked below are not loaded: the scenario's are"
	}
	return app.Div().ID("scenario-banner").Class("notice notice-ok").DataSet("scenario", s.title).Body(
		app.Strong().Text(fmt.Sprintf("%s runs on the machine of the scenario “%s”: ", s.step, s.title)),
		app.Text(what+". "),
		app.A().Class("btn btn-small").Href("#"+s.frag).Text("Back to the scenario"),
		app.Text(" "),
		app.Button().ID("leave-scenario").Class("btn btn-small").Text("Run it on the workbench's machine").
			Title("Restart this program alone, on the workbench's own kernel").OnClick(w.leaveScenario),
	)
}
