package protocol

// Stepping back (issue 5): the machine is deterministic for a given Load
// (seeded scheduler and randomness, virtual time), so the worker rebuilds
// an earlier state by running a fresh machine from the same Load to an
// earlier instruction count, giving it every input the user gave at the
// count where it first arrived (wasm/session/rewind.go).

// Request types for stepping back.
const (
	// StepBack goes back Count instructions (1 when zero).
	StepBack = "step-back"
	// BackSyscall goes back to where the previous system call returned
	// (where Next syscall stopped, or would have).
	BackSyscall = "back-syscall"
)

// Rewind is what the page shows of the past once it has stepped back:
// its panels are replaced with these, cut at the earlier point.
type Rewind struct {
	// To is the instruction count the machine is back at; Replayed how
	// many instructions it replayed to get there (from the start, or
	// from the shadow machine kept behind the stop).
	To       uint64 `json:"to"`
	Replayed uint64 `json:"replayed,omitempty"`
	// Console is the console's latest bytes at that point; ConsoleCut
	// says earlier ones were left out.
	Console    []Output `json:"console,omitempty"`
	ConsoleCut bool     `json:"consoleCut,omitempty"`
	// Trace is the latest trace lines, of TraceTotal lines in all.
	Trace      []TraceLine `json:"trace,omitempty"`
	TraceTotal int         `json:"traceTotal,omitempty"`
	// Log is the kernel log's latest lines.
	Log []string `json:"log,omitempty"`
}

// History limits: what a rewind sends back (the page keeps as much).
const (
	KeepConsoleBytes = 256 << 10
	KeepTraceLines   = 1000
)
