package module

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// resolver for tests: a few API names at fixed addresses.
func testResolver(name string) (uint32, bool) {
	switch name {
	case "printk":
		return 0xC0100000, true
	case "kmalloc":
		return 0xC0100008, true
	case "kfree", "copy_to_user", "copy_from_user", "up", "down_interruptible", "spin_lock", "spin_unlock":
		return 0xC0100010 + uint32(len(name)), true
	}
	return 0, false
}

func exampleObject(t testing.TB, name string) []byte {
	data, err := os.ReadFile("../../../testvectors/modules/" + name + ".o")
	require.NoError(t, err)
	return data
}

// Linking the example msgbox module: read-only sections before the
// writable ones, calls to the API relocated PC-relative to the stubs,
// data references absolute, and the syscall declarations readable.
func TestLinkMsgbox(t *testing.T) {
	obj := exampleObject(t, "msgbox")
	const base = 0xC0800000
	im, err := Link("msgbox", obj, base, testResolver)
	require.NoError(t, err)
	require.Equal(t, uint32(base), im.Base)
	require.Zero(t, len(im.Mem)%PageSize)
	require.Zero(t, im.ROSize%PageSize)
	for _, s := range im.Sections {
		if s.Writable {
			require.GreaterOrEqual(t, s.Addr, base+im.ROSize, s.Name)
		} else {
			require.Less(t, s.Addr, base+im.ROSize, s.Name)
		}
	}
	decls, err := im.Syscalls()
	require.NoError(t, err)
	require.Len(t, decls, 2)
	require.Equal(t, SyscallDecl{Nr: 500, NArgs: 2, Fn: decls[0].Fn, Name: "sys_dm510_msgbox_put"}, decls[0])
	require.Equal(t, uint32(501), decls[1].Nr)
	put, ok := im.Lookup("sys_dm510_msgbox_put")
	require.True(t, ok)
	require.Equal(t, put.Addr, decls[0].Fn)
	require.True(t, im.InText(put.Addr))
	s, off, ok := im.SymbolAt(put.Addr + 3)
	require.True(t, ok)
	require.Equal(t, "sys_dm510_msgbox_put", s.Name)
	require.Equal(t, uint32(3), off)

	// Every call to kmalloc in the text now lands on its stub: find
	// e8 rel32 whose target is the stub.
	calls := 0
	for i := 0; i+5 <= len(im.Mem[:im.ROSize]); i++ {
		if im.Mem[i] == 0xE8 {
			rel := binary.LittleEndian.Uint32(im.Mem[i+1:])
			if base+uint32(i)+5+rel == 0xC0100008 {
				calls++
			}
		}
	}
	require.GreaterOrEqual(t, calls, 2, "calls to kmalloc relocated to its stub")
}

func TestLinkErrors(t *testing.T) {
	obj := exampleObject(t, "msgbox")
	_, err := Link("m", obj, 0xC0800000, func(string) (uint32, bool) { return 0, false })
	var unk *UnknownSymbolsError
	require.True(t, errors.As(err, &unk))
	require.Contains(t, unk.Symbols, "kmalloc")
	require.Contains(t, err.Error(), "unknown symbol copy_from_user (used in .text+0x")

	_, err = Link("m", []byte("\x7fELF"), 0, testResolver)
	require.ErrorContains(t, err, "not an ELF object")

	// A relocation of an unsupported type names the type and section.
	bad := patchFirstRel(t, obj, ".rel.text", 10) // R_386_GOTPC
	_, err = Link("m", bad, 0xC0800000, testResolver)
	require.ErrorContains(t, err, "section .rel.text: unsupported relocation R_386_GOTPC at .text+0x")
	require.ErrorContains(t, err, "compile with -fno-pic")

	// A relocation pointing past its section.
	bad = patchFirstRelOffset(t, obj, ".rel.text", 0xFFFFFF00)
	_, err = Link("m", bad, 0xC0800000, testResolver)
	require.ErrorContains(t, err, "section .rel.text: relocation at .text+0xffffff00 lies outside its section")
}

// patchFirstRel changes the type of the first relocation in section.
func patchFirstRel(t *testing.T, obj []byte, section string, typ byte) []byte {
	out := bytes.Clone(obj)
	f, err := elf.NewFile(bytes.NewReader(obj))
	require.NoError(t, err)
	s := f.Section(section)
	require.NotNil(t, s)
	out[s.Offset+4] = typ
	return out
}

func patchFirstRelOffset(t *testing.T, obj []byte, section string, off uint32) []byte {
	out := bytes.Clone(obj)
	f, err := elf.NewFile(bytes.NewReader(obj))
	require.NoError(t, err)
	s := f.Section(section)
	binary.LittleEndian.PutUint32(out[s.Offset:], off)
	return out
}

// The linker never panics, whatever the bytes: a malformed object is an
// error.
func FuzzLink(f *testing.F) {
	for _, name := range []string{"msgbox", "msgbox_irq", "sayhello"} {
		data, err := os.ReadFile("../../../testvectors/modules/" + name + ".o")
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("\x7fELF\x01\x01\x01"))
	f.Fuzz(func(t *testing.T, obj []byte) {
		im, err := Link("fuzz", obj, 0xC0800000, testResolver)
		if err != nil {
			if im != nil {
				t.Fatal("image with an error")
			}
			return
		}
		if len(im.Mem)%PageSize != 0 || len(im.Mem) > MaxImage+2*PageSize {
			t.Fatalf("image of %d bytes", len(im.Mem))
		}
		im.Syscalls()
		for _, s := range im.Symbols {
			im.SymbolAt(s.Addr)
		}
	})
}
