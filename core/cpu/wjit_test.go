package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomBody2 adds to randomBody's mix what the wasm compiler handles
// besides: byte ALU forms, mul, neg, not, stack traffic, call and ret,
// memory stores and read-modify-writes, movsx, cdq, cwde. The code will
// be at address at.
func randomBody2(rng *rand.Rand, n int, at uint32) []byte {
	dst := []byte{EAX, ECX, EDX, EBP, ESI, EDI}
	r := func() byte { return dst[rng.IntN(len(dst))] }
	modrm := func(reg, rm byte) byte { return 0xC0 | reg<<3 | rm }
	m8 := func(reg byte) []byte { return []byte{0x43 | reg<<3, byte(rng.IntN(0x78))} } // [ebx+d8]
	var code []byte
	for range n {
		switch rng.IntN(16) {
		case 0:
			op := byte(rng.IntN(8))<<3 | byte(rng.IntN(2))<<1 // byte forms E,G and G,E
			code = append(code, op, modrm(byte(rng.IntN(8)), byte(rng.IntN(8))))
		case 1:
			code = append(code, 0x80, modrm(byte(rng.IntN(8)), byte(rng.IntN(8))), byte(rng.Uint32()))
		case 2:
			code = append(code, []byte{0x04, 0x0C, 0x14, 0x1C, 0x24, 0x2C, 0x34, 0x3C, 0xA8}[rng.IntN(9)], byte(rng.Uint32()))
		case 3:
			code = append(code, 0x84, modrm(byte(rng.IntN(8)), byte(rng.IntN(8))))
		case 4:
			code = append(code, 0xF7, modrm([]byte{2, 3, 4}[rng.IntN(3)], r()))
		case 5:
			code = append(code, 0x50+byte(rng.IntN(8)), 0x58+r())
		case 6:
			if rng.IntN(2) == 0 {
				code = append(code, 0x6A, byte(rng.Uint32()), 0x58+r())
			} else {
				code = append(code, 0x68)
				code = append(code, le32(rng.Uint32())...)
				code = append(code, 0x58+r())
			}
		case 7:
			code = append(code, 0xE8, 0, 0, 0, 0, 0x58+r()) // call next; pop r
		case 8:
			// push the address after the ret; ret
			code = append(code, 0x68)
			code = append(code, le32(at+uint32(len(code))+5)...)
			code = append(code, 0xC3)
		case 9:
			switch rng.IntN(4) {
			case 0:
				code = append(code, 0xC6)
				code = append(code, m8(0)...)
				code = append(code, byte(rng.Uint32()))
			case 1:
				code = append(code, 0xC7)
				code = append(code, m8(0)...)
				code = append(code, le32(rng.Uint32())...)
			case 2:
				code = append(code, 0x88)
				code = append(code, m8(byte(rng.IntN(8)))...)
			default:
				code = append(code, 0x8A)
				code = append(code, m8(byte(rng.IntN(8)))...)
			}
		case 10:
			code = append(code, []byte{0x01, 0x11, 0x19, 0x29, 0x31, 0x39, 0x03, 0x13}[rng.IntN(8)])
			code = append(code, m8(r())...)
		case 11:
			code = append(code, []byte{0xFF, 0xFE}[rng.IntN(2)])
			code = append(code, m8(byte(rng.IntN(2)))...)
		case 12:
			code = append(code, 0xFE, modrm(byte(rng.IntN(2)), byte(rng.IntN(8))))
		case 13:
			code = append(code, 0x0F, []byte{0xBE, 0xBF, 0xB7}[rng.IntN(3)])
			if rng.IntN(2) == 0 {
				code = append(code, modrm(r(), byte(rng.IntN(8))))
			} else {
				code = append(code, m8(r())...)
			}
		case 14:
			code = append(code, []byte{0x99, 0x98}[rng.IntN(2)])
		default:
			code = append(code, 0x0F, 0x80|byte(rng.IntN(16)), 0, 0, 0, 0) // jcc rel32 to the next instruction
		}
	}
	return code
}

// TestCompiledBlocksMatchSingleStep runs random code built from both
// generators through the interpreter one instruction at a time and
// through compiled blocks (amd64 natively, WebAssembly under js/wasm),
// comparing registers, flags, EIP, retired counts and the data page.
func TestCompiledBlocksMatchSingleStep(t *testing.T) {
	if !jitAvailable() {
		t.Skip("no block compiler on this platform")
	}
	defer func(hot uint16) { useBlocks, useFlagElision, UseJIT, jitHot = true, true, true, hot }(jitHot)
	rng := rand.New(rand.NewPCG(3, 5))
	for seed := range 300 {
		var body []byte
		for len(body) < 40+rng.IntN(200) {
			if rng.IntN(2) == 0 {
				body = append(body, randomBody(rng, 1+rng.IntN(4), seed%4 == 0)...)
			} else {
				body = append(body, randomBody2(rng, 1+rng.IntN(4), codeBase+uint32(len(body)))...)
			}
		}
		code, regs, flags := randomStart(rng, body)
		var slices []uint64
		for range 8 {
			slices = append(slices, 1+uint64(rng.IntN(500)))
		}
		type result struct {
			R       [8]uint32
			EFLAGS  uint32
			EIP     uint32
			Retired uint64
			Exit    Reason
			Vector  uint8
			Data    [64]uint32
		}
		run := func(blocks, jit bool) []result {
			useBlocks, UseJIT = blocks, jit
			jitHot = 1
			c := newTestCPU(t, code)
			c.R = regs
			c.SetEFLAGS(flags)
			var out []result
			for _, n := range slices {
				e := c.Run(n)
				res := result{R: c.R, EFLAGS: c.EFLAGS(), EIP: c.EIP, Retired: c.Retired(), Exit: e.Reason, Vector: e.Vector}
				for i := range res.Data {
					res.Data[i] = c.read32(dataBase + 4*uint32(i))
				}
				out = append(out, res)
				if e.Reason != ExitBudget {
					break
				}
			}
			return out
		}
		want := run(false, false)
		require.Equal(t, want, run(true, false), "blocks, seed %d, code % x", seed, code)
		require.Equal(t, want, run(true, true), "compiled blocks, seed %d, code % x", seed, code)
	}
}
