// Package mm is the address space of a process, as Linux's mm_struct:
// a sorted list of VMAs describing what may be mapped where, a page
// directory (real i386 page tables in physical memory) filled lazily by
// the page-fault handler, and the layout values (brk, stack, argument
// area) that /proc and the loader share.
//
// Pages are not allocated when a VMA is created: the first access faults
// and Fault allocates a zeroed frame (demand-zero). Frames are reference
// counted, so fork can later share them read-only and Fault will copy on
// write.
package mm

import (
	"errors"
	"fmt"
	"sort"

	"trapdoor/core/abi"
	"trapdoor/core/memory"
)

// Layout of the user half of an i386 address space (3 GiB split).
const (
	TaskSize = 0xC0000000
	// StackTop is where the initial stack ends (no randomisation).
	StackTop = TaskSize
	// StackMax is how far the stack may grow (RLIMIT_STACK, 8 MiB).
	StackMax = 8 << 20
	// MmapBase is where top-down mmap allocation starts: below the stack
	// and Linux's minimum gap of 128 MiB.
	MmapBase = TaskSize - 128<<20
	// MinAddr is mmap_min_addr: nothing is mapped below it.
	MinAddr = 0x10000
)

// Kind says what a VMA holds, for /proc/PID/maps and accounting.
type Kind uint8

// VMA kinds.
const (
	KindAnon  Kind = iota
	KindFile       // a file mapping (the program's segments)
	KindHeap       // [heap], grown by brk
	KindStack      // [stack]
)

// VMA is one mapped region [Start, End), page aligned.
type VMA struct {
	Start, End uint32
	Prot       uint32 // PROT_*
	Flags      uint32 // MAP_PRIVATE or MAP_SHARED, MAP_GROWSDOWN...
	Kind       Kind
	Name       string // file path for KindFile
	Offset     uint32 // file offset of Start, for KindFile
	// CoWFaults counts copy-on-write faults taken in this VMA.
	CoWFaults uint64
}

func (v *VMA) String() string {
	return fmt.Sprintf("%08x-%08x %s %s", v.Start, v.End, protString(v.Prot, v.Flags), v.Name)
}

func protString(p, f uint32) string {
	b := []byte("---p")
	if p&abi.PROT_READ != 0 {
		b[0] = 'r'
	}
	if p&abi.PROT_WRITE != 0 {
		b[1] = 'w'
	}
	if p&abi.PROT_EXEC != 0 {
		b[2] = 'x'
	}
	if f&abi.MAP_TYPE == abi.MAP_SHARED {
		b[3] = 's'
	}
	return string(b)
}

// Errors, mapped to errno by the syscall layer.
var (
	ErrNoMemory = errors.New("out of memory")
	ErrInvalid  = errors.New("invalid range")
	ErrFault    = errors.New("bad address")
	ErrExists   = errors.New("range already mapped")
)

// MM is an address space.
type MM struct {
	Phys *memory.Phys
	Dir  uint32 // PFN of the page directory (CR3)
	VMAs []*VMA // sorted by Start, never overlapping

	StartCode, EndCode uint32
	StartData, EndData uint32
	StartBrk, Brk      uint32
	StartStack         uint32
	ArgStart, ArgEnd   uint32
	EnvStart, EnvEnd   uint32

	// Counters for /proc and the course's fault statistics. CoWFaults
	// (and VMA.CoWFaults) count what Linux counts as a copy-on-write
	// fault: a user write to a present, write-protected page of a
	// private writable mapping, whether the page is copied or reused.
	MinorFaults, CoWFaults uint64

	// OnRelease, when set, sees the address space just before Release
	// frees it (the kernel keeps the fault statistics of a tracked
	// process after it is gone). Fork does not copy it.
	OnRelease func(m *MM)

	// Invalidate is called after a PTE changes, so the CPU running this
	// address space can drop the translation (invlpg).
	Invalidate func(addr uint32)
}

// New makes an empty address space.
func New(phys *memory.Phys) (*MM, error) {
	dir, err := phys.NewDirectory(0)
	if err != nil {
		return nil, ErrNoMemory
	}
	return &MM{Phys: phys, Dir: dir}, nil
}

func pageUp(v uint64) uint64 { return (v + memory.PageMask) &^ memory.PageMask }

// Find returns the VMA containing addr, or nil.
func (m *MM) Find(addr uint32) *VMA {
	i := sort.Search(len(m.VMAs), func(i int) bool { return m.VMAs[i].End > addr })
	if i < len(m.VMAs) && m.VMAs[i].Start <= addr {
		return m.VMAs[i]
	}
	return nil
}

// free reports whether [start, end) overlaps no VMA.
func (m *MM) free(start, end uint32) bool {
	for _, v := range m.VMAs {
		if v.Start < end && start < v.End {
			return false
		}
	}
	return true
}

// FindFree returns the highest free range of length bytes below limit
// (top-down allocation, as Linux's default mmap layout).
func (m *MM) FindFree(length, limit uint32) (uint32, bool) {
	end := limit
	for i := len(m.VMAs) - 1; i >= -1; i-- {
		lo := uint32(MinAddr)
		if i >= 0 {
			v := m.VMAs[i]
			if v.Start >= end {
				continue
			}
			lo = v.End
		}
		if end >= lo && end-lo >= length {
			return end - length, true
		}
		if i >= 0 {
			end = m.VMAs[i].Start
		}
	}
	return 0, false
}

// Map creates a VMA. With fixed, whatever is in the range is unmapped
// first; otherwise addr is a hint and a free range is chosen top-down.
// It returns the start address.
func (m *MM) Map(addr, length uint32, prot, flags uint32, kind Kind, name string, fixed bool) (uint32, error) {
	if length == 0 {
		return 0, ErrInvalid
	}
	l64 := pageUp(uint64(length))
	if l64 > TaskSize {
		return 0, ErrNoMemory
	}
	size := uint32(l64)
	if fixed {
		if addr&memory.PageMask != 0 || uint64(addr)+l64 > TaskSize {
			return 0, ErrInvalid
		}
		m.Unmap(addr, size)
	} else {
		addr &^= memory.PageMask
		if addr < MinAddr || uint64(addr)+l64 > TaskSize || !m.free(addr, addr+size) {
			a, ok := m.FindFree(size, MmapBase)
			if !ok {
				return 0, ErrNoMemory
			}
			addr = a
		}
	}
	m.insert(&VMA{Start: addr, End: addr + size, Prot: prot, Flags: flags, Kind: kind, Name: name})
	return addr, nil
}

func (m *MM) insert(v *VMA) {
	i := sort.Search(len(m.VMAs), func(i int) bool { return m.VMAs[i].Start >= v.Start })
	m.VMAs = append(m.VMAs, nil)
	copy(m.VMAs[i+1:], m.VMAs[i:])
	m.VMAs[i] = v
	m.merge()
}

// mergeable: Linux merges anonymous neighbours with identical attributes.
func mergeable(a, b *VMA) bool {
	return a.End == b.Start && a.Prot == b.Prot && a.Flags == b.Flags && a.Kind == b.Kind &&
		a.Name == b.Name && a.Kind != KindFile && a.Kind != KindStack
}

func (m *MM) merge() {
	out := m.VMAs[:0]
	for _, v := range m.VMAs {
		if n := len(out); n > 0 && mergeable(out[n-1], v) {
			out[n-1].End = v.End
			out[n-1].CoWFaults += v.CoWFaults
			continue
		}
		out = append(out, v)
	}
	for i := len(out); i < len(m.VMAs); i++ {
		m.VMAs[i] = nil
	}
	m.VMAs = out
}

// split makes addr a VMA boundary if it falls inside one.
func (m *MM) split(addr uint32) {
	v := m.Find(addr)
	if v == nil || v.Start == addr {
		return
	}
	w := *v
	w.Start = addr
	if w.Kind == KindFile {
		w.Offset += addr - v.Start
	}
	w.CoWFaults = 0
	v.End = addr
	i := sort.Search(len(m.VMAs), func(i int) bool { return m.VMAs[i].Start > v.Start })
	m.VMAs = append(m.VMAs, nil)
	copy(m.VMAs[i+1:], m.VMAs[i:])
	m.VMAs[i] = &w
}

// Unmap removes [addr, addr+length) from the address space, freeing its
// frames. Unmapping nothing is not an error (as munmap).
func (m *MM) Unmap(addr, length uint32) error {
	if addr&memory.PageMask != 0 || length == 0 || uint64(addr)+pageUp(uint64(length)) > TaskSize {
		return ErrInvalid
	}
	end := addr + uint32(pageUp(uint64(length)))
	m.split(addr)
	m.split(end)
	out := m.VMAs[:0]
	for _, v := range m.VMAs {
		if v.Start >= addr && v.End <= end {
			m.dropPages(v.Start, v.End)
			continue
		}
		out = append(out, v)
	}
	for i := len(out); i < len(m.VMAs); i++ {
		m.VMAs[i] = nil
	}
	m.VMAs = out
	return nil
}

// dropPages unmaps and unreferences every present page in [start, end).
func (m *MM) dropPages(start, end uint32) {
	for a := start; a < end; a += memory.PageSize {
		pte, ok := m.Phys.PTE(m.Dir, a)
		if !ok {
			// no page table: skip to the next 4 MiB boundary
			next := (a | (1<<22 - 1)) + 1
			if next == 0 || next >= end {
				break
			}
			a = next - memory.PageSize
			continue
		}
		if pte&memory.PTEPresent != 0 {
			m.Phys.SetPTE(m.Dir, a, 0)
			m.Phys.Unref(memory.PFN(pte))
			m.invalidate(a)
		}
	}
}

func (m *MM) invalidate(addr uint32) {
	if m.Invalidate != nil {
		m.Invalidate(addr)
	}
}

// Protect changes the protection of [addr, addr+length), which must be
// fully mapped (ENOMEM otherwise, as mprotect).
func (m *MM) Protect(addr, length, prot uint32) error {
	if addr&memory.PageMask != 0 || uint64(addr)+pageUp(uint64(length)) > TaskSize {
		return ErrInvalid
	}
	if length == 0 {
		return nil
	}
	end := addr + uint32(pageUp(uint64(length)))
	for a := addr; a < end; {
		v := m.Find(a)
		if v == nil {
			return ErrNoMemory
		}
		a = v.End
		if a == 0 {
			break
		}
	}
	m.split(addr)
	m.split(end)
	for _, v := range m.VMAs {
		if v.Start >= addr && v.End <= end {
			v.Prot = prot
			m.reprotect(v)
		}
	}
	m.merge()
	return nil
}

// pteFlags is the PTE protection a VMA's pages get. Private writable
// pages shared with another mapping stay read-only until a CoW fault.
func (m *MM) pteFlags(v *VMA, pfn uint32) uint32 {
	f := uint32(memory.PTEUser)
	if v.Prot&abi.PROT_WRITE != 0 && (v.Flags&abi.MAP_TYPE == abi.MAP_SHARED || m.Phys.Refs(pfn) == 1) {
		f |= memory.PTEWrite
	}
	return f
}

// reprotect rewrites the PTEs of a VMA's present pages after a change.
func (m *MM) reprotect(v *VMA) {
	for a := v.Start; a < v.End; a += memory.PageSize {
		pte, ok := m.Phys.PTE(m.Dir, a)
		if !ok || pte&memory.PTEPresent == 0 {
			continue
		}
		pfn := memory.PFN(pte)
		npte := pte&^(memory.PTEUser|memory.PTEWrite) | m.pteFlags(v, pfn)
		if v.Prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) == 0 {
			// PROT_NONE: i386 has no "present but inaccessible" user
			// page; make it supervisor-only so user accesses fault.
			npte &^= memory.PTEUser | memory.PTEWrite
		}
		if npte != pte {
			m.Phys.SetPTE(m.Dir, a, npte)
			m.invalidate(a)
		}
	}
}

// Access kinds for Fault and the permission check.
const (
	Read  = 0
	Write = memory.FaultWrite
)

// Fault handles a page fault at addr with the CPU's error code: it grows
// the stack, allocates a zeroed frame for a missing page (demand-zero) or
// copies a shared one on write (copy-on-write). It returns ErrFault
// when the access is not allowed (the caller sends SIGSEGV) and
// ErrNoMemory when no frame is left.
func (m *MM) Fault(addr, code uint32) error {
	v := m.Find(addr)
	if v == nil {
		v = m.growStack(addr)
		if v == nil {
			return ErrFault
		}
	}
	write := code&memory.FaultWrite != 0
	if write && v.Prot&abi.PROT_WRITE == 0 || v.Prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) == 0 {
		return ErrFault
	}
	page := addr &^ memory.PageMask
	pte, _ := m.Phys.PTE(m.Dir, page)
	if pte&memory.PTEPresent == 0 {
		pfn, err := m.Phys.Alloc()
		if err != nil {
			return ErrNoMemory
		}
		if err := m.Phys.Map(m.Dir, page, pfn, m.pteFlags(v, pfn)); err != nil {
			m.Phys.Unref(pfn)
			return ErrNoMemory
		}
		m.MinorFaults++
		m.invalidate(page)
		return nil
	}
	if !write || pte&memory.PTEWrite != 0 {
		// Present and allowed: a stale translation; nothing to do.
		m.invalidate(page)
		return nil
	}
	// Write to a present read-only page of a writable VMA: copy-on-write.
	// Only user faults count (the kernel's copy_to_user faults are not
	// the process's), and only in private mappings.
	pfn := memory.PFN(pte)
	if code&memory.FaultUser != 0 && v.Flags&abi.MAP_TYPE != abi.MAP_SHARED {
		v.CoWFaults++
		m.CoWFaults++
	}
	if m.Phys.Refs(pfn) > 1 {
		n, err := m.Phys.Alloc()
		if err != nil {
			return ErrNoMemory
		}
		*m.Phys.WritablePage(n) = *m.Phys.Page(pfn)
		m.Phys.Unref(pfn)
		pfn = n
	}
	m.Phys.SetPTE(m.Dir, page, pfn<<memory.PageShift|memory.PTEPresent|memory.PTEUser|memory.PTEWrite|memory.PTEAccessed|memory.PTEDirty)
	m.invalidate(page)
	return nil
}

// growStack extends a MAP_GROWSDOWN VMA down to addr's page, within the
// stack limit and not into another mapping, as Linux's expand_stack.
func (m *MM) growStack(addr uint32) *VMA {
	i := sort.Search(len(m.VMAs), func(i int) bool { return m.VMAs[i].Start > addr })
	if i >= len(m.VMAs) {
		return nil
	}
	v := m.VMAs[i]
	if v.Flags&abi.MAP_GROWSDOWN == 0 || v.End-addr > StackMax {
		return nil
	}
	page := addr &^ memory.PageMask
	if i > 0 && m.VMAs[i-1].End > page-memory.PageSize {
		return nil // keep a guard gap to the mapping below
	}
	v.Start = page
	return v
}

// CopyIn reads guest memory as copy_from_user does: faulting pages in as
// the CPU would, failing with ErrFault where a user access is not allowed.
func (m *MM) CopyIn(addr uint32, buf []byte) error {
	return m.copy(addr, buf, false, false)
}

// CopyOut writes guest memory as copy_to_user does.
func (m *MM) CopyOut(addr uint32, buf []byte) error {
	return m.copy(addr, buf, true, false)
}

// Poke writes guest memory ignoring protection (the loader filling
// read-only segments), allocating pages of existing VMAs as needed.
func (m *MM) Poke(addr uint32, buf []byte) error {
	return m.copy(addr, buf, true, true)
}

func (m *MM) copy(addr uint32, buf []byte, write, force bool) error {
	if uint64(addr)+uint64(len(buf)) > TaskSize {
		return ErrFault
	}
	acc := memory.AccessUser
	if write {
		acc |= memory.AccessWrite
	}
	done := 0
	for done < len(buf) {
		a := addr + uint32(done)
		var pfn uint32
		if force {
			var err error
			if pfn, err = m.forcePage(a); err != nil {
				return err
			}
		} else {
			p, _, f := m.Phys.Walk(m.Dir, a, acc)
			if f != nil {
				// The access checks user permissions but is the
				// kernel's (copy_from_user): no FaultUser bit.
				code := f.Code &^ memory.FaultUser
				if write {
					code |= memory.FaultWrite
				}
				if err := m.Fault(a, code); err != nil {
					return err
				}
				continue
			}
			pfn = p
		}
		off := a & memory.PageMask
		var n int
		if write {
			n = copy(m.Phys.WritablePage(pfn)[off:], buf[done:])
		} else {
			n = copy(buf[done:], m.Phys.Page(pfn)[off:])
		}
		done += n
	}
	return nil
}

// forcePage returns the frame behind addr for a write that ignores the
// VMA's protection (the loader filling read-only segments), allocating
// it, or un-sharing it, as needed. addr must be inside a VMA.
func (m *MM) forcePage(addr uint32) (uint32, error) {
	v := m.Find(addr)
	if v == nil {
		return 0, ErrFault
	}
	page := addr &^ memory.PageMask
	pte, _ := m.Phys.PTE(m.Dir, page)
	if pte&memory.PTEPresent != 0 {
		pfn := memory.PFN(pte)
		if m.Phys.Refs(pfn) == 1 {
			return pfn, nil
		}
		n, err := m.Phys.Alloc()
		if err != nil {
			return 0, ErrNoMemory
		}
		*m.Phys.WritablePage(n) = *m.Phys.Page(pfn)
		m.Phys.Unref(pfn)
		m.Phys.SetPTE(m.Dir, page, n<<memory.PageShift|pte&(memory.PageMask))
		m.invalidate(page)
		return n, nil
	}
	pfn, err := m.Phys.Alloc()
	if err != nil {
		return 0, ErrNoMemory
	}
	flags := m.pteFlags(v, pfn)
	if v.Prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) == 0 {
		flags = 0
	}
	if err := m.Phys.Map(m.Dir, page, pfn, flags); err != nil {
		m.Phys.Unref(pfn)
		return 0, ErrNoMemory
	}
	m.invalidate(page)
	return pfn, nil
}

// ReadString reads a NUL-terminated string of at most max bytes. It
// returns the bytes before the NUL and whether the NUL was found.
func (m *MM) ReadString(addr uint32, max int) (string, bool, error) {
	var out []byte
	var chunk [256]byte
	for len(out) < max {
		n := memory.PageSize - int(addr&memory.PageMask)
		if n > len(chunk) {
			n = len(chunk)
		}
		if n > max-len(out) {
			n = max - len(out)
		}
		if err := m.CopyIn(addr, chunk[:n]); err != nil {
			return string(out), false, err
		}
		for i := 0; i < n; i++ {
			if chunk[i] == 0 {
				return string(append(out, chunk[:i]...)), true, nil
			}
		}
		out = append(out, chunk[:n]...)
		addr += uint32(n)
	}
	return string(out), false, nil
}

// SetBrk moves the program break as brk(2): it returns the new break,
// or the old one when the request is refused.
func (m *MM) SetBrk(nb uint32) uint32 {
	if nb < m.StartBrk || nb > MmapBase {
		return m.Brk
	}
	oldEnd := uint32(pageUp(uint64(m.Brk)))
	newEnd := uint32(pageUp(uint64(nb)))
	switch {
	case newEnd > oldEnd:
		if !m.free(oldEnd, newEnd) {
			return m.Brk
		}
		m.insert(&VMA{Start: oldEnd, End: newEnd, Prot: abi.PROT_READ | abi.PROT_WRITE, Flags: abi.MAP_PRIVATE | abi.MAP_ANONYMOUS, Kind: KindHeap, Name: "[heap]"})
	case newEnd < oldEnd:
		m.Unmap(newEnd, oldEnd-newEnd)
	}
	m.Brk = nb
	return nb
}

// Resident counts present pages (for /proc and tests).
func (m *MM) Resident() int {
	n := 0
	for _, v := range m.VMAs {
		for a := v.Start; a < v.End; a += memory.PageSize {
			if pte, ok := m.Phys.PTE(m.Dir, a); ok && pte&memory.PTEPresent != 0 {
				n++
			}
		}
	}
	return n
}

// Release frees every frame and the page tables: the process is gone.
func (m *MM) Release() {
	if m.OnRelease != nil {
		m.OnRelease(m)
		m.OnRelease = nil
	}
	for _, v := range m.VMAs {
		m.dropPages(v.Start, v.End)
	}
	m.VMAs = nil
	m.Phys.FreeDirectory(m.Dir)
	m.Dir = 0
}

// DropRange frees the pages of [addr, addr+length) but keeps the VMAs:
// the next access faults in zeroed pages (madvise MADV_DONTNEED).
func (m *MM) DropRange(addr, length uint32) {
	m.dropPages(addr&^memory.PageMask, addr+length)
}

// Remap resizes the mapping at [old, old+oldSize) to newSize, in place
// when the pages after it are free, else (with mayMove) by moving its
// pages to a new range, as mremap(2). It returns the new address.
func (m *MM) Remap(old, oldSize, newSize uint32, mayMove bool) (uint32, error) {
	if old&memory.PageMask != 0 || newSize == 0 {
		return 0, ErrInvalid
	}
	os64, ns64 := pageUp(uint64(oldSize)), pageUp(uint64(newSize))
	if uint64(old)+os64 > TaskSize || ns64 > TaskSize {
		return 0, ErrInvalid
	}
	oldEnd, newLen := old+uint32(os64), uint32(ns64)
	v := m.Find(old)
	if v == nil || v.End < oldEnd || oldSize == 0 {
		return 0, ErrFault
	}
	if ns64 <= os64 {
		if ns64 < os64 {
			m.Unmap(old+newLen, uint32(os64-ns64))
		}
		return old, nil
	}
	// Grow in place when old ends at the VMA's end and the gap is free.
	if v.End == oldEnd && uint64(old)+ns64 <= TaskSize && m.free(oldEnd, old+newLen) {
		v.End = old + newLen
		return old, nil
	}
	if !mayMove {
		return 0, ErrNoMemory
	}
	dst, ok := m.FindFree(newLen, MmapBase)
	if !ok {
		return 0, ErrNoMemory
	}
	return m.moveTo(old, oldEnd, dst, newLen)
}

// RemapFixed moves [old, old+oldSize) to dst, resized to newSize,
// replacing whatever was mapped there (mremap with MREMAP_FIXED).
func (m *MM) RemapFixed(old, oldSize, newSize, dst uint32) (uint32, error) {
	if old&memory.PageMask != 0 || dst&memory.PageMask != 0 || newSize == 0 {
		return 0, ErrInvalid
	}
	os64, ns64 := pageUp(uint64(oldSize)), pageUp(uint64(newSize))
	if uint64(old)+os64 > TaskSize || uint64(dst)+ns64 > TaskSize {
		return 0, ErrInvalid
	}
	if uint64(dst) < uint64(old)+os64 && uint64(old) < uint64(dst)+ns64 {
		return 0, ErrInvalid // the ranges overlap
	}
	oldEnd, newLen := old+uint32(os64), uint32(ns64)
	v := m.Find(old)
	if v == nil || v.End < oldEnd || oldSize == 0 {
		return 0, ErrFault
	}
	m.Unmap(dst, newLen)
	if ns64 < os64 {
		m.Unmap(old+newLen, uint32(os64-ns64))
		oldEnd = old + newLen
	}
	return m.moveTo(old, oldEnd, dst, newLen)
}

// moveTo moves the pages of [old, oldEnd), one VMA, to dst with a VMA
// of newLen bytes.
func (m *MM) moveTo(old, oldEnd, dst, newLen uint32) (uint32, error) {
	m.split(old)
	m.split(oldEnd)
	src := m.Find(old)
	for a := old; a < oldEnd; a += memory.PageSize {
		pte, ok := m.Phys.PTE(m.Dir, a)
		if !ok || pte&memory.PTEPresent == 0 {
			continue
		}
		if err := m.Phys.SetPTE(m.Dir, dst+(a-old), pte); err != nil {
			return 0, ErrNoMemory
		}
		m.Phys.SetPTE(m.Dir, a, 0)
		m.invalidate(a)
	}
	nv := *src
	nv.Start, nv.End = dst, dst+newLen
	if nv.Kind == KindFile {
		nv.Offset = src.Offset
	}
	// Remove the old VMA without freeing the frames it no longer maps.
	for i, x := range m.VMAs {
		if x == src {
			m.VMAs = append(m.VMAs[:i], m.VMAs[i+1:]...)
			break
		}
	}
	m.insert(&nv)
	return dst, nil
}

// Fork duplicates the address space for fork(2): the child gets the same
// VMAs and shares every present frame. Private writable pages become
// read-only in both, so the first write to one takes a copy-on-write
// fault; shared mappings stay writable. The caller flushes the parent's
// TLB.
func (m *MM) Fork() (*MM, error) {
	c, err := New(m.Phys)
	if err != nil {
		return nil, err
	}
	dir := c.Dir
	*c = *m
	c.Dir, c.VMAs, c.Invalidate, c.OnRelease = dir, nil, nil, nil
	c.MinorFaults, c.CoWFaults = 0, 0
	for _, v := range m.VMAs {
		nv := *v
		nv.CoWFaults = 0
		c.VMAs = append(c.VMAs, &nv)
		private := v.Flags&abi.MAP_TYPE != abi.MAP_SHARED
		if !private && v.Prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) != 0 {
			// A shared page must be one frame in both: fault in the
			// pages not touched yet, so neither side gets its own.
			for a := v.Start; a < v.End; a += memory.PageSize {
				if pte, _ := m.Phys.PTE(m.Dir, a); pte&memory.PTEPresent == 0 {
					if err := m.Fault(a, Read); err != nil {
						c.Release()
						return nil, ErrNoMemory
					}
				}
			}
		}
		for a := v.Start; a < v.End; a += memory.PageSize {
			pte, ok := m.Phys.PTE(m.Dir, a)
			if !ok {
				next := (a | (1<<22 - 1)) + 1
				if next == 0 || next >= v.End {
					break
				}
				a = next - memory.PageSize
				continue
			}
			if pte&memory.PTEPresent == 0 {
				continue
			}
			if private && pte&memory.PTEWrite != 0 {
				pte &^= memory.PTEWrite
				m.Phys.SetPTE(m.Dir, a, pte)
				m.invalidate(a)
			}
			if err := m.Phys.SetPTE(c.Dir, a, pte); err != nil {
				c.Release()
				return nil, ErrNoMemory
			}
			m.Phys.Ref(memory.PFN(pte))
		}
	}
	return c, nil
}
