package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestModuleHeaderOnAScenarioMachine: a scenario's view opened in the
// workbench runs on a machine with the scenario's module loaded; the
// modules panel says so though the user picked none (it said "none").
func TestModuleHeaderOnAScenarioMachine(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url)
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	if h := e.text("#modules-meta"); h != "none loaded" {
		t.Errorf("with no program and no module picked the header says %q", h)
	}
	e.scenarioPage("scenario/dm510-module", "dm510-module", false)
	e.run("opening the view in the workbench",
		chromedp.Poll(`!document.querySelector("#open-workbench").disabled`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Click("#open-workbench"),
		chromedp.WaitVisible("#workbench-view #scenario-banner"),
		chromedp.Poll(`document.querySelector("#modules-meta").textContent.includes("loaded:")`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	e.shot("module-meta-scenario")
	h := e.text("#modules-meta")
	rows := e.text("#kmod-syscalls")
	if !strings.HasPrefix(h, "1 loaded: msgbox") || !strings.Contains(rows, "msgbox") {
		t.Errorf("the scenario's machine has msgbox loaded (table %q), the header says %q", rows, h)
	}
	var picked int
	e.run("counting picks", chromedp.Evaluate(`document.querySelectorAll(".kmod-example.kmod-on, .kmod-upload").length`, &picked))
	if picked != 0 {
		t.Errorf("%d modules shown as picked by the user; the test wants none", picked)
	}
}
