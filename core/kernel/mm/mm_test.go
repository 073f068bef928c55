package mm

import (
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
	"trapdoor/core/memory"
)

func newMM(t *testing.T) *MM {
	m, err := New(memory.NewPhys(64 << 20))
	require.NoError(t, err)
	return m
}

const rw = abi.PROT_READ | abi.PROT_WRITE
const anon = abi.MAP_PRIVATE | abi.MAP_ANONYMOUS

func TestDemandZeroAndCopy(t *testing.T) {
	m := newMM(t)
	a, err := m.Map(0x10000000, 3*memory.PageSize, rw, anon, KindAnon, "", true)
	require.NoError(t, err)
	require.Equal(t, uint32(0x10000000), a)
	require.Equal(t, 0, m.Resident(), "no page before the first touch")
	require.NoError(t, m.CopyOut(a+memory.PageSize-2, []byte{1, 2, 3, 4}))
	require.Equal(t, 2, m.Resident())
	buf := make([]byte, 6)
	require.NoError(t, m.CopyIn(a+memory.PageSize-3, buf))
	require.Equal(t, []byte{0, 1, 2, 3, 4, 0}, buf)
	require.ErrorIs(t, m.CopyIn(0x20000000, buf), ErrFault)
	require.ErrorIs(t, m.Fault(0x20000000, memory.FaultUser), ErrFault)
}

func TestProtectSplitMerge(t *testing.T) {
	m := newMM(t)
	a, _ := m.Map(0x10000000, 4*memory.PageSize, rw, anon, KindAnon, "", true)
	require.NoError(t, m.CopyOut(a, make([]byte, 4*memory.PageSize)))
	require.NoError(t, m.Protect(a+memory.PageSize, memory.PageSize, abi.PROT_READ))
	require.Len(t, m.VMAs, 3)
	require.ErrorIs(t, m.CopyOut(a+memory.PageSize, []byte{1}), ErrFault, "write to a read-only page")
	require.NoError(t, m.CopyIn(a+memory.PageSize, make([]byte, 1)))
	// The PTE follows the VMA: a user write faults with a protection error.
	pte, _ := m.Phys.PTE(m.Dir, a+memory.PageSize)
	require.Zero(t, pte&memory.PTEWrite)
	require.NoError(t, m.Protect(a+memory.PageSize, memory.PageSize, rw))
	require.Len(t, m.VMAs, 1, "neighbours with equal attributes merge again")
	require.ErrorIs(t, m.Protect(a, 8*memory.PageSize, rw), ErrNoMemory, "unmapped pages in the range")
}

func TestUnmapFreesFrames(t *testing.T) {
	phys := memory.NewPhys(64 << 20)
	m, _ := New(phys)
	base, _ := phys.InUse()
	a, _ := m.Map(0, 8*memory.PageSize, rw, anon, KindAnon, "", false)
	require.Less(t, a, uint32(MmapBase))
	require.NoError(t, m.CopyOut(a, make([]byte, 8*memory.PageSize)))
	require.NoError(t, m.Unmap(a+2*memory.PageSize, 2*memory.PageSize))
	require.Len(t, m.VMAs, 2)
	require.Nil(t, m.Find(a+2*memory.PageSize))
	used, _ := phys.InUse()
	require.Equal(t, base+1+6, used, "page table + 6 pages")
	m.Release()
	used, _ = phys.InUse()
	require.Equal(t, 0, used)
	require.ErrorIs(t, (&MM{Phys: phys}).Unmap(1, 1), ErrInvalid)
}

func TestTopDownAndFixed(t *testing.T) {
	m := newMM(t)
	a, _ := m.Map(0, memory.PageSize, rw, anon, KindAnon, "", false)
	b, _ := m.Map(0, memory.PageSize, abi.PROT_READ, anon, KindAnon, "", false)
	require.Equal(t, uint32(MmapBase-memory.PageSize), a)
	require.Equal(t, a-memory.PageSize, b)
	// MAP_FIXED over both replaces them.
	c, err := m.Map(b, 2*memory.PageSize, abi.PROT_EXEC, anon, KindAnon, "", true)
	require.NoError(t, err)
	require.Equal(t, b, c)
	require.Len(t, m.VMAs, 1)
	_, err = m.Map(1, memory.PageSize, rw, anon, KindAnon, "", true)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestBrk(t *testing.T) {
	m := newMM(t)
	m.StartBrk, m.Brk = 0x08100000, 0x08100000
	require.Equal(t, uint32(0x08100000), m.SetBrk(0))
	require.Equal(t, uint32(0x08100880), m.SetBrk(0x08100880))
	require.NoError(t, m.CopyOut(0x08100000, []byte{1}))
	require.Equal(t, uint32(0x08123000), m.SetBrk(0x08123000))
	require.Equal(t, "[heap]", m.Find(0x08122fff).Name)
	require.Equal(t, uint32(0x08101000), m.SetBrk(0x08101000))
	require.Nil(t, m.Find(0x08101000))
	require.Equal(t, uint32(0x08101000), m.SetBrk(0x08000000), "below the start: refused, old break")
}

func TestStackGrowth(t *testing.T) {
	m := newMM(t)
	_, err := m.Map(StackTop-4*memory.PageSize, 4*memory.PageSize, rw, anon|abi.MAP_GROWSDOWN, KindStack, "[stack]", true)
	require.NoError(t, err)
	require.NoError(t, m.Fault(StackTop-64*memory.PageSize, memory.FaultWrite|memory.FaultUser))
	require.Equal(t, uint32(StackTop-64*memory.PageSize), m.Find(StackTop-1).Start)
	require.ErrorIs(t, m.Fault(StackTop-StackMax-2*memory.PageSize, memory.FaultUser), ErrFault)
}

func TestCopyOnWrite(t *testing.T) {
	m := newMM(t)
	a, _ := m.Map(0x10000000, memory.PageSize, rw, anon, KindAnon, "", true)
	require.NoError(t, m.CopyOut(a, []byte{42}))
	// Share the frame read-only, as fork will.
	pte, _ := m.Phys.PTE(m.Dir, a)
	pfn := memory.PFN(pte)
	m.Phys.Ref(pfn)
	m.Phys.SetPTE(m.Dir, a, pte&^memory.PTEWrite)
	require.NoError(t, m.Fault(a, memory.FaultWrite|memory.FaultUser|memory.FaultProtection))
	require.Equal(t, uint64(1), m.Find(a).CoWFaults)
	npte, _ := m.Phys.PTE(m.Dir, a)
	require.NotEqual(t, pfn, memory.PFN(npte), "the writer got a copy")
	require.Equal(t, byte(42), m.Phys.Page(memory.PFN(npte))[0])
	require.Equal(t, uint32(1), m.Phys.Refs(pfn))
}

func TestRemap(t *testing.T) {
	m := newMM(t)
	a, _ := m.Map(0x10000000, 2*memory.PageSize, rw, anon, KindAnon, "", true)
	require.NoError(t, m.CopyOut(a, []byte{7}))
	b, err := m.Remap(a, 2*memory.PageSize, 4*memory.PageSize, false)
	require.NoError(t, err)
	require.Equal(t, a, b, "grown in place")
	m.Map(a+4*memory.PageSize, memory.PageSize, abi.PROT_READ, anon, KindAnon, "", true)
	_, err = m.Remap(a, 4*memory.PageSize, 8*memory.PageSize, false)
	require.ErrorIs(t, err, ErrNoMemory)
	c, err := m.Remap(a, 4*memory.PageSize, 8*memory.PageSize, true)
	require.NoError(t, err)
	require.NotEqual(t, a, c)
	buf := []byte{0}
	require.NoError(t, m.CopyIn(c, buf))
	require.Equal(t, byte(7), buf[0], "pages moved with the mapping")
	require.Nil(t, m.Find(a))
}

func TestReadString(t *testing.T) {
	m := newMM(t)
	a, _ := m.Map(0x10000000, memory.PageSize, rw, anon, KindAnon, "", true)
	require.NoError(t, m.CopyOut(a+memory.PageSize-3, []byte("ab")))
	s, ok, err := m.ReadString(a+memory.PageSize-3, 100)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "ab", s)
	require.NoError(t, m.CopyOut(a+memory.PageSize-3, []byte("abc")))
	_, _, err = m.ReadString(a+memory.PageSize-3, 100)
	require.ErrorIs(t, err, ErrFault, "string runs off the mapping")
}
