//go:build !wasm

package site

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"trapdoor/core/scenario"
	"trapdoor/wasm/grader"
)

// The site ships every scenario of the library and every test vector
// they name where the worker's grader fetches it: a scenario graded
// against the shipped files gives the report it gives from the
// repository.
func TestShipScenarios(t *testing.T) {
	web := t.TempDir()
	lib, err := shipScenarios("../../testvectors", web)
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	if len(lib.entries) != len(paths) || len(paths) == 0 {
		t.Fatalf("%d entries for %d scenarios", len(lib.entries), len(paths))
	}
	fromWeb := scenario.MapResolver{Vectors: map[string][]byte{}}
	for _, e := range lib.entries {
		data, err := os.ReadFile(filepath.Join(web, e.File))
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		sc, err := scenario.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		if e.Title != sc.Title || e.Checks != len(sc.Checks) || e.Slots != len(sc.Slots()) {
			t.Errorf("%s: index entry %+v", e.ID, e)
		}
		for _, f := range sc.Files {
			for _, v := range []string{f.Vector, f.Default} {
				if v == "" {
					continue
				}
				b, err := os.ReadFile(filepath.Join(web, grader.VectorURL(v)))
				if err != nil {
					t.Errorf("%s: vector %s not shipped: %v", e.ID, v, err)
				}
				fromWeb.Vectors[v] = b
			}
		}
		for _, m := range sc.Modules {
			if m.Vector+m.Default == "" {
				continue
			}
			v := m.Vector + m.Default // one of them
			b, err := os.ReadFile(filepath.Join(web, grader.VectorURL(v)))
			if err != nil {
				t.Errorf("%s: module %s not shipped: %v", e.ID, v, err)
			}
			fromWeb.Vectors[v] = b
		}
	}
	// Kernel modules are small and precached; so is busybox (2 MB), for
	// the workbench's shell offline.
	if !slices.Contains(lib.cache, "programs/modules/msgbox.o") || !slices.Contains(lib.cache, "programs/thirdparty/busybox") {
		t.Errorf("precached: %v", lib.cache)
	}
	for _, c := range lib.cache {
		if _, err := os.Stat(filepath.Join(web, c)); err != nil {
			t.Errorf("precached %s is not in the site", c)
		}
	}
	// Course scenarios come first.
	if !strings.HasPrefix(lib.entries[0].ID, "dm510") {
		t.Errorf("first entry %s", lib.entries[0].ID)
	}
	// A module scenario graded from the shipped files.
	data, _ := os.ReadFile(filepath.Join(web, "scenarios", "dm510-module.json"))
	rep, err := scenario.Grade(data, fromWeb)
	if err != nil || !rep.Passed {
		t.Errorf("dm510-module from the site's files: %v %+v", err, rep)
	}
}

func TestShipScenariosRefusesABadOne(t *testing.T) {
	vectors := t.TempDir()
	os.MkdirAll(filepath.Join(vectors, "scenarios"), 0o755)
	os.WriteFile(filepath.Join(vectors, "scenarios", "bad.json"), []byte(`{"trapdoor_scenario": 7}`), 0o644)
	if _, err := shipScenarios(vectors, t.TempDir()); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("a bad scenario in the library: %v", err)
	}
}
