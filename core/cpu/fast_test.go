package cpu

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFastPathsMatchGeneric runs every specialised form (ops_fast.go) and
// the generic handler it replaces on the same random inputs and requires
// identical registers, flags and memory.
func TestFastPathsMatchGeneric(t *testing.T) {
	var forms [][]byte
	for _, op := range []byte{0x01, 0x03, 0x09, 0x0B, 0x21, 0x23, 0x29, 0x2B, 0x31, 0x33, 0x39, 0x3B, 0x85, 0x89, 0x8B} {
		forms = append(forms, []byte{op, 0x43, 0x08}, []byte{op, 0xC8}, []byte{op, 0xD3})
	}
	for reg := byte(0); reg < 8; reg++ {
		forms = append(forms,
			[]byte{0x81, 0x43 | reg<<3, 0x08, 0x78, 0x56, 0x34, 0x92},
			[]byte{0x81, 0xC0 | reg<<3 | 3, 0x78, 0x56, 0x34, 0x92},
			[]byte{0x83, 0x43 | reg<<3, 0x08, 0xF0},
			[]byte{0x83, 0xC0 | reg<<3 | 1, 0x7F},
		)
	}
	forms = append(forms,
		[]byte{0xC7, 0x43, 0x08, 1, 2, 3, 4}, []byte{0xC7, 0xC1, 1, 2, 3, 4},
		[]byte{0x0F, 0xB6, 0x43, 0x08}, []byte{0x0F, 0xB6, 0xC4}, []byte{0x0F, 0xB6, 0xFF},
		[]byte{0x8D, 0x44, 0x8B, 0x08}, []byte{0x8D, 0x05, 1, 2, 3, 4},
		[]byte{0x01, 0x44, 0x8B, 0xFE}, // add [ebx+ecx*4-2],eax: may straddle a page
		[]byte{0xA9, 0x0F, 0xF0, 0x00, 0x80}, []byte{0xF7, 0xC1, 0xFF, 0x00, 0x00, 0x00},
		[]byte{0x88, 0x43, 0x08}, []byte{0x88, 0x63, 0x08}, []byte{0x8A, 0x43, 0x08}, []byte{0x8A, 0x63, 0x09},
		[]byte{0xC6, 0x43, 0x08, 0x99}, []byte{0x80, 0x7B, 0x08, 0x80}, []byte{0x80, 0xF9, 0x7F}, []byte{0x80, 0xFC, 0x01},
		[]byte{0x0F, 0xBE, 0x43, 0x08}, []byte{0x0F, 0xBE, 0xC4}, []byte{0x0F, 0xBE, 0xD9},
		[]byte{0x0F, 0xAF, 0x43, 0x08}, []byte{0x0F, 0xAF, 0xC8},
		[]byte{0x69, 0x43, 0x08, 0x78, 0x56, 0x34, 0x12}, []byte{0x69, 0xC8, 0x01, 0x00, 0x01, 0x80}, []byte{0x6B, 0xC1, 0x9C},
		[]byte{0x68, 1, 2, 3, 4}, []byte{0x6A, 0x80}, []byte{0xE8, 0, 0, 0, 0}, []byte{0xC3},
	)
	forms = append(forms,
		[]byte{0xF7, 0xD9}, []byte{0xF7, 0xD1}, []byte{0x11, 0xC8}, []byte{0x13, 0xD9}, []byte{0x19, 0xC8}, []byte{0x1B, 0xD9},
		[]byte{0x83, 0xD0, 0x01}, []byte{0x83, 0xD8, 0xFF}, []byte{0x81, 0xD1, 0, 0, 0, 0x80}, []byte{0x81, 0xD9, 1, 0, 0, 0},
		[]byte{0xFF, 0xD0}, []byte{0xFF, 0x53, 0x08}, []byte{0xFF, 0xE0}, []byte{0xFF, 0x63, 0x08}, []byte{0xFF, 0x73, 0x08},
		[]byte{0x0F, 0xB7, 0x43, 0x08}, []byte{0x0F, 0xB7, 0xC1},
	)
	for cc := byte(0); cc < 16; cc++ {
		forms = append(forms, []byte{0x0F, 0x40 | cc, 0xC1}, []byte{0x0F, 0x40 | cc, 0x43, 0x08}, []byte{0x0F, 0x90 | cc, 0xC4}, []byte{0x0F, 0x90 | cc, 0xC0})
	}
	for _, m := range []byte{0xE0, 0xE8, 0xF0, 0xF8} {
		forms = append(forms, []byte{0xD1, m | 6}, []byte{0xD3, m | 7})
	}
	for _, op := range []byte{0x05, 0x0D, 0x25, 0x2D, 0x35, 0x3D} {
		forms = append(forms, []byte{op, 0x78, 0x56, 0x34, 0x92})
	}
	for r := byte(0); r < 8; r++ {
		forms = append(forms, []byte{0x40 + r}, []byte{0x48 + r}, []byte{0x50 + r}, []byte{0x58 + r}, []byte{0xB8 + r, 1, 2, 3, 4})
	}
	for _, n := range []byte{0, 1, 5, 31, 32, 33} {
		for _, m := range []byte{0xE0, 0xE8, 0xF0, 0xF8} {
			forms = append(forms, []byte{0xC1, m | 2, n})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	run := func(fast bool, code []byte, regs [8]uint32, flags uint32, mem uint64, memAt uint32) ([8]uint32, uint32, uint64, Exit) {
		useFastPaths = fast
		defer func() { useFastPaths = true }()
		c := newTestCPU(t, prog(code))
		c.R = regs
		c.SetEFLAGS(flags)
		_, f := c.WriteGuest(memAt, binary.LittleEndian.AppendUint64(nil, mem), true)
		require.Nil(t, f)
		e := c.Run(10)
		var b [8]byte
		c.ReadGuest(memAt, b[:], true)
		return c.R, c.EFLAGS(), binary.LittleEndian.Uint64(b[:]), e
	}
	for _, code := range forms {
		for i := 0; i < 50; i++ {
			var regs [8]uint32
			for r := range regs {
				regs[r] = rng.Uint32()
			}
			regs[ESP] = stackTop - 0x100
			regs[EBX] = dataBase + 0x100 + rng.Uint32N(0xE00)
			regs[ECX] = rng.Uint32N(0x40)
			if i%7 == 0 {
				regs[EBX], regs[ECX] = dataBase+0xFF6, 3 // [ebx+8] straddles into the unmapped page
			}
			flags := flagReserved | flagIF | rng.Uint32()&StatusFlags
			memAt := (regs[EBX] + 8) &^ 3
			if memAt+8 > dataBase+0x1000 {
				memAt = dataBase + 0xFF8
			}
			mem := rng.Uint64()
			r1, f1, m1, e1 := run(true, code, regs, flags, mem, memAt)
			r2, f2, m2, e2 := run(false, code, regs, flags, mem, memAt)
			require.Equal(t, e2, e1, "% x", code)
			require.Equal(t, r2, r1, "% x", code)
			require.Equal(t, f2, f1, "% x", code)
			require.Equal(t, m2, m1, "% x", code)
		}
	}
}

// TestFusedCompareBranch checks cmp/test+jcc fusion against running the
// two instructions separately, for every producer form and condition.
func TestFusedCompareBranch(t *testing.T) {
	producers := [][]byte{
		{0x39, 0xC8}, {0x39, 0x43, 0x08}, {0x3B, 0xC8}, {0x3B, 0x43, 0x08},
		{0x83, 0xF8, 0x05}, {0x81, 0x7B, 0x08, 0x00, 0x00, 0x00, 0x80}, {0x3D, 0xFF, 0xFF, 0xFF, 0x7F},
		{0x85, 0xC8}, {0x85, 0x43, 0x08}, {0xF7, 0xC1, 0x00, 0x80, 0x00, 0x00}, {0xA9, 0x01, 0x00, 0x00, 0x00},
		{0x80, 0xF9, 0x40}, {0x80, 0x7B, 0x08, 0xC0},
		{0x29, 0xC8}, {0x2B, 0xC8}, {0x83, 0xE8, 0x01}, {0x81, 0xE9, 0x00, 0x00, 0x00, 0x80},
		{0x83, 0xE0, 0x0F}, {0x81, 0xE1, 0xFF, 0x00, 0xFF, 0x00}, {0x83, 0xC0, 0x01}, {0x83, 0xC1, 0x80}, {0x48}, {0x49},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	run := func(fusion bool, code []byte, regs [8]uint32, flags uint32, mem uint32) ([8]uint32, uint32, uint32, uint64) {
		useFusion = fusion
		defer func() { useFusion = true }()
		c := newTestCPU(t, code)
		c.R = regs
		c.SetEFLAGS(flags)
		_, f := c.WriteGuest(regs[EBX]+8, le32(mem), true)
		require.Nil(t, f)
		e := c.Run(100)
		require.Equal(t, ExitInterrupt, e.Reason, e.String())
		return c.R, c.EFLAGS(), c.EIP, c.Instructions
	}
	for _, p := range producers {
		for cc := byte(0); cc < 16; cc++ {
			for _, long := range []bool{false, true} {
				// producer; jcc +2 (over "inc esi"); inc esi; int 0x80
				code := append([]byte{}, p...)
				if long {
					code = append(code, 0x0F, 0x80|cc, 2, 0, 0, 0)
				} else {
					code = append(code, 0x70|cc, 2)
				}
				code = append(code, 0x46, 0x46, 0xCD, 0x80)
				for i := 0; i < 8; i++ {
					var regs [8]uint32
					for r := range regs {
						regs[r] = rng.Uint32() >> (rng.Uint32() % 32)
					}
					regs[EBX], regs[ESP] = dataBase+0x100, stackTop
					if i%2 == 0 {
						regs[ECX] = regs[EAX] // equal operands
					}
					flags := flagReserved | rng.Uint32()&StatusFlags
					mem := regs[EAX]
					if i%3 == 0 {
						mem = rng.Uint32()
					}
					if i%4 == 3 {
						// Operands equal to the producers' immediates, so
						// L/LE and B/BE differ on the byte and imm forms too.
						regs[EAX], regs[ECX] = 5, regs[ECX]&^0xFF|0x40
						mem = mem&^0xFF | 0xC0
					}
					r1, f1, e1, n1 := run(true, code, regs, flags, mem)
					r2, f2, e2, n2 := run(false, code, regs, flags, mem)
					require.Equal(t, r2, r1, "% x", code)
					require.Equal(t, f2, f1, "% x", code)
					require.Equal(t, e2, e1, "% x", code)
					require.Equal(t, n2, n1, "% x: instruction count", code)
				}
			}
		}
	}
}

func TestFusedPairRespectsBudgetAndHook(t *testing.T) {
	// cmp eax,ecx; je +1; inc esi; int 0x80
	code := []byte{0x39, 0xC8, 0x74, 0x01, 0x46, 0xCD, 0x80}
	c := newTestCPU(t, code)
	c.Run(100) // decode and fuse
	c.EIP, c.Instructions = codeBase, 0
	e := c.Run(1)
	require.Equal(t, ExitBudget, e.Reason)
	require.EqualValues(t, codeBase+2, c.EIP, "one instruction: the cmp alone")
	require.EqualValues(t, 1, c.Instructions)
	e = c.Run(1)
	require.EqualValues(t, codeBase+5, c.EIP, "then the je, taken (eax == ecx == 0)")

	var seen []uint32
	c.OnInstruction = func(c *CPU) bool { seen = append(seen, c.EIP); return false }
	c.EIP = codeBase
	runToSyscall(t, c)
	require.Equal(t, []uint32{codeBase, codeBase + 2, codeBase + 5}, seen)

	// Rewriting the jcc (jne now) drops the fused pair with the page.
	c.OnInstruction = nil
	_, f := c.WriteGuest(codeBase+2, []byte{0x75}, true)
	require.Nil(t, f)
	c.EIP = codeBase
	runToSyscall(t, c)
	require.EqualValues(t, 1, c.R[ESI])
}
