package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// onPty runs argv with a fresh pseudo-terminal as its stdin, stdout and
// stderr (its controlling terminal) and returns what the terminal showed
// (an error when argv cannot start).
func onPty(t *testing.T, env []string, argv ...string) (string, error) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	defer ptmx.Close()
	var unlock, n uint32
	for _, c := range []struct {
		req uintptr
		arg *uint32
	}{{syscall.TIOCSPTLCK, &unlock}, {syscall.TIOCGPTN, &n}} {
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), c.req, uintptr(unsafe.Pointer(c.arg)))
		require.Zero(t, e)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = cmd.Start()
	pts.Close()
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	io.Copy(&out, ptmx) // ends with EIO once the last holder of the terminal exits
	cmd.Wait()
	return out.String(), nil
}

// On a terminal the guest's output shows as the native program's does:
// one carriage return per newline (the guest's ONLCR, not the host's
// too), and the emulator's own messages keep their line starts.
func TestTerminalNewlines(t *testing.T) {
	hello := vector(t, "musl", "hello")
	native, err := onPty(t, nil, hello)
	if err != nil || native == "" {
		t.Skipf("cannot run i386 programs natively: %v", err)
	}
	require.Equal(t, "hello, world\r\ni386 -42 42 beef Z\r\ngoodbye\r\n", native)
	cli := append(os.Environ(), "TRAPDOOR_CLI=1")
	out, err := onPty(t, cli, os.Args[0], "run", hello)
	require.NoError(t, err)
	require.Equal(t, native, out)

	out, err = onPty(t, cli, os.Args[0], "run", "--strace", "--stats", hello)
	require.NoError(t, err)
	require.Contains(t, out, native[:len("hello, world\r\n")])
	require.Regexp(t, regexp.MustCompile(`\r\n\+\+\+ exited with 0 \+\+\+\r\ninstructions=\d+ seconds=\S+ mips=\S+\r\n$`), out)
	require.NotContains(t, out, "\r\r")
	require.NotRegexp(t, regexp.MustCompile(`[^\r]\n`), out, "every newline has its carriage return")
}

func TestCRLFWriter(t *testing.T) {
	var b bytes.Buffer
	n, err := crlfWriter{&b}.Write([]byte("a\nb\n\nc"))
	require.NoError(t, err)
	require.Equal(t, 6, n, "the caller's byte count")
	require.Equal(t, "a\r\nb\r\n\r\nc", b.String())
}
