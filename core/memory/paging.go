package memory

import "encoding/binary"

// Page-directory and page-table entry bits (i386, 4 KiB pages, no PAE).
const (
	PTEPresent  = 1 << 0
	PTEWrite    = 1 << 1
	PTEUser     = 1 << 2
	PTEAccessed = 1 << 5
	PTEDirty    = 1 << 6
	// PTESoft0..2 are the three bits the hardware ignores (9-11); the
	// kernel keeps its own bookkeeping there (Linux marks special PTEs so).
	PTESoft0 = 1 << 9
	PTESoft1 = 1 << 10
	PTESoft2 = 1 << 11

	PTEFrameMask = 0xFFFFF000
)

// Page-fault error code bits, as pushed by the CPU and read by the kernel.
const (
	FaultProtection = 1 << 0 // 0: page not present, 1: protection violation
	FaultWrite      = 1 << 1 // the access was a write
	FaultUser       = 1 << 2 // the access came from CPL 3
)

// Access describes one memory access for a page walk.
type Access uint8

// Access kinds.
const (
	AccessRead  Access = 0
	AccessWrite Access = FaultWrite
	AccessUser  Access = FaultUser // made at CPL 3
)

// Fault is a page fault: the linear address (CR2) and the error code.
type Fault struct {
	Addr uint32
	Code uint32
}

// PFN returns the frame number an entry points to.
func PFN(entry uint32) uint32 { return entry >> PageShift }

func (p *Phys) entry(tablePFN, index uint32) uint32 {
	return binary.LittleEndian.Uint32(p.frames[tablePFN][index*4:])
}

func (p *Phys) setEntry(tablePFN, index, v uint32) {
	binary.LittleEndian.PutUint32(p.frames[tablePFN][index*4:], v)
}

// NewDirectory allocates an empty page directory. If kernel is non-zero,
// the kernel half (entries 768 and up, addresses from 0xC0000000) is copied
// from that directory, so every address space shares the kernel's tables
// as on i386 Linux.
func (p *Phys) NewDirectory(kernel uint32) (uint32, error) {
	dir, err := p.Alloc()
	if err != nil {
		return 0, err
	}
	if kernel != 0 {
		copy(p.frames[dir][768*4:], p.frames[kernel][768*4:])
	}
	return dir, nil
}

// Walk translates a linear address through the page directory dir the way
// the i386 paging unit does: it checks present, user/supervisor and
// read/write bits of both levels (CR0.WP set, as Linux runs, so supervisor
// writes honour read-only pages too), sets the accessed bits, and the dirty
// bit on writes. On success it returns the frame and the PTE with the
// user and write bits both levels allow.
func (p *Phys) Walk(dir, addr uint32, acc Access) (pfn uint32, pte uint32, fault *Fault) {
	di, ti := addr>>22, (addr>>12)&1023
	pde := p.entry(dir, di)
	if pde&PTEPresent == 0 {
		return 0, 0, &Fault{Addr: addr, Code: uint32(acc)}
	}
	table := PFN(pde)
	pte = p.entry(table, ti)
	if pte&PTEPresent == 0 {
		return 0, 0, &Fault{Addr: addr, Code: uint32(acc)}
	}
	if acc&AccessUser != 0 && (pde&pte)&PTEUser == 0 ||
		acc&AccessWrite != 0 && (pde&pte)&PTEWrite == 0 {
		return 0, 0, &Fault{Addr: addr, Code: uint32(acc) | FaultProtection}
	}
	if pde&PTEAccessed == 0 {
		p.setEntry(dir, di, pde|PTEAccessed)
	}
	want := pte | PTEAccessed
	if acc&AccessWrite != 0 {
		want |= PTEDirty
	}
	if want != pte {
		pte = want
		p.setEntry(table, ti, pte)
	}
	return PFN(pte), pte&^(PTEUser|PTEWrite) | pte&pde&(PTEUser|PTEWrite), nil
}

// PTE returns the page-table entry for addr, and false when the page table
// itself is missing.
func (p *Phys) PTE(dir, addr uint32) (uint32, bool) {
	pde := p.entry(dir, addr>>22)
	if pde&PTEPresent == 0 {
		return 0, false
	}
	return p.entry(PFN(pde), (addr>>12)&1023), true
}

// SetPTE stores a page-table entry, allocating the page table when needed.
// Page tables of the user half are created user-accessible and writable:
// protection is decided by the PTEs, as Linux does.
func (p *Phys) SetPTE(dir, addr, pte uint32) error {
	di := addr >> 22
	pde := p.entry(dir, di)
	if pde&PTEPresent == 0 {
		if pte == 0 {
			return nil
		}
		table, err := p.Alloc()
		if err != nil {
			return err
		}
		pde = table<<PageShift | PTEPresent | PTEWrite
		if di < 768 {
			pde |= PTEUser
		}
		p.setEntry(dir, di, pde)
	}
	p.setEntry(PFN(pde), (addr>>12)&1023, pte)
	return nil
}

// Map points addr at frame pfn with the given PTE flags (PTEPresent added).
// The caller owns the frame reference it hands over.
func (p *Phys) Map(dir, addr, pfn, flags uint32) error {
	return p.SetPTE(dir, addr, pfn<<PageShift|flags|PTEPresent)
}

// FreeDirectory releases the user half of an address space: the page
// tables themselves and the directory. Frames still mapped must have been
// unmapped (and unreferenced) by the caller.
func (p *Phys) FreeDirectory(dir uint32) {
	for di := uint32(0); di < 768; di++ {
		if pde := p.entry(dir, di); pde&PTEPresent != 0 {
			p.Unref(PFN(pde))
		}
	}
	p.Unref(dir)
}
