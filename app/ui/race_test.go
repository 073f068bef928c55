package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// sentTo gives w a bridge that records the requests the page sends.
func sentTo(t *testing.T, w *Workbench) *[]protocol.Request {
	var sent []protocol.Request
	w.w = &bridge{post: func(s string) {
		r, err := protocol.DecodeRequest(s)
		if err != nil {
			t.Fatalf("the page sent %q: %v", s, err)
		}
		sent = append(sent, r)
	}}
	return &sent
}

func types(rs []protocol.Request) []string {
	var l []string
	for _, r := range rs {
		l = append(l, r.Type)
	}
	return l
}

func appCtx() app.Context { return app.Context{} }
func appEvent() app.Event { return app.Event{} }

var runButton = regexp.MustCompile(`<button[^>]*id="run"[^>]*>`)

// runOff reports whether the rendered Run button is disabled (natively
// go-app writes the attribute with its value).
func runOff(w *Workbench) bool {
	tag := runButton.FindString(html(w))
	return strings.Contains(tag, "disabled") && !strings.Contains(tag, `disabled="false"`)
}

// TestRunDuringALoadRunsTheLoadedProgram: Restart then Run before the
// worker has answered the load. Run must be on, send only a Run (the
// worker takes it after the load), and the load's "loaded" answer must
// not show the program as stopped again before it runs.
func TestRunDuringALoadRunsTheLoadedProgram(t *testing.T) {
	w := newWorkbench(t)
	sent := sentTo(t, w)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	if runOff(w) {
		t.Fatal("Run is off with the emulator ready")
	}
	w.run(app.Context{}, app.Event{})
	if !runOff(w) {
		t.Fatal("Run is on while the program runs")
	}
	st := 0
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateExited, Exit: &st})

	*sent = nil
	w.restart(app.Context{}, app.Event{})
	if w.state != protocol.StateLoading {
		t.Fatalf("after Restart the state is %q", w.state)
	}
	if runOff(w) {
		t.Fatalf("Run is off while the program loads: a click is lost: %s", runButton.FindString(html(w)))
	}
	w.run(app.Context{}, app.Event{})
	if got := types(*sent); len(got) != 2 || got[0] != protocol.Load || got[1] != protocol.Run {
		t.Fatalf("Restart then Run sent %v, want [load run]", got)
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateLoaded})
	if w.state != protocol.StateRunning {
		t.Errorf("the load's answer put the page at %q though a Run follows it", w.state)
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateExited, Exit: &st,
		Output: []protocol.Output{{FD: 1, Text: "hello, world\n"}}})
	if w.state != protocol.StateExited || len(w.console) != 1 {
		t.Errorf("the run ended at %q with console %v", w.state, w.console)
	}

	// Step while loading: one load, one step, and the stop shows.
	*sent = nil
	w.restart(app.Context{}, app.Event{})
	w.step(app.Context{}, app.Event{})
	if got := types(*sent); len(got) != 2 || got[0] != protocol.Load || got[1] != protocol.Step {
		t.Fatalf("Restart then Step sent %v, want [load step]", got)
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateLoaded})
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused, Instructions: 1})
	if w.state != protocol.StatePaused {
		t.Errorf("the step ended at %q", w.state)
	}
}

// TestLoadedStandsWhenTheRunFailed: a request the worker refuses leaves
// the program loaded (with the error), not shown as running for ever.
func TestLoadedStandsWhenTheRunFailed(t *testing.T) {
	w := newWorkbench(t)
	sentTo(t, w)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	w.nextSyscall(app.Context{}, app.Event{})
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateLoaded,
		Error: "this machine cannot stop at system calls"})
	if w.state != protocol.StateLoaded || w.lastErr == "" {
		t.Errorf("state %q, error %q", w.state, w.lastErr)
	}
}
