package loader

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
)

// seg describes a PT_LOAD for makeELF.
type seg struct {
	vaddr  uint32
	data   []byte
	memsz  uint32
	flags  elf.ProgFlag
	ptype  elf.ProgType
	offset uint32 // 0: next page-aligned offset
}

// makeELF builds a small i386 ELF file: header, program headers, then
// each segment's bytes at a page-congruent offset.
func makeELF(typ elf.Type, entry uint32, segs ...seg) []byte {
	const ehsize, phsize = 52, 32
	b := make([]byte, memory.PageSize)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS32), byte(elf.ELFDATA2LSB), 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(typ))
	le.PutUint16(b[18:], uint16(elf.EM_386))
	le.PutUint32(b[20:], 1)
	le.PutUint32(b[24:], entry)
	le.PutUint32(b[28:], ehsize)
	le.PutUint16(b[40:], ehsize)
	le.PutUint16(b[42:], phsize)
	le.PutUint16(b[44:], uint16(len(segs)))
	for i, s := range segs {
		off := s.offset
		if off == 0 && s.data != nil {
			off = uint32(len(b)) + s.vaddr&memory.PageMask
			b = append(b, make([]byte, int(off)-len(b))...)
			b = append(b, s.data...)
			for len(b)%memory.PageSize != 0 {
				b = append(b, 0)
			}
		}
		p := b[ehsize+i*phsize:]
		pt := s.ptype
		if pt == 0 {
			pt = elf.PT_LOAD
		}
		memsz := s.memsz
		if memsz == 0 {
			memsz = uint32(len(s.data))
		}
		le.PutUint32(p[0:], uint32(pt))
		le.PutUint32(p[4:], off)
		le.PutUint32(p[8:], s.vaddr)
		le.PutUint32(p[12:], s.vaddr)
		le.PutUint32(p[16:], uint32(len(s.data)))
		le.PutUint32(p[20:], memsz)
		le.PutUint32(p[24:], uint32(s.flags))
		le.PutUint32(p[28:], memory.PageSize)
	}
	return b
}

// exitProgram is "mov eax,1; mov ebx,7; int 0x80".
var exitProgram = []byte{0xb8, 1, 0, 0, 0, 0xbb, 7, 0, 0, 0, 0xcd, 0x80}

func tinyELF() []byte {
	return makeELF(elf.ET_EXEC, 0x08049000,
		seg{vaddr: 0x08049000, data: exitProgram, flags: elf.PF_R | elf.PF_X},
		seg{vaddr: 0x0804a010, data: []byte("data"), memsz: 0x3000, flags: elf.PF_R | elf.PF_W})
}

func newMM(t testing.TB) *mm.MM {
	m, err := mm.New(memory.NewPhys(32 << 20))
	require.NoError(t, err)
	return m
}

func u32(t *testing.T, m *mm.MM, addr uint32) uint32 {
	var b [4]byte
	require.NoError(t, m.CopyIn(addr, b[:]))
	return binary.LittleEndian.Uint32(b[:])
}

func str(t *testing.T, m *mm.MM, addr uint32) string {
	s, ok, err := m.ReadString(addr, 4096)
	require.NoError(t, err)
	require.True(t, ok)
	return s
}

func TestLoadStatic(t *testing.T) {
	x, err := Parse(tinyELF())
	require.NoError(t, err)
	m := newMM(t)
	p := Params{Argv: []string{"prog", "a b"}, Envp: []string{"A=1"}, ExecFn: "/bin/prog", HWCap: 0x8111, UID: 1000, EUID: 1000, GID: 100, EGID: 100}
	copy(p.Random[:], "0123456789abcdef")
	img, err := x.Load(m, "/bin/prog", p)
	require.NoError(t, err)
	require.Equal(t, uint32(0x08049000), img.Entry)
	require.Zero(t, img.SP%16, "esp 16-byte aligned at argc")

	// Code and data are in place, bss is zero, the break follows bss.
	code := make([]byte, len(exitProgram))
	require.NoError(t, m.CopyIn(0x08049000, code))
	require.Equal(t, exitProgram, code)
	require.Equal(t, "data", string(func() []byte { b := make([]byte, 4); m.CopyIn(0x0804a010, b); return b }()))
	require.Equal(t, uint32(0), u32(t, m, 0x0804a014))
	require.Equal(t, uint32(0x0804e000), m.StartBrk)
	require.Equal(t, uint32(abi.PROT_READ|abi.PROT_EXEC), m.Find(0x08049000).Prot)
	require.Error(t, m.CopyOut(0x08049000, []byte{0}), "text is read-only to the user")

	sp := img.SP
	require.Equal(t, uint32(2), u32(t, m, sp))
	require.Equal(t, "prog", str(t, m, u32(t, m, sp+4)))
	require.Equal(t, "a b", str(t, m, u32(t, m, sp+8)))
	require.Zero(t, u32(t, m, sp+12))
	require.Equal(t, "A=1", str(t, m, u32(t, m, sp+16)))
	require.Zero(t, u32(t, m, sp+20))
	aux := map[uint32]uint32{}
	var order []uint32
	for a := sp + 24; ; a += 8 {
		k, v := u32(t, m, a), u32(t, m, a+4)
		order = append(order, k)
		if k == AT_NULL {
			break
		}
		aux[k] = v
	}
	require.Equal(t, []uint32{AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY,
		AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL}, order)
	require.Equal(t, uint32(32), aux[AT_PHENT])
	require.Equal(t, uint32(2), aux[AT_PHNUM])
	require.Equal(t, uint32(4096), aux[AT_PAGESZ])
	require.Equal(t, uint32(100), aux[AT_CLKTCK])
	require.Equal(t, uint32(0x8111), aux[AT_HWCAP])
	require.Equal(t, uint32(1000), aux[AT_EUID])
	require.Equal(t, uint32(100), aux[AT_EGID])
	require.Equal(t, uint32(0x08049000), aux[AT_ENTRY])
	require.Equal(t, "/bin/prog", str(t, m, aux[AT_EXECFN]))
	require.Equal(t, "i686", str(t, m, aux[AT_PLATFORM]))
	rnd := make([]byte, 16)
	require.NoError(t, m.CopyIn(aux[AT_RANDOM], rnd))
	require.Equal(t, "0123456789abcdef", string(rnd))
	// No PT_LOAD of this file covers its program headers.
	require.Zero(t, aux[AT_PHDR])

	// The argument area: argv then envp strings, contiguous.
	require.Equal(t, u32(t, m, sp+4), m.ArgStart)
	require.Equal(t, m.ArgStart+uint32(len("prog")+1+len("a b")+1), m.ArgEnd)
	require.Equal(t, m.ArgEnd, m.EnvStart)
	require.Equal(t, m.EnvStart+4, m.EnvEnd)
	require.Equal(t, "/bin/prog", str(t, m, m.EnvEnd))
	require.Equal(t, uint32(mm.StackTop-4), m.EnvEnd+uint32(len("/bin/prog")+1))
	require.Equal(t, mm.KindStack, m.Find(sp).Kind)
}

func TestLoadPIE(t *testing.T) {
	file := makeELF(elf.ET_DYN, 0x100,
		seg{vaddr: 0, data: exitProgram, flags: elf.PF_R | elf.PF_X})
	// The first PT_LOAD covers the file from offset 0, so the headers
	// are mapped and AT_PHDR points at them.
	le := binary.LittleEndian
	le.PutUint32(file[52+4:], 0)
	le.PutUint32(file[52+16:], memory.PageSize)
	le.PutUint32(file[52+20:], memory.PageSize)
	x, err := Parse(file)
	require.NoError(t, err)
	m := newMM(t)
	img, err := x.Load(m, "/bin/pie", Params{Argv: []string{"pie"}, ExecFn: "/bin/pie"})
	require.NoError(t, err)
	require.True(t, img.PIE)
	require.Equal(t, uint32(PIEBase+0x100), img.Entry)
	require.Equal(t, uint32(PIEBase+52), img.Phdr)
	require.Equal(t, uint32(elf.ET_DYN), uint32(binary.LittleEndian.Uint16([]byte{byte(u32(t, m, PIEBase+16)), byte(u32(t, m, PIEBase+16) >> 8)})))
}

func TestRefuse(t *testing.T) {
	good := tinyELF()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	le := binary.LittleEndian
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotELF},
		{"text", []byte("#!/bin/sh\necho hi\n"), ErrNotELF},
		{"64-bit", mut(func(b []byte) []byte { b[elf.EI_CLASS] = byte(elf.ELFCLASS64); return b }), ErrNot32},
		{"arm", mut(func(b []byte) []byte { le.PutUint16(b[18:], uint16(elf.EM_ARM)); return b }), ErrNotI386},
		{"big-endian", mut(func(b []byte) []byte { b[elf.EI_DATA] = byte(elf.ELFDATA2MSB); return b }), ErrCorrupt},
		{"relocatable", mut(func(b []byte) []byte { le.PutUint16(b[16:], uint16(elf.ET_REL)); return b }), ErrType},
		{"dynamic", mut(func(b []byte) []byte { le.PutUint32(b[52:], uint32(elf.PT_INTERP)); return b }), ErrDynamic},
		{"truncated", good[:len(good)-memory.PageSize], ErrCorrupt},
		{"header only", good[:40], ErrCorrupt},
		{"filesz > memsz", mut(func(b []byte) []byte { le.PutUint32(b[52+20:], 1); return b }), ErrCorrupt},
		{"kernel address", mut(func(b []byte) []byte { le.PutUint32(b[52+8:], 0xC0000000); return b }), ErrCorrupt},
		{"no segments", mut(func(b []byte) []byte { le.PutUint16(b[44:], 0); return b }), ErrCorrupt},
	}
	for _, c := range cases {
		_, err := Parse(c.data)
		require.ErrorIs(t, err, c.want, c.name)
	}
}

func TestArgsTooLong(t *testing.T) {
	x, err := Parse(tinyELF())
	require.NoError(t, err)
	big := make([]byte, MaxArgStrlen)
	for i := range big {
		big[i] = 'x'
	}
	_, err = x.Load(newMM(t), "p", Params{Argv: []string{string(big)}})
	require.ErrorIs(t, err, ErrArgs)
}

// realBinaries returns static i386 programs found in the test vectors.
func realBinaries() [][]byte {
	var out [][]byte
	dirs := []string{"../../testvectors/bin"}
	// TRAPDOOR_ELF_DIR adds a directory laid out like testvectors/bin.
	if d := os.Getenv("TRAPDOOR_ELF_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		for _, name := range []string{"glibc/hello", "musl/hello", "glibc/hello-pie"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

func TestRealBinaries(t *testing.T) {
	bins := realBinaries()
	if len(bins) == 0 {
		t.Skip("no test vector binaries")
	}
	for _, b := range bins {
		x, err := Parse(b)
		require.NoError(t, err)
		img, err := x.Load(newMM(t), "/bin/hello", Params{Argv: []string{"hello"}, ExecFn: "/bin/hello"})
		require.NoError(t, err)
		require.NotZero(t, img.Phdr)
	}
}

// FuzzLoad feeds mutated ELF files to Parse and Load: they must fail
// with an error or load, never panic.
func FuzzLoad(f *testing.F) {
	f.Add(tinyELF())
	f.Add(makeELF(elf.ET_DYN, 0, seg{vaddr: 0, data: exitProgram, flags: elf.PF_R | elf.PF_X}))
	for _, b := range realBinaries() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := Parse(data)
		if err != nil {
			return
		}
		m, err := mm.New(memory.NewPhys(8 << 20))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Load(m, "/bin/f", Params{Argv: []string{"f"}, ExecFn: "/bin/f"}); err == nil {
			m.Release()
		}
	})
}
