package x64

// Every emitter method is checked against an independent decoder,
// golang.org/x/arch/x86/x86asm: emit one instruction into a fresh Asm,
// decode it in 64-bit mode, and require that the decoder used exactly the
// emitted bytes and that the mnemonic and operands it reports are the
// ones built from the method's parameters. No expected byte strings are
// typed by hand, so the tests say what an instruction means, not how the
// encoder happens to spell it.

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/arch/x86/x86asm"
)

// Operand spaces the tests sweep.
var (
	regs   = []Reg{RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15}
	widths = []Width{1, 2, 4, 8}
	conds  = []Cond{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	disps  = []int32{0, 1, -128, 127, 128, -129, 0x12345678}
	imms   = []uint32{0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x12345678, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF}
	aluOps = []struct {
		alu int
		op  x86asm.Op
	}{{ADD, x86asm.ADD}, {OR, x86asm.OR}, {ADC, x86asm.ADC}, {SBB, x86asm.SBB}, {AND, x86asm.AND}, {SUB, x86asm.SUB}, {XOR, x86asm.XOR}, {CMP, x86asm.CMP}}
	shifts = []struct {
		sh int
		op x86asm.Op
	}{{ROL, x86asm.ROL}, {ROR, x86asm.ROR}, {RCL, x86asm.RCL}, {RCR, x86asm.RCR}, {SHL, x86asm.SHL}, {SHR, x86asm.SHR}, {SAR, x86asm.SAR}}
	jccOps  = []x86asm.Op{x86asm.JO, x86asm.JNO, x86asm.JB, x86asm.JAE, x86asm.JE, x86asm.JNE, x86asm.JBE, x86asm.JA, x86asm.JS, x86asm.JNS, x86asm.JP, x86asm.JNP, x86asm.JL, x86asm.JGE, x86asm.JLE, x86asm.JG}
	setOps  = []x86asm.Op{x86asm.SETO, x86asm.SETNO, x86asm.SETB, x86asm.SETAE, x86asm.SETE, x86asm.SETNE, x86asm.SETBE, x86asm.SETA, x86asm.SETS, x86asm.SETNS, x86asm.SETP, x86asm.SETNP, x86asm.SETL, x86asm.SETGE, x86asm.SETLE, x86asm.SETG}
	cmovOps = []x86asm.Op{x86asm.CMOVO, x86asm.CMOVNO, x86asm.CMOVB, x86asm.CMOVAE, x86asm.CMOVE, x86asm.CMOVNE, x86asm.CMOVBE, x86asm.CMOVA, x86asm.CMOVS, x86asm.CMOVNS, x86asm.CMOVP, x86asm.CMOVNP, x86asm.CMOVL, x86asm.CMOVGE, x86asm.CMOVLE, x86asm.CMOVG}
)

// mems is every memory operand shape: each base (RSP/R12 need a SIB,
// RBP/R13 cannot use mod 00), with no index or any index but RSP at
// every scale, at each displacement (zero, disp8 edges, disp32).
var mems = func() []Mem {
	var ms []Mem
	for _, base := range regs {
		for _, d := range disps {
			ms = append(ms, At(base, d))
			for _, index := range regs {
				if index == RSP {
					continue
				}
				for scale := uint8(0); scale < 4; scale++ {
					ms = append(ms, Idx(base, index, scale, d))
				}
			}
		}
	}
	return ms
}()

// reg names r at width w the way x86asm does. Byte registers 4-7 are
// SPL-DIL (x86asm's SPB-DIB, listed after AH-BH and before R8B), never
// AH-BH: the encoder adds a REX for them.
func reg(w Width, r Reg) x86asm.Reg {
	switch w {
	case 1:
		if r >= 4 {
			return x86asm.SPB + x86asm.Reg(r-4)
		}
		return x86asm.AL + x86asm.Reg(r)
	case 2:
		return x86asm.AX + x86asm.Reg(r)
	case 4:
		return x86asm.EAX + x86asm.Reg(r)
	case 8:
		return x86asm.RAX + x86asm.Reg(r)
	}
	panic("bad width")
}

// mem is m as x86asm reports it (64-bit address registers). Scale is
// only meaningful with an index; see norm.
func mem(m Mem) x86asm.Mem {
	x := x86asm.Mem{Base: reg(8, m.Base), Disp: int64(m.Disp)}
	if m.Index != NoReg {
		x.Index = reg(8, m.Index)
		x.Scale = 1 << m.Scale
	}
	return x
}

// imm is v as a w-byte immediate. A 64-bit operation takes a
// sign-extended imm32; narrower ones only keep their low w bytes.
func imm(w Width, v uint32) x86asm.Imm {
	if w == 8 {
		return x86asm.Imm(int32(v))
	}
	return x86asm.Imm(uint64(v) & (1<<(8*w) - 1))
}

// norm removes x86asm's representation choices that do not change an
// operand's meaning: a disp32 comes back zero-extended (the CPU
// sign-extends it), a SIB without index still reports Scale 1, and
// immediates come back sign- or zero-extended depending on the opcode.
// immW is the width immediates are compared at. Trailing nils go.
func norm(args x86asm.Args, immW Width) []x86asm.Arg {
	var out []x86asm.Arg
	for _, a := range args {
		switch v := a.(type) {
		case nil:
			return out
		case x86asm.Mem:
			v.Disp = int64(int32(v.Disp))
			if v.Index == 0 {
				v.Scale = 0
			}
			a = v
		case x86asm.Imm:
			if immW < 8 {
				a = imm(immW, uint32(v))
			}
		}
		out = append(out, a)
	}
	return out
}

// decoded is what the tests compare: the decoder's view of one
// instruction, how many bytes it used (it must use all that were
// emitted) and any prefix it had to ignore (a stray 66 or REX is an
// encoding slip even if the instruction still means the right thing).
type decoded struct {
	Op       x86asm.Op
	Args     []x86asm.Arg
	MemBytes int // size of the memory operand; 0 if none (or LEA)
	Used     int
	Bad      x86asm.Prefix
	Err      error
}

// check emits one instruction into a fresh Asm, decodes it and requires
// it to be exactly op with operands want. w is the operation's width:
// the size of its memory operand (if any, except for LEA) and the width
// immediates are compared at; 0 where neither applies.
//
// It compares with testify's ObjectsAreEqual and only calls require on a
// mismatch: the sweeps run about two million cases, and require's stack
// walk for t.Helper would otherwise dominate the run time.
func check(t *testing.T, w Width, emit func(*Asm), op x86asm.Op, want []x86asm.Arg, msg ...any) {
	var a Asm
	emit(&a)
	in, err := x86asm.Decode(a.Buf, 64)
	got := decoded{Op: in.Op, Args: norm(in.Args, w), MemBytes: in.MemBytes, Used: in.Len, Err: err}
	for _, p := range in.Prefix {
		got.Bad |= p & (x86asm.PrefixIgnored | x86asm.PrefixInvalid)
	}
	exp := decoded{Op: op, Args: want, Used: len(a.Buf)}
	for _, arg := range want {
		if _, ok := arg.(x86asm.Mem); ok && op != x86asm.LEA {
			exp.MemBytes = int(w)
		}
	}
	if !assert.ObjectsAreEqual(exp, got) {
		t.Helper()
		require.Equal(t, exp, got, "% x decodes as %v; emitted by %v", a.Buf, in, msg)
	}
}

// args is shorthand for an operand list.
func args(a ...x86asm.Arg) []x86asm.Arg { return a }

// rot picks a register that varies with i, for sweeps that cross
// registers with every memory operand without the full product.
func rot(i int) Reg { return regs[i%len(regs)] }

func TestMovRR(t *testing.T) {
	for _, w := range widths {
		for _, dst := range regs {
			for _, src := range regs {
				check(t, w, func(a *Asm) { a.MovRR(w, dst, src) },
					x86asm.MOV, args(reg(w, dst), reg(w, src)), "MovRR", w, dst, src)
			}
		}
	}
}

// Load and Store get the full product of registers and memory operands:
// they are the reference for the ModRM/SIB/displacement path.
func TestLoadStore(t *testing.T) {
	for _, w := range widths {
		for _, r := range regs {
			for _, m := range mems {
				check(t, w, func(a *Asm) { a.Load(w, r, m) },
					x86asm.MOV, args(reg(w, r), mem(m)), "Load", w, r, m)
				check(t, w, func(a *Asm) { a.Store(w, m, r) },
					x86asm.MOV, args(mem(m), reg(w, r)), "Store", w, m, r)
			}
		}
	}
}

// The 32-bit register forms of movzx/movsx. A byte source uses REX, so
// 4-7 are SPL-DIL.
func TestMovZXSX(t *testing.T) {
	for _, from := range []Width{1, 2} {
		for _, dst := range regs {
			for _, src := range regs {
				check(t, 0, func(a *Asm) { a.MovZX(from, dst, src) },
					x86asm.MOVZX, args(reg(4, dst), reg(from, src)), "MovZX", from, dst, src)
				check(t, 0, func(a *Asm) { a.MovSX(from, dst, src) },
					x86asm.MOVSX, args(reg(4, dst), reg(from, src)), "MovSX", from, dst, src)
			}
		}
	}
}

func TestLoadZXSX(t *testing.T) {
	for _, from := range []Width{1, 2} {
		for i, m := range mems {
			dst := rot(i)
			check(t, from, func(a *Asm) { a.LoadZX(from, dst, m) },
				x86asm.MOVZX, args(reg(4, dst), mem(m)), "LoadZX", from, dst, m)
			check(t, from, func(a *Asm) { a.LoadSX(from, dst, m) },
				x86asm.MOVSX, args(reg(4, dst), mem(m)), "LoadSX", from, dst, m)
		}
	}
}

func TestMovImm(t *testing.T) {
	for _, r := range regs {
		for _, v := range imms {
			check(t, 4, func(a *Asm) { a.MovImm(r, v) },
				x86asm.MOV, args(reg(4, r), imm(4, v)), "MovImm", r, v)
		}
	}
}

func TestStoreImm(t *testing.T) {
	for _, w := range []Width{1, 2, 4} {
		for i, m := range mems {
			v := imms[i%len(imms)]
			check(t, w, func(a *Asm) { a.StoreImm(w, m, v) },
				x86asm.MOV, args(mem(m), imm(w, v)), "StoreImm", w, m, v)
		}
	}
}

func TestLea(t *testing.T) {
	for _, w := range []Width{2, 4, 8} {
		for i, m := range mems {
			dst := rot(i)
			check(t, w, func(a *Asm) { a.Lea(w, dst, m) },
				x86asm.LEA, args(reg(w, dst), mem(m)), "Lea", w, dst, m)
		}
	}
}

func TestALU(t *testing.T) {
	for _, o := range aluOps {
		for _, w := range widths {
			for _, dst := range regs {
				for _, src := range regs {
					check(t, w, func(a *Asm) { a.ALURR(w, o.alu, dst, src) },
						o.op, args(reg(w, dst), reg(w, src)), "ALURR", o.op, w, dst, src)
				}
				for _, v := range imms {
					check(t, w, func(a *Asm) { a.ALURI(w, o.alu, dst, v) },
						o.op, args(reg(w, dst), imm(w, v)), "ALURI", o.op, w, dst, v)
				}
			}
			for i, m := range mems {
				r, v := rot(i), imms[i%len(imms)]
				check(t, w, func(a *Asm) { a.ALURM(w, o.alu, r, m) },
					o.op, args(reg(w, r), mem(m)), "ALURM", o.op, w, r, m)
				check(t, w, func(a *Asm) { a.ALUMR(w, o.alu, m, r) },
					o.op, args(mem(m), reg(w, r)), "ALUMR", o.op, w, m, r)
				check(t, w, func(a *Asm) { a.ALUMI(w, o.alu, m, v) },
					o.op, args(mem(m), imm(w, v)), "ALUMI", o.op, w, m, v)
			}
		}
	}
}

func TestTest(t *testing.T) {
	for _, w := range widths {
		for _, dst := range regs {
			for _, src := range regs {
				check(t, w, func(a *Asm) { a.TestRR(w, dst, src) },
					x86asm.TEST, args(reg(w, dst), reg(w, src)), "TestRR", w, dst, src)
			}
			for _, v := range imms {
				check(t, w, func(a *Asm) { a.TestRI(w, dst, v) },
					x86asm.TEST, args(reg(w, dst), imm(w, v)), "TestRI", w, dst, v)
			}
		}
	}
}

// The one-operand groups: x86asm lists only the explicit operand (the
// implicit rAX/rDX of mul/div are not arguments).
func TestUnary(t *testing.T) {
	ops := []struct {
		emit func(*Asm, Width, Reg)
		op   x86asm.Op
	}{
		{(*Asm).Not, x86asm.NOT},
		{(*Asm).Neg, x86asm.NEG},
		{(*Asm).Mul, x86asm.MUL},
		{(*Asm).IMul1, x86asm.IMUL},
		{(*Asm).Div, x86asm.DIV},
		{(*Asm).Inc, x86asm.INC},
		{(*Asm).Dec, x86asm.DEC},
	}
	for _, o := range ops {
		for _, w := range widths {
			for _, r := range regs {
				check(t, w, func(a *Asm) { o.emit(a, w, r) },
					o.op, args(reg(w, r)), o.op, w, r)
			}
		}
	}
}

func TestIMul(t *testing.T) {
	for _, w := range []Width{2, 4, 8} {
		for _, dst := range regs {
			for _, src := range regs {
				check(t, w, func(a *Asm) { a.IMulRR(w, dst, src) },
					x86asm.IMUL, args(reg(w, dst), reg(w, src)), "IMulRR", w, dst, src)
				v := imms[(int(dst)+int(src))%len(imms)]
				check(t, w, func(a *Asm) { a.IMulRRI(w, dst, src, v) },
					x86asm.IMUL, args(reg(w, dst), reg(w, src), imm(w, v)), "IMulRRI", w, dst, src, v)
			}
		}
	}
}

func TestShift(t *testing.T) {
	for _, s := range shifts {
		for _, w := range widths {
			for _, r := range regs {
				// The count is one byte whatever the width.
				for _, n := range []uint8{0, 1, 7, 8, 31, 63, 0xFF} {
					check(t, 1, func(a *Asm) { a.ShiftI(w, s.sh, r, n) },
						s.op, args(reg(w, r), imm(1, uint32(n))), "ShiftI", s.op, w, r, n)
				}
				// A count of 1 still takes the counted opcode (C0/C1, not
				// D0/D1), whose flags the doc promises; x86asm shows both
				// as "op r, 1", so look at the opcode it decoded.
				var a Asm
				a.ShiftI(w, s.sh, r, 1)
				in, err := x86asm.Decode(a.Buf, 64)
				require.NoError(t, err)
				require.Equal(t, uint32(0xC0), in.Opcode>>24&^1, "ShiftI by 1: % x", a.Buf)

				check(t, w, func(a *Asm) { a.ShiftCL(w, s.sh, r) },
					s.op, args(reg(w, r), x86asm.CL), "ShiftCL", s.op, w, r)
			}
		}
	}
}

func TestBswapPushPop(t *testing.T) {
	for _, r := range regs {
		check(t, 0, func(a *Asm) { a.Bswap(r) }, x86asm.BSWAP, args(reg(4, r)), "Bswap", r)
		check(t, 0, func(a *Asm) { a.Push(r) }, x86asm.PUSH, args(reg(8, r)), "Push", r)
		check(t, 0, func(a *Asm) { a.Pop(r) }, x86asm.POP, args(reg(8, r)), "Pop", r)
	}
}

func TestSetccCmovcc(t *testing.T) {
	for _, cc := range conds {
		for _, r := range regs {
			check(t, 0, func(a *Asm) { a.Setcc(cc, r) },
				setOps[cc], args(reg(1, r)), "Setcc", cc, r)
		}
		for _, w := range []Width{2, 4, 8} {
			for _, dst := range regs {
				for _, src := range regs {
					check(t, w, func(a *Asm) { a.Cmovcc(w, cc, dst, src) },
						cmovOps[cc], args(reg(w, dst), reg(w, src)), "Cmovcc", w, cc, dst, src)
				}
			}
		}
	}
}

func TestNoOperand(t *testing.T) {
	for _, c := range []struct {
		emit func(*Asm)
		op   x86asm.Op
	}{
		{(*Asm).Cdq, x86asm.CDQ},
		{(*Asm).Cwde, x86asm.CWDE},
		{(*Asm).Pushfq, x86asm.PUSHFQ},
		{(*Asm).Popfq, x86asm.POPFQ},
		{(*Asm).Ret, x86asm.RET},
	} {
		check(t, 0, c.emit, c.op, nil, c.op)
	}
}

// Jumps are emitted among other code and patched backward, onto
// themselves and forward, near and far; the decoded rel32 must land on
// the target and Patch must touch nothing but the displacement.
func TestJumpPatch(t *testing.T) {
	type jump struct {
		emit func(*Asm) int // returns the displacement's offset
		op   x86asm.Op
	}
	jumps := []jump{{(*Asm).Jmp, x86asm.JMP}}
	for _, cc := range conds {
		jumps = append(jumps, jump{func(a *Asm) int { return a.Jcc(cc) }, jccOps[cc]})
	}
	for _, j := range jumps {
		for _, target := range []int{0, 1, 99, 100, 105, 106, 107, 200, 100 + 6 + 127, 100 + 6 + 128, 0x12345678, 0x7FFFFFFF - 16} {
			var a Asm
			for a.Len() < 100 {
				a.Ret() // filler before the jump
			}
			start := a.Len()
			at := j.emit(&a)
			end := a.Len()
			a.Ret() // and after it
			before := append([]byte(nil), a.Buf...)
			a.Patch(at, target)

			require.Equal(t, before[:at], a.Buf[:at], "Patch wrote before the displacement")
			require.Equal(t, before[at+4:], a.Buf[at+4:], "Patch wrote after the displacement")
			require.Equal(t, end, at+4, "the displacement ends the jump")
			in, err := x86asm.Decode(a.Buf[start:], 64)
			require.NoError(t, err)
			require.Equal(t, end-start, in.Len)
			require.Equal(t, j.op, in.Op)
			rel, ok := in.Args[0].(x86asm.Rel)
			require.True(t, ok, "%#v", in.Args)
			require.Equal(t, target, end+int(rel), "%v to %d", j.op, target)
		}
	}
}

// Rel32 sets a jump's displacement for code placed at an absolute address.
func TestRel32(t *testing.T) {
	for _, base := range []uintptr{0x1000, 0x7FFF_0000_0000} {
		for _, delta := range []int64{0, 5, -5, 127, 128, -129, 0x12345678, -0x12345678, 0x7FFFFFFF - 64, -0x80000000 + 64} {
			var a Asm
			a.Ret()
			at := a.Jmp()
			to := uintptr(int64(base) + int64(at) + delta)
			rel := Rel32(base+uintptr(at), to)
			binary.LittleEndian.PutUint32(a.Buf[at:], rel)

			in, err := x86asm.Decode(a.Buf[1:], 64)
			require.NoError(t, err)
			require.Equal(t, x86asm.JMP, in.Op)
			next := base + 1 + uintptr(in.Len) // address after the jump
			require.Equal(t, to, uintptr(int64(next)+int64(in.Args[0].(x86asm.Rel))), "base %#x delta %d", base, delta)
		}
	}
}
