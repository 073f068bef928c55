package scenario

import (
	"strings"
	"testing"
)

// A student's message box module added to a scenario that had none:
// testit then runs against the module, and the scenario still reads back
// from its canonical JSON (a link).
func TestAddModule(t *testing.T) {
	sc := loadScenario(t, "../../testvectors/scenarios/dm510-testit-keep.json")
	obj, err := diskResolver{}.Vector("modules/msgbox.o")
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := AddModule(sc, "msgbox.o", obj)
	if err != nil || !embedded {
		t.Fatalf("AddModule: %v (embedded %v)", err, embedded)
	}
	m := sc.Modules[0]
	if len(sc.Modules) != 1 || m.Name != "msgbox" || m.Slot != "module-msgbox" || m.SHA256 != sha256Hex(obj) {
		t.Fatalf("modules %+v", sc.Modules)
	}
	back, err := Parse(Marshal(sc))
	if err != nil {
		t.Fatalf("the edited scenario does not read back: %v", err)
	}
	// The module did the work: its calls are counted (the built-in box
	// has none).
	one := int64(1)
	back.Checks = append(back.Checks, Check{ID: "module-used", State: &StateCheck{Value: "module_calls", Expect: &Matcher{Ge: &one}}})
	rep := Run(back, diskResolver{})
	if !rep.Passed || rep.Files[len(rep.Files)-1].Path != "module msgbox" || rep.Files[len(rep.Files)-1].Source != "slot module-msgbox (embedded)" {
		t.Fatalf("graded with the module: %s", rep.Marshal())
	}
	if c := checkByID(t, rep, "module-used"); !c.Passed {
		t.Fatalf("the module was not called: %+v", c)
	}

	// Adding a module of a name the scenario has replaces it, in its slot.
	mod := loadScenario(t, "../../testvectors/scenarios/dm510-module.json")
	irq, _ := diskResolver{}.Vector("modules/msgbox_irq.o")
	if _, err := AddModule(mod, "msgbox", irq); err != nil {
		t.Fatal(err)
	}
	if len(mod.Modules) != 1 || mod.Modules[0].Slot != "module" || mod.Modules[0].Default != "" || mod.Modules[0].SHA256 != sha256Hex(irq) {
		t.Fatalf("replaced: %+v", mod.Modules)
	}

	// Refused, and the scenario unchanged.
	before := string(Marshal(sc))
	for _, tc := range []struct {
		name string
		obj  []byte
		want string
	}{
		{"../x", obj, "module name"},
		{"notes", []byte("hello"), "not an ELF object"},
	} {
		if _, err := AddModule(sc, tc.name, tc.obj); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if string(Marshal(sc)) != before {
		t.Error("a refused module changed the scenario")
	}
	// Too big for a link: pinned, and asked for.
	big := append(append([]byte(nil), obj...), make([]byte, MaxEmbedBytes)...)
	embedded, err = AddModule(sc, "big", big)
	if err != nil || embedded || sc.Modules[1].Base64 != "" || !sc.Slots()[len(sc.Slots())-1].Required {
		t.Fatalf("a big module: %v, embedded %v, %+v", err, embedded, sc.Modules[1])
	}
}
