package kernel_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
)

// TestBusyboxTouch runs busybox touch (utimensat, and utimes for -d)
// and stat against a native run in a scratch directory.
func TestBusyboxTouch(t *testing.T) {
	bb, err := filepath.Abs(filepath.Join(vectorRoot, "bin", "thirdparty", "busybox"))
	require.NoError(t, err)
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	script := `touch new; ls; stat -c '%s %Y' new >/dev/null && echo created
touch -d '2020-01-02 03:04:05' new; stat -c '%Y' new
touch -d @5 new; stat -c '%Y' new
touch -c absent; ls absent 2>/dev/null || echo not created
touch missing/dir 2>/dev/null; echo status $?
touch -r new other; stat -c '%Y' other
touch -d @1000000000 -m new; stat -c '%Y' new
`
	dir := t.TempDir()
	cmd := exec.Command(bb, "-c", script)
	cmd.Args[0] = "sh"
	cmd.Dir, cmd.Env = dir, []string{"PATH=/bin", "TZ=UTC"}
	want, err := cmd.Output()
	require.NoError(t, err)

	var out bytes.Buffer
	k := kernel.New(kernel.Config{
		Stdin:           kernel.Stdio{Kind: kernel.StdioNull},
		Stdout:          kernel.Stdio{W: &out, Kind: kernel.StdioPipe},
		Stderr:          kernel.Stdio{W: &out, Kind: kernel.StdioPipe},
		MaxInstructions: 2e9,
	})
	k.Install("/bin/busybox", data)
	k.FS.MkdirAll("/tmp/work", 0777)
	_, err = k.Start("/bin/busybox", []string{"sh", "-c", "cd /tmp/work && " + script}, []string{"PATH=/bin", "TZ=UTC"})
	require.NoError(t, err)
	res, err := k.Run()
	require.NoError(t, err)
	require.Equal(t, string(want), out.String())
	require.Equal(t, 0, res.Status)
}
