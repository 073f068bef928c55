//go:build !wasm

package site

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/app/ui"
	"trapdoor/wasm/grader"
	"trapdoor/wasm/protocol"
)

// shipModules copies the example kernel modules (testvectors/modules/*.o)
// into web/programs/modules, where the scenarios' modules go too, and
// lists them for the page's module picker.
func shipModules(vectors, web string) ([]protocol.ModuleEntry, error) {
	objs, err := filepath.Glob(filepath.Join(vectors, "modules", "*.o"))
	if err != nil {
		return nil, err
	}
	sort.Strings(objs)
	var mods []protocol.ModuleEntry
	for _, o := range objs {
		name := filepath.Base(o)
		url := grader.VectorURL("modules/" + name)
		if err := copyFile(o, filepath.Join(web, filepath.FromSlash(url))); err != nil {
			return nil, err
		}
		mods = append(mods, protocol.ModuleEntry{Name: name, URL: url,
			Purpose: Purpose(strings.TrimSuffix(o, ".o") + ".c")})
	}
	return mods, nil
}

// addModules puts the example modules' list into app.js (offline and in
// the prerendered page) and the modules into the service worker's cache
// (a few KB each).
func addModules(h *app.Handler, mods []protocol.ModuleEntry) {
	b, err := json.Marshal(mods)
	if err != nil {
		panic(err) // plain data
	}
	h.Env[ui.EnvModules] = string(b)
	for _, m := range mods {
		// The scenarios' modules are there already: a cache list with a
		// request twice fails the service worker's install.
		if r := "/web/" + m.URL; !slices.Contains(h.CacheableResources, r) {
			h.CacheableResources = append(h.CacheableResources, r)
		}
	}
}
