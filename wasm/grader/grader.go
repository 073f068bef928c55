// Package grader is the emulator worker's scenario side (issue 6): it
// reads scenarios and links, makes links and grades, all through
// core/scenario, so the page's report is the one `trapdoor grade`
// prints. Test vectors come from the site (web/programs/NAME, fetched
// relative to the worker script). Pure Go: tested natively.
package grader

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"trapdoor/core/scenario"
	"trapdoor/wasm/protocol"
)

// Fetcher returns the bytes at url, relative to the worker script.
type Fetcher func(url string) ([]byte, error)

// VectorURL is where the site puts a test vector: web/programs/NAME
// (musl/hello, thirdparty/busybox, modules/msgbox.o).
func VectorURL(name string) string { return "programs/" + name }

// Grader answers scenario requests. Fetched vectors are kept: a page
// grades the same scenario again and again.
type Grader struct {
	fetch   Fetcher
	vectors map[string][]byte
	// Progress, when set, gets ScenarioProgress events while a grade
	// runs (the worker posts them: the page shows what is running).
	Progress func(protocol.ScenarioEvent)
}

// New returns a Grader fetching vectors with fetch.
func New(fetch Fetcher) *Grader {
	return &Grader{fetch: fetch, vectors: map[string][]byte{}}
}

// Handle answers one request. It never panics on a bad scenario: every
// problem comes back as the event's Error (or the report's).
func (g *Grader) Handle(r protocol.ScenarioRequest) (ev protocol.ScenarioEvent) {
	ev = protocol.ScenarioEvent{Type: protocol.ScenarioAnswer, ID: r.ID}
	defer func() {
		if p := recover(); p != nil {
			ev.Error = fmt.Sprintf("the grader crashed (a bug in Trapdoor): %v", p)
		}
	}()
	sc, err := g.read(r)
	if err != nil {
		ev.Error = err.Error()
		return ev
	}
	switch r.Type {
	case protocol.ScenarioAddModule:
		if r.Module == nil {
			ev.Error = "no module to add"
			return ev
		}
		if _, err := scenario.AddModule(sc, r.Module.Name, r.Module.Data); err != nil {
			ev.Error = err.Error()
			return ev
		}
		fallthrough // the variant, opened
	case protocol.ScenarioOpen:
		ev.Info = g.info(sc, r.Programs)
		ev.Link, err = link(r.Base, sc, r.Programs)
		if err != nil {
			ev.Error = err.Error()
		}
	case protocol.ScenarioGrade:
		var opt scenario.Options
		if g.Progress != nil {
			opt.Progress = func(p scenario.Progress) {
				g.Progress(protocol.ScenarioEvent{Type: protocol.ScenarioProgress, ID: r.ID,
					Progress: &protocol.GradeProgress{Done: p.Done, Total: p.Total, Doing: p.Doing, Instructions: p.Instructions}})
			}
		}
		ev.Report = string(scenario.RunWith(sc, resolver{g, r.Programs}, opt).Marshal())
	default:
		ev.Error = fmt.Sprintf("unknown scenario request %q", r.Type)
	}
	return ev
}

// read parses the scenario: a link (a fragment holding s1=...), JSON, or
// the file at URL.
func (g *Grader) read(r protocol.ScenarioRequest) (*scenario.Scenario, error) {
	src := strings.TrimSpace(r.Source)
	if src == "" && r.URL != "" {
		b, err := g.fetch(r.URL)
		if err != nil {
			return nil, fmt.Errorf("fetching %s: %v", r.URL, err)
		}
		src = string(b)
	}
	switch {
	case src == "":
		return nil, fmt.Errorf("no scenario given")
	case strings.HasPrefix(src, "{"):
		sc, err := scenario.Parse([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("the scenario is not valid: %v", err)
		}
		return sc, nil
	}
	sc, err := scenario.DecodeLink(src)
	if err != nil && !strings.HasPrefix(err.Error(), "link:") {
		err = fmt.Errorf("the scenario in the link is not valid: %v", err)
	}
	return sc, err
}

// link is what `trapdoor link --base BASE [--program SLOT=PATH...]`
// prints: programs embedded in slot name order.
func link(base string, sc *scenario.Scenario, programs map[string][]byte) (string, error) {
	if base == "" {
		return "", nil
	}
	if len(programs) > 0 {
		sc, _ = scenario.Parse(scenario.Marshal(sc)) // a copy to embed into
		slots := make([]string, 0, len(programs))
		for s := range programs {
			slots = append(slots, s)
		}
		sort.Strings(slots)
		for _, s := range slots {
			if _, err := scenario.EmbedProgram(sc, s, programs[s]); err != nil {
				return "", err
			}
		}
	}
	return scenario.EncodeLink(base, sc), nil
}

// vector fetches a test vector once.
func (g *Grader) vector(name string) ([]byte, error) {
	if b, ok := g.vectors[name]; ok {
		return b, nil
	}
	b, err := g.fetch(VectorURL(name))
	if err != nil {
		// The CLI says the same for a vector it lacks.
		return nil, fmt.Errorf("unknown test vector %q (this site does not ship it: %v)", name, err)
	}
	g.vectors[name] = b
	return b, nil
}

// resolver gives core/scenario the site's vectors and the page's files.
type resolver struct {
	g        *Grader
	programs map[string][]byte
}

func (r resolver) Vector(name string) ([]byte, error) { return r.g.vector(name) }

func (r resolver) Program(slot string) ([]byte, bool, error) {
	b, ok := r.programs[slot]
	return b, ok, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
