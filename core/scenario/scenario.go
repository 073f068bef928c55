// Package scenario reads, runs and grades Trapdoor scenarios: a machine,
// the files it holds (test vectors, or slots a student fills with a
// program), the commands to run on it, what the page should show, and
// the checks that grade the run. The same scenario gives the same report,
// byte for byte, wherever it runs: the runner is plain synchronous Go on
// one kernel with a seeded scheduler and virtual time, and it takes every
// program from a Resolver, never from a file system, so the browser's
// WebAssembly build and the CLI share it unchanged.
//
// The format is documented in README.md beside this file.
package scenario

import "strings"

// Version is the scenario format this package writes; Parse reads every
// version listed in versions.
const Version = 1

// Scenario is one parsed, validated scenario. Field order is the order of
// the canonical JSON (Marshal), which links and reports rely on.
type Scenario struct {
	Format      int      `json:"trapdoor_scenario"`
	ID          string   `json:"id,omitempty"`
	Title       string   `json:"title,omitempty"`
	Course      string   `json:"course,omitempty"`
	Description string   `json:"description,omitempty"`
	Machine     Machine  `json:"machine"`
	Files       []File   `json:"files,omitempty"`
	Modules     []Module `json:"modules,omitempty"`
	Steps       []Step   `json:"steps"`
	View        *View    `json:"view,omitempty"`
	Checks      []Check  `json:"checks,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// Machine configures the kernel the steps run on.
type Machine struct {
	// Profile is the syscall table: "default" or "linux-4.15".
	Profile string `json:"profile,omitempty"`
	// Msgbox is the message box policy: "keep" or "truncate".
	Msgbox string `json:"msgbox,omitempty"`
	// Seed fixes randomness and the scheduler's interleaving.
	Seed uint64 `json:"seed,omitempty"`
	// MaxInstructions ends the run (SIGKILL to every process); 0 means
	// DefaultMaxInstructions.
	MaxInstructions uint64 `json:"max_instructions,omitempty"`
	// Memory is physical memory in bytes; 0 means the kernel's default.
	Memory int `json:"memory,omitempty"`
	// Clock is "virtual" (default, deterministic) or "wall".
	Clock string `json:"clock,omitempty"`
	// Slice is the scheduler's mean time slice in instructions.
	Slice uint64 `json:"slice,omitempty"`
	// MaxProcs caps live processes.
	MaxProcs int `json:"max_procs,omitempty"`
	// UID is the user id the commands run as (0, root, when omitted).
	UID uint32 `json:"uid,omitempty"`
	// ModuleFaultSleeps makes kernel-mode faults on user pages in module
	// code sleep, as a swap-in would (the 2019 DM510 report's race).
	ModuleFaultSleeps bool `json:"module_fault_sleeps,omitempty"`
	// ModuleLockup is the soft-lockup watchdog's threshold in
	// instructions (0: the kernel's default).
	ModuleLockup uint64 `json:"module_lockup,omitempty"`
}

// DefaultMaxInstructions bounds a scenario that sets no limit, so a
// student's endless loop ends with a report instead of a hung grader.
const DefaultMaxInstructions = 2_000_000_000

// File is one file put into the guest file system before the first step.
// Exactly one source: a test vector, a slot, text or base64 data.
type File struct {
	Path string `json:"path"`
	// Vector names a committed test program, as its path under
	// testvectors/bin ("musl/hello").
	Vector string `json:"vector,omitempty"`
	// Slot names a program the grader or student supplies
	// (--program SLOT=PATH on the command line, a file picker on the
	// page).
	Slot string `json:"slot,omitempty"`
	// Default is the test vector a slot falls back to when nobody
	// supplies a program (so the scenario runs as a demonstration).
	Default string `json:"default,omitempty"`
	// SHA256 pins the contents (hex): a supplied program that differs
	// is refused.
	SHA256 string `json:"sha256,omitempty"`
	// Text is the contents of a small text file.
	Text *string `json:"text,omitempty"`
	// Base64 is binary contents; on a slot it is a program embedded in a
	// link, used when nobody supplies one.
	Base64 string `json:"base64,omitempty"`
	// Mode is the permission bits (0755 for programs, 0644 for text).
	Mode uint32 `json:"mode,omitempty"`
}

// Module is a kernel module (an i386 relocatable .o) loaded, in order,
// after the files are installed and before the first step. Its sources
// are those of a program file: a test vector ("modules/msgbox.o", under
// testvectors/modules), or a slot with an optional default, embedded
// base64 and sha256 pin.
type Module struct {
	Name    string `json:"name"`
	Vector  string `json:"vector,omitempty"`
	Slot    string `json:"slot,omitempty"`
	Default string `json:"default,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Base64  string `json:"base64,omitempty"`
}

// asFile gives the module the shape of a file, so programs and modules
// are resolved, pinned and embedded by the same code.
func (m *Module) asFile() *File {
	return &File{Path: "module " + m.Name, Vector: m.Vector, Slot: m.Slot, Default: m.Default, SHA256: m.SHA256, Base64: m.Base64}
}

// Step is one command, or a wait.
type Step struct {
	ID string `json:"id,omitempty"`
	// Run is the program: a guest path, or a bare name looked up in /bin.
	Run string `json:"run,omitempty"`
	// Argv0 is argv[0]; the Run string as written when empty.
	Argv0 string   `json:"argv0,omitempty"`
	Args  []string `json:"args,omitempty"`
	// Stdin is what the command reads on descriptor 0 (then end of
	// file).
	Stdin string `json:"stdin,omitempty"`
	// Env adds or replaces NAME=VALUE entries of the default
	// environment.
	Env []string `json:"env,omitempty"`
	// Background starts the command and goes on to the next step
	// without waiting; it runs alongside the steps up to the next wait.
	Background bool `json:"background,omitempty"`
	// Wait (a step with no Run) lets everything started so far run to
	// its end.
	Wait bool `json:"wait,omitempty"`
}

// View is what the page opens: a panel, the step whose program it
// shows, breakpoints and where to stop. Only the page acts on it; the
// runner checks that it names things that exist.
type View struct {
	Panel       string   `json:"panel,omitempty"`
	Step        string   `json:"step,omitempty"`
	Breakpoints []string `json:"breakpoints,omitempty"`
	// StopAt: "start", "end", "main" (a symbol), or "syscall:NAME".
	StopAt string `json:"stop_at,omitempty"`
}

// Check is one graded expectation. Exactly one of Exit, Stdout, Stderr,
// Trace, Log, State is set: that is the check's kind.
type Check struct {
	ID      string `json:"id,omitempty"`
	Message string `json:"message,omitempty"`
	// Points is what the check is worth; 1 when omitted.
	Points *int `json:"points,omitempty"`
	// Step scopes the check to one step's processes (its command and
	// everything it forks). Empty: the whole run.
	Step string `json:"step,omitempty"`

	Exit   *ExitCheck  `json:"exit,omitempty"`
	Stdout *TextCheck  `json:"stdout,omitempty"`
	Stderr *TextCheck  `json:"stderr,omitempty"`
	Trace  *TraceCheck `json:"trace,omitempty"`
	Log    *LogCheck   `json:"log,omitempty"`
	State  *StateCheck `json:"state,omitempty"`
}

// ExitCheck expects how a step's command ended: an exit status, or the
// signal that killed it.
type ExitCheck struct {
	Status *int   `json:"status,omitempty"`
	Signal string `json:"signal,omitempty"`
}

// TextCheck expects things of a text; every field set must hold.
type TextCheck struct {
	Equals      *string  `json:"equals,omitempty"`
	Contains    []string `json:"contains,omitempty"`
	NotContains []string `json:"not_contains,omitempty"`
	Regex       string   `json:"regex,omitempty"`
}

// TraceCheck expects system calls (and signals) in the trace.
type TraceCheck struct {
	// Calls are patterns. Order "sequence" (default): they match events
	// in this order, others may come between; "exact": consecutive
	// events of the scope, from the first pattern's match on; "each":
	// every pattern matches somewhere, in any order.
	Calls []CallPattern `json:"calls"`
	Order string        `json:"order,omitempty"`
	// Process "main" looks only at the step's own process, not the
	// children it forks; "" or "all" at all of them.
	Process string `json:"process,omitempty"`
}

// CallPattern matches one trace event: a system call by name (with
// argument and result matchers) or a delivered signal.
type CallPattern struct {
	// Name is the call's name, or alternatives joined by "|"
	// ("fork|vfork|clone|clone3": glibc forks with clone, musl with fork).
	Name string `json:"name,omitempty"`
	// Nr, when given, is the number the call must have been made with
	// (INFO0940's pf_* calls are 385-387 under linux-4.15).
	Nr *int `json:"nr,omitempty"`
	// Args match the decoded arguments in order; null or a missing tail
	// matches anything.
	Args []*Matcher `json:"args,omitempty"`
	// Ret matches the result: a number, an errno name ("EFAULT"), or an
	// object matcher.
	Ret *Matcher `json:"ret,omitempty"`
	// Signal matches a delivered signal ("SIGUSR1") instead of a call;
	// SigInfo matches its siginfo fields by name.
	Signal  string              `json:"signal,omitempty"`
	SigInfo map[string]*Matcher `json:"siginfo,omitempty"`
	// Count, for order "each", is how many events must match (at least
	// one when omitted).
	Count *Matcher `json:"count,omitempty"`
	// Or, instead of a name or signal, matches an event that any of these
	// patterns matches: calls whose arguments sit differently, such as
	// open(PATH, ...) and openat(AT_FDCWD, PATH, ...).
	Or []*CallPattern `json:"or,omitempty"`
}

// LogCheck expects kernel log lines.
type LogCheck struct {
	// Level limits the lines looked at ("err", "debug"... as KERN_*).
	Level    string `json:"level,omitempty"`
	Contains string `json:"contains,omitempty"`
	Regex    string `json:"regex,omitempty"`
	// Count is how many lines must match; at least one when omitted.
	Count *Matcher `json:"count,omitempty"`
}

// StateCheck samples kernel state and matches it.
type StateCheck struct {
	// Value names what is sampled: see stateValues.
	Value string `json:"value"`
	// Name is the process name a pf_* value is about.
	Name string `json:"name,omitempty"`
	// At is when to sample: the first event matching it in the check's
	// step scope. Omitted: after the last step.
	At *CallPattern `json:"at,omitempty"`
	// Process "main" makes At match only events of the step's own
	// process, not of the children it forks.
	Process string   `json:"process,omitempty"`
	Expect  *Matcher `json:"expect"`
}

// names reports whether a system call's name is one the pattern accepts.
func (p *CallPattern) names(name string) bool {
	for _, alt := range p.Or {
		if alt.names(name) {
			return true
		}
	}
	for _, n := range strings.Split(p.Name, "|") {
		if n == name {
			return true
		}
	}
	return false
}
