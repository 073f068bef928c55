package kernel_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Programs in testdata are compiled here (glibc and, when unpacked,
// musl) and compared with a native run; the test is skipped without an
// i386 toolchain.
func TestNativeComparisons(t *testing.T) {
	for _, name := range []string{"signals", "altstack", "rw_errors"} {
		for _, libc := range []string{"glibc", "musl"} {
			t.Run(libc+"/"+name, func(t *testing.T) {
				bin := compile(t, libc, filepath.Join("testdata", name+".c"))
				v := &vector{libc: libc, name: name, bin: bin, argv: []string{name}, envp: []string{"A=1"}}
				require.True(t, runNative(t, v))
				out, _, res, k := emulate(t, v, nil)
				require.Equal(t, string(v.stdout), string(out), "kernel log: %v", k.Log.Lines)
				require.Equal(t, v.status, res.Status)
			})
		}
	}
}

func compile(t *testing.T, libc, src string) string {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	out := filepath.Join(t.TempDir(), "prog")
	var cmd *exec.Cmd
	if libc == "glibc" {
		cmd = exec.Command("gcc", "-m32", "-static", "-O2", "-o", out, src)
	} else {
		musl, _ := filepath.Abs(filepath.Join(vectorRoot, ".cache", "musl", "usr"))
		lib := filepath.Join(musl, "lib", "i386-linux-musl")
		if _, err := os.Stat(filepath.Join(lib, "libc.a")); err != nil {
			t.Skip("musl i386 libraries not unpacked")
		}
		libgcc, err := exec.Command("gcc", "-m32", "-print-libgcc-file-name").Output()
		if err != nil {
			t.Skip("no gcc -m32")
		}
		cmd = exec.Command("gcc", "-m32", "-static", "-nostdinc", "-isystem", filepath.Join(musl, "include", "i386-linux-musl"),
			"-nostdlib", "-O2", "-o", out, filepath.Join(lib, "crt1.o"), filepath.Join(lib, "crti.o"), src,
			filepath.Join(lib, "libc.a"), string(libgcc[:len(libgcc)-1]), filepath.Join(lib, "crtn.o"))
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot compile for i386: %v\n%s", err, msg)
	}
	return out
}
