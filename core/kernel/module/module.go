// Package module links a kernel module, an ELF32 i386 relocatable object
// as `gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -O2 -c`
// writes it, into one image for a given kernel address: the allocated
// sections are laid out (read-only and executable ones first, then the
// writable ones on their own pages), undefined symbols are resolved
// against the kernel's API, and the relocations R_386_32, R_386_PC32 and
// R_386_PLT32 are applied, as Linux's load_module does.
//
// The package knows nothing of the running kernel: it turns bytes into an
// Image the kernel maps. Every problem is an *Error naming the section or
// symbol at fault.
package module

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// PageSize is the i386 page size the layout aligns to.
const PageSize = 4096

// MaxImage bounds a module's image (text, data and bss together).
const MaxImage = 4 << 20

// i386 relocation types the linker understands.
const (
	rNone  = 0 // R_386_NONE
	r32    = 1 // R_386_32: S + A
	rPC32  = 2 // R_386_PC32: S + A - P
	rPLT32 = 4 // R_386_PLT32: L + A - P (no PLT in the kernel: L = S)
)

// SyscallSection holds the module's syscall declarations
// (TRAPDOOR_SYSCALL in <linux/module.h>), 16 bytes each.
const SyscallSection = ".trapdoor.syscalls"

// Error is a link failure, naming what is wrong.
type Error struct {
	Section string // the section at fault, if any
	Symbol  string // the symbol at fault, if any
	Msg     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("module: ")
	if e.Symbol != "" {
		fmt.Fprintf(&b, "symbol %s: ", e.Symbol)
	}
	if e.Section != "" {
		fmt.Fprintf(&b, "section %s: ", e.Section)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// UnknownSymbolsError lists every undefined symbol the kernel does not
// provide, with the first place each is used.
type UnknownSymbolsError struct {
	Symbols []string // sorted
	Where   []string // "section+offset" of the first use, by symbol
}

func (e *UnknownSymbolsError) Error() string {
	parts := make([]string, len(e.Symbols))
	for i, s := range e.Symbols {
		parts[i] = fmt.Sprintf("%s (used in %s)", s, e.Where[i])
	}
	hint := ""
	for _, s := range e.Symbols {
		if s == "__stack_chk_fail" || s == "__stack_chk_guard" {
			hint = "; compile with -fno-stack-protector"
		}
		if s == "_GLOBAL_OFFSET_TABLE_" {
			hint = "; compile with -fno-pic"
		}
	}
	return "module: unknown symbol " + strings.Join(parts, ", ") + hint
}

// Resolver gives the address of a kernel API symbol.
type Resolver func(name string) (addr uint32, ok bool)

// Symbol is a symbol the module defines.
type Symbol struct {
	Name string
	Addr uint32
	Size uint32
	Func bool
	// Global: visible outside the object (not static).
	Global bool
}

// Section is an allocated section as placed in the image.
type Section struct {
	Name     string
	Addr     uint32
	Size     uint32
	Writable bool
	Exec     bool
}

// Image is a linked module: Mem is mapped at Base, its first ROSize
// bytes read-only (text and constants), the rest writable.
type Image struct {
	Name     string
	Base     uint32
	Mem      []byte // page-aligned length
	ROSize   uint32 // page-aligned
	Sections []Section
	Symbols  []Symbol // sorted by address
}

// Link parses obj and links it to run at base (page aligned), resolving
// undefined symbols with resolve.
func Link(name string, obj []byte, base uint32, resolve Resolver) (im *Image, err error) {
	defer func() {
		// debug/elf is robust, but a malformed object must never take
		// the kernel down: any slip is a malformed-object error.
		if r := recover(); r != nil {
			im, err = nil, &Error{Msg: fmt.Sprintf("malformed object (%v)", r)}
		}
	}()
	if !bytes.HasPrefix(obj, []byte(elf.ELFMAG)) {
		return nil, &Error{Msg: "not an ELF object (no \\x7fELF magic): expected an i386 relocatable object from gcc -m32 -c"}
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, &Error{Msg: "not an ELF object: " + err.Error()}
	}
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_386 || f.Data != elf.ELFDATA2LSB {
		return nil, &Error{Msg: fmt.Sprintf("not an i386 object (%v, %v): compile with gcc -m32", f.Class, f.Machine)}
	}
	if f.Type != elf.ET_REL {
		return nil, &Error{Msg: fmt.Sprintf("not a relocatable object (%v): compile with -c", f.Type)}
	}
	l := &linker{f: f, base: base, resolve: resolve, im: &Image{Name: name, Base: base}}
	if err := l.layout(); err != nil {
		return nil, err
	}
	if err := l.symbols(); err != nil {
		return nil, err
	}
	if err := l.relocate(); err != nil {
		return nil, err
	}
	sort.Slice(l.im.Symbols, func(i, j int) bool { return l.im.Symbols[i].Addr < l.im.Symbols[j].Addr })
	return l.im, nil
}

type linker struct {
	f       *elf.File
	base    uint32
	resolve Resolver
	im      *Image
	// addr is where each section landed (by section index), 0 for
	// sections not loaded.
	addr map[int]uint32
	// symAddr is each symbol's final value, by symbol table index.
	symAddr []uint32
	symOK   []bool
	unknown map[string]string
}

// layout places the SHF_ALLOC sections: read-only ones (text, rodata)
// first, then a page boundary, then writable ones (data, bss).
func (l *linker) layout() error {
	l.addr = map[int]uint32{}
	off := uint64(0)
	place := func(writable bool) error {
		for i, s := range l.f.Sections {
			if s.Flags&elf.SHF_ALLOC == 0 || (s.Flags&elf.SHF_WRITE != 0) != writable {
				continue
			}
			if s.Type != elf.SHT_PROGBITS && s.Type != elf.SHT_NOBITS && s.Type != elf.SHT_INIT_ARRAY &&
				s.Type != elf.SHT_FINI_ARRAY && s.Type != elf.SHT_NOTE {
				continue
			}
			align := uint64(s.Addralign)
			if align == 0 {
				align = 1
			}
			if align&(align-1) != 0 || align > PageSize {
				return &Error{Section: s.Name, Msg: fmt.Sprintf("bad alignment %d", s.Addralign)}
			}
			off = (off + align - 1) &^ (align - 1)
			if off+s.Size > MaxImage {
				return &Error{Section: s.Name, Msg: fmt.Sprintf("module image larger than %d bytes", MaxImage)}
			}
			l.addr[i] = l.base + uint32(off)
			l.im.Sections = append(l.im.Sections, Section{Name: s.Name, Addr: l.base + uint32(off), Size: uint32(s.Size),
				Writable: writable, Exec: s.Flags&elf.SHF_EXECINSTR != 0})
			off += s.Size
		}
		return nil
	}
	if err := place(false); err != nil {
		return err
	}
	off = (off + PageSize - 1) &^ (PageSize - 1)
	l.im.ROSize = uint32(off)
	if err := place(true); err != nil {
		return err
	}
	// Common symbols (gcc -fcommon) get space after the sections.
	if err := l.commons(&off); err != nil {
		return err
	}
	off = (off + PageSize - 1) &^ (PageSize - 1)
	l.im.Mem = make([]byte, off)
	for i, s := range l.f.Sections {
		a, ok := l.addr[i]
		if !ok || s.Type == elf.SHT_NOBITS {
			continue
		}
		data, err := s.Data()
		if err != nil || uint64(len(data)) != s.Size {
			return &Error{Section: s.Name, Msg: "contents lie outside the file"}
		}
		copy(l.im.Mem[a-l.base:], data)
	}
	return nil
}

// commons gives SHN_COMMON symbols (gcc -fcommon) space after the
// writable sections; symbols() finds them by name.
func (l *linker) commons(off *uint64) error {
	syms, err := l.f.Symbols()
	if err != nil {
		if err == elf.ErrNoSymbols {
			return nil
		}
		return &Error{Section: ".symtab", Msg: err.Error()}
	}
	for _, s := range syms {
		if s.Section != elf.SHN_COMMON {
			continue
		}
		align := s.Value
		if align == 0 {
			align = 1
		}
		if align&(align-1) != 0 || align > PageSize {
			return &Error{Symbol: s.Name, Msg: "bad alignment for a common symbol"}
		}
		*off = (*off + align - 1) &^ (align - 1)
		if *off+s.Size > MaxImage {
			return &Error{Symbol: s.Name, Msg: fmt.Sprintf("module image larger than %d bytes", MaxImage)}
		}
		l.im.Sections = append(l.im.Sections, Section{Name: "COMMON " + s.Name, Addr: l.base + uint32(*off), Size: uint32(s.Size), Writable: true})
		*off += s.Size
	}
	return nil
}

// symbols computes every symbol's address and resolves undefined ones.
func (l *linker) symbols() error {
	syms, err := l.f.Symbols()
	if err == elf.ErrNoSymbols {
		syms = nil
	} else if err != nil {
		return &Error{Section: ".symtab", Msg: err.Error()}
	}
	// Index 0 is the null symbol; debug/elf leaves it out.
	l.symAddr = make([]uint32, len(syms)+1)
	l.symOK = make([]bool, len(syms)+1)
	l.symOK[0] = true
	commons := map[string]uint32{}
	for _, s := range l.im.Sections {
		if n, ok := strings.CutPrefix(s.Name, "COMMON "); ok {
			commons[n] = s.Addr
		}
	}
	for i, s := range syms {
		idx := i + 1
		typ := elf.ST_TYPE(s.Info)
		bind := elf.ST_BIND(s.Info)
		switch {
		case s.Section == elf.SHN_UNDEF:
			if s.Name == "" {
				l.symOK[idx] = true
				continue
			}
			a, ok := l.resolve(s.Name)
			if !ok && bind == elf.STB_WEAK {
				a, ok = 0, true // an undefined weak symbol is NULL, as in Linux
			}
			l.symAddr[idx], l.symOK[idx] = a, ok
			continue
		case s.Section == elf.SHN_ABS:
			l.symAddr[idx], l.symOK[idx] = uint32(s.Value), true
		case s.Section == elf.SHN_COMMON:
			l.symAddr[idx], l.symOK[idx] = commons[s.Name], true
		case s.Section >= elf.SHN_LORESERVE:
			return &Error{Symbol: s.Name, Msg: fmt.Sprintf("unsupported section index %#x", uint16(s.Section))}
		default:
			sec := int(s.Section)
			if sec >= len(l.f.Sections) {
				return &Error{Symbol: s.Name, Msg: fmt.Sprintf("section index %d out of range", sec)}
			}
			a, placed := l.addr[sec]
			if !placed {
				// A symbol in a section that is not loaded (debug info):
				// usable by nothing the kernel runs.
				continue
			}
			if s.Value > l.f.Sections[sec].Size {
				return &Error{Symbol: s.Name, Section: l.f.Sections[sec].Name, Msg: "symbol value past the end of its section"}
			}
			l.symAddr[idx], l.symOK[idx] = a+uint32(s.Value), true
		}
		if s.Name != "" && typ != elf.STT_SECTION && typ != elf.STT_FILE {
			l.im.Symbols = append(l.im.Symbols, Symbol{Name: s.Name, Addr: l.symAddr[idx], Size: uint32(s.Size),
				Func: typ == elf.STT_FUNC, Global: bind != elf.STB_LOCAL})
		}
	}
	return nil
}

// relocate applies every SHT_REL (and SHT_RELA) section aimed at a
// loaded section.
func (l *linker) relocate() error {
	syms, _ := l.f.Symbols()
	l.unknown = map[string]string{}
	for _, rs := range l.f.Sections {
		if rs.Type != elf.SHT_REL && rs.Type != elf.SHT_RELA {
			continue
		}
		target := int(rs.Info)
		if target <= 0 || target >= len(l.f.Sections) {
			return &Error{Section: rs.Name, Msg: fmt.Sprintf("relocates section index %d, which does not exist", target)}
		}
		tsec := l.f.Sections[target]
		taddr, placed := l.addr[target]
		if !placed {
			continue // relocations of debug sections
		}
		data, err := rs.Data()
		if err != nil {
			return &Error{Section: rs.Name, Msg: "contents lie outside the file"}
		}
		entry := 8
		if rs.Type == elf.SHT_RELA {
			entry = 12
		}
		if len(data)%entry != 0 {
			return &Error{Section: rs.Name, Msg: fmt.Sprintf("size %d is not a multiple of %d", len(data), entry)}
		}
		for o := 0; o < len(data); o += entry {
			off := binary.LittleEndian.Uint32(data[o:])
			info := binary.LittleEndian.Uint32(data[o+4:])
			symIdx, typ := int(info>>8), info&0xff
			where := fmt.Sprintf("%s+%#x", tsec.Name, off)
			if tsec.Type == elf.SHT_NOBITS || uint64(off)+4 > tsec.Size {
				return &Error{Section: rs.Name, Msg: fmt.Sprintf("relocation at %s lies outside its section", where)}
			}
			if symIdx >= len(l.symAddr) {
				return &Error{Section: rs.Name, Msg: fmt.Sprintf("relocation at %s names symbol %d, which does not exist", where, symIdx)}
			}
			if !l.symOK[symIdx] {
				n := syms[symIdx-1].Name
				if _, seen := l.unknown[n]; !seen {
					l.unknown[n] = where
				}
				continue
			}
			mem := l.im.Mem[taddr-l.base+off:]
			addend := binary.LittleEndian.Uint32(mem)
			if rs.Type == elf.SHT_RELA {
				addend = binary.LittleEndian.Uint32(data[o+8:])
			}
			s, p := l.symAddr[symIdx], taddr+off
			var v uint32
			switch typ {
			case rNone:
				continue
			case r32:
				v = s + addend
			case rPC32, rPLT32:
				v = s + addend - p
			default:
				name := elf.R_386(typ).String()
				hint := ""
				if strings.Contains(name, "GOT") || strings.Contains(name, "PLT") {
					hint = ": compile with -fno-pic"
				}
				if strings.Contains(name, "TLS") {
					hint = ": the kernel has no thread-local storage"
				}
				symName := ""
				if symIdx > 0 {
					symName = syms[symIdx-1].Name
				}
				return &Error{Section: rs.Name, Symbol: symName, Msg: fmt.Sprintf("unsupported relocation %s at %s%s", name, where, hint)}
			}
			binary.LittleEndian.PutUint32(mem, v)
		}
	}
	if len(l.unknown) > 0 {
		e := &UnknownSymbolsError{}
		for n := range l.unknown {
			e.Symbols = append(e.Symbols, n)
		}
		sort.Strings(e.Symbols)
		for _, n := range e.Symbols {
			e.Where = append(e.Where, l.unknown[n])
		}
		return e
	}
	return nil
}

// Lookup finds a symbol the module defines.
func (im *Image) Lookup(name string) (Symbol, bool) {
	var best Symbol
	found := false
	for _, s := range im.Symbols {
		if s.Name == name && (!found || s.Global && !best.Global) {
			best, found = s, true
		}
	}
	return best, found
}

// SymbolAt names the function (or object) containing addr, as
// "name+0xoff/0xsize" in Linux's backtraces.
func (im *Image) SymbolAt(addr uint32) (Symbol, uint32, bool) {
	var best *Symbol
	for i := range im.Symbols {
		s := &im.Symbols[i]
		if s.Addr > addr {
			break
		}
		if addr < s.Addr+max(s.Size, 1) || s.Size == 0 && s.Func {
			if best == nil || s.Func || !best.Func {
				best = s
			}
		}
	}
	if best == nil {
		return Symbol{}, 0, false
	}
	return *best, addr - best.Addr, true
}

// Contains reports whether addr lies in the image.
func (im *Image) Contains(addr uint32) bool {
	return addr >= im.Base && addr-im.Base < uint32(len(im.Mem))
}

// InText reports whether addr lies in an executable section.
func (im *Image) InText(addr uint32) bool {
	for _, s := range im.Sections {
		if s.Exec && addr >= s.Addr && addr-s.Addr < s.Size {
			return true
		}
	}
	return false
}

// SyscallDecl is one TRAPDOOR_SYSCALL declaration.
type SyscallDecl struct {
	Nr    uint32
	NArgs int
	Fn    uint32
	Name  string
}

// Syscalls reads the module's syscall declarations (after relocation):
// each is {nr, nargs, fn, name} as four 32-bit words.
func (im *Image) Syscalls() ([]SyscallDecl, error) {
	var out []SyscallDecl
	for _, s := range im.Sections {
		if s.Name != SyscallSection {
			continue
		}
		if s.Size%16 != 0 {
			return nil, &Error{Section: s.Name, Msg: fmt.Sprintf("size %d is not a multiple of 16: declare syscalls with TRAPDOOR_SYSCALL", s.Size)}
		}
		mem := im.Mem[s.Addr-im.Base:]
		for o := uint32(0); o < s.Size; o += 16 {
			d := SyscallDecl{
				Nr:    binary.LittleEndian.Uint32(mem[o:]),
				NArgs: int(binary.LittleEndian.Uint32(mem[o+4:])),
				Fn:    binary.LittleEndian.Uint32(mem[o+8:]),
			}
			nameAt := binary.LittleEndian.Uint32(mem[o+12:])
			if !im.Contains(nameAt) {
				return nil, &Error{Section: s.Name, Msg: fmt.Sprintf("declaration %d: name pointer %#x outside the module", o/16, nameAt)}
			}
			name := im.Mem[nameAt-im.Base:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			d.Name = string(name)
			if d.NArgs < 0 || d.NArgs > 6 {
				return nil, &Error{Section: s.Name, Symbol: d.Name, Msg: fmt.Sprintf("%d arguments: a system call has at most 6", d.NArgs)}
			}
			if !im.InText(d.Fn) {
				return nil, &Error{Section: s.Name, Symbol: d.Name, Msg: fmt.Sprintf("function address %#x is not in the module's code", d.Fn)}
			}
			for _, prev := range out {
				if prev.Nr == d.Nr {
					return nil, &Error{Section: s.Name, Symbol: d.Name, Msg: fmt.Sprintf("syscall %d declared twice (also %s)", d.Nr, prev.Name)}
				}
			}
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Nr < out[j].Nr })
	return out, nil
}
