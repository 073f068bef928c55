package x87

// Memory-operand forms of D8-DF.

func (f *FPU) execMem(m Machine, in *Insn, reg int) {
	switch {
	case in.Op == 1 && reg == 1, in.Op == 3 && (reg == 4 || reg == 6), in.Op == 5 && reg == 5:
		m.FPUUndefined() // no memory form: #UD
		return
	}
	a := in.Addr
	if insnClass[in.Op&7][in.ModRM]&classControl == 0 {
		f.FIP, f.FCS, f.FOP = in.IP, in.CS, uint16(in.Op)<<8|uint16(in.ModRM)
		f.FDP, f.FDS = a, in.DS
	}
	switch in.Op {
	case 0: // D8: m32real
		c := f.ctx()
		f.arithMem(&c, reg, c.fromBinary(uint64(m.FPURead32(a)), 23, 8, true))
	case 2: // DA: m32int
		f.arithMemInt(reg, fromInt(int64(int32(m.FPURead32(a)))))
	case 4: // DC: m64real
		c := f.ctx()
		f.arithMem(&c, reg, c.fromBinary(m.FPURead64(a), 52, 11, true))
	case 6: // DE: m16int
		f.arithMemInt(reg, fromInt(int64(int16(m.FPURead16(a)))))
	case 1:
		switch reg {
		case 0: // fld m32
			c := f.ctx()
			f.fldConv(&c, c.fromBinary(uint64(m.FPURead32(a)), 23, 8, false))
		case 2, 3: // fst(p) m32
			f.storeReal(m, a, 32, reg == 3)
		case 4:
			f.fldenv(m, a, in.Op16)
		case 5: // fldcw
			f.CW = m.FPURead16(a)
			f.updateES()
		case 6:
			f.fnstenv(m, a, in.Op16)
			f.CW |= 0x3F
			f.updateES() // now masked: nothing pending (as hardware)
		case 7: // fnstcw
			m.FPUWrite16(a, f.CW)
		default:
			f.undefined()
		}
	case 3:
		switch reg {
		case 0: // fild m32
			v := int64(int32(m.FPURead32(a)))
			c := f.ctx()
			f.fldConv(&c, fromInt(v))
		case 1, 2, 3: // fisttp, fist, fistp m32
			f.storeInt(m, a, 32, reg != 2, reg == 1)
		case 5: // fld m80
			v := F80{Sig: m.FPURead64(a), SE: m.FPURead16(a + 8)}
			c := f.ctx()
			f.fldConv(&c, v)
		case 7: // fstp m80
			m.FPUCheckWrite(a, 10)
			f.SW &^= swC1
			v := f.ST(0)
			if f.empty(0) {
				if !f.stackFault(false) {
					return
				}
				v = Indefinite
			}
			m.FPUWrite64(a, v.Sig)
			m.FPUWrite16(a+8, v.SE)
			f.pop()
		default:
			f.undefined()
		}
	case 5:
		switch reg {
		case 0: // fld m64
			c := f.ctx()
			f.fldConv(&c, c.fromBinary(m.FPURead64(a), 52, 11, false))
		case 1: // fisttp m64
			f.storeInt(m, a, 64, true, true)
		case 2, 3:
			f.storeReal(m, a, 64, reg == 3)
		case 4:
			f.frstor(m, a, in.Op16)
		case 6:
			f.fnsave(m, a, in.Op16)
		case 7: // fnstsw m16
			m.FPUWrite16(a, f.SW)
		default:
			f.undefined()
		}
	case 7:
		switch reg {
		case 0: // fild m16
			v := int64(int16(m.FPURead16(a)))
			c := f.ctx()
			f.fldConv(&c, fromInt(v))
		case 1, 2, 3:
			f.storeInt(m, a, 16, reg != 2, reg == 1)
		case 4: // fbld
			var b [10]byte
			lo, mid := m.FPURead64(a), m.FPURead16(a+8)
			for i := 0; i < 8; i++ {
				b[i] = byte(lo >> (8 * i))
			}
			b[8], b[9] = byte(mid), byte(mid>>8)
			c := f.ctx()
			f.fldConv(&c, fromBCD(b))
		case 5: // fild m64
			v := int64(m.FPURead64(a))
			c := f.ctx()
			f.fldConv(&c, fromInt(v))
		case 6: // fbstp
			m.FPUCheckWrite(a, 10)
			f.SW &^= swC1
			var b [10]byte
			if f.empty(0) {
				if !f.stackFault(false) {
					return
				}
				b = [10]byte{7: 0xC0, 8: 0xFF, 9: 0xFF}
			} else {
				c := f.ctx()
				b = c.toBCD(f.ST(0))
				if !f.finish(&c) {
					return
				}
			}
			var lo uint64
			for i := 0; i < 8; i++ {
				lo |= uint64(b[i]) << (8 * i)
			}
			m.FPUWrite64(a, lo)
			m.FPUWrite16(a+8, uint16(b[8])|uint16(b[9])<<8)
			f.pop()
		case 7: // fistp m64
			f.storeInt(m, a, 64, true, false)
		}
	}
}

// fldConv pushes a loaded value, converted with c (whose exceptions it
// records). The caller reads memory first, so a faulting read leaves the
// stack alone.
func (f *FPU) fldConv(c *ctx, v F80) {
	f.SW &^= swC1
	if !f.empty(-1) {
		if f.stackFault(true) {
			f.setTop(f.top() - 1)
			f.set(0, Indefinite)
		}
		return
	}
	// An unmasked DE still loads; only IE stops the load.
	f.finish(c)
	if c.flags&FlagIE != 0 && f.CW&FlagIE == 0 {
		return
	}
	f.setTop(f.top() - 1)
	f.set(0, v)
}

// arithMem is ST0 = ST0 op m (reg as in ctx.arith; 2 and 3 compare).
func (f *FPU) arithMem(c *ctx, reg int, v F80) {
	if reg == 2 || reg == 3 {
		f.SW &^= swCC
		if f.empty(0) {
			ok := f.stackFault(false)
			f.SW |= swC0 | swC2 | swC3
			if ok && reg == 3 {
				f.pop()
			}
			return
		}
		f.setCC(c.compare(f.ST(0), v, false))
		if f.finish(c) && reg == 3 {
			f.pop()
		}
		return
	}
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, Indefinite)
		}
		return
	}
	r := c.arith(reg, f.ST(0), v)
	if f.finish(c) {
		f.set(0, r)
	}
}

func (f *FPU) arithMemInt(reg int, v F80) {
	c := f.ctx()
	f.arithMem(&c, reg, v)
}

// storeReal is fst/fstp m32/m64.
func (f *FPU) storeReal(m Machine, a uint32, width int, pop bool) {
	f.SW &^= swC1
	var v uint64
	if f.empty(0) {
		if !f.stackFault(false) {
			return
		}
		v = 0xFFF8000000000000
		if width == 32 {
			v = 0xFFC00000
		}
	} else {
		c := f.ctx()
		if width == 32 {
			v = c.toBinary(f.ST(0), 23, 8)
		} else {
			v = c.toBinary(f.ST(0), 52, 11)
		}
		// Check the write before touching the status word.
		m.FPUCheckWrite(a, uint32(width/8))
		if !f.finish(&c) || c.noStore {
			return
		}
	}
	if width == 32 {
		m.FPUWrite32(a, uint32(v))
	} else {
		m.FPUWrite64(a, v)
	}
	if pop {
		f.pop()
	}
}

// storeInt is fist/fistp/fisttp of a width-bit integer.
func (f *FPU) storeInt(m Machine, a uint32, width uint, pop, trunc bool) {
	f.SW &^= swC1
	var v uint64
	if f.empty(0) {
		if !f.stackFault(false) {
			return
		}
		v = 1 << (width - 1)
	} else {
		c := f.ctx()
		if trunc {
			c.rc = rcZero
		}
		v = c.toInt(f.ST(0), width)
		m.FPUCheckWrite(a, uint32(width/8))
		if !f.finish(&c) {
			return
		}
	}
	switch width {
	case 16:
		m.FPUWrite16(a, uint16(v))
	case 32:
		m.FPUWrite32(a, uint32(v))
	default:
		m.FPUWrite64(a, v)
	}
	if pop {
		f.pop()
	}
}

// updateES recomputes the error summary after the control or status word
// was loaded.
func (f *FPU) updateES() {
	if f.SW&^f.CW&0x3F != 0 {
		f.SW |= FlagES | swB
	} else {
		f.SW &^= FlagES | swB
	}
}

// FullTags computes the tag word fnstenv stores: 0 valid, 1 zero,
// 2 special, 3 empty, from the registers' contents.
func (f *FPU) FullTags() uint16 {
	var tw uint16
	for p := 0; p < 8; p++ {
		t := uint16(3)
		if f.TW>>(2*uint(p))&3 != 3 {
			switch x := f.Regs[p]; {
			case x.isZero():
				t = 1
			case x.exp() == 0 || x.exp() == expMax || x.Sig&bitJ == 0:
				t = 2
			default:
				t = 0
			}
		}
		tw |= t << (2 * uint(p))
	}
	return tw
}

// fnstenv stores the environment: 28 bytes (32-bit protected mode) or 14
// (16-bit).
func (f *FPU) fnstenv(m Machine, a uint32, op16 bool) {
	if op16 {
		m.FPUCheckWrite(a, 14)
		m.FPUWrite16(a, f.CW)
		m.FPUWrite16(a+2, f.SW)
		m.FPUWrite16(a+4, f.FullTags())
		m.FPUWrite16(a+6, uint16(f.FIP))
		m.FPUWrite16(a+8, f.FCS)
		m.FPUWrite16(a+10, uint16(f.FDP))
		m.FPUWrite16(a+12, f.FDS)
		return
	}
	m.FPUCheckWrite(a, 28)
	m.FPUWrite32(a, 0xFFFF0000|uint32(f.CW))
	m.FPUWrite32(a+4, 0xFFFF0000|uint32(f.SW))
	m.FPUWrite32(a+8, 0xFFFF0000|uint32(f.FullTags()))
	m.FPUWrite32(a+12, f.FIP)
	m.FPUWrite32(a+16, uint32(f.FCS)|uint32(f.FOP&0x7FF)<<16)
	m.FPUWrite32(a+20, f.FDP)
	m.FPUWrite32(a+24, 0xFFFF0000|uint32(f.FDS))
}

// fldenv loads the environment fnstenv stores. Only the empty tags
// matter; the others are derived from the registers.
func (f *FPU) fldenv(m Machine, a uint32, op16 bool) {
	var cw, sw, tw uint16
	var fip, fdp uint32
	var fcs, fds, fop uint16
	if op16 {
		cw, sw, tw = m.FPURead16(a), m.FPURead16(a+2), m.FPURead16(a+4)
		fip, fcs = uint32(m.FPURead16(a+6)), m.FPURead16(a+8)
		fdp, fds = uint32(m.FPURead16(a+10)), m.FPURead16(a+12)
	} else {
		cw, sw, tw = m.FPURead16(a), m.FPURead16(a+4), m.FPURead16(a+8)
		fip = m.FPURead32(a + 12)
		sel := m.FPURead32(a + 16)
		fcs, fop = uint16(sel), uint16(sel>>16)&0x7FF
		fdp, fds = m.FPURead32(a+20), m.FPURead16(a+24)
	}
	f.CW, f.SW = cw, sw
	var t uint16
	for p := uint(0); p < 8; p++ {
		if tw>>(2*p)&3 == 3 {
			t |= 3 << (2 * p)
		}
	}
	f.TW = t
	f.FIP, f.FCS, f.FDP, f.FDS, f.FOP = fip, fcs, fdp, fds, fop
	f.updateES()
}

func (f *FPU) envSize(op16 bool) uint32 {
	if op16 {
		return 14
	}
	return 28
}

// fnsave stores the environment and the registers in stack order, then
// initializes the FPU.
func (f *FPU) fnsave(m Machine, a uint32, op16 bool) {
	n := f.envSize(op16)
	m.FPUCheckWrite(a, n+80)
	f.fnstenv(m, a, op16)
	for i := 0; i < 8; i++ {
		x := f.ST(i)
		m.FPUWrite64(a+n+uint32(i)*10, x.Sig)
		m.FPUWrite16(a+n+uint32(i)*10+8, x.SE)
	}
	f.Reset()
}

// frstor loads what fnsave stored.
func (f *FPU) frstor(m Machine, a uint32, op16 bool) {
	n := f.envSize(op16)
	var regs [8]F80
	for i := range regs {
		regs[i] = F80{Sig: m.FPURead64(a + n + uint32(i)*10), SE: m.FPURead16(a + n + uint32(i)*10 + 8)}
	}
	f.fldenv(m, a, op16)
	for i := range regs {
		f.Regs[f.phys(i)] = regs[i]
	}
}

// bufMachine is a Machine over a byte slice at address 0, for Save and
// Restore.
type bufMachine []byte

func (b bufMachine) FPURead16(a uint32) uint16 { return uint16(b[a]) | uint16(b[a+1])<<8 }
func (b bufMachine) FPURead32(a uint32) uint32 {
	return uint32(b.FPURead16(a)) | uint32(b.FPURead16(a+2))<<16
}
func (b bufMachine) FPURead64(a uint32) uint64 {
	return uint64(b.FPURead32(a)) | uint64(b.FPURead32(a+4))<<32
}
func (b bufMachine) FPUWrite16(a uint32, v uint16) { b[a], b[a+1] = byte(v), byte(v>>8) }
func (b bufMachine) FPUWrite32(a uint32, v uint32) {
	b.FPUWrite16(a, uint16(v))
	b.FPUWrite16(a+2, uint16(v>>16))
}
func (b bufMachine) FPUWrite64(a uint32, v uint64) {
	b.FPUWrite32(a, uint32(v))
	b.FPUWrite32(a+4, uint32(v>>32))
}
func (b bufMachine) FPUCheckWrite(a, n uint32)   {}
func (b bufMachine) FPUEflags() uint32           { return 0 }
func (b bufMachine) FPUSetFlags(zf, pf, cf bool) {}
func (b bufMachine) FPUSetAX(v uint16)           {}

// SaveSize is the size of the fnsave image Save writes.
const SaveSize = 108

// Save returns the 108-byte fnsave image (32-bit protected-mode layout,
// as in the i386 signal frame's _fpstate) without reinitializing the FPU.
func (f *FPU) Save() [SaveSize]byte {
	var b [SaveSize]byte
	g := *f
	g.fnsave(bufMachine(b[:]), 0, false)
	return b
}

// Restore loads an image Save (or fnsave) produced.
func (f *FPU) Restore(b [SaveSize]byte) {
	f.frstor(bufMachine(b[:]), 0, false)
}
func (b bufMachine) FPUUndefined() {}
func (b bufMachine) FPUError()     {}

// FXSave fills the x87 part of a 512-byte fxsave image (32-bit layout):
// bytes 0-23 and the registers at 32+16i. MXCSR and the XMM registers
// belong to the caller. For the 0F AE instructions, if a CPU offers them.
func (f *FPU) FXSave(b []byte) {
	m := bufMachine(b)
	m.FPUWrite16(0, f.CW)
	m.FPUWrite16(2, f.SW)
	var tag uint8 // abridged: one bit per physical register, 1 = valid
	for p := uint(0); p < 8; p++ {
		if f.TW>>(2*p)&3 != 3 {
			tag |= 1 << p
		}
	}
	b[4], b[5] = tag, 0
	m.FPUWrite16(6, f.FOP&0x7FF)
	m.FPUWrite32(8, f.FIP)
	m.FPUWrite32(12, uint32(f.FCS))
	m.FPUWrite32(16, f.FDP)
	m.FPUWrite32(20, uint32(f.FDS))
	for i := 0; i < 8; i++ {
		x := f.ST(i)
		a := uint32(32 + 16*i)
		m.FPUWrite64(a, x.Sig)
		m.FPUWrite16(a+8, x.SE)
		for j := a + 10; j < a+16; j++ {
			b[j] = 0
		}
	}
}

// FXRstor loads the x87 part of an fxsave image.
func (f *FPU) FXRstor(b []byte) {
	m := bufMachine(b)
	f.CW, f.SW = m.FPURead16(0), m.FPURead16(2)
	f.TW = 0
	for p := uint(0); p < 8; p++ {
		if b[4]>>p&1 == 0 {
			f.TW |= 3 << (2 * p)
		}
	}
	f.FOP = m.FPURead16(6) & 0x7FF
	f.FIP, f.FCS = m.FPURead32(8), m.FPURead16(12)
	f.FDP, f.FDS = m.FPURead32(16), m.FPURead16(20)
	for i := 0; i < 8; i++ {
		a := uint32(32 + 16*i)
		f.Regs[f.phys(i)] = F80{Sig: m.FPURead64(a), SE: m.FPURead16(a + 8)}
	}
	f.updateES()
}
