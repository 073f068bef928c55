package x87

import "testing"

// benchOp runs one register-form instruction on ST0=a, ST1=b repeatedly.
func benchOp(b *testing.B, op, modrm uint8, x, y F80) {
	var m fakeMachine
	var f FPU
	f.Reset()
	in := Insn{Op: op, ModRM: modrm, Addr: memBase}
	for i := 0; i < b.N; i++ {
		f.Reset()
		f.pushV(y)
		f.pushV(x)
		f.Exec(&m, &in)
	}
}

var (
	benchA = F80{Sig: 0xB17217F7D1CF79AB, SE: 0x3FFE} // ln 2
	benchB = F80{Sig: 0xC90FDAA22168C235, SE: 0x4000} // π
)

func BenchmarkFadd(b *testing.B)   { benchOp(b, 0, 0xC1, benchA, benchB) }
func BenchmarkFmul(b *testing.B)   { benchOp(b, 0, 0xC9, benchA, benchB) }
func BenchmarkFdiv(b *testing.B)   { benchOp(b, 0, 0xF1, benchA, benchB) }
func BenchmarkFsqrt(b *testing.B)  { benchOp(b, 1, 0xFA, benchA, benchB) }
func BenchmarkFsin(b *testing.B)   { benchOp(b, 1, 0xFE, benchA, benchB) }
func BenchmarkF2xm1(b *testing.B)  { benchOp(b, 1, 0xF0, benchA, benchB) }
func BenchmarkFyl2x(b *testing.B)  { benchOp(b, 1, 0xF1, benchB, benchA) }
func BenchmarkFpatan(b *testing.B) { benchOp(b, 1, 0xF3, benchA, benchB) }
func BenchmarkFprem(b *testing.B)  { benchOp(b, 1, 0xF8, benchB, benchA) }

// BenchmarkFstpM64 is fstp qword: the conversion printf and libm do most.
func BenchmarkFstpM64(b *testing.B) { benchOp(b, 5, 0x19, benchA, benchB) }

// BenchmarkFaddSteady is fadd st0, st1 without resetting the stack.
func BenchmarkFaddSteady(b *testing.B) {
	var m fakeMachine
	var f FPU
	f.Reset()
	f.pushV(F80{Sig: 0xC90FDAA22168C235, SE: 0x3FC0})
	f.pushV(benchA)
	in := Insn{Op: 0, ModRM: 0xC1}
	for i := 0; i < b.N; i++ {
		f.Exec(&m, &in)
	}
}

func benchSteady(b *testing.B, modrm uint8) {
	var m fakeMachine
	var f FPU
	f.Reset()
	f.pushV(F80{Sig: 0x8000000000000001, SE: expBias})
	f.pushV(benchA)
	in := Insn{Op: 0, ModRM: modrm}
	for i := 0; i < b.N; i++ {
		f.Exec(&m, &in)
	}
}

func BenchmarkFmulSteady(b *testing.B) { benchSteady(b, 0xC9) }
func BenchmarkFdivSteady(b *testing.B) { benchSteady(b, 0xF1) }

// BenchmarkFldFstp is fld qword / fstp qword, the commonest pair.
func BenchmarkFldFstp(b *testing.B) {
	var m fakeMachine
	var f FPU
	f.Reset()
	m.FPUWrite64(memBase, 0x3FF0000000000001)
	ld := Insn{Op: 5, ModRM: 0x01, Addr: memBase}
	st := Insn{Op: 5, ModRM: 0x19, Addr: memBase + 8}
	for i := 0; i < b.N; i++ {
		f.Exec(&m, &ld)
		f.Exec(&m, &st)
	}
}
