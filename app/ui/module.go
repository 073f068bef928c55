package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// Kernel modules on the page: the user picks example modules the site
// ships or uploads a .o; each load installs them under ModuleDir, where the
// worker links them into the kernel before the program starts
// (wasm/machine/module.go). The panel then shows what each binds in the
// syscall table and the kmalloc blocks module code holds.

// EnvModules carries the shipped example modules' list (app/site puts it
// in app.js).
const EnvModules = "TRAPDOOR_MODULES"

// moduleDir is where the worker loads modules from (machine.ModuleDir;
// the page does not link the emulator).
const moduleDir = "/lib/modules/"

// kmodChoice is the page's module selection.
type kmodChoice struct {
	examples []protocol.ModuleEntry
	envErr   string
	picked   map[string]bool // example modules to load, by name
	uploads  []protocol.File // uploaded modules: Path is the file's name
	err      string
	read     bool // examples read from the environment
}

func modulesFromEnv() ([]protocol.ModuleEntry, string) {
	s := app.Getenv(EnvModules)
	if s == "" {
		return nil, ""
	}
	var l []protocol.ModuleEntry
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, "the module list is damaged: " + err.Error()
	}
	return l, ""
}

// files are the modules a load installs, in the order the user chose
// examples (by name) then uploads.
func (c *kmodChoice) files() []protocol.File {
	var fs []protocol.File
	for _, m := range c.examples {
		if c.picked[m.Name] {
			fs = append(fs, protocol.File{Path: moduleDir + m.Name, URL: m.URL})
		}
	}
	for _, u := range c.uploads {
		fs = append(fs, protocol.File{Path: moduleDir + u.Path, Data: u.Data})
	}
	return fs
}

// any reports whether a module is chosen.
func (c *kmodChoice) any() bool { return len(c.files()) > 0 }

// toggle picks or drops an example module.
func (c *kmodChoice) toggle(name string) {
	if c.picked == nil {
		c.picked = map[string]bool{}
	}
	c.picked[name] = !c.picked[name]
}

// addUpload takes an uploaded file as a module: an ELF relocatable object
// (the worker's linker says what else is wrong with it).
func (c *kmodChoice) addUpload(name string, data []byte) {
	c.err = ""
	if !strings.HasSuffix(name, ".o") {
		name += ".o"
	}
	if len(data) < 18 || string(data[:4]) != "\x7fELF" || data[16] != 1 {
		c.err = fmt.Sprintf("%s is not a relocatable ELF object (build it with gcc -m32 -c)", name)
		return
	}
	for i, u := range c.uploads {
		if u.Path == name {
			c.uploads[i].Data = data
			return
		}
	}
	c.uploads = append(c.uploads, protocol.File{Path: name, Data: data})
}

// drop removes an uploaded module.
func (c *kmodChoice) drop(name string) {
	for i, u := range c.uploads {
		if u.Path == name {
			c.uploads = append(c.uploads[:i], c.uploads[i+1:]...)
			return
		}
	}
}

// modulesKey is where the module choice is kept in localStorage, so a
// reload loads the same modules.
const modulesKey = "trapdoor-modules"

// savedModules is the module choice as kept.
type savedModules struct {
	Picked  []string        `json:"picked,omitempty"`
	Uploads []protocol.File `json:"uploads,omitempty"`
}

// save keeps the choice for next time.
func (c *kmodChoice) save(ctx app.Context) {
	s := savedModules{Uploads: c.uploads}
	for _, m := range c.examples {
		if c.picked[m.Name] {
			s.Picked = append(s.Picked, m.Name)
		}
	}
	if err := ctx.LocalStorage().Set(modulesKey, s); err != nil {
		c.err = "the browser would not keep the modules for next time (storage full?): " + err.Error()
	}
}

// restore reads the kept choice (in the browser, when the page mounts).
func (c *kmodChoice) restore(ctx app.Context) {
	var s savedModules
	if err := ctx.LocalStorage().Get(modulesKey, &s); err != nil {
		c.err = "your saved modules could not be read: " + err.Error()
		return
	}
	c.picked = map[string]bool{}
	for _, n := range s.Picked {
		c.picked[n] = true
	}
	c.uploads = s.Uploads
}
