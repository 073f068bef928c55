package kernel

import (
	"bytes"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
)

// Read-only snapshots of the kernel's state for a debugger's panels (the
// browser app's process table, address space and signal views). Each
// returns copies: changing them changes nothing in the kernel, and taking
// them has no side effect on the guest (no page is faulted in, no accessed
// bit is set), so a debugger may take them at any stop.

// ProcessInfo is one task as a process table shows it.
type ProcessInfo struct {
	Pid, Tgid, PPid int
	Pgid, Sid       int
	// State is the letter ps shows (R running or runnable, S sleeping in
	// a system call, T stopped, Z zombie), StateName the word.
	State     string
	StateName string
	Comm      string
	Exe       string
	// Cmdline is argv read from the process's memory, as
	// /proc/PID/cmdline (so change_cmdline and an overwritten argv
	// show); empty for a zombie.
	Cmdline []string
	// OnCPU marks the task whose registers are in the CPU.
	OnCPU bool
	// VSize is the mapped bytes (the present pages are in AddressSpace:
	// counting them for every process would make a table of a fork bomb
	// slow).
	VSize uint64
	UID   uint32
}

// Processes returns every task the kernel knows (zombies included), by pid.
func (k *Kernel) Processes() []ProcessInfo {
	var out []ProcessInfo
	for _, t := range k.taskList() {
		letter, word := t.stateLetter()
		p := ProcessInfo{Pid: t.Pid, Tgid: t.Tgid, PPid: t.PPid, Pgid: t.Pgid, Sid: t.Sid,
			State: string(letter), StateName: word, Comm: t.Comm, Exe: t.Exe,
			OnCPU: t == k.cur, UID: t.Cred.UID}
		if t.alive() && t.MM != nil {
			p.Cmdline = peekCmdline(t.MM)
			for _, v := range t.MM.VMAs {
				p.VSize += uint64(v.End - v.Start)
			}
		}
		out = append(out, p)
	}
	return out
}

// VMAInfo is one mapping of an address space, as /proc/PID/maps with the
// page counts a copy-on-write lesson needs.
type VMAInfo struct {
	Start, End uint32
	Perms      string // "r-xp", as /proc/PID/maps
	Kind       string // "file", "anon", "heap" or "stack"
	Name       string // the file's path, [heap], [stack]; empty for anonymous memory
	// CoWFaults counts the copy-on-write faults taken in this VMA.
	CoWFaults uint64
	// Pages is the VMA's size in pages, Present how many are mapped,
	// Shared how many of those share their frame with another mapping
	// (after fork, until one side writes).
	Pages, Present, Shared int
}

// AddressSpaceInfo is a process's memory map.
type AddressSpaceInfo struct {
	Pid  int
	VMAs []VMAInfo
	// MinorFaults and CoWFaults are the process's page-fault counts.
	MinorFaults, CoWFaults uint64
	StartBrk, Brk          uint32
	StartStack             uint32
}

// AddressSpace returns pid's memory map; false when pid is unknown or has
// no memory (a zombie).
func (k *Kernel) AddressSpace(pid int) (AddressSpaceInfo, bool) {
	t := k.Tasks[pid]
	if t == nil || !t.alive() || t.MM == nil {
		return AddressSpaceInfo{}, false
	}
	m := t.MM
	as := AddressSpaceInfo{Pid: pid, MinorFaults: m.MinorFaults, CoWFaults: m.CoWFaults,
		StartBrk: m.StartBrk, Brk: m.Brk, StartStack: m.StartStack}
	for _, v := range m.VMAs {
		c := countPresent(m, v)
		line := v.String() // "start-end perms name"
		as.VMAs = append(as.VMAs, VMAInfo{Start: v.Start, End: v.End, Perms: line[18:22],
			Kind: kindName(v.Kind), Name: v.Name, CoWFaults: v.CoWFaults,
			Pages: int((v.End - v.Start) / memory.PageSize), Present: c.present, Shared: c.shared})
	}
	return as, true
}

// PageInfo is one page of a VMA: its page-table entry and the frame's
// reference count (above 1: the frame is shared, copy-on-write for a
// private mapping).
type PageInfo struct {
	Addr    uint32
	Present bool
	Frame   uint32 // the physical frame number, when present
	Refs    uint32 // mappings of the frame
	// Writable, Dirty and Accessed are the PTE's bits: a private page
	// shared after fork is present but not writable.
	Writable, Dirty, Accessed bool
}

// Pages returns the pages of pid's VMA that contains addr, from its start,
// at most limit of them (more reports how many were left out); false when
// there is no such VMA. Pages whose page table does not exist are absent.
func (k *Kernel) Pages(pid int, addr uint32, limit int) (pages []PageInfo, more int, ok bool) {
	t := k.Tasks[pid]
	if t == nil || !t.alive() || t.MM == nil {
		return nil, 0, false
	}
	m := t.MM
	v := m.Find(addr)
	if v == nil {
		return nil, 0, false
	}
	for a := v.Start; a < v.End; a += memory.PageSize {
		if len(pages) >= limit {
			more = int((v.End - a) / memory.PageSize)
			break
		}
		p := PageInfo{Addr: a}
		if pte, ok := m.Phys.PTE(m.Dir, a); ok && pte&memory.PTEPresent != 0 {
			p.Present, p.Frame = true, memory.PFN(pte)
			p.Refs = m.Phys.Refs(p.Frame)
			p.Writable = pte&memory.PTEWrite != 0
			p.Dirty = pte&memory.PTEDirty != 0
			p.Accessed = pte&memory.PTEAccessed != 0
		}
		pages = append(pages, p)
	}
	return pages, more, true
}

// SignalAction is a disposition other than the default.
type SignalAction struct {
	Signal  int
	Name    string // SIGINT
	Ignored bool   // SIG_IGN; otherwise Handler is the function
	Handler uint32
	Flags   uint32 // SA_*
	Mask    uint64 // blocked while the handler runs (bit N-1 is signal N)
}

// PendingSignal is a signal raised and not yet delivered.
type PendingSignal struct {
	Signal  int
	Name    string
	Blocked bool // held until unblocked
}

// SignalInfo is a task's signal state.
type SignalInfo struct {
	Pid int
	// Actions are the signals whose disposition is not SIG_DFL.
	Actions []SignalAction
	// Blocked is the mask (bit N-1 is signal N), BlockedNames its names.
	Blocked      uint64
	BlockedNames []string
	Pending      []PendingSignal
}

// Signals returns pid's signal state; false when pid is unknown.
func (k *Kernel) Signals(pid int) (SignalInfo, bool) {
	t := k.Tasks[pid]
	if t == nil {
		return SignalInfo{}, false
	}
	s := SignalInfo{Pid: pid, Blocked: t.sig.blocked}
	for i, a := range t.sig.actions {
		if a.Handler == sigDFL {
			continue
		}
		sig := i + 1
		s.Actions = append(s.Actions, SignalAction{Signal: sig, Name: abi.SignalName(sig),
			Ignored: a.Handler == sigIGN, Handler: a.Handler, Flags: a.Flags, Mask: a.Mask})
	}
	for sig := 1; sig <= abi.NSIG; sig++ {
		if t.sig.blocked&sigbit(sig) != 0 {
			s.BlockedNames = append(s.BlockedNames, abi.SignalName(sig))
		}
	}
	for _, p := range t.pending {
		s.Pending = append(s.Pending, PendingSignal{Signal: p.sig, Name: abi.SignalName(p.sig)})
	}
	for _, p := range t.blockedPending {
		s.Pending = append(s.Pending, PendingSignal{Signal: p.sig, Name: abi.SignalName(p.sig), Blocked: true})
	}
	return s, true
}

func kindName(k mm.Kind) string {
	switch k {
	case mm.KindFile:
		return "file"
	case mm.KindHeap:
		return "heap"
	case mm.KindStack:
		return "stack"
	}
	return "anon"
}

type pageCount struct{ present, shared int }

// countPresent counts v's mapped pages and those sharing their frame,
// skipping 4 MiB at a time where no page table exists.
func countPresent(m *mm.MM, v *mm.VMA) pageCount {
	var c pageCount
	for a := uint64(v.Start); a < uint64(v.End); {
		pte, ok := m.Phys.PTE(m.Dir, uint32(a))
		if !ok {
			a = (a>>22 + 1) << 22
			continue
		}
		if pte&memory.PTEPresent != 0 {
			c.present++
			if m.Phys.Refs(memory.PFN(pte)) > 1 {
				c.shared++
			}
		}
		a += memory.PageSize
	}
	return c
}

// peek copies guest memory through the page tables without faulting
// anything in: it stops at the first page that is not present.
func peek(m *mm.MM, addr uint32, buf []byte) int {
	done := 0
	for done < len(buf) {
		a := addr + uint32(done)
		pte, ok := m.Phys.PTE(m.Dir, a)
		if !ok || pte&memory.PTEPresent == 0 {
			break
		}
		done += copy(buf[done:], m.Phys.Page(memory.PFN(pte))[a&memory.PageMask:])
	}
	return done
}

// peekCmdline reads argv as /proc/PID/cmdline does (the argument area, or
// up to the first NUL when the program overwrote its last byte).
func peekCmdline(m *mm.MM) []string {
	if m.ArgEnd <= m.ArgStart || m.ArgEnd-m.ArgStart > 1<<20 {
		return nil
	}
	b := make([]byte, m.ArgEnd-m.ArgStart)
	b = b[:peek(m, m.ArgStart, b)]
	if len(b) > 0 && b[len(b)-1] != 0 {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
	}
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return stringsOf(bytes.Split(b, []byte{0}))
}

func stringsOf(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// SyscallArgsBefore reports, for each argument the tracer shows of system
// call nr, whether it was decoded before the call ran (what the kernel
// read from the process: values, and buffers copied from user space) or
// after (buffers the call wrote back to user space). nil when the call is
// unknown or decodes its arguments in its own way.
func (k *Kernel) SyscallArgsBefore(nr int) []bool {
	sc := k.table.Lookup(uint32(nr))
	if sc == nil || sc.Decode != nil {
		return nil
	}
	before := make([]bool, len(sc.Args))
	for i, a := range sc.Args {
		before[i] = a.Before
	}
	return before
}
