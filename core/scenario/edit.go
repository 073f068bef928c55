package scenario

import (
	"bytes"
	"fmt"
	"strings"
)

// AddModule puts a kernel module into the scenario, as someone working on
// a scenario in the page does with their own .o: loaded after the
// modules the scenario has, or in place of the one of that name. The
// module takes a slot (the one the replaced module had, else
// "module-NAME"), filled as EmbedProgram fills a slot: an object of up
// to MaxEmbedBytes rides in the scenario and its links, a larger one is
// pinned by sha256 and asked for when the scenario is opened. It returns
// whether obj rides in the scenario. On error sc is unchanged.
func AddModule(sc *Scenario, name string, obj []byte) (bool, error) {
	name = strings.TrimSuffix(name, ".o")
	if !namePattern.MatchString(name) {
		return false, fmt.Errorf("module name %q: use letters, digits, '_', '-' and '.'", name)
	}
	if len(obj) < 4 || !bytes.Equal(obj[:4], []byte("\x7fELF")) {
		return false, fmt.Errorf("module %s: not an ELF object (a module is an i386 relocatable .o)", name)
	}
	edited := *sc
	edited.Modules = append([]Module(nil), sc.Modules...)
	slot := "module-" + name
	at := -1
	for i, m := range edited.Modules {
		if m.Name == name {
			at = i
			if m.Slot != "" {
				slot = m.Slot
			}
		}
	}
	m := Module{Name: name, Slot: slot}
	if at < 0 {
		edited.Modules = append(edited.Modules, m)
	} else {
		edited.Modules[at] = m
	}
	embedded, err := EmbedProgram(&edited, slot, obj)
	if err == nil {
		err = edited.validate()
	}
	if err != nil {
		return false, fmt.Errorf("module %s: %v", name, err)
	}
	*sc = edited
	return embedded, nil
}
