package ui

import (
	"regexp"
	"strings"
	"testing"

	"trapdoor/wasm/protocol"
)

// buttonDisabled reports whether the rendered button id is disabled.
func buttonDisabled(t *testing.T, h, id string) bool {
	t.Helper()
	m := regexp.MustCompile(`<button[^>]*id="` + id + `"[^>]*>`).FindString(h)
	if m == "" {
		t.Fatalf("no button %s in the page", id)
	}
	return strings.Contains(m, "disabled") && !strings.Contains(m, `disabled="false"`)
}

func TestStepBackReplacesThePanels(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	w.load()
	if !buttonDisabled(t, html(w), "step-back") {
		t.Error("Step back is on before anything ran")
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused, Instructions: 900,
		Output: []protocol.Output{{FD: 1, Text: "one\ntwo\n"}},
		Trace: []protocol.TraceLine{{Seq: 1, Pid: 1, Name: "write", Text: "write(1, ...) = 4"},
			{Seq: 2, Pid: 1, Name: "write", Text: "write(1, ...) = 4 second"}}})
	h := html(w)
	if buttonDisabled(t, h, "step-back") || buttonDisabled(t, h, "back-syscall") {
		t.Fatalf("Step back is off at a stop after 900 instructions: %q", w.stepBackWhy())
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StateRunning, Rewinding: true, Instructions: 300})
	if h := html(w); !strings.Contains(h, "Stepping back") || !buttonDisabled(t, h, "step-back") {
		t.Error("a step back in progress is not shown")
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused, Instructions: 500,
		Rewind: &protocol.Rewind{To: 500, Console: []protocol.Output{{FD: 1, Text: "one\n"}},
			Trace: []protocol.TraceLine{{Seq: 1, Pid: 1, Name: "write", Text: "write(1, ...) = 4"}}, TraceTotal: 1}})
	h = html(w)
	if strings.Contains(h, "two") || strings.Contains(h, "second") || !strings.Contains(h, "one") || w.traceTotal != 1 {
		t.Errorf("after the step back the console and trace are not cut: total %d", w.traceTotal)
	}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused, Instructions: 500,
		NoStepBack: "its clock is the host's"})
	if h := html(w); !buttonDisabled(t, h, "step-back") || !strings.Contains(h, "host&#39;s") && !strings.Contains(h, "host's") {
		t.Error("an unavailable step back is not off with its reason")
	}
}
