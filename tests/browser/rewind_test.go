package browser

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// stopJS defines, in the page, press(id): click a button and wait until
// the program has stopped somewhere else, then return what the page
// shows (state, instruction count, EIP, registers, console, calls).
const stopJS = `window.rw = {
	sleep: (ms) => new Promise(r => setTimeout(r, ms)),
	q: (s) => document.querySelector(s),
	snap() {
		const q = this.q;
		return { State: q("#stat-state").textContent, Insns: q("#stat-insns").textContent,
			EIP: q("#stat-eip").textContent, Regs: q("#regs").textContent,
			Changed: document.querySelectorAll("#regs .reg-changed").length,
			Console: q("#console .console-text") ? q("#console .console-text").textContent : "",
			Calls: document.querySelectorAll("#trace .trace-line").length,
			Code: q("#code .asm-eip .asm-addr") ? q("#code .asm-eip .asm-addr").textContent : "" };
	},
	async press(id) {
		const before = this.q("#stat-insns").textContent;
		this.q("#" + id).click();
		for (let i = 0; i < 3000; i++) {
			const s = this.snap();
			if (s.Insns !== before && s.State.startsWith("Paused") && s.Code === s.EIP) return s;
			await this.sleep(5);
		}
		return { State: "timed out after " + id + ": " + this.snap().State };
	},
};`

type pageStop struct {
	State, Insns, EIP, Regs, Console, Code string
	Changed, Calls                         int
}

func (e *env) press(id string) pageStop {
	e.t.Helper()
	var s pageStop
	e.run("pressing "+id, chromedp.Evaluate(`rw.press("`+id+`")`, &s, await))
	if !strings.HasPrefix(s.State, "Paused") {
		e.shot("rewind-" + id + "-failed")
		e.t.Fatalf("after %s: %s", id, s.State)
	}
	return s
}

// TestRewind steps hello to its writev and a few instructions past it,
// then steps back one instruction at a time and back over system calls:
// each earlier stop shows the very registers, EIP, console and trace it
// showed going forward, and the console loses "hello, world" once the
// machine is back before the writev.
func TestRewind(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url + "#musl/hello")
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	e.run("defining the helpers", chromedp.Evaluate(stopJS, nil))
	if !e.disabled("#step-back") {
		t.Error("Step back is on before the program has run")
	}
	var stops []pageStop // forward, in order
	stops = append(stops, e.press("step"))
	for i := 0; i < 30 && !strings.Contains(stops[len(stops)-1].Console, "hello, world"); i++ {
		stops = append(stops, e.press("next-syscall"))
	}
	wrote := len(stops) - 1
	if !strings.Contains(stops[wrote].Console, "hello, world") || wrote < 2 {
		t.Fatalf("hello never wrote: %+v", stops[wrote])
	}
	for range 4 {
		start := time.Now()
		stops = append(stops, e.press("step"))
		t.Logf("step to %s instructions: %v", stops[len(stops)-1].Insns, time.Since(start).Round(time.Millisecond))
	}
	e.shot("rewind-1-forward")
	if e.disabled("#step-back") {
		t.Fatalf("Step back is off at a stop: %s", e.attr("#step-back", "title"))
	}
	// One instruction at a time back to the writev's return.
	for i := len(stops) - 2; i >= wrote; i-- {
		start := time.Now()
		got := e.press("step-back")
		t.Logf("step back to %s instructions: %v", got.Insns, time.Since(start).Round(time.Millisecond))
		want := stops[i]
		if got.EIP != want.EIP || got.Regs != want.Regs || got.Insns != want.Insns ||
			got.Console != want.Console || got.Calls != want.Calls {
			e.shot("rewind-mismatch")
			t.Fatalf("back at stop %d:\n got %+v\nwant %+v", i, got, want)
		}
		if got.Changed == 0 && stops[i+1].Regs != want.Regs {
			t.Errorf("back at stop %d: no register marked changed against the newer state", i)
		}
	}
	e.shot("rewind-2-back-at-writev")
	// Back over the calls: the writev's output leaves the console.
	for i := wrote - 1; i >= 1; i-- {
		got := e.press("back-syscall")
		want := stops[i]
		if got.EIP != want.EIP || got.Regs != want.Regs || got.Console != want.Console || got.Calls != want.Calls {
			e.shot("rewind-mismatch")
			t.Fatalf("back a system call to stop %d:\n got %+v\nwant %+v", i, got, want)
		}
		if i == wrote-1 && strings.Contains(got.Console, "hello, world") {
			t.Errorf("back before the writev the console still shows %q", got.Console)
		}
	}
	e.shot("rewind-3-back-before-writev")
	// And forward again to the end.
	e.run("running to the end", chromedp.Click("#run"),
		chromedp.Poll(`document.querySelector("#stat-state").textContent === "Exited"`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	want, err := os.ReadFile("../../testvectors/expected/musl/hello.stdout") // the native run's
	if err != nil {
		t.Fatal(err)
	}
	if out := e.text("#console .console-text"); strings.TrimSpace(out) != strings.TrimSpace(string(want)) {
		t.Errorf("forward again the console shows %q, want %q", out, want)
	}
	if e.disabled("#step-back") {
		t.Error("Step back is off after the program exited (it can go back before the exit)")
	}

	// A long run: bench_sieve paused after a second. The first step back
	// replays from the start; while the program is stopped the worker
	// replays a shadow machine behind the stop, so the next ones replay
	// only from there.
	e.run("running bench_sieve for a second", chromedp.Click(`.program[data-key="musl/bench_sieve"]`),
		// The second counts from "Running": on a loaded CI machine the
		// load alone can take much of it.
		chromedp.Click("#run"),
		chromedp.Poll(`document.querySelector("#stat-state").textContent === "Running"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Sleep(time.Second), chromedp.Click("#pause"),
		chromedp.Poll(`document.querySelector("#stat-state").textContent.startsWith("Paused")`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	paused := e.text("#stat-insns")
	start := time.Now()
	first := e.press("step-back")
	t.Logf("MEASURE first step back after %s instructions: %v (%s)", paused, time.Since(start).Round(time.Millisecond), first.State)
	e.run("waiting for the shadow", chromedp.Sleep(4*time.Second))
	start = time.Now()
	second := e.press("step-back")
	t.Logf("MEASURE step back after %s instructions, from the shadow: %v (%s)", first.Insns, time.Since(start).Round(time.Millisecond), second.State)
	if !strings.Contains(second.State, "262143 instructions replayed") {
		t.Errorf("the second step back did not start from the shadow: %s", second.State)
	}
	e.shot("rewind-4-bench-sieve")
}

func (e *env) disabled(sel string) bool {
	e.t.Helper()
	var d bool
	e.run("reading "+sel, chromedp.Evaluate(`document.querySelector(`+strconvQuote(sel)+`).disabled`, &d))
	return d
}

// TestRewindShell types a line into the shell, then goes back a system
// call at a time until the program it ran has not written yet (its
// output leaves the console), then runs forward: the typed line is given
// again at the same instruction and the shell ends where it was.
func TestRewindShell(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url)
	waiting := func(what, text string) {
		e.run(what, chromedp.Poll(`document.querySelector("#stat-state").textContent === "Waiting for input" &&
			((document.querySelector("#console .console-text") || {}).textContent || "").includes(`+strconvQuote(text)+`)`,
			nil, chromedp.WithPollingTimeout(30*time.Second)))
	}
	e.run("starting the shell", chromedp.Click("#shell-entry"), chromedp.Click("#run"))
	waiting("waiting for the prompt", "$ ")
	e.run("typing hello", chromedp.SendKeys("#console-input", "hello"+kb.Enter))
	waiting("waiting for hello's output", "goodbye")
	done := e.text("#console .console-text")
	insns := e.text("#stat-insns")
	e.run("defining the helpers", chromedp.Evaluate(stopJS, nil))
	var s pageStop
	for i := 0; i < 60; i++ {
		if s = e.press("back-syscall"); !strings.Contains(s.Console, "hello, world") {
			break
		}
	}
	if strings.Contains(s.Console, "hello, world") || !strings.Contains(s.Console, "$ hello") {
		t.Fatalf("back a system call at a time, the console still shows %q", s.Console)
	}
	t.Logf("back before hello's write: %s, %s instructions", s.State, s.Insns)
	e.shot("rewind-5-shell-before-write")
	e.run("running forward", chromedp.Click("#run"))
	waiting("waiting for hello's output again", "goodbye")
	if got := e.text("#console .console-text"); got != done || e.text("#stat-insns") != insns {
		t.Errorf("forward again the shell is at %s instructions with %q, was %s with %q", e.text("#stat-insns"), got, insns, done)
	}
}
