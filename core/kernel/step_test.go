package kernel

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/trace"
)

// stepRun is one run of a test vector, whole or in RunFor slices.
type stepRun struct {
	k   *Kernel
	out bytes.Buffer
	rec trace.Recorder
}

func startStepVector(t *testing.T, name string, sink trace.Sink) *stepRun {
	t.Helper()
	elf, err := os.ReadFile(filepath.Join("..", "..", "testvectors", "bin", "musl", name))
	if err != nil {
		t.Skipf("test vector not built: %v", err)
	}
	r := &stepRun{}
	if sink == nil {
		sink = &r.rec
	}
	r.k = New(Config{Seed: 7, Trace: sink,
		Stdout: Stdio{W: &r.out, Kind: StdioPipe}, Stderr: Stdio{W: &r.out, Kind: StdioPipe}})
	r.k.Install("/bin/"+name, elf)
	_, err = r.k.Start("/bin/"+name, []string{name}, nil)
	require.NoError(t, err)
	return r
}

// A run cut into RunFor slices of odd sizes is the same run: same output,
// same system calls in the same order (the scheduler is not disturbed),
// same instruction count, same result.
func TestRunForSlicesAreOneRun(t *testing.T) {
	for _, name := range []string{"fork_wait", "signals", "hello"} {
		t.Run(name, func(t *testing.T) {
			whole := startStepVector(t, name, nil)
			wantRes, err := whole.k.Run()
			require.NoError(t, err)

			cut := startStepVector(t, name, nil)
			sizes := []uint64{1, 7, 100, 3, 1234, 1}
			var res Result
			calls := 0
			for i := 0; ; i++ {
				n := sizes[i%len(sizes)]
				before := cut.k.Instructions()
				done, r, err := cut.k.RunFor(n)
				require.NoError(t, err)
				calls++
				if done {
					res = r
					break
				}
				require.Equal(t, n, cut.k.Instructions()-before, "RunFor(%d) must run exactly %d when the program goes on", n, n)
			}
			require.Greater(t, calls, 10)
			require.Equal(t, wantRes, res)
			require.Equal(t, whole.out.String(), cut.out.String())
			require.Equal(t, whole.k.Instructions(), cut.k.Instructions())
			require.Equal(t, len(whole.rec.Events), len(cut.rec.Events))
			for i := range whole.rec.Events {
				require.Equal(t, trace.Render(&whole.rec.Events[i]), trace.Render(&cut.rec.Events[i]))
			}
			// Once everything has ended RunFor says so at once.
			done, again, err := cut.k.RunFor(100)
			require.True(t, done)
			require.NoError(t, err)
			require.Equal(t, wantRes, again)
		})
	}
}

// yieldSink stops the run after every traced event, as the worker's Next
// syscall does.
type yieldSink struct {
	k      *Kernel
	events []trace.Event
}

func (s *yieldSink) Event(e *trace.Event) {
	s.events = append(s.events, *e)
	s.k.Yield()
}

func TestYieldStopsAfterTheSystemCall(t *testing.T) {
	sink := &yieldSink{}
	r := startStepVector(t, "hello", sink)
	sink.k = r.k
	// Yield outside RunFor is ignored: the next RunFor runs.
	r.k.Yield()
	stops := 0
	for {
		seen := len(sink.events)
		done, _, err := r.k.RunFor(1 << 40)
		require.NoError(t, err)
		if done {
			break
		}
		stops++
		require.Equal(t, seen+1, len(sink.events), "each RunFor ends after exactly one traced event")
	}
	require.Greater(t, stops, 3)
	require.Contains(t, r.out.String(), "hello, world\n")
}
