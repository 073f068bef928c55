package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedScenarios adds the shipped scenarios and a few broken ones.
func seedScenarios(f *testing.F) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			seeds = append(seeds, b)
		}
	}
	seeds = append(seeds, []byte(`{"trapdoor_scenario": 1, "steps": [{"wait": true}], "checks": [{"trace": {"calls": [{"name": "x", "args": [null, {"re": "a"}, 1, "s"], "ret": {"ge": 0}}]}}]}`),
		[]byte(`{"trapdoor_scenario": 2}`), []byte(`[`), []byte(`{"trapdoor_scenario": 1, "steps": [{"run": "/a"}]}`))
	return seeds
}

// FuzzParse: Parse never panics, and what it accepts has a canonical
// form that parses back to the same canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range seedScenarios(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		canon := Marshal(sc)
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("the canonical form of an accepted scenario is refused: %v\n%s", err, canon)
		}
		if !bytes.Equal(Marshal(again), canon) {
			t.Fatalf("canonical form is not a fixed point:\n%s\n---\n%s", canon, Marshal(again))
		}
	})
}

// FuzzDecodeLink: the link decoder never panics on any text, and a link
// it accepts re-encodes to a link that decodes to the same scenario.
func FuzzDecodeLink(f *testing.F) {
	for _, s := range seedScenarios(f) {
		if sc, err := Parse(s); err == nil {
			f.Add(EncodeLink("http://localhost:8080/", sc))
		}
	}
	f.Add("#s1=" + linkS1Hello)
	f.Add("#s1=AAAA")
	f.Add("#s2=")
	f.Fuzz(func(t *testing.T, link string) {
		sc, err := DecodeLink(link)
		if err != nil {
			return
		}
		back, err := DecodeLink(EncodeLink("http://x/", sc))
		if err != nil || !bytes.Equal(Marshal(back), Marshal(sc)) {
			t.Fatalf("re-encoded link does not round-trip: %v", err)
		}
	})
}

// FuzzRun: whatever scenario parses, running and grading it never
// panics and gives a report that marshals (programs: hello and
// crash_segv; every run is cut at a million instructions).
func FuzzRun(f *testing.F) {
	hello, err1 := os.ReadFile(filepath.Join(vectorDir, "musl/hello"))
	segv, err2 := os.ReadFile(filepath.Join(vectorDir, "musl/crash_segv"))
	if err1 != nil || err2 != nil {
		f.Skip("test vectors not built")
	}
	r := MapResolver{Vectors: map[string][]byte{"musl/hello": hello, "musl/crash_segv": segv}}
	f.Add([]byte(`{"trapdoor_scenario": 1, "files": [{"path": "/bin/h", "vector": "musl/hello"}, {"path": "/bin/s", "slot": "s", "default": "musl/crash_segv"}],
		"steps": [{"id": "a", "run": "h", "stdin": "x"}, {"id": "b", "run": "s", "background": true}, {"wait": true}],
		"checks": [{"step": "a", "exit": {"status": 0}}, {"step": "b", "exit": {"signal": "SIGSEGV"}}, {"stdout": {"regex": "hel+o", "contains": ["a"]}},
			{"step": "a", "trace": {"order": "exact", "calls": [{"name": "writev", "args": [1, {"re": "w"}], "ret": {"gt": 0}}]}},
			{"step": "b", "trace": {"order": "each", "calls": [{"signal": "SIGSEGV", "siginfo": {"si_code": "SEGV_MAPERR"}, "count": {"le": 2}}]}},
			{"log": {"level": "info", "contains": "segfault"}},
			{"step": "a", "state": {"value": "cmdline", "at": {"name": "exit_group"}, "process": "main", "expect": {"prefix": "h"}}},
			{"state": {"value": "msgbox_depth", "expect": 0}}, {"step": "b", "state": {"value": "vma_count", "expect": {"ge": 1}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(data)
		if err != nil {
			return
		}
		sc.Machine.MaxInstructions = 1_000_000
		sc.Machine.Clock = ""
		if sc.Machine.Memory == 0 || sc.Machine.Memory > 64<<20 {
			sc.Machine.Memory = 64 << 20
		}
		rep := Run(sc, r)
		if len(rep.Marshal()) == 0 || len(rep.Checks) != len(sc.Checks) {
			t.Fatal("bad report")
		}
	})
}
