package scenario

import (
	"bytes"
	"encoding/json"
)

// ReportFormat names the report's JSON layout.
const ReportFormat = "trapdoor-report/1"

// Report is the outcome of grading a scenario. Its JSON (Marshal) has a
// fixed field order and nothing that depends on the host (no times, no
// host paths), so the page and the CLI produce the same bytes.
type Report struct {
	Format   string `json:"format"`
	Scenario string `json:"scenario,omitempty"`
	Title    string `json:"title,omitempty"`
	// ScenarioSHA256 is the hash of the scenario's canonical JSON.
	ScenarioSHA256 string `json:"scenario_sha256"`
	Passed         bool   `json:"passed"`
	Points         int    `json:"points"`
	MaxPoints      int    `json:"max_points"`
	// Error is why the run could not happen or ended abnormally (a
	// missing program, an emulator failure); checks then fail.
	Error        string        `json:"error,omitempty"`
	Instructions uint64        `json:"instructions"`
	Files        []FileResult  `json:"files,omitempty"`
	Steps        []StepResult  `json:"steps,omitempty"`
	Checks       []CheckResult `json:"checks"`
}

// FileResult says what went into the guest at a path.
type FileResult struct {
	Path   string `json:"path"`
	Source string `json:"source"` // "vector musl/hello", "slot testit", "text", "data"
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// StepResult is how one command went.
type StepResult struct {
	ID      string `json:"id,omitempty"`
	Command string `json:"command,omitempty"` // argv joined by blanks; "wait" for a wait
	Pid     int    `json:"pid,omitempty"`
	// Error is why the command could not start (status 127 then).
	Error string `json:"error,omitempty"`
	// Ended is false when the command was still running when the run
	// stopped (it cannot be, after a wait, unless the machine failed).
	Ended  bool   `json:"ended"`
	Status int    `json:"status"`           // exit code, or 128+signal
	Signal string `json:"signal,omitempty"` // the signal that killed it
	// Stdout and Stderr are what the command and its children wrote,
	// cut to ExcerptBytes; the byte counts are whole.
	Stdout      string `json:"stdout,omitempty"`
	StdoutBytes int    `json:"stdout_bytes"`
	Stderr      string `json:"stderr,omitempty"`
	StderrBytes int    `json:"stderr_bytes"`
}

// CheckResult is one check's verdict and its evidence.
type CheckResult struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Step      string `json:"step,omitempty"`
	Message   string `json:"message,omitempty"`
	Passed    bool   `json:"passed"`
	Points    int    `json:"points"`
	MaxPoints int    `json:"max_points"`
	// Expected and Got say what was asked for and what was found.
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Detail explains a failure ("argument 2: want 5, got 13").
	Detail string `json:"detail,omitempty"`
	// Excerpt is the part of an output or log the check looked at.
	Excerpt string `json:"excerpt,omitempty"`
	// Trace lines: those that matched the pattern, and the nearest
	// candidates for the first pattern that did not.
	Matched []string `json:"matched,omitempty"`
	Nearest []string `json:"nearest,omitempty"`
	// Error is why the check could not be evaluated at all (the state
	// it asks about is not supported yet, the trace was cut).
	Error string `json:"error,omitempty"`
}

// Marshal returns the report's JSON, indented, with a final newline.
func (r *Report) Marshal() []byte { return marshalIndent(r) }

// marshalIndent writes JSON indented by two spaces, with a final newline
// and without escaping <, > and & (reports and scenarios are read by
// people, not pasted into HTML).
func marshalIndent(v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		panic(err) // plain data: cannot fail
	}
	return b.Bytes()
}

// ExcerptBytes bounds every text excerpt in a report.
const ExcerptBytes = 2048

// excerpt cuts s to ExcerptBytes, marking the cut, on a UTF-8 boundary.
func excerpt(s string) string {
	if len(s) <= ExcerptBytes {
		return s
	}
	cut := ExcerptBytes
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "\n[... " + itoa(len(s)-cut) + " more bytes]"
}
