package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinkRoundTrip(t *testing.T) {
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	for _, p := range paths {
		sc := loadScenario(t, p)
		link := EncodeLink("https://example.org/trapdoor/?x=1#old", sc)
		if !strings.HasPrefix(link, "https://example.org/trapdoor/?x=1#s1=") {
			t.Fatalf("%s: link %q", p, link)
		}
		back, err := DecodeLink(link)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !bytes.Equal(Marshal(back), Marshal(sc)) {
			t.Fatalf("%s: the link does not restore the scenario", p)
		}
		// The fragment alone, and without '#', decode too.
		frag := link[strings.IndexByte(link, '#'):]
		for _, l := range []string{frag, frag[1:]} {
			if _, err := DecodeLink(l); err != nil {
				t.Fatalf("%s: %q: %v", p, l, err)
			}
		}
	}
}

// oldLinks were made by earlier versions of Trapdoor and must keep
// opening. Add one whenever the link or scenario format changes.
var oldLinks = []struct {
	link, id string
}{
	// s1, scenario format 1: hello with a check on its output.
	{"http://localhost:8080/#s1=" + linkS1Hello, "old-hello"},
}

// linkS1Hello is an s1 payload frozen when s1 was introduced.
const linkS1Hello = "TI7BagQhEER_RepsWJKjt3xHGIJRB5vtsUVbchj89zCZnWWPVf36UTu0-RpF2ncPqfhGAvduQREOwvEtJ2aBhZJygsOnYSp3szbZjOZkVmpdH520zSssNh8ylQS3T4uVOHW4rx3Va4bD7YfK7dJ2FoXDFWNa_eCj2UbnBzUXi66pnpb_ZRffRnmmAws5hfsLJ0PrOCZVoaId7uNUvSi6RhkKtyNIUU_leD-v1vxK44hlzmX-BQAA__8"

func TestOldLinksOpen(t *testing.T) {
	for _, o := range oldLinks {
		sc, err := DecodeLink(o.link)
		if err != nil {
			t.Fatalf("old link no longer opens: %v", err)
		}
		if sc.ID != o.id {
			t.Fatalf("old link opens %q, want %q", sc.ID, o.id)
		}
		if r := Run(sc, diskResolver{}); !r.Passed {
			t.Fatalf("old link's scenario fails:\n%s", r.Marshal())
		}
	}
}

func TestLinkErrors(t *testing.T) {
	for _, tc := range []struct{ link, want string }{
		{"http://localhost:8080/", "no scenario in it"},
		{"http://localhost:8080/#", "no scenario in it"},
		{"#s9=abc", `unknown link version "s9"`},
		{"#s1=***", "damaged (not base64url)"},
		{"#s1=" + linkS1Hello[:40], "damaged (does not decompress)"},
		{"#s1=", "nothing after s1="},
	} {
		if _, err := DecodeLink(tc.link); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeLink(%q) = %v, want an error containing %q", tc.link, err, tc.want)
		}
	}
}

// TestEmbeddedProgram: a small program rides in the link and is used
// when nobody supplies one; a large one is pinned by hash, so opening
// the link with another program is refused and with the same one works.
func TestEmbeddedProgram(t *testing.T) {
	small, err := os.ReadFile(filepath.Join(vectorDir, "musl/crash_segv"))
	if err != nil {
		t.Fatal(err)
	}
	sc := loadScenario(t, "../../testvectors/scenarios/hello.json")
	embedded, err := EmbedProgram(sc, "hello", small)
	if err != nil || !embedded {
		t.Fatalf("EmbedProgram(%d bytes) = %v, %v", len(small), embedded, err)
	}
	back, err := DecodeLink(EncodeLink("http://x/", sc))
	if err != nil {
		t.Fatal(err)
	}
	r := Run(back, diskResolver{})
	if r.Files[0].Source != "slot hello (embedded)" || checkByID(t, r, "exit").Got != "killed by SIGSEGV" {
		t.Fatalf("the embedded program did not run:\n%s", r.Marshal())
	}

	large, err := os.ReadFile(filepath.Join(vectorDir, "glibc/hello"))
	if err != nil {
		t.Fatal(err)
	}
	sc = loadScenario(t, "../../testvectors/scenarios/hello.json")
	if embedded, err := EmbedProgram(sc, "hello", large); err != nil || embedded {
		t.Fatalf("a %d-byte program must be referenced, not embedded (%v)", len(large), err)
	}
	link := EncodeLink("http://x/", sc)
	if len(link) > 4096 {
		t.Errorf("a referenced program should keep the link short: %d bytes", len(link))
	}
	back, _ = DecodeLink(link)
	if r := Run(back, diskResolver{}); !strings.Contains(r.Error, "the scenario pins") {
		t.Fatalf("the default program ran in place of the pinned one: %q", r.Error)
	}
	// The pinned glibc build runs (not the musl default) and passes.
	r = Run(back, diskResolver{slots: map[string]string{"hello": "glibc/hello"}})
	if r.Error != "" || !r.Passed || r.Files[0].Bytes != len(large) {
		t.Fatalf("the pinned program did not run as itself:\n%s", r.Marshal())
	}
	if _, err := EmbedProgram(sc, "nope", small); err == nil || !strings.Contains(err.Error(), "no such slot (the scenario has hello)") {
		t.Fatalf("unknown slot: %v", err)
	}
}
