package protocol

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Scenario messages (issue 6). The page's scenario view talks to a worker
// of its own (the same web/worker.js), so grading never disturbs the
// program running in the workbench. Every scenario request starts with
// ScenarioPrefix in its JSON, so the worker tells them from session
// requests without decoding a message twice.
const (
	// ScenarioOpen reads a scenario (Source, or the file at URL) and
	// answers with its Info, or an Error saying what is wrong with it,
	// and with the link that opens it (Base, the programs embedded).
	ScenarioOpen = "scenario-open"
	// ScenarioGrade grades a scenario with the programs in the slots and
	// answers with the Report, the bytes `trapdoor grade` prints.
	ScenarioGrade = "scenario-grade"
	// ScenarioAddModule adds Module to the scenario (core/scenario's
	// AddModule) and answers as ScenarioOpen does for the result: the
	// page then opens the answer's Link, the variant.
	ScenarioAddModule = "scenario-add-module"
	// ScenarioAnswer is the worker's answer to any of them.
	ScenarioAnswer = "scenario"
	// ScenarioProgress comes, any number of times, while a grade runs:
	// Progress says what is running and how much is done.
	ScenarioProgress = "scenario-progress"
)

// ScenarioPrefix starts every encoded ScenarioRequest.
const ScenarioPrefix = `{"type":"scenario-`

// IsScenarioRequest reports whether a page message is a ScenarioRequest.
func IsScenarioRequest(s string) bool { return strings.HasPrefix(s, ScenarioPrefix) }

// ScenarioRequest is a page-to-worker scenario message. Type must stay
// the first field (ScenarioPrefix).
type ScenarioRequest struct {
	Type string `json:"type"`
	// ID is echoed in the answer, so the page drops answers it no longer
	// waits for.
	ID int `json:"id"`
	// Source is the scenario's JSON or a link (a URL or a fragment
	// holding "s1=..."); URL, when Source is empty, is a file to fetch
	// relative to the worker script (scenarios/hello.json).
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	// Base is the page's URL the link is made for.
	Base string `json:"base,omitempty"`
	// Programs fill slots by name (the files the student picked).
	Programs map[string][]byte `json:"programs,omitempty"`
	// Module is the kernel module ScenarioAddModule adds.
	Module *ScenarioModule `json:"module,omitempty"`
}

// ScenarioModule is a kernel module someone adds to a scenario: Name
// (a file name's ".o" is dropped) and the object itself.
type ScenarioModule struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// ScenarioEvent answers a ScenarioRequest.
type ScenarioEvent struct {
	Type string `json:"type"`
	ID   int    `json:"id"`
	// Version is the worker's protocol Version, on its ready event.
	Version int `json:"version,omitempty"`
	// Error says why the scenario cannot be read (malformed JSON, an
	// unknown version, a check that names nothing, a damaged link).
	Error string        `json:"error,omitempty"`
	Info  *ScenarioInfo `json:"info,omitempty"`
	Link  string        `json:"link,omitempty"`
	// Report is the report's JSON exactly as `trapdoor grade` prints it.
	Report string `json:"report,omitempty"`
	// Progress is where a grade is (ScenarioProgress events).
	Progress *GradeProgress `json:"progress,omitempty"`
}

// GradeProgress is core/scenario's Progress: Done of Total items (the
// steps, then the checks) are finished, Doing is the one under way.
type GradeProgress struct {
	Done         int    `json:"done"`
	Total        int    `json:"total"`
	Doing        string `json:"doing,omitempty"`
	Instructions uint64 `json:"instructions"`
}

// ScenarioInfo is a parsed scenario, flattened for the page (which does
// not link the emulator core).
type ScenarioInfo struct {
	ID          string            `json:"id,omitempty"`
	Title       string            `json:"title,omitempty"`
	Course      string            `json:"course,omitempty"`
	Description string            `json:"description,omitempty"`
	Notes       []string          `json:"notes,omitempty"`
	Machine     []KeyValue        `json:"machine,omitempty"`
	Files       []KeyValue        `json:"files,omitempty"`   // guest path, where it comes from
	Modules     []KeyValue        `json:"modules,omitempty"` // name, where it comes from
	Steps       []ScenarioStep    `json:"steps,omitempty"`
	View        *ScenarioView     `json:"view,omitempty"`
	Checks      []ScenarioCheck   `json:"checks,omitempty"`
	Slots       []ScenarioSlot    `json:"slots,omitempty"`
	Open        *ScenarioWorkshop `json:"open,omitempty"`
}

// KeyValue is one line of a settings list.
type KeyValue struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// ScenarioStep is one command (or a wait) as the page lists it.
type ScenarioStep struct {
	ID         string `json:"id,omitempty"`
	Command    string `json:"command"`
	Stdin      string `json:"stdin,omitempty"`
	Background bool   `json:"background,omitempty"`
}

// ScenarioView is what the scenario asks the page to open.
type ScenarioView struct {
	Panel       string   `json:"panel,omitempty"`
	Step        string   `json:"step,omitempty"`
	Breakpoints []string `json:"breakpoints,omitempty"`
	StopAt      string   `json:"stopAt,omitempty"`
}

// ScenarioCheck is one check as the page lists it before grading.
type ScenarioCheck struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Step    string `json:"step,omitempty"`
	Points  int    `json:"points"`
	Message string `json:"message,omitempty"`
}

// ScenarioSlot is a program the scenario expects someone to supply.
type ScenarioSlot struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	Default  string `json:"default,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Embedded bool   `json:"embedded,omitempty"`
	// NeedsFile: nothing the page has fills the slot (no default, or a
	// pin that the default does not match): the page asks for the file.
	NeedsFile bool `json:"needsFile,omitempty"`
}

// ScenarioWorkshop is how the workbench opens the view's step: its
// program (a test vector the site ships) with the step's argv, environment
// and stdin, and the breakpoints the view asks for.
type ScenarioWorkshop struct {
	Vector string `json:"vector,omitempty"`
	// Slot is the slot the step's program comes from, if any; Data is
	// the program the link carries in it (the page opens a program
	// picked for the slot, then Data, then Vector, the slot's default).
	Slot   string   `json:"slot,omitempty"`
	Data   []byte   `json:"data,omitempty"`
	Args   []string `json:"args,omitempty"`
	Env    []string `json:"env,omitempty"`
	Stdin  string   `json:"stdin,omitempty"`
	Breaks []string `json:"breaks,omitempty"`
	Panel  string   `json:"panel,omitempty"`
	// Run: the view stops at the end, or at a breakpoint: run at once.
	Run bool `json:"run,omitempty"`
	// Machine are the files a workbench Load adds to start the step on
	// the machine the scenario prepares (ScenarioMachineFile and the test
	// vectors it needs, under ScenarioVectorDir).
	Machine []File `json:"machine,omitempty"`
	// Differs lists what the workbench does not reproduce (the steps
	// after the shown one).
	Differs []string `json:"differs,omitempty"`
}

// A workbench Load whose Files hold ScenarioMachineFile starts on the
// machine its scenario prepares (core/scenario.Prepare): the scenario's
// kernel settings, files and modules, the steps before the shown one
// run, the shown step's command started. The Load's program is that
// command's (its symbols); the Load's other settings and files give way
// to the scenario's. The files under ScenarioVectorDir are the test
// vectors the scenario names, by name. None of them enters the guest.
const (
	ScenarioMachineFile = "/.trapdoor/scenario.json"
	ScenarioVectorDir   = "/.trapdoor/vectors/"
)

// ScenarioMachine is ScenarioMachineFile's contents.
type ScenarioMachine struct {
	// Scenario is the scenario's JSON.
	Scenario string `json:"scenario"`
	// Step is the id of the step shown ("": the view's).
	Step string `json:"step,omitempty"`
	// Programs fill slots by name, as in a ScenarioRequest.
	Programs map[string][]byte `json:"programs,omitempty"`
}

// ScenarioEntry is one scenario of the library the site ships.
type ScenarioEntry struct {
	ID          string `json:"id"`
	File        string `json:"file"` // relative to web/: scenarios/hello.json
	Title       string `json:"title,omitempty"`
	Course      string `json:"course,omitempty"`
	Description string `json:"description,omitempty"`
	Slots       int    `json:"slots,omitempty"`
	Checks      int    `json:"checks,omitempty"`
}

// ReportView mirrors the parts of core/scenario's report the page shows
// (the page shows and offers the report's own bytes as well).
type ReportView struct {
	Format       string            `json:"format"`
	Scenario     string            `json:"scenario"`
	Title        string            `json:"title"`
	Passed       bool              `json:"passed"`
	Points       int               `json:"points"`
	MaxPoints    int               `json:"max_points"`
	Error        string            `json:"error"`
	Instructions uint64            `json:"instructions"`
	Files        []ReportFile      `json:"files"`
	Steps        []ReportStep      `json:"steps"`
	Checks       []ReportCheckView `json:"checks"`
}

// ReportFile is one file of a report.
type ReportFile struct {
	Path   string `json:"path"`
	Source string `json:"source"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ReportStep is one step of a report.
type ReportStep struct {
	ID      string `json:"id"`
	Command string `json:"command"`
	Pid     int    `json:"pid"`
	Error   string `json:"error"`
	Ended   bool   `json:"ended"`
	Status  int    `json:"status"`
	Signal  string `json:"signal"`
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
}

// ReportCheckView is one check's verdict and evidence.
type ReportCheckView struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Step      string   `json:"step"`
	Message   string   `json:"message"`
	Passed    bool     `json:"passed"`
	Points    int      `json:"points"`
	MaxPoints int      `json:"max_points"`
	Expected  string   `json:"expected"`
	Got       string   `json:"got"`
	Detail    string   `json:"detail"`
	Excerpt   string   `json:"excerpt"`
	Matched   []string `json:"matched"`
	Nearest   []string `json:"nearest"`
	Error     string   `json:"error"`
}

// DecodeScenarioRequest parses a ScenarioRequest.
func DecodeScenarioRequest(s string) (ScenarioRequest, error) {
	var r ScenarioRequest
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return r, fmt.Errorf("bad scenario request %.80q: %v", s, err)
	}
	return r, nil
}

// DecodeScenarioEvent parses a worker message for the scenario view: an
// answer, or any other event (ready, fatal) with its Type and Error.
func DecodeScenarioEvent(s string) (ScenarioEvent, error) {
	var e ScenarioEvent
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return e, fmt.Errorf("bad event %.80q: %v", s, err)
	}
	if e.Type == "" {
		return e, fmt.Errorf("event without a type: %.80q", s)
	}
	return e, nil
}

// DecodeReport reads a report's JSON for display.
func DecodeReport(s string) (ReportView, error) {
	var r ReportView
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}
