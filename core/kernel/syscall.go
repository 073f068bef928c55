package kernel

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/trace"
)

// Args are a system call's six argument registers: ebx, ecx, edx, esi,
// edi, ebp.
type Args [6]uint32

// Handler implements a system call for the running task t. It returns
// the result, or an errno (the dispatcher stores -errno in eax).
type Handler func(t *Task, a *Args) (uint32, abi.Errno)

// RetKind says how the tracer shows a result.
type RetKind uint8

// Result kinds.
const (
	RetInt  RetKind = iota // signed decimal
	RetHex                 // an address (brk, mmap)
	RetNone                // the call does not return (exit)
)

// Syscall is one row of the system call table: everything the kernel
// and the tracer know about a call.
type Syscall struct {
	Nr   uint32
	Name string
	Fn   Handler
	Args []ArgSpec
	Ret  RetKind
	// Decode replaces Args for calls whose arguments the tracer shows
	// differently from their registers (old mmap's block of six words).
	Decode func(d *Decoder) []trace.Arg
	// Note adds text after the result ("(entry_number=6)").
	Note func(d *Decoder) string
	// Trim drops arguments strace does not show in this call (open's mode
	// without O_CREAT).
	Trim func(d *Decoder, args []trace.Arg) []trace.Arg
}

// Table maps i386 system call numbers to their rows.
type Table struct {
	calls map[uint32]*Syscall
	// mods is set on a kernel's own copy of its table once modules are
	// loaded; their syscalls replace rows here (kmod.go).
	mods *modules
}

// NewTable builds a table from families of calls (one slice per family:
// files, memory, time...). A number defined twice is a bug and panics at
// start-up.
func NewTable(families ...[]Syscall) *Table {
	t := &Table{calls: map[uint32]*Syscall{}}
	for _, fam := range families {
		for i := range fam {
			s := &fam[i]
			if _, dup := t.calls[s.Nr]; dup {
				panic(fmt.Sprintf("syscall %d (%s) defined twice", s.Nr, s.Name))
			}
			t.calls[s.Nr] = s
		}
	}
	return t
}

// Lookup returns the row for nr, or nil.
func (t *Table) Lookup(nr uint32) *Syscall { return t.calls[nr] }

// Calls lists every implemented call, by number.
func (t *Table) Calls() []*Syscall {
	var out []*Syscall
	for _, s := range t.calls {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Nr < out[j].Nr })
	return out
}

// linuxFamilies are the Linux calls, by family; profile.go builds each
// profile's table from them and the course calls.
var linuxFamilies = [][]Syscall{processCalls, lifecycleCalls, pipeCalls, memoryCalls, fileCalls, fsopsCalls, timeCalls, signalCalls, syslogCalls}

// Table is the kernel's system call table (for listings and tools).
func (k *Kernel) Table() *Table { return k.table }

// SyscallName is a call's name as strace prints it ("syscall_0x1f4" for
// numbers Linux does not define).
func (k *Kernel) SyscallName(nr uint32) string {
	if s := k.table.Lookup(nr); s != nil {
		return s.Name
	}
	if n, ok := syscallNames[nr]; ok {
		return n
	}
	return fmt.Sprintf("syscall_%#x", nr)
}

// syscall runs the call the current task made with int 0x80.
func (k *Kernel) syscall(t *Task) {
	c := k.CPU
	nr := c.R[cpu.EAX]
	a := Args{c.R[cpu.EBX], c.R[cpu.ECX], c.R[cpu.EDX], c.R[cpu.ESI], c.R[cpu.EDI], c.R[cpu.EBP]}
	sc := k.table.Lookup(nr)
	if sc == nil {
		if k.Trace != nil {
			var args []trace.Arg
			// Unknown calls show their raw registers, as strace does.
			for i := 0; i < 6; i++ {
				args = append(args, trace.X(uint64(a[i])))
			}
			k.Trace.Event(&trace.Event{Kind: trace.Syscall, Pid: t.Tgid, Tid: t.Pid, Instructions: c.Instructions,
				Nr: int(nr), Name: k.SyscallName(nr), Args: args, Ret: -1, Errno: int(abi.ENOSYS)})
		}
		c.R[cpu.EAX] = errnoRet(abi.ENOSYS)
		return
	}
	if !(t.rs.active && t.rs.nr == nr) {
		t.rs = restartState{}
	}
	t.rs.active = false
	var ev *trace.Event
	var d *Decoder
	if k.Trace != nil {
		d = &Decoder{t: t, a: &a}
		ev = &trace.Event{Kind: trace.Syscall, Pid: t.Tgid, Tid: t.Pid, Instructions: c.Instructions,
			Nr: int(nr), Name: sc.Name, RetHex: sc.Ret == RetHex, NoRet: sc.Ret == RetNone}
		if sc.Decode == nil {
			ev.Args = make([]trace.Arg, len(sc.Args))
			for i, s := range sc.Args {
				if s.Before {
					ev.Args[i] = s.Fmt(d, a[i])
				}
			}
		}
		if sc.Ret == RetNone {
			// Show exit before the process is gone.
			k.finishEvent(sc, d, ev, a)
			k.Trace.Event(ev)
		}
	}
	ret, errno := sc.Fn(t, &a)
	k.klogPoll() // records logged by the call wake syslog readers
	if errno == errRestartSys || errno == errRestartNoHand || errno == errRestartNoIntr {
		// The task waits (or yields): back to the int 0x80, so the call
		// runs again when it is woken. It is traced when it completes.
		t.rs.active, t.rs.nr, t.rs.err = true, nr, errno
		c.EIP -= 2
		c.R[cpu.EAX] = nr
		k.sliceLeft = 0
		if t.state == taskRunning {
			k.deliverSignals(t)
		}
		return
	}
	if errno != 0 {
		c.R[cpu.EAX] = errnoRet(errno)
	} else {
		c.R[cpu.EAX] = ret
	}
	if ev != nil && sc.Ret != RetNone {
		d.ret, d.errno = int64(int32(ret)), errno
		if sc.Ret == RetHex {
			d.ret = int64(ret)
		}
		ev.Ret = d.ret
		if errno != 0 {
			ev.Ret, ev.Errno = -1, int(errno)
		}
		k.finishEvent(sc, d, ev, a)
		k.Trace.Event(ev)
	}
	// Signals raised by the call take effect on the way back to user
	// mode, after the call is complete (and traced).
	k.deliverSignals(t)
}

func (k *Kernel) finishEvent(sc *Syscall, d *Decoder, ev *trace.Event, a Args) {
	if sc.Decode != nil {
		ev.Args = sc.Decode(d)
	} else {
		for i, s := range sc.Args {
			if !s.Before {
				ev.Args[i] = s.Fmt(d, a[i])
			}
		}
	}
	if sc.Note != nil {
		ev.Note = sc.Note(d)
	}
	if sc.Trim != nil {
		ev.Args = sc.Trim(d, ev.Args)
	}
}

// Decoder gives argument formatters what they need: the task (to read
// its memory), all arguments, and after the call its result.
type Decoder struct {
	t     *Task
	a     *Args
	ret   int64
	errno abi.Errno
	// entryIn is the entry number set_thread_area was given, for the
	// "(entry_number=N)" note.
	entryIn int32
}

// Failed reports whether the call returned an error.
func (d *Decoder) Failed() bool { return d.errno != 0 }

// ArgSpec formats one argument for the trace. Before means it is read
// when the call starts (inputs the call may change); otherwise after it
// returns (outputs, shown only on success).
type ArgSpec struct {
	Before bool
	Fmt    func(d *Decoder, v uint32) trace.Arg
}

func in(f func(d *Decoder, v uint32) trace.Arg) ArgSpec  { return ArgSpec{true, f} }
func out(f func(d *Decoder, v uint32) trace.Arg) ArgSpec { return ArgSpec{false, f} }

// traceDataMax bounds the bytes an event keeps from a buffer (the
// renderer shows fewer; the browser may show more).
const traceDataMax = 4096

// Argument formatters.
var (
	aInt  = in(func(d *Decoder, v uint32) trace.Arg { return trace.I(int64(int32(v))) })
	aUint = in(func(d *Decoder, v uint32) trace.Arg { return trace.U(uint64(v)) })
	aHex  = in(func(d *Decoder, v uint32) trace.Arg { return trace.X(uint64(v)) })
	aPtr  = in(func(d *Decoder, v uint32) trace.Arg { return trace.P(v) })
	aFD   = aInt
	aOct  = in(func(d *Decoder, v uint32) trace.Arg { return trace.Sym(uint64(v), fmt.Sprintf("%#o", v)) })
	aDir  = in(func(d *Decoder, v uint32) trace.Arg {
		if int32(v) == abi.AT_FDCWD {
			return trace.Sym(uint64(v), "AT_FDCWD")
		}
		return trace.I(int64(int32(v)))
	})
	aPath = in(func(d *Decoder, v uint32) trace.Arg { return d.str(v) })
	aOpen = in(func(d *Decoder, v uint32) trace.Arg { return trace.Sym(uint64(v), abi.OpenFlags(uint64(v))) })
	aProt = flags(&abi.Prot)
	aMap  = flags(&abi.MapFlags)
	aAt   = flags(&abi.AtFlags)
	aSig  = in(func(d *Decoder, v uint32) trace.Arg { return trace.Sym(uint64(v), abi.SignalName(int(v))) })
)

func flags(s *abi.FlagSet) ArgSpec {
	return in(func(d *Decoder, v uint32) trace.Arg { return trace.Sym(uint64(v), s.Format(uint64(v))) })
}

func enum(e abi.Enum) ArgSpec {
	return in(func(d *Decoder, v uint32) trace.Arg { return trace.Sym(uint64(v), e.Format(uint64(v))) })
}

// aBufIn shows the bytes a call reads from the buffer; n is the index
// of the length argument.
func aBufIn(n int) ArgSpec {
	return in(func(d *Decoder, v uint32) trace.Arg { return d.buf(v, d.a[n], false) })
}

// aBufOut shows the bytes a call wrote into the buffer (its result
// says how many).
func aBufOut() ArgSpec {
	return out(func(d *Decoder, v uint32) trace.Arg {
		if d.Failed() {
			return trace.P(v)
		}
		return d.buf(v, uint32(d.ret), false)
	})
}

// str reads a NUL-terminated string argument.
func (d *Decoder) str(addr uint32) trace.Arg {
	s, ok, err := d.t.MM.ReadString(addr, traceDataMax)
	if err != nil {
		return trace.P(addr)
	}
	return trace.Arg{Kind: trace.String, Value: int64(addr), Text: s, More: !ok}
}

// buf reads n bytes of a buffer argument.
func (d *Decoder) buf(addr, n uint32, hex bool) trace.Arg {
	more := false
	if n > traceDataMax {
		n, more = traceDataMax, true
	}
	b := make([]byte, n)
	if d.t.MM.CopyIn(addr, b) != nil {
		return trace.P(addr)
	}
	return trace.Arg{Kind: trace.String, Value: int64(addr), Text: string(b), More: more, Hex: hex}
}

// words reads n little-endian 32-bit words.
func (d *Decoder) words(addr uint32, n int) ([]uint32, bool) {
	b := make([]byte, 4*n)
	if d.t.MM.CopyIn(addr, b) != nil {
		return nil, false
	}
	w := make([]uint32, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return w, true
}

// sigset prints a signal mask as strace: [INT TERM], ~[KILL] for
// near-full sets.
func sigset(mask uint64) string {
	var in, outs []string
	for s := 1; s <= abi.NSIG; s++ {
		name := strings.TrimPrefix(abi.SignalName(s), "SIG")
		if s == 32 {
			name = "RTMIN"
		} else if s > 32 {
			name = fmt.Sprintf("RT_%d", s-32)
		}
		if mask&(1<<(s-1)) != 0 {
			in = append(in, name)
		} else {
			outs = append(outs, name)
		}
	}
	if len(in) > abi.NSIG/2 {
		return "~[" + strings.Join(outs, " ") + "]"
	}
	return "[" + strings.Join(in, " ") + "]"
}

// errnoRet is the eax value of a failed call: -errno.
func errnoRet(e abi.Errno) uint32 { return uint32(-int32(e)) }
