package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/memory"
)

// Test machine layout: code at codeBase, a data page at dataBase, and a
// stack page below stackTop, all user-writable.
const (
	codeBase = 0x08048000
	dataBase = 0x08050000
	stackTop = 0xBFFF0000
)

// newTestCPU maps code, data and stack pages and loads code at codeBase.
func newTestCPU(t testing.TB, code []byte) *CPU {
	t.Helper()
	phys := memory.NewPhys(16 << 20)
	c := New(phys)
	dir, err := phys.NewDirectory(0)
	require.NoError(t, err)
	for _, base := range []uint32{codeBase, codeBase + memory.PageSize, dataBase, stackTop - memory.PageSize} {
		pfn, err := phys.Alloc()
		require.NoError(t, err)
		require.NoError(t, phys.Map(dir, base, pfn, memory.PTEUser|memory.PTEWrite))
	}
	c.SetCR3(dir)
	n, f := c.WriteGuest(codeBase, code, true)
	require.Nil(t, f)
	require.Equal(t, len(code), n)
	c.EIP = codeBase
	c.R[ESP] = stackTop
	return c
}

func TestRunToSyscall(t *testing.T) {
	// mov eax,5; add eax,7; push eax; pop ebx; int 0x80
	c := newTestCPU(t, []byte{0xB8, 5, 0, 0, 0, 0x83, 0xC0, 7, 0x50, 0x5B, 0xCD, 0x80})
	exit := c.Run(100)
	require.Equal(t, ExitInterrupt, exit.Reason, exit.String())
	require.EqualValues(t, VecSyscall, exit.Vector)
	require.EqualValues(t, 12, c.R[EAX])
	require.EqualValues(t, 12, c.R[EBX])
	require.EqualValues(t, codeBase+12, c.EIP)
	require.EqualValues(t, 5, c.Instructions)
}

func TestPageFaultIsPrecise(t *testing.T) {
	// mov eax,[0x1000]: unmapped; registers and EIP stay put.
	c := newTestCPU(t, []byte{0xA1, 0x00, 0x10, 0x00, 0x00})
	c.R[EAX] = 77
	exit := c.Run(10)
	require.Equal(t, ExitFault, exit.Reason)
	require.EqualValues(t, VecPageFault, exit.Vector)
	require.EqualValues(t, 0x1000, exit.Addr)
	require.EqualValues(t, memory.FaultUser, exit.ErrorCode)
	require.EqualValues(t, codeBase, c.EIP)
	require.EqualValues(t, 77, c.R[EAX])
	require.EqualValues(t, 0, c.Instructions)
}

func TestSelfModifyingCode(t *testing.T) {
	// loop: mov byte [codeBase+patch], 0x40 (inc eax) then run the patched byte.
	code := []byte{
		0xC6, 0x05, 0, 0, 0, 0, 0x40, // mov byte [patch], 0x40
		0x90, // patch: nop, becomes inc eax
		0xCD, 0x80,
	}
	patch := uint32(codeBase + 7)
	code[2], code[3], code[4], code[5] = byte(patch), byte(patch>>8), byte(patch>>16), byte(patch>>24)
	c := newTestCPU(t, code)
	// Decode the nop first, so the patch must invalidate it.
	_, f := c.Decode(codeBase + 7)
	require.Nil(t, f)
	c.EIP = codeBase + 7
	c.Run(1)
	require.EqualValues(t, 0, c.R[EAX])
	c.EIP = codeBase
	exit := c.Run(10)
	require.Equal(t, ExitInterrupt, exit.Reason, exit.String())
	require.EqualValues(t, 1, c.R[EAX])
}

func TestUndefinedOpcode(t *testing.T) {
	c := newTestCPU(t, []byte{0x0F, 0x0B})
	exit := c.Run(10)
	require.Equal(t, ExitFault, exit.Reason)
	require.EqualValues(t, VecInvalidOp, exit.Vector)
	require.EqualValues(t, codeBase, c.EIP)
}
