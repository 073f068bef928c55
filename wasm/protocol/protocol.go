// Package protocol defines the messages between the page and the emulator
// worker. Both sides are Go wasm binaries that talk through postMessage with
// JSON strings: strings cross the JS boundary in one copy and JSON keeps the
// protocol readable in the browser's devtools. It is pure Go (no syscall/js)
// so it is tested natively.
package protocol

import (
	"encoding/json"
	"fmt"
)

// Version changes when a message's meaning changes; the page refuses a worker
// with another version (a stale cached worker after an update).
const Version = 5

// Request types, page to worker.
const (
	// Load fetches (URL) or takes (Data) an ELF and prepares a machine.
	Load = "load"
	// Run runs the loaded program until it exits, is paused or faults.
	Run = "run"
	// Pause stops a running program at the end of the current slice.
	Pause = "pause"
	// Step executes Count instructions (1 when zero), then pauses.
	Step = "step"
	// StepOver steps one instruction, but runs a call to its return.
	StepOver = "step-over"
	// NextSyscall runs until the next system call has returned (or a
	// signal or exit is traced), then pauses.
	NextSyscall = "next-syscall"
	// Input gives the program's terminal Text to read, then an end of
	// file if EOF (^D).
	Input = "input"
	// Breakpoints replaces the breakpoints with Breaks: each an address
	// (0x8049000), a symbol (main) or a system call name (write).
	Breakpoints = "breakpoints"
	// Busy spins the worker's CPU for Millis ms in slices, exactly as a
	// running program would: it measures responsiveness before (and
	// independently of) the emulator core.
	Busy = "busy"
	// Inspect chooses what the kernel panels show: the process Pid (0:
	// the one on the CPU) and the pages of its mapping that starts at VMA
	// (0: none). The answer carries a fresh Event.Kernel.
	Inspect = "inspect"
	// Detail asks for the decoded arguments and the bytes copied across
	// of the system call traced as Seq (TraceLine.Seq); the answer
	// carries Event.Detail.
	Detail = "detail"
)

// Event types, worker to page.
const (
	// Ready is the worker's first message: before it, page messages are lost.
	Ready = "ready"
	// Update carries everything that happened since the previous update.
	Update = "update"
	// Fatal says the worker has stopped (it could not start, or its Go
	// code exited or panicked); public/worker.js sends it.
	Fatal = "fatal"
)

// Machine states reported in Update.State.
const (
	StateIdle    = "idle"    // nothing loaded
	StateLoading = "loading" // fetching the program
	StateLoaded  = "loaded"  // loaded, no instruction run yet
	StateRunning = "running"
	StatePaused  = "paused"
	StateInput   = "input"  // blocked reading its terminal: waiting for Input
	StateExited  = "exited" // the program exited or was killed
	StateFailed  = "failed" // it could not be loaded or run: see Error
)

// Request is a page-to-worker message.
type Request struct {
	Type string `json:"type"`
	// Gen numbers the page's Load requests. The worker stamps every
	// event with the Gen of the program it has loaded, so the page can
	// drop what a program it has since replaced still had in flight.
	Gen int `json:"gen,omitempty"`
	// Load: Name is what the page shows; URL is resolved against the worker
	// script's URL (so the site works under any path prefix); Data, when set,
	// is the ELF itself (an uploaded file) and URL is ignored.
	Name  string   `json:"name,omitempty"`
	URL   string   `json:"url,omitempty"`
	Data  []byte   `json:"data,omitempty"`
	Args  []string `json:"args,omitempty"`
	Env   []string `json:"env,omitempty"`
	Stdin string   `json:"stdin,omitempty"`
	// Load: Files are installed in the guest's file system before the
	// program starts (the shell's /bin), Cwd is its working directory,
	// and Profile, Msgbox and Seed are the machine's settings (as the
	// CLI's --profile, --msgbox and --seed; empty means the default).
	Files   []File `json:"files,omitempty"`
	Cwd     string `json:"cwd,omitempty"`
	Profile string `json:"profile,omitempty"`
	Msgbox  string `json:"msgbox,omitempty"`
	Seed    uint64 `json:"seed,omitempty"`
	// Step: instructions to execute.
	Count int `json:"count,omitempty"`
	// Breakpoints: the new set.
	Breaks []string `json:"breaks,omitempty"`
	// Input: what the user typed, and whether they pressed ^D after it.
	Text string `json:"text,omitempty"`
	EOF  bool   `json:"eof,omitempty"`
	// Busy: milliseconds to spin.
	Millis int `json:"millis,omitempty"`
	// Inspect: the process and mapping to show.
	Pid int    `json:"pid,omitempty"`
	VMA uint32 `json:"vma,omitempty"`
	// Detail: the trace line.
	Seq int `json:"seq,omitempty"`
}

// File is a file to install in the guest: Path in the guest, URL as
// Request.URL (resolved against the worker script), or Data itself (an
// uploaded program).
type File struct {
	Path string `json:"path"`
	URL  string `json:"url,omitempty"`
	Data []byte `json:"data,omitempty"`
}

// Output is a run of bytes a guest wrote to a file descriptor.
type Output struct {
	FD   int    `json:"fd"`
	Text string `json:"text"`
}

// TraceLine is one line of the syscall trace, as strace -f prints it, with
// what the page filters on.
type TraceLine struct {
	// Seq numbers the lines of one program from 1, for Detail; 0 when
	// the worker keeps no detail of the line.
	Seq  int    `json:"seq,omitempty"`
	Pid  int    `json:"pid,omitempty"`
	Name string `json:"name,omitempty"` // the system call; empty for signals and exits
	Text string `json:"text"`
}

// Regs is the CPU state at the next instruction to run.
type Regs struct {
	GPR    [8]uint32 `json:"gpr"` // EAX ECX EDX EBX ESP EBP ESI EDI
	EIP    uint32    `json:"eip"`
	EFLAGS uint32    `json:"eflags"`
}

// AsmLine is one disassembled instruction.
type AsmLine struct {
	Addr  uint32 `json:"addr"`
	Where string `json:"where,omitempty"` // symbol+offset, when known
	Bytes string `json:"bytes"`           // hex
	Text  string `json:"text"`            // GNU syntax, as objdump -d
}

// StackWord is one 32-bit word of the stack.
type StackWord struct {
	Addr  uint32 `json:"addr"`
	Value uint32 `json:"value"`
	Where string `json:"where,omitempty"` // the symbol Value points into (a return address)
}

// GPRNames are the names of Regs.GPR, in order.
var GPRNames = [8]string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"}

// Event is a worker-to-page message.
type Event struct {
	Type    string `json:"type"`
	Version int    `json:"version,omitempty"`
	// Gen is the Gen of the Load that made the machine this event
	// describes (0 before any).
	Gen int `json:"gen,omitempty"`
	// Ready: whether this build of the worker can run programs, and if not
	// why (the core has no machine API yet); shown in the page.
	CanRun bool   `json:"canRun,omitempty"`
	Note   string `json:"note,omitempty"`

	State string `json:"state,omitempty"`
	Name  string `json:"name,omitempty"`
	// Output and Trace are batched: everything since the previous event.
	Output []Output    `json:"output,omitempty"`
	Trace  []TraceLine `json:"trace,omitempty"`
	// Log is the kernel's messages (dmesg), as they were logged.
	Log []string `json:"log,omitempty"`
	// Dropped counts trace lines, OutputDropped output bytes, left out of
	// this batch to keep the page fast.
	Dropped       int `json:"dropped,omitempty"`
	OutputDropped int `json:"outputDropped,omitempty"`
	// Instructions is the total retired so far; MIPS the rate over the last
	// stretch of running (0 when not running).
	Instructions uint64  `json:"instructions,omitempty"`
	MIPS         float64 `json:"mips,omitempty"`
	EIP          uint32  `json:"eip,omitempty"`
	Regs         *Regs   `json:"regs,omitempty"`
	// Code is the disassembly from EIP on, sent while the program is
	// stopped.
	Code []AsmLine `json:"code,omitempty"`
	// Stack is the words from ESP up, sent with Code.
	Stack []StackWord `json:"stack,omitempty"`
	// Exit is set once the program has exited: its status as a shell sees it
	// (128+N when killed by signal N), and how, in words.
	Exit *int `json:"exit,omitempty"`
	// Kernel is a snapshot of the kernel's state for its panels: with
	// every event while the program is stopped, a few times a second
	// while it runs.
	Kernel *KernelState `json:"kernel,omitempty"`
	// Detail answers a Detail request.
	Detail *TraceDetail `json:"detail,omitempty"`
	// Stop says why the program paused when it was not a step or Pause
	// ("breakpoint at main", "breakpoint on write").
	Stop   string `json:"stop,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Rewinding: the worker is rebuilding an earlier state (StepBack);
	// Rewind, once it is there, is the history up to it (rewind.go).
	// NoStepBack says why stepping back is unavailable ("" when it is).
	Rewinding  bool    `json:"rewinding,omitempty"`
	Rewind     *Rewind `json:"rewind,omitempty"`
	NoStepBack string  `json:"noStepBack,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// TraceDetail is one system call taken apart: its decoded arguments and
// the buffers that crossed between the process and the kernel.
type TraceDetail struct {
	Seq int `json:"seq"`
	// The call's path: the user code's int $0x80 at Int80 (0 when
	// unknown) in the program Comm, Where its symbol, Nr the number in
	// eax, Result what eax holds on the way back.
	Int80  uint32 `json:"int80,omitempty"`
	Where  string `json:"where,omitempty"`
	Comm   string `json:"comm,omitempty"`
	Name   string `json:"name,omitempty"` // the call's name
	Nr     int    `json:"nr,omitempty"`
	Result string `json:"result,omitempty"`

	Args   []ArgLine `json:"args,omitempty"`
	Copies []Copy    `json:"copies,omitempty"`
	// Missing says why there is no detail (too old, not a system call).
	Missing string `json:"missing,omitempty"`
}

// ArgLine is one decoded argument or field, indented by Depth.
type ArgLine struct {
	Depth int    `json:"depth,omitempty"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Copy is a buffer the call read from the process (copy_from_user, Dir
// "in") or wrote into it (copy_to_user, Dir "out"): its first bytes.
type Copy struct {
	Arg  string `json:"arg"`
	Dir  string `json:"dir"`
	Addr uint32 `json:"addr"`
	Data []byte `json:"data,omitempty"`
	More bool   `json:"more,omitempty"` // longer than the kernel keeps (4 KiB)
}

// KernelState is what the kernel panels show (core/kernel's inspect.go
// snapshots, flattened for the page).
type KernelState struct {
	Procs []Proc `json:"procs,omitempty"`
	// Pid is the process the rest describes (the one asked for, or the
	// one on the CPU when that one is gone).
	Pid     int      `json:"pid,omitempty"`
	Space   *Space   `json:"space,omitempty"`
	Signals *Signals `json:"signals,omitempty"`
	// Pages are the page-table entries of the mapping starting at
	// PagesOf; PagesMore counts those not listed.
	PagesOf   uint32  `json:"pagesOf,omitempty"`
	Pages     []Page  `json:"pages,omitempty"`
	PagesMore int     `json:"pagesMore,omitempty"`
	Msgbox    *Msgbox `json:"msgbox,omitempty"`
	// Modules are the kernel modules loaded (protocol/module.go).
	Modules *ModuleState `json:"modules,omitempty"`
}

// Proc is one line of the process table.
type Proc struct {
	Pid     int      `json:"pid"`
	PPid    int      `json:"ppid"`
	Tgid    int      `json:"tgid,omitempty"`
	State   string   `json:"state"` // R S T Z, as ps
	Comm    string   `json:"comm"`
	Cmdline []string `json:"cmdline,omitempty"`
	OnCPU   bool     `json:"onCPU,omitempty"`
	VSizeKB uint64   `json:"vsz,omitempty"`
}

// Space is a process's memory map.
type Space struct {
	VMAs        []VMA  `json:"vmas,omitempty"`
	MinorFaults uint64 `json:"minflt,omitempty"`
	CoWFaults   uint64 `json:"cowflt,omitempty"`
}

// VMA is one mapping: its range, rights, what backs it, and its pages.
type VMA struct {
	Start     uint32 `json:"start"`
	End       uint32 `json:"end"`
	Perms     string `json:"perms"`
	Kind      string `json:"kind"`
	Name      string `json:"name,omitempty"`
	CoWFaults uint64 `json:"cow,omitempty"`
	Pages     int    `json:"pages"`
	Present   int    `json:"present,omitempty"`
	Shared    int    `json:"shared,omitempty"` // frames with more than one mapping
}

// Page is one page-table entry of a mapping and its frame.
type Page struct {
	Addr     uint32 `json:"addr"`
	Present  bool   `json:"p,omitempty"`
	Frame    uint32 `json:"frame,omitempty"`
	Refs     uint32 `json:"refs,omitempty"`
	Writable bool   `json:"w,omitempty"`
	Dirty    bool   `json:"d,omitempty"`
}

// Signals is a process's signal state.
type Signals struct {
	Actions []SigAction `json:"actions,omitempty"` // those not SIG_DFL
	Blocked []string    `json:"blocked,omitempty"`
	Pending []Pending   `json:"pending,omitempty"`
}

// SigAction is a disposition: ignored, or a handler with its flags.
type SigAction struct {
	Name    string   `json:"name"`
	Ignored bool     `json:"ign,omitempty"`
	Handler uint32   `json:"handler,omitempty"`
	Where   string   `json:"where,omitempty"` // the handler's symbol
	Flags   []string `json:"flags,omitempty"` // SA_RESTART...
	Mask    []string `json:"mask,omitempty"`
}

// Pending is a signal raised and not delivered yet.
type Pending struct {
	Name    string `json:"name"`
	Blocked bool   `json:"blocked,omitempty"`
}

// Msgbox is the course's message box: a stack, top first.
type Msgbox struct {
	Policy   string   `json:"policy,omitempty"`
	Depth    int      `json:"depth"`
	Messages []string `json:"messages,omitempty"` // quoted as strace does, top first
	Used     int      `json:"used,omitempty"`
	Limit    int      `json:"limit,omitempty"`
}

// Encode returns m as a JSON string, the form that crosses postMessage.
func Encode(m any) string {
	b, err := json.Marshal(m)
	if err != nil {
		// Only unsupported types fail; the message types here have none.
		panic(fmt.Sprintf("protocol: %v", err))
	}
	return string(b)
}

// DecodeRequest parses a page-to-worker message.
func DecodeRequest(s string) (Request, error) {
	var r Request
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return r, fmt.Errorf("bad request %.80q: %v", s, err)
	}
	if r.Type == "" {
		return r, fmt.Errorf("request without a type: %.80q", s)
	}
	return r, nil
}

// DecodeEvent parses a worker-to-page message.
func DecodeEvent(s string) (Event, error) {
	var e Event
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return e, fmt.Errorf("bad event %.80q: %v", s, err)
	}
	if e.Type == "" {
		return e, fmt.Errorf("event without a type: %.80q", s)
	}
	return e, nil
}

// Program describes one test program the site offers; the site generator
// writes the list to web/programs.json.
type Program struct {
	// Name is the test vector's name (hello, args, ...).
	Name string `json:"name"`
	// Libc is "musl" or "glibc": the same source is built with both.
	Libc string `json:"libc"`
	// URL is relative to the site's web/ directory (programs/musl/hello).
	URL string `json:"url"`
	// Purpose is the first sentence of the source's header comment.
	Purpose string `json:"purpose"`
	// Args is argv, argv[0] first; Env and Stdin are what the native
	// reference run had (testvectors/tools/run.sh).
	Args  []string `json:"args,omitempty"`
	Env   []string `json:"env,omitempty"`
	Stdin string   `json:"stdin,omitempty"`
	Size  int64    `json:"size"`
}
