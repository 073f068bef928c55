package kernel_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// The test vectors: programs in testvectors/bin/LIBC with their native
// results in testvectors/expected/LIBC (see testvectors/README.md and
// tools/run.sh for the conventions). When the binaries are not there
// yet, the sources are compiled here (gcc -m32 -static, musl by hand)
// and run natively for the expected results.

const vectorRoot = "../../testvectors"

type vector struct {
	libc, name string
	bin        string
	argv, envp []string
	stdin      []byte
	hasStdin   bool
	stdout     []byte
	stderr     []byte // nil when not recorded
	status     int
	strace     []string // syscall names of the native run, if recorded
}

func readLines(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// loadVectors finds the programs of one libc with their inputs and
// expected results.
func loadVectors(t *testing.T, libc string) []*vector {
	binDir := filepath.Join(vectorRoot, "bin", libc)
	expDir := filepath.Join(vectorRoot, "expected", libc)
	entries, _ := os.ReadDir(binDir)
	built := false
	if len(entries) == 0 {
		binDir = buildVectors(t, libc)
		if binDir == "" {
			return nil
		}
		entries, _ = os.ReadDir(binDir)
		built = true
	}
	env := readLines(t, filepath.Join(vectorRoot, "expected", "environ"))
	var vs []*vector
	for _, e := range entries {
		if e.IsDir() || strings.Contains(e.Name(), ".") {
			continue
		}
		v := &vector{libc: libc, name: e.Name(), bin: filepath.Join(binDir, e.Name()), envp: env}
		src := filepath.Join(vectorRoot, "src", strings.TrimSuffix(v.name, "-pie"))
		if _, err := os.Stat(src + ".args"); err == nil {
			v.argv = readLines(t, src+".args")
		} else {
			v.argv = []string{v.name}
		}
		if data, err := os.ReadFile(src + ".stdin"); err == nil {
			v.stdin, v.hasStdin = data, true
		}
		if !built {
			out, err1 := os.ReadFile(filepath.Join(expDir, v.name+".stdout"))
			st, err2 := os.ReadFile(filepath.Join(expDir, v.name+".status"))
			if err1 != nil || err2 != nil {
				continue // not recorded yet
			}
			v.stdout = out
			v.status, _ = strconv.Atoi(strings.TrimSpace(string(st)))
			if e, err := os.ReadFile(filepath.Join(expDir, v.name+".stderr")); err == nil {
				v.stderr = e
			}
			if _, err := os.Stat(filepath.Join(expDir, v.name+".strace")); err == nil {
				v.strace = straceNames(readLines(t, filepath.Join(expDir, v.name+".strace")))
			}
		} else if !runNative(t, v) {
			continue
		}
		vs = append(vs, v)
	}
	return vs
}

// straceNames extracts the call names from strace lines.
func straceNames(lines []string) []string {
	var names []string
	for _, l := range lines {
		if i := strings.IndexByte(l, '('); i > 0 && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
			names = append(names, l[:i])
		}
	}
	return names
}

func buildVectors(t *testing.T, libc string) string {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no test vectors and no gcc to build them")
	}
	srcs, _ := filepath.Glob(filepath.Join(vectorRoot, "src", "*.c"))
	if len(srcs) == 0 {
		t.Skip("no test vector sources")
	}
	dir := t.TempDir()
	musl, _ := filepath.Abs(filepath.Join(vectorRoot, ".cache", "musl", "usr"))
	lib := filepath.Join(musl, "lib", "i386-linux-musl")
	libgcc, _ := exec.Command("gcc", "-m32", "-print-libgcc-file-name").Output()
	for _, s := range srcs {
		name := strings.TrimSuffix(filepath.Base(s), ".c")
		out := filepath.Join(dir, name)
		var cmd *exec.Cmd
		if libc == "glibc" {
			cmd = exec.Command("gcc", "-m32", "-static", "-O2", "-o", out, s, "-lm")
		} else {
			if _, err := os.Stat(filepath.Join(lib, "libc.a")); err != nil {
				t.Skip("musl i386 libraries not unpacked (make -C testvectors musl)")
			}
			cmd = exec.Command("gcc", "-m32", "-static", "-nostdinc", "-isystem", filepath.Join(musl, "include", "i386-linux-musl"),
				"-nostdlib", "-O2", "-o", out, filepath.Join(lib, "crt1.o"), filepath.Join(lib, "crti.o"), s,
				filepath.Join(lib, "libc.a"), strings.TrimSpace(string(libgcc)), filepath.Join(lib, "crtn.o"))
		}
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("cannot build %s test vectors (gcc -m32 missing?): %v\n%s", libc, err, msg)
		}
	}
	return dir
}

// runNative records a vector's expected result by running it on the
// host (which runs i386 code natively) as tools/run.sh does.
func runNative(t *testing.T, v *vector) bool {
	cmd := exec.Command(v.bin, v.argv[1:]...)
	cmd.Args[0] = v.argv[0]
	cmd.Env = v.envp
	cmd.Stdin = bytes.NewReader(v.stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	v.stdout = out.Bytes()
	if ee, ok := err.(*exec.ExitError); ok {
		v.status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			v.status = 128 + int(ws.Signal())
		}
	} else if err != nil {
		return false
	}
	return true
}

// emulate runs a vector in a fresh machine.
func emulate(t *testing.T, v *vector, tr trace.Sink) (stdout, stderr []byte, res kernel.Result, k *kernel.Kernel) {
	data, err := os.ReadFile(v.bin)
	require.NoError(t, err)
	var out, errb bytes.Buffer
	cfg := kernel.Config{
		Stdin:           kernel.Stdio{R: bytes.NewReader(v.stdin), Kind: kernel.StdioNull},
		Stdout:          kernel.Stdio{W: &out, Kind: kernel.StdioFile},
		Stderr:          kernel.Stdio{W: &errb, Kind: kernel.StdioFile},
		Trace:           tr,
		MaxInstructions: 20e9,
	}
	if v.hasStdin {
		cfg.Stdin.Kind = kernel.StdioFile
	}
	k = kernel.New(cfg)
	installSiblings(t, k, v)
	k.Install("/bin/"+v.name, data)
	_, err = k.Start("/bin/"+v.name, v.argv, v.envp)
	require.NoError(t, err)
	res, err = k.Run()
	require.NoError(t, err, "emulator failure; stderr: %s", errb.String())
	return out.Bytes(), errb.Bytes(), res, k
}

func testVectors(t *testing.T, libc string) {
	vs := loadVectors(t, libc)
	if len(vs) == 0 {
		t.Skip("no vectors")
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			// The benchmark programs run billions of instructions (minutes
			// under the emulator); make bench runs them, and this test
			// does when asked.
			if strings.HasPrefix(v.name, "bench_") && os.Getenv("TRAPDOOR_BENCH_VECTORS") == "" {
				t.Skip("benchmark program: set TRAPDOOR_BENCH_VECTORS=1 to compare it here")
			}
			if v.name == "malloc" && testing.Short() {
				t.Skip("malloc runs about 11 billion instructions; skipped in -short mode")
			}
			t.Parallel()
			rec := &trace.Recorder{}
			out, errs, res, k := emulate(t, v, rec)
			require.Equal(t, string(v.stdout), string(out), "stdout; kernel log: %v", k.Log.Lines)
			if v.stderr != nil {
				require.Equal(t, string(v.stderr), string(errs), "stderr")
			}
			require.Equal(t, v.status, res.Status, "exit status; kernel log: %v", k.Log.Lines)
			if v.strace != nil {
				require.Equal(t, v.strace, rec.Names(), "syscall sequence against native strace -f")
			}
			// Multi-process programs must give the same result under
			// other scheduler seeds (the first run used seed 0).
			if multiProcess(v) {
				for _, seed := range seeds {
					out, res, k := emulateSeed(t, v, seed, nil, kernel.Config{MaxInstructions: 20e9})
					require.Equal(t, string(v.stdout), string(out), "stdout, seed %d; kernel log: %v", seed, k.Log.Lines)
					require.Equal(t, v.status, res.Status, "exit status, seed %d", seed)
				}
			}
		})
	}
}

func TestVectorsGlibc(t *testing.T) { testVectors(t, "glibc") }
func TestVectorsMusl(t *testing.T)  { testVectors(t, "musl") }

// multiProcess reports whether a vector's source creates processes.
func multiProcess(v *vector) bool {
	src, err := os.ReadFile(filepath.Join(vectorRoot, "src", strings.TrimSuffix(v.name, "-pie")+".c"))
	if err != nil {
		return false
	}
	for _, w := range []string{"fork(", "clone(", "posix_spawn", "pipe("} {
		if bytes.Contains(src, []byte(w)) {
			return true
		}
	}
	return false
}

// installSiblings puts every program of the vector's directory in /bin,
// so launchers (sh_launcher) can exec the others as natively.
func installSiblings(t *testing.T, k *kernel.Kernel, v *vector) {
	entries, _ := os.ReadDir(filepath.Dir(v.bin))
	for _, e := range entries {
		if e.IsDir() || strings.Contains(e.Name(), ".") || strings.HasPrefix(e.Name(), "bench_") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(v.bin), e.Name()))
		require.NoError(t, err)
		k.Install("/bin/"+e.Name(), data)
	}
}
