// Package disasm turns guest code into the lines of the page's code view:
// GNU syntax, as objdump -d prints it, with the program's ELF symbols. It
// runs in the worker, so the page's wasm carries no decoder.
package disasm

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"sort"

	"golang.org/x/arch/x86/x86asm"

	"trapdoor/wasm/protocol"
)

// Symbols are a program's function and object symbols, sorted by address.
type Symbols struct {
	addrs []uint32
	names []string
	ends  []uint32 // addr + size (addr + 1 for a symbol without a size)
}

// NewSymbols reads the ELF's symbol table; a stripped program has none.
func NewSymbols(image []byte) *Symbols {
	s := &Symbols{}
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return s
	}
	syms, err := f.Symbols()
	if err != nil {
		return s
	}
	type sym struct {
		addr, end uint32
		name      string
	}
	var list []sym
	for _, y := range syms {
		t := elf.ST_TYPE(y.Info)
		if y.Name == "" || y.Value == 0 || t != elf.STT_FUNC && t != elf.STT_OBJECT && t != elf.STT_NOTYPE {
			continue
		}
		list = append(list, sym{uint32(y.Value), uint32(y.Value + y.Size), y.Name})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].addr < list[j].addr })
	// Assembly entry points like _start have no size: they run to the
	// next symbol.
	for i := range list {
		if list[i].end == list[i].addr {
			list[i].end = list[i].addr + 1
			if i+1 < len(list) {
				list[i].end = max(list[i+1].addr, list[i].end)
			}
		}
	}
	for _, y := range list {
		s.addrs = append(s.addrs, y.addr)
		s.names = append(s.names, y.name)
		s.ends = append(s.ends, y.end)
	}
	return s
}

// Lookup returns the symbol containing addr and its start, or "".
func (s *Symbols) Lookup(addr uint32) (string, uint32) {
	if s == nil {
		return "", 0
	}
	i := sort.Search(len(s.addrs), func(i int) bool { return s.addrs[i] > addr }) - 1
	if i < 0 || addr >= s.ends[i] {
		return "", 0
	}
	return s.names[i], s.addrs[i]
}

// Addr returns the address of the symbol called name.
func (s *Symbols) Addr(name string) (uint32, bool) {
	if s == nil {
		return 0, false
	}
	for i, n := range s.names {
		if n == name {
			return s.addrs[i], true
		}
	}
	return 0, false
}

// Where names addr as objdump does: "main+0x12".
func (s *Symbols) Where(addr uint32) string {
	name, base := s.Lookup(addr)
	switch {
	case name == "":
		return ""
	case addr == base:
		return name
	}
	return fmt.Sprintf("%s+%#x", name, addr-base)
}

// CallLen returns the length of the instruction at the start of code if it
// is a call (for stepping over it), or 0. "call .+0", the i386 idiom that
// reads EIP, is no call to step over: it never returns.
func CallLen(code []byte) int {
	inst, err := x86asm.Decode(code, 32)
	if err != nil || inst.Op != x86asm.CALL {
		return 0
	}
	if rel, ok := inst.Args[0].(x86asm.Rel); ok && rel == 0 {
		return 0
	}
	return inst.Len
}

// Lines decodes code, the bytes at addr, into at most n lines. Bytes that
// do not decode become a "(bad)" line, as in objdump.
func Lines(code []byte, addr uint32, n int, syms *Symbols) []protocol.AsmLine {
	lookup := func(a uint64) (string, uint64) {
		name, base := syms.Lookup(uint32(a))
		return name, uint64(base)
	}
	var out []protocol.AsmLine
	for off := 0; off < len(code) && len(out) < n; {
		pc := addr + uint32(off)
		l := protocol.AsmLine{Addr: pc, Where: syms.Where(pc)}
		inst, err := x86asm.Decode(code[off:], 32)
		if err != nil || inst.Len == 0 || inst.Op == 0 { // Op 0: undecodable, sometimes without an error
			l.Bytes, l.Text = hex.EncodeToString(code[off:off+1]), "(bad)"
			off++
		} else {
			l.Bytes = hex.EncodeToString(code[off : off+inst.Len])
			l.Text = x86asm.GNUSyntax(inst, uint64(pc), lookup)
			off += inst.Len
		}
		out = append(out, l)
	}
	return out
}
