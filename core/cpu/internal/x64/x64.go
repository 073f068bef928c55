// Package x64 emits x86-64 machine code: the few instruction forms the
// CPU's block compiler needs, encoded by hand (REX, ModRM, SIB,
// displacement, immediate). Its tests check every form against
// golang.org/x/arch/x86/x86asm's decoder.
package x64

import "encoding/binary"

// Reg is a general register by its hardware number: RAX=0 ... R15=15.
type Reg uint8

const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

// NoReg marks an absent base or index.
const NoReg Reg = 0xFF

// Mem is a memory operand [Base + Index<<Scale + Disp].
type Mem struct {
	Base, Index Reg
	Scale       uint8 // 0-3
	Disp        int32
}

// At is [base+disp].
func At(base Reg, disp int32) Mem { return Mem{Base: base, Index: NoReg, Disp: disp} }

// Idx is [base+index<<scale+disp].
func Idx(base, index Reg, scale uint8, disp int32) Mem {
	return Mem{Base: base, Index: index, Scale: scale, Disp: disp}
}

// Width of an operation in bytes: 1, 2, 4 or 8.
type Width uint8

// Cond is an x86 condition code (the low nibble of jcc).
type Cond uint8

// ALU operations, in the order of their opcode rows (and /digit of 0x81).
const (
	ADD = iota
	OR
	ADC
	SBB
	AND
	SUB
	XOR
	CMP
)

// Shift operations, by their /digit in 0xC1/0xD3.
const (
	ROL = 0
	ROR = 1
	RCL = 2
	RCR = 3
	SHL = 4
	SHR = 5
	SAR = 7
)

// Asm accumulates code. Offsets are positions in Buf.
type Asm struct {
	Buf []byte
}

// Len is the current offset.
func (a *Asm) Len() int { return len(a.Buf) }

func (a *Asm) b(bs ...byte) { a.Buf = append(a.Buf, bs...) }

func (a *Asm) u32(v uint32) { a.Buf = binary.LittleEndian.AppendUint32(a.Buf, v) }

// operand is the r/m side of a ModRM encoding: a register or memory.
type operand struct {
	reg   Reg
	isMem bool
	m     Mem
}

func rr(r Reg) operand { return operand{reg: r} }
func mm(m Mem) operand { return operand{isMem: true, m: m} }

// op emits prefixes, opcode, ModRM and the rest for reg (the ModRM reg
// field or an opcode extension) and rm. byteRegs asks for a REX prefix
// whenever a register 4-7 is named, so they mean SPL-DIL, not AH-BH.
func (a *Asm) op(w Width, opcode []byte, reg Reg, rm operand, byteRegs bool) {
	if w == 2 {
		a.b(0x66)
	}
	rex := byte(0)
	if w == 8 {
		rex |= 8
	}
	if reg&8 != 0 {
		rex |= 4
	}
	if rm.isMem {
		if rm.m.Index != NoReg && rm.m.Index&8 != 0 {
			rex |= 2
		}
		if rm.m.Base != NoReg && rm.m.Base&8 != 0 {
			rex |= 1
		}
	} else {
		if rm.reg&8 != 0 {
			rex |= 1
		}
		if byteRegs && rm.reg >= 4 && rm.reg < 8 {
			rex |= 0x40
		}
	}
	if byteRegs && reg >= 4 && reg < 8 {
		rex |= 0x40
	}
	if rex != 0 {
		a.b(0x40 | rex)
	}
	a.b(opcode...)
	if !rm.isMem {
		a.b(0xC0 | byte(reg&7)<<3 | byte(rm.reg&7))
		return
	}
	m := rm.m
	if m.Base == NoReg {
		panic("x64: memory operand without a base")
	}
	var mod byte
	switch {
	case m.Disp == 0 && m.Base&7 != 5:
		mod = 0
	case m.Disp >= -128 && m.Disp <= 127:
		mod = 1
	default:
		mod = 2
	}
	if m.Index == NoReg && m.Base&7 != 4 {
		a.b(mod<<6 | byte(reg&7)<<3 | byte(m.Base&7))
	} else {
		idx := byte(4) // none
		if m.Index != NoReg {
			if m.Index == RSP {
				panic("x64: RSP cannot index")
			}
			idx = byte(m.Index & 7)
		}
		a.b(mod<<6|byte(reg&7)<<3|4, m.Scale<<6|idx<<3|byte(m.Base&7))
	}
	switch mod {
	case 1:
		a.b(byte(int8(m.Disp)))
	case 2:
		a.u32(uint32(m.Disp))
	}
}

func opc(w Width, byteOp, wordOp byte) []byte {
	if w == 1 {
		return []byte{byteOp}
	}
	return []byte{wordOp}
}

// MovRR: dst = src (width 1, 2, 4 or 8; 4 zero-extends into the 64-bit register).
func (a *Asm) MovRR(w Width, dst, src Reg) { a.op(w, opc(w, 0x88, 0x89), src, rr(dst), w == 1) }

// Load: dst = [m] (w bytes; a 1- or 2-byte load leaves the rest of dst).
func (a *Asm) Load(w Width, dst Reg, m Mem) { a.op(w, opc(w, 0x8A, 0x8B), dst, mm(m), w == 1) }

// Store: [m] = src.
func (a *Asm) Store(w Width, m Mem, src Reg) { a.op(w, opc(w, 0x88, 0x89), src, mm(m), w == 1) }

// MovZX: dst (32-bit) = zero-extended 1- or 2-byte register.
func (a *Asm) MovZX(from Width, dst, src Reg) {
	a.op(4, []byte{0x0F, map[Width]byte{1: 0xB6, 2: 0xB7}[from]}, dst, rr(src), from == 1)
}

// MovSX: dst (32-bit) = sign-extended 1- or 2-byte register.
func (a *Asm) MovSX(from Width, dst, src Reg) {
	a.op(4, []byte{0x0F, map[Width]byte{1: 0xBE, 2: 0xBF}[from]}, dst, rr(src), from == 1)
}

// LoadZX: dst (32-bit) = zero-extended 1- or 2-byte [m].
func (a *Asm) LoadZX(from Width, dst Reg, m Mem) {
	a.op(4, []byte{0x0F, map[Width]byte{1: 0xB6, 2: 0xB7}[from]}, dst, mm(m), false)
}

// LoadSX: dst (32-bit) = sign-extended 1- or 2-byte [m].
func (a *Asm) LoadSX(from Width, dst Reg, m Mem) {
	a.op(4, []byte{0x0F, map[Width]byte{1: 0xBE, 2: 0xBF}[from]}, dst, mm(m), false)
}

// MovImm: dst = imm (32-bit register, zero-extended).
func (a *Asm) MovImm(dst Reg, imm uint32) {
	if dst&8 != 0 {
		a.b(0x41)
	}
	a.b(0xB8 | byte(dst&7))
	a.u32(imm)
}

// StoreImm: [m] = imm (w bytes, w <= 4).
func (a *Asm) StoreImm(w Width, m Mem, imm uint32) {
	a.op(w, opc(w, 0xC6, 0xC7), 0, mm(m), false)
	a.imm(w, imm)
}

func (a *Asm) imm(w Width, v uint32) {
	switch w {
	case 1:
		a.b(byte(v))
	case 2:
		a.b(byte(v), byte(v>>8))
	default:
		a.u32(v)
	}
}

// Lea: dst (32-bit) = address of m, truncated to 32 bits.
func (a *Asm) Lea(w Width, dst Reg, m Mem) { a.op(w, []byte{0x8D}, dst, mm(m), false) }

// ALURR: dst op= src.
func (a *Asm) ALURR(w Width, alu int, dst, src Reg) {
	a.op(w, opc(w, byte(alu<<3), byte(alu<<3|1)), src, rr(dst), w == 1)
}

// ALURM: dst op= [m].
func (a *Asm) ALURM(w Width, alu int, dst Reg, m Mem) {
	a.op(w, opc(w, byte(alu<<3|2), byte(alu<<3|3)), dst, mm(m), w == 1)
}

// ALUMR: [m] op= src.
func (a *Asm) ALUMR(w Width, alu int, m Mem, src Reg) {
	a.op(w, opc(w, byte(alu<<3), byte(alu<<3|1)), src, mm(m), w == 1)
}

// ALURI: dst op= imm (the full-width immediate form, so flags and
// encoding never depend on the value).
func (a *Asm) ALURI(w Width, alu int, dst Reg, imm uint32) {
	a.op(w, opc(w, 0x80, 0x81), Reg(alu), rr(dst), w == 1)
	a.imm(w, imm)
}

// ALUMI: [m] op= imm.
func (a *Asm) ALUMI(w Width, alu int, m Mem, imm uint32) {
	a.op(w, opc(w, 0x80, 0x81), Reg(alu), mm(m), false)
	a.imm(w, imm)
}

// TestRR: flags of dst & src.
func (a *Asm) TestRR(w Width, dst, src Reg) { a.op(w, opc(w, 0x84, 0x85), src, rr(dst), w == 1) }

// TestRI: flags of dst & imm.
func (a *Asm) TestRI(w Width, dst Reg, imm uint32) {
	a.op(w, opc(w, 0xF6, 0xF7), 0, rr(dst), w == 1)
	a.imm(w, imm)
}

// Unary group 3 and 5 operations on a register: /digit of 0xF7 (not 2,
// neg 3, mul 4, imul 5, div 6, idiv 7) or of 0xFF (inc 0, dec 1).
func (a *Asm) Not(w Width, r Reg)   { a.op(w, opc(w, 0xF6, 0xF7), 2, rr(r), w == 1) }
func (a *Asm) Neg(w Width, r Reg)   { a.op(w, opc(w, 0xF6, 0xF7), 3, rr(r), w == 1) }
func (a *Asm) Mul(w Width, r Reg)   { a.op(w, opc(w, 0xF6, 0xF7), 4, rr(r), w == 1) }
func (a *Asm) IMul1(w Width, r Reg) { a.op(w, opc(w, 0xF6, 0xF7), 5, rr(r), w == 1) }
func (a *Asm) Div(w Width, r Reg)   { a.op(w, opc(w, 0xF6, 0xF7), 6, rr(r), w == 1) }
func (a *Asm) Inc(w Width, r Reg)   { a.op(w, opc(w, 0xFE, 0xFF), 0, rr(r), w == 1) }
func (a *Asm) Dec(w Width, r Reg)   { a.op(w, opc(w, 0xFE, 0xFF), 1, rr(r), w == 1) }

// IMulRR: dst *= src (two-operand imul; w is 2 or 4).
func (a *Asm) IMulRR(w Width, dst, src Reg) { a.op(w, []byte{0x0F, 0xAF}, dst, rr(src), false) }

// IMulRRI: dst = src * imm (w is 2 or 4).
func (a *Asm) IMulRRI(w Width, dst, src Reg, imm uint32) {
	a.op(w, []byte{0x69}, dst, rr(src), false)
	a.imm(w, imm)
}

// ShiftI: r shifted by the immediate count (the 0xC1 form even for 1,
// so the flags follow the counted rule).
func (a *Asm) ShiftI(w Width, sh int, r Reg, count uint8) {
	a.op(w, opc(w, 0xC0, 0xC1), Reg(sh), rr(r), w == 1)
	a.b(count)
}

// ShiftCL: r shifted by CL.
func (a *Asm) ShiftCL(w Width, sh int, r Reg) { a.op(w, opc(w, 0xD2, 0xD3), Reg(sh), rr(r), w == 1) }

// Bswap: reverse the bytes of a 32-bit register.
func (a *Asm) Bswap(r Reg) {
	if r&8 != 0 {
		a.b(0x41)
	}
	a.b(0x0F, 0xC8|byte(r&7))
}

// Setcc: the byte register r = condition cc.
func (a *Asm) Setcc(cc Cond, r Reg) { a.op(1, []byte{0x0F, 0x90 | byte(cc)}, 0, rr(r), true) }

// Cmovcc: dst = src when cc holds (32-bit; a 32-bit cmov zero-extends
// dst either way).
func (a *Asm) Cmovcc(w Width, cc Cond, dst, src Reg) {
	a.op(w, []byte{0x0F, 0x40 | byte(cc)}, dst, rr(src), false)
}

// Cdq: EDX = sign of EAX. Cwde: EAX = sign-extended AX.
func (a *Asm) Cdq()  { a.b(0x99) }
func (a *Asm) Cwde() { a.b(0x98) }

// Pushfq and Popfq move RFLAGS through the stack; Push and Pop a register.
func (a *Asm) Pushfq() { a.b(0x9C) }
func (a *Asm) Popfq()  { a.b(0x9D) }
func (a *Asm) Push(r Reg) {
	if r&8 != 0 {
		a.b(0x41)
	}
	a.b(0x50 | byte(r&7))
}
func (a *Asm) Pop(r Reg) {
	if r&8 != 0 {
		a.b(0x41)
	}
	a.b(0x58 | byte(r&7))
}

// Ret returns.
func (a *Asm) Ret() { a.b(0xC3) }

// Jcc emits a jump on cc with a 32-bit displacement to be set later and
// returns the offset of that displacement.
func (a *Asm) Jcc(cc Cond) int {
	a.b(0x0F, 0x80|byte(cc))
	a.u32(0)
	return a.Len() - 4
}

// Jmp emits a jump with a 32-bit displacement to be set later and
// returns the offset of that displacement.
func (a *Asm) Jmp() int {
	a.b(0xE9)
	a.u32(0)
	return a.Len() - 4
}

// Patch points the displacement at offset at (from Jcc or Jmp) to the
// code offset target.
func (a *Asm) Patch(at, target int) {
	binary.LittleEndian.PutUint32(a.Buf[at:], uint32(int32(target-(at+4))))
}

// Rel32 is the displacement for a jump whose 4-byte field sits at
// address from to reach address to.
func Rel32(from, to uintptr) uint32 { return uint32(int32(int64(to) - int64(from+4))) }
