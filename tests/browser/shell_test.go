package browser

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// prompt is the shell's prompt in /bin (protocol.ShellLoad's PS1).
const prompt = "/bin $ "

// TestShell types into the page's shell (busybox sh with the test programs
// in /bin): the INFO0940 sequence, each program a process of one kernel,
// then change_cmdline in the background while ps runs.
func TestShell(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url)
	start := time.Now()
	console := func() string {
		var s string
		e.run("reading the console", chromedp.Evaluate(`(document.querySelector("#console .console-text") || {}).textContent || ""`, &s))
		return s
	}
	waitPrompt := func(what string, n int) {
		e.run(what, chromedp.Poll(`document.querySelector("#stat-state").textContent === "Waiting for input" &&
			((document.querySelector("#console .console-text") || {}).textContent || "").split(`+strconv.Quote(prompt)+`).length - 1 >= `+strconv.Itoa(n),
			nil, chromedp.WithPollingTimeout(30*time.Second)))
	}
	prompts := 0
	// typeLine types a line into the console and waits for the next
	// prompt; it returns what the console got since the line was typed.
	typeLine := func(line string) string {
		t.Helper()
		before := len(console())
		prompts++
		e.run("typing "+line, chromedp.SendKeys("#console-input", line+kb.Enter))
		waitPrompt("waiting for the prompt after "+line, prompts)
		return console()[before:]
	}
	setBreaks := func(b string) chromedp.Action { return setField("#breaks", b) }

	e.run("starting the shell", chromedp.Click("#shell-entry"),
		setField("#shell-seed", "7"), // a setting that applies at start
		chromedp.Click("#run"))
	prompts = 1
	waitPrompt("waiting for the shell's first prompt", prompts)
	t.Logf("MEASURE shell entry click to its first prompt: %v (busybox and %s fetched)", time.Since(start).Round(time.Millisecond), "the musl programs")

	out := typeLine("./test -o set_param -p fork")
	if !strings.Contains(out, "pf_set_param performed successfully.") {
		t.Errorf("set_param printed %q", out)
	}
	out = typeLine("fork")
	at := regexp.MustCompile(`wrote (\d+) pages of a private mapping at 0x([0-9a-f]+) after fork`).FindStringSubmatch(out)
	if at == nil {
		t.Fatalf("fork printed %q", out)
	}
	region, _ := strconv.ParseUint(at[2], 16, 32)
	out = typeLine("./test -o get_info -p fork")
	e.shot("shell-01-info0940")
	head := regexp.MustCompile(`Number of VMA      : (\d+)\nNumber of COW faults: (\d+)\nAll VMA:\n`).FindStringSubmatchIndex(out)
	if head == nil {
		t.Fatalf("get_info printed %q", out)
	}
	rows := regexp.MustCompile(`(?m)^\[([ \d]\d)\]: 0x([0-9a-f]+) - 0x([0-9a-f]+) \(size: 0x([0-9a-f]+)\): (\d+) cow faults$`).FindAllStringSubmatch(out, -1)
	if n, _ := strconv.Atoi(out[head[2]:head[3]]); n != len(rows) || n == 0 {
		t.Errorf("get_info says %d VMAs and lists %d: %q", n, len(rows), out)
	}
	found := false
	for _, r := range rows {
		lo, _ := strconv.ParseUint(r[2], 16, 32)
		hi, _ := strconv.ParseUint(r[3], 16, 32)
		size, _ := strconv.ParseUint(r[4], 16, 32)
		if hi-lo != size {
			t.Errorf("row %q: the size is not end - start", r[0])
		}
		if lo <= region && region < hi {
			found = true
			if faults, _ := strconv.Atoi(r[5]); faults == 0 {
				t.Errorf("no CoW fault in fork's mapping: %q", r[0])
			}
		}
	}
	if !found {
		t.Errorf("no VMA holds fork's mapping at %#x: %q", region, out)
	}
	if out = typeLine("./test -o cleanup"); !strings.Contains(out, "pf_cleanup performed successfully.") {
		t.Errorf("cleanup printed %q", out)
	}
	// Each program was a process of its own: the trace names their pids.
	var pids []string
	e.run("reading the trace's pids", chromedp.Evaluate(`[...new Set([...document.querySelectorAll("#trace .trace-line .pid")].map(p => p.textContent.trim()))]`, &pids))
	if len(pids) < 4 {
		t.Errorf("the trace shows the pids %q, want the shell's and each program's", pids)
	}

	// Time passes as on a real terminal: a foreground sleep takes its
	// second of wall time, and a job sleeping in the background prints
	// on time while the shell waits for a line (the worker wakes for
	// its timer; nothing is typed).
	for _, c := range []struct{ line, want string }{
		{"sleep 1; echo slept", "\nslept\n"},
		{"(sleep 1; echo woke in the background) &", "woke in the background\n"}, // after the prompt
	} {
		var took float64
		e.run("timing "+c.line, chromedp.Evaluate(`window.enterAt = 0; window.consoleBefore = `+
			`((document.querySelector("#console .console-text") || {}).textContent || "").length;
			document.querySelector("#console-input").addEventListener("keydown", ev => {
				if (ev.key === "Enter" && !window.enterAt) window.enterAt = performance.now();
			});`, nil),
			chromedp.SendKeys("#console-input", c.line+kb.Enter),
			chromedp.Evaluate(`(async () => {
				const sleep = (ms) => new Promise(r => setTimeout(r, ms));
				const text = () => ((document.querySelector("#console .console-text") || {}).textContent || "").slice(window.consoleBefore);
				const t0 = performance.now();
				while (!text().includes(`+strconv.Quote(c.want)+`) && performance.now() - t0 < 20000) await sleep(2);
				return text().includes(`+strconv.Quote(c.want)+`) ? performance.now() - window.enterAt : -1;
			})()`, &took, await))
		prompts++
		waitPrompt("waiting for the prompt after "+c.line, prompts)
		t.Logf("MEASURE %q: its output %.0f ms after Enter (1000 ms asked)", c.line, took)
		if took < 1000 {
			t.Errorf("%q printed %.0f ms after Enter, want at least the 1 s slept (-1: never)", c.line, took)
		}
	}

	// As the page's hint says: ps typed on its own line, while a job
	// sleeps before its change, shows the job's original command line.
	typeLine("change_cmdline -s 3 &")
	if out := typeLine("ps"); !regexp.MustCompile(`\n +\d+ +root +(\{change_cmdline\} )?change_cmdline -s 3\n`).MatchString(out) {
		t.Errorf("ps typed during the job's sleep: %q", out)
	}
	if out := typeLine("wait"); !strings.Contains(out, "change_cmdline: all ok\n") {
		t.Errorf("the job did not end: %q", out)
	}

	// change_cmdline in the background: stopped after its call, the
	// process table (several processes) reads the new command line from
	// its memory; then ps, run while it sleeps, shows it too (ps on the
	// same line runs within the job's sleep however fast one types).
	var cmds []string
	var trace []string
	// Its first calls test bad arguments: run on until the one that
	// changed the command line.
	e.run("stopping after change_cmdline", setBreaks("change_cmdline()"),
		chromedp.SendKeys("#console-input", "change_cmdline -s 2 & sleep 3; ps"+kb.Enter),
		chromedp.Evaluate(`(async () => {
			const sleep = (ms) => new Promise(r => setTimeout(r, ms));
			const changed = () => [...document.querySelectorAll("#procs td.cmd")].some(c => c.textContent.includes("Yen-Chun"));
			const t0 = performance.now();
			for (let i = 0; i < 10 && performance.now() - t0 < 20000; i++) {
				while (document.querySelector("#stat-state").textContent !== "Paused: breakpoint on change_cmdline" &&
					performance.now() - t0 < 20000) await sleep(5);
				if (changed()) return;
				document.querySelector("#run").click();
				await sleep(50);
			}
		})()`, nil, await),
		chromedp.Evaluate(`[...document.querySelectorAll("#procs td.cmd")].map(c => c.textContent)`, &cmds),
		chromedp.Evaluate(`[...document.querySelectorAll("#trace .trace-line")].map(l => l.textContent)`, &trace),
	)
	e.shot("shell-02-change_cmdline")
	if len(cmds) < 2 || !contains(cmds, "Yen-Chun Hsu 0056021") {
		t.Errorf("the process table shows %q", cmds)
	}
	called := false
	for _, l := range trace {
		called = called || strings.HasPrefix(l, "[pid ") && strings.Contains(l, "] change_cmdline(")
	}
	if !called {
		t.Errorf("no change_cmdline line with its pid in the trace: %q", trace[max(0, len(trace)-5):])
	}
	before := len(console())
	psBefore := before
	prompts++
	e.run("running on", setBreaks(""), chromedp.Click("#run"))
	waitPrompt("waiting for ps", prompts)
	out = console()[before:]
	e.shot("shell-03-ps")
	if !regexp.MustCompile(`\n +\d+ +root +(\{change_cmdline\} )?Yen-Chun Hsu 0056021\n`).MatchString(out) {
		t.Errorf("ps does not show the new command line: %q", out)
	}
	// The job sleeps its last 2 s in real time; wait for its end.
	if out = typeLine("wait"); !strings.Contains(console()[psBefore:], "change_cmdline: all ok\n") {
		t.Errorf("change_cmdline did not end: %q", out)
	}

	// Many processes: a fork bomb hits the process limit (512 tasks: the
	// shell, forkbomb and 510 children), fork500's 500 children follow.
	// The trace keeps its latest lines, the shell carries on.
	// Stopped at forkbomb's first wait4 (all its children made, one
	// reaped), the process table counts the tasks near the limit (512) and
	// shows 200 rows of them.
	var procs struct {
		Rows int    `json:"rows"`
		Meta string `json:"meta"`
	}
	before = len(console())
	e.run("stopping forkbomb at its first wait4", setBreaks("wait4()"),
		chromedp.SendKeys("#console-input", "forkbomb 600"+kb.Enter),
		chromedp.Evaluate(`(async () => {
			const sleep = (ms) => new Promise(r => setTimeout(r, ms));
			const rows = () => document.querySelectorAll("#procs tr.proc").length;
			const t0 = performance.now();
			for (let i = 0; i < 5 && performance.now() - t0 < 30000; i++) {
				while (document.querySelector("#stat-state").textContent !== "Paused: breakpoint on wait4" &&
					performance.now() - t0 < 30000) await sleep(5);
				if (rows() > 100) break;
				document.querySelector("#run").click();
				await sleep(50);
			}
			return { rows: rows(), meta: document.querySelector("#procs .panel-meta").textContent };
		})()`, &procs, await))
	e.shot("shell-04-forkbomb")
	all := regexp.MustCompile(`, (\d+) in all$`).FindStringSubmatch(procs.Meta)
	if procs.Rows != 200 || all == nil || all[1] < "500" || len(all[1]) != 3 {
		t.Errorf("stopped in forkbomb, the process table has %d rows and says %q", procs.Rows, procs.Meta)
	}
	prompts++
	e.run("running forkbomb on", setBreaks(""), chromedp.Click("#run"))
	waitPrompt("waiting for forkbomb's end", prompts)
	if out := console()[before:]; !strings.Contains(out, "forkbomb: wanted 600, created 510, EAGAIN 90, ENOMEM 0, other 0, reaped 510") {
		t.Errorf("forkbomb printed %q", out)
	}

	t0 := time.Now()
	out = typeLine("forkbomb 600; fork500")
	t.Logf("MEASURE forkbomb 600; fork500 typed to the next prompt: %v", time.Since(t0).Round(time.Millisecond))
	for _, want := range []string{"forkbomb: wanted 600, created 510, EAGAIN 90, ENOMEM 0, other 0, reaped 510",
		"fork500: forked 500 of 500 (failed forks 0), reaped 500, children failed 0, messages 500, distinct 500, malformed 0: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("the console lacks %q: %q", want, out)
		}
	}
	var shown struct {
		Lines int    `json:"lines"`
		Pids  int    `json:"pids"`
		Meta  string `json:"meta"`
	}
	e.run("reading the trace", chromedp.Evaluate(`(() => {
		const lines = [...document.querySelectorAll("#trace .trace-line")];
		const pids = new Set(lines.map(l => (l.querySelector(".pid") || {}).textContent));
		return { lines: lines.length, pids: pids.size, meta: document.querySelector("#trace .panel-meta").textContent };
	})()`, &shown))
	e.shot("shell-05-many")
	t.Logf("the trace shows %d lines of %d processes; %s", shown.Lines, shown.Pids, shown.Meta)
	if shown.Lines > 1000 || shown.Pids < 10 {
		t.Errorf("the trace shows %d lines of %d processes, want at most 1000 of many", shown.Lines, shown.Pids)
	}
	if n, _ := strconv.Atoi(strings.NewReplacer(",", "", " calls", "").Replace(shown.Meta)); n < 10000 {
		t.Errorf("the trace counts %q, want every call of the thousand processes", shown.Meta)
	}
	// Crashes of twenty processes: the kernel log says each, with its pid.
	typeLine("for i in $(seq 20); do crash_segv; done")
	var klog []string
	e.run("reading the kernel log", chromedp.Click("#tab-log"), chromedp.WaitVisible("#trace .klog", chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("#trace .klog")].map(l => l.textContent)`, &klog))
	e.shot("shell-06-klog")
	segv := map[string]bool{}
	for _, l := range klog {
		if m := regexp.MustCompile(`crash_segv\[(\d+)\]: segfault`).FindStringSubmatch(l); m != nil {
			segv[m[1]] = true
		}
	}
	if len(segv) != 20 {
		t.Errorf("the kernel log names %d crashed pids, want 20: %q", len(segv), klog[max(0, len(klog)-3):])
	}

	// Offline, after a reload: busybox and the programs come from the
	// service worker's cache, and the profile chosen applies at start
	// (test -N uses the handout's numbers 385-387, linux-4.15's).
	defer e.goOffline()()
	e.load(e.url + "?from=shell#shell/sh") // a real navigation, not a fragment change
	var seed string
	e.run("reading the kept seed", chromedp.WaitVisible("#shell-profile", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#shell-seed").value`, &seed))
	if seed != "7" {
		t.Errorf("after a reload the seed field shows %q, want the 7 set before", seed)
	}
	e.run("starting the shell offline under linux-4.15", chromedp.WaitVisible("#shell-profile", chromedp.ByQuery),
		setField("#shell-profile", "linux-4.15"), chromedp.Click("#run"))
	prompts = 1
	waitPrompt("waiting for the offline shell's prompt", prompts)
	if out := typeLine("./test -N -o set_param -p fork"); !strings.Contains(out, "pf_set_param performed successfully.") {
		t.Errorf("under linux-4.15, test -N printed %q", out)
	}
	e.shot("shell-07-offline")
	// The settings survive another visit: the profile chosen offline and
	// the seed set at the start.
	e.load(e.url + "?from=shell-again#shell/sh")
	var kept []string
	e.run("reading the kept settings", chromedp.WaitVisible("#shell-profile", chromedp.ByQuery),
		chromedp.Evaluate(`["#shell-profile", "#shell-msgbox", "#shell-seed"].map(s => document.querySelector(s).value)`, &kept))
	if strings.Join(kept, " ") != "linux-4.15 keep 7" {
		t.Errorf("after a reload the shell's settings are %q, want linux-4.15 keep 7", kept)
	}
	t.Logf("MEASURE shell test: %v from the first click", time.Since(start).Round(time.Millisecond))
}

// setField sets an input's or a select's value as a user does: the page
// reads it on "change".
// setField sets a form field and fires its change event. It first waits
// for the field: go-app renders after the click that reveals it, so on a
// slow machine the field may not be there yet.
func setField(sel, value string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitReady(sel, chromedp.ByQuery),
		chromedp.Evaluate(`(() => {
		const f = document.querySelector(`+strconv.Quote(sel)+`);
		f.value = `+strconv.Quote(value)+`;
		f.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, nil),
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
