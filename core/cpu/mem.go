package cpu

import (
	"encoding/binary"
	"unsafe"

	"trapdoor/core/memory"
)

// FlushTLB forgets every translation (a CR3 reload).
func (c *CPU) FlushTLB() {
	for i := range c.rtlb {
		c.rtlb[i].vpn = invalidPage
		c.wtlb[i].vpn = invalidPage
	}
	for i := range c.itlb {
		c.itlb[i].vpn = invalidPage
	}
	c.tlbSuper = false
	c.fetchVPN = invalidPage
}

// InvalidatePage forgets the translation of one page (invlpg).
func (c *CPU) InvalidatePage(addr uint32) {
	vpn := addr >> memory.PageShift
	i := vpn & (tlbSize - 1)
	if c.rtlb[i].vpn == vpn {
		c.rtlb[i].vpn = invalidPage
	}
	if c.wtlb[i].vpn == vpn {
		c.wtlb[i].vpn = invalidPage
	}
	if c.fetchVPN == vpn {
		c.fetchVPN = invalidPage
	}
	if e := &c.itlb[vpn&(itlbSize-1)]; e.vpn == vpn {
		e.vpn = invalidPage
	}
}

func (c *CPU) access(write bool) memory.Access {
	acc := memory.AccessRead
	if write {
		acc = memory.AccessWrite
	}
	if c.CPL == 3 {
		acc |= memory.AccessUser
	}
	return acc
}

// translate walks the page tables for addr, raising #PF on failure, and
// fills the TLB. Frames holding decoded code never get a write entry, so
// every write to them comes here and drops the decoded copy first.
func (c *CPU) translate(addr uint32, write bool) *memory.Page {
	pfn, pte, f := c.Phys.Walk(c.CR3, addr, c.access(write))
	if f != nil {
		c.CR2 = f.Addr
		c.exit = Exit{Reason: ExitFault, Vector: VecPageFault, ErrorCode: f.Code, Addr: f.Addr}
		panic(errFault)
	}
	vpn := addr >> memory.PageShift
	i := vpn & (tlbSize - 1)
	if pte&memory.PTEUser == 0 {
		c.tlbSuper = true
	}
	if write {
		page := c.Phys.WritablePage(pfn)
		c.wtlb[i] = tlbEntry{vpn, page}
		c.rtlb[i] = tlbEntry{vpn, page}
		return page
	}
	page := c.Phys.Page(pfn)
	c.rtlb[i] = tlbEntry{vpn, page}
	return page
}

func (c *CPU) rpage(addr uint32) *memory.Page {
	e := &c.rtlb[(addr>>memory.PageShift)&(tlbSize-1)]
	if e.vpn == addr>>memory.PageShift {
		return e.page
	}
	return c.translate(addr, false)
}

func (c *CPU) wpage(addr uint32) *memory.Page {
	e := &c.wtlb[(addr>>memory.PageShift)&(tlbSize-1)]
	if e.vpn == addr>>memory.PageShift {
		return e.page
	}
	return c.translate(addr, true)
}

func (c *CPU) read8(addr uint32) uint8 {
	return c.rpage(addr)[addr&memory.PageMask]
}

func (c *CPU) read16(addr uint32) uint16 {
	if addr&memory.PageMask <= memory.PageSize-2 {
		return binary.LittleEndian.Uint16(c.rpage(addr)[addr&memory.PageMask:])
	}
	return uint16(c.read8(addr)) | uint16(c.read8(addr+1))<<8
}

func (c *CPU) read32(addr uint32) uint32 {
	if addr&memory.PageMask <= memory.PageSize-4 {
		return binary.LittleEndian.Uint32(c.rpage(addr)[addr&memory.PageMask:])
	}
	return uint32(c.read16(addr)) | uint32(c.read16(addr+2))<<16
}

func (c *CPU) read64(addr uint32) uint64 {
	return uint64(c.read32(addr)) | uint64(c.read32(addr+4))<<32
}

func (c *CPU) write8(addr uint32, v uint8) {
	c.wpage(addr)[addr&memory.PageMask] = v
}

func (c *CPU) write16(addr uint32, v uint16) {
	if addr&memory.PageMask <= memory.PageSize-2 {
		binary.LittleEndian.PutUint16(c.wpage(addr)[addr&memory.PageMask:], v)
		return
	}
	c.checkWritable(addr, 2)
	c.write8(addr, uint8(v))
	c.write8(addr+1, uint8(v>>8))
}

func (c *CPU) write32(addr uint32, v uint32) {
	if addr&memory.PageMask <= memory.PageSize-4 {
		binary.LittleEndian.PutUint32(c.wpage(addr)[addr&memory.PageMask:], v)
		return
	}
	c.checkWritable(addr, 4)
	for i := uint32(0); i < 4; i++ {
		c.write8(addr+i, uint8(v>>(8*i)))
	}
}

func (c *CPU) write64(addr uint32, v uint64) {
	c.checkWritable(addr, 8)
	c.write32(addr, uint32(v))
	c.write32(addr+4, uint32(v>>32))
}

// checkWritable makes sure every page of [addr, addr+n) is writable before
// any byte is written, so a write that straddles pages faults before it
// changes memory (precise faults).
func (c *CPU) checkWritable(addr, n uint32) {
	c.wpage(addr)
	if last := addr + n - 1; last>>memory.PageShift != addr>>memory.PageShift {
		// Fault, as hardware does, at the first byte in the second page.
		c.wpage(last &^ memory.PageMask)
	}
}

// Memory access for operands of width T.
// The width switches on unsafe.Sizeof fold away in each instantiation.
type word interface{ uint8 | uint16 | uint32 }

func load[T word](c *CPU, addr uint32) T {
	var z T
	switch unsafe.Sizeof(z) {
	case 1:
		return T(c.read8(addr))
	case 2:
		return T(c.read16(addr))
	default:
		return T(c.read32(addr))
	}
}

func store[T word](c *CPU, addr uint32, v T) {
	var z T
	switch unsafe.Sizeof(z) {
	case 1:
		c.write8(addr, uint8(v))
	case 2:
		c.write16(addr, uint16(v))
	default:
		c.write32(addr, uint32(v))
	}
}

// Guest memory access for the kernel and debugger: the same translation
// as the CPU at the CPU's current CR3 and CPL, without touching the TLB,
// returning the fault instead of raising it.

// ReadGuest copies guest memory at addr into buf. On a fault it returns
// how many bytes were copied and the fault.
func (c *CPU) ReadGuest(addr uint32, buf []byte, user bool) (int, *memory.Fault) {
	return c.copyGuest(addr, buf, false, user)
}

// WriteGuest copies buf into guest memory at addr, as copy_to_user does.
func (c *CPU) WriteGuest(addr uint32, buf []byte, user bool) (int, *memory.Fault) {
	return c.copyGuest(addr, buf, true, user)
}

func (c *CPU) copyGuest(addr uint32, buf []byte, write, user bool) (int, *memory.Fault) {
	acc := memory.AccessRead
	if write {
		acc = memory.AccessWrite
	}
	if user {
		acc |= memory.AccessUser
	}
	done := 0
	for done < len(buf) {
		a := addr + uint32(done)
		pfn, _, f := c.Phys.Walk(c.CR3, a, acc)
		if f != nil {
			return done, f
		}
		off := a & memory.PageMask
		var n int
		if write {
			n = copy(c.Phys.WritablePage(pfn)[off:], buf[done:])
		} else {
			n = copy(buf[done:], c.Phys.Page(pfn)[off:])
		}
		done += n
	}
	return done, nil
}
