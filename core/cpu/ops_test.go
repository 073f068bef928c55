package cpu

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/memory"
)

var sys80 = []byte{0xCD, 0x80}

func prog(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return append(b, sys80...)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// mapPage maps a fresh frame at addr with the given PTE flags.
func mapPage(t *testing.T, c *CPU, addr, flags uint32) {
	t.Helper()
	pfn, err := c.Phys.Alloc()
	require.NoError(t, err)
	require.NoError(t, c.Phys.Map(c.CR3, addr, pfn, flags))
	c.InvalidatePage(addr)
}

func runToSyscall(t *testing.T, c *CPU) {
	t.Helper()
	e := c.Run(1000)
	require.Equal(t, ExitInterrupt, e.Reason, e.String())
	require.EqualValues(t, VecSyscall, e.Vector)
}

func requireFault(t *testing.T, c *CPU, vector uint8) Exit {
	t.Helper()
	e := c.Run(1000)
	require.Equal(t, ExitFault, e.Reason, e.String())
	require.EqualValues(t, vector, e.Vector, e.String())
	return e
}

func TestPushFaultIsPrecise(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0x50})) // push eax
	c.R[ESP] = stackTop - memory.PageSize  // the page below is unmapped
	e := requireFault(t, c, VecPageFault)
	require.EqualValues(t, stackTop-memory.PageSize-4, e.Addr)
	require.EqualValues(t, memory.FaultUser|memory.FaultWrite, e.ErrorCode)
	require.EqualValues(t, stackTop-memory.PageSize, c.R[ESP])
	require.EqualValues(t, codeBase, c.EIP)
}

func TestRepMovsFaultHalfwayRestarts(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []byte
		size uint32
		df   bool
	}{
		{"movsd", []byte{0xF3, 0xA5}, 4, false},
		{"movsb", []byte{0xF3, 0xA4}, 1, false},
		{"movsw", []byte{0x66, 0xF3, 0xA5}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCPU(t, prog(tc.code))
			const hole = dataBase + memory.PageSize // unmapped until the fault
			src := uint32(dataBase)
			for i := uint32(0); i < 64; i++ {
				_, f := c.WriteGuest(src+i, []byte{byte(i + 1)}, true)
				require.Nil(t, f)
			}
			// The destination runs off the end of the data page into the hole.
			dst := uint32(dataBase + memory.PageSize - 16)
			n := uint32(48) / tc.size
			c.R[ESI], c.R[EDI], c.R[ECX] = src, dst, n
			e := requireFault(t, c, VecPageFault)
			require.EqualValues(t, hole, e.Addr)
			done := 16 / tc.size
			require.EqualValues(t, codeBase, c.EIP, "restarts at the rep instruction")
			require.EqualValues(t, src+done*tc.size, c.R[ESI])
			require.EqualValues(t, dst+done*tc.size, c.R[EDI])
			require.EqualValues(t, n-done, c.R[ECX])
			require.EqualValues(t, 0, c.Instructions)

			// The kernel maps the page; the restarted instruction finishes.
			require.NoError(t, c.Phys.Map(c.CR3, hole, mustAlloc(t, c), memory.PTEUser|memory.PTEWrite))
			runToSyscall(t, c)
			require.EqualValues(t, 0, c.R[ECX])
			got := make([]byte, 48)
			_, f := c.ReadGuest(dst, got, true)
			require.Nil(t, f)
			for i := range got {
				require.EqualValues(t, i+1, got[i], "byte %d", i)
			}
		})
	}
}

func mustAlloc(t *testing.T, c *CPU) uint32 {
	pfn, err := c.Phys.Alloc()
	require.NoError(t, err)
	return pfn
}

func TestRMWToReadOnlyPageIsPrecise(t *testing.T) {
	const ro = 0x08070000
	for _, tc := range []struct {
		name string
		code []byte
	}{
		{"add", []byte{0x01, 0x03}},
		{"lock add", []byte{0xF0, 0x01, 0x03}},
		{"inc", []byte{0xFF, 0x03}},
		{"shl", []byte{0xD1, 0x23}},
		{"xadd", []byte{0x0F, 0xC1, 0x03}},
		{"cmpxchg", []byte{0x0F, 0xB1, 0x0B}},
		{"cmpxchg8b", []byte{0x0F, 0xC7, 0x0B}},
		{"bts", []byte{0x0F, 0xAB, 0x0B}},
		{"neg", []byte{0xF7, 0x1B}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCPU(t, prog(tc.code))
			mapPage(t, c, ro, memory.PTEUser) // readable, not writable
			c.R[EBX], c.R[EAX], c.R[ECX], c.R[EDX] = ro, 0x80000000, 5, 0
			c.SetEFLAGS(flagReserved | flagIF | FlagZF | FlagPF)
			before := c.State
			e := requireFault(t, c, VecPageFault)
			require.EqualValues(t, memory.FaultUser|memory.FaultWrite|memory.FaultProtection, e.ErrorCode)
			require.Equal(t, before.R, c.R)
			require.Equal(t, before.EFLAGS(), c.EFLAGS())
			require.EqualValues(t, codeBase, c.EIP)
		})
	}
}

func TestDivideError(t *testing.T) {
	for _, tc := range []struct {
		name          string
		code          []byte
		eax, edx, ecx uint32
	}{
		{"div by zero", []byte{0xF7, 0xF1}, 10, 0, 0},
		{"div overflow", []byte{0xF7, 0xF1}, 0, 2, 2},
		{"idiv min/-1", []byte{0xF7, 0xF9}, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFF},
		{"idiv positive overflow", []byte{0xF7, 0xF9}, 0, 1, 1},
		{"div8 overflow", []byte{0xF6, 0xF1}, 0x1000, 0, 0x10},
		{"aam 0", []byte{0xD4, 0x00}, 0x12, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCPU(t, prog(tc.code))
			c.R[EAX], c.R[EDX], c.R[ECX] = tc.eax, tc.edx, tc.ecx
			c.SetEFLAGS(flagReserved | FlagCF | FlagSF)
			before := c.State
			requireFault(t, c, VecDivide)
			require.Equal(t, before.R, c.R)
			require.Equal(t, before.EFLAGS(), c.EFLAGS())
			require.EqualValues(t, codeBase, c.EIP)
		})
	}
	// The largest quotients that fit do not fault.
	c := newTestCPU(t, prog([]byte{0xF7, 0xF9})) // idiv ecx
	c.R[EAX], c.R[EDX], c.R[ECX] = 0x80000000, 0xFFFFFFFF, 1
	runToSyscall(t, c)
	require.EqualValues(t, 0x80000000, c.R[EAX])
	require.EqualValues(t, 0, c.R[EDX])
}

func TestSegmentLoadsAndFSRelative(t *testing.T) {
	// mov fs,ax; mov eax,fs:[0x10]; mov gs,cx; mov edx,gs:[ebx]; int 0x80
	c := newTestCPU(t, prog(
		[]byte{0x8E, 0xE0},
		[]byte{0x64, 0xA1, 0x10, 0, 0, 0},
		[]byte{0x8E, 0xE9},
		[]byte{0x65, 0x8B, 0x13},
	))
	c.GDT[GDTTLSFirst] = Descriptor{Base: dataBase + 0x100, Limit: 0xFFFFF, Present: true, DPL: 3}
	_, f := c.WriteGuest(dataBase+0x110, le32(0xCAFEF00D), true)
	require.Nil(t, f)
	_, f = c.WriteGuest(dataBase+0x20, le32(0x11223344), true)
	require.Nil(t, f)
	sel := uint32(GDTTLSFirst<<3 | 3)
	c.R[EAX], c.R[ECX], c.R[EBX] = sel, 0, dataBase+0x20
	runToSyscall(t, c)
	require.EqualValues(t, 0xCAFEF00D, c.R[EAX])
	require.EqualValues(t, sel, c.Seg[FS])
	require.EqualValues(t, dataBase+0x100, c.SegBas[FS])
	require.EqualValues(t, 0, c.Seg[GS], "null selectors load with base 0")
	require.EqualValues(t, 0x11223344, c.R[EDX])

	// The kernel moves the TLS segment (set_thread_area) and reloads.
	c.GDT[GDTTLSFirst].Base = dataBase + 0x200
	c.ReloadSegments()
	require.EqualValues(t, dataBase+0x200, c.SegBas[FS])
	require.EqualValues(t, 0, c.SegBas[GS])
}

func TestSegmentLoadFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		code   []byte
		sel    uint32
		vector uint8
		code2  uint32
	}{
		{"ldt selector", []byte{0x8E, 0xE0}, 0x37, VecGeneral, 0x34},
		{"kernel data from cpl3", []byte{0x8E, 0xD8}, SelKernelDS, VecGeneral, SelKernelDS},
		{"not present", []byte{0x8E, 0xE8}, 7<<3 | 3, VecGeneral, 7 << 3},
		{"past the gdt", []byte{0x8E, 0xE0}, 40<<3 | 3, VecGeneral, 40 << 3},
		{"null ss", []byte{0x8E, 0xD0}, 0, VecGeneral, 0},
		{"mov cs", []byte{0x8E, 0xC8}, SelUserCS, VecInvalidOp, 0},
		{"pop fs of kernel ds", []byte{0x0F, 0xA1}, SelKernelDS, VecGeneral, SelKernelDS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCPU(t, prog(tc.code))
			c.R[EAX] = tc.sel
			c.R[ESP] -= 4
			_, f := c.WriteGuest(c.R[ESP], le32(tc.sel), true)
			require.Nil(t, f)
			before := c.State
			e := requireFault(t, c, tc.vector)
			require.EqualValues(t, tc.code2, e.ErrorCode)
			require.Equal(t, before.Seg, c.Seg)
			require.Equal(t, before.SegBas, c.SegBas)
			require.Equal(t, before.R, c.R)
		})
	}
}

func TestPushPopSegments(t *testing.T) {
	// push gs; pop fs; mov ax,fs (66 8C E0); push ds; pop es; int 0x80
	c := newTestCPU(t, prog([]byte{0x0F, 0xA8, 0x0F, 0xA1, 0x66, 0x8C, 0xE0, 0x1E, 0x07}))
	c.GDT[GDTTLSFirst+1] = Descriptor{Base: 0x1234, Limit: 0xFFFFF, Present: true, DPL: 3}
	c.Seg[GS], c.SegBas[GS] = (GDTTLSFirst+1)<<3|3, 0x1234
	c.Seg[ES] = 0
	c.R[EAX] = 0xFFFFFFFF
	runToSyscall(t, c)
	require.EqualValues(t, c.Seg[GS], c.Seg[FS])
	require.EqualValues(t, 0x1234, c.SegBas[FS])
	require.EqualValues(t, 0xFFFF0000|uint32(c.Seg[GS]), c.R[EAX], "16-bit mov keeps the upper half")
	require.EqualValues(t, SelUserDS, c.Seg[ES])
	require.EqualValues(t, stackTop, c.R[ESP])
}

func TestIretToUserMode(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0xCF})) // iret
	c.SetCPL(0)
	c.Seg[CS], c.Seg[SS], c.Seg[DS] = SelKernelCS, SelKernelDS, SelKernelDS
	frame := []uint32{codeBase + 0x10, SelUserCS, flagReserved | flagIF | FlagCF | flagIOPL, 0xBFFEF000, SelUserDS}
	sp := uint32(stackTop - 64)
	for i, v := range frame {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	c.R[ESP] = sp
	_, f := c.WriteGuest(codeBase+0x10, sys80, true)
	require.Nil(t, f)
	runToSyscall(t, c)
	require.EqualValues(t, 3, c.CPL)
	require.EqualValues(t, codeBase+0x12, c.EIP)
	require.EqualValues(t, 0xBFFEF000, c.R[ESP])
	require.EqualValues(t, SelUserCS, c.Seg[CS])
	require.EqualValues(t, SelUserDS, c.Seg[SS])
	require.EqualValues(t, 0, c.Seg[DS], "a kernel data selector is dropped on the way out")
	require.NotZero(t, c.EFLAGS()&FlagCF)
	require.NotZero(t, c.EFLAGS()&flagIF)
	require.EqualValues(t, flagIOPL, c.EFLAGS()&flagIOPL, "CPL 0 may set IOPL")
}

func TestIretSamePrivilege(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0xCF}))
	// At CPL 3 iret cannot change IF or IOPL, and cannot go to CPL 0.
	frame := []uint32{codeBase + 0x10, SelUserCS, flagReserved | flagIOPL | FlagDF}
	sp := uint32(stackTop - 64)
	for i, v := range frame {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	c.R[ESP] = sp
	_, f := c.WriteGuest(codeBase+0x10, sys80, true)
	require.Nil(t, f)
	runToSyscall(t, c)
	require.EqualValues(t, sp+12, c.R[ESP])
	require.EqualValues(t, 3, c.CPL)
	require.NotZero(t, c.EFLAGS()&FlagDF)
	require.NotZero(t, c.EFLAGS()&flagIF, "IF kept")
	require.Zero(t, c.EFLAGS()&flagIOPL, "IOPL kept")

	c = newTestCPU(t, prog([]byte{0xCF}))
	frame[1] = SelKernelCS
	for i, v := range frame {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	c.R[ESP] = sp
	e := requireFault(t, c, VecGeneral)
	require.EqualValues(t, SelKernelCS, e.ErrorCode)
	require.EqualValues(t, sp, c.R[ESP])
}

func TestPopfAtCPL3(t *testing.T) {
	// pushfd; pop eax; or eax,0x243000 (IOPL|ID|AC); and eax,~IF; push eax; popfd; pushfd; pop ebx
	c := newTestCPU(t, prog([]byte{0x9C, 0x58, 0x0D, 0x00, 0x30, 0x24, 0x00, 0x25, 0xFF, 0xFD, 0xFF, 0xFF, 0x50, 0x9D, 0x9C, 0x5B}))
	runToSyscall(t, c)
	fl := c.R[EBX]
	require.NotZero(t, fl&flagID, "ID toggles (cpuid present)")
	require.NotZero(t, fl&flagAC, "AC toggles (a 486 or later)")
	require.Zero(t, fl&flagIOPL, "IOPL is not writable at CPL 3")
	require.NotZero(t, fl&flagIF, "IF is not writable at CPL 3")
}

func TestCPUID(t *testing.T) {
	// cpuid with eax = leaf
	cpuid := func(leaf uint32) [4]uint32 {
		c := newTestCPU(t, prog([]byte{0x0F, 0xA2}))
		c.R[EAX], c.R[ECX] = leaf, 0
		runToSyscall(t, c)
		return [4]uint32{c.R[EAX], c.R[EBX], c.R[ECX], c.R[EDX]}
	}
	r := cpuid(0)
	require.EqualValues(t, 1, r[0])
	vendor := string(le32(r[1])) + string(le32(r[3])) + string(le32(r[2]))
	require.Equal(t, "GenuineIntel", vendor)

	r = cpuid(1)
	require.EqualValues(t, 6, r[0]>>8&0xF, "family 6")
	edx := r[3]
	for _, bit := range []uint{0, 4, 8, 15} { // fpu tsc cx8 cmov
		require.NotZero(t, edx&(1<<bit), "bit %d", bit)
	}
	for _, bit := range []uint{23, 25, 26} { // mmx sse sse2
		require.Zero(t, edx&(1<<bit), "bit %d", bit)
	}
	require.Zero(t, r[2], "no sse3, ssse3, osxsave, avx...")

	require.EqualValues(t, 0x80000004, cpuid(0x80000000)[0])
	var brand []byte
	for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
		for _, v := range cpuid(leaf) {
			brand = append(brand, le32(v)...)
		}
	}
	require.Equal(t, "Trapdoor i686", string(brand[:13]))
	require.Zero(t, brand[13])
	require.Equal(t, [4]uint32{}, cpuid(7))
	require.Equal(t, [4]uint32{}, cpuid(0x40000000))
	require.Equal(t, [4]uint32{}, cpuid(0x80000001))
}

func TestRdtscIsDeterministic(t *testing.T) {
	// nop; nop; rdtsc; int 0x80
	c := newTestCPU(t, prog([]byte{0x90, 0x90, 0x0F, 0x31}))
	c.Instructions = 1000
	runToSyscall(t, c)
	require.EqualValues(t, 1002, c.R[EAX])
	require.EqualValues(t, 0, c.R[EDX])
}

func TestSelfModifyingCodeInStraightLine(t *testing.T) {
	// The first pass links the store to the instruction after it; the
	// second pass rewrites that instruction, which must then run anew.
	//
	// 0: mov [P],bl; P: nop; inc ecx; mov bl,0x40; cmp ecx,2; jne 0; int 0x80
	p := uint32(codeBase + 6)
	code := prog(
		[]byte{0x88, 0x1D}, le32(p),
		[]byte{0x90, 0x41, 0xB3, 0x40, 0x83, 0xF9, 0x02, 0x75, 0xF1},
	)
	c := newTestCPU(t, code)
	c.R[EBX] = 0x90
	runToSyscall(t, c)
	require.EqualValues(t, 2, c.R[ECX])
	require.EqualValues(t, 1, c.R[EAX], "the patched inc eax ran on the second pass")
}

func TestCodeWrittenByKernelIsRedecoded(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0x40})) // inc eax
	runToSyscall(t, c)
	require.EqualValues(t, 1, c.R[EAX])
	_, f := c.WriteGuest(codeBase, []byte{0x48}, true) // dec eax
	require.Nil(t, f)
	c.EIP = codeBase
	runToSyscall(t, c)
	require.EqualValues(t, 0, c.R[EAX])
}

func TestInstructionAcrossPageBoundary(t *testing.T) {
	c := newTestCPU(t, nil)
	at := uint32(codeBase + memory.PageSize - 2)
	// mov eax,0x12345678 straddling the two code pages; int 0x80
	_, f := c.WriteGuest(at, prog([]byte{0xB8}, le32(0x12345678)), true)
	require.Nil(t, f)
	c.EIP = at
	runToSyscall(t, c)
	require.EqualValues(t, 0x12345678, c.R[EAX])
	// Changing the half in the second page is seen on the next run.
	_, f = c.WriteGuest(at+4, []byte{0x99}, true)
	require.Nil(t, f)
	c.EIP = at
	runToSyscall(t, c)
	require.EqualValues(t, 0x99345678, c.R[EAX])

	// An instruction running into an unmapped page faults at that page
	// with EIP at its first byte.
	at = codeBase + 2*memory.PageSize - 2
	_, f = c.WriteGuest(at, []byte{0xB8, 0x01}, true)
	require.Nil(t, f)
	c.EIP = at
	e := requireFault(t, c, VecPageFault)
	require.EqualValues(t, codeBase+2*memory.PageSize, e.Addr)
	require.EqualValues(t, at, c.EIP)
}

func TestStringInstructions(t *testing.T) {
	put := func(c *CPU, addr uint32, s string) {
		_, f := c.WriteGuest(addr, []byte(s), true)
		require.Nil(t, f)
	}
	get := func(c *CPU, addr uint32, n int) string {
		b := make([]byte, n)
		_, f := c.ReadGuest(addr, b, true)
		require.Nil(t, f)
		return string(b)
	}

	t.Run("repne scasb strlen", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF2, 0xAE}))
		put(c, dataBase, "hello\x00world")
		c.R[EDI], c.R[ECX], c.R[EAX] = dataBase, 0xFFFFFFFF, 0
		runToSyscall(t, c)
		require.EqualValues(t, ^uint32(0)-6, c.R[ECX])
		require.EqualValues(t, dataBase+6, c.R[EDI])
		require.True(t, c.zf())
	})
	t.Run("repe cmpsb", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF3, 0xA6}))
		put(c, dataBase, "abcdef")
		put(c, dataBase+0x100, "abcxef")
		c.R[ESI], c.R[EDI], c.R[ECX] = dataBase, dataBase+0x100, 6
		runToSyscall(t, c)
		require.EqualValues(t, 2, c.R[ECX])
		require.EqualValues(t, dataBase+4, c.R[ESI])
		require.False(t, c.zf())
		require.True(t, c.cf(), "'d' < 'x'")
	})
	t.Run("rep with ecx 0 changes nothing", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF3, 0xA6}))
		c.SetEFLAGS(flagReserved | FlagZF | FlagCF)
		c.R[ESI], c.R[EDI] = 0x1000, 0x2000 // unmapped: never touched
		runToSyscall(t, c)
		require.EqualValues(t, flagReserved|FlagZF|FlagCF, c.EFLAGS())
		require.EqualValues(t, 0x1000, c.R[ESI])
	})
	t.Run("std movsd backwards", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xFD, 0xF3, 0xA5, 0xFC}))
		put(c, dataBase, "0123456789ab")
		c.R[ESI], c.R[EDI], c.R[ECX] = dataBase+8, dataBase+0x108, 3
		runToSyscall(t, c)
		require.Equal(t, "0123456789ab", get(c, dataBase+0x100, 12))
		require.EqualValues(t, dataBase-4, c.R[ESI])
	})
	t.Run("overlapping forward movsb replicates", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF3, 0xA4}))
		put(c, dataBase, "ab")
		c.R[ESI], c.R[EDI], c.R[ECX] = dataBase, dataBase+2, 8
		runToSyscall(t, c)
		require.Equal(t, "ababababab", get(c, dataBase, 10))
	})
	t.Run("overlapping forward movsd by one byte", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF3, 0xA5}))
		put(c, dataBase, "abcdefghijkl")
		c.R[ESI], c.R[EDI], c.R[ECX] = dataBase, dataBase+1, 2
		runToSyscall(t, c)
		// Element by element: [1..4] = "abcd", then [5..8] = [4..7] = "dfgh".
		require.Equal(t, "aabcddfghjkl", get(c, dataBase, 12))
	})
	t.Run("rep stosw", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0x66, 0xF3, 0xAB}))
		c.R[EDI], c.R[ECX], c.R[EAX] = dataBase+1, 5, 0x4241
		runToSyscall(t, c)
		require.Equal(t, "\x00ABABABABAB\x00", get(c, dataBase, 12))
		require.EqualValues(t, dataBase+11, c.R[EDI])
	})
	t.Run("rep stosd across pages faults then finishes", func(t *testing.T) {
		c := newTestCPU(t, prog([]byte{0xF3, 0xAB}))
		c.R[EDI], c.R[ECX], c.R[EAX] = dataBase+memory.PageSize-8, 4, 0x61616161
		requireFault(t, c, VecPageFault)
		require.EqualValues(t, 2, c.R[ECX])
		mapPage(t, c, dataBase+memory.PageSize, memory.PTEUser|memory.PTEWrite)
		runToSyscall(t, c)
		require.Equal(t, "aaaaaaaaaaaaaaaa", get(c, dataBase+memory.PageSize-8, 16))
	})
	t.Run("lodsb and fs source override", func(t *testing.T) {
		// fs lodsb; fs movsb
		c := newTestCPU(t, prog([]byte{0x64, 0xAC, 0x64, 0xA4}))
		c.SegBas[FS] = 0x100
		put(c, dataBase+0x100, "xy")
		c.R[ESI], c.R[EDI] = dataBase, dataBase+0x300
		runToSyscall(t, c)
		require.EqualValues(t, 'x', c.R[EAX]&0xFF)
		require.Equal(t, "y", get(c, dataBase+0x300, 1), "the destination ignores the override")
	})
	t.Run("addr16 uses si di cx", func(t *testing.T) {
		// a32 is the default; 67 f3 a4 copies with SI/DI/CX.
		c := newTestCPU(t, prog([]byte{0x67, 0xF3, 0xA4}))
		// Nonzero bases keep the 16-bit addresses inside the data page.
		c.SegBas[DS], c.SegBas[ES] = dataBase, dataBase
		c.R[ESI], c.R[EDI], c.R[ECX] = 0xABCD0010, 0x12340100, 0x77770003
		put(c, dataBase+0x10, "xyz")
		runToSyscall(t, c)
		require.Equal(t, "xyz", get(c, dataBase+0x100, 3))
		require.EqualValues(t, 0xABCD0013, c.R[ESI])
		require.EqualValues(t, 0x12340103, c.R[EDI])
		require.EqualValues(t, 0x77770000, c.R[ECX])
	})
}

func TestEnterLeavePushaPopa(t *testing.T) {
	// enter 16,2; leave; pushad; popad; int 0x80
	c := newTestCPU(t, prog([]byte{0xC8, 0x10, 0x00, 0x02, 0xC9, 0x60, 0x61}))
	c.R[EBP] = stackTop - 0x100
	_, f := c.WriteGuest(stackTop-0x104, le32(0xDEADBEEF), true)
	require.Nil(t, f)
	c.R[EAX], c.R[ESI] = 7, 9
	c.OnInstruction = func(c *CPU) bool {
		if c.EIP == codeBase+4 { // after enter
			require.EqualValues(t, stackTop-4, c.R[EBP])
			require.EqualValues(t, stackTop-12-16, c.R[ESP])
			var b [12]byte
			c.ReadGuest(stackTop-12, b[:], true)
			require.EqualValues(t, stackTop-4, binary.LittleEndian.Uint32(b[0:]), "frame pointer")
			require.EqualValues(t, 0xDEADBEEF, binary.LittleEndian.Uint32(b[4:]), "outer frame")
			require.EqualValues(t, stackTop-0x100, binary.LittleEndian.Uint32(b[8:]), "old ebp")
		}
		return false
	}
	runToSyscall(t, c)
	require.EqualValues(t, stackTop, c.R[ESP])
	require.EqualValues(t, stackTop-0x100, c.R[EBP])
	require.EqualValues(t, 7, c.R[EAX])
	require.EqualValues(t, 9, c.R[ESI])
}

func TestPrivilegedInstructionsAtCPL3(t *testing.T) {
	for _, code := range [][]byte{{0xF4}, {0xFA}, {0xFB}, {0xE4, 0x60}, {0xEE}, {0xEC}, {0x6C}, {0x6F}} {
		c := newTestCPU(t, prog(code))
		requireFault(t, c, VecGeneral)
		require.EqualValues(t, codeBase, c.EIP)
	}
}

func TestBitTestMemoryBeyondOperand(t *testing.T) {
	// bts [ebx],ecx with a bit offset far outside the dword, both signs.
	c := newTestCPU(t, prog([]byte{0x0F, 0xAB, 0x0B}))
	c.R[EBX], c.R[ECX] = dataBase+0x100, 8*0x20+3
	runToSyscall(t, c)
	b := make([]byte, 1)
	c.ReadGuest(dataBase+0x120, b, true)
	require.EqualValues(t, 8, b[0])

	c = newTestCPU(t, prog([]byte{0x0F, 0xAB, 0x0B}))
	c.R[EBX], c.R[ECX] = dataBase+0x100, 0xFFFFFFF7 // -9: bit 23 of [ebx-4]
	runToSyscall(t, c)
	c.ReadGuest(dataBase+0xFE, b, true)
	require.EqualValues(t, 0x80, b[0])
}

func TestCmpxchg8b(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0x0F, 0xC7, 0x0F})) // cmpxchg8b [edi]
	c.WriteGuest(dataBase, binary.LittleEndian.AppendUint64(nil, 0x1111111122222222), true)
	c.R[EDI], c.R[EDX], c.R[EAX], c.R[ECX], c.R[EBX] = dataBase, 0x11111111, 0x22222222, 0x33333333, 0x44444444
	runToSyscall(t, c)
	require.True(t, c.zf())
	b := make([]byte, 8)
	c.ReadGuest(dataBase, b, true)
	require.EqualValues(t, 0x3333333344444444, binary.LittleEndian.Uint64(b))

	c.EIP = codeBase
	runToSyscall(t, c) // now unequal: EDX:EAX gets memory
	require.False(t, c.zf())
	require.EqualValues(t, 0x33333333, c.R[EDX])
	require.EqualValues(t, 0x44444444, c.R[EAX])
}

func TestTzcntRunsAsBsf(t *testing.T) {
	c := newTestCPU(t, prog([]byte{0xF3, 0x0F, 0xBC, 0xC1})) // tzcnt eax,ecx
	c.R[ECX], c.R[EAX] = 0x50, 99
	runToSyscall(t, c)
	require.EqualValues(t, 4, c.R[EAX])
	c = newTestCPU(t, prog([]byte{0xF3, 0x0F, 0xBC, 0xC1}))
	c.R[ECX], c.R[EAX] = 0, 99
	runToSyscall(t, c)
	require.EqualValues(t, 99, c.R[EAX], "zero source leaves the destination")
	require.True(t, c.zf())
}

func TestUnimplementedOpcodesRaiseUD(t *testing.T) {
	for _, code := range [][]byte{{0x62, 0x00}, {0x63, 0xC0}, {0x0F, 0x05}, {0x0F, 0xC7, 0xC8}, {0x0F, 0x0D, 0x00}, {0xD6}, {0x8C, 0xF0}} {
		c := newTestCPU(t, prog(code))
		requireFault(t, c, VecInvalidOp)
	}
}

func TestFallThroughIntoNextPageSeesNewCode(t *testing.T) {
	// inc eax as the last byte of the first code page, falling through to
	// inc eax; int 0x80 at the start of the second.
	c := newTestCPU(t, nil)
	at := uint32(codeBase + memory.PageSize - 1)
	_, f := c.WriteGuest(at, prog([]byte{0x40, 0x40}), true)
	require.Nil(t, f)
	c.EIP = at
	runToSyscall(t, c)
	require.EqualValues(t, 2, c.R[EAX])
	// Only the second page changes: its first instruction becomes dec eax.
	_, f = c.WriteGuest(codeBase+memory.PageSize, []byte{0x48}, true)
	require.Nil(t, f)
	c.EIP, c.R[EAX] = at, 0
	runToSyscall(t, c)
	require.EqualValues(t, 0, c.R[EAX])
}

func TestUserCannotRunCachedKernelCode(t *testing.T) {
	// Kernel code at a supervisor page runs at CPL 0 and iret's to user
	// code that jumps back to it: the fetch must fault at CPL 3.
	const kcode = 0xC0001000
	c := newTestCPU(t, nil)
	mapPage(t, c, kcode, memory.PTEWrite) // supervisor only
	// kernel: iret; user (codeBase): jmp kcode
	_, f := c.WriteGuest(kcode, []byte{0xCF}, false)
	require.Nil(t, f)
	_, f = c.WriteGuest(codeBase, append([]byte{0xB8}, append(le32(kcode), 0xFF, 0xE0)...), true) // mov eax,kcode; jmp eax
	require.Nil(t, f)
	c.SetCPL(0)
	c.Seg[CS], c.Seg[SS] = SelKernelCS, SelKernelDS
	sp := uint32(stackTop - 64)
	for i, v := range []uint32{codeBase, SelUserCS, flagReserved | flagIF, stackTop - 16, SelUserDS} {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	c.R[ESP], c.EIP = sp, kcode
	// Decode the kernel code, then flush (as a CR3 reload would): the run
	// below finds it decoded and never reads its bytes again.
	c.OnInstruction = func(*CPU) bool { return true }
	c.Run(1)
	c.OnInstruction = nil
	c.FlushTLB()
	e := requireFault(t, c, VecPageFault)
	require.EqualValues(t, 3, c.CPL)
	require.EqualValues(t, kcode, e.Addr)
	require.EqualValues(t, memory.FaultUser|memory.FaultProtection, e.ErrorCode)
	require.EqualValues(t, kcode, c.EIP)
}

func TestSoftwareInterruptAndHaltExits(t *testing.T) {
	// inc eax; int3; inc eax; into (OF clear: nothing); add al,0x7f with
	// al=1 sets OF; into; then hlt at CPL 0.
	c := newTestCPU(t, []byte{0x40, 0xCC, 0x40, 0xCE, 0x04, 0x7F, 0xCE, 0xF4})
	e := c.Run(100)
	require.Equal(t, Exit{Reason: ExitInterrupt, Vector: VecBreakpoint}, e)
	require.EqualValues(t, codeBase+2, c.EIP)
	require.EqualValues(t, 2, c.Instructions)
	e = c.Run(100)
	require.Equal(t, Exit{Reason: ExitInterrupt, Vector: VecOverflow}, e)
	require.EqualValues(t, codeBase+7, c.EIP)
	require.EqualValues(t, 6, c.Instructions)
	// The stop is reported even when it lands on the last budgeted instruction.
	c.SetCPL(0)
	e = c.Run(1)
	require.Equal(t, Exit{Reason: ExitHalt}, e)
	require.EqualValues(t, codeBase+8, c.EIP)
	require.EqualValues(t, 7, c.Instructions)
}

// TestRepMovsMatchesElementModel checks the chunked rep movs paths (both
// directions, all widths, overlapping or not, across a page boundary)
// against copying one element at a time.
func TestRepMovsMatchesElementModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const span = 2 * memory.PageSize
	for i := 0; i < 400; i++ {
		size := uint32(1) << rng.IntN(3)
		df := rng.IntN(2) == 1
		code := []byte{0xF3, 0xA4}
		switch size {
		case 2:
			code = []byte{0x66, 0xF3, 0xA5}
		case 4:
			code = []byte{0xF3, 0xA5}
		}
		if df {
			code = append([]byte{0xFD}, append(code, 0xFC)...)
		}
		c := newTestCPU(t, prog(code))
		mapPage(t, c, dataBase+memory.PageSize, memory.PTEUser|memory.PTEWrite)
		mem := make([]byte, span)
		for j := range mem {
			mem[j] = byte(rng.Uint32())
		}
		_, f := c.WriteGuest(dataBase, mem, true)
		require.Nil(t, f)
		n := rng.Uint32N(300)
		room := n*size + 8
		s := room + rng.Uint32N(span-2*room)
		d := s + rng.Uint32N(64) - 32 // often overlapping
		if i%4 == 0 {
			d = room + rng.Uint32N(span-2*room)
		}
		// The element model.
		delta := size
		if df {
			delta = -size
		}
		ms, md := s, d
		for k := uint32(0); k < n; k++ {
			var el [4]byte
			copy(el[:size], mem[ms:ms+size])
			copy(mem[md:md+size], el[:size])
			ms += delta
			md += delta
		}
		c.R[ESI], c.R[EDI], c.R[ECX] = dataBase+s, dataBase+d, n
		runToSyscall(t, c)
		got := make([]byte, span)
		_, f = c.ReadGuest(dataBase, got, true)
		require.Nil(t, f)
		require.Equal(t, mem, got, "size %d df %v n %d src %#x dst %#x", size, df, n, s, d)
		require.EqualValues(t, dataBase+ms, c.R[ESI])
		require.EqualValues(t, dataBase+md, c.R[EDI])
		require.EqualValues(t, 0, c.R[ECX])
	}
}

func TestFarReturn(t *testing.T) {
	// retf 8 at CPL 0 to CPL 3: pops EIP, CS, skips 8 bytes, pops ESP, SS.
	c := newTestCPU(t, prog([]byte{0xCA, 0x08, 0x00}))
	c.SetCPL(0)
	c.Seg[CS], c.Seg[SS] = SelKernelCS, SelKernelDS
	sp := uint32(stackTop - 64)
	for i, v := range []uint32{codeBase + 0x20, SelUserCS, 0, 0, stackTop - 8, SelUserDS} {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	_, f := c.WriteGuest(codeBase+0x20, sys80, true)
	require.Nil(t, f)
	c.R[ESP] = sp
	runToSyscall(t, c)
	require.EqualValues(t, 3, c.CPL)
	require.EqualValues(t, stackTop-8, c.R[ESP])
	require.EqualValues(t, SelUserCS, c.Seg[CS])
	require.EqualValues(t, SelUserDS, c.Seg[SS])

	// Same privilege: retf at CPL 3 pops EIP and CS only.
	c = newTestCPU(t, prog([]byte{0xCB}))
	for i, v := range []uint32{codeBase + 0x20, SelUserCS} {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	_, f = c.WriteGuest(codeBase+0x20, sys80, true)
	require.Nil(t, f)
	c.R[ESP] = sp
	runToSyscall(t, c)
	require.EqualValues(t, sp+8, c.R[ESP])

	// A data selector as CS faults with nothing changed.
	c = newTestCPU(t, prog([]byte{0xCB}))
	for i, v := range []uint32{codeBase + 0x20, SelUserDS} {
		_, f := c.WriteGuest(sp+uint32(i)*4, le32(v), true)
		require.Nil(t, f)
	}
	c.R[ESP] = sp
	e := requireFault(t, c, VecGeneral)
	require.EqualValues(t, SelUserDS&^3, e.ErrorCode)
	require.EqualValues(t, sp, c.R[ESP])
	require.EqualValues(t, codeBase, c.EIP)
}

// TestRepCmpsScasMatchElementModel checks the chunked repe/repne cmpsb
// and scasb against comparing one byte at a time, across a page boundary.
func TestRepCmpsScasMatchElementModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const span = 2 * memory.PageSize
	for i := 0; i < 1000; i++ {
		rep := []byte{0xF3, 0xF2}[rng.IntN(2)]
		scas := rng.IntN(2) == 1
		op := byte(0xA6)
		if scas {
			op = 0xAE
		}
		c := newTestCPU(t, prog([]byte{rep, op}))
		mapPage(t, c, dataBase+memory.PageSize, memory.PTEUser|memory.PTEWrite)
		// Runs of one value, short or long, so the element that ends
		// the repeat falls anywhere in a page.
		mem := make([]byte, span)
		for j := 0; j < span; {
			run := 1 + rng.IntN([]int{4, 100, 3000}[rng.IntN(3)])
			v := byte(rng.IntN(3))
			for k := 0; k < run && j < span; k++ {
				mem[j] = v
				j++
			}
		}
		_, f := c.WriteGuest(dataBase, mem, true)
		require.Nil(t, f)
		n := rng.Uint32N(3000)
		s := rng.Uint32N(span - n)
		d := rng.Uint32N(span - n)
		al := byte(rng.IntN(3))
		// The element model.
		wantZ := rep == 0xF3
		ms, md, cx := s, d, n
		var last [2]byte
		for cx != 0 {
			a, b := mem[ms], mem[md]
			if scas {
				a = al
			}
			last = [2]byte{a, b}
			ms, md, cx = ms+1, md+1, cx-1
			if (a == b) != wantZ {
				break
			}
		}
		c.R[ESI], c.R[EDI], c.R[ECX], c.R[EAX] = dataBase+s, dataBase+d, n, uint32(al)
		c.SetEFLAGS(flagReserved | FlagCF)
		runToSyscall(t, c)
		msg := fmt.Sprintf("rep %#x scas %v n %d src %#x dst %#x", rep, scas, n, s, d)
		require.EqualValues(t, cx, c.R[ECX], msg)
		require.EqualValues(t, dataBase+md, c.R[EDI], msg)
		if !scas {
			require.EqualValues(t, dataBase+ms, c.R[ESI], msg)
		}
		if n > 0 {
			ref := newTestCPU(t, nil)
			alu(ref, aluCMP, last[0], last[1])
			require.Equal(t, ref.EFLAGS()&StatusFlags, c.EFLAGS()&StatusFlags, msg)
		} else {
			require.EqualValues(t, flagReserved|FlagCF, c.EFLAGS(), msg)
		}
	}
}
