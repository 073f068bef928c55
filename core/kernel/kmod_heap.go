package kernel

import (
	"fmt"
	"sort"
	"strings"

	"trapdoor/core/memory"
)

// kmalloc's memory: a first-fit heap in the kernel half, grown a page at
// a time and never shrunk. Every allocation is tracked (size, owning
// module, caller) so unloading a module can report what it leaked and
// kfree can catch double frees. Freed memory is poisoned with 0x6b, as
// SLUB's debug mode does, so a use after free reads garbage.

const (
	kmallocAlign   = 16
	kmallocMax     = 4 << 20 // KMALLOC_MAX_SIZE on i386 (order-10 pages)
	zeroSizePtr    = 16      // ZERO_SIZE_PTR: kmalloc(0)
	poisonFree     = 0x6b
	kheapPageFlags = memory.PTEWrite
)

type kalloc struct {
	size     uint32
	mod      *loadedModule
	caller   uint32
	internal bool // the kernel's own (task_struct shadows)
}

type kspan struct{ addr, size uint32 }

type kheap struct {
	ms         *modules
	start, end uint32 // [start, end) is mapped
	limit      uint32
	free       []kspan // sorted by address, coalesced
	live       map[uint32]kalloc
}

// alloc returns size bytes (rounded up), or 0 when the heap is full.
func (h *kheap) alloc(size uint32, who kalloc) uint32 {
	if size == 0 {
		return zeroSizePtr
	}
	if size > kmallocMax {
		return 0
	}
	n := (size + kmallocAlign - 1) &^ (kmallocAlign - 1)
	for {
		for i, s := range h.free {
			if s.size >= n {
				if s.size == n {
					h.free = append(h.free[:i], h.free[i+1:]...)
				} else {
					h.free[i] = kspan{s.addr + n, s.size - n}
				}
				who.size = size
				h.live[s.addr] = who
				return s.addr
			}
		}
		if !h.grow(n) {
			return 0
		}
	}
}

// grow maps pages at the end of the heap, enough for n more bytes.
func (h *kheap) grow(n uint32) bool {
	pages := (n + memory.PageSize - 1) / memory.PageSize
	if uint64(h.end)+uint64(pages)*memory.PageSize > uint64(h.limit) {
		return false
	}
	p := h.ms.k.Phys
	for i := uint32(0); i < pages; i++ {
		pfn, err := p.Alloc()
		if err != nil {
			return false
		}
		if err := p.Map(h.ms.dir, h.end, pfn, kheapPageFlags); err != nil {
			p.Unref(pfn)
			return false
		}
		h.release(kspan{h.end, memory.PageSize})
		h.end += memory.PageSize
	}
	h.ms.syncKernelHalf()
	return true
}

// release returns a span to the free list, merging neighbours.
func (h *kheap) release(s kspan) {
	i := sort.Search(len(h.free), func(i int) bool { return h.free[i].addr > s.addr })
	h.free = append(h.free, kspan{})
	copy(h.free[i+1:], h.free[i:])
	h.free[i] = s
	if i+1 < len(h.free) && h.free[i].addr+h.free[i].size == h.free[i+1].addr {
		h.free[i].size += h.free[i+1].size
		h.free = append(h.free[:i+1], h.free[i+2:]...)
	}
	if i > 0 && h.free[i-1].addr+h.free[i-1].size == h.free[i].addr {
		h.free[i-1].size += h.free[i].size
		h.free = append(h.free[:i], h.free[i+1:]...)
	}
}

// kfree frees addr; it reports false for a pointer kmalloc never
// returned (or one already freed).
func (h *kheap) kfree(addr uint32) bool {
	if addr == 0 || addr == zeroSizePtr {
		return true
	}
	a, ok := h.live[addr]
	if !ok {
		return false
	}
	delete(h.live, addr)
	n := (a.size + kmallocAlign - 1) &^ (kmallocAlign - 1)
	h.poison(addr, n)
	h.release(kspan{addr, n})
	return true
}

// poison fills freed memory with POISON_FREE.
func (h *kheap) poison(addr, n uint32) {
	p := h.ms.k.Phys
	for off := uint32(0); off < n; {
		pfn, _, f := p.Walk(h.ms.dir, addr+off, memory.AccessWrite)
		if f != nil {
			return
		}
		po := (addr + off) & memory.PageMask
		chunk := min(n-off, memory.PageSize-po)
		page := p.WritablePage(pfn)
		for i := po; i < po+chunk; i++ {
			page[i] = poisonFree
		}
		off += chunk
	}
}

// sizeOf is the requested size of a live allocation (ksize).
func (h *kheap) sizeOf(addr uint32) (uint32, bool) {
	a, ok := h.live[addr]
	return a.size, ok
}

// leaks counts what module m still holds.
func (h *kheap) leaks(m *loadedModule) (n int, bytes uint32) {
	for _, a := range h.live {
		if a.mod == m {
			n++
			bytes += a.size
		}
	}
	return
}

// leakList lists up to eight of m's live allocations.
func (h *kheap) leakList(m *loadedModule) string {
	var addrs []uint32
	for addr, a := range h.live {
		if a.mod == m {
			addrs = append(addrs, addr)
		}
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i] < addrs[j] })
	var b strings.Builder
	for i, addr := range addrs {
		if i == 8 {
			fmt.Fprintf(&b, " ...")
			break
		}
		a := h.live[addr]
		fmt.Fprintf(&b, " %#x (%d bytes, from %s)", addr, a.size, h.ms.symbolize(a.caller))
	}
	return b.String()
}

// freeModule frees everything module m allocated.
func (h *kheap) freeModule(m *loadedModule) {
	for addr, a := range h.live {
		if a.mod == m {
			h.kfree(addr)
		}
	}
}
