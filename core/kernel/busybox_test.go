package kernel_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
)

// TestBusyboxScripts runs shell scripts under Debian's static i386
// busybox, a real-world program nobody here wrote, and compares them with
// busybox's native runs (testvectors/scripts, expected/busybox; the
// conventions are in testvectors/README.md): the guest has /bin/busybox
// and /scripts/NAME.sh, argv is `sh /scripts/NAME.sh`, the environment
// is expected/environ, stdin is empty. Busybox runs its applets by
// re-executing /proc/self/exe, so this exercises fork, execve, pipes and
// wait as a shell uses them.
func TestBusyboxScripts(t *testing.T) {
	bb, err := os.ReadFile(filepath.Join(vectorRoot, "bin", "thirdparty", "busybox"))
	if err != nil {
		t.Skipf("no busybox binary (make -C testvectors busybox): %v", err)
	}
	scripts, _ := filepath.Glob(filepath.Join(vectorRoot, "scripts", "*.sh"))
	require.NotEmpty(t, scripts)
	envp := readLines(t, filepath.Join(vectorRoot, "expected", "environ"))
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".sh")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(script)
			require.NoError(t, err)
			exp := filepath.Join(vectorRoot, "expected", "busybox", name)
			want, err := os.ReadFile(exp + ".stdout")
			require.NoError(t, err)
			statusText, err := os.ReadFile(exp + ".status")
			require.NoError(t, err)
			status, err := strconv.Atoi(strings.TrimSpace(string(statusText)))
			require.NoError(t, err)

			var out, errb bytes.Buffer
			k := kernel.New(kernel.Config{
				Stdin:           kernel.Stdio{Kind: kernel.StdioNull},
				Stdout:          kernel.Stdio{W: &out, Kind: kernel.StdioFile},
				Stderr:          kernel.Stdio{W: &errb, Kind: kernel.StdioFile},
				MaxInstructions: 20e9,
			})
			k.Install("/bin/busybox", bb)
			k.FS.MkdirAll("/scripts", 0755)
			k.FS.WriteFile("/scripts/"+name+".sh", src, 0644)
			_, err = k.Start("/bin/busybox", []string{"sh", "/scripts/" + name + ".sh"}, envp)
			require.NoError(t, err)
			res, err := k.Run()
			require.NoError(t, err, "emulator failure; stderr: %s", errb.String())
			require.Equal(t, string(want), out.String(), "stdout; stderr: %s", errb.String())
			require.Equal(t, status, res.Status, "exit status; stderr: %s", errb.String())
		})
	}
}
