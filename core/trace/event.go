// Package trace turns what the kernel does into structured events (one
// per system call, signal and process exit) and renders them the way
// `strace -f` prints them. Events are plain data so that the browser
// panels and the graders can consume them without parsing text.
package trace

// Kind says how an argument value is to be shown.
type Kind uint8

// Argument kinds.
const (
	Int    Kind = iota // signed decimal
	Uint               // unsigned decimal
	Hex                // 0x-prefixed hexadecimal
	Ptr                // an address: NULL or hexadecimal
	String             // Text is the bytes read from the guest, quoted when shown
	Symbol             // Text is a symbolic rendering (flags, enum, mode)
	Struct             // Elems are the fields (Name set)
	Array              // Elems are the elements
	Raw                // Text is shown as is (e.g. "8192*1024", "...")
)

// Arg is one decoded argument, struct field or array element.
type Arg struct {
	Kind  Kind   `json:"kind"`
	Name  string `json:"name,omitempty"`  // field name inside a struct
	Value int64  `json:"value"`           // the raw value (the pointer for String, Struct and Array)
	Text  string `json:"text,omitempty"`  // String contents or Symbol/Raw text
	More  bool   `json:"more,omitempty"`  // String was cut at the size limit
	Hex   bool   `json:"hex,omitempty"`   // String is binary: escape everything in hex
	Elems []Arg  `json:"elems,omitempty"` // Struct fields or Array elements
}

// EventKind tells events apart.
type EventKind uint8

// Event kinds.
const (
	Syscall EventKind = iota // a system call and its result
	Signal                   // a signal delivered (or fatal) to a task
	Exited                   // a process exited normally
	Killed                   // a process was killed by a signal
)

// Event is one line of the trace.
type Event struct {
	Kind EventKind `json:"kind"`
	Pid  int       `json:"pid"`
	Tid  int       `json:"tid"`
	// Instructions is the machine's instruction count when the event
	// happened, a deterministic timestamp.
	Instructions uint64 `json:"instructions"`

	// System calls.
	Nr     int    `json:"nr,omitempty"`
	Name   string `json:"name,omitempty"`
	Args   []Arg  `json:"args,omitempty"`
	Ret    int64  `json:"ret"`
	Errno  int    `json:"errno,omitempty"`  // Ret is -1 when set
	RetHex bool   `json:"rethex,omitempty"` // the result is an address
	NoRet  bool   `json:"noret,omitempty"`  // the call does not return (exit): "= ?"
	Note   string `json:"note,omitempty"`   // printed after the result, e.g. "(entry_number=6)"

	// Signals: the number and siginfo fields. Exits: the status or signal.
	Signal  int   `json:"signal,omitempty"`
	SigInfo []Arg `json:"siginfo,omitempty"`
	Status  int   `json:"status,omitempty"`
}

// Sink receives events as they happen.
type Sink interface {
	Event(e *Event)
}

// Recorder is a Sink that keeps every event.
type Recorder struct {
	Events []Event
}

// Event implements Sink.
func (r *Recorder) Event(e *Event) { r.Events = append(r.Events, *e) }

// Names returns the system call names in order (for comparing with a
// native strace run).
func (r *Recorder) Names() []string {
	var n []string
	for _, e := range r.Events {
		if e.Kind == Syscall {
			n = append(n, e.Name)
		}
	}
	return n
}

// Helpers that build arguments.

// I is a signed decimal argument.
func I(v int64) Arg { return Arg{Kind: Int, Value: v} }

// U is an unsigned decimal argument.
func U(v uint64) Arg { return Arg{Kind: Uint, Value: int64(v)} }

// X is a hexadecimal argument.
func X(v uint64) Arg { return Arg{Kind: Hex, Value: int64(v)} }

// P is a pointer argument.
func P(v uint32) Arg { return Arg{Kind: Ptr, Value: int64(v)} }

// Sym is a symbolic argument with its raw value.
func Sym(v uint64, text string) Arg { return Arg{Kind: Symbol, Value: int64(v), Text: text} }

// R is preformatted text.
func R(text string) Arg { return Arg{Kind: Raw, Text: text} }

// F names an argument as a struct field.
func F(name string, a Arg) Arg { a.Name = name; return a }

// S is a struct argument at address addr.
func S(addr uint32, fields ...Arg) Arg { return Arg{Kind: Struct, Value: int64(addr), Elems: fields} }
