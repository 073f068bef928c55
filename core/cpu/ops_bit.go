package cpu

import "math/bits"

// Bit tests and scans, bswap, and the atomic exchange family (xadd,
// cmpxchg, cmpxchg8b). The emulator is single-threaded per address space
// at instruction granularity, so LOCK needs no work beyond being accepted.

// btOp is the part of bt/bts/btr/btc after the bit is known: 0 test,
// 1 set, 2 reset, 3 complement (the low bits of the group 8 reg field).
func btApply[T word](c *CPU, op uint8, v T, bit uint32) (T, bool) {
	m := T(1) << bit
	old := v&m != 0
	switch op {
	case 1:
		v |= m
	case 2:
		v &^= m
	case 3:
		v ^= m
	}
	c.setStatus(FlagCF, flagIf(old, FlagCF))
	return v, old
}

// bitTest runs bt* on the ModRM operand. With a register bit offset the
// memory forms address beyond the operand: the offset is signed and
// selects the word at ea + (offset/width)*size.
func bitTest[T uint16 | uint32](c *CPU, in *Inst, op uint8, offset uint32, fromReg bool) {
	w := bitsOf[T]()
	bit := offset & (w - 1)
	if in.mod == 3 {
		v, _ := btApply(c, op, getReg[T](c, in.rm), bit)
		if op != 0 {
			setReg(c, in.rm, v)
		}
		return
	}
	a := c.ea(in)
	if fromReg {
		var off int32
		if w == 16 {
			off = int32(int16(offset))
		} else {
			off = int32(offset)
		}
		a += uint32(off>>(bits.TrailingZeros32(w))) * (w / 8)
	}
	if op == 0 {
		btApply(c, op, load[T](c, a), bit)
		return
	}
	c.checkWritable(a, w/8)
	v, _ := btApply(c, op, load[T](c, a), bit)
	store(c, a, v)
}

// bt/bts/btr/btc Ev,Gv (0F A3 AB B3 BB): the op is in bits 3-4 of the opcode.
func btEG[T uint16 | uint32](c *CPU, in *Inst) {
	bitTest[T](c, in, uint8(in.Op>>3)&3, uint32(getReg[T](c, in.reg)), true)
}

// bt/bts/btr/btc Ev,Ib (0F BA /4-/7)
func btEI[T uint16 | uint32](c *CPU, in *Inst) {
	bitTest[T](c, in, in.reg&3, in.imm, false)
}

// bsf/bsr Gv,Ev: a zero source sets ZF and leaves the destination alone.
func bsf[T uint16 | uint32](c *CPU, in *Inst) {
	v := getRM[T](c, in)
	if v == 0 {
		c.setStatus(FlagZF, FlagZF)
		return
	}
	c.setStatus(FlagZF, 0)
	setReg(c, in.reg, T(bits.TrailingZeros32(uint32(v))))
}

func bsr[T uint16 | uint32](c *CPU, in *Inst) {
	v := getRM[T](c, in)
	if v == 0 {
		c.setStatus(FlagZF, FlagZF)
		return
	}
	c.setStatus(FlagZF, 0)
	setReg(c, in.reg, T(31-bits.LeadingZeros32(uint32(v))))
}

// bswap r32 (0F C8+r); the 16-bit form clears the low word, as hardware does.
func bswap32(c *CPU, in *Inst) {
	r := in.Op & 7
	c.R[r] = bits.ReverseBytes32(c.R[r])
}

func bswap16(c *CPU, in *Inst) { c.R[in.Op&7] &^= 0xFFFF }

// xadd Eb,Gb / Ev,Gv: dest = dest+src, src = old dest.
func xadd[T word](c *CPU, in *Inst) {
	src := getReg[T](c, in.reg)
	if in.mod == 3 {
		d := getReg[T](c, in.rm)
		setReg(c, in.reg, d)
		setReg(c, in.rm, alu(c, aluADD, d, src))
		return
	}
	a := rmwAddr[T](c, in)
	d := load[T](c, a)
	store(c, a, alu(c, aluADD, d, src))
	setReg(c, in.reg, d)
}

// cmpxchg Eb,Gb / Ev,Gv: compare the accumulator with dest; equal: dest =
// src, else accumulator = dest. The memory form always writes.
func cmpxchg[T word](c *CPU, in *Inst) {
	acc := getReg[T](c, EAX)
	src := getReg[T](c, in.reg)
	if in.mod == 3 {
		d := getReg[T](c, in.rm)
		alu(c, aluCMP, acc, d)
		if acc == d {
			setReg(c, in.rm, src)
		} else {
			setReg(c, EAX, d)
		}
		return
	}
	a := rmwAddr[T](c, in)
	d := load[T](c, a)
	alu(c, aluCMP, acc, d)
	if acc == d {
		store(c, a, src)
	} else {
		store(c, a, d)
		setReg(c, EAX, d)
	}
}

// cmpxchg8b m64 (0F C7 /1)
func cmpxchg8b(c *CPU, in *Inst) {
	if in.mod == 3 {
		c.raise(VecInvalidOp, 0)
	}
	a := c.ea(in)
	c.checkWritable(a, 8)
	m := c.read64(a)
	if m == uint64(c.R[EDX])<<32|uint64(c.R[EAX]) {
		c.write64(a, uint64(c.R[ECX])<<32|uint64(c.R[EBX]))
		c.setStatus(FlagZF, FlagZF)
		return
	}
	c.write64(a, m)
	c.R[EAX], c.R[EDX] = uint32(m), uint32(m>>32)
	c.setStatus(FlagZF, 0)
}

func init() {
	twoByte[0xA3] = sized("bt", argModRM, btEG[uint16], btEG[uint32])
	twoByte[0xAB] = sized("bts", argModRM, btEG[uint16], btEG[uint32])
	twoByte[0xB3] = sized("btr", argModRM, btEG[uint16], btEG[uint32])
	twoByte[0xBB] = sized("btc", argModRM, btEG[uint16], btEG[uint32])
	twoByte[0xBA] = opcode{name: "grp8", args: argImm8U, group: &[8]opcode{
		4: sized("bt", 0, btEI[uint16], btEI[uint32]),
		5: sized("bts", 0, btEI[uint16], btEI[uint32]),
		6: sized("btr", 0, btEI[uint16], btEI[uint32]),
		7: sized("btc", 0, btEI[uint16], btEI[uint32]),
	}}
	twoByte[0xBC] = sized("bsf", argModRM, bsf[uint16], bsf[uint32])
	twoByte[0xBD] = sized("bsr", argModRM, bsr[uint16], bsr[uint32])
	for r := 0; r < 8; r++ {
		twoByte[0xC8+r] = sized("bswap", 0, bswap16, bswap32)
	}
	twoByte[0xC0] = fixed("xadd", argModRM, xadd[uint8])
	twoByte[0xC1] = sized("xadd", argModRM, xadd[uint16], xadd[uint32])
	twoByte[0xB0] = fixed("cmpxchg", argModRM, cmpxchg[uint8])
	twoByte[0xB1] = sized("cmpxchg", argModRM, cmpxchg[uint16], cmpxchg[uint32])
	twoByte[0xC7] = opcode{name: "grp9", group: &[8]opcode{1: fixed("cmpxchg8b", 0, cmpxchg8b)}}
}
