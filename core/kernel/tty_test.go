package kernel_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
)

// A typing script: after the output shows prompt (counted from where the
// previous step's prompt ended), type keys.
type keystroke struct {
	prompt string
	keys   string
}

// ptyRun runs a program natively on a fresh pseudo-terminal (its own
// session, the terminal its controlling tty, 24x80), types the script
// and returns everything the terminal showed and the exit status.
func ptyRun(t *testing.T, bin string, argv, envp []string, script []keystroke) (string, int) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	defer ptmx.Close()
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) {
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg))
		require.Zero(t, e, "ioctl %#x", req)
	}
	var unlock, n uint32
	ioctl(ptmx, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	ioctl(ptmx, syscall.TIOCGPTN, unsafe.Pointer(&n))
	ws := [4]uint16{24, 80}
	ioctl(ptmx, syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	cmd := exec.Command(bin)
	cmd.Args, cmd.Env = argv, envp
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	require.NoError(t, cmd.Start())
	pts.Close()
	var mu sync.Mutex
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		b := make([]byte, 4096)
		for {
			k, err := ptmx.Read(b)
			mu.Lock()
			out.Write(b[:k])
			mu.Unlock()
			if err != nil {
				close(done)
				return
			}
		}
	}()
	pos := 0
	for _, s := range script {
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			i := strings.Index(out.String()[pos:], s.prompt)
			mu.Unlock()
			if i >= 0 {
				pos += i + len(s.prompt)
				break
			}
			require.True(t, time.Now().Before(deadline), "native run: no %q in %q", s.prompt, out.String())
			time.Sleep(2 * time.Millisecond)
		}
		waitQuiet(t, cmd.Process.Pid)
		ptmx.Write([]byte(s.keys))
	}
	err = cmd.Wait()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
		if w, ok := ee.Sys().(syscall.WaitStatus); ok && w.Signaled() {
			status = 128 + int(w.Signal())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return out.String(), status
}

// ttyEmulate runs a program on the emulator's console terminal (the
// host feeding keys with ConsoleInput, as the browser does), typing each
// step once its prompt has appeared and every task waits for input.
func ttyEmulate(t *testing.T, files map[string][]byte, prog string, argv, envp []string, script []keystroke, seed uint64) (string, int) {
	var screen bytes.Buffer
	k := kernel.New(kernel.Config{
		Stdin:           kernel.Stdio{Kind: kernel.StdioTTY},
		Terminal:        true,
		Stdout:          kernel.Stdio{W: &screen, Kind: kernel.StdioTTY},
		Stderr:          kernel.Stdio{W: &screen, Kind: kernel.StdioTTY},
		MaxInstructions: 5e9,
		Seed:            seed,
	})
	for name, data := range files {
		k.Install(name, data)
	}
	_, err := k.Start(prog, argv, envp)
	require.NoError(t, err)
	pos, step := 0, 0
	for {
		done, res, err := k.RunFor(200000)
		require.NoError(t, err)
		if done {
			require.Equal(t, len(script), step, "ended before typing everything: %q", screen.String())
			return screen.String(), res.Status
		}
		if step < len(script) {
			if i := strings.Index(screen.String()[pos:], script[step].prompt); i >= 0 && k.AwaitingInput() {
				pos += i + len(script[step].prompt)
				k.ConsoleInput([]byte(script[step].keys))
				step++
				continue
			}
		}
		require.False(t, k.AwaitingInput() && step == len(script), "waits for input after the script: %q", screen.String())
	}
}

// TestTTYDiscipline compares the console's line discipline, signals and
// job control with a native run on a pseudo-terminal.
func TestTTYDiscipline(t *testing.T) {
	script := []keystroke{
		{"[1]> ", "abc\x7fd\n"},
		{"[2]> ", "hello\x15bye\n"},
		{"[3]> ", "one two\x17three\n"},
		{"[4]> ", "par\x04"},
		{"[5]> ", "tial\n"},
		{"[6]> ", "\x04"},
		{"[7]> ", "abcdef\n"},
		{"[8]> ", "a\x16\x03b\n"},
		{"[9]> ", "secret\n"},
		{"[10]> ", "xyz"},
		{"[11]> ", "half\x03"},
		{"[12]> ", "half\x1a"},
		{"[13]> ", "half\x1c"},
		{"[14]> ", "ok\n"},
		{"[15]> ", "child line\n"},
		{"[16]> ", "bye\n"},
	}
	for _, libc := range []string{"glibc", "musl"} {
		t.Run(libc, func(t *testing.T) {
			bin := compile(t, libc, filepath.Join("testdata", "tty_discipline.c"))
			want, wantStatus := ptyRun(t, bin, []string{"tty_discipline"}, []string{"A=1"}, script)
			data, err := os.ReadFile(bin)
			require.NoError(t, err)
			for _, seed := range seeds {
				got, status := ttyEmulate(t, map[string][]byte{"/bin/tty_discipline": data}, "/bin/tty_discipline",
					[]string{"tty_discipline"}, []string{"A=1"}, script, seed)
				require.Equal(t, want, got, "seed %d", seed)
				require.Equal(t, wantStatus, status)
			}
		})
	}
}

// TestTTYBusyboxInteractive drives Debian's static busybox sh as an
// interactive shell on the console terminal (job control on: it takes
// /dev/tty, puts each job in its own group and hands it the terminal)
// and compares the screen with a native run on a pseudo-terminal:
// busybox's line editor (raw mode, its cursor query, erase redraws), a
// foreground job reading the terminal in canonical mode, ^C killing it,
// ^Z stopping it, jobs and fg resuming it, ^D ending its input, exit;
// with TERM dumb and vt100. Keys are typed natively once every process
// of the session sleeps (waitQuiet), as the emulator types them once
// AwaitingInput: typed earlier, they race with the shell's terminal
// mode changes.
func TestTTYBusyboxInteractive(t *testing.T) {
	bb := filepath.Join(vectorRoot, "bin", "thirdparty", "busybox")
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	script := []keystroke{
		{"$ ", "echo hello $((6*7))\n"},
		{"$ ", "ecko\x7f\x7fho edited\n"},
		{"$ ", "cat\n"},
		{"", "typed line\n"},
		{"typed line\r\n", "\x03"},
		{"$ ", "cat\n"},
		{"", "more\n"},
		{"more\r\n", "\x04"},
		{"$ ", "cat\n"},
		{"", "\x1a"},
		{"$ ", "jobs\n"},
		{"$ ", "fg\n"},
		{"cat\r\n", "resumed\n"},
		{"resumed\r\n", "\x04"},
		{"$ ", "echo $?; exit 3\n"},
	}
	// Leaving with a stopped job: the shell warns once, then exits; the
	// job's group, orphaned with a stopped member, gets SIGHUP and
	// SIGCONT and ends (else the machine would wait for it forever).
	stopped := []keystroke{
		{"$ ", "cat\n"},
		{"", "\x1a"},
		{"$ ", "exit\n"},
		{"$ ", "exit\n"},
	}
	for _, c := range []struct {
		name   string
		term   string
		script []keystroke
	}{{"dumb", "dumb", script}, {"vt100", "vt100", script}, {"stopped-job-at-exit", "dumb", stopped}} {
		t.Run(c.name, func(t *testing.T) {
			envp := []string{"PATH=/bin", "HOME=/", "PS1=$ ", "TERM=" + c.term}
			want, wantStatus := ptyRun(t, bb, []string{"sh", "-i"}, envp, c.script)
			for _, seed := range seeds[:2] {
				got, status := ttyEmulate(t, map[string][]byte{"/bin/busybox": data}, "/bin/busybox",
					[]string{"sh", "-i"}, envp, c.script, seed)
				require.Equal(t, want, got, "seed %d", seed)
				require.Equal(t, wantStatus, status)
			}
		})
	}
}

// waitQuiet waits until every process of session sid sleeps (state S or
// T in /proc/PID/stat) at two looks 10 ms apart: the native counterpart
// of the emulator's AwaitingInput, so keys are typed only once the
// program waits for them.
func waitQuiet(t *testing.T, sid int) {
	quiet := func() bool {
		dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, d := range dirs {
			b, err := os.ReadFile(d)
			if err != nil {
				continue
			}
			s := string(b)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
			if len(f) > 3 && f[3] == strconv.Itoa(sid) && f[0] != "S" && f[0] != "T" && f[0] != "Z" {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n < 2; {
		time.Sleep(10 * time.Millisecond)
		if quiet() {
			n++
		} else {
			n = 0
		}
		require.True(t, time.Now().Before(deadline), "native run never waits for input")
	}
}

// TestConsoleResize: the host resizing the console (ConsoleResize, the
// browser's panel) changes TIOCGWINSZ and sends SIGWINCH to the
// foreground group.
func TestConsoleResize(t *testing.T) {
	bb := filepath.Join(vectorRoot, "bin", "thirdparty", "busybox")
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	var screen bytes.Buffer
	k := kernel.New(kernel.Config{Stdin: kernel.Stdio{Kind: kernel.StdioTTY}, Terminal: true,
		Stdout: kernel.Stdio{W: &screen, Kind: kernel.StdioTTY}, Stderr: kernel.Stdio{W: &screen, Kind: kernel.StdioTTY}})
	k.Install("/bin/busybox", data)
	_, err = k.Start("/bin/busybox", []string{"sh", "-c", `trap "echo winch" WINCH; stty size; read x; stty size`}, []string{"PATH=/bin"})
	require.NoError(t, err)
	typed := false
	for {
		done, res, err := k.RunFor(1e6)
		require.NoError(t, err)
		if done {
			require.Equal(t, 0, res.Status)
			break
		}
		if k.AwaitingInput() {
			require.False(t, typed, "still waiting: %q", screen.String())
			k.ConsoleResize(30, 90)
			k.ConsoleInput([]byte("x\n"))
			typed = true
		}
	}
	require.Equal(t, "24 80\r\nx\r\nwinch\r\n30 90\r\n", screen.String())
}

// TestTTYReadBlocksOnlyTheReader: while the shell waits in a terminal
// read, a background job runs to its end; the keys are typed only once
// its output is there and every task waits.
func TestTTYReadBlocksOnlyTheReader(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(vectorRoot, "bin", "thirdparty", "busybox"))
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	script := []keystroke{{"other ran\r\n", "typed\n"}}
	got, status := ttyEmulate(t, map[string][]byte{"/bin/busybox": data}, "/bin/busybox",
		[]string{"sh", "-c", "(i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo other ran) & read x; wait; echo got $x"},
		[]string{"PATH=/bin"}, script, 1)
	require.Equal(t, "other ran\r\ntyped\r\ngot typed\r\n", got)
	require.Equal(t, 0, status)
}
