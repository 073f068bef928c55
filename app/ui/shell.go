package ui

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// The shell entry: busybox sh as the first process on the console, with
// the musl test programs in /bin, so several programs share one kernel
// (the INFO0940 sequence; change_cmdline in the background while ps
// runs). The machine settings apply when it starts.

const (
	shellLibc = "shell" // the pseudo-libc of the shell's key
	shellKey  = shellLibc + "/sh"
)

// shellProgram is the shell as the picker and the controls show it.
func shellProgram() protocol.Program {
	return protocol.Program{Name: "sh", Libc: shellLibc, URL: "programs/" + protocol.ShellVector,
		Purpose: "busybox sh on the console, the test programs in /bin: run several programs on one kernel, in the foreground or in the background (&).",
		Args:    []string{"sh", "-i"}}
}

// shellFiles are the programs the shell finds in /bin: the musl builds
// (small and precached; the glibc ones are the same programs).
func (w *Workbench) shellFiles() []protocol.Program {
	var out []protocol.Program
	for _, p := range w.programs {
		if p.Libc == "musl" {
			out = append(out, p)
		}
	}
	return out
}

// shellLoad starts the shell; the user's uploaded programs are in /bin
// too, after the test programs (an upload named fork replaces the
// course's fork, as a scenario's slot does).
func (w *Workbench) shellLoad() protocol.Request {
	r := protocol.ShellLoad(w.gen, shellProgram().URL, w.shellFiles(), w.shell)
	for _, u := range w.uploads {
		r.Files = append(r.Files, protocol.File{Path: "/bin/" + path.Base(strings.ReplaceAll(u.Name, " ", "_")), Data: u.Data})
	}
	return r
}

func (w *Workbench) renderShellEntry() app.UI {
	// Not a .program: the list of test programs stays what it was.
	c := "shell-entry"
	if w.selected == shellKey {
		c += " shell-entry-on"
	}
	return app.Button().ID("shell-entry").Class(c).DataSet("key", shellKey).OnClick(w.onProgramClick).Body(
		app.Span().Class("program-name").Text("Shell"),
		app.Span().Class("program-purpose").Text("busybox sh with every test program in /bin: several programs on one kernel."),
	)
}

// shellSettingsKey is where the shell's settings are kept in
// localStorage, so the next visit starts the shell the same way.
const shellSettingsKey = "trapdoor-shell-settings"

// Offered choices, the first the default.
var (
	shellProfiles = []string{"default", "linux-4.15"}
	shellMsgboxes = []string{"keep", "truncate"}
)

// saveShellSettings keeps the settings for next time.
func (w *Workbench) saveShellSettings(ctx app.Context) {
	if err := ctx.LocalStorage().Set(shellSettingsKey, w.shell); err != nil {
		w.lastErr = "the browser would not keep the shell's settings for next time: " + err.Error()
	}
}

// restoreShellSettings reads the kept settings (when the page mounts); a
// value the page no longer offers is dropped.
func (w *Workbench) restoreShellSettings(ctx app.Context) {
	var s protocol.ShellSettings
	if err := ctx.LocalStorage().Get(shellSettingsKey, &s); err != nil {
		w.lastErr = "your saved shell settings could not be read: " + err.Error()
		return
	}
	if !slices.Contains(shellProfiles, s.Profile) {
		s.Profile = ""
	}
	if !slices.Contains(shellMsgboxes, s.Msgbox) {
		s.Msgbox = ""
	}
	w.shell = s
}

// onShellSetting stores one setting (named by the control's data-field);
// it applies at the shell's next start and is kept for the next visit.
func (w *Workbench) onShellSetting(ctx app.Context, e app.Event) {
	t := e.Get("target")
	v := t.Get("value").String()
	switch t.Get("dataset").Get("field").String() {
	case "profile":
		w.shell.Profile = v
	case "msgbox":
		w.shell.Msgbox = v
	case "seed":
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			w.shell.Seed = n
		} else {
			w.lastErr = "the seed is a whole number ≥ 0: " + v
			return
		}
	}
	w.saveShellSettings(ctx)
}

func (w *Workbench) renderShellSettings() app.UI {
	choice := func(field, label, title, value string, options ...string) app.UI {
		if value == "" {
			value = options[0]
		}
		return app.Label().Class("shell-setting").Title(title).Body(
			app.Span().Class("k").Text(label),
			app.Select().ID("shell-"+field).DataSet("field", field).OnChange(w.onShellSetting).Body(
				app.Range(options).Slice(func(i int) app.UI {
					return app.Option().Value(options[i]).Text(options[i]).Selected(options[i] == value)
				}),
			),
		)
	}
	return app.Div().Class("shell-settings").Body(
		choice("profile", "profile", "The system call table: linux-4.15 has the INFO0940 handout's numbers 385-387 (test -N)",
			w.shell.Profile, shellProfiles...),
		choice("msgbox", "msgbox", "msgbox_get when the message does not fit: keep (DM510 2019) or truncate (2023)",
			w.shell.Msgbox, shellMsgboxes...),
		app.Label().Class("shell-setting").Title("Seeds AT_RANDOM, getrandom and the scheduler's time slices").Body(
			app.Span().Class("k").Text("seed"),
			app.Input().ID("shell-seed").Type("number").Attr("min", "0").DataSet("field", "seed").
				Attr("value", strconv.FormatUint(w.shell.Seed, 10)).OnChange(w.onShellSetting),
		),
		app.P().Class("shell-hint").Body(
			app.Text("Settings apply when the shell starts (Run, Restart) and are kept for your next visit. It starts in /bin: busybox's own test, ps, ls and dmesg come first, so type "),
			app.Code().Text("./test -o set_param -p fork"),
			app.Text(" for the course's. Your uploaded programs are in /bin too (one named like a test program replaces it). Time passes as on a real terminal: "),
			app.Code().Text("sleep 3"),
			app.Text(" takes three seconds, and a job in the background sleeps while you type: "),
			app.Code().Text("ps"),
			app.Text(" typed within ten seconds of "),
			app.Code().Text("change_cmdline -s 10 &"),
			app.Text(" shows the job's original command line, in the ten seconds after that its new one."),
		),
	)
}
