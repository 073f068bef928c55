// Package loader starts a program in an address space, as Linux's
// binfmt_elf: it checks an i386 ELF file, maps its PT_LOAD segments
// (static executables at their link address, static-PIE at a fixed base),
// sets up the program break, and builds the initial stack with argv,
// envp and the auxiliary vector exactly as create_elf_tables does.
package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
)

// PIEBase is where a static-PIE (ET_DYN without PT_INTERP) is loaded:
// the address a 32-bit PIE gets on Linux with randomisation off, which is
// what gdb shows and what students see in course material.
const PIEBase = 0x56555000

// Auxiliary vector tags.
const (
	AT_NULL     = 0
	AT_PHDR     = 3
	AT_PHENT    = 4
	AT_PHNUM    = 5
	AT_PAGESZ   = 6
	AT_BASE     = 7
	AT_FLAGS    = 8
	AT_ENTRY    = 9
	AT_UID      = 11
	AT_EUID     = 12
	AT_GID      = 13
	AT_EGID     = 14
	AT_PLATFORM = 15
	AT_HWCAP    = 16
	AT_CLKTCK   = 17
	AT_SECURE   = 23
	AT_RANDOM   = 25
	AT_EXECFN   = 31
)

// Limits on what execve accepts (MAX_ARG_STRLEN and a total like
// Linux's quarter of the 8 MiB stack limit).
const (
	MaxArgStrlen = 32 * memory.PageSize
	MaxArgTotal  = mm.StackMax / 4
	// stackExpand is the room Linux leaves below the arguments in the
	// initial stack VMA (128 KiB).
	stackExpand = 128 << 10
)

// ErrNotELF and friends say why a file was refused.
var (
	ErrNotELF   = errors.New("not an ELF file")
	ErrNot32    = errors.New("64-bit ELF file: only 32-bit i386 programs run")
	ErrNotI386  = errors.New("not an i386 program")
	ErrDynamic  = errors.New("dynamically linked: only static programs run (link with -static)")
	ErrType     = errors.New("not an executable (ELF type is neither EXEC nor DYN)")
	ErrCorrupt  = errors.New("corrupt or truncated ELF file")
	ErrArgs     = errors.New("argument list too long")
	ErrNoMemory = errors.New("out of memory")
)

// Params are the values execve hands the new program.
type Params struct {
	Argv, Envp []string
	ExecFn     string   // AT_EXECFN: the path execve was given
	Random     [16]byte // AT_RANDOM bytes
	HWCap      uint32   // AT_HWCAP: CPUID leaf 1 EDX
	UID, EUID  uint32
	GID, EGID  uint32
	Platform   string // AT_PLATFORM; "i686" when empty
}

// Image describes a loaded program.
type Image struct {
	Entry   uint32 // initial EIP
	SP      uint32 // initial ESP (at argc)
	Base    uint32 // load bias (0 for ET_EXEC)
	Phdr    uint32 // address of the program headers
	PhNum   int
	PIE     bool
	AuxRand uint32 // address of the AT_RANDOM bytes
}

// segment is a checked PT_LOAD.
type segment struct {
	vaddr, memsz, filesz, off uint32
	prot                      uint32
}

// Executable is a checked ELF file, ready to load.
type Executable struct {
	Type  elf.Type
	Entry uint32
	segs  []segment
	phoff uint32
	phnum int
	phdr  uint32 // PT_PHDR vaddr, 0 if none
	data  []byte
}

// Parse checks that data is a static i386 ELF executable we can run.
// It never panics: any malformation is an error wrapping ErrCorrupt or
// one of the other Err values.
func Parse(data []byte) (x *Executable, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	if len(data) < 4 || !bytes.Equal(data[:4], []byte(elf.ELFMAG)) {
		return nil, ErrNotELF
	}
	if len(data) < 5 {
		return nil, ErrCorrupt
	}
	if elf.Class(data[elf.EI_CLASS]) == elf.ELFCLASS64 {
		return nil, ErrNot32
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if f.Class != elf.ELFCLASS32 || f.Data != elf.ELFDATA2LSB {
		return nil, ErrNotI386
	}
	if f.Machine != elf.EM_386 {
		return nil, fmt.Errorf("%w (machine %v)", ErrNotI386, f.Machine)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return nil, fmt.Errorf("%w: %v", ErrType, f.Type)
	}
	x = &Executable{Type: f.Type, Entry: uint32(f.Entry), data: data}
	x.phoff = binary.LittleEndian.Uint32(data[28:])
	x.phnum = len(f.Progs)
	if x.phnum == 0 {
		return nil, fmt.Errorf("%w: no program headers", ErrCorrupt)
	}
	if uint64(x.phoff)+uint64(x.phnum)*32 > uint64(len(data)) {
		return nil, fmt.Errorf("%w: program headers past the end of the file", ErrCorrupt)
	}
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			return nil, ErrDynamic
		case elf.PT_PHDR:
			x.phdr = uint32(p.Vaddr)
		case elf.PT_LOAD:
			if p.Memsz == 0 {
				continue
			}
			if p.Filesz > p.Memsz {
				return nil, fmt.Errorf("%w: segment file size exceeds memory size", ErrCorrupt)
			}
			if p.Off+p.Filesz > uint64(len(data)) {
				return nil, fmt.Errorf("%w: segment at offset %#x extends past the end of the file (%d bytes)", ErrCorrupt, p.Off, len(data))
			}
			if p.Vaddr+p.Memsz > mm.TaskSize || p.Vaddr+p.Memsz < p.Vaddr {
				return nil, fmt.Errorf("%w: segment at %#x outside user space", ErrCorrupt, p.Vaddr)
			}
			if p.Vaddr&memory.PageMask != p.Off&memory.PageMask {
				return nil, fmt.Errorf("%w: segment offset and address not congruent modulo the page size", ErrCorrupt)
			}
			var prot uint32
			if p.Flags&elf.PF_R != 0 {
				prot |= abi.PROT_READ
			}
			if p.Flags&elf.PF_W != 0 {
				prot |= abi.PROT_WRITE
			}
			if p.Flags&elf.PF_X != 0 {
				prot |= abi.PROT_EXEC
			}
			x.segs = append(x.segs, segment{uint32(p.Vaddr), uint32(p.Memsz), uint32(p.Filesz), uint32(p.Off), prot})
		}
	}
	if len(x.segs) == 0 {
		return nil, fmt.Errorf("%w: nothing to load (no PT_LOAD segment)", ErrCorrupt)
	}
	if x.Type == elf.ET_DYN {
		if uint64(x.segs[len(x.segs)-1].vaddr)+uint64(x.segs[len(x.segs)-1].memsz)+PIEBase > mm.MmapBase {
			return nil, fmt.Errorf("%w: static-PIE too large", ErrCorrupt)
		}
	}
	return x, nil
}

// Load maps the executable into the empty address space m, builds the
// stack and returns where to start. name labels the file's VMAs.
func (x *Executable) Load(m *mm.MM, name string, p Params) (*Image, error) {
	img := &Image{PhNum: x.phnum}
	if x.Type == elf.ET_DYN {
		img.Base, img.PIE = PIEBase, true
	}
	var brk uint32
	for _, s := range x.segs {
		start := img.Base + s.vaddr&^memory.PageMask
		fileEnd := img.Base + s.vaddr + s.filesz
		end := img.Base + s.vaddr + s.memsz
		mapEnd := pageUp(fileEnd)
		if s.filesz == 0 {
			mapEnd = start
		}
		if mapEnd > start {
			if _, err := m.Map(start, mapEnd-start, s.prot, abi.MAP_PRIVATE, mm.KindFile, name, true); err != nil {
				return nil, mapErr(err)
			}
			if v := m.Find(start); v != nil {
				v.Offset = s.off &^ memory.PageMask
			}
			// Copy whole file pages, as mmap of the file would show them,
			// then clear the tail of the last page (Linux's padzero).
			src := x.data[s.off&^memory.PageMask : s.off+s.filesz]
			if err := m.Poke(start, src); err != nil {
				return nil, mapErr(err)
			}
			if tail := mapEnd - fileEnd; tail > 0 && s.memsz > s.filesz {
				if err := m.Poke(fileEnd, make([]byte, tail)); err != nil {
					return nil, mapErr(err)
				}
			}
		}
		if bss := pageUp(end); bss > mapEnd {
			if _, err := m.Map(mapEnd, bss-mapEnd, s.prot, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, mm.KindAnon, "", true); err != nil {
				return nil, mapErr(err)
			}
		}
		if s.prot&abi.PROT_EXEC != 0 {
			if m.StartCode == 0 || start < m.StartCode {
				m.StartCode = start
			}
			if fileEnd > m.EndCode {
				m.EndCode = fileEnd
			}
		}
		if s.prot&abi.PROT_WRITE != 0 {
			if m.StartData == 0 {
				m.StartData = img.Base + s.vaddr
			}
			m.EndData = fileEnd
		}
		if end > brk {
			brk = end
		}
		if x.phoff >= s.off && x.phoff+uint32(x.phnum)*32 <= s.off+s.filesz && img.Phdr == 0 {
			img.Phdr = img.Base + s.vaddr + (x.phoff - s.off)
		}
	}
	if x.phdr != 0 {
		img.Phdr = img.Base + x.phdr
	}
	m.StartBrk = pageUp(brk)
	m.Brk = m.StartBrk
	img.Entry = img.Base + x.Entry
	if err := buildStack(m, img, p); err != nil {
		return nil, err
	}
	return img, nil
}

func pageUp(v uint32) uint32 { return (v + memory.PageMask) &^ memory.PageMask }

func mapErr(err error) error {
	if errors.Is(err, mm.ErrNoMemory) {
		return ErrNoMemory
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// buildStack lays out the initial stack as fs/binfmt_elf.c does, from
// the top: an end marker, the AT_EXECFN string, the environment and
// argument strings, the platform string, the 16 random bytes, then
// (16-byte aligned at argc) argc, argv[], NULL, envp[], NULL, auxv.
func buildStack(m *mm.MM, img *Image, p Params) error {
	strSize := len(p.ExecFn) + 1
	for _, s := range append(append([]string(nil), p.Argv...), p.Envp...) {
		if len(s)+1 > MaxArgStrlen {
			return ErrArgs
		}
		strSize += len(s) + 1
	}
	if strSize > MaxArgTotal {
		return ErrArgs
	}
	platform := p.Platform
	if platform == "" {
		platform = "i686"
	}
	top := uint32(mm.StackTop)
	// Strings, platform, random bytes, vectors: a generous bound.
	need := uint32(strSize) + 64 + 4*uint32(len(p.Argv)+len(p.Envp)+2) + 8*24
	size := pageUp(need) + stackExpand
	if _, err := m.Map(top-size, size, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS|abi.MAP_GROWSDOWN, mm.KindStack, "[stack]", true); err != nil {
		return mapErr(err)
	}
	m.StartStack = top

	var buf []byte // the string area, built low to high
	sp := top - 4  // the NULL end marker
	execfn := sp - uint32(len(p.ExecFn)+1)
	strStart := execfn - uint32(strSize-len(p.ExecFn)-1)
	argv := make([]uint32, len(p.Argv))
	envp := make([]uint32, len(p.Envp))
	a := strStart
	for i, s := range p.Argv {
		argv[i] = a
		buf = append(append(buf, s...), 0)
		a += uint32(len(s) + 1)
	}
	m.ArgStart, m.ArgEnd = strStart, a
	m.EnvStart = a
	for i, s := range p.Envp {
		envp[i] = a
		buf = append(append(buf, s...), 0)
		a += uint32(len(s) + 1)
	}
	m.EnvEnd = a
	buf = append(append(buf, p.ExecFn...), 0)
	buf = append(buf, 0, 0, 0, 0)
	if err := m.Poke(strStart, buf); err != nil {
		return mapErr(err)
	}

	q := strStart &^ 15 // arch_align_stack without randomisation
	q -= uint32(len(platform) + 1)
	uPlatform := q
	if err := m.Poke(uPlatform, append([]byte(platform), 0)); err != nil {
		return mapErr(err)
	}
	q -= 16
	img.AuxRand = q
	if err := m.Poke(q, p.Random[:]); err != nil {
		return mapErr(err)
	}

	aux := []uint32{
		AT_HWCAP, p.HWCap,
		AT_PAGESZ, memory.PageSize,
		AT_CLKTCK, 100,
		AT_PHDR, img.Phdr,
		AT_PHENT, 32,
		AT_PHNUM, uint32(img.PhNum),
		AT_BASE, 0,
		AT_FLAGS, 0,
		AT_ENTRY, img.Entry,
		AT_UID, p.UID,
		AT_EUID, p.EUID,
		AT_GID, p.GID,
		AT_EGID, p.EGID,
		AT_SECURE, 0,
		AT_RANDOM, img.AuxRand,
		AT_EXECFN, execfn,
		AT_PLATFORM, uPlatform,
		AT_NULL, 0,
	}
	words := []uint32{uint32(len(p.Argv))}
	words = append(words, argv...)
	words = append(words, 0)
	words = append(words, envp...)
	words = append(words, 0)
	words = append(words, aux...)
	sp = (q - uint32(len(words))*4) &^ 15
	vec := make([]byte, len(words)*4)
	for i, w := range words {
		binary.LittleEndian.PutUint32(vec[i*4:], w)
	}
	if err := m.Poke(sp, vec); err != nil {
		return mapErr(err)
	}
	img.SP = sp
	return nil
}
