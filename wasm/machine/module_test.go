package machine

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// moduleFile is an example module from testvectors/modules, installed
// where Start loads modules from.
func moduleFile(t *testing.T, name string) protocol.File {
	b, err := os.ReadFile("../../testvectors/modules/" + name)
	if err != nil {
		t.Fatalf("example module: %v", err)
	}
	return protocol.File{Path: ModuleDir + name, Data: b}
}

// settle runs a session's slices until it stops and returns what the page
// then sees.
func settle(s *session.Session) protocol.Event {
	for s.Active() {
		s.Slice()
	}
	return s.Flush()
}

// Stepping from testit's first msgbox_put int $0x80 goes into the msgbox
// module's sys_dm510_msgbox_put at CPL 0, one instruction a step, with the
// module's symbols in the code view, and comes back to the instruction
// after the int; the program then passes.
func TestModuleStepThroughSyscall(t *testing.T) {
	elf := program(t, "musl", "testit")
	s := session.New(Start, nil, "")
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: "testit", Data: elf, Args: []string{"testit"},
		Files: []protocol.File{moduleFile(t, "msgbox.o")}})
	if e.State != protocol.StateLoaded {
		t.Fatalf("load: %+v", e)
	}
	e = s.Flush()
	mods := e.Kernel.Modules
	if mods == nil || len(mods.Modules) != 1 || mods.Modules[0].Name != "msgbox" || len(mods.Modules[0].Syscalls) != 2 ||
		mods.Modules[0].Syscalls[0].Nr != 500 || mods.Modules[0].Syscalls[1].Nr != 501 {
		t.Fatalf("modules panel after load: %+v", mods)
	}
	// To the first put's int $0x80 (eax 500), an instruction at a time.
	for i := 0; ; i++ {
		if i > 20000 {
			t.Fatal("no int $0x80 with eax 500 within 20000 steps")
		}
		s.Handle(protocol.Request{Type: protocol.Step})
		e = settle(s)
		if len(e.Code) > 0 && strings.HasPrefix(e.Code[0].Text, "int") && e.Regs.GPR[0] == 500 {
			break
		}
	}
	int80 := e.EIP
	s.Handle(protocol.Request{Type: protocol.Step})
	e = settle(s)
	if e.EIP < 0xC0000000 || len(e.Code) == 0 || !strings.HasPrefix(e.Code[0].Where, "sys_dm510_msgbox_put+0x0/") ||
		!strings.HasSuffix(e.Code[0].Where, "[msgbox]") || e.Kernel.Modules.In == "" {
		t.Fatalf("one step from int $0x80 at %#x: eip %#x, code %+v, modules %+v", int80, e.EIP, e.Code[:min(1, len(e.Code))], e.Kernel.Modules)
	}
	if e.Regs.GPR[4] < 0xC0000000 {
		t.Errorf("esp %#x inside the module: not the kernel stack", e.Regs.GPR[4])
	}
	steps, eips := 1, map[uint32]bool{}
	for e.EIP >= 0xC0000000 {
		if steps > 2000 {
			t.Fatalf("still in the kernel after %d steps, at %#x %+v", steps, e.EIP, e.Code[:min(1, len(e.Code))])
		}
		eips[e.EIP] = true
		before := e.Instructions
		s.Handle(protocol.Request{Type: protocol.Step})
		e = settle(s)
		if e.EIP >= 0xC0000000 && e.Instructions == before {
			t.Fatalf("step %d made no progress at %#x", steps, e.EIP)
		}
		steps++
	}
	if e.EIP != int80+2 {
		t.Errorf("back in user code at %#x, want the instruction after the int at %#x", e.EIP, int80+2)
	}
	if e.Regs.GPR[0] != 0 {
		t.Errorf("msgbox_put returned %d", int32(e.Regs.GPR[0]))
	}
	if len(eips) < 20 {
		t.Errorf("only %d distinct kernel addresses stepped through", len(eips))
	}
	t.Logf("%d steps through the module, %d distinct addresses; kmalloc now %d bytes in %d blocks",
		steps, len(eips), e.Kernel.Modules.HeapBytes, e.Kernel.Modules.HeapCount)
	if a := e.Kernel.Modules.Allocations; len(a) == 0 || !strings.Contains(a[0].Caller, "[msgbox]") {
		t.Errorf("allocations after a put: %+v", a)
	}
	s.Handle(protocol.Request{Type: protocol.Run})
	var out strings.Builder
	for s.Active() {
		for _, o := range s.Slice().Output {
			out.WriteString(o.Text)
		}
	}
	for _, o := range s.Flush().Output {
		out.WriteString(o.Text)
	}
	if !strings.Contains(out.String(), "testit: all ok") {
		t.Errorf("testit after stepping through the module:\n%s", out.String())
	}
}

func TestModuleLoadRefusesBadObject(t *testing.T) {
	elf := program(t, "musl", "testit")
	s := session.New(Start, nil, "")
	e := s.Handle(protocol.Request{Type: protocol.Load, Name: "testit", Data: elf,
		Files: []protocol.File{{Path: ModuleDir + "junk.o", Data: []byte("not an object")}}})
	if e.State != protocol.StateFailed || !strings.Contains(e.Error, "junk.o") {
		t.Errorf("loading junk as a module: %s %q", e.State, e.Error)
	}
}

// Step over a call inside module code (to a helper of the module or the
// kernel API) stops at the module instruction after it.
func TestModuleStepOverCall(t *testing.T) {
	elf := program(t, "musl", "testit")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "testit", Data: elf, Args: []string{"testit"},
		Files: []protocol.File{moduleFile(t, "msgbox.o")}})
	e := s.Flush()
	for i := 0; e.EIP < 0xC0000000; i++ {
		if i > 20000 {
			t.Fatal("never entered the module")
		}
		s.Handle(protocol.Request{Type: protocol.Step})
		e = settle(s)
	}
	calls := 0
	for i := 0; i < 300 && e.EIP >= 0xC0000000; i++ {
		if strings.HasPrefix(e.Code[0].Text, "call") {
			next, before := e.Code[1].Addr, e.Instructions
			s.Handle(protocol.Request{Type: protocol.StepOver})
			e = settle(s)
			if e.State != protocol.StatePaused || e.EIP != next || e.Instructions <= before+1 {
				t.Fatalf("step over %q: %s at %#x (%s), want %#x", e.Code[0].Text, e.State, e.EIP, e.Code[0].Where, next)
			}
			calls++
			continue
		}
		s.Handle(protocol.Request{Type: protocol.Step})
		e = settle(s)
	}
	if calls == 0 {
		t.Fatal("no call stepped over in the module")
	}
	t.Logf("%d calls stepped over in module code", calls)
}

// An address breakpoint in module code stops the CPU there, inside the
// call, and Run goes on from it to the program's end.
func TestModuleAddressBreakpoint(t *testing.T) {
	elf := program(t, "musl", "testit")
	s := session.New(Start, nil, "")
	s.Handle(protocol.Request{Type: protocol.Load, Name: "testit", Data: elf, Args: []string{"testit"},
		Files: []protocol.File{moduleFile(t, "msgbox.o")}})
	e := s.Flush()
	put := uint32(0)
	// sys_dm510_msgbox_put's address, from the code view one step in.
	for i := 0; i < 20000 && put == 0; i++ {
		s.Handle(protocol.Request{Type: protocol.Step})
		e = settle(s)
		if len(e.Code) > 0 && strings.HasPrefix(e.Code[0].Where, "sys_dm510_msgbox_put+0x0/") {
			put = e.EIP
		}
	}
	if put == 0 {
		t.Fatal("never stepped into sys_dm510_msgbox_put")
	}
	s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: []string{fmt.Sprintf("%#x", put)}})
	hits := 0
	s.Handle(protocol.Request{Type: protocol.Run})
	for {
		e = settle(s)
		if e.State != protocol.StatePaused {
			break
		}
		if e.EIP != put || !strings.Contains(e.Stop, "breakpoint") {
			t.Fatalf("paused at %#x (%q), want the breakpoint at %#x", e.EIP, e.Stop, put)
		}
		hits++
		s.Handle(protocol.Request{Type: protocol.Run})
	}
	// testit puts three messages; the first put was stepped into above.
	if e.State != protocol.StateExited || hits != 2 {
		t.Errorf("%s after %d breakpoint hits in sys_dm510_msgbox_put, want exited after 2", e.State, hits)
	}
}
