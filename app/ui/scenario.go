package ui

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// EnvScenarios carries the scenario library's index (app/site puts it in
// app.js, so the library is listed offline and in the prerendered page).
const EnvScenarios = "TRAPDOOR_SCENARIOS"

// Fragments that open the scenario view instead of the workbench. A
// shareable link is the site's root with the scenario in its fragment
// (core/scenario's "#s1=..."), never sent to a server.
const (
	fragLibrary  = "scenarios"
	fragScenario = "scenario/" // + the library's id
)

// scenarioFragment reports whether a fragment belongs to the scenario
// view: the library, a shipped scenario, or a link's scenario (any
// "VERSION=PAYLOAD", so a link of a newer encoding still gets an error
// from the view rather than an empty workbench).
func scenarioFragment(frag string) bool {
	return frag == fragLibrary || strings.HasPrefix(frag, fragScenario) || linkFragment(frag)
}

func linkFragment(frag string) bool {
	v, _, ok := strings.Cut(frag, "=")
	return ok && v != "" && !strings.ContainsAny(v, "/ ")
}

// Root is the page at "/": the workbench, or the scenario view when the
// fragment asks for it. Both stay mounted (one hidden), so switching keeps
// the workbench's program and the view's report.
type Root struct {
	app.Compo

	wb        *Workbench
	sv        *ScenarioView
	scenarios bool // the scenario view is shown
}

func (r *Root) OnInit() {
	r.wb = &Workbench{}
	r.sv = &ScenarioView{wb: r.wb}
}

func (r *Root) OnNav(ctx app.Context) {
	r.scenarios = scenarioFragment(ctx.Page().URL().Fragment)
}

func (r *Root) Render() app.UI {
	hide := func(hidden bool) string {
		if hidden {
			return "none"
		}
		return "block"
	}
	return app.Div().Class("root").Body(
		app.Nav().Class("topnav").Body(
			navTab("nav-workbench", "Workbench", "Run and step a program, watch its system calls", !r.scenarios, r.showWorkbench),
			navTab("nav-scenarios", "Scenarios", "Shareable scenarios and grading", r.scenarios, r.showLibrary),
		),
		app.Div().ID("workbench-view").Style("display", hide(r.scenarios)).Body(r.wb),
		app.Div().ID("scenario-view").Style("display", hide(!r.scenarios)).Body(r.sv),
	)
}

func navTab(id, label, title string, on bool, click app.EventHandler) app.UI {
	c := "navtab"
	if on {
		c += " navtab-on"
	}
	return app.Button().ID(id).Class(c).Text(label).Title(title).OnClick(click)
}

func (r *Root) showWorkbench(ctx app.Context, e app.Event) {
	if r.scenarios {
		setFragment(ctx, r.wb.selected)
	}
}

func (r *Root) showLibrary(ctx app.Context, e app.Event) {
	if !r.scenarios {
		setFragment(ctx, r.sv.lastFragment(fragLibrary))
	}
}

// setFragment navigates within the page (a history entry, so Back
// returns): every component's OnNav sees the new fragment.
func setFragment(ctx app.Context, frag string) {
	u := *ctx.Page().URL()
	u.Fragment = frag
	ctx.NavigateTo(&u)
}

func scenariosFromEnv() ([]protocol.ScenarioEntry, string) {
	s := app.Getenv(EnvScenarios)
	if s == "" {
		return nil, ""
	}
	var l []protocol.ScenarioEntry
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, "the scenario library is damaged: " + err.Error()
	}
	return l, ""
}
