package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/trace"
)

// INFO0940's copy-on-write fault statistics: pf_set_param tracks a
// process name, pf_get_info reports the VMAs and CoW faults of the last
// process executed with that name, pf_cleanup forgets everything.
//
// The address space counts CoW faults all the time (mm.Fault: user
// writes to present write-protected pages of private writable mappings,
// copied or reused), per VMA and in total. Tracking a name binds it to
// a process: the newest live one with that name when pf_set_param is
// called, then each process that execve's a program of that name, which
// resets the statistics (a fresh address space). When the bound process
// exits or execs something else, its VMAs and counts are kept as they
// were, so pf_get_info still answers after the program ended, as the
// handout's appendix does. Forked children share the name but were not
// executed: they do not take the name over.
//
// Errors (each also logged at KERN_ERR with "[INFO940][ERROR]"):
//   - EFAULT: the name or the pf_stat pointer is NULL or not mapped.
//   - EINVAL: the name is empty (name_len 0 or a NUL first), or
//     pf_get_info names a name that is not tracked.
//   - ENAMETOOLONG: the name is longer than a task name can be (15
//     bytes), so no process could ever match it.
//   - ENOMEM: pfMaxNames names are tracked already.
//   - ESRCH: pf_get_info names a tracked name no process has had yet.
// pf_cleanup cannot fail: with nothing tracked it has nothing to free.

// pfMaxSize is MAX_SIZE_PF: pf_stat holds at most this many VMAs.
const pfMaxSize = 128

// pfStatSize is sizeof(struct pf_stat) on i386.
const pfStatSize = 8 + 3*4*pfMaxSize

// pfMaxNames bounds the names tracked at once.
const pfMaxNames = 64

// taskCommLen is TASK_COMM_LEN: names are at most 15 bytes and a NUL.
const taskCommLen = 16

// pfEntry is one tracked name.
type pfEntry struct {
	name string
	pid  int    // the bound process, 0 before one is seen
	mm   *mm.MM // its address space while it lives
	// frozen are the statistics kept once the address space is gone.
	frozen *PFStat
}

// PFStat is the statistics of a tracked name, as pf_get_info fills
// struct pf_stat (without its 128-VMA limit).
type PFStat struct {
	Name string
	// Pid is the process the statistics belong to (0: none yet); Live
	// says whether it is still running that program.
	Pid  int
	Live bool
	// CoWFaults is the total; each VMA has its own count.
	CoWFaults int64
	VMAs      []PFVMA
}

// PFVMA is one VMA of a tracked process.
type PFVMA struct {
	Start, End uint32
	CoWFaults  int64
}

// pfSnapshot reads the statistics out of an address space.
func pfSnapshot(name string, pid int, m *mm.MM) *PFStat {
	s := &PFStat{Name: name, Pid: pid, Live: true, CoWFaults: int64(m.CoWFaults)}
	for _, v := range m.VMAs {
		s.VMAs = append(s.VMAs, PFVMA{Start: v.Start, End: v.End, CoWFaults: int64(v.CoWFaults)})
	}
	return s
}

// stat is the entry's statistics now.
func (e *pfEntry) stat() PFStat {
	switch {
	case e.mm != nil:
		return *pfSnapshot(e.name, e.pid, e.mm)
	case e.frozen != nil:
		return *e.frozen
	}
	return PFStat{Name: e.name}
}

// bind makes t's address space the one the entry reports.
func (e *pfEntry) bind(t *Task) {
	e.pid, e.mm, e.frozen = t.Tgid, t.MM, nil
	prev := t.MM.OnRelease
	t.MM.OnRelease = func(m *mm.MM) {
		if prev != nil {
			prev(m)
		}
		if e.mm == m {
			e.frozen = pfSnapshot(e.name, e.pid, m)
			e.frozen.Live = false
			e.mm = nil
		}
	}
}

// unbind is called when t stops being the process its program name
// says (it executed another program): the entry keeps what it had.
func (e *pfEntry) unbind() {
	if e.mm != nil {
		e.frozen = pfSnapshot(e.name, e.pid, e.mm)
		e.frozen.Live = false
		e.mm = nil
	}
}

// pfExeced runs when t has executed a new program: entries bound to t's
// old program freeze, and an entry tracking its new name binds to it.
func (k *Kernel) pfExeced(t *Task) {
	for _, e := range k.course.pf {
		if e.pid == t.Tgid && e.mm != t.MM {
			e.unbind()
		}
	}
	if e := k.pfFind(t.Comm); e != nil {
		e.bind(t)
	}
}

func (k *Kernel) pfFind(name string) *pfEntry {
	for _, e := range k.course.pf {
		if e.name == name {
			return e
		}
	}
	return nil
}

// pfError logs a pf_* failure as the handout requires and returns it.
func (t *Task) pfError(call string, err abi.Errno, why string) abi.Errno {
	t.k.Log.Printf(LogErr, "[INFO940][ERROR] %s: %s (%s)", call, why, err.Name())
	return err
}

// pfName reads the name argument of pf_set_param and pf_get_info.
func (t *Task) pfName(call string, addr, n uint32) (string, abi.Errno) {
	if n == 0 {
		return "", t.pfError(call, abi.EINVAL, "empty process name")
	}
	if addr == 0 {
		return "", t.pfError(call, abi.EFAULT, "process name is NULL")
	}
	// A name may carry its NUL: read at most a task name and a byte.
	b := make([]byte, min(n, taskCommLen+1))
	if err := t.copyIn(addr, b); err != 0 {
		return "", t.pfError(call, err, "cannot read the process name")
	}
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	switch {
	case len(b) == 0:
		return "", t.pfError(call, abi.EINVAL, "empty process name")
	case len(b) >= taskCommLen:
		return "", t.pfError(call, abi.ENAMETOOLONG, "process names are at most 15 bytes")
	}
	return string(b), 0
}

// pf_set_param(name, len).
func sysPfSetParam(t *Task, a *Args) (uint32, abi.Errno) {
	const call = "pf_set_param"
	name, err := t.pfName(call, a[0], a[1])
	if err != 0 {
		return 0, err
	}
	k := t.k
	if k.pfFind(name) != nil {
		return 0, 0 // tracked already: no effect
	}
	if len(k.course.pf) >= pfMaxNames {
		return 0, t.pfError(call, abi.ENOMEM, "too many tracked names")
	}
	e := &pfEntry{name: name}
	k.course.pf = append(k.course.pf, e)
	// A process already running under that name is the last one (the
	// newest, when there are several).
	for _, x := range k.taskList() {
		if x.alive() && x.Tgid == x.Pid && x.Comm == name && x.MM != nil {
			e.bind(x)
		}
	}
	return 0, 0
}

// pf_get_info(name, len, pf).
func sysPfGetInfo(t *Task, a *Args) (uint32, abi.Errno) {
	const call = "pf_get_info"
	name, err := t.pfName(call, a[0], a[1])
	if err != 0 {
		return 0, err
	}
	if a[2] == 0 {
		return 0, t.pfError(call, abi.EFAULT, "pf_stat pointer is NULL")
	}
	e := t.k.pfFind(name)
	if e == nil {
		return 0, t.pfError(call, abi.EINVAL, "process name "+name+" is not tracked (pf_set_param first)")
	}
	if e.pid == 0 {
		return 0, t.pfError(call, abi.ESRCH, "no process named "+name+" has run since it was tracked")
	}
	st := e.stat()
	if err := t.copyOut(a[2], pfStatBytes(&st)); err != 0 {
		return 0, t.pfError(call, err, "cannot write struct pf_stat")
	}
	return 0, 0
}

// pfStatBytes lays out struct pf_stat: nb_vma, cow_page_faults, then
// vma_fault, vma_list_start and vma_list_end of MAX_SIZE_PF each.
func pfStatBytes(s *PFStat) []byte {
	b := make(le, pfStatSize)
	n := min(len(s.VMAs), pfMaxSize)
	b.u32(0, uint32(n))
	b.u32(4, uint32(s.CoWFaults))
	for i, v := range s.VMAs[:n] {
		b.u32(8+4*i, uint32(v.CoWFaults))
		b.u32(8+4*pfMaxSize+4*i, v.Start)
		b.u32(8+8*pfMaxSize+4*i, v.End)
	}
	return b
}

// pf_cleanup(): forget every tracked name.
func sysPfCleanup(t *Task, a *Args) (uint32, abi.Errno) {
	for _, e := range t.k.course.pf {
		e.mm, e.frozen = nil, nil // a later release finds nothing bound
	}
	t.k.course.pf = nil
	return 0, 0
}

// PFStats returns copies of the statistics of every tracked name, in
// the order they were tracked.
func (k *Kernel) PFStats() []PFStat {
	var out []PFStat
	for _, e := range k.course.pf {
		out = append(out, e.stat())
	}
	return out
}

// fmtPfStat summarises a struct pf_stat for the trace: the counts, then
// the first VMAs' faults and ranges.
func fmtPfStat(d *Decoder, v uint32) trace.Arg {
	words, ok := d.structAt(v, pfStatSize/4)
	if !ok {
		return trace.P(v)
	}
	w := func(off int) uint32 { return words[off/4] }
	n := int(int32(w(0)))
	shown := min(max(n, 0), pfMaxSize, pfTraceVMAs)
	arr := func(base int, mk func(uint32) trace.Arg) trace.Arg {
		a := trace.Arg{Kind: trace.Array}
		for i := 0; i < shown; i++ {
			a.Elems = append(a.Elems, mk(w(base+4*i)))
		}
		if n > shown {
			a.Elems = append(a.Elems, trace.R("..."))
		}
		return a
	}
	long := func(x uint32) trace.Arg { return trace.I(int64(int32(x))) }
	hex := func(x uint32) trace.Arg { return trace.X(uint64(x)) }
	return trace.S(v,
		trace.F("nb_vma", trace.I(int64(n))),
		trace.F("cow_page_faults", long(w(4))),
		trace.F("vma_fault", arr(8, long)),
		trace.F("vma_list_start", arr(8+4*pfMaxSize, hex)),
		trace.F("vma_list_end", arr(8+8*pfMaxSize, hex)))
}

// pfTraceVMAs is how many VMAs the trace shows of a pf_stat.
const pfTraceVMAs = 4
