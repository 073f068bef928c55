package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const testitScenario = "../../testvectors/scenarios/dm510-testit-keep.json"

// --module adds a kernel module to a scenario that had none, as the
// page's workshop does: the link carries it in a slot of its own, and
// grading the link loads it (the report names it as a source).
func TestLinkAddsAModule(t *testing.T) {
	vector(t, "musl", "testit")
	const obj = "../../testvectors/modules/msgbox.o"
	link, errs, st := cli(t, "link", "--module", obj, testitScenario)
	require.Equal(t, 0, st, errs)
	link = strings.TrimSpace(link)

	decoded, _, st := cli(t, "link", "--decode", link)
	require.Equal(t, 0, st)
	var sc struct {
		Modules []struct{ Name, Slot string } `json:"modules"`
	}
	require.NoError(t, json.Unmarshal([]byte(decoded), &sc), decoded)
	require.Len(t, sc.Modules, 1, decoded)
	require.Equal(t, "msgbox", sc.Modules[0].Name)
	require.Equal(t, "module-msgbox", sc.Modules[0].Slot)

	report, errs, st := cli(t, "grade", "--vectors", "../../testvectors/bin", link)
	require.Contains(t, report, `"module msgbox"`, errs)
	without, _, _ := cli(t, "grade", testitScenario)
	require.NotContains(t, without, `"module msgbox"`)
	// The module's run grades as the built-in box's: testit passes both.
	require.Equal(t, 0, st, report)

	// NAME=PATH names the module; the same name twice keeps the last.
	named, errs, st := cli(t, "link", "--module", "mybox="+obj, "--module", "mybox=../../testvectors/modules/msgbox_2023.o", testitScenario)
	require.Equal(t, 0, st, errs)
	decoded, _, _ = cli(t, "link", "--decode", strings.TrimSpace(named))
	require.NoError(t, json.Unmarshal([]byte(decoded), &sc))
	require.Len(t, sc.Modules, 1, decoded)
	require.Equal(t, "mybox", sc.Modules[0].Name)
}

func TestLinkModuleRefusals(t *testing.T) {
	_, errs, st := cli(t, "link", "--module", helloScenario, helloScenario)
	require.Equal(t, 2, st)
	require.Contains(t, errs, "not an ELF object")

	_, errs, st = cli(t, "link", "--module", "../../testvectors/modules/absent.o", helloScenario)
	require.Equal(t, 2, st)
	require.Contains(t, errs, "absent.o")

	_, errs, st = cli(t, "link", "--module", "=x.o", helloScenario)
	require.Equal(t, 2, st)
	require.Contains(t, errs, "want PATH.o or NAME=PATH.o")
}
