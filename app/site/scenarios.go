//go:build !wasm

package site

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/app/ui"
	"trapdoor/core/scenario"
	"trapdoor/wasm/grader"
	"trapdoor/wasm/protocol"
)

// scenarioLibrary is what the site ships for the scenario view (issue 6):
// the library's index for the page and the files to precache.
type scenarioLibrary struct {
	entries []protocol.ScenarioEntry
	cache   []string // under web/
}

// shipScenarios copies testvectors/scenarios/*.json to web/scenarios and
// the test vectors they name that the program catalog does not ship
// (kernel modules, busybox) to web/programs, where the worker's grader
// fetches every vector. A scenario that does not parse fails the build:
// the library never ships a scenario the page cannot open.
func shipScenarios(vectors, web string) (*scenarioLibrary, error) {
	paths, err := filepath.Glob(filepath.Join(vectors, "scenarios", "*.json"))
	if err != nil {
		return nil, err
	}
	lib := &scenarioLibrary{}
	names := map[string]bool{}
	// The workbench's shell runs busybox whether a scenario names it or
	// not (a tree without it has no shell: its load says the fetch failed).
	if _, err := os.Stat(filepath.Join(vectors, "bin", filepath.FromSlash(protocol.ShellVector))); err == nil {
		names[protocol.ShellVector] = true
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		sc, err := scenario.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %v", p, err)
		}
		file := path.Join("scenarios", filepath.Base(p))
		if err := copyFile(p, filepath.Join(web, filepath.FromSlash(file))); err != nil {
			return nil, err
		}
		lib.cache = append(lib.cache, file)
		id := strings.TrimSuffix(filepath.Base(p), ".json")
		lib.entries = append(lib.entries, protocol.ScenarioEntry{ID: id, File: file, Title: sc.Title,
			Course: sc.Course, Description: sc.Description, Slots: len(sc.Slots()), Checks: len(sc.Checks)})
		for _, f := range sc.Files {
			names[f.Vector], names[f.Default] = true, true
		}
		for _, m := range sc.Modules {
			names[m.Vector], names[m.Default] = true, true
		}
	}
	delete(names, "")
	for name := range names {
		src := filepath.Join(vectors, "bin", filepath.FromSlash(name))
		if strings.HasPrefix(name, "modules/") {
			src = filepath.Join(vectors, filepath.FromSlash(name))
		}
		info, err := os.Stat(src)
		if err != nil {
			return nil, fmt.Errorf("a scenario names test vector %s: %v", name, err)
		}
		if err := copyFile(src, filepath.Join(web, filepath.FromSlash(grader.VectorURL(name)))); err != nil {
			return nil, err
		}
		// Large ones are cached when first fetched, as glibc programs
		// are; the rest work offline from the first visit. Busybox (2 MB)
		// is precached for the shell: a worker started before the service
		// worker took control of the first visit's page fetches past it,
		// so "cached when first fetched" could miss it.
		if info.Size() <= 256<<10 || name == protocol.ShellVector {
			lib.cache = append(lib.cache, grader.VectorURL(name))
		}
	}
	sort.SliceStable(lib.entries, func(i, j int) bool {
		return courseRank(lib.entries[i].Course) < courseRank(lib.entries[j].Course)
	})
	sort.Strings(lib.cache)
	return lib, nil
}

// courseRank lists the course scenarios before Trapdoor's own.
func courseRank(course string) int {
	for i, c := range []string{"DM510", "NCTU HW4", "INFO0940"} {
		if course == c {
			return i
		}
	}
	return 9
}

// addTo puts the library into the page (its index in app.js, so it is
// there offline and prerendered) and into the service worker's cache.
func (lib *scenarioLibrary) addTo(h *app.Handler) {
	b, err := json.Marshal(lib.entries)
	if err != nil {
		panic(err) // plain data
	}
	h.Env[ui.EnvScenarios] = string(b)
	h.Styles = append(h.Styles, "/web/scenario.css")
	h.CacheableResources = append(h.CacheableResources, "/web/scenario.css")
	for _, f := range lib.cache {
		h.CacheableResources = append(h.CacheableResources, "/web/"+f)
	}
}
