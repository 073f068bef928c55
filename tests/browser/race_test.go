package browser

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// raceJS clicks Restart then button (run, step) back to back, n times,
// with a delay that walks across the load (0 to 12 ms, and every fourth
// try the moment the page shows "Loading…"), and reports, per try, the
// state the page settles in (end: Exited after a run, Paused after a
// step), its instruction count and console.
const raceJS = `(async (button, end, n) => {
	const sleep = (ms) => new Promise(r => setTimeout(r, ms));
	const q = (s) => document.querySelector(s);
	const state = () => q("#stat-state").textContent;
	const gen = () => q(".tw").dataset.gen;
	const consoleText = () => q("#console .console-text") ? q("#console .console-text").textContent : "";
	// settled waits for a load newer than g0 to end: at end, failed, or
	// still "Loaded" 2 s on (the click was lost).
	const settled = async (g0) => {
		for (let i = 0; i < 400; i++) {
			const s = state();
			if (gen() !== g0 && (s === end || s === "Failed" || (s === "Loaded" && i >= 200))) return s;
			await sleep(10);
		}
		return "stuck: " + state();
	};
	const tries = [];
	for (let i = 0; i < n; i++) {
		const g0 = gen();
		q("#restart-program").click();
		if (i % 4 === 3) {
			// Click the moment the page shows "Loading…": a timer poll
			// (4 ms at best) can miss a load that short, a
			// MutationObserver runs before the worker's next message.
			await new Promise((resolve) => {
				if (state() === "Loading…") return resolve();
				const mo = new MutationObserver(() => {
					if (state() === "Loading…") { mo.disconnect(); resolve(); }
				});
				mo.observe(q(".tw"), { subtree: true, childList: true, characterData: true });
				setTimeout(() => { mo.disconnect(); resolve(); }, 2000);
			});
		} else if (i % 8 > 0) {
			await sleep((i % 8) * 2);
		}
		const disabled = q("#" + button).disabled;
		const stateAtClick = state();
		q("#" + button).click();
		const got = await settled(g0);
		tries.push({ StateAtClick: stateAtClick, Disabled: disabled, End: got, Console: consoleText(),
			Insns: q("#stat-insns").textContent, Loads: gen() - g0 });
	}
	return tries;
})`

type raceTry struct {
	StateAtClick, End, Console, Insns string
	Disabled                          bool
	Loads                             int // how many loads the try made
}

// race runs raceJS and checks each try made one load and settled as ok
// says, and that some clicked while the page showed Loading….
func (e *env) race(button, end string, n int, ok func(raceTry) bool) {
	e.t.Helper()
	// A load can be so short that the page never renders "Loading…"
	// (seen for step: 0 of 16 tries in one CI run), so rounds repeat, up
	// to three, until some click landed during a load.
	var tries []raceTry
	for round := 0; round < 3 && !clickedLoading(tries); round++ {
		var more []raceTry
		e.run("restarting and pressing "+button+" at once",
			chromedp.Evaluate(fmt.Sprintf("(%s)(%q, %q, %d)", raceJS, button, end, n), &more, await))
		if len(more) != n {
			e.t.Fatalf("%d tries reported, want %d", len(more), n)
		}
		tries = append(tries, more...)
	}
	atLoading, lost := 0, 0
	for i, tr := range tries {
		if tr.StateAtClick == "Loading…" {
			atLoading++
		}
		if !ok(tr) {
			lost++
			e.t.Errorf("try %d: %s clicked at %q (button disabled: %v): settled at %q after %d loads, %s instructions, console %q",
				i, button, tr.StateAtClick, tr.Disabled, tr.End, tr.Loads, tr.Insns, tr.Console)
		} else if tr.Loads != 1 {
			e.t.Errorf("try %d: %s clicked at %q loaded the program %d times, want once", i, button, tr.StateAtClick, tr.Loads)
		}
	}
	e.t.Logf("MEASURE restart+%s: %d of %d tries lost the click (%d clicked while the page showed Loading…)", button, lost, len(tries), atLoading)
	if atLoading == 0 {
		e.t.Errorf("no %s was clicked during a load: the test missed the race", button)
	}
}

// TestRestartRunRace: a Run (or Step) clicked while the Restart's load is
// still in flight must apply to the program that load brings (it used to
// be lost: the page settled at "Loaded" about one try in six).
func TestRestartRunRace(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url + "#musl/hello")
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	var first string
	e.run("running hello once", chromedp.Click("#run", chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#stat-state").textContent === "Exited"`, nil),
		chromedp.Text("#console .console-text", &first, chromedp.ByQuery))
	if !strings.Contains(first, "hello, world") {
		t.Fatalf("hello printed %q", first)
	}
	e.race("run", "Exited", 24, func(tr raceTry) bool {
		return tr.End == "Exited" && strings.Count(tr.Console, first) == 1
	})
	e.race("step", "Paused", 16, func(tr raceTry) bool {
		return tr.End == "Paused" && tr.Insns == "1" && tr.Console == ""
	})
	e.shot("race-restart-run")
}

// selectJS picks a program and clicks Run at once (0 to 6 ms later), n
// times, alternating between two programs.
const selectJS = `(async (keys, n) => {
	const sleep = (ms) => new Promise(r => setTimeout(r, ms));
	const q = (s) => document.querySelector(s);
	const state = () => q("#stat-state").textContent;
	const gen = () => q(".tw").dataset.gen;
	const tries = [];
	for (let i = 0; i < n; i++) {
		const key = keys[i % keys.length], g0 = gen();
		q('.program[data-key="' + key + '"]').click();
		await sleep((i % 4) * 2);
		q("#run").click();
		let end = "stuck";
		for (let k = 0; k < 400; k++) {
			const s = state();
			if (gen() !== g0 && (s === "Exited" || s === "Failed" || (s === "Loaded" && k >= 200))) { end = s; break; }
			await sleep(10);
		}
		const c = q("#console .console-text");
		tries.push({ Key: key, End: end, Console: c ? c.textContent : "" });
	}
	return tries;
})`

// TestSelectRunRace: Run clicked right after picking a program runs the
// program picked, every time.
func TestSelectRunRace(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url + "#musl/hello")
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	want := map[string]string{} // first stdout line, recorded natively
	for _, k := range []string{"musl/hello", "musl/exitcode"} {
		b, err := os.ReadFile("../../testvectors/expected/" + k + ".stdout")
		if err != nil {
			t.Fatal(err)
		}
		if want[k], _, _ = strings.Cut(string(b), "\n"); want[k] == "" {
			t.Fatalf("%s prints nothing to tell it by", k)
		}
	}
	var tries []struct{ Key, End, Console string }
	e.run("picking and running at once", chromedp.Evaluate(`(`+selectJS+`)(["musl/exitcode", "musl/hello"], 16)`, &tries, await))
	if len(tries) != 16 {
		t.Fatalf("%d tries reported", len(tries))
	}
	for i, tr := range tries {
		other := "musl/hello"
		if tr.Key == other {
			other = "musl/exitcode"
		}
		if tr.End != "Exited" || !strings.Contains(tr.Console, want[tr.Key]) || strings.Contains(tr.Console, want[other]) {
			t.Errorf("try %d (%s): settled at %q with console %q", i, tr.Key, tr.End, tr.Console)
		}
	}
	e.shot("race-select-run")
}

func clickedLoading(tries []raceTry) bool {
	for _, tr := range tries {
		if tr.StateAtClick == "Loading…" {
			return true
		}
	}
	return false
}
