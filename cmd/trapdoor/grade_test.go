package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const helloScenario = "../../testvectors/scenarios/hello.json"

func TestGradePasses(t *testing.T) {
	vector(t, "musl", "hello")
	out, errs, st := cli(t, "grade", helloScenario)
	require.Equal(t, 0, st, errs)
	var rep struct {
		Passed    bool `json:"passed"`
		Points    int  `json:"points"`
		MaxPoints int  `json:"max_points"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.True(t, rep.Passed)
	require.Equal(t, rep.MaxPoints, rep.Points)
	// Grading is deterministic: the same bytes again.
	again, _, _ := cli(t, "grade", helloScenario)
	require.Equal(t, out, again)
}

func TestGradeWrongProgramFails(t *testing.T) {
	segv := vector(t, "musl", "crash_segv")
	out, _, st := cli(t, "grade", helloScenario, "--program", "hello="+segv) // flags after the scenario too
	require.Equal(t, 1, st)
	require.Contains(t, out, `"got": "killed by SIGSEGV"`)
	require.Contains(t, out, `"source": "slot hello"`)

	_, errs, st := cli(t, "grade", "--summary", "--program", "hello="+segv, helloScenario)
	require.Equal(t, 1, st)
	require.Contains(t, errs, "FAIL 0/1 exit: hello exits with status 0\n     expected status 0, got killed by SIGSEGV\n")
	require.Contains(t, errs, "PASS 1/1 quiet")
	require.Contains(t, errs, "1/5 points, failed\n")
}

func TestGradeRefusals(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n \"trapdoor_scenario\": 1,\n \"steps\": [,]\n}"), 0644))
	_, errs, st := cli(t, "grade", bad)
	require.Equal(t, 2, st)
	require.Contains(t, errs, "line 3, column 12: invalid character ','")

	_, errs, st = cli(t, "grade", "--program", "nope=/bin/true", helloScenario)
	require.Equal(t, 2, st)
	require.Contains(t, errs, "--program nope: no such slot (the scenario has hello)")

	empty := filepath.Join(dir, "slot.json")
	require.NoError(t, os.WriteFile(empty, []byte(`{"trapdoor_scenario": 1, "files": [{"path": "/bin/a", "slot": "mine"}], "steps": [{"id": "a", "run": "a"}], "checks": [{"step": "a", "exit": {"status": 0}}]}`), 0644))
	out, errs, st := cli(t, "grade", empty)
	require.Equal(t, 1, st)
	require.Contains(t, errs, "slot mine: missing program: supply one (--program mine=PATH)")
	require.Contains(t, out, `"passed": false`)
}

func TestLinkRoundTrip(t *testing.T) {
	vector(t, "musl", "hello")
	link, errs, st := cli(t, "link", "--base", "https://example.org/td/", helloScenario)
	require.Equal(t, 0, st, errs)
	link = strings.TrimSpace(link)
	require.True(t, strings.HasPrefix(link, "https://example.org/td/#s1="), link)

	decoded, _, st := cli(t, "link", "--decode", link)
	require.Equal(t, 0, st)
	require.Contains(t, decoded, `"id": "hello"`)

	// A link grades like the file it came from.
	fromLink, _, st := cli(t, "grade", "--vectors", "../../testvectors/bin", link)
	require.Equal(t, 0, st)
	fromFile, _, _ := cli(t, "grade", helloScenario)
	require.Equal(t, fromFile, fromLink)

	// A small program rides in the link and is graded from it.
	segv := vector(t, "musl", "crash_segv")
	withProgram, errs, st := cli(t, "link", "--program", "hello="+segv, helloScenario)
	require.Equal(t, 0, st, errs)
	out, _, st := cli(t, "grade", "--vectors", "../../testvectors/bin", strings.TrimSpace(withProgram))
	require.Equal(t, 1, st)
	require.Contains(t, out, `"source": "slot hello (embedded)"`)

	_, errs, st = cli(t, "link", "--decode", "https://example.org/td/#s9=xyz")
	require.Equal(t, 2, st)
	require.Contains(t, errs, `unknown link version "s9"`)
}
