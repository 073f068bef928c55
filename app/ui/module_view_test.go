package ui

import (
	"regexp"
	"testing"

	"trapdoor/wasm/protocol"
)

var modulesMeta = regexp.MustCompile(`id="modules-meta"[^>]*>([^<]*)<`)

func moduleHeader(t *testing.T, w *Workbench) string {
	t.Helper()
	m := modulesMeta.FindStringSubmatch(html(w))
	if m == nil {
		t.Fatal("no #modules-meta in the page")
	}
	return m[1]
}

// The modules panel's header says what the machine has loaded: a
// scenario's module counts though the user picked none, and the user's
// picks count only until a machine has them.
func TestModuleHeaderNamesTheLoadedModules(t *testing.T) {
	w := newWorkbench(t)
	sentTo(t, w)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	if h := moduleHeader(t, w); h != "none loaded" {
		t.Errorf("before anything: %q", h)
	}
	w.kmods.read = true
	w.kmods.examples = []protocol.ModuleEntry{{Name: "sayhello.o", URL: "programs/modules/sayhello.o"}}
	w.kmods.toggle("sayhello.o")
	if h := moduleHeader(t, w); h != "1 chosen, loaded with the program" {
		t.Errorf("one pick, no program: %q", h)
	}

	// A scenario's machine: its module, none picked.
	w.kmods.toggle("sayhello.o")
	w.run(appCtx(), appEvent())
	mods := &protocol.ModuleState{Modules: []protocol.Module{{Name: "msgbox", Base: 0xd0000000, Size: 4096,
		Syscalls: []protocol.ModuleSyscall{{Nr: 500, Name: "sys_dm510_msgbox_put", Args: 2}}}}}
	w.apply(protocol.Event{Type: protocol.Update, Gen: w.gen, State: protocol.StatePaused,
		Kernel: &protocol.KernelState{Modules: mods}})
	if h := moduleHeader(t, w); h != "1 loaded: msgbox" {
		t.Errorf("a scenario's module loaded: %q", h)
	}
	mods.In = "sys_dm510_msgbox_put+0x4/0x80 [msgbox]"
	if h := moduleHeader(t, w); h != "CPU in sys_dm510_msgbox_put+0x4/0x80 [msgbox], CPL 0" {
		t.Errorf("inside the module: %q", h)
	}
}
