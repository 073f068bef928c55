package kernel_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

// TestThreads runs pthread programs (glibc and musl make threads with
// clone or clone3 and CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|
// CLONE_THREAD|...) and threads_vforkkill (a vfork child that kills its
// parent keeps the borrowed memory), compared with native runs under
// several scheduler seeds and slice lengths: short slices preempt
// threads inside their critical sections, so mutexes and condition
// variables really contend.
func TestThreads(t *testing.T) {
	for _, name := range []string{"threads_pthread", "threads_vforkkill"} {
		for _, libc := range []string{"glibc", "musl"} {
			t.Run(libc+"/"+name, func(t *testing.T) {
				bin := compile(t, libc, filepath.Join("testdata", name+".c"))
				v := &vector{libc: libc, name: name, bin: bin, argv: []string{name}, envp: []string{"A=1"}}
				require.True(t, runNative(t, v))
				for _, seed := range seeds {
					for _, slice := range []uint64{0, 977} {
						out, res, k := emulateSeed(t, v, seed, nil, kernel.Config{Slice: slice})
						require.Equal(t, string(v.stdout), string(out), "seed %d slice %d; kernel log: %v", seed, slice, k.Log.Lines)
						require.Equal(t, v.status, res.Status, "seed %d slice %d", seed, slice)
					}
				}
				var a, b trace.Recorder
				emulateSeed(t, v, 7, &a, kernel.Config{Slice: 5000})
				emulateSeed(t, v, 7, &b, kernel.Config{Slice: 5000})
				require.Equal(t, a.Events, b.Events, "same seed, same trace")
			})
		}
	}
}
