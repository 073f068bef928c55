// Package memory models the machine's physical memory and the i386 paging
// unit: 4 KiB frames allocated on demand, reference counts so that frames
// can be shared copy-on-write, and real two-level page tables (page
// directory and page tables in the PDE/PTE formats of the i386 manuals)
// stored in those frames.
//
// The CPU keeps its own software TLB on top of Walk; anything that changes
// a page-table entry must tell the CPU (InvalidatePage or FlushTLB), as a
// real kernel executes invlpg or reloads CR3.
package memory

import (
	"errors"
	"fmt"
)

// Page geometry.
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = PageSize - 1
)

// Page is the contents of one physical frame.
type Page = [PageSize]byte

// ErrNoMemory is returned when the machine's frame limit is reached.
var ErrNoMemory = errors.New("out of physical memory")

// Phys is the machine's physical memory. Frame numbers (PFNs) start at 1:
// PFN 0 is never handed out, so zero can mean "no frame".
type Phys struct {
	frames []*Page  // indexed by PFN; nil when free
	refs   []uint32 // reference counts, for frames shared copy-on-write
	code   []bool   // frames holding decoded instructions (see WatchCode)
	free   []uint32 // free PFNs, reused before the array grows
	max    int      // frame limit: the machine's memory size
	inUse  int

	// OnCodeWrite is called (by whoever writes a watched frame) before a
	// frame that holds decoded instructions changes or is freed, so the
	// CPU can drop its decoded copy. The watch is cleared before the call.
	OnCodeWrite func(pfn uint32)
}

// NewPhys returns a physical memory of at most maxBytes.
func NewPhys(maxBytes int) *Phys {
	n := maxBytes / PageSize
	if n < 16 {
		n = 16
	}
	return &Phys{
		frames: make([]*Page, 1, 1024),
		refs:   make([]uint32, 1, 1024),
		code:   make([]bool, 1, 1024),
		max:    n,
	}
}

// Alloc returns a new zeroed frame with reference count 1.
func (p *Phys) Alloc() (uint32, error) {
	if p.inUse >= p.max {
		return 0, ErrNoMemory
	}
	var pfn uint32
	if n := len(p.free); n > 0 {
		pfn = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		pfn = uint32(len(p.frames))
		p.frames = append(p.frames, nil)
		p.refs = append(p.refs, 0)
		p.code = append(p.code, false)
	}
	p.frames[pfn] = new(Page)
	p.refs[pfn] = 1
	p.inUse++
	return pfn, nil
}

// Ref adds a reference to a frame (a new mapping shares it).
func (p *Phys) Ref(pfn uint32) { p.refs[pfn]++ }

// Refs returns a frame's reference count.
func (p *Phys) Refs(pfn uint32) uint32 { return p.refs[pfn] }

// Unref drops a reference and frees the frame when none is left.
func (p *Phys) Unref(pfn uint32) {
	if pfn == 0 || int(pfn) >= len(p.frames) || p.refs[pfn] == 0 {
		panic(fmt.Sprintf("memory: unref of free frame %d", pfn))
	}
	p.refs[pfn]--
	if p.refs[pfn] > 0 {
		return
	}
	p.codeChanged(pfn)
	p.frames[pfn] = nil
	p.free = append(p.free, pfn)
	p.inUse--
}

// InUse reports how many frames are allocated, and the limit.
func (p *Phys) InUse() (used, limit int) { return p.inUse, p.max }

// Page returns a frame's contents for reading. Writers use WritablePage.
func (p *Phys) Page(pfn uint32) *Page { return p.frames[pfn] }

// WritablePage returns a frame's contents for writing, first telling the
// CPU to forget any instructions decoded from it.
func (p *Phys) WritablePage(pfn uint32) *Page {
	p.codeChanged(pfn)
	return p.frames[pfn]
}

// WatchCode marks a frame as holding decoded instructions.
func (p *Phys) WatchCode(pfn uint32) { p.code[pfn] = true }

// IsCode reports whether a frame holds decoded instructions.
func (p *Phys) IsCode(pfn uint32) bool { return p.code[pfn] }

func (p *Phys) codeChanged(pfn uint32) {
	if p.code[pfn] {
		p.code[pfn] = false
		if p.OnCodeWrite != nil {
			p.OnCodeWrite(pfn)
		}
	}
}
