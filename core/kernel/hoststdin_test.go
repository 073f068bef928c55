package kernel_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
)

// lockedBuffer is an output buffer the test goroutine may read while the
// machine writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLiveStdin: with a live host pipe on stdin (the CLI's LiveStdin), a
// shell waiting in read for data that has not come yet does not stop a
// background job from running: the data is written only after the job's
// output has appeared.
func TestLiveStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(vectorRoot, "bin", "thirdparty", "busybox"))
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	pr, pw := io.Pipe()
	var out lockedBuffer
	k := kernel.New(kernel.Config{
		Stdin:     kernel.Stdio{R: pr, Kind: kernel.StdioPipe},
		LiveStdin: true,
		Stdout:    kernel.Stdio{W: &out, Kind: kernel.StdioPipe},
		Stderr:    kernel.Stdio{W: &out, Kind: kernel.StdioPipe},
		WallClock: true,
	})
	k.Install("/bin/busybox", data)
	_, err = k.Start("/bin/busybox", []string{"sh", "-c", "(echo job ran) & read x; wait; echo got $x; read y || echo eof"}, []string{"PATH=/bin"})
	require.NoError(t, err)
	go func() {
		// The line comes only once the job has run: were the whole
		// machine waiting in the shell's read, it would never run, and
		// the shell would read end of file instead.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if strings.Contains(out.String(), "job ran") {
				pw.Write([]byte("line\n"))
				break
			}
		}
		pw.Close()
	}()
	res, err := k.Run()
	require.NoError(t, err)
	require.Equal(t, "job ran\ngot line\neof\n", out.String())
	require.Equal(t, 0, res.Status)
}
