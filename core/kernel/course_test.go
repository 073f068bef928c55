package kernel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
	"trapdoor/core/trace"
)

// The course system calls (issue 4). No host kernel has them, so these
// tests assert the specification: the table, the seed documents
// and the errnos chosen in msgbox.go, pfstat.go, sys_course.go.

const (
	nrMsgboxPut     = 500
	nrMsgboxGet     = 501
	nrSayhello      = 502
	nrSayhello2     = 503
	nrChangeCmdline = 504
	nrTaskInfo      = 505
	nrKernelSignal  = 506
	nrPfSetParam    = 507
	nrPfGetInfo     = 508
	nrPfCleanup     = 509
	nrSyslog        = 103
	kernelAddr      = 0xc0000000
)

// bootWith is boot with a configuration (profile, msgbox policy).
func bootWith(t *testing.T, cfg Config) *machine {
	m := &machine{}
	cfg.Stdout = Stdio{W: &m.out, Kind: StdioPipe}
	cfg.Stderr = Stdio{W: &m.out, Kind: StdioPipe}
	cfg.Trace = &m.rec
	m.k = New(cfg)
	m.k.Install("/bin/prog", tinyELF(nil))
	task, err := m.k.Start("/bin/prog", []string{"prog", "x"}, []string{"A=1"})
	require.NoError(t, err)
	m.t = task
	m.params = 0x0804a000
	return m
}

func errno(e abi.Errno) int32 { return -int32(e) }

// lastCall is the last trace line without the renderer's padding
// before " = ".
func (m *machine) lastCall() string {
	return regexp.MustCompile(`\) +=`).ReplaceAllString(m.last(), ") =")
}

// logErrors counts KERN_ERR lines carrying INFO0940's prefix.
func logErrors(k *Kernel) int {
	n := 0
	for _, l := range k.Log.Lines {
		if l.Level == LogErr && strings.HasPrefix(l.Text, "[INFO940][ERROR]") {
			n++
		}
	}
	return n
}

func TestMsgboxKeep(t *testing.T) {
	m := bootWith(t, Config{MsgboxMemory: 200})
	buf := m.params + 1024
	put := func(s string) int32 { return m.call(nrMsgboxPut, m.put(t, 0, []byte(s)), uint32(len(s))) }

	require.Equal(t, errno(abi.ENOMSG), m.call(nrMsgboxGet, buf, 42), "empty box")
	require.Equal(t, errno(abi.EINVAL), m.call(nrMsgboxPut, m.params, 0xffffffd6), "size < 0")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxPut, 0, 42), "NULL")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxPut, wild, 42), "unmapped")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxPut, kernelAddr, 42), "kernel address")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxPut, 42, 42), "low address")
	require.Equal(t, 0, m.k.Msgbox().Depth, "failed puts push nothing")
	require.Equal(t, 0, m.k.Msgbox().BytesUsed)

	require.Equal(t, int32(0), put("first"))
	require.Equal(t, int32(0), put("second message"))
	st := m.k.Msgbox()
	require.Equal(t, MsgboxKeep, st.Policy)
	require.Equal(t, 2, st.Depth)
	require.Equal(t, [][]byte{[]byte("second message"), []byte("first")}, st.Messages, "top first")
	require.Equal(t, 5+14+2*msgHeader, st.BytesUsed)
	st.Messages[0][0] = 'X'
	require.Equal(t, byte('s'), m.k.Msgbox().Messages[0][0], "the state is a copy")

	require.Equal(t, errno(abi.EINVAL), m.call(nrMsgboxGet, buf, 0xffffffff), "size < 0")
	require.Equal(t, errno(abi.EMSGSIZE), m.call(nrMsgboxGet, buf, 13), "a buffer one byte short")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, 0, 42), "NULL")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, wild, 42), "unmapped")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, kernelAddr, 42), "kernel address")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, 0x0804b000-4, 42), "a buffer running off the mapping")
	require.Equal(t, 2, m.k.Msgbox().Depth, "keep: failed gets lose nothing")

	require.Equal(t, int32(14), m.call(nrMsgboxGet, buf, 14), "exactly the message's size")
	require.Equal(t, "second message", string(m.get(t, buf, 14)))
	require.Equal(t, `msgbox_get("second message", 14) = 14`, m.lastCall())
	require.Equal(t, int32(5), m.call(nrMsgboxGet, buf, 100))
	require.Equal(t, "first", string(m.get(t, buf, 5)))
	require.Equal(t, errno(abi.ENOMSG), m.call(nrMsgboxGet, buf, 100))

	// The cap: 200 bytes of message memory.
	require.Equal(t, errno(abi.ENOMEM), put(strings.Repeat("x", 200-msgHeader+1)))
	require.Equal(t, int32(0), put(strings.Repeat("x", 100)))
	require.Equal(t, errno(abi.ENOMEM), put(strings.Repeat("y", 100)), "past the cap")
	require.Equal(t, errno(abi.ENOMEM), m.call(nrMsgboxPut, m.params, 0x7fffffff), "a huge size")
	require.Equal(t, int32(0), put(""), "an empty message")
	require.Equal(t, int32(0), m.call(nrMsgboxGet, buf, 0))
	require.Equal(t, int32(100), m.call(nrMsgboxGet, buf, 100))
	require.Equal(t, 0, m.k.Msgbox().BytesUsed, "message memory back to zero")
	require.Equal(t, 0, m.k.Msgbox().Depth)
}

func TestMsgboxTruncate(t *testing.T) {
	m := bootWith(t, Config{Msgbox: MsgboxTruncate})
	buf := m.params + 1024
	put := func(s string) int32 { return m.call(nrMsgboxPut, m.put(t, 0, []byte(s)), uint32(len(s))) }

	require.Equal(t, errno(abi.ENODATA), m.call(nrMsgboxGet, buf, 42), "empty box")
	require.Equal(t, int32(0), put("a long message"))
	require.Equal(t, errno(abi.EINVAL), m.call(nrMsgboxGet, buf, 0xffffffd6), "size < 0")
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, 0, 42), "NULL is refused before the pop")
	require.Equal(t, 1, m.k.Msgbox().Depth)
	m.put(t, 1024, []byte("......"))
	require.Equal(t, int32(14), m.call(nrMsgboxGet, buf, 6), "the full length")
	require.Equal(t, "a long", string(m.get(t, buf, 6)), "truncated copy")
	require.Equal(t, `msgbox_get("a long", 6) = 14`, m.lastCall())
	require.Equal(t, 0, m.k.Msgbox().Depth, "truncated messages are gone")

	require.Equal(t, int32(0), put("lost"))
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, wild, 42))
	require.Equal(t, 0, m.k.Msgbox().Depth, "truncate: a message whose copy faults is lost")
	require.Equal(t, int32(0), put("lost too"))
	require.Equal(t, errno(abi.EFAULT), m.call(nrMsgboxGet, kernelAddr, 42))
	require.Equal(t, errno(abi.ENODATA), m.call(nrMsgboxGet, buf, 42))
	require.Equal(t, 0, m.k.Msgbox().BytesUsed, "message memory back to zero")
}

// The DM510 2023 abuse sequence, under both policies: the box must work
// afterwards and its memory must return to zero.
func TestMsgboxAbuse(t *testing.T) {
	for _, p := range []MsgboxPolicy{MsgboxKeep, MsgboxTruncate} {
		t.Run(string(p), func(t *testing.T) {
			m := bootWith(t, Config{Msgbox: p})
			buf := m.params + 1024
			dummy := m.put(t, 0, []byte("dummy message"))
			for i := 0; i < 20; i++ {
				require.Equal(t, int32(0), m.call(nrMsgboxPut, dummy, 13))
			}
			for _, addr := range []uint32{0, 0xffffffd6, 42} {
				require.Less(t, m.call(nrMsgboxPut, addr, 42), int32(0))
				require.Less(t, m.call(nrMsgboxGet, addr, 42), int32(0))
			}
			require.Equal(t, errno(abi.EINVAL), m.call(nrMsgboxPut, buf, 0xffffffd6))
			require.Equal(t, errno(abi.EINVAL), m.call(nrMsgboxGet, buf, 0xffffffd6))
			require.Equal(t, int32(13), m.call(nrMsgboxGet, buf, 42))
			hello := m.put(t, 100, []byte("hello"))
			require.Equal(t, int32(0), m.call(nrMsgboxPut, hello, 5))
			require.Equal(t, int32(5), m.call(nrMsgboxGet, buf, 42))
			require.Equal(t, "hello", string(m.get(t, buf, 5)))
			lost := map[MsgboxPolicy]int{MsgboxKeep: 0, MsgboxTruncate: 2} // the wild gets
			require.Equal(t, 20-1-lost[p], m.k.Msgbox().Depth)
			for m.k.Msgbox().Depth > 0 {
				require.Equal(t, int32(13), m.call(nrMsgboxGet, buf, 42))
			}
			require.Equal(t, 0, m.k.Msgbox().BytesUsed)
		})
	}
}

func TestMsgboxTrace(t *testing.T) {
	m := bootWith(t, Config{})
	m.call(nrMsgboxPut, m.put(t, 0, []byte("hello")), 5)
	require.Equal(t, `msgbox_put("hello", 5) = 0`, m.lastCall())
	m.call(nrMsgboxPut, m.params, 0xffffffff)
	require.Equal(t, `msgbox_put(0x804a000, -1) = -1 EINVAL (Invalid argument)`, m.lastCall())
	m.call(nrMsgboxGet, m.params+64, 2)
	require.Equal(t, `msgbox_get(0x804a040, 2) = -1 EMSGSIZE (Message too long)`, m.lastCall())
}

func TestSayhello(t *testing.T) {
	m := bootWith(t, Config{})
	require.Equal(t, int32(0), m.call(nrSayhello))
	require.Equal(t, "sayhello() = 0", m.lastCall())
	l := m.k.Log.Lines[len(m.k.Log.Lines)-1]
	require.Equal(t, LogDebug, l.Level)
	require.Equal(t, "Hello !", l.Text)

	name := m.put(t, 0, []byte("Alice\x00"))
	out := m.params + 512
	require.Equal(t, int32(13), m.call(nrSayhello2, name, out, 14))
	require.Equal(t, "Hello Alice !\x00", string(m.get(t, out, 14)))
	require.Equal(t, `sayhello2("Alice", "Hello Alice !", 14) = 13`, m.lastCall())
	require.Equal(t, "Hello Alice !", m.k.Log.Lines[len(m.k.Log.Lines)-1].Text)
	require.Equal(t, errno(abi.EINVAL), m.call(nrSayhello2, name, out, 13), "no room for the NUL")
	require.Equal(t, errno(abi.EINVAL), m.call(nrSayhello2, name, out, 0xffffffff))
	require.Equal(t, errno(abi.EFAULT), m.call(nrSayhello2, 0, out, 100))
	require.Equal(t, errno(abi.EFAULT), m.call(nrSayhello2, wild, out, 100))
	require.Equal(t, errno(abi.EFAULT), m.call(nrSayhello2, name, wild, 100))
	require.Equal(t, errno(abi.EFAULT), m.call(nrSayhello2, name, kernelAddr, 100))
	long := m.put(t, 0, bytes.Repeat([]byte("a"), 4096)) // no NUL in the page
	require.Equal(t, errno(abi.EINVAL), m.call(nrSayhello2, long, out, 100))
}

func TestChangeCmdline(t *testing.T) {
	m := bootWith(t, Config{})
	buf := m.params + 2048
	read := func() string {
		fd := m.call(5, m.put(t, 0, []byte("/proc/self/cmdline\x00")), abi.O_RDONLY)
		require.GreaterOrEqual(t, fd, int32(3))
		n := m.call(3, uint32(fd), buf, 1024)
		m.call(6, uint32(fd))
		return string(m.get(t, buf, int(n)))
	}
	require.Equal(t, "prog\x00x\x00", read())
	mm0 := m.t.MM
	old, nw := m.params+512, m.params+256

	// Bad arguments change nothing.
	m.put(t, 256, []byte("ab"))
	require.Equal(t, errno(abi.EINVAL), m.call(nrChangeCmdline, old, 0xffffffff, nw, 2))
	require.Equal(t, errno(abi.EINVAL), m.call(nrChangeCmdline, old, 64, nw, 0))
	require.Equal(t, errno(abi.EINVAL), m.call(nrChangeCmdline, old, 64, nw, 4097))
	require.Equal(t, errno(abi.EFAULT), m.call(nrChangeCmdline, old, 64, 0, 2))
	require.Equal(t, errno(abi.EFAULT), m.call(nrChangeCmdline, old, 64, wild, 2))
	require.Equal(t, errno(abi.EFAULT), m.call(nrChangeCmdline, wild, 64, nw, 2))
	require.Equal(t, errno(abi.EFAULT), m.call(nrChangeCmdline, 0, 64, nw, 2))
	require.Equal(t, "prog\x00x\x00", read())

	// Fits: in place. The old line is truncated to oldlen; the result
	// is its full length.
	require.Equal(t, int32(7), m.call(nrChangeCmdline, old, 3, nw, 2))
	require.Equal(t, "pro", string(m.get(t, old, 3)))
	require.Equal(t, "ab\x00", read(), "a NUL is added")
	start := mm0.ArgStart
	// Does not fit: a fresh mapping.
	name := "Yen-Chun Hsu 0056021"
	m.put(t, 256, []byte(name))
	require.Equal(t, int32(3), m.call(nrChangeCmdline, old, 64, nw, uint32(len(name))))
	require.Equal(t, `change_cmdline("ab\0", 64, "Yen-Chun Hsu 0056021", 20) = 3`, m.lastCall())
	require.Equal(t, "ab\x00", string(m.get(t, old, 3)))
	require.Equal(t, name+"\x00", read())
	require.NotEqual(t, start, mm0.ArgStart, "arg_start moved")
	v := mm0.Find(mm0.ArgStart)
	require.NotNil(t, v)
	require.Equal(t, uint32(abi.PROT_READ|abi.PROT_WRITE), v.Prot)
	// Query only: oldlen 0 and NULL old.
	m.put(t, 256, []byte("two\x00args\x00"))
	require.Equal(t, int32(21), m.call(nrChangeCmdline, 0, 0, nw, 9))
	require.Equal(t, "two\x00args\x00", read(), "argv-style lines keep their NULs")
}

// change_cmdline seen from ps: a child reads the parent's cmdline.
func TestChangeCmdlineOtherReader(t *testing.T) {
	m := bootWith(t, Config{})
	nw := m.put(t, 0, []byte(strings.Repeat("z", 300)))
	require.Equal(t, int32(7), m.call(nrChangeCmdline, 0, 0, nw, 300))
	require.Equal(t, strings.Repeat("z", 300)+"\x00", string(m.t.cmdline()))
}

func TestTaskInfo(t *testing.T) {
	m := bootWith(t, Config{})
	out := m.params + 128
	require.Equal(t, int32(0), m.call(nrTaskInfo, 0, out))
	b := m.get(t, out, taskInfoSize)
	le := binary.LittleEndian
	require.Equal(t, uint32(1), le.Uint32(b[0:]))
	require.Equal(t, uint32(0), le.Uint32(b[4:]))
	require.Equal(t, uint32(0), le.Uint32(b[8:]), "TASK_RUNNING")
	require.Equal(t, "prog\x00", string(b[16:21]))
	require.Equal(t, `task_info(0, {pid=1, ppid=0, state=TASK_RUNNING, uid=0, comm="prog"}) = 0`, m.lastCall())
	require.Equal(t, int32(0), m.call(nrTaskInfo, 1, out))
	require.Equal(t, errno(abi.ESRCH), m.call(nrTaskInfo, 99, out))
	require.Equal(t, errno(abi.ESRCH), m.call(nrTaskInfo, 0xffffffff, out))
	require.Equal(t, errno(abi.EFAULT), m.call(nrTaskInfo, 0, 0))
	require.Equal(t, errno(abi.EFAULT), m.call(nrTaskInfo, 0, wild))
	require.Equal(t, errno(abi.EFAULT), m.call(nrTaskInfo, 0, kernelAddr))

	// A child: its parent, and stopped: Linux 4.15's do_signal_stop sets
	// TASK_STOPPED, TASK_WAKEKILL|__TASK_STOPPED (taskinfo's test stops
	// one with SIGSTOP).
	child := m.call(2)
	require.Greater(t, child, int32(1))
	m.k.Tasks[int(child)].state = taskStopped
	require.Equal(t, int32(0), m.call(nrTaskInfo, uint32(child), out))
	b = m.get(t, out, taskInfoSize)
	require.Equal(t, uint32(child), le.Uint32(b[0:]))
	require.Equal(t, uint32(1), le.Uint32(b[4:]))
	require.Equal(t, uint32(260), le.Uint32(b[8:]), "TASK_STOPPED")
	require.Contains(t, m.lastCall(), "state=TASK_STOPPED,")

	// Exited and not yet reaped: a zombie, whose task->state Linux 4.15's
	// do_task_dead() left at TASK_DEAD (128), not EXIT_ZOMBIE (32, in
	// exit_state).
	m.k.exitTask(m.k.Tasks[int(child)], Result{Exited: true, Code: 3, Status: 3})
	m.call(20) // getpid: SIGCHLD reaches the parent's trace first
	require.Equal(t, int32(0), m.call(nrTaskInfo, uint32(child), out))
	b = m.get(t, out, taskInfoSize)
	require.Equal(t, uint32(128), le.Uint32(b[8:]), "TASK_DEAD")
	require.Contains(t, m.lastCall(), "state=TASK_DEAD,")
	// Reaped: gone.
	require.Equal(t, child, m.call(114, uint32(child), 0, 0, 0))
	require.Equal(t, errno(abi.ESRCH), m.call(nrTaskInfo, uint32(child), out))
}

func TestKernelSignal(t *testing.T) {
	m := bootWith(t, Config{})
	require.Equal(t, errno(abi.ESRCH), m.call(nrKernelSignal, 99, abi.SIGUSR1))
	require.Equal(t, errno(abi.EINVAL), m.call(nrKernelSignal, 1, 65))
	require.Equal(t, errno(abi.EINVAL), m.call(nrKernelSignal, 1, 0xffffffff))
	require.Equal(t, int32(0), m.call(nrKernelSignal, 1, 0), "signal 0: the process exists")
	require.Equal(t, `kernel_signal(1, 0) = 0`, m.lastCall())
	// SIGUSR1 by default kills: the trace shows SI_KERNEL.
	require.Equal(t, int32(0), m.call(nrKernelSignal, 1, abi.SIGUSR1))
	_, dead := m.t.Exit()
	require.True(t, dead)
	var sig string
	for _, e := range m.rec.Events {
		if e.Kind == trace.Killed || e.Kind == trace.Signal {
			sig += trace.Render(&e) + "\n"
		}
	}
	require.Contains(t, sig, "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---")
	require.Contains(t, sig, "+++ killed by SIGUSR1 +++")
}

// compileCourse builds a testdata program against trapdoor.h.
func compileCourse(t *testing.T, name string) []byte {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("gcc", "-m32", "-static", "-O2", "-I", "../../testvectors/include", "-o", out, filepath.Join("testdata", name+".c"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot compile for i386: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

// session runs programs one after another on one kernel, as `trapdoor
// session` does, and returns each one's output and status.
type session struct {
	k   *Kernel
	out bytes.Buffer
}

func newSession(t *testing.T, cfg Config, progs ...string) *session {
	s := &session{}
	cfg.Stdout = Stdio{W: &s.out, Kind: StdioPipe}
	cfg.Stderr = Stdio{W: io.Discard, Kind: StdioPipe}
	cfg.MaxInstructions = 2e9
	s.k = New(cfg)
	for _, p := range progs {
		s.k.Install("/bin/"+p, compileCourse(t, p))
	}
	return s
}

func (s *session) run(t *testing.T, argv ...string) (string, int) {
	s.out.Reset()
	_, err := s.k.Start("/bin/"+argv[0], argv, nil)
	require.NoError(t, err)
	res, err := s.k.Run()
	require.NoError(t, err)
	return s.out.String(), res.Status
}

func TestKernelSignalGuest(t *testing.T) {
	s := newSession(t, Config{}, "course_sig")
	out, st := s.run(t, "course_sig")
	require.Equal(t, 0, st)
	require.Equal(t, "r=0 signo=10 si_code=128 SI_KERNEL=128\n", out)
}

// pfOutput is what course_pf get printed.
type pfOutput struct {
	nbVMA, cow int
	vmas       []PFVMA
}

func parsePf(t *testing.T, out string) pfOutput {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var p pfOutput
	_, err := fmt.Sscanf(lines[0], "nb_vma=%d cow=%d", &p.nbVMA, &p.cow)
	require.NoError(t, err, out)
	for _, l := range lines[1:] {
		var v PFVMA
		var start, end uint64
		_, err := fmt.Sscanf(l, "%x-%x %d", &start, &end, &v.CoWFaults)
		require.NoError(t, err, l)
		v.Start, v.End = uint32(start), uint32(end)
		p.vmas = append(p.vmas, v)
	}
	require.Equal(t, p.nbVMA, len(p.vmas))
	return p
}

// The INFO0940 sequence (set_param, the program, get_info, cleanup) on
// one kernel, under both profiles and both numberings.
func TestPfSequence(t *testing.T) {
	for _, c := range []struct {
		profile string
		flag    []string
	}{{ProfileDefault, nil}, {ProfileLinux415, nil}, {ProfileLinux415, []string{"-4"}}} {
		t.Run(c.profile+strings.Join(c.flag, ""), func(t *testing.T) {
			s := newSession(t, Config{Profile: c.profile}, "course_pf", "course_cow")
			pf := func(args ...string) (string, int) {
				return s.run(t, append(append([]string{"course_pf"}, c.flag...), args...)...)
			}
			out, st := pf("get", "course_cow")
			require.Equal(t, 1, st)
			require.Equal(t, "get: errno 22\n", out, "not tracked: EINVAL")
			_, st = pf("set", "course_cow")
			require.Equal(t, 0, st)
			out, _ = pf("get", "course_cow")
			require.Equal(t, "get: errno 3\n", out, "tracked, no such process yet: ESRCH")

			_, st = s.run(t, "course_cow", "30")
			require.Equal(t, 0, st)
			out, st = pf("get", "course_cow")
			require.Equal(t, 0, st, out)
			p30 := parsePf(t, out)
			stats := s.k.PFStats()
			require.Len(t, stats, 1)
			require.False(t, stats[0].Live, "the program has exited; its statistics stay")
			require.Equal(t, p30.cow, int(stats[0].CoWFaults))
			sum := 0
			for _, v := range p30.vmas {
				sum += int(v.CoWFaults)
			}
			require.Equal(t, p30.cow, sum, "per-VMA counts add up to the total")
			// buf (64 pages of .bss) is in the VMA with the most faults.
			most := 0
			for _, v := range p30.vmas {
				most = max(most, int(v.CoWFaults))
			}
			require.GreaterOrEqual(t, most, 30)
			require.Less(t, most, 40, "libc adds a few, not dozens")

			// Executed again: the statistics reset to the new run's.
			_, st = s.run(t, "course_cow", "2")
			require.Equal(t, 0, st)
			out, _ = pf("get", "course_cow")
			p2 := parsePf(t, out)
			require.Equal(t, p30.nbVMA, p2.nbVMA)
			require.Equal(t, p30.cow-28, p2.cow, "28 fewer page writes, 28 fewer CoW faults")

			// Re-tracking is a no-op; several names at once.
			_, st = pf("set", "course_cow")
			require.Equal(t, 0, st)
			_, st = pf("set", "other")
			require.Equal(t, 0, st)
			out, _ = pf("get", "course_cow")
			require.Equal(t, p2, parsePf(t, out), "re-tracking kept the statistics")
			require.Len(t, s.k.PFStats(), 2)

			_, st = pf("cleanup")
			require.Equal(t, 0, st)
			require.Empty(t, s.k.PFStats())
			out, _ = pf("get", "course_cow")
			require.Equal(t, "get: errno 22\n", out, "forgotten after cleanup")
		})
	}
}

func TestPfErrors(t *testing.T) {
	m := bootWith(t, Config{})
	name := m.put(t, 0, []byte("prog"))
	pf := m.params + 2048 // room for a struct pf_stat
	logged := logErrors(m.k)
	expectErr := func(want abi.Errno, r int32, why string) {
		t.Helper()
		require.Equal(t, errno(want), r, why)
		logged++
		require.Equal(t, logged, logErrors(m.k), "every error is logged at KERN_ERR: %s", why)
	}
	expectErr(abi.EINVAL, m.call(nrPfGetInfo, name, 4, pf), "not tracked")
	expectErr(abi.EINVAL, m.call(nrPfSetParam, name, 0), "empty name")
	expectErr(abi.EINVAL, m.call(nrPfSetParam, m.put(t, 64, []byte{0}), 1), "a NUL first")
	expectErr(abi.EFAULT, m.call(nrPfSetParam, 0, 4), "NULL name")
	expectErr(abi.EFAULT, m.call(nrPfSetParam, wild, 4), "unmapped name")
	expectErr(abi.EFAULT, m.call(nrPfSetParam, kernelAddr, 4), "kernel address")
	expectErr(abi.ENAMETOOLONG, m.call(nrPfSetParam, m.put(t, 64, []byte("sixteen_bytes_xx")), 16), "longer than a comm")
	require.Equal(t, int32(0), m.call(nrPfSetParam, m.put(t, 64, []byte("fifteen_bytes_x\x00")), 16), "15 bytes and the NUL")
	require.Equal(t, int32(0), m.call(nrPfSetParam, name, 4), "tracks the running process")
	require.Equal(t, `pf_set_param("prog", 4) = 0`, m.lastCall())
	require.Equal(t, logged, logErrors(m.k), "successes log nothing")
	expectErr(abi.EFAULT, m.call(nrPfGetInfo, name, 4, 0), "NULL pf_stat")
	expectErr(abi.EFAULT, m.call(nrPfGetInfo, name, 4, wild), "unmapped pf_stat")
	expectErr(abi.EFAULT, m.call(nrPfGetInfo, name, 4, kernelAddr-100), "pf_stat running into the kernel")
	// Many names: the table is bounded.
	for i := 0; len(m.k.course.pf) < pfMaxNames; i++ {
		require.Equal(t, int32(0), m.call(nrPfSetParam, m.put(t, 64, []byte("n"+strconv.Itoa(i))), uint32(len(strconv.Itoa(i))+1)))
	}
	expectErr(abi.ENOMEM, m.call(nrPfSetParam, m.put(t, 64, []byte("one_more")), 8), "table full")
	require.Equal(t, int32(0), m.call(nrPfCleanup))
	require.Equal(t, int32(0), m.call(nrPfCleanup), "nothing to clean: still fine")
	for _, l := range m.k.Log.Lines {
		if l.Level == LogErr {
			require.True(t, strings.HasPrefix(l.Text, "[INFO940][ERROR] pf_"), l.Text)
		}
	}
}

// The running process's statistics, with faults made directly: only
// user writes to shared private pages count; the kernel's copies do not.
func TestPfCountsUserCoWOnly(t *testing.T) {
	m := bootWith(t, Config{})
	name := m.put(t, 0, []byte("prog"))
	require.Equal(t, int32(0), m.call(nrPfSetParam, name, 4))
	data := m.t.MM.Find(m.params)
	require.NotNil(t, data)
	child := m.call(2)
	require.Greater(t, child, int32(0))
	// The kernel writing into the now write-protected page (a read
	// syscall's copy_to_user): a CoW, but not the process's fault.
	require.Equal(t, int32(8), m.call(355, m.params+8, 8, 0))
	require.Equal(t, uint64(0), m.t.MM.CoWFaults, "kernel faults are not counted")
	// A user write to another shared page of the stack.
	sp := m.k.CPU.R[cpu.ESP] &^ memory.PageMask
	require.NoError(t, m.t.MM.Fault(sp, memory.FaultWrite|memory.FaultUser|memory.FaultProtection))
	require.Equal(t, uint64(1), m.t.MM.CoWFaults)
	// A fault on a shared mapping is no CoW.
	sh, err := m.t.MM.Map(0, memory.PageSize, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_SHARED|abi.MAP_ANONYMOUS, mm.KindAnon, "", false)
	require.NoError(t, err)
	require.NoError(t, m.t.MM.Fault(sh, memory.FaultWrite|memory.FaultUser))
	require.Equal(t, uint64(1), m.t.MM.CoWFaults)

	pf := m.params + 2048
	require.Equal(t, int32(0), m.call(nrPfGetInfo, name, 4, pf))
	b := m.get(t, pf, pfStatSize)
	le := binary.LittleEndian
	require.Equal(t, uint32(len(m.t.MM.VMAs)), le.Uint32(b[0:]))
	require.Equal(t, uint32(1), le.Uint32(b[4:]))
	stats := m.k.PFStats()
	require.Len(t, stats, 1)
	require.True(t, stats[0].Live)
	require.Equal(t, 1, stats[0].Pid)
	for i, v := range stats[0].VMAs {
		require.Equal(t, v.Start, le.Uint32(b[8+4*pfMaxSize+4*i:]))
		require.Equal(t, v.End, le.Uint32(b[8+8*pfMaxSize+4*i:]))
		require.Equal(t, uint32(v.CoWFaults), le.Uint32(b[8+4*i:]))
	}
	require.Regexp(t, `^pf_get_info\("prog", 4, \{nb_vma=\d+, cow_page_faults=1, vma_fault=\[0, 0, `, m.lastCall())
	// The forked child has the same name but was not executed: the
	// statistics stay the parent's.
	require.Equal(t, 1, m.k.PFStats()[0].Pid)
}

func TestProfiles(t *testing.T) {
	def := New(Config{})
	old := New(Config{Profile: ProfileLinux415})
	require.Equal(t, ProfileDefault, def.Profile())
	require.Equal(t, ProfileLinux415, old.Profile())
	for nr := uint32(500); nr <= 509; nr++ {
		require.NotNil(t, def.Table().Lookup(nr), "%d in default", nr)
		require.NotNil(t, old.Table().Lookup(nr), "%d in linux-4.15", nr)
		require.Equal(t, def.Table().Lookup(nr).Name, old.Table().Lookup(nr).Name)
	}
	for nr, name := range map[uint32]string{385: "pf_set_param", 386: "pf_get_info", 387: "pf_cleanup"} {
		require.Equal(t, name, old.Table().Lookup(nr).Name)
		require.Equal(t, name, old.SyscallName(nr))
	}
	require.Nil(t, def.Table().Lookup(385))
	require.Equal(t, "rseq", def.Table().Lookup(386).Name)
	for _, c := range old.Table().Calls() {
		if c.Nr > 387 {
			require.GreaterOrEqual(t, c.Nr, uint32(500), "linux-4.15 has nothing at %d (%s)", c.Nr, c.Name)
		}
	}
	for _, nr := range []uint32{383, 340, 355, 295} {
		require.NotNil(t, old.Table().Lookup(nr), "Linux 4.15 had %d", nr)
	}

	m := bootWith(t, Config{})
	require.Equal(t, errno(abi.ENOSYS), m.call(385, m.put(t, 0, []byte("prog")), 4))
	require.Equal(t, "io_pgetevents(0x804a000, 0x4, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)", m.lastCall())
	require.Equal(t, int32(0), m.call(403, 1, m.params+64), "clock_gettime64")

	o := bootWith(t, Config{Profile: ProfileLinux415})
	require.Equal(t, int32(0), o.call(385, o.put(t, 0, []byte("prog")), 4))
	require.Equal(t, `pf_set_param("prog", 4) = 0`, o.lastCall())
	logged := logErrors(o.k)
	require.Equal(t, errno(abi.ENOSYS), o.call(386, o.params, 32, 0, 0x53053053), "glibc's rseq registration")
	require.Equal(t, logged, logErrors(o.k), "rseq is not an INFO0940 error")
	require.Equal(t, errno(abi.EFAULT), o.call(386, o.params, 32, 0, 0), "pf_get_info with a NULL pf_stat")
	require.Equal(t, logged+1, logErrors(o.k))
	require.Equal(t, errno(abi.ENOSYS), o.call(403, 1, o.params+64), "no clock_gettime64 in 4.15")
	require.Equal(t, errno(abi.ENOSYS), o.call(439, 0, 0, 0, 0), "no faccessat2 in 4.15")
	require.Equal(t, int32(0), o.call(nrPfCleanup))
	require.Empty(t, o.k.PFStats(), "507-509 and 385-387 share their state")

	require.Error(t, CheckProfile("linux-2.6"))
	require.NoError(t, CheckProfile(""))
	require.Panics(t, func() { New(Config{Profile: "linux-2.6"}) })
	_, err := ParseMsgboxPolicy("drop")
	require.ErrorContains(t, err, `unknown msgbox policy "drop"`)
	require.Panics(t, func() { New(Config{Msgbox: "drop"}) })
}

func TestSyslog(t *testing.T) {
	m := bootWith(t, Config{})
	buf := m.params + 512
	m.call(nrSayhello)
	m.call(nrPfGetInfo, m.put(t, 0, []byte("x")), 1, buf) // a KERN_ERR line
	require.Equal(t, int32(logBufLen), m.call(nrSyslog, syslogSizeBuffer, 0, 0))
	require.Equal(t, "syslog(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0) = 131072", m.lastCall())
	n := m.call(nrSyslog, syslogReadAll, buf, 3000)
	require.Greater(t, n, int32(0))
	text := string(m.get(t, buf, int(n)))
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.Len(t, lines, len(m.k.Log.Lines))
	require.Regexp(t, `^<7>\[ +\d+\.\d{6}\] Hello !$`, lines[0])
	require.Regexp(t, `^<3>\[ +\d+\.\d{6}\] \[INFO940\]\[ERROR\] pf_get_info: `, lines[1])
	require.True(t, strings.HasPrefix(m.last(), `syslog(SYSLOG_ACTION_READ_ALL, "<7>[`), m.lastCall())

	// A small buffer gets the newest records that fit.
	n = m.call(nrSyslog, syslogReadAll, buf, uint32(len(lines[1])+1))
	require.Equal(t, lines[1]+"\n", string(m.get(t, buf, int(n))))
	require.Equal(t, int32(0), m.call(nrSyslog, syslogReadAll, buf, uint32(len(lines[1]))), "not even one fits")
	require.Equal(t, errno(abi.EINVAL), m.call(nrSyslog, syslogReadAll, 0, 100))
	require.Equal(t, errno(abi.EINVAL), m.call(nrSyslog, syslogReadAll, buf, 0xffffffff))
	require.Equal(t, errno(abi.EFAULT), m.call(nrSyslog, syslogReadAll, wild, 100))
	require.Equal(t, errno(abi.EINVAL), m.call(nrSyslog, 11, buf, 100))

	// READ consumes; SIZE_UNREAD counts what is left.
	require.Equal(t, n+int32(len(lines[0])+1), m.call(nrSyslog, syslogSizeUnread, 0, 0))
	require.Equal(t, int32(len(lines[0])+1), m.call(nrSyslog, syslogRead, buf, uint32(len(lines[0])+1)))
	require.Equal(t, lines[0]+"\n", string(m.get(t, buf, len(lines[0])+1)))
	require.Equal(t, n, m.call(nrSyslog, syslogSizeUnread, 0, 0))
	require.Equal(t, n, m.call(nrSyslog, syslogRead, buf, 3000))
	require.Equal(t, int32(0), m.call(nrSyslog, syslogSizeUnread, 0, 0))
	// Nothing unread: READ sleeps until a record arrives.
	m.call(nrSyslog, syslogRead, buf, 3000)
	require.True(t, m.t.rs.active)
	require.Equal(t, taskSleeping, m.t.state)
	m.k.Log.Printf(LogInfo, "wake up")
	m.k.klogPoll()
	require.Equal(t, taskRunning, m.t.state)
	m.t.rs = restartState{active: true, nr: nrSyslog, err: errRestartSys}
	n = m.call(nrSyslog, syslogRead, buf, 3000)
	require.Regexp(t, `^<6>\[ +\d+\.\d{6}\] wake up\n$`, string(m.get(t, buf, int(n))))

	// CLEAR empties what READ_ALL returns.
	require.Equal(t, int32(0), m.call(nrSyslog, syslogClear, 0, 0))
	require.Equal(t, int32(0), m.call(nrSyslog, syslogReadAll, buf, 3000))
	m.call(nrSayhello)
	n = m.call(nrSyslog, syslogReadClear, buf, 3000)
	require.Regexp(t, `^<7>\[ +\d+\.\d{6}\] Hello !\n$`, string(m.get(t, buf, int(n))))
	require.Equal(t, int32(0), m.call(nrSyslog, syslogReadAll, buf, 3000), "READ_CLEAR cleared")
	require.Equal(t, int32(0), m.call(nrSyslog, syslogConsoleLevel, 0, 4))
	require.Equal(t, errno(abi.EINVAL), m.call(nrSyslog, syslogConsoleLevel, 0, 9))

	// Not root: only READ_ALL and SIZE_BUFFER (dmesg_restrict=0).
	u := bootWith(t, Config{UID: 1000})
	u.call(nrSayhello)
	require.Greater(t, u.call(nrSyslog, syslogReadAll, u.params, 3000), int32(0))
	require.Equal(t, int32(logBufLen), u.call(nrSyslog, syslogSizeBuffer, 0, 0))
	for _, a := range []uint32{syslogClose, syslogOpen, syslogRead, syslogReadClear, syslogClear, syslogConsoleLevel, syslogSizeUnread} {
		require.Equal(t, errno(abi.EPERM), u.call(nrSyslog, a, u.params, 3000), "action %d", a)
	}
	require.Equal(t, errno(abi.EINVAL), u.call(nrSyslog, 42, u.params, 3000))
}
