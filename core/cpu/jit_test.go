//go:build !js

package cpu

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/memory"
)

// Differential tests for the block compiler (jit*.go): the interpreter
// (UseJIT=false) is the reference, and compiled code (jitHot=1, so every
// block compiles the first time it runs) must leave the same registers,
// EFLAGS, EIP, retired count and exit after every Run slice, and the same
// memory at the end.

// The JIT tests' data layout, on top of newTestCPU's: two writable data
// pages from dataBase, a read-only page after them, then an unmapped one
// (page-crossing accesses, write faults, read faults), and a writable
// page that shares dataBase's TLB slot (conflict misses).
const (
	jitData1  = dataBase + memory.PageSize   // writable, after dataBase
	jitRO     = dataBase + 2*memory.PageSize // read-only
	jitHole   = dataBase + 3*memory.PageSize // unmapped
	jitAlias  = dataBase + tlbSize*memory.PageSize
	jitGSBase = 0x100 // small: gs:[ebx+d8] stays near EBX
)

func newJITCPU(t testing.TB, code []byte) *CPU {
	t.Helper()
	c := newTestCPU(t, code)
	for _, m := range []struct {
		addr, flags uint32
	}{{jitData1, memory.PTEUser | memory.PTEWrite}, {jitRO, memory.PTEUser}, {jitAlias, memory.PTEUser | memory.PTEWrite}} {
		pfn, err := c.Phys.Alloc()
		require.NoError(t, err)
		require.NoError(t, c.Phys.Map(c.CR3, m.addr, pfn, m.flags))
	}
	c.SegBas[GS] = jitGSBase
	return c
}

// jitMemory is the guest memory the tests compare at the end of a run.
func jitMemory(c *CPU) []byte {
	var out []byte
	for _, p := range []uint32{codeBase, codeBase + memory.PageSize, dataBase, jitData1, jitRO, jitAlias, stackTop - memory.PageSize} {
		buf := make([]byte, memory.PageSize)
		n, f := c.ReadGuest(p, buf, false)
		if f != nil || n != len(buf) {
			panic(fmt.Sprintf("jit test: reading %#x: %v", p, f))
		}
		out = append(out, buf...)
	}
	return out
}

// How runSlices runs compiled code: blocks compile after jitTestHot
// interpreted runs, and with jitTestSqueeze the arena is made to start
// over (a new generation, all compiled code stale) at the next compile
// before each slice.
var (
	jitTestHot     uint16 = 1
	jitTestSqueeze bool
)

// runSlices runs code from regs and flags with the JIT on or off and
// records the state after each slice, stopping at the first exit that is
// not the budget's; it also returns the memory at the end.
func runSlices(t testing.TB, jit bool, code []byte, regs [8]uint32, flags uint32, slices []uint64) ([]jitResult, []byte) {
	UseJIT = jit
	jitHot = jitTestHot
	c := newJITCPU(t, code)
	c.R = regs
	c.SetEFLAGS(flags)
	var out []jitResult
	for _, n := range slices {
		if jit && jitTestSqueeze && c.jit != nil {
			c.jit.used = len(c.jit.mem) - jitCodeMax + 16
		}
		e := c.Run(n)
		out = append(out, sliceResult(c, e))
		if e.Reason != ExitBudget {
			if e.Reason == ExitInternal {
				t.Fatalf("internal error (jit %v): %v", jit, e.Err)
			}
			break
		}
	}
	return out, jitMemory(c)
}

// requireSameRuns requires the compiled run's results (got) to be the
// interpreter's (want).
func requireSameRuns(t testing.TB, want, got []jitResult, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, want, got, msgAndArgs...)
}

// jitGen generates random code made of what jitClassify compiles, with
// memory operands in every addressing form and the control flow blocks
// end with. Conventions: EAX, ECX, EDX and EDI are scratch; EBX and EBP
// point at data (EBP at a stack frame inside frames); ESI is a small
// index; ESP is the stack.
type jitGen struct {
	rng   *rand.Rand
	out   []byte
	fixup []int // offsets of 32-bit fields that hold an offset from codeBase
	avoid byte  // a register the current inner loop counts with, or 8
	depth int
	risky bool // addresses that cross pages or fault are common
}

func (g *jitGen) n(k int) int         { return g.rng.IntN(k) }
func (g *jitGen) emit(b ...byte)      { g.out = append(g.out, b...) }
func (g *jitGen) emit32(v uint32)     { g.out = binary.LittleEndian.AppendUint32(g.out, v) }
func (g *jitGen) pick(b ...byte) byte { return b[g.rng.IntN(len(b))] }

// dst is a scratch register to write.
func (g *jitGen) dst() byte {
	for {
		r := g.pick(EAX, ECX, EDX, EDI, EAX, ECX, EDX, EDI, ESI)
		if r == ESI && g.n(4) != 0 {
			continue
		}
		if r != g.avoid {
			return r
		}
	}
}

// src is any register to read.
func (g *jitGen) src() byte { return byte(g.n(8)) }

// byteReg is a byte register to write: AL..BL mostly (what the JIT
// compiles), sometimes AH..BH (left to the interpreter).
func (g *jitGen) byteReg() byte {
	for {
		r := g.pick(0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 4, 5, 6)
		if r&3 != g.avoid && r&3 != EBX || r&3 == EBX && g.n(8) == 0 && g.avoid != EBX {
			return r
		}
	}
}

// addr is a data address for an absolute operand.
func (g *jitGen) addr() uint32 {
	k := g.n(12)
	if !g.risky && k < 4 && g.n(8) != 0 {
		k = 4 + g.n(8)
	}
	switch k {
	case 0:
		return jitData1 - 1 - uint32(g.n(4)) // crosses into the next page
	case 1:
		return jitRO - 1 - uint32(g.n(4)) // crosses into the read-only page
	case 2:
		return jitRO + uint32(g.n(memory.PageSize)) // read-only
	case 3:
		if g.n(3) == 0 {
			return jitHole + uint32(g.n(memory.PageSize)) // unmapped
		}
		return jitHole - 1 - uint32(g.n(4))
	case 4, 5:
		return jitAlias + uint32(g.n(memory.PageSize)) // TLB conflict with dataBase
	default:
		return dataBase + uint32(g.n(2*memory.PageSize))
	}
}

// modrmMem emits a ModRM (and SIB and displacement) for a memory operand
// with reg in the reg field, maybe after a GS override.
func (g *jitGen) modrmMem(reg byte) {
	reg = reg & 7 << 3
	switch g.n(9) {
	case 0, 1: // [ebx+d8]
		g.emit(0x43|reg, byte(g.n(256)))
	case 2: // [ebx+esi*s+d8]
		g.emit(0x44|reg, byte(g.n(4))<<6|ESI<<3|EBX, byte(g.n(256)))
	case 3: // [ebx+d32]
		g.emit(0x83 | reg)
		if g.risky {
			g.emit32(uint32(g.n(0x3000)) - 0x800)
		} else {
			g.emit32(uint32(g.n(0x1000)))
		}
	case 4: // [disp32]
		g.emit(0x05 | reg)
		g.emit32(g.addr())
	case 5: // [esi*s+disp32]
		g.emit(0x04|reg, byte(g.n(4))<<6|ESI<<3|5)
		g.emit32(g.addr())
	case 6: // [esp+d8]
		g.emit(0x44|reg, 0x24, byte(g.n(32)*4))
	case 7: // [ebp+d8]
		g.emit(0x45|reg, byte(g.n(256)))
	default: // [ebx]
		g.emit(0x03 | reg)
	}
}

// rm emits a ModRM operand: a register (rm, or any register) or memory.
func (g *jitGen) rm(reg, r byte) {
	if g.n(2) == 0 {
		g.emit(0xC0 | reg&7<<3 | r&7)
		return
	}
	g.modrmMem(reg)
}

// maybeGS sometimes emits a GS override (a segment base to add).
func (g *jitGen) maybeGS() {
	if g.n(10) == 0 {
		g.emit(0x65)
	}
}

// inst emits one random instruction (or a short self-contained group).
func (g *jitGen) inst() {
	switch g.n(34) {
	case 0, 1: // ALU Ev,Gv / Gv,Ev, register or memory
		alu := byte(g.n(8))
		if g.n(2) == 0 {
			g.maybeGS()
			g.emit(alu<<3 | 1) // Ev,Gv: memory or a scratch destination
			g.rm(g.src(), g.dst())
		} else {
			g.maybeGS()
			g.emit(alu<<3 | 3)
			g.rm(g.dst(), g.src())
		}
	case 2: // ALU Eb,Gb / Gb,Eb
		alu := byte(g.n(8))
		g.emit(alu<<3 | byte(g.n(2))*2)
		g.rm(g.byteReg(), g.byteReg())
	case 3: // group 1 with an immediate
		op := g.pick(0x80, 0x81, 0x83, 0x83)
		g.emit(op)
		if op == 0x80 {
			g.rm(byte(g.n(8)), g.byteReg())
		} else {
			g.rm(byte(g.n(8)), g.dst())
		}
		if op == 0x81 {
			g.emit32(g.rng.Uint32() >> uint(g.n(32)))
		} else {
			g.emit(byte(g.n(256)))
		}
	case 4: // AL/EAX, imm; test
		if g.avoid == EAX {
			g.emit(0x90)
			return
		}
		op := g.pick(0x04, 0x05, 0x0C, 0x0D, 0x14, 0x15, 0x1C, 0x1D, 0x24, 0x25, 0x2C, 0x2D, 0x34, 0x35, 0x3C, 0x3D, 0xA8, 0xA9)
		g.emit(op)
		if op&1 == 0 {
			g.emit(byte(g.n(256)))
		} else {
			g.emit32(g.rng.Uint32() >> uint(g.n(32)))
		}
	case 5: // mov loads and stores, 8 and 32 bits
		switch g.n(4) {
		case 0:
			g.emit(0x8B)
			g.rm(g.dst(), g.src())
		case 1:
			g.maybeGS()
			g.emit(0x89)
			g.modrmMem(g.src())
		case 2:
			g.emit(0x8A)
			g.rm(g.byteReg(), g.byteReg())
		default:
			g.emit(0x88)
			g.modrmMem(g.byteReg())
		}
	case 6: // mov imm: register, memory, byte memory
		switch g.n(3) {
		case 0:
			g.emit(0xB8 + g.dst())
			g.emit32(g.rng.Uint32() >> uint(g.n(32)))
		case 1:
			g.emit(0xC7)
			g.rm(0, g.dst())
			g.emit32(g.rng.Uint32())
		default:
			g.emit(0xC6)
			g.modrmMem(0)
			g.emit(byte(g.n(256)))
		}
	case 7: // lea, every form
		g.emit(0x8D)
		switch g.n(4) {
		case 0:
			g.emit(0x04|g.dst()<<3, byte(g.n(4))<<6|g.src()<<3|5) // [idx*s+disp32], or [disp32] for idx=esp
			g.emit32(g.rng.Uint32())
		case 1:
			g.emit(0x05 | g.dst()<<3)
			g.emit32(g.rng.Uint32())
		case 2:
			g.emit(0x44|g.dst()<<3, byte(g.n(256)), byte(g.n(256)))
		default:
			g.emit(0x80 | g.dst()<<3 | g.pick(0, 1, 2, 3, 5, 6, 7)) // [r+d32], not SIB
			g.emit32(g.rng.Uint32())
		}
	case 8: // inc/dec register, inc/dec Eb/Ev
		switch g.n(3) {
		case 0:
			g.emit(g.pick(0x40, 0x48) + g.dst())
		case 1:
			g.emit(0xFF)
			g.rm(byte(g.n(2)), g.dst())
		default:
			g.emit(0xFE)
			g.rm(byte(g.n(2)), g.byteReg())
		}
	case 9: // shifts and rotates by an immediate, including 0 and >= width
		op := g.pick(0xC0, 0xC1, 0xC1, 0xD0, 0xD1, 0xD1)
		ext := g.pick(0, 1, 2, 3, 4, 5, 7, 4, 5, 7)
		g.emit(op)
		if op&1 == 0 {
			g.rm(ext, g.byteReg())
		} else {
			g.rm(ext, g.dst())
		}
		if op < 0xD0 {
			g.emit(g.pick(0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, byte(g.n(256))))
		}
	case 10: // shift by CL, with CL often 0 or a width
		if g.avoid != ECX && g.n(2) == 0 {
			g.emit(0xB1, g.pick(0, 1, 8, 9, 16, 31, 32, 33, 0xE0, byte(g.n(256)))) // mov cl, imm8
		}
		g.emit(0xD3, 0xC0|g.pick(0, 1, 2, 3, 4, 5, 7)<<3|g.dst())
	case 11: // imul, three forms, register or memory sources
		switch g.n(3) {
		case 0:
			g.emit(0x0F, 0xAF)
			g.rm(g.dst(), g.src())
		case 1:
			g.emit(0x6B)
			g.rm(g.dst(), g.src())
			g.emit(byte(g.n(256)))
		default:
			g.emit(0x69)
			g.rm(g.dst(), g.src())
			g.emit32(g.rng.Uint32() >> uint(g.n(32)))
		}
	case 12: // mul, imul, div, not, neg on Ev
		if g.avoid == EAX || g.avoid == EDX {
			g.emit(0x90)
			return
		}
		ext := g.pick(2, 3, 4, 5, 6, 6)
		if ext == 6 && g.n(2) == 0 {
			g.emit(0xBA) // mov edx, small: the quotient fits unless the divisor is small
			g.emit32(uint32(g.n(4)))
		}
		g.emit(0xF7)
		r := g.src()
		if ext == 2 || ext == 3 {
			r = g.dst()
		}
		g.rm(ext, r)
	case 13: // test Ev,Gv, Eb,Gb, Ev,imm, Eb,imm
		switch g.n(4) {
		case 0:
			g.emit(0x85)
			g.rm(g.src(), g.src())
		case 1:
			g.emit(0x84)
			g.rm(g.byteReg(), g.byteReg())
		case 2:
			g.emit(0xF7)
			g.rm(0, g.src())
			g.emit32(g.rng.Uint32())
		default:
			g.emit(0xF6)
			g.rm(0, g.byteReg())
			g.emit(byte(g.n(256)))
		}
	case 14: // setcc, register or memory
		g.emit(0x0F, 0x90|byte(g.n(16)))
		g.rm(0, g.byteReg())
	case 15: // cmovcc, register or memory
		g.emit(0x0F, 0x40|byte(g.n(16)))
		g.rm(g.dst(), g.src())
	case 16: // movzx, movsx from 8 and 16 bits
		g.emit(0x0F, g.pick(0xB6, 0xB7, 0xBE, 0xBF))
		g.rm(g.dst(), g.src())
	case 17: // adc, sbb: they read CF, maybe from an earlier block
		g.emit(g.pick(0x11, 0x13, 0x19, 0x1B))
		g.rm(g.dst(), g.dst())
	case 18: // push, pop
		switch g.n(3) {
		case 0:
			g.emit(0x50 + g.src())
			g.emit(0x58 + g.dst())
		case 1:
			g.emit(0x6A, byte(g.n(256)))
			g.inst()
			g.emit(0x58 + g.dst())
		default:
			g.emit(0x68)
			g.emit32(g.rng.Uint32())
			g.emit(0xFF)
			g.modrmMem(6) // push Ev
			g.emit(0x58+g.dst(), 0x58+g.dst())
		}
	case 19: // a jcc over a few instructions: a block boundary, two paths
		if g.depth > 2 {
			g.emit(0x90)
			return
		}
		g.depth++
		g.emit(0x70|byte(g.n(16)), 0)
		at := len(g.out)
		for range 1 + g.n(3) {
			g.inst()
		}
		if d := len(g.out) - at; d < 128 {
			g.out[at-1] = byte(d)
		}
		g.depth--
	case 20: // a jcc with a zero displacement (fused with a flag writer)
		g.emit(0x70|byte(g.n(16)), 0)
	case 21: // call a subroutine, return, skip over it
		if g.depth > 2 {
			g.emit(0x90)
			return
		}
		g.depth++
		g.emit(0xE8)
		g.emit32(2)
		g.emit(0xEB, 0)
		at := len(g.out)
		for range g.n(3) {
			g.inst()
		}
		g.emit(0xC3)
		if d := len(g.out) - at; d < 128 {
			g.out[at-1] = byte(d)
		} else {
			g.out[at-1] = 0 // straight into the subroutine; its ret goes past
		}
		g.depth--
	case 22: // call and jmp through a register or memory
		if g.avoid == EDX {
			g.emit(0x90)
			return
		}
		here := len(g.out)
		switch g.n(3) {
		case 0: // mov edx, sub; call edx; jmp over; sub: ret
			g.emit(0xBA)
			g.fixup = append(g.fixup, len(g.out))
			g.emit32(uint32(here + 9))
			g.emit(0xFF, 0xD2, 0xEB, 1, 0xC3)
		case 1: // mov edx, next; jmp edx
			g.emit(0xBA)
			g.fixup = append(g.fixup, len(g.out))
			g.emit32(uint32(here + 7))
			g.emit(0xFF, 0xE2)
		default: // mov [esp-8], sub; call [esp-8] (below the stack pointer, then overwritten); jmp over; sub: ret
			g.emit(0xC7, 0x44, 0x24, 0xF8)
			g.fixup = append(g.fixup, len(g.out))
			g.emit32(uint32(here + 14))
			g.emit(0xFF, 0x54, 0x24, 0xF8, 0xEB, 1, 0xC3)
		}
	case 23: // a stack frame: push ebp; mov ebp,esp; ...; leave
		if g.depth > 2 {
			g.emit(0x90)
			return
		}
		g.depth++
		g.emit(0x55, 0x89, 0xE5)
		for range g.n(4) {
			g.inst()
		}
		g.emit(0xC9)
		g.depth--
	case 24: // an inner loop counting EDI down
		if g.depth > 1 || g.avoid != 8 {
			g.emit(0x90)
			return
		}
		g.depth++
		g.avoid = EDI
		g.emit(0xBF)
		g.emit32(uint32(1 + g.n(6)))
		at := len(g.out)
		for range 1 + g.n(4) {
			g.inst()
		}
		g.emit(0x4F, 0x75, 0) // dec edi; jnz
		if d := len(g.out) - at; d <= 128 {
			g.out[len(g.out)-1] = byte(-d)
		}
		g.avoid = 8
		g.depth--
	case 25: // move the data pointers, sometimes near a page end
		switch g.n(3) {
		case 0:
			g.emit(0xBB) // mov ebx, imm
			g.emit32(g.addr() &^ 3)
		case 1:
			g.emit(0x8D, 0x5B, byte(g.n(256))) // lea ebx, [ebx+d8]
		default:
			g.emit(0xBE) // mov esi, small
			g.emit32(uint32(g.n(0x200)))
		}
	case 26: // cwde, cdq, bswap, nop, endbr32
		switch g.n(4) {
		case 0:
			if g.avoid != EAX {
				g.emit(0x98)
			}
		case 1:
			if g.avoid != EDX {
				g.emit(0x99)
			}
		case 2:
			g.emit(0x0F, 0xC8+g.dst())
		default:
			g.emit(g.pick(0x90, 0xF3), 0x0F, 0x1E, 0xFB) // endbr32, or nop; nop Ev
		}
	case 27: // stc, clc, cmc: interpreted, between compiled blocks
		g.emit(g.pick(0xF8, 0xF9, 0xF5))
	case 28: // pushf; pop r: the model's flags, AF included, into a register
		g.emit(0x9C, 0x58+g.dst())
	case 29: // a long run of register ALU (flag elision, stores only at the end)
		for range 2 + g.n(4) {
			g.emit(byte(g.n(8))<<3|1, 0xC0|g.src()<<3|g.dst())
		}
	case 30: // read-modify-write through the stack
		g.emit(0x50 + g.src())
		g.emit(g.pick(0x01, 0x09, 0x11, 0x21, 0x29, 0x31), 0x04|g.src()<<3, 0x24) // op [esp], r
		g.emit(0x58 + g.dst())
	case 31: // xchg, bt: interpreted in the middle of compiled code
		if g.n(2) == 0 {
			g.emit(0x87, 0xC0|g.dst()<<3|g.dst())
		} else {
			g.emit(0x0F, 0xA3, 0xC0|g.src()<<3|g.src())
		}
	default: // ALU with register operands only
		g.emit(byte(g.n(8))<<3|g.pick(1, 3), 0xC0|g.dst()<<3|g.dst())
	}
}

// jitProgram returns a random program, to be loaded at origin: a body
// of n items ending in a jump back to its start.
func jitProgram(rng *rand.Rand, n int, origin uint32) []byte {
	g := &jitGen{rng: rng, avoid: 8, risky: rng.IntN(3) == 0}
	for range n {
		g.inst()
	}
	g.emit(0xE9)
	g.emit32(uint32(-(len(g.out) + 4)))
	for _, at := range g.fixup {
		binary.LittleEndian.PutUint32(g.out[at:], binary.LittleEndian.Uint32(g.out[at:])+origin)
	}
	return g.out
}

// jitRegs returns initial registers for the generated programs.
func jitRegs(rng *rand.Rand) [8]uint32 {
	var r [8]uint32
	for i := range r {
		r[i] = rng.Uint32() >> uint(rng.IntN(33)%32)
	}
	g := &jitGen{rng: rng}
	r[EBX] = dataBase + uint32(rng.IntN(2*memory.PageSize))
	r[EBP] = dataBase + uint32(rng.IntN(2*memory.PageSize))
	if rng.IntN(4) == 0 {
		r[EBX] = g.addr()
	}
	r[ESI] = uint32(rng.IntN(0x100))
	r[ESP] = stackTop - 0x800 + uint32(rng.IntN(64))*4
	switch rng.IntN(16) {
	case 0:
		r[ESP] = stackTop - memory.PageSize + uint32(rng.IntN(8))*4 // pushes fault soon
	case 1:
		r[ESP] = stackTop - uint32(rng.IntN(3))*4 // pops fault soon
	case 2:
		r[ESP] = stackTop - memory.PageSize + 2 // misaligned, pushes cross out of the page
	}
	return r
}

// jitSlices returns budget slices: many of 1 and small sizes (ending
// inside blocks and chains of blocks), some large.
func jitSlices(rng *rand.Rand) []uint64 {
	var s []uint64
	for range 4 + rng.IntN(12) {
		switch rng.IntN(6) {
		case 0:
			s = append(s, 1)
		case 1:
			s = append(s, 2+uint64(rng.IntN(5)))
		case 2, 3:
			s = append(s, 1+uint64(rng.IntN(60)))
		case 4:
			s = append(s, 1+uint64(rng.IntN(400)))
		default:
			s = append(s, 500+uint64(rng.IntN(3000)))
		}
	}
	return s
}

func requireJIT(t testing.TB) {
	if !jitAvailable() {
		t.Skip("no block compiler on this platform")
	}
}

// restoreJIT saves the JIT's package knobs for a deferred restore.
func restoreJIT() func() {
	use, hot, blocks, elide := UseJIT, jitHot, useBlocks, useFlagElision
	return func() { UseJIT, jitHot, useBlocks, useFlagElision = use, hot, blocks, elide }
}

// TestJITMatchesInterpreter runs random programs built from what the
// compiler handles, interpreted and compiled, with the same budget
// slices, and requires the same state after every slice.
func TestJITMatchesInterpreter(t *testing.T) {
	requireJIT(t)
	defer restoreJIT()()
	defer func() { jitTestHot, jitTestSqueeze = 1, false }()
	seeds := 12000
	if testing.Short() {
		seeds = 1000
	}
	rng := rand.New(rand.NewPCG(0x1217, 3))
	exits := map[Reason]int{}
	for seed := range seeds {
		code := jitProgram(rng, 4+rng.IntN(40), codeBase)
		regs := jitRegs(rng)
		flags := rng.Uint32() & StatusFlags
		slices := jitSlices(rng)
		// Mostly compile at once; sometimes interpret a block a few
		// times first (the interpreter's lazy flags meet compiled
		// code), or start the arena over before every slice.
		jitTestHot, jitTestSqueeze = 1, false
		switch seed % 8 {
		case 1:
			jitTestHot = uint16(2 + rng.IntN(4))
		case 2:
			jitTestSqueeze = true
		}
		want, wantMem := runSlices(t, false, code, regs, flags, slices)
		got, gotMem := runSlices(t, true, code, regs, flags, slices)
		requireSameRuns(t, want, got, "seed %d, regs %#x, flags %#x, slices %v, code % x", seed, regs, flags, slices, code)
		require.True(t, string(wantMem) == string(gotMem), "memory differs: seed %d, regs %#x, flags %#x, slices %v, code % x", seed, regs, flags, slices, code)
		exits[want[len(want)-1].Exit]++
	}
	t.Logf("%d programs; last exits: %v", seeds, exits)
}

// TestJITSelfModifyingLoop runs a loop that, once compiled, rewrites an
// immediate of its own and then an instruction in its own code page,
// and runs the new code: compiled and interpreted runs must agree.
func TestJITSelfModifyingLoop(t *testing.T) {
	requireJIT(t)
	defer restoreJIT()()
	// loop:  add eax, 1          (83 C0 01: the 01 is rewritten)
	//        inc ecx
	//        cmp ecx, 5
	//        jb loop
	//        mov byte [loop+2], 7   (the add now adds 7)
	//        cmp ecx, 10
	//        jb loop
	//        mov byte [patch], 0x47  (nop -> inc edi)
	//        jmp loop2
	// loop2: patch: nop
	//        add edx, ecx
	//        cmp edi, 3
	//        jb loop2
	//        mov byte [patch], 0x90
	//        mov dword [loop], 0x90909090 (the add -> nops; also cmp ecx: stays)
	//        int 0x80
	code := []byte{
		0x83, 0xC0, 0x01, // 0: add eax,1
		0x41,             // 3: inc ecx
		0x83, 0xF9, 0x05, // 4: cmp ecx,5
		0x72, 0xF7, // 7: jb 0
		0xC6, 0x05, 0, 0, 0, 0, 7, // 9: mov byte [codeBase+2],7
		0x83, 0xF9, 0x0A, // 16: cmp ecx,10
		0x72, 0xEB, // 19: jb 0
		0xC6, 0x05, 0, 0, 0, 0, 0x47, // 21: mov byte [patch],0x47
		0xEB, 0x00, // 28: jmp 30
		0x90,       // 30: patch
		0x01, 0xCA, // 31: add edx,ecx
		0x83, 0xFF, 0x03, // 33: cmp edi,3
		0x72, 0xF8, // 36: jb 30
		0xC6, 0x05, 0, 0, 0, 0, 0x90, // 38: mov byte [patch],0x90
		0xC7, 0x05, 0, 0, 0, 0, 0x90, 0x90, 0x90, 0x90, // 45: mov dword [codeBase],nops
		0xCD, 0x80, // 55: int 0x80
	}
	binary.LittleEndian.PutUint32(code[11:], codeBase+2)
	binary.LittleEndian.PutUint32(code[23:], codeBase+30)
	binary.LittleEndian.PutUint32(code[40:], codeBase+30)
	binary.LittleEndian.PutUint32(code[47:], codeBase)
	for _, slices := range [][]uint64{{1000}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1000}, {3, 5, 7, 11, 13, 1000}, {20, 1, 20, 1, 20, 1000}} {
		want, wantMem := runSlices(t, false, code, [8]uint32{ESP: stackTop}, 0, slices)
		got, gotMem := runSlices(t, true, code, [8]uint32{ESP: stackTop}, 0, slices)
		require.Equal(t, want, got, "slices %v", slices)
		require.Equal(t, wantMem, gotMem)
		last := want[len(want)-1]
		require.Equal(t, ExitInterrupt, last.Exit)
		require.EqualValues(t, 5+5*7, last.R[EAX])
		require.EqualValues(t, 3, last.R[EDI])
	}
	// The same again, with the code written from outside (the kernel's
	// copy_to_user) between slices: compiled code must not run stale.
	c := newJITCPU(t, code)
	UseJIT = true
	c.Run(40)
	n, f := c.WriteGuest(codeBase+2, []byte{9}, true)
	require.Nil(t, f)
	require.Equal(t, 1, n)
	ref := newJITCPU(t, code)
	UseJIT = false
	ref.Run(40)
	ref.WriteGuest(codeBase+2, []byte{9}, true)
	for range 20 {
		UseJIT = true
		e1 := c.Run(7)
		UseJIT = false
		e2 := ref.Run(7)
		require.Equal(t, e2.Reason, e1.Reason)
		require.Equal(t, ref.R, c.R)
		require.Equal(t, ref.EIP, c.EIP)
		require.Equal(t, ref.EFLAGS(), c.EFLAGS())
	}
}

// TestJITRandomSelfModifying: random programs that also store into their
// own code page (the body's bytes), compiled and interpreted.
func TestJITRandomSelfModifying(t *testing.T) {
	requireJIT(t)
	defer restoreJIT()()
	rng := rand.New(rand.NewPCG(99, 5))
	for seed := range 300 {
		code := jitProgram(rng, 4+rng.IntN(20), codeBase+10)
		// mov byte [codeBase+k], v at the start: k inside the body, v a
		// one-byte instruction (nop, inc/dec of a scratch register).
		k := 10 + uint32(rng.IntN(len(code)))
		v := []byte{0x90, 0x40, 0x41, 0x42, 0x47, 0x48, 0x4F}[rng.IntN(7)]
		prog := append([]byte{0xC6, 0x05}, le32(codeBase+k)...)
		prog = append(prog, v, 0x90, 0x90, 0x90)
		prog = append(prog, code...)
		end := prog[len(prog)-4:] // the closing jmp goes back to the store
		binary.LittleEndian.PutUint32(end, binary.LittleEndian.Uint32(end)-10)
		regs := jitRegs(rng)
		slices := jitSlices(rng)
		want, wantMem := runSlices(t, false, prog, regs, 0, slices)
		got, gotMem := runSlices(t, true, prog, regs, 0, slices)
		requireSameRuns(t, want, got, "seed %d, code % x", seed, prog)
		require.True(t, string(wantMem) == string(gotMem), "memory differs: seed %d", seed)
	}
}

// FuzzJIT runs arbitrary code from arbitrary registers interpreted and
// compiled, with the same budget slices, and requires the same state.
func FuzzJIT(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		r := jitRegs(rng)
		f.Add(jitProgram(rng, 3+rng.IntN(12), codeBase), r[EAX], r[ECX], r[EDX], r[EBX], r[EBP], r[ESI], r[EDI], uint32(rng.IntN(0x1000)), uint64(rng.Uint64()))
	}
	// Handmade: a counted loop of memory RMW, a call/ret pair, a divide.
	f.Add([]byte{0xB9, 5, 0, 0, 0, 0x01, 0x03, 0x83, 0x43, 4, 1, 0x49, 0x75, 0xF7, 0xEB, 0xF0}, uint32(1), uint32(0), uint32(0), uint32(dataBase), uint32(dataBase), uint32(0), uint32(0), uint32(0x8D5), uint64(0x0102030405))
	f.Add([]byte{0xE8, 2, 0, 0, 0, 0xEB, 3, 0x40, 0xC3, 0x90, 0xF7, 0xF1, 0xEB, 0xF2}, uint32(100), uint32(7), uint32(0), uint32(dataBase), uint32(0), uint32(0), uint32(0), uint32(1), uint64(0x2a))
	f.Add([]byte{0x8B, 0x43, 0xFE, 0x89, 0x43, 0x01, 0x13, 0x03, 0x0F, 0x92, 0x03, 0xEB, 0xF3}, uint32(0), uint32(0), uint32(0), uint32(jitData1-2), uint32(0), uint32(0), uint32(0), uint32(FlagCF), uint64(1))
	f.Fuzz(func(t *testing.T, code []byte, eax, ecx, edx, ebx, ebp, esi, edi, flags uint32, sliceSeed uint64) {
		requireJIT(t)
		defer restoreJIT()()
		if len(code) > 2*memory.PageSize {
			code = code[:2*memory.PageSize]
		}
		regs := [8]uint32{eax, ecx, edx, ebx, stackTop - 0x800, ebp, esi, edi}
		slices := jitSlices(rand.New(rand.NewPCG(sliceSeed, 0)))
		flags &= StatusFlags
		want, wantMem := runSlices(t, false, code, regs, flags, slices)
		got, gotMem := runSlices(t, true, code, regs, flags, slices)
		requireSameRuns(t, want, got, "code % x", code)
		require.True(t, string(wantMem) == string(gotMem), "memory differs")
	})
}

// TestJITCodeAliased runs one code frame mapped at two addresses, jumping
// from one mapping to the other: compiled code embeds EIPs (call's return
// address, jump targets), so a block compiled for one mapping must not
// run at the other.
func TestJITCodeAliased(t *testing.T) {
	requireJIT(t)
	defer restoreJIT()()
	const alias = 0x09000000
	// loop: add eax, 1
	//       call next        (pushes this mapping's address)
	// next: pop edx
	//       mov [ebx+eax*4], edx  (the return addresses, kept in memory)
	//       and eax, 0xFF
	//       xor edx, codeBase^alias (the other mapping)
	//       sub edx, next-loop
	//       jmp edx
	code := []byte{
		0x83, 0xC0, 0x01, // 0
		0xE8, 0, 0, 0, 0, // 3
		0x5A,             // 8: next
		0x89, 0x14, 0x83, // 9
		0x25, 0xFF, 0, 0, 0, // 12
		0x81, 0xF2, 0, 0, 0, 0, // 17
		0x83, 0xEA, 0x08, // 23
		0xFF, 0xE2, // 26
	}
	binary.LittleEndian.PutUint32(code[19:], codeBase^alias)
	run := func(jit bool) ([]jitResult, []byte) {
		UseJIT, jitHot = jit, 1
		c := newJITCPU(t, code)
		pfn, _, f := c.Phys.Walk(c.CR3, codeBase, memory.AccessRead)
		require.Nil(t, f)
		require.NoError(t, c.Phys.Map(c.CR3, alias, pfn, memory.PTEUser))
		c.R[EBX] = dataBase
		var out []jitResult
		for _, n := range []uint64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 1000} {
			e := c.Run(n)
			out = append(out, sliceResult(c, e))
		}
		return out, jitMemory(c)
	}
	want, wantMem := run(false)
	got, gotMem := run(true)
	require.Equal(t, want, got)
	require.Equal(t, wantMem, gotMem)
	require.Equal(t, ExitBudget, want[len(want)-1].Exit)
}

// TestJITShiftCounts runs every compiled shift and rotate form (8 and 32
// bits, register and memory, by 1, by an immediate and by CL) with every
// count up to 40 and edge values and flags: the host's flags where the
// manuals leave them undefined must come out as the model's.
func TestJITShiftCounts(t *testing.T) {
	requireJIT(t)
	defer restoreJIT()()
	jitHot = 1
	var forms [][]byte
	for ext := byte(0); ext < 8; ext++ {
		if ext == 6 {
			continue
		}
		for count := 0; count <= 40; count++ {
			forms = append(forms,
				[]byte{0xC0, 0xC0 | ext<<3, byte(count)}, // al
				[]byte{0xC1, 0xC0 | ext<<3, byte(count)}, // eax
				[]byte{0xC1, 0x03 | ext<<3, byte(count)}, // [ebx]
				[]byte{0xC0, 0x03 | ext<<3, byte(count)}) // byte [ebx]
		}
		forms = append(forms, []byte{0xD0, 0xC0 | ext<<3}, []byte{0xD1, 0xC0 | ext<<3}, []byte{0xD1, 0x03 | ext<<3},
			[]byte{0xD3, 0xC0 | ext<<3}, []byte{0xD2, 0xC0 | ext<<3})
	}
	values := []uint32{0, 1, 0x80, 0x7F, 0xFF, 0x81, 0x4000_0001, 0x8000_0000, 0xFFFF_FFFF, 0x1234_5678, 0xC000_0003}
	flagSets := []uint32{0, FlagCF, FlagOF, FlagCF | FlagOF, StatusFlags}
	cpus := [2]*CPU{newJITCPU(t, nil), newJITCPU(t, nil)}
	for _, form := range forms {
		// shift; setb dl (reads CF in compiled code); int 0x80
		code := append(append([]byte{}, form...), 0x0F, 0x92, 0xC2, 0xCD, 0x80)
		for _, c := range cpus {
			_, f := c.WriteGuest(codeBase, code, true)
			require.Nil(t, f)
		}
		for _, v := range values {
			for _, fl := range flagSets {
				for _, cl := range []uint32{0, 1, 8, 9, 17, 31, 32, 33} {
					var res [2]jitResult
					var mem [2]uint32
					for k, c := range cpus {
						UseJIT = k == 1
						c.R = [8]uint32{EAX: v, ECX: cl, EBX: dataBase, ESP: stackTop}
						c.EIP = codeBase
						c.SetEFLAGS(fl)
						_, f := c.WriteGuest(dataBase, le32(v), true)
						require.Nil(t, f)
						e := c.Run(10)
						res[k] = jitResult{c.R, c.EFLAGS(), c.EIP, 0, e.Reason, e.Vector, e.ErrorCode, e.Addr}
						var buf [4]byte
						c.ReadGuest(dataBase, buf[:], true)
						mem[k] = binary.LittleEndian.Uint32(buf[:])
					}
					require.Equal(t, res[0], res[1], "% x, value %#x, flags %#x, cl %d", form, v, fl, cl)
					require.Equal(t, mem[0], mem[1], "% x, value %#x, flags %#x, cl %d", form, v, fl, cl)
					if form[0] != 0xD3 && form[0] != 0xD2 {
						break // CL only matters to D2, D3
					}
				}
			}
		}
	}
}
