package kernel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
)

// A fork bomb and an endless loop end with the instruction budget, in
// bounded time, whatever the process and memory limits.
func TestRunawayProgramsAreBounded(t *testing.T) {
	bomb := []byte{0xb8, 2, 0, 0, 0, 0xcd, 0x80, 0xeb, 0xf7} // 1: mov $2,%eax; int $0x80; jmp 1b
	loop := []byte{0xeb, 0xfe}                               // jmp .
	cases := []struct {
		name string
		code []byte
		cfg  Config
	}{
		{"fork bomb, process cap", bomb, Config{MaxInstructions: 3e6, MaxProcs: 100}},
		{"fork bomb, memory cap", bomb, Config{MaxInstructions: 3e6, MaxProcs: 100000, MemoryBytes: 4 << 20}},
		{"endless loop", loop, Config{MaxInstructions: 3e6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rec trace.Recorder
			c.cfg.Trace = &rec
			k := New(c.cfg)
			k.Install("/bin/prog", tinyELF(c.code))
			_, err := k.Start("/bin/prog", []string{"prog"}, nil)
			require.NoError(t, err)
			start := time.Now()
			res, err := k.Run()
			require.NoError(t, err)
			require.Less(t, time.Since(start), 30*time.Second)
			require.Equal(t, abi.SIGKILL, res.Signal)
			require.Equal(t, 128+abi.SIGKILL, res.Status)
			require.Zero(t, k.live, "every process ended")
			if c.code[0] == 0xb8 {
				failed := map[int]bool{}
				for _, e := range rec.Events {
					if e.Kind == trace.Syscall && e.Name == "fork" && e.Errno != 0 {
						failed[e.Errno] = true
					}
				}
				if c.cfg.MemoryBytes != 0 {
					require.True(t, failed[int(abi.ENOMEM)], "fork fails with ENOMEM at the memory cap")
				} else {
					require.True(t, failed[int(abi.EAGAIN)], "fork fails with EAGAIN at the process cap")
					require.LessOrEqual(t, k.nextPid-1, 100+len(k.Tasks))
				}
			}
		})
	}
}
