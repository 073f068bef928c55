package cpu

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/cpu/x87"
)

// x87 through the decoder: memory operands, EFLAGS, AX and faults.

// abs32 encodes a disp32 memory operand ModRM (mod 0, rm 5) for reg.
func abs32(op, reg byte, addr uint32) []byte {
	b := []byte{op, reg<<3 | 5, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[2:], addr)
	return b
}

func cat(parts ...[]byte) []byte {
	var r []byte
	for _, p := range parts {
		r = append(r, p...)
	}
	return r
}

var int80 = []byte{0xCD, 0x80}

func putF64(t *testing.T, c *CPU, addr uint32, v float64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
	_, f := c.WriteGuest(addr, b[:], true)
	require.Nil(t, f)
}

func getBytes(t *testing.T, c *CPU, addr uint32, n int) []byte {
	b := make([]byte, n)
	_, f := c.ReadGuest(addr, b, true)
	require.Nil(t, f)
	return b
}

func getF64(t *testing.T, c *CPU, addr uint32) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(getBytes(t, c, addr, 8)))
}

func runToInt80(t *testing.T, c *CPU) {
	t.Helper()
	exit := c.Run(1000)
	require.Equal(t, ExitInterrupt, exit.Reason, exit.String())
}

func TestX87AddThroughMemory(t *testing.T) {
	code := cat(
		abs32(0xDD, 0, dataBase),    // fld qword [data]
		abs32(0xDD, 0, dataBase+8),  // fld qword [data+8]
		[]byte{0xDE, 0xC1},          // faddp st1, st0
		abs32(0xDD, 3, dataBase+16), // fstp qword [data+16]
		int80)
	c := newTestCPU(t, code)
	putF64(t, c, dataBase, 0.1)
	putF64(t, c, dataBase+8, 0.2)
	runToInt80(t, c)
	// The exact sum fits in 64 bits; stored as a double it is a tie that
	// rounds to even, as SSE's 0.1+0.2 does.
	a, b := 0.1, 0.2
	require.Equal(t, a+b, getF64(t, c, dataBase+16))
	require.True(t, c.FPU.IsEmpty(0))
	require.EqualValues(t, 0, c.FPU.SW>>11&7)
}

func TestX87IntegersAndRounding(t *testing.T) {
	code := cat(
		abs32(0xDB, 0, dataBase),    // fild dword [data]      (7)
		abs32(0xDA, 6, dataBase+4),  // fidiv dword [data+4]   (7/2 = 3.5)
		abs32(0xDB, 2, dataBase+8),  // fist dword [data+8]    nearest even: 4
		abs32(0xD9, 5, dataBase+16), // fldcw [data+16]        round toward zero
		abs32(0xDF, 7, dataBase+24), // fistp qword [data+24]  3
		int80)
	c := newTestCPU(t, code)
	_, f := c.WriteGuest(dataBase, []byte{7, 0, 0, 0, 2, 0, 0, 0}, true)
	require.Nil(t, f)
	_, f = c.WriteGuest(dataBase+16, []byte{0x7F, 0x0F}, true) // CW 0xF7F
	require.Nil(t, f)
	runToInt80(t, c)
	b := getBytes(t, c, dataBase+8, 24)
	require.EqualValues(t, 4, binary.LittleEndian.Uint32(b[0:]))
	require.EqualValues(t, 3, binary.LittleEndian.Uint64(b[16:]))
	require.NotZero(t, c.FPU.SW&x87.FlagPE, "inexact conversions set PE")
}

func TestX87CompareFlagsAndStatusWord(t *testing.T) {
	code := cat(
		[]byte{0xD9, 0xE8}, // fld1
		[]byte{0xD9, 0xEE}, // fldz          st0=0 st1=1
		[]byte{0xDB, 0xF1}, // fcomi st0, st1: 0 < 1 -> CF
		[]byte{0x9B},       // fwait
		[]byte{0xD8, 0xD1}, // fcom st1: C0
		[]byte{0xDF, 0xE0}, // fnstsw ax
		[]byte{0xDE, 0xD9}, // fcompp
		int80)
	c := newTestCPU(t, code)
	c.R[EAX] = 0xABCD0000
	runToInt80(t, c)
	fl := c.EFLAGS()
	require.NotZero(t, fl&FlagCF)
	require.Zero(t, fl&(FlagZF|FlagPF))
	require.EqualValues(t, 0xABCD, c.R[EAX]>>16, "fnstsw ax leaves the high half")
	sw := uint16(c.R[EAX])
	require.NotZero(t, sw&0x100, "C0 after fcom less")
	require.EqualValues(t, 6, sw>>11&7, "TOP with two values pushed")
	require.True(t, c.FPU.IsEmpty(0) && c.FPU.IsEmpty(1))
}

func TestX87StoreFaultIsPrecise(t *testing.T) {
	code := cat(
		[]byte{0xD9, 0xEB},     // fldpi
		abs32(0xDD, 3, 0x1000), // fstp qword [0x1000]: unmapped
		int80)
	c := newTestCPU(t, code)
	exit := c.Run(10)
	require.Equal(t, ExitFault, exit.Reason)
	require.EqualValues(t, VecPageFault, exit.Vector)
	require.EqualValues(t, codeBase+2, c.EIP)
	require.False(t, c.FPU.IsEmpty(0), "the faulting fstp did not pop")
	require.EqualValues(t, 7, c.FPU.SW>>11&7)
}

func TestX87EnvironmentLayout(t *testing.T) {
	code := cat(
		[]byte{0xD9, 0xE8},          // fld1
		[]byte{0xD9, 0xEE},          // fldz
		abs32(0xD9, 6, dataBase),    // fnstenv [data]
		abs32(0xDD, 6, dataBase+32), // fnsave [data+32]
		abs32(0xDD, 4, dataBase+32), // frstor [data+32]
		int80)
	c := newTestCPU(t, code)
	runToInt80(t, c)
	env := getBytes(t, c, dataBase, 28)
	require.EqualValues(t, 0x37F, binary.LittleEndian.Uint16(env[0:]))
	require.EqualValues(t, 6<<11, binary.LittleEndian.Uint16(env[4:]))
	// ST0 = 0 (tag 1) in physical 6, ST1 = 1 (tag 0) in physical 7.
	require.EqualValues(t, 0x1FFF, binary.LittleEndian.Uint16(env[8:]))
	require.EqualValues(t, codeBase+2, binary.LittleEndian.Uint32(env[12:]), "FIP: the fldz")
	require.EqualValues(t, 0x1EE, binary.LittleEndian.Uint32(env[16:])>>16, "FOP of fldz")
	save := getBytes(t, c, dataBase+32, 108)
	require.Equal(t, []byte{0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x3F}, save[38:48], "ST1 = 1.0")
	// frstor brought the stack back.
	require.EqualValues(t, 6, c.FPU.SW>>11&7)
	require.False(t, c.FPU.IsEmpty(1))
	require.EqualValues(t, 0x37F, c.FPU.CW)
}

func TestX87UndefinedMemoryForm(t *testing.T) {
	c := newTestCPU(t, cat(abs32(0xD9, 1, dataBase), int80)) // D9 /1 m: no such instruction
	exit := c.Run(10)
	require.Equal(t, ExitFault, exit.Reason)
	require.EqualValues(t, VecInvalidOp, exit.Vector)
	require.EqualValues(t, codeBase, c.EIP)
}

func TestX87PendingExceptionRaisesMF(t *testing.T) {
	code := cat(
		[]byte{0xD9, 0xEE},         // fldz
		[]byte{0xD9, 0xE8},         // fld1
		[]byte{0xDE, 0xF1},         // fdivrp: st1 = st0/st1 = 1/0, ZE (masked)
		abs32(0xD9, 5, dataBase),   // fldcw [data]: unmask ZE, ES now set
		abs32(0xDD, 7, dataBase+4), // fnstsw [data+4]: no-wait, runs
		[]byte{0x9B},               // fwait: #MF
		int80)
	c := newTestCPU(t, code)
	_, f := c.WriteGuest(dataBase, []byte{0x7B, 0x03}, true) // 0x37B: ZE unmasked
	require.Nil(t, f)
	exit := c.Run(100)
	require.Equal(t, ExitFault, exit.Reason, exit.String())
	require.EqualValues(t, VecFPUError, exit.Vector)
	require.EqualValues(t, codeBase+6+6+6, c.EIP, "at the fwait")
	sw := binary.LittleEndian.Uint16(getBytes(t, c, dataBase+4, 2))
	require.NotZero(t, sw&x87.FlagZE)
	require.NotZero(t, sw&x87.FlagES)
	require.True(t, c.FPU.Pending())
}
