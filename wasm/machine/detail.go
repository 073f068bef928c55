package machine

import (
	"fmt"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
	"trapdoor/wasm/protocol"
)

// detailsKept is how many of the latest system calls keep their details
// (the page shows the last thousand lines).
const detailsKept = 2000

// tracer renders the kernel's events as trace lines and keeps the latest
// system calls for Detail.
type tracer struct {
	m    *Machine
	out  func(protocol.TraceLine)
	seq  int
	kept [detailsKept]keptEvent
}

type keptEvent struct {
	seq int
	e   trace.Event
	// int80 is where the call entered the kernel (0 when unknown: the
	// call replaced the program, or another task is on the CPU), comm
	// the program the task ran.
	int80 uint32
	comm  string
}

func (t *tracer) Event(e *trace.Event) {
	if t.m.closed {
		return // a dropped machine unwinding: no program of the page's
	}
	t.seq++
	l := protocol.TraceLine{Pid: e.Pid, Text: trace.Render(e)}
	if e.Kind == trace.Syscall {
		l.Name, l.Seq = e.Name, t.seq
		k := keptEvent{seq: t.seq, e: *e}
		k.int80, k.comm = t.entry(e.Tid)
		t.kept[t.seq%detailsKept] = k
	}
	t.out(l)
}

// entry finds the int $0x80 the traced call came from: the CPU still holds
// the caller's registers, EIP just past the instruction (cd 80).
func (t *tracer) entry(tid int) (uint32, string) {
	cur := t.m.k.Current()
	if cur == nil || cur.Pid != tid {
		return 0, ""
	}
	eip := t.m.k.CPU.EIP - 2
	var b [2]byte
	if n, _ := t.m.k.CPU.ReadGuest(eip, b[:], true); n != 2 || b != [2]byte{0xcd, 0x80} {
		return 0, cur.Comm
	}
	return eip, cur.Comm
}

// Detail implements session.Detailer: the decoded arguments of the call
// traced as seq, and the buffers it copied from or to the process.
func (m *Machine) Detail(seq int) protocol.TraceDetail {
	d := protocol.TraceDetail{Seq: seq}
	k := m.tr.kept[max(seq, 0)%detailsKept]
	if seq <= 0 || k.seq != seq {
		d.Missing = fmt.Sprintf("only the latest %d system calls keep their details", detailsKept)
		return d
	}
	e := &k.e
	d.Nr, d.Name, d.Int80, d.Comm = e.Nr, e.Name, k.int80, k.comm
	before := m.k.SyscallArgsBefore(e.Nr)
	for i, a := range e.Args {
		dir := ""
		if i < len(before) {
			dir = map[bool]string{true: "in", false: "out"}[before[i]]
		}
		describe(&d, a, fmt.Sprintf("arg %d", i+1), 0, dir)
	}
	ret := fmt.Sprint(e.Ret)
	switch {
	case e.NoRet:
		ret = "does not return"
	case e.Errno != 0:
		ret = "-1 " + abi.Errno(e.Errno).Name()
	case e.RetHex:
		ret = fmt.Sprintf("%#x", uint32(e.Ret))
	}
	d.Args = append(d.Args, protocol.ArgLine{Name: "result", Value: ret})
	d.Result = ret
	return d
}

// describe adds a decoded argument (and its fields) to d, and its bytes to
// d.Copies when it is a buffer: dir "in" when the kernel read it before the
// call (copy_from_user), "out" when the call wrote it (copy_to_user).
func describe(d *protocol.TraceDetail, a trace.Arg, name string, depth int, dir string) {
	line := protocol.ArgLine{Depth: depth, Name: name}
	switch a.Kind {
	case trace.Int:
		line.Value = fmt.Sprint(a.Value)
	case trace.Uint:
		line.Value = fmt.Sprint(uint64(a.Value))
	case trace.Hex:
		line.Value = fmt.Sprintf("%#x", uint64(a.Value))
	case trace.Ptr:
		line.Value = "NULL"
		if a.Value != 0 {
			line.Value = fmt.Sprintf("%#x", uint32(a.Value))
		}
	case trace.String:
		line.Value = fmt.Sprintf("%s, %d bytes at %#x", quoteBytes([]byte(a.Text), 40), len(a.Text), uint32(a.Value))
		d.Copies = append(d.Copies, protocol.Copy{Arg: name, Dir: dir, Addr: uint32(a.Value), Data: []byte(a.Text), More: a.More})
	case trace.Struct:
		line.Value = fmt.Sprintf("struct at %#x", uint32(a.Value))
	case trace.Array:
		line.Value = fmt.Sprintf("%d elements", len(a.Elems))
	default: // symbols and raw text
		line.Value = a.Text
	}
	d.Args = append(d.Args, line)
	for i, f := range a.Elems {
		n := f.Name
		if a.Kind == trace.Array || n == "" {
			n = fmt.Sprintf("[%d]", i)
		}
		describe(d, f, n, depth+1, dir)
	}
}
