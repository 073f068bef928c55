package cpu

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"trapdoor/core/memory"
)

// String instructions: movs, cmps, stos, lods, scas with rep prefixes.
//
// The source is seg:(E)SI with seg overridable (DS by default), the
// destination always ES:(E)DI. Registers are updated element by element
// (or chunk by chunk on the fast paths, with every access of a chunk
// checked before any of it is written), so a fault part-way leaves
// ESI/EDI/ECX at the element that faulted and the restarted instruction
// carries on from there. A REP instruction counts as one instruction.

// strIndex returns SI/DI/CX as the address size says.
func (c *CPU) strIndex(in *Inst, r int) uint32 {
	if in.addr16 {
		return c.R[r] & 0xFFFF
	}
	return c.R[r]
}

// strAdd adds delta to SI/DI/CX in the address size.
func (c *CPU) strAdd(in *Inst, r int, delta uint32) {
	if in.addr16 {
		c.R[r] = c.R[r]&^0xFFFF | (c.R[r]+delta)&0xFFFF
		return
	}
	c.R[r] += delta
}

// strDelta is the per-element step: +size, or -size with DF set.
func strDelta[T word](c *CPU) uint32 {
	var z T
	d := uint32(unsafe.Sizeof(z))
	if c.flags&FlagDF != 0 {
		return -d
	}
	return d
}

func (c *CPU) srcAddr(in *Inst) uint32 { return c.strIndex(in, ESI) + c.SegBas[in.seg] }
func (c *CPU) dstAddr(in *Inst) uint32 { return c.strIndex(in, EDI) + c.SegBas[ES] }

func movsOne[T word](c *CPU, in *Inst, d uint32) {
	store(c, c.dstAddr(in), load[T](c, c.srcAddr(in)))
	c.strAdd(in, ESI, d)
	c.strAdd(in, EDI, d)
}

func movs[T word](c *CPU, in *Inst) {
	d := strDelta[T](c)
	if in.rep == 0 {
		movsOne[T](c, in, d)
		return
	}
	if !in.addr16 {
		if c.flags&FlagDF == 0 {
			movsFast[T](c, in)
		} else {
			movsBack[T](c, in)
		}
		return
	}
	for c.strIndex(in, ECX) != 0 {
		movsOne[T](c, in, d)
		c.strAdd(in, ECX, ^uint32(0))
	}
}

// movsFast is rep movs with DF clear and 32-bit addressing: it copies the
// largest run that stays inside one source and one destination page at a
// time.
func movsFast[T word](c *CPU, in *Inst) {
	var z T
	size := uint32(unsafe.Sizeof(z))
	for c.R[ECX] != 0 {
		src := c.R[ESI] + c.SegBas[in.seg]
		dst := c.R[EDI] + c.SegBas[ES]
		so, do := src&memory.PageMask, dst&memory.PageMask
		n := (memory.PageSize - max(so, do)) / size
		if n > c.R[ECX] {
			n = c.R[ECX]
		}
		if n == 0 { // an element straddles a page boundary
			movsOne[T](c, in, size)
			c.R[ECX]--
			continue
		}
		sp := c.rpage(src)
		dp := c.wpage(dst)
		nb := n * size
		if sp == dp && do > so && do < so+nb {
			// Forward overlap: the copy must see its own writes, element
			// by element, as the hardware's does.
			for i := uint32(0); i < nb; i += size {
				copy(dp[do+i:do+i+size], sp[so+i:so+i+size])
			}
		} else {
			copy(dp[do:do+nb], sp[so:so+nb])
		}
		c.R[ESI] += nb
		c.R[EDI] += nb
		c.R[ECX] -= n
	}
}

// movsBack is rep movs with DF set (memmove's backward copy), a run
// inside one source and one destination page at a time, from the top.
func movsBack[T word](c *CPU, in *Inst) {
	var z T
	size := uint32(unsafe.Sizeof(z))
	for c.R[ECX] != 0 {
		src := c.R[ESI] + c.SegBas[in.seg]
		dst := c.R[EDI] + c.SegBas[ES]
		so, do := src&memory.PageMask, dst&memory.PageMask
		if so > memory.PageSize-size || do > memory.PageSize-size {
			movsOne[T](c, in, -size) // the top element straddles pages
			c.R[ECX]--
			continue
		}
		// Elements at src, src-size, ...: as many as stay in both pages.
		n := min(so, do)/size + 1
		if n > c.R[ECX] {
			n = c.R[ECX]
		}
		nb := n * size
		sp := c.rpage(src)
		dp := c.wpage(dst)
		slo, dlo := so+size-nb, do+size-nb
		if sp == dp && dlo < slo && dlo+nb > slo {
			// Overlap with the destination below: element by element
			// from the top, seeing its own writes as the hardware does.
			for i := nb; i >= size; i -= size {
				copy(dp[dlo+i-size:dlo+i], sp[slo+i-size:slo+i])
			}
		} else {
			copy(dp[dlo:dlo+nb], sp[slo:slo+nb])
		}
		c.R[ESI] -= nb
		c.R[EDI] -= nb
		c.R[ECX] -= n
	}
}

func stosOne[T word](c *CPU, in *Inst, d uint32) {
	store(c, c.dstAddr(in), getReg[T](c, EAX))
	c.strAdd(in, EDI, d)
}

func stos[T word](c *CPU, in *Inst) {
	d := strDelta[T](c)
	if in.rep == 0 {
		stosOne[T](c, in, d)
		return
	}
	if !in.addr16 && c.flags&FlagDF == 0 {
		stosFast[T](c, in)
		return
	}
	for c.strIndex(in, ECX) != 0 {
		stosOne[T](c, in, d)
		c.strAdd(in, ECX, ^uint32(0))
	}
}

// stosFast is rep stos with DF clear and 32-bit addressing, a page-sized
// fill at a time.
func stosFast[T word](c *CPU, in *Inst) {
	var z T
	size := uint32(unsafe.Sizeof(z))
	var pat [4]byte
	binary.LittleEndian.PutUint32(pat[:], c.R[EAX])
	for c.R[ECX] != 0 {
		dst := c.R[EDI] + c.SegBas[ES]
		do := dst & memory.PageMask
		n := (memory.PageSize - do) / size
		if n > c.R[ECX] {
			n = c.R[ECX]
		}
		if n == 0 {
			stosOne[T](c, in, size)
			c.R[ECX]--
			continue
		}
		dp := c.wpage(dst)
		b := dp[do : do+n*size]
		copy(b, pat[:size])
		for filled := size; filled < uint32(len(b)); filled *= 2 {
			copy(b[filled:], b[:filled])
		}
		c.R[EDI] += n * size
		c.R[ECX] -= n
	}
}

func lods[T word](c *CPU, in *Inst) {
	d := strDelta[T](c)
	if in.rep == 0 {
		setReg(c, EAX, load[T](c, c.srcAddr(in)))
		c.strAdd(in, ESI, d)
		return
	}
	for c.strIndex(in, ECX) != 0 {
		setReg(c, EAX, load[T](c, c.srcAddr(in)))
		c.strAdd(in, ESI, d)
		c.strAdd(in, ECX, ^uint32(0))
	}
}

// cmps compares [seg:ESI] with [ES:EDI] (source minus destination).
func cmps[T word](c *CPU, in *Inst) {
	d := strDelta[T](c)
	if in.rep == 0 {
		a := load[T](c, c.srcAddr(in))
		b := load[T](c, c.dstAddr(in))
		alu(c, aluCMP, a, b)
		c.strAdd(in, ESI, d)
		c.strAdd(in, EDI, d)
		return
	}
	wantZ := in.rep == prefixREP
	if sizeOf[T]() == 1 && !in.addr16 && c.flags&FlagDF == 0 {
		cmpsbFast(c, in, wantZ)
		return
	}
	for c.strIndex(in, ECX) != 0 {
		a := load[T](c, c.srcAddr(in))
		b := load[T](c, c.dstAddr(in))
		alu(c, aluCMP, a, b)
		c.strAdd(in, ESI, d)
		c.strAdd(in, EDI, d)
		c.strAdd(in, ECX, ^uint32(0))
		if (a == b) != wantZ {
			return
		}
	}
}

// cmpsbFast is repe/repne cmpsb with DF clear and 32-bit addressing (a
// memcmp): it scans the largest run inside one source and one destination
// page for the element that ends the repeat, then sets the registers and
// flags as the element-by-element loop would have.
func cmpsbFast(c *CPU, in *Inst, wantZ bool) {
	for c.R[ECX] != 0 {
		src := c.R[ESI] + c.SegBas[in.seg]
		dst := c.R[EDI] + c.SegBas[ES]
		so, do := src&memory.PageMask, dst&memory.PageMask
		n := min(memory.PageSize-max(so, do), c.R[ECX])
		a := c.rpage(src)[so : so+n]
		b := c.rpage(dst)[do : do+n]
		i := uint32(0)
		for i < n-1 && (a[i] == b[i]) == wantZ {
			i++
		}
		alu(c, aluCMP, a[i], b[i])
		c.R[ESI] += i + 1
		c.R[EDI] += i + 1
		c.R[ECX] -= i + 1
		if (a[i] == b[i]) != wantZ {
			return
		}
	}
}

// scasbFast is repne/repe scasb with DF clear and 32-bit addressing
// (strlen, memchr), a page-sized run at a time like cmpsbFast.
func scasbFast(c *CPU, in *Inst, wantZ bool) {
	al := uint8(c.R[EAX])
	for c.R[ECX] != 0 {
		dst := c.R[EDI] + c.SegBas[ES]
		do := dst & memory.PageMask
		n := min(memory.PageSize-do, c.R[ECX])
		b := c.rpage(dst)[do : do+n]
		var i uint32
		if wantZ {
			for i < n-1 && b[i] == al {
				i++
			}
		} else if j := bytes.IndexByte(b[:n-1], al); j >= 0 {
			i = uint32(j)
		} else {
			i = n - 1
		}
		alu(c, aluCMP, al, b[i])
		c.R[EDI] += i + 1
		c.R[ECX] -= i + 1
		if (al == b[i]) != wantZ {
			return
		}
	}
}

// scas compares the accumulator with [ES:EDI].
func scas[T word](c *CPU, in *Inst) {
	d := strDelta[T](c)
	acc := getReg[T](c, EAX)
	if in.rep == 0 {
		alu(c, aluCMP, acc, load[T](c, c.dstAddr(in)))
		c.strAdd(in, EDI, d)
		return
	}
	wantZ := in.rep == prefixREP
	if sizeOf[T]() == 1 && !in.addr16 && c.flags&FlagDF == 0 {
		scasbFast(c, in, wantZ)
		return
	}
	for c.strIndex(in, ECX) != 0 {
		b := load[T](c, c.dstAddr(in))
		alu(c, aluCMP, acc, b)
		c.strAdd(in, EDI, d)
		c.strAdd(in, ECX, ^uint32(0))
		if (acc == b) != wantZ {
			return
		}
	}
}

func init() {
	oneByte[0xA4] = fixed("movs", 0, movs[uint8])
	oneByte[0xA5] = sized("movs", 0, movs[uint16], movs[uint32])
	oneByte[0xA6] = fixed("cmps", 0, cmps[uint8])
	oneByte[0xA7] = sized("cmps", 0, cmps[uint16], cmps[uint32])
	oneByte[0xAA] = fixed("stos", 0, stos[uint8])
	oneByte[0xAB] = sized("stos", 0, stos[uint16], stos[uint32])
	oneByte[0xAC] = fixed("lods", 0, lods[uint8])
	oneByte[0xAD] = sized("lods", 0, lods[uint16], lods[uint32])
	oneByte[0xAE] = fixed("scas", 0, scas[uint8])
	oneByte[0xAF] = sized("scas", 0, scas[uint16], scas[uint32])
}
