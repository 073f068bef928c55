package kernel_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// seeds are the scheduler seeds every multi-process test runs under.
var seeds = []uint64{1, 2, 3, 42}

// emulateSeed runs a vector on a fresh machine with a scheduler seed.
func emulateSeed(t *testing.T, v *vector, seed uint64, tr trace.Sink, cfg kernel.Config) ([]byte, kernel.Result, *kernel.Kernel) {
	data, err := os.ReadFile(v.bin)
	require.NoError(t, err)
	var out bytes.Buffer
	cfg.Stdin = kernel.Stdio{R: bytes.NewReader(v.stdin), Kind: kernel.StdioNull}
	if v.hasStdin {
		cfg.Stdin.Kind = kernel.StdioFile
	}
	cfg.Stdout = kernel.Stdio{W: &out, Kind: kernel.StdioFile}
	cfg.Stderr = kernel.Stdio{W: io.Discard, Kind: kernel.StdioFile}
	cfg.Trace, cfg.Seed = tr, seed
	if cfg.MaxInstructions == 0 {
		cfg.MaxInstructions = 5e9
	}
	k := kernel.New(cfg)
	installSiblings(t, k, v)
	k.Install("/bin/"+v.name, data)
	_, err = k.Start("/bin/"+v.name, v.argv, v.envp)
	require.NoError(t, err)
	res, err := k.Run()
	require.NoError(t, err)
	return out.Bytes(), res, k
}

// Multi-process programs in testdata, compared with a native run under
// several scheduler seeds; the same seed must give the same trace.
func TestMultiProcess(t *testing.T) {
	for _, name := range []string{"procs"} {
		for _, libc := range []string{"glibc", "musl"} {
			t.Run(libc+"/"+name, func(t *testing.T) {
				bin := compile(t, libc, filepath.Join("testdata", name+".c"))
				v := &vector{libc: libc, name: name, bin: bin, argv: []string{name}, envp: []string{"A=1"}}
				require.True(t, runNative(t, v))
				for _, seed := range seeds {
					out, res, k := emulateSeed(t, v, seed, nil, kernel.Config{})
					require.Equal(t, string(v.stdout), string(out), "seed %d; kernel log: %v", seed, k.Log.Lines)
					require.Equal(t, v.status, res.Status, "seed %d", seed)
				}
				var a, b trace.Recorder
				emulateSeed(t, v, 7, &a, kernel.Config{Slice: 5000})
				emulateSeed(t, v, 7, &b, kernel.Config{Slice: 5000})
				require.Equal(t, a.Events, b.Events, "same seed, same trace")
			})
		}
	}
}
