package disasm

import (
	"os"
	"strings"
	"testing"
)

func TestLinesGNUSyntax(t *testing.T) {
	// push %ebp; mov %esp,%ebp; int $0x80; a call cut short (the end of
	// what could be read).
	code := []byte{0x55, 0x89, 0xe5, 0xcd, 0x80, 0xe8, 0x00}
	lines := Lines(code, 0x8049000, 10, nil)
	want := []string{"push %ebp", "mov %esp,%ebp", "int $0x80", "(bad)"}
	if len(lines) < len(want) {
		t.Fatalf("lines: %+v", lines)
	}
	for i, w := range want {
		if lines[i].Text != w {
			t.Errorf("line %d = %q, want %q", i, lines[i].Text, w)
		}
	}
	if lines[1].Addr != 0x8049001 || lines[1].Bytes != "89e5" {
		t.Errorf("line 1: %+v", lines[1])
	}
}

func TestSymbolsOfAStaticProgram(t *testing.T) {
	image, err := os.ReadFile("../../testvectors/bin/musl/hello")
	if err != nil {
		t.Skipf("test vector not built: %v", err)
	}
	s := NewSymbols(image)
	name, base := s.Lookup(0)
	if name != "" || base != 0 {
		t.Errorf("address 0 is %q", name)
	}
	// main is a function with a size; an address inside it is main+off.
	for i, n := range s.names {
		if n == "main" {
			if w := s.Where(s.addrs[i] + 1); w != "main+0x1" {
				t.Errorf("Where(main+1) = %q", w)
			}
			return
		}
	}
	t.Errorf("no main among %d symbols (%s...)", len(s.names), strings.Join(s.names[:min(5, len(s.names))], " "))
}

func TestCallLen(t *testing.T) {
	for _, c := range []struct {
		code []byte
		want int
	}{
		{[]byte{0xe8, 0x10, 0, 0, 0}, 5}, // call .+0x15
		{[]byte{0xe8, 0, 0, 0, 0}, 0},    // call .+5: reads EIP, never returns
		{[]byte{0xff, 0xd0}, 2},          // call *%eax
		{[]byte{0x89, 0xe5}, 0},          // mov
	} {
		if got := CallLen(c.code); got != c.want {
			t.Errorf("CallLen(% x) = %d, want %d", c.code, got, c.want)
		}
	}
}
