package cpu

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGeneratedFastPathsAreCurrent fails when ops_fast_alu.go no longer
// matches its generator, so nobody edits the output by hand.
func TestGeneratedFastPathsAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	out := filepath.Join(t.TempDir(), "ops_fast_alu.go")
	cmd := exec.Command("go", "run", "./internal/fastgen", "-o", out)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("ops_fast_alu.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "ops_fast_alu.go is stale: run go generate in core/cpu")
}
