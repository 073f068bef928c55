package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

func (v *ScenarioView) Render() app.UI {
	return app.Div().Class("sv").Body(
		v.renderHeader(),
		app.Div().Class("sv-main").Body(
			v.renderLibrary(),
			app.Main().Class("sv-work").Body(v.renderWork()),
		),
	)
}

func (v *ScenarioView) renderHeader() app.UI {
	label, class, title := "Starting the grader…", "pill pill-wait", "Scenarios are read and graded in a Web Worker by the same code as `trapdoor grade`."
	switch v.worker {
	case "ready":
		label, class = "Grader ready", "pill pill-ok"
	case "failed":
		label, class, title = "Grader failed", "pill pill-bad", v.workerErr
	case "":
		label = "Grader idle"
	}
	return app.Header().Class("tw-header").Body(
		app.Img().Class("tw-logo").Src("/web/icon.svg").Alt(""),
		app.Div().Class("tw-brand").Body(
			// Not a heading (nor a class naming one): the browser tests find the
			// workbench's title by searching for its tag.
			app.Div().Class("sv-brand-name").Text("Trapdoor scenarios"),
			app.P().Text("Run this, look at that: scenarios open from a link, take your program, and grade it here exactly as `trapdoor grade` does."),
		),
		app.Span().ID("scenario-worker-status").Class(class).Title(title).DataSet("state", v.worker).Text(label),
	)
}

func (v *ScenarioView) renderLibrary() app.UI {
	var items []app.UI
	course := "\x00"
	for _, e := range v.library {
		if e.Course != course {
			course = e.Course
			items = append(items, app.H3().Class("sv-course").Text(or(course, "Other")))
		}
		c := "sv-entry"
		if v.frag == fragScenario+e.ID {
			c += " sv-entry-on"
		}
		meta := fmt.Sprintf("%d checks", e.Checks)
		if e.Slots > 0 {
			meta += fmt.Sprintf(" · %d slot", e.Slots)
			if e.Slots > 1 {
				meta += "s"
			}
		}
		items = append(items, app.A().Class(c).Href("#"+fragScenario+e.ID).DataSet("id", e.ID).Body(
			app.Span().Class("sv-entry-title").Text(or(e.Title, e.ID)),
			app.Span().Class("sv-entry-meta").Text(e.ID+" · "+meta),
		))
	}
	if v.libraryErr != "" {
		items = append(items, app.P().Class("empty").Text(v.libraryErr))
	} else if len(v.library) == 0 {
		items = append(items, app.P().Class("empty").Text("This site ships no scenarios (testvectors/scenarios is empty)."))
	}
	return app.Aside().Class("sv-library").ID("scenario-library").Body(
		app.H2().Text("Library"),
		app.P().Class("picker-hint").Text("Ready-made scenarios for the courses; each is also a grading template: put your program in its slot."),
		app.Div().Class("sv-paste").Body(
			app.Input().ID("paste-link").Type("text").Class("sv-paste-input").
				Placeholder("paste a scenario link (…#s1=…)").Attr("spellcheck", "false").OnChange(v.onPaste),
		),
		app.Div().Class("sv-entries").Body(items...),
	)
}

// onPaste opens a pasted link: its fragment becomes the page's.
func (v *ScenarioView) onPaste(ctx app.Context, e app.Event) {
	s := strings.TrimSpace(e.Get("target").Get("value").String())
	if s == "" {
		return
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	setFragment(ctx, s)
}

func (v *ScenarioView) renderWork() app.UI {
	switch {
	case v.frag == fragLibrary || v.frag == "":
		return app.Div().Class("sv-intro").Body(
			app.H2().Text("Pick a scenario"),
			app.P().Text("A scenario is a machine (kernel profile, message box policy, scheduler seed), the programs on it, the commands to run, what to look at, and checks worth points. Open one on the left, or paste a link someone shared."),
			app.P().Text("Grading runs entirely in your browser, offline too, and gives byte for byte the report `trapdoor grade SCENARIO` prints in a course's CI."),
		)
	case v.openErr != "":
		return app.Div().ID("scenario-error").Class("notice notice-bad sv-error").Body(
			app.Strong().Text("This scenario cannot be opened. "),
			app.Pre().Class("sv-error-text").Text(v.openErr),
			app.P().Body(app.Text("A link may have been cut short when copied, or made by a newer Trapdoor. You can "), app.A().Href("#"+fragLibrary).Text("pick a scenario from the library"), app.Text(".")),
		)
	case v.info == nil && v.worker == "failed":
		return app.Div().ID("scenario-error").Class("notice notice-bad sv-error").Body(
			app.Strong().Text("The grader could not start. "), app.Text(v.workerErr))
	case v.info == nil:
		return app.P().ID("scenario-loading").Class("empty").Text("Reading the scenario…")
	}
	in := v.info
	return app.Div().ID("scenario").DataSet("id", in.ID).Body(
		app.Div().Class("sv-title").Body(
			app.H2().ID("scenario-title").Text(or(in.Title, in.ID)),
			app.If(in.Course != "", func() app.UI { return app.Span().Class("libc").Text(in.Course) }),
		),
		app.If(in.Description != "", func() app.UI { return app.P().Class("sv-desc").Text(in.Description) }),
		app.Range(in.Notes).Slice(func(i int) app.UI { return app.P().Class("sv-note").Text(in.Notes[i]) }),
		v.renderActions(),
		v.renderSlots(),
		v.renderReport(),
		v.renderWorkshop(),
		v.renderDetails(),
	)
}

func (v *ScenarioView) renderActions() app.UI {
	missing := v.missing()
	why := "Run the scenario and grade every check"
	if len(missing) > 0 {
		why = "Choose a program for " + strings.Join(missing, ", ") + " first"
	}
	grading := v.gradeID != 0
	label := "✓ Grade"
	if grading {
		label = "Grading…"
	}
	o := v.info.Open
	return app.Div().Class("sv-actions").Body(
		app.Div().Class("buttons").Body(
			app.Button().ID("grade").Class("btn btn-primary").Text(label).Title(why).
				Disabled(grading || len(missing) > 0 || v.worker == "failed").OnClick(v.grade),
			app.If(grading, func() app.UI {
				return app.Button().ID("stop-grading").Class("btn").Text("■ Stop").Title("Stop grading (restarts the grader)").OnClick(v.stopGrading)
			}),
			app.Button().ID("open-workbench").Class("btn").Text("Open the view in the workbench").
				Title("Load the step this scenario shows into the workbench, with its arguments, input and breakpoints").
				// While the scenario is read again (a program was picked)
				// the view's machine is not yet the one with it; a slot
				// still to fill leaves the machine without a program.
				Disabled(v.openID != 0 || o == nil || o.Vector == "" && len(o.Data) == 0 && v.programs[o.Slot] == nil || len(missing) > 0).OnClick(v.openInWorkbench),
			app.Button().ID("copy-link").Class("btn").Text("Copy link").Title("A link that opens this scenario, with the programs you chose").
				Disabled(v.link == "").OnClick(v.copyLink),
			app.If(v.copied != "", func() app.UI { return app.Span().Class("sv-copied").Text(v.copied) }),
			app.If(len(missing) > 0, func() app.UI { return app.Span().Class("sv-need").Text(why + ".") }),
		),
		app.If(grading, v.renderProgress),
		app.Input().ID("scenario-link").Class("sv-link").Type("text").ReadOnly(true).Attr("value", v.link).
			Title("The shareable link: the scenario travels in the fragment, compressed").
			OnFocus(func(ctx app.Context, e app.Event) { e.Get("target").Call("select") }),
		app.If(v.openNote != "", func() app.UI { return app.P().Class("notice notice-warn").Text(v.openNote) }),
		app.If(o != nil, func() app.UI {
			hint := "In the workbench the step starts on this scenario's machine: its settings, files and modules, with the steps before it already run"
			if len(o.Differs) > 0 {
				hint += "; " + strings.Join(o.Differs, "; ")
			}
			return app.P().Class("sv-hint").Text(hint + ". Grading runs the whole scenario.")
		}),
	)
}

// renderProgress shows what the grade is running and how much of it is
// done (the worker's ScenarioProgress events).
func (v *ScenarioView) renderProgress() app.UI {
	p := v.progress
	if p == nil {
		return app.Div().ID("grade-progress").Class("sv-progress").Body(
			app.Progress().Class("sv-progress-bar"),
			app.Span().Class("sv-progress-text").Text("Starting: fetching the programs, building the machine…"))
	}
	text := fmt.Sprintf("%d of %d done", p.Done, p.Total)
	if p.Doing != "" {
		text += " · " + p.Doing
	}
	text += " · " + commas(p.Instructions) + " instructions"
	return app.Div().ID("grade-progress").Class("sv-progress").
		DataSet("done", p.Done).DataSet("total", p.Total).DataSet("doing", p.Doing).Body(
		app.Progress().Class("sv-progress-bar").Max(p.Total).Value(p.Done),
		app.Span().Class("sv-progress-text").Text(text),
	)
}

func (v *ScenarioView) renderSlots() app.UI {
	if len(v.info.Slots) == 0 {
		return app.Text("")
	}
	return app.Section().Class("sv-slots").Body(
		app.H3().Text("Your programs"),
		app.Range(v.info.Slots).Slice(func(i int) app.UI {
			s := v.info.Slots[i]
			var state string
			_, picked := v.programs[s.Name]
			switch {
			case picked:
				state = "yours: " + v.fileNames[s.Name]
			case s.NeedsFile && s.SHA256 != "":
				state = "the link names this program by its hash: choose the file (sha256 " + s.SHA256[:16] + "…)"
			case s.NeedsFile:
				state = "choose your program to grade"
			case s.Embedded:
				state = "the program in the link, until you choose one"
			case s.Default != "":
				state = "the test program " + s.Default + ", until you choose yours"
			}
			c := "sv-slot"
			if s.NeedsFile && !picked {
				c += " sv-slot-need"
			}
			return app.Div().Class(c).DataSet("slot", s.Name).Body(
				app.Div().Class("sv-slot-head").Body(
					app.Strong().Text(s.Name),
					app.Code().Text(s.Path),
					app.Span().Class("sv-slot-state").Text(state),
				),
				app.Div().Class("sv-slot-pick").Body(
					app.Label().Class("btn btn-upload").Body(
						app.Text("Choose a file…"),
						app.Input().Type("file").Class("sv-slot-file").DataSet("slot", s.Name).OnChange(v.onSlotFile),
					),
					app.If(picked, func() app.UI {
						return app.Button().Class("btn btn-small").DataSet("slot", s.Name).Text("Use the default").OnClick(v.clearProgram)
					}),
				),
				app.If(v.slotErr[s.Name] != "", func() app.UI {
					return app.P().Class("notice notice-bad sv-slot-error").Text(v.slotErr[s.Name])
				}),
			)
		}),
	)
}

func (v *ScenarioView) renderReport() app.UI {
	switch {
	case v.reportErr != "":
		return app.Div().ID("report-error").Class("notice notice-bad").Body(
			app.Strong().Text("The scenario could not be graded. "), app.Text(v.reportErr))
	case v.view == nil:
		return app.Text("")
	}
	r := v.view
	verdict, c := "Passed", "sv-verdict sv-pass"
	if !r.Passed {
		verdict, c = "Failed", "sv-verdict sv-fail"
	}
	return app.Section().ID("report").Class("sv-report").DataSet("passed", fmt.Sprint(r.Passed)).Body(
		app.Div().Class("sv-report-head").Body(
			app.Span().ID("report-verdict").Class(c).Text(verdict),
			app.Span().ID("report-points").Class("sv-points").Text(fmt.Sprintf("%d / %d points", r.Points, r.MaxPoints)),
			app.Span().Class("panel-meta").Text(commas(r.Instructions)+" instructions"),
			app.Button().ID("download-report").Class("btn btn-small").Text("⤓ Download JSON").OnClick(v.download),
		),
		app.If(r.Error != "", func() app.UI {
			return app.Div().ID("report-run-error").Class("notice notice-bad").Body(app.Strong().Text("The run stopped: "), app.Text(r.Error))
		}),
		app.Div().Class("sv-checks").Body(
			app.Range(r.Checks).Slice(func(i int) app.UI { return renderCheck(r.Checks[i]) }),
		),
		app.Details().Class("sv-more").Body(
			app.Summary().Text(fmt.Sprintf("Steps (%d) and files (%d)", len(r.Steps), len(r.Files))),
			app.Range(r.Steps).Slice(func(i int) app.UI {
				s := r.Steps[i]
				how := fmt.Sprintf("status %d", s.Status)
				if s.Signal != "" {
					how = "killed by " + s.Signal
				}
				if !s.Ended {
					how = "still running when the run stopped"
				}
				return app.Div().Class("sv-step").Body(
					app.Code().Text(fmt.Sprintf("[pid %d] %s", s.Pid, s.Command)),
					app.Span().Class("panel-meta").Text(" "+how+" "+s.Error),
					app.If(s.Stdout != "", func() app.UI { return app.Pre().Class("sv-pre").Text(s.Stdout) }),
					app.If(s.Stderr != "", func() app.UI { return app.Pre().Class("sv-pre fd2").Text(s.Stderr) }),
				)
			}),
			app.Table().Class("sv-table").Body(
				app.Range(r.Files).Slice(func(i int) app.UI {
					f := r.Files[i]
					return app.Tr().Body(app.Td().Body(app.Code().Text(f.Path)), app.Td().Text(f.Source),
						app.Td().Text(fmt.Sprintf("%d bytes", f.Bytes)), app.Td().Body(app.Code().Text(f.SHA256[:min(16, len(f.SHA256))]+"…")))
				}),
			),
		),
		app.Details().Class("sv-more").Body(
			app.Summary().Text("The report as JSON (what trapdoor grade prints)"),
			app.Pre().ID("report-json").Class("sv-pre sv-json").Text(v.report),
		),
	)
}

func renderCheck(c protocol.ReportCheckView) app.UI {
	cls, mark := "sv-check sv-check-pass", "✓"
	if !c.Passed {
		cls, mark = "sv-check sv-check-fail", "✗"
	}
	var ev []app.UI
	add := func(label, text string) {
		if text != "" {
			ev = append(ev, app.Div().Class("sv-ev").Body(app.Span().Class("k").Text(label), app.Pre().Class("sv-pre").Text(text)))
		}
	}
	add("error", c.Error)
	add("why", c.Detail)
	if c.Got != "" || !c.Passed {
		add("expected", c.Expected)
		add("got", c.Got)
	}
	add("output", c.Excerpt)
	add("matched", strings.Join(c.Matched, "\n"))
	add("nearest", strings.Join(c.Nearest, "\n"))
	where := c.Kind
	if c.Step != "" {
		where += " · step " + c.Step
	}
	return app.Div().Class(cls).DataSet("id", c.ID).DataSet("passed", fmt.Sprint(c.Passed)).Body(
		app.Div().Class("sv-check-head").Body(
			app.Span().Class("sv-mark").Text(mark),
			app.Strong().Text(c.ID),
			app.Span().Class("sv-check-msg").Text(c.Message),
			app.Span().Class("sv-check-kind").Text(where),
			app.Span().Class("sv-check-pts").Text(fmt.Sprintf("%d/%d", c.Points, c.MaxPoints)),
		),
		app.If(len(ev) > 0, func() app.UI {
			return app.Details().Class("sv-evidence").Attr("open", !c.Passed).Body(
				append([]app.UI{app.Summary().Text("evidence")}, ev...)...)
		}),
	)
}

// renderDetails lists what the scenario is made of.
func (v *ScenarioView) renderDetails() app.UI {
	in := v.info
	kv := func(list []protocol.KeyValue, code bool) app.UI {
		return app.Dl().Class("sv-kv").Body(app.Range(list).Slice(func(i int) app.UI {
			k := app.Dt().Text(list[i].Key)
			if code {
				k = app.Dt().Body(app.Code().Text(list[i].Key))
			}
			return app.Div().Body(k, app.Dd().Text(list[i].Value))
		}))
	}
	var view []protocol.KeyValue
	if in.View != nil {
		add := func(k, val string) {
			if val != "" {
				view = append(view, protocol.KeyValue{Key: k, Value: val})
			}
		}
		add("panel", in.View.Panel)
		add("step", in.View.Step)
		add("breakpoints", strings.Join(in.View.Breakpoints, ", "))
		add("stop at", in.View.StopAt)
	}
	return app.Div().Class("sv-details").Body(
		app.Section().Class("sv-box").ID("scenario-machine").Body(app.H3().Text("Machine"), kv(in.Machine, false),
			app.If(len(view) > 0, func() app.UI { return app.Div().ID("scenario-viewspec").Body(app.H3().Text("View"), kv(view, false)) })),
		app.Section().Class("sv-box").ID("scenario-files").Body(app.H3().Text("Files"), kv(in.Files, true),
			app.If(len(in.Modules) > 0, func() app.UI { return app.Div().Body(app.H3().Text("Kernel modules"), kv(in.Modules, true)) })),
		app.Section().Class("sv-box").ID("scenario-steps").Body(app.H3().Text("Steps"),
			app.Ol().Class("sv-steps").Body(app.Range(in.Steps).Slice(func(i int) app.UI {
				s := in.Steps[i]
				return app.Li().Body(
					app.Code().Text(s.Command),
					app.If(s.Background, func() app.UI { return app.Span().Class("panel-meta").Text(" &") }),
					app.If(s.ID != "", func() app.UI { return app.Span().Class("panel-meta").Text("  (" + s.ID + ")") }),
					app.If(s.Stdin != "", func() app.UI { return app.Pre().Class("sv-pre").Text(s.Stdin) }),
				)
			}))),
		app.Section().Class("sv-box sv-box-wide").ID("scenario-checks").Body(app.H3().Text(fmt.Sprintf("Checks (%d)", len(in.Checks))),
			app.Ul().Class("sv-checklist").Body(app.Range(in.Checks).Slice(func(i int) app.UI {
				c := in.Checks[i]
				return app.Li().Body(app.Strong().Text(c.ID), app.Span().Class("sv-check-kind").Text(" "+c.Kind),
					app.Span().Class("sv-check-pts").Text(fmt.Sprintf(" %d pt", c.Points)), app.Text(" "+c.Message))
			}))),
	)
}
