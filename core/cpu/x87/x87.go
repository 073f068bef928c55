// Package x87 is the i387 floating-point unit: eight 80-bit registers,
// control, status and tag words, and the D8-DF instructions.
//
// Arithmetic is done in software on the 80-bit format (F80) with the
// control word's rounding and precision control, and produces the status
// word's exception flags and condition codes as hardware does: add, sub,
// mul, div, sqrt, conversions, fprem/fprem1, frndint, fscale and the
// rest match recorded hardware results bit for bit
// (testvectors/x87insn). Transcendental instructions are rounded
// correctly from a result good to about 2^-118; the hardware is not
// always correctly rounded, so a small fraction of them differ from it by
// one ulp. Trigonometric arguments are reduced with the hardware's 66-bit
// π, which hardware agrees with for large arguments.
//
// Unmasked exceptions get the hardware's unmasked response too: IE, ZE
// and DE suppress the result, overflow and underflow deliver a register
// result with its exponent biased by ∓24576 and leave a memory
// destination unwritten; ES and B are set, and the next waiting
// instruction (fwait, fldcw, anything but the fn* control forms, fldenv
// and frstor) raises #MF through Machine.FPUError.
package x87

// FPU is the floating-point unit's state; a context switch copies it.
type FPU struct {
	CW uint16 // control word
	SW uint16 // status word, TOP included (bits 11-13)
	TW uint16 // tag word; only "empty" (3) is kept, the rest is derived

	// Regs are the physical registers; ST(i) is Regs[(TOP+i)&7].
	Regs [8]F80

	// Last instruction and operand pointers, for fnstenv and fnsave.
	FIP, FDP uint32
	FCS, FDS uint16
	FOP      uint16
}

// Status word bits.
const (
	swC0  = 1 << 8
	swC1  = 1 << 9
	swC2  = 1 << 10
	swTop = 7 << 11
	swC3  = 1 << 14
	swB   = 1 << 15
	swCC  = swC0 | swC1 | swC2 | swC3
)

// Reset puts the FPU in the state finit leaves (control word 0x37F).
func (f *FPU) Reset() {
	*f = FPU{CW: 0x37F, TW: 0xFFFF}
}

// Machine is what the FPU needs from the CPU: memory through its
// translation (faulting by panic, before anything is changed), EFLAGS for
// fcmov and fcomi, and AX for fnstsw.
type Machine interface {
	FPURead16(addr uint32) uint16
	FPURead32(addr uint32) uint32
	FPURead64(addr uint32) uint64
	FPUWrite16(addr uint32, v uint16)
	FPUWrite32(addr uint32, v uint32)
	FPUWrite64(addr uint32, v uint64)
	// FPUCheckWrite faults unless all of [addr, addr+n) is writable.
	FPUCheckWrite(addr, n uint32)
	// FPUEflags returns EFLAGS; FPUSetFlags sets ZF, PF and CF and
	// clears OF, SF and AF (fcomi).
	FPUEflags() uint32
	FPUSetFlags(zf, pf, cf bool)
	FPUSetAX(v uint16)
	// FPUUndefined raises #UD (an encoding with no instruction).
	FPUUndefined()
	// FPUError raises #MF: a waiting instruction found an unmasked
	// exception pending (ES set).
	FPUError()
}

// Insn is one decoded D8-DF instruction.
type Insn struct {
	Op    uint8  // opcode byte - 0xD8 (0-7)
	ModRM uint8  // ModRM byte
	Addr  uint32 // linear address of the memory operand (when mod != 3)
	IP    uint32 // address of the instruction, for fnstenv
	CS    uint16
	DS    uint16 // selector of the memory operand's segment
	Op16  bool   // operand-size prefix: 16-bit fnstenv/fnsave layouts
}

// EFLAGS bits read by fcmov.
const (
	eflCF = 1 << 0
	eflPF = 1 << 2
	eflZF = 1 << 6
)

func (f *FPU) top() int         { return int(f.SW>>11) & 7 }
func (f *FPU) setTop(t int)     { f.SW = f.SW&^swTop | uint16(t&7)<<11 }
func (f *FPU) phys(i int) int   { return (f.top() + i) & 7 }
func (f *FPU) empty(i int) bool { return f.TW>>(2*uint(f.phys(i)))&3 == 3 }

// ST returns ST(i) (for debuggers).
func (f *FPU) ST(i int) F80 { return f.Regs[f.phys(i)] }

// IsEmpty reports whether ST(i) is tagged empty.
func (f *FPU) IsEmpty(i int) bool { return f.empty(i) }

func (f *FPU) set(i int, v F80) {
	p := f.phys(i)
	f.Regs[p] = v
	f.TW &^= 3 << (2 * uint(p))
}

func (f *FPU) free(i int) {
	f.TW |= 3 << (2 * uint(f.phys(i)))
}

func (f *FPU) pop() {
	f.free(0)
	f.setTop(f.top() + 1)
}

// pushV pushes v; a full stack is a stack overflow, which (masked)
// replaces v by the indefinite.
func (f *FPU) pushV(v F80) {
	if !f.empty(-1) {
		if !f.stackFault(true) {
			return
		}
		v = Indefinite
	}
	f.setTop(f.top() - 1)
	f.set(0, v)
}

// stackFault records a stack overflow (C1=1) or underflow (C1=0) and
// reports whether the masked response (write the indefinite) applies.
func (f *FPU) stackFault(overflow bool) bool {
	f.SW &^= swC1
	if overflow {
		f.SW |= swC1
	}
	f.SW |= FlagIE | FlagSF
	if f.CW&FlagIE == 0 {
		f.SW |= FlagES | swB
		return false
	}
	return true
}

// ctx returns an arithmetic context for the control word.
func (f *FPU) ctx() ctx {
	c := ctx{rc: uint8(f.CW>>10) & 3, oeTrap: f.CW&FlagOE == 0, ueTrap: f.CW&FlagUE == 0}
	switch (f.CW >> 8) & 3 {
	case 0:
		c.prec = 24
	case 2:
		c.prec = 53
	default:
		c.prec = 64
	}
	return c
}

// finish merges an operation's exceptions into the status word, sets C1
// from the rounding, and reports whether the result may be stored: an
// unmasked invalid, zero-divide or denormal exception suppresses it.
func (f *FPU) finish(c *ctx) bool {
	f.SW &^= swC1
	if c.up && c.flags&FlagPE != 0 {
		f.SW |= swC1
	}
	unmasked := c.flags &^ f.CW & 0x3F
	store := unmasked&(FlagIE|FlagZE|FlagDE) == 0
	if !store {
		// The operation stops before computing: no PE, UE, OE, C1.
		c.flags &= FlagIE | FlagZE | FlagDE
		f.SW &^= swC1
	}
	f.SW |= c.flags
	if unmasked != 0 {
		f.SW |= FlagES | swB
	}
	return store
}

// Exec executes one D8-DF instruction. (A pointer: copying the freshly
// built struct by value stalls on store forwarding.)
func (f *FPU) Exec(m Machine, in *Insn) {
	if f.SW&FlagES != 0 && insnClass[in.Op&7][in.ModRM]&classWaits != 0 {
		m.FPUError()
		return
	}
	mod, reg, rm := in.ModRM>>6, int(in.ModRM>>3)&7, int(in.ModRM&7)
	if mod != 3 {
		f.execMem(m, in, reg)
		return
	}
	if insnClass[in.Op&7][in.ModRM]&classControl == 0 {
		f.FIP, f.FCS, f.FOP = in.IP, in.CS, uint16(in.Op)<<8|uint16(in.ModRM)
	}
	switch in.Op {
	case 0: // D8: st0 = st0 op st(i)
		f.arithReg(reg, 0, rm)
	case 1:
		f.execD9Reg(m, reg, rm)
	case 2:
		switch {
		case reg < 4:
			f.fcmov(m, reg, false, rm)
		case reg == 5 && rm == 1: // fucompp
			f.fcom(1, true, 2)
		default:
			f.undefined()
		}
	case 3:
		switch {
		case reg < 4:
			f.fcmov(m, reg, true, rm)
		case reg == 4:
			switch rm {
			case 2: // fnclex
				f.SW &^= 0xFF | swB
			case 3: // fninit
				f.Reset()
			case 0, 1, 4: // feni, fdisi, fsetpm: no-ops since the 387
			default:
				f.undefined()
			}
		case reg == 5:
			f.fcomi(m, rm, true, 0)
		case reg == 6:
			f.fcomi(m, rm, false, 0)
		default:
			f.undefined()
		}
	case 4: // DC: st(i) = st(i) op st0 (sub/div reversed in encoding)
		op := reg
		if op >= 4 {
			op ^= 1
		}
		if reg == 2 || reg == 3 { // fcom/fcomp aliases
			f.fcom(rm, false, reg-2)
			return
		}
		f.arithReg(op, rm, 0)
	case 5:
		switch reg {
		case 0: // ffree
			f.free(rm)
		case 1: // fxch alias
			f.fxch(rm)
		case 2: // fst st(i)
			f.fstReg(rm, false)
		case 3:
			f.fstReg(rm, true)
		case 4:
			f.fcom(rm, true, 0)
		case 5:
			f.fcom(rm, true, 1)
		default:
			f.undefined()
		}
	case 6: // DE: st(i) = st(i) op st0, pop
		switch {
		case reg == 3 && rm == 1: // fcompp
			f.fcom(1, false, 2)
		case reg == 2: // fcomp alias
			f.fcom(rm, false, 1)
		case reg == 3:
			f.undefined()
		default:
			op := reg
			if op >= 4 {
				op ^= 1
			}
			if f.arithReg(op, rm, 0) {
				f.pop()
			}
		}
	case 7:
		switch {
		case reg == 0: // ffreep
			f.free(rm)
			f.setTop(f.top() + 1)
		case reg == 1:
			f.fxch(rm)
		case reg == 2 || reg == 3: // fstp aliases
			f.fstReg(rm, true)
		case reg == 4 && rm == 0: // fnstsw ax
			m.FPUSetAX(f.SW)
		case reg == 5:
			f.fcomi(m, rm, true, 1)
		case reg == 6:
			f.fcomi(m, rm, false, 1)
		default:
			f.undefined()
		}
	}
}

// undefined handles encodings the FPU does not define: they act as
// no-ops here (real CPUs differ).
func (f *FPU) undefined() {}

// Pending reports an unmasked exception waiting for the next waiting
// instruction (fwait included) to raise #MF.
func (f *FPU) Pending() bool { return f.SW&FlagES != 0 }

// waits reports whether an instruction checks for pending exceptions
// first: all but fninit, fnclex, fnstsw, fnstcw, fnstenv, fnsave, and
// fldenv and frstor (which load a new state). fldcw does check.
func waits(in Insn) bool {
	reg := in.ModRM >> 3 & 7
	if in.ModRM>>6 == 3 {
		switch in.Op {
		case 3:
			return reg != 4 // fnclex, fninit (and the 8087 leftovers)
		case 7:
			return reg != 4 // fnstsw ax
		}
		return true
	}
	switch in.Op {
	case 1:
		return reg != 4 && reg != 6 && reg != 7 // fldenv, fnstenv, fnstcw
	case 5:
		return reg != 4 && reg != 6 && reg != 7 // frstor, fnsave, fnstsw
	}
	return true
}

// insnClass caches waits and isControl by opcode and ModRM.
var insnClass = func() (t [8][256]uint8) {
	for op := range t {
		for m := range t[op] {
			in := Insn{Op: uint8(op), ModRM: uint8(m)}
			if waits(in) {
				t[op][m] |= classWaits
			}
			if isControl(in) {
				t[op][m] |= classControl
			}
		}
	}
	return
}()

const (
	classWaits   = 1
	classControl = 2
)

// isControl reports the instructions that leave FIP, FDP and FOP alone.
func isControl(in Insn) bool {
	reg := in.ModRM >> 3 & 7
	if in.ModRM>>6 == 3 {
		switch in.Op {
		case 3:
			return reg == 4 // fnclex, fninit
		case 7:
			return reg == 4 // fnstsw ax
		}
		return false
	}
	switch in.Op {
	case 1:
		return reg >= 4 // fldenv, fldcw, fnstenv, fnstcw
	case 5:
		return reg >= 4 // frstor, fnsave, fnstsw
	}
	return false
}

// arith computes a op b for the ModRM reg field: 0 add, 1 mul, 4 a-b,
// 5 b-a, 6 a/b, 7 b/a.
func (c *ctx) arith(op int, a, b F80) F80 {
	switch op {
	case 0:
		return c.add(a, b)
	case 1:
		return c.mul(a, b)
	case 4:
		return c.sub(a, b)
	case 5:
		return c.sub(b, a)
	case 6:
		return c.div(a, b)
	default:
		return c.div(b, a)
	}
}

// arithReg computes ST(dst) = ST(dst) op ST(src) (op as in arith) and
// reports whether a popping form may pop.
func (f *FPU) arithReg(op, dst, src int) bool {
	if op == 2 || op == 3 {
		f.fcom(src, false, op-2)
		return false
	}
	top := f.top()
	pd, ps := uint(top+dst)&7, uint(top+src)&7
	if f.TW>>(2*pd)&3 == 3 || f.TW>>(2*ps)&3 == 3 {
		if f.stackFault(false) {
			f.set(dst, Indefinite)
			return true
		}
		return false
	}
	c := f.ctx()
	r := c.arith(op, f.Regs[pd], f.Regs[ps])
	if f.finish(&c) {
		f.Regs[pd] = r // already tagged valid
		return true
	}
	return false
}

// fcom compares ST0 with ST(i) and pops pops times.
func (f *FPU) fcom(i int, unordered bool, pops int) {
	f.SW &^= swCC
	if f.empty(0) || f.empty(i) {
		ok := f.stackFault(false)
		f.SW |= swC0 | swC2 | swC3
		if !ok {
			return
		}
	} else {
		c := f.ctx()
		r := c.compare(f.ST(0), f.ST(i), unordered)
		f.setCC(r)
		if !f.finish(&c) {
			return
		}
	}
	for ; pops > 0; pops-- {
		f.pop()
	}
}

// setCC sets C3 C2 C0 from a comparison (C1 cleared).
func (f *FPU) setCC(r int) {
	f.SW &^= swCC
	switch r {
	case cmpLess:
		f.SW |= swC0
	case cmpEqual:
		f.SW |= swC3
	case cmpUnord:
		f.SW |= swC0 | swC2 | swC3
	}
}

// fcomi compares ST0 with ST(i) into ZF, PF, CF.
func (f *FPU) fcomi(m Machine, i int, unordered bool, pops int) {
	f.SW &^= swC1
	var r int
	if f.empty(0) || f.empty(i) {
		ok := f.stackFault(false)
		m.FPUSetFlags(true, true, true)
		if !ok {
			return
		}
	} else {
		c := f.ctx()
		r = c.compare(f.ST(0), f.ST(i), unordered)
		ok := f.finish(&c)
		m.FPUSetFlags(r == cmpEqual || r == cmpUnord, r == cmpUnord, r == cmpLess || r == cmpUnord)
		if !ok {
			return
		}
	}
	for ; pops > 0; pops-- {
		f.pop()
	}
}

// fcmov moves ST(i) to ST0 when the condition holds (reg: B, E, BE, U;
// negated for DB).
func (f *FPU) fcmov(m Machine, cc int, negate bool, i int) {
	fl := m.FPUEflags()
	var cond bool
	switch cc {
	case 0:
		cond = fl&eflCF != 0
	case 1:
		cond = fl&eflZF != 0
	case 2:
		cond = fl&(eflCF|eflZF) != 0
	case 3:
		cond = fl&eflPF != 0
	}
	f.SW &^= swC1
	if f.empty(0) || f.empty(i) {
		if f.stackFault(false) {
			f.set(0, Indefinite)
		}
		return
	}
	if cond != negate {
		f.set(0, f.ST(i))
	}
}

func (f *FPU) fxch(i int) {
	f.SW &^= swC1
	if f.empty(0) || f.empty(i) {
		if !f.stackFault(false) {
			return
		}
		// Masked: empty registers read as the indefinite.
		a, b := Indefinite, Indefinite
		if !f.empty(0) {
			a = f.ST(0)
		}
		if !f.empty(i) {
			b = f.ST(i)
		}
		f.set(0, b)
		f.set(i, a)
		return
	}
	a, b := f.ST(0), f.ST(i)
	f.set(0, b)
	f.set(i, a)
}

// fstReg copies ST0 to ST(i), optionally popping.
func (f *FPU) fstReg(i int, pop bool) {
	f.SW &^= swC1
	if f.empty(0) {
		if !f.stackFault(false) {
			return
		}
		f.set(i, Indefinite)
	} else {
		f.set(i, f.ST(0))
	}
	if pop {
		f.pop()
	}
}

// Operations for unary (a switch, not function values, so the context
// stays on the stack).
const (
	opChs = iota
	opAbs
	opSqrt
	opRndint
	opF2xm1
)

// unary applies op to ST0 in place.
func (f *FPU) unary(op int) {
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, Indefinite)
		}
		return
	}
	c := f.ctx()
	x := f.ST(0)
	var r F80
	switch op {
	case opChs:
		r = x.neg()
	case opAbs:
		r = x.abs()
	case opSqrt:
		r = c.sqrt(x)
	case opRndint:
		r = c.roundToInt(x)
	case opF2xm1:
		r = c.f2xm1(x)
	}
	if f.finish(&c) {
		f.set(0, r)
	}
}

func (f *FPU) execD9Reg(m Machine, reg, rm int) {
	switch reg {
	case 0: // fld st(i)
		f.SW &^= swC1
		if f.empty(rm) {
			if !f.stackFault(false) {
				return
			}
			f.pushV(Indefinite)
			return
		}
		f.pushV(f.ST(rm))
	case 1:
		f.fxch(rm)
	case 2:
		if rm != 0 {
			f.undefined()
		}
		// fnop
	case 3: // fstp1 alias
		f.fstReg(rm, true)
	case 4:
		switch rm {
		case 0: // fchs
			f.SW &^= swC1
			f.unary(opChs)
		case 1: // fabs
			f.SW &^= swC1
			f.unary(opAbs)
		case 4: // ftst
			f.SW &^= swCC
			if f.empty(0) {
				f.stackFault(false)
				f.SW |= swC0 | swC2 | swC3
				return
			}
			c := f.ctx()
			f.setCC(c.compare(f.ST(0), posZero, false))
			f.finish(&c)
		case 5: // fxam
			f.fxam()
		default:
			f.undefined()
		}
	case 5:
		if rm == 7 {
			f.undefined()
			return
		}
		f.SW &^= swC1
		f.pushV(f.constant(rm))
	case 6:
		switch rm {
		case 0:
			f.unary(opF2xm1)
		case 1:
			f.fyl2x(false)
		case 2:
			f.fptan()
		case 3:
			f.fpatan()
		case 4:
			f.fxtract()
		case 5:
			f.fprem(true)
		case 6: // fdecstp
			f.SW &^= swC1
			f.setTop(f.top() - 1)
		case 7: // fincstp
			f.SW &^= swC1
			f.setTop(f.top() + 1)
		}
	case 7:
		switch rm {
		case 0:
			f.fprem(false)
		case 1:
			f.fyl2x(true)
		case 2: // fsqrt
			f.unary(opSqrt)
		case 3:
			f.fsincos()
		case 4: // frndint
			f.unary(opRndint)
		case 5:
			f.fscale()
		case 6:
			f.fsinOrCos(false)
		case 7:
			f.fsinOrCos(true)
		}
	}
}

func (f *FPU) fxam() {
	f.SW &^= swCC
	x := f.ST(0)
	if x.sign() {
		f.SW |= swC1
	}
	cls := classEmpty
	if !f.empty(0) {
		cls = classify(x)
	}
	if cls&1 != 0 {
		f.SW |= swC0
	}
	if cls&2 != 0 {
		f.SW |= swC2
	}
	if cls&4 != 0 {
		f.SW |= swC3
	}
}

func (f *FPU) fxtract() {
	f.SW &^= swC1
	if f.empty(0) {
		if !f.stackFault(false) {
			return
		}
		f.set(0, Indefinite)
		f.pushV(Indefinite)
		return
	}
	if !f.empty(-1) {
		if !f.stackFault(true) {
			return
		}
		f.set(0, Indefinite)
		f.pushV(Indefinite)
		return
	}
	c := f.ctx()
	e, s := c.xtract(f.ST(0))
	if !f.finish(&c) {
		return
	}
	f.set(0, e)
	f.pushV(s)
}

func (f *FPU) fprem(nearest bool) {
	f.SW &^= swCC
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(0, Indefinite)
		}
		return
	}
	c := f.ctx()
	r, q, partial := c.rem(f.ST(0), f.ST(1), nearest)
	c.up = false
	if !f.finish(&c) {
		return
	}
	f.set(0, r)
	if partial {
		f.SW |= swC2
		return
	}
	if q&4 != 0 {
		f.SW |= swC0
	}
	if q&2 != 0 {
		f.SW |= swC3
	}
	if q&1 != 0 {
		f.SW |= swC1
	}
}

func (f *FPU) fscale() {
	f.SW &^= swC1
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(0, Indefinite)
		}
		return
	}
	c := f.ctx()
	r := c.scale(f.ST(0), f.ST(1))
	if f.finish(&c) {
		f.set(0, r)
	}
}

// Constants as the 387 and later load them: rounded from an internal
// 66-bit value with the rounding control.
var constTable = [7]struct {
	hi  F80  // value rounded down (truncated)
	inc bool // the 66-bit value is above hi, so up/nearest differ
	nr  bool // round-to-nearest rounds up
}{
	{hi: one},
	{hi: F80{Sig: 0xD49A784BCD1B8AFE, SE: 0x4000}, inc: true, nr: false}, // log2(10)
	{hi: F80{Sig: 0xB8AA3B295C17F0BB, SE: 0x3FFF}, inc: true, nr: true},  // log2(e)
	{hi: F80{Sig: 0xC90FDAA22168C234, SE: 0x4000}, inc: true, nr: true},  // pi
	{hi: F80{Sig: 0x9A209A84FBCFF798, SE: 0x3FFD}, inc: true, nr: true},  // log10(2)
	{hi: F80{Sig: 0xB17217F7D1CF79AB, SE: 0x3FFE}, inc: true, nr: true},  // ln(2)
	{hi: F80{}},
}

func (f *FPU) constant(i int) F80 {
	k := constTable[i]
	v := k.hi
	if k.inc {
		switch uint8(f.CW>>10) & 3 {
		case rcNearest:
			if k.nr {
				v.Sig++
			}
		case rcUp:
			v.Sig++
		}
	}
	return v
}
