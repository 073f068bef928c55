package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomBody returns straight-line code mixing the forms blocks and flag
// elision treat specially: ALU, shifts and rotates, inc/dec, imul, lea,
// moves, flag readers (adc, setcc, cmov, pushf), memory operands at
// [ebx+d8], jcc with a zero displacement (fused, no change of path) and,
// when faults is set, loads from [ebx+esi] that usually fault. EBX and
// ESP are never written.
func randomBody(rng *rand.Rand, n int, faults bool) []byte {
	dst := []byte{EAX, ECX, EDX, EBP, ESI, EDI}
	byteDst := []byte{0, 1, 2, 4, 5, 6} // al cl dl ah ch dh
	r := func() byte { return dst[rng.IntN(len(dst))] }
	modrm := func(reg, rm byte) byte { return 0xC0 | reg<<3 | rm }
	var code []byte
	for range n {
		switch rng.IntN(17) {
		case 0, 1:
			ops := []byte{0x01, 0x03, 0x09, 0x0B, 0x11, 0x13, 0x19, 0x1B, 0x21, 0x23, 0x29, 0x2B, 0x31, 0x33, 0x39, 0x3B, 0x85, 0x89, 0x8B}
			op := ops[rng.IntN(len(ops))]
			if op == 0x03 || op == 0x0B || op == 0x13 || op == 0x1B || op == 0x23 || op == 0x2B || op == 0x33 || op == 0x3B || op == 0x8B {
				code = append(code, op, modrm(r(), byte(rng.IntN(8)))) // reg is the destination
			} else {
				code = append(code, op, modrm(byte(rng.IntN(8)), r()))
			}
		case 2:
			code = append(code, 0x83, modrm(byte(rng.IntN(8)), r()), byte(rng.Uint32()))
		case 3:
			code = append(code, []byte{0x05, 0x0D, 0x25, 0x2D, 0x35, 0x3D, 0xA9}[rng.IntN(7)])
			code = append(code, le32(rng.Uint32())...)
		case 4:
			ext := []byte{0, 1, 4, 5, 7}[rng.IntN(5)]
			code = append(code, 0xC1, modrm(ext, r()), []byte{0, 1, 5, 31, 32, 33}[rng.IntN(6)])
		case 5:
			ext := []byte{0, 1, 4, 5, 7}[rng.IntN(5)]
			code = append(code, []byte{0xD1, 0xD3}[rng.IntN(2)], modrm(ext, r()))
		case 6:
			code = append(code, []byte{0x40, 0x48}[rng.IntN(2)]+r())
		case 7:
			code = append(code, 0xF7, modrm([]byte{0, 2, 3}[rng.IntN(3)], r()))
			if code[len(code)-1]>>3&7 == 0 {
				code = append(code, le32(rng.Uint32())...)
			}
		case 8:
			switch rng.IntN(3) {
			case 0:
				code = append(code, 0x0F, 0xAF, modrm(r(), r()))
			case 1:
				code = append(code, 0x6B, modrm(r(), r()), byte(rng.Uint32()))
			default:
				code = append(code, 0x8D, 0x40|r()<<3|r(), byte(rng.Uint32())) // lea r,[r+d8]
			}
		case 9:
			code = append(code, 0x0F, 0x90|byte(rng.IntN(16)), modrm(0, byteDst[rng.IntN(6)]))
		case 10:
			code = append(code, 0x0F, 0x40|byte(rng.IntN(16)), modrm(r(), r()))
		case 11:
			code = append(code, 0x9C, 0x58|r()) // pushf; pop r
		case 12:
			d := byte(rng.IntN(0x78))
			switch rng.IntN(4) {
			case 0:
				code = append(code, 0x8B, 0x43|r()<<3, d)
			case 1:
				code = append(code, 0x01, 0x43|r()<<3, d)
			case 2:
				code = append(code, 0x83, 0x43|byte(rng.IntN(8))<<3, d, byte(rng.Uint32()))
			default:
				code = append(code, 0x0F, 0xB6, 0x43|r()<<3, d)
			}
		case 13:
			code = append(code, 0x70|byte(rng.IntN(16)), 0) // jcc to the next instruction
		case 14:
			code = append(code, 0xB8+r())
			code = append(code, le32(rng.Uint32()>>uint(rng.IntN(32)))...)
		case 15:
			code = append(code, 0x0F, 0xB6, modrm(r(), byte(rng.IntN(8))))
		case 16:
			if faults && rng.IntN(4) == 0 {
				code = append(code, 0x8B, 0x04|r()<<3, 0x33) // mov r,[ebx+esi]
			} else {
				code = append(code, 0x90)
			}
		}
	}
	return code
}

// jitResult is the state compared after each Run slice.
type jitResult struct {
	R         [8]uint32
	EFLAGS    uint32
	EIP       uint32
	Retired   uint64
	Exit      Reason
	Vector    uint8
	ErrorCode uint32
	ExitAddr  uint32
}

// sliceResult is what c shows after a Run slice that ended with e.
func sliceResult(c *CPU, e Exit) jitResult {
	return jitResult{c.R, c.EFLAGS(), c.EIP, c.Retired(), e.Reason, e.Vector, e.ErrorCode, e.Addr}
}

// randomStart makes body a loop (a jmp back to its start) and picks the
// registers and flags it starts with: EBX and ESP point at data and
// stack, ESI is often 0 so [ebx+esi] maps.
func randomStart(rng *rand.Rand, body []byte) (code []byte, regs [8]uint32, flags uint32) {
	code = append(body, 0xE9)
	code = append(code, le32(uint32(-(len(body) + 5)))...)
	for i := range regs {
		regs[i] = rng.Uint32() >> uint(rng.IntN(32))
	}
	regs[EBX], regs[ESP] = dataBase, stackTop
	regs[ESI] = uint32(rng.IntN(2)) * regs[ESI]
	return code, regs, rng.Uint32() & StatusFlags
}

// TestBlocksMatchSingleStep runs random programs one instruction at a
// time, in blocks, and in blocks with flag elision, with the same budget
// slices, and requires the same registers, EFLAGS, EIP, exits and
// retired counts after every slice: at budget ends, at faults and when
// the loop comes round.
func TestBlocksMatchSingleStep(t *testing.T) {
	defer func(hot uint16) { useBlocks, useFlagElision, UseJIT, jitHot = true, true, true, hot }(jitHot)
	rng := rand.New(rand.NewPCG(7, 11))
	for seed := range 300 {
		body := randomBody(rng, 5+rng.IntN(60), seed%3 == 0)
		code, regs, flags := randomStart(rng, body)
		var slices []uint64
		for range 8 {
			slices = append(slices, 1+uint64(rng.IntN(300)))
		}
		run := func(blocks, elide, jit bool) []jitResult {
			useBlocks, useFlagElision, UseJIT = blocks, elide, jit
			jitHot = 1 // compile every block the first time it runs
			c := newTestCPU(t, code)
			c.R = regs
			c.SetEFLAGS(flags)
			var out []jitResult
			for _, n := range slices {
				e := c.Run(n)
				out = append(out, sliceResult(c, e))
				if e.Reason != ExitBudget {
					break
				}
			}
			return out
		}
		want := run(false, false, false)
		require.Equal(t, want, run(true, false, false), "blocks, seed %d, code % x", seed, code)
		require.Equal(t, want, run(true, true, false), "blocks with flag elision, seed %d, code % x", seed, code)
		if jitAvailable() {
			require.Equal(t, want, run(true, true, true), "compiled blocks, seed %d, code % x", seed, code)
		}
	}
}

// TestBlockFaultMidBlock checks a fault in the middle of a block: EIP at
// the faulting instruction, the ones before it retired, flags exact.
func TestBlockFaultMidBlock(t *testing.T) {
	code := []byte{
		0x31, 0xC0, // xor eax,eax (ZF set; its flags are dead in the block)
		0x40,             // inc eax
		0x83, 0xC1, 0x01, // add ecx,1: flags live, the load below can fault
		0x8B, 0x15, 0, 0, 0, 0x70, // mov edx,[0x70000000]: unmapped
		0x31, 0xD2, // xor edx,edx
		0xEB, 0xF2, // jmp back to the add
	}
	c := newTestCPU(t, code)
	c.R[ECX] = 0xFFFFFFFF
	e := c.Run(100)
	require.Equal(t, ExitFault, e.Reason)
	require.EqualValues(t, VecPageFault, e.Vector)
	require.EqualValues(t, codeBase+6, c.EIP)
	require.EqualValues(t, 3, c.Retired())
	require.EqualValues(t, 1, c.R[EAX])
	require.EqualValues(t, 0, c.R[ECX])
	require.Equal(t, uint32(FlagZF|FlagCF|FlagPF|FlagAF), c.EFLAGS()&StatusFlags)
}
