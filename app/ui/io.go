package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// runIO is what a program gets when it starts: argv, environment, stdin.
// The test programs come with the values of their native reference runs;
// the user can change them per program.
type runIO struct {
	Args  []string
	Env   []string
	Stdin string
}

func defaultIO(p protocol.Program) runIO {
	args := p.Args
	if len(args) == 0 {
		args = []string{p.Name}
	}
	return runIO{Args: args, Env: p.Env, Stdin: p.Stdin}
}

// io returns the selected program's argv, environment and stdin.
func (w *Workbench) io(p protocol.Program) runIO {
	if o, ok := w.overrides[key(p)]; ok {
		return o
	}
	return defaultIO(p)
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// onIOChange stores an edit of one of the three fields (named by the
// textarea's data-field) for the selected program.
func (w *Workbench) onIOChange(ctx app.Context, e app.Event) {
	p := w.program(w.selected)
	if p == nil {
		return
	}
	t := e.Get("target")
	v := t.Get("value").String()
	o := w.io(*p)
	switch t.Get("dataset").Get("field").String() {
	case "args":
		o.Args = splitLines(v)
	case "env":
		o.Env = splitLines(v)
	case "stdin":
		o.Stdin = v
	}
	if w.overrides == nil {
		w.overrides = map[string]runIO{}
	}
	w.overrides[key(*p)] = o
}

func (w *Workbench) resetIO(ctx app.Context, e app.Event) {
	delete(w.overrides, w.selected)
}

func (w *Workbench) renderIO(p protocol.Program) app.UI {
	o := w.io(p)
	_, changed := w.overrides[key(p)]
	field := func(name, label, hint, value string, rows int) app.UI {
		return app.Label().Class("io-field").Body(
			app.Span().Class("k").Text(label),
			app.Span().Class("io-hint").Text(hint),
			app.Textarea().Class("io-text").DataSet("field", name).Rows(rows).
				Attr("spellcheck", "false").Attr("value", value).OnChange(w.onIOChange),
		)
	}
	return app.Details().Class("io").Body(
		app.Summary().Text("Arguments, environment and input"),
		app.Div().Class("io-grid").Body(
			field("args", "argv", "one argument per line, argv[0] first", strings.Join(o.Args, "\n"), 3),
			field("env", "environment", "one NAME=value per line", strings.Join(o.Env, "\n"), 3),
			field("stdin", "stdin", "empty: type into the console", o.Stdin, 3),
		),
		app.If(changed, func() app.UI {
			return app.Button().Class("btn btn-small").Text("Back to the test's values").OnClick(w.resetIO)
		}),
	)
}

// splitBreaks splits "main, write() 0x8049000" into its breakpoints.
func splitBreaks(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

func (w *Workbench) onBreaks(ctx app.Context, e app.Event) {
	w.breaks = e.Get("target").Get("value").String()
	w.lastErr = ""
	w.w.send(protocol.Request{Type: protocol.Breakpoints, Breaks: splitBreaks(w.breaks)})
}

func (w *Workbench) renderBreaks() app.UI {
	return app.Label().Class("breaks").Body(
		app.Span().Class("k").Text("break at"),
		app.Input().ID("breaks").Class("breaks-input").Type("text").Attr("spellcheck", "false").
			Placeholder("main, 0x8049000, write()").
			Title("Stop before the instruction at an address or symbol, or after a system call (name followed by ()). Enter or leaving the field applies.").
			Attr("value", w.breaks).OnChange(w.onBreaks),
	)
}
