package scenario

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// reportDirEnv asks TestWriteReports where to write the reports; the
// wasm cross-check sets it for the WebAssembly build of these tests.
const reportDirEnv = "TRAPDOOR_SCENARIO_REPORTS"

// TestWriteReports writes the report of every shipped scenario to the
// directory named by reportDirEnv (and does nothing without it).
func TestWriteReports(t *testing.T) {
	dir := os.Getenv(reportDirEnv)
	if dir == "" {
		t.Skip(reportDirEnv + " not set")
	}
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	for _, p := range paths {
		r := Run(loadScenario(t, p), diskResolver{})
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), r.Marshal(), 0644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWasmReportsIdentical grades every shipped scenario natively and in
// the WebAssembly build the browser runs (under Node), and requires the
// same bytes: what the page reports is what the CLI reports.
func TestWasmReportsIdentical(t *testing.T) {
	if runtime.GOOS == "js" || testing.Short() {
		t.Skip("runs the wasm build from the native test")
	}
	execWasm := filepath.Join(runtime.GOROOT(), "lib", "wasm", "go_js_wasm_exec")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	if _, err := os.Stat(execWasm); err != nil {
		t.Skip("go_js_wasm_exec not found")
	}
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-count=1", "-run", "^TestWriteReports$", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", reportDirEnv+"="+dir,
		"PATH="+filepath.Dir(execWasm)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wasm run: %v\n%s", err, out)
	}
	paths, _ := filepath.Glob("../../testvectors/scenarios/*.json")
	for _, p := range paths {
		native := Run(loadScenario(t, p), diskResolver{}).Marshal()
		wasm, err := os.ReadFile(filepath.Join(dir, filepath.Base(p)))
		if err != nil {
			t.Fatalf("%s: no wasm report: %v", p, err)
		}
		if !bytes.Equal(native, wasm) {
			t.Errorf("%s: the wasm report differs from the native one:\n%s", p, firstDiff(native, wasm))
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "native: " + al[i] + "\nwasm:   " + bl[i]
		}
	}
	return "one is a prefix of the other"
}
