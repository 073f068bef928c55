package cpu

// Segment registers, privilege transfers (iret, far ret) and port I/O.
//
// Segmentation is the flat model Linux uses: a selector load checks the
// GDT descriptor and copies its base into SegBas; limits are not enforced.
// LDT selectors are not supported and raise #GP.

// segFault raises #GP with a selector error code.
func (c *CPU) segFault(sel uint16) { c.raise(VecGeneral, uint32(sel&^3)) }

// descriptor returns the GDT entry a selector names, raising #GP for LDT
// selectors and indexes past the table.
func (c *CPU) descriptor(sel uint16) *Descriptor {
	if sel&4 != 0 || int(sel>>3) >= GDTEntries {
		c.segFault(sel)
	}
	return &c.GDT[sel>>3]
}

// loadSeg loads a data or stack segment register (not CS) with the
// protected-mode checks: null selectors (0-3) are allowed except in SS
// and give base 0; otherwise the descriptor must be present, a data (or,
// outside SS, code) segment, with DPL >= max(CPL, RPL); SS needs
// RPL = DPL = CPL and a data segment.
func (c *CPU) loadSeg(seg int, sel uint16) {
	if sel&^3 == 0 {
		if seg == SS {
			c.segFault(sel)
		}
		c.Seg[seg], c.SegBas[seg] = sel, 0
		return
	}
	d := c.descriptor(sel)
	rpl := uint8(sel & 3)
	if !d.Present || d.DPL < c.CPL || d.DPL < rpl {
		c.segFault(sel)
	}
	if seg == SS && (d.Code || rpl != c.CPL || d.DPL != c.CPL) {
		c.segFault(sel)
	}
	c.Seg[seg], c.SegBas[seg] = sel, d.Base
}

// ReloadSegments refreshes the hidden segment bases from the GDT, for the
// kernel after it changes a descriptor the current thread has loaded (a
// set_thread_area on a TLS entry). Selectors that no longer name a usable
// descriptor keep their old base; the next explicit load checks them.
func (c *CPU) ReloadSegments() {
	for seg := range c.Seg {
		sel := c.Seg[seg]
		if sel&^3 == 0 {
			if seg != CS && seg != SS {
				c.SegBas[seg] = 0
			}
			continue
		}
		if sel&4 == 0 && int(sel>>3) < GDTEntries && c.GDT[sel>>3].Present {
			c.SegBas[seg] = c.GDT[sel>>3].Base
		}
	}
}

// mov Ew,Sreg (8C): a register destination gets the zero-extended
// selector, a memory destination a 16-bit store whatever the operand size.
func movESreg(c *CPU, in *Inst) {
	if in.reg > GS {
		c.raise(VecInvalidOp, 0)
	}
	sel := c.Seg[in.reg]
	if in.mod == 3 {
		if in.op16 {
			setReg(c, in.rm, sel)
		} else {
			c.R[in.rm] = uint32(sel)
		}
		return
	}
	store(c, c.ea(in), sel)
}

// mov Sreg,Ew (8E): CS cannot be loaded this way.
func movSregE(c *CPU, in *Inst) {
	if in.reg > GS || in.reg == CS {
		c.raise(VecInvalidOp, 0)
	}
	c.loadSeg(int(in.reg), getRM[uint16](c, in))
}

// segOf maps the push/pop segment opcodes to a segment register.
func segOf(op uint16) int {
	switch op {
	case 0x06, 0x07:
		return ES
	case 0x0E:
		return CS
	case 0x16, 0x17:
		return SS
	case 0x1E, 0x1F:
		return DS
	case 0x1A0, 0x1A1:
		return FS
	}
	return GS
}

// push Sreg: with 32-bit operands ESP moves by 4 but only the selector's
// 16 bits are written, as recent Intel processors do.
func pushSeg[T uint16 | uint32](c *CPU, in *Inst) {
	size := uint32(sizeOf[T]())
	sp := c.R[ESP] - size
	c.checkWritable(sp, size)
	c.write16(sp, c.Seg[segOf(in.Op)])
	c.R[ESP] = sp
}

// pop Sreg: the load is checked before ESP moves.
func popSeg[T uint16 | uint32](c *CPU, in *Inst) {
	sel := uint16(load[T](c, c.R[ESP]))
	c.loadSeg(segOf(in.Op), sel)
	c.R[ESP] += uint32(sizeOf[T]())
}

// farReturn is the common part of iret and retf in the flat model: it
// reads EIP, CS (and for iret EFLAGS) from the stack, checks the target
// code segment, and for a return to an outer privilege level (CPL 0 to
// CPL 3) also pops ESP and SS and drops data segments the outer level may
// not use. Nothing changes until every read and check has passed.
func farReturn[T uint16 | uint32](c *CPU, withFlags bool, extra uint32) {
	size := uint32(sizeOf[T]())
	sp := c.R[ESP]
	eip := uint32(load[T](c, sp))
	cs := uint16(load[T](c, sp+size))
	sp += 2 * size
	var fl uint32
	if withFlags {
		fl = uint32(load[T](c, sp))
		sp += size
	}
	rpl := uint8(cs & 3)
	if rpl < c.CPL {
		c.segFault(cs)
	}
	if cs&^3 == 0 {
		c.segFault(cs)
	}
	d := c.descriptor(cs)
	if !d.Code || !d.Present || d.DPL != rpl {
		c.segFault(cs)
	}
	sp += extra
	newSP := sp
	var ss uint16
	outer := rpl > c.CPL
	if outer {
		newSP = uint32(load[T](c, sp))
		ss = uint16(load[T](c, sp+size))
		sd := c.descriptor(ss)
		if ss&3 != uint16(rpl) || sd.Code || !sd.Present || sd.DPL != rpl {
			c.segFault(ss)
		}
	}
	if withFlags {
		m := c.popfMask()
		if c.CPL == 0 {
			m |= flagRF
		}
		if size == 2 {
			m &= 0xFFFF
		}
		c.SetEFLAGS(c.EFLAGS()&^m | fl&m)
	}
	c.EIP = eip
	c.Seg[CS], c.SegBas[CS] = cs, d.Base
	if outer {
		c.R[ESP] = newSP
		c.Seg[SS], c.SegBas[SS] = ss, c.GDT[ss>>3].Base
		c.SetCPL(rpl)
		for _, seg := range [...]int{ES, DS, FS, GS} {
			sel := c.Seg[seg]
			if sel&^3 != 0 && (sel&4 != 0 || int(sel>>3) >= GDTEntries || c.GDT[sel>>3].DPL < rpl) {
				c.Seg[seg], c.SegBas[seg] = 0, 0
			}
		}
	} else {
		c.R[ESP] = newSP
	}
}

// iret (CF) returns to the same privilege level or from CPL 0 to CPL 3:
// pop EIP, CS, EFLAGS, and when going to CPL 3 also ESP and SS. Task
// switches (NT) and virtual-8086 returns are not supported.
func iret[T uint16 | uint32](c *CPU, in *Inst) { farReturn[T](c, true, 0) }

// retf (CB) and retf imm16 (CA).
func retf[T uint16 | uint32](c *CPU, in *Inst) { farReturn[T](c, false, in.imm) }

// Port I/O: there are no devices. At CPL 3 (IOPL 0, no I/O bitmap) every
// port instruction raises #GP; kernel-mode reads see a floating bus
// (all ones) and writes vanish. ins/outs raise #GP at any level.
func inAcc[T word](c *CPU, in *Inst) {
	c.privileged()
	setReg(c, EAX, ^T(0))
}

func outAcc(c *CPU, in *Inst) { c.privileged() }

func insOuts(c *CPU, in *Inst) { c.raise(VecGeneral, 0) }

func init() {
	oneByte[0x8C] = fixed("mov", argModRM, movESreg)
	oneByte[0x8E] = fixed("mov", argModRM, movSregE)
	for _, op := range []int{0x06, 0x0E, 0x16, 0x1E} {
		oneByte[op] = sized("push", 0, pushSeg[uint16], pushSeg[uint32])
	}
	for _, op := range []int{0x07, 0x17, 0x1F} {
		oneByte[op] = sized("pop", 0, popSeg[uint16], popSeg[uint32])
	}
	twoByte[0xA0] = sized("push", 0, pushSeg[uint16], pushSeg[uint32])
	twoByte[0xA8] = sized("push", 0, pushSeg[uint16], pushSeg[uint32])
	twoByte[0xA1] = sized("pop", 0, popSeg[uint16], popSeg[uint32])
	twoByte[0xA9] = sized("pop", 0, popSeg[uint16], popSeg[uint32])

	oneByte[0xCF] = sized("iret", 0, iret[uint16], iret[uint32])
	oneByte[0xCB] = sized("retf", 0, retf[uint16], retf[uint32])
	oneByte[0xCA] = sized("retf", argImm16, retf[uint16], retf[uint32])

	oneByte[0xE4] = fixed("in", argImm8U, inAcc[uint8])
	oneByte[0xE5] = sized("in", argImm8U, inAcc[uint16], inAcc[uint32])
	oneByte[0xE6] = fixed("out", argImm8U, outAcc)
	oneByte[0xE7] = fixed("out", argImm8U, outAcc)
	oneByte[0xEC] = fixed("in", 0, inAcc[uint8])
	oneByte[0xED] = sized("in", 0, inAcc[uint16], inAcc[uint32])
	oneByte[0xEE] = fixed("out", 0, outAcc)
	oneByte[0xEF] = fixed("out", 0, outAcc)
	for op := 0x6C; op <= 0x6F; op++ {
		oneByte[op] = fixed("ins/outs", 0, insOuts)
	}
}
