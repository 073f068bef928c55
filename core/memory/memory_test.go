package memory

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

func newDir(t *testing.T, p *Phys) uint32 {
	t.Helper()
	dir, err := p.NewDirectory(0)
	require.NoError(t, err)
	return dir
}

func TestWalkUsesRealPageTableFormats(t *testing.T) {
	p := NewPhys(1 << 20)
	dir := newDir(t, p)
	frame, err := p.Alloc()
	require.NoError(t, err)
	require.NoError(t, p.Map(dir, 0x08049123, frame, PTEUser|PTEWrite))

	// The directory entry for 0x08049123 is index 0x20, pointing at a page
	// table whose entry 0x49 holds the frame: check the raw bytes.
	pde := binary.LittleEndian.Uint32(p.Page(dir)[0x20*4:])
	require.EqualValues(t, PTEPresent|PTEWrite|PTEUser, pde&0xFFF)
	pte := binary.LittleEndian.Uint32(p.Page(PFN(pde))[0x49*4:])
	require.Equal(t, frame<<PageShift|PTEPresent|PTEWrite|PTEUser, pte)

	got, _, f := p.Walk(dir, 0x08049FFF, AccessRead|AccessUser)
	require.Nil(t, f)
	require.Equal(t, frame, got)
}

func TestWalkSetsAccessedAndDirty(t *testing.T) {
	p := NewPhys(1 << 20)
	dir := newDir(t, p)
	frame, _ := p.Alloc()
	require.NoError(t, p.Map(dir, 0x1000, frame, PTEUser|PTEWrite))

	pte, _ := p.PTE(dir, 0x1000)
	require.Zero(t, pte&(PTEAccessed|PTEDirty))
	_, _, f := p.Walk(dir, 0x1000, AccessUser)
	require.Nil(t, f)
	pte, _ = p.PTE(dir, 0x1000)
	require.NotZero(t, pte&PTEAccessed)
	require.Zero(t, pte&PTEDirty, "a read must not set the dirty bit")
	_, _, f = p.Walk(dir, 0x1000, AccessUser|AccessWrite)
	require.Nil(t, f)
	pte, _ = p.PTE(dir, 0x1000)
	require.NotZero(t, pte&PTEDirty)
}

func TestWalkFaultCodes(t *testing.T) {
	p := NewPhys(1 << 20)
	dir := newDir(t, p)
	ro, _ := p.Alloc()
	super, _ := p.Alloc()
	require.NoError(t, p.Map(dir, 0x2000, ro, PTEUser))
	require.NoError(t, p.Map(dir, 0xC0001000, super, PTEWrite))

	cases := []struct {
		name string
		addr uint32
		acc  Access
		code uint32 // -1 for no fault
		ok   bool
	}{
		{"not present, user read", 0x5000, AccessUser, FaultUser, false},
		{"not present, user write", 0x5000, AccessUser | AccessWrite, FaultUser | FaultWrite, false},
		{"no page table", 0x40000000, AccessRead, 0, false},
		{"read-only, user write", 0x2000, AccessUser | AccessWrite, FaultProtection | FaultWrite | FaultUser, false},
		{"read-only, supervisor write (CR0.WP)", 0x2000, AccessWrite, FaultProtection | FaultWrite, false},
		{"read-only, user read", 0x2000, AccessUser, 0, true},
		{"supervisor page, user read", 0xC0001000, AccessUser, FaultProtection | FaultUser, false},
		{"supervisor page, kernel write", 0xC0001000, AccessWrite, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, f := p.Walk(dir, tc.addr+0x10, tc.acc)
			if tc.ok {
				require.Nil(t, f)
				return
			}
			require.NotNil(t, f)
			require.Equal(t, tc.addr+0x10, f.Addr)
			require.Equal(t, tc.code, f.Code)
		})
	}
}

func TestDirectoriesShareTheKernelHalf(t *testing.T) {
	p := NewPhys(1 << 20)
	kernel := newDir(t, p)
	frame, _ := p.Alloc()
	require.NoError(t, p.Map(kernel, 0xC0100000, frame, PTEWrite))
	user := newDir(t, p)
	_, _, f := p.Walk(user, 0xC0100000, AccessRead)
	require.NotNil(t, f, "a directory made without the kernel template is empty")
	shared, err := p.NewDirectory(kernel)
	require.NoError(t, err)
	got, _, f := p.Walk(shared, 0xC0100000, AccessRead)
	require.Nil(t, f)
	require.Equal(t, frame, got)
}

func TestRefcountsAndLimit(t *testing.T) {
	p := NewPhys(16 * PageSize)
	var frames []uint32
	for {
		f, err := p.Alloc()
		if err != nil {
			require.ErrorIs(t, err, ErrNoMemory)
			break
		}
		frames = append(frames, f)
	}
	require.Len(t, frames, 16)
	f := frames[0]
	p.Page(f)[0] = 0xAA
	p.Ref(f)
	p.Unref(f)
	require.EqualValues(t, 1, p.Refs(f))
	require.EqualValues(t, 0xAA, p.Page(f)[0], "a shared frame survives one unref")
	p.Unref(f)
	again, err := p.Alloc()
	require.NoError(t, err)
	require.Equal(t, f, again, "freed frames are reused")
	require.Zero(t, p.Page(again)[0], "reused frames are zeroed")
	require.Panics(t, func() { p.Unref(frames[1]); p.Unref(frames[1]) })
}

func TestCodeWatch(t *testing.T) {
	p := NewPhys(1 << 20)
	f, _ := p.Alloc()
	var dropped []uint32
	p.OnCodeWrite = func(pfn uint32) { dropped = append(dropped, pfn) }
	p.Page(f)
	p.WritablePage(f)
	require.Empty(t, dropped, "unwatched frames do not notify")
	p.WatchCode(f)
	p.WritablePage(f)
	p.WritablePage(f)
	require.Equal(t, []uint32{f}, dropped, "one notification, then the watch is off")
	p.WatchCode(f)
	p.Unref(f)
	require.Equal(t, []uint32{f, f}, dropped, "freeing a code frame notifies")
}
