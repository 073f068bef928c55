package trace

import (
	"fmt"
	"io"
	"strings"

	"trapdoor/core/abi"
)

// Renderer prints events as strace -f does.
type Renderer struct {
	// StringLimit is strace's -s: bytes of a string shown before "...".
	StringLimit int
	// PidPrefix prefixes lines with "[pid N] " (strace -f does once a
	// second process exists).
	PidPrefix bool
}

// DefaultRenderer uses strace's defaults.
var DefaultRenderer = Renderer{StringLimit: 32}

// Render returns the event as one line, without the newline.
func Render(e *Event) string { return DefaultRenderer.Render(e) }

// Render returns the event as one line, without the newline.
func (r *Renderer) Render(e *Event) string {
	var b strings.Builder
	if r.PidPrefix {
		fmt.Fprintf(&b, "[pid %5d] ", e.Tid)
	}
	switch e.Kind {
	case Signal:
		fmt.Fprintf(&b, "--- %s ", abi.SignalName(e.Signal))
		r.fields(&b, e.SigInfo)
		b.WriteString(" ---")
	case Exited:
		fmt.Fprintf(&b, "+++ exited with %d +++", e.Status)
	case Killed:
		fmt.Fprintf(&b, "+++ killed by %s +++", abi.SignalName(e.Signal))
	default:
		b.WriteString(e.Name)
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			if a.Name != "" { // strace names some calls' arguments (clone)
				b.WriteString(a.Name)
				b.WriteByte('=')
			}
			r.arg(&b, a)
		}
		b.WriteByte(')')
		// strace aligns results at column 40 of the line, "[pid N] "
		// included.
		if n := b.Len(); n < 40 {
			b.WriteString(strings.Repeat(" ", 40-n))
			b.WriteString("= ")
		} else {
			b.WriteString(" = ")
		}
		switch {
		case e.NoRet:
			b.WriteString("?")
		case e.Errno != 0:
			en := abi.Errno(e.Errno)
			fmt.Fprintf(&b, "-1 %s (%s)", en.Name(), en.Error())
		case e.RetHex:
			fmt.Fprintf(&b, "%#x", uint32(e.Ret))
		default:
			fmt.Fprintf(&b, "%d", e.Ret)
		}
		if e.Note != "" {
			b.WriteString(" ")
			b.WriteString(e.Note)
		}
	}
	return b.String()
}

// RenderArg returns one argument as a trace line shows it, without the
// name strace puts before some (the matchers of the graders use it).
func (r *Renderer) RenderArg(a Arg) string {
	var b strings.Builder
	r.arg(&b, a)
	return b.String()
}

// Write renders the event and a newline to w.
func (r *Renderer) Write(w io.Writer, e *Event) {
	io.WriteString(w, r.Render(e)+"\n")
}

func (r *Renderer) fields(b *strings.Builder, elems []Arg) {
	b.WriteByte('{')
	for i, f := range elems {
		if i > 0 {
			b.WriteString(", ")
		}
		if f.Name != "" {
			b.WriteString(f.Name)
			b.WriteByte('=')
		}
		r.arg(b, f)
	}
	b.WriteByte('}')
}

func (r *Renderer) arg(b *strings.Builder, a Arg) {
	switch a.Kind {
	case Int:
		fmt.Fprintf(b, "%d", a.Value)
	case Uint:
		fmt.Fprintf(b, "%d", uint64(a.Value))
	case Hex:
		// C's %#x, which strace uses, prints zero as "0".
		if a.Value == 0 {
			b.WriteString("0")
		} else {
			fmt.Fprintf(b, "%#x", uint64(a.Value))
		}
	case Ptr:
		if a.Value == 0 {
			b.WriteString("NULL")
		} else {
			fmt.Fprintf(b, "%#x", uint64(a.Value))
		}
	case String:
		r.quote(b, a.Text, a.More, a.Hex)
	case Symbol, Raw:
		b.WriteString(a.Text)
	case Struct:
		r.fields(b, a.Elems)
	case Array:
		b.WriteByte('[')
		for i, e := range a.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			r.arg(b, e)
		}
		b.WriteByte(']')
	}
}

// quote prints a string the way strace does: C escapes for the usual
// control characters, octal for other unprintable bytes (three digits
// when a digit follows), or hex for everything when the data is binary.
func (r *Renderer) quote(b *strings.Builder, s string, more, hex bool) {
	limit := r.StringLimit
	if limit > 0 && len(s) > limit {
		s, more = s[:limit], true
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if hex {
			fmt.Fprintf(b, "\\x%02x", c)
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
				fmt.Fprintf(b, "\\%03o", c)
			} else {
				fmt.Fprintf(b, "\\%o", c)
			}
		}
	}
	b.WriteByte('"')
	if more {
		b.WriteString("...")
	}
}

// Writer is a Sink that renders each event to an io.Writer. Like
// strace -f, it prefixes lines with "[pid N] " while more than one task
// is alive: from the line after a fork, clone or vfork returned until
// the line that reports the end of all but one.
type Writer struct {
	W io.Writer
	Renderer
	live map[int]int // tid -> tgid of the tasks seen and not yet ended
}

// Event implements Sink.
func (w *Writer) Event(e *Event) {
	if w.live == nil {
		w.live = map[int]int{}
	}
	w.live[e.Tid] = e.Pid
	r := w.Renderer
	r.PidPrefix = r.PidPrefix || len(w.live) > 1
	r.Write(w.W, e)
	switch {
	case e.Kind == Syscall && e.Errno == 0 && e.Ret > 0 && forks[e.Name]:
		w.live[int(e.Ret)] = int(e.Ret)
		for _, a := range e.Args {
			if a.Name == "flags" && strings.Contains(a.Text, "CLONE_THREAD") {
				w.live[int(e.Ret)] = e.Pid // a thread of the caller's process
			}
		}
	case e.Kind == Syscall && e.Name == "exit" && e.Tid != e.Pid:
		delete(w.live, e.Tid) // a thread's end has no +++ line
	case e.Kind == Exited || e.Kind == Killed:
		for tid, tgid := range w.live {
			if tgid == e.Pid {
				delete(w.live, tid)
			}
		}
	}
}

// forks are the calls that return a new task's id in the caller.
var forks = map[string]bool{"fork": true, "vfork": true, "clone": true, "clone3": true}
