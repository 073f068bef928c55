package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// The workshop: making a variant of the scenario shown. Adding a kernel
// module (an i386 .o) loads it after the scenario's modules, or in place
// of the one of its name (core/scenario's AddModule, in the worker); the
// page then opens the variant's link, which carries the module, so it
// grades, opens in the workbench and is shared like any scenario.

func (v *ScenarioView) onModuleFile(ctx app.Context, e app.Event) {
	v.readPicked(e, v.addModule)
}

func (v *ScenarioView) addModule(name string, b []byte) {
	v.nextID++
	v.addID, v.addErr = v.nextID, ""
	r := v.req
	r.Type, r.ID, r.Base, r.Programs = protocol.ScenarioAddModule, v.addID, pageBase(), v.programs
	r.Module = &protocol.ScenarioModule{Name: name, Data: b}
	v.w.send(r)
}

// addModuleAnswer opens the variant, or says why there is none.
func (v *ScenarioView) addModuleAnswer(ctx app.Context, e protocol.ScenarioEvent) {
	v.addID = 0
	_, frag, ok := strings.Cut(e.Link, "#")
	switch {
	case e.Error != "":
		v.addErr = "The module was not added: " + e.Error
	case !ok:
		v.addErr = "The grader made no link for the variant."
	default:
		setFragment(ctx, frag)
	}
}

func (v *ScenarioView) renderWorkshop() app.UI {
	adding := v.addID != 0
	label := "Add a kernel module (.o)…"
	if adding {
		label = "Adding…"
	}
	return app.Section().Class("sv-box sv-box-wide").ID("scenario-workshop").Body(
		app.H3().Text("Workshop"),
		app.P().Class("sv-hint").Text("Make a variant of this scenario: your kernel module (an i386 relocatable .o built against testvectors/include) is loaded after its modules, or in place of the one with its name, before the first step. The variant opens here with a link of its own that carries the module; grading and the workbench run it with the module loaded."),
		app.Label().Class("btn btn-upload").Body(
			app.Text(label),
			app.Input().Type("file").ID("workshop-module").Class("sv-slot-file").Accept(".o").Disabled(adding || v.worker == "failed").OnChange(v.onModuleFile),
		),
		app.If(v.addErr != "", func() app.UI {
			return app.P().ID("workshop-error").Class("notice notice-bad").Text(v.addErr)
		}),
	)
}
