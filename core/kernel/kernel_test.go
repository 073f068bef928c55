package kernel

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
	"trapdoor/core/trace"
)

// tinyELF builds a static i386 executable whose text is code, loaded at
// 0x08049000, with a writable page at 0x0804a000.
func tinyELF(code []byte) []byte {
	const ehsize, phsize = 52, 32
	b := make([]byte, 3*memory.PageSize)
	copy(b, elf.ELFMAG)
	b[4], b[5], b[6] = 1, 1, 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(elf.EM_386))
	le.PutUint32(b[20:], 1)
	le.PutUint32(b[24:], 0x08049000)
	le.PutUint32(b[28:], ehsize)
	le.PutUint16(b[40:], ehsize)
	le.PutUint16(b[42:], phsize)
	le.PutUint16(b[44:], 2)
	ph := func(i int, off, vaddr, size uint32, flags elf.ProgFlag) {
		p := b[ehsize+i*phsize:]
		le.PutUint32(p[0:], uint32(elf.PT_LOAD))
		le.PutUint32(p[4:], off)
		le.PutUint32(p[8:], vaddr)
		le.PutUint32(p[12:], vaddr)
		le.PutUint32(p[16:], size)
		le.PutUint32(p[20:], size)
		le.PutUint32(p[24:], uint32(flags))
		le.PutUint32(p[28:], memory.PageSize)
	}
	ph(0, memory.PageSize, 0x08049000, memory.PageSize, elf.PF_R|elf.PF_X)
	ph(1, 2*memory.PageSize, 0x0804a000, memory.PageSize, elf.PF_R|elf.PF_W)
	copy(b[memory.PageSize:], code)
	return b
}

type machine struct {
	k      *Kernel
	t      *Task
	out    bytes.Buffer
	rec    trace.Recorder
	params uint32 // scratch page for syscall arguments
}

// boot starts a kernel running code (which the syscall tests never run:
// they call the handlers through the dispatcher directly).
func boot(t *testing.T, code []byte) *machine {
	m := &machine{}
	m.k = New(Config{Stdout: Stdio{W: &m.out, Kind: StdioPipe}, Stderr: Stdio{W: &m.out, Kind: StdioPipe}, Trace: &m.rec})
	m.k.Install("/bin/prog", tinyELF(code))
	task, err := m.k.Start("/bin/prog", []string{"prog", "x"}, []string{"A=1"})
	require.NoError(t, err)
	m.t = task
	m.params = 0x0804a000
	return m
}

// call performs a system call as int 0x80 would and returns eax.
func (m *machine) call(nr uint32, args ...uint32) int32 {
	c := m.k.CPU
	regs := []int{cpu.EBX, cpu.ECX, cpu.EDX, cpu.ESI, cpu.EDI, cpu.EBP}
	for i := range regs {
		c.R[regs[i]] = 0
		if i < len(args) {
			c.R[regs[i]] = args[i]
		}
	}
	c.R[cpu.EAX] = nr
	m.k.syscall(m.t)
	return int32(c.R[cpu.EAX])
}

// callBlocking performs a call that may sleep: while it waits, the
// scheduler runs (time jumps to the deadline) and the call restarts.
func (m *machine) callBlocking(t *testing.T, nr uint32, args ...uint32) int32 {
	r := m.call(nr, args...)
	for m.t.rs.active {
		require.Equal(t, m.t, m.k.pickNext())
		r = m.call(nr, args...)
	}
	return r
}

// put writes bytes into the scratch page at off and returns the address.
func (m *machine) put(t *testing.T, off uint32, b []byte) uint32 {
	require.NoError(t, m.t.MM.CopyOut(m.params+off, b))
	return m.params + off
}

func (m *machine) get(t *testing.T, addr uint32, n int) []byte {
	b := make([]byte, n)
	require.NoError(t, m.t.MM.CopyIn(addr, b))
	return b
}

func (m *machine) last() string { return trace.Render(&m.rec.Events[len(m.rec.Events)-1]) }

const wild = 0xdead0000

func TestRunExit(t *testing.T) {
	// mov eax,252; mov ebx,7; int 0x80
	m := boot(t, []byte{0xb8, 252, 0, 0, 0, 0xbb, 7, 0, 0, 0, 0xcd, 0x80})
	res, err := m.k.Run()
	require.NoError(t, err)
	require.Equal(t, Result{Exited: true, Code: 7, Status: 7}, res)
	require.Equal(t, "exit_group(7)                           = ?", trace.Render(&m.rec.Events[0]))
	require.Equal(t, "+++ exited with 7 +++", trace.Render(&m.rec.Events[1]))
	used, _ := m.k.Phys.InUse()
	require.Equal(t, 1, used, "every frame but the idle page directory is freed when the process is gone")
	_, f := m.k.CPU.ReadGuest(0x08049000, make([]byte, 4), true)
	require.NotNil(t, f, "memory reads after the exit fault instead of touching freed frames")
}

func TestFaultsBecomeSignals(t *testing.T) {
	cases := []struct {
		code    []byte
		sig     int
		log     string
		siginfo string
	}{
		{[]byte{0xa1, 0, 0, 0, 0}, abi.SIGSEGV, "prog[1]: segfault at 0 ip 08049000 sp ", "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}"},
		{[]byte{0xc7, 0x05, 0, 0x90, 0x04, 0x08, 1, 0, 0, 0}, abi.SIGSEGV, "error 7 in prog[8049000+1000]", "si_code=SEGV_ACCERR, si_addr=0x8049000"},
		{[]byte{0x0f, 0x0b}, abi.SIGILL, "traps: prog[1] trap invalid opcode ip:8049000", "si_code=ILL_ILLOPN, si_addr=0x8049000"},
		{[]byte{0x31, 0xc9, 0xf7, 0xf1}, abi.SIGFPE, "trap divide error ip:8049002", "si_code=FPE_INTDIV"},
		{[]byte{0xf4}, abi.SIGSEGV, "general protection fault ip:8049000", "si_code=SI_KERNEL"},
		{[]byte{0xcd, 0x21}, abi.SIGSEGV, "general protection fault ip:8049000 sp:bffff", "si_code=SI_KERNEL"},
		{[]byte{0xcd, 0x03}, abi.SIGTRAP, "trap int3", "{si_signo=SIGTRAP, si_code=SI_KERNEL}"},
		{[]byte{0xcc}, abi.SIGTRAP, "trap int3", "{si_signo=SIGTRAP, si_code=SI_KERNEL}"},
	}
	for _, c := range cases {
		m := boot(t, c.code)
		res, err := m.k.Run()
		require.NoError(t, err)
		require.Equal(t, c.sig, res.Signal)
		require.Equal(t, 128+c.sig, res.Status)
		require.Len(t, m.k.Log.Lines, 1)
		require.Contains(t, m.k.Log.Lines[0].Text, c.log)
		require.Contains(t, trace.Render(&m.rec.Events[0]), c.siginfo)
		require.Equal(t, "+++ killed by "+abi.SignalName(c.sig)+" +++", trace.Render(&m.rec.Events[1]))
	}
}

func TestInstructionBudget(t *testing.T) {
	k := New(Config{MaxInstructions: 1000, Slice: 300})
	k.Install("/bin/loop", tinyELF([]byte{0xeb, 0xfe})) // jmp $
	_, err := k.Start("/bin/loop", []string{"loop"}, nil)
	require.NoError(t, err)
	res, err := k.Run()
	require.NoError(t, err)
	require.Equal(t, abi.SIGKILL, res.Signal)
	require.Equal(t, uint64(1000), k.Instructions())
}

func TestMemoryCap(t *testing.T) {
	// Touch pages up the stack until memory runs out:
	// loop: sub esp,4096; mov [esp],eax; jmp loop
	k := New(Config{MemoryBytes: 1 << 20})
	k.Install("/bin/eat", tinyELF([]byte{0x81, 0xec, 0, 0x10, 0, 0, 0x89, 0x04, 0x24, 0xeb, 0xf5}))
	_, err := k.Start("/bin/eat", []string{"eat"}, nil)
	require.NoError(t, err)
	res, err := k.Run()
	require.NoError(t, err)
	require.Equal(t, abi.SIGKILL, res.Signal)
	require.Contains(t, k.Log.Lines[0].Text, "Out of memory")
}

func TestUnknownSyscall(t *testing.T) {
	m := boot(t, nil)
	require.Equal(t, -int32(abi.ENOSYS), m.call(9999, 1, 2))
	require.Equal(t, "syscall_0x270f(0x1, 0x2, 0, 0, 0, 0)    = -1 ENOSYS (Function not implemented)", m.last())
	require.Equal(t, -int32(abi.ENOSYS), m.call(217, 1)) // pivot_root: known name, not implemented
	require.True(t, strings.HasPrefix(m.last(), "pivot_root(0x1"))
}

func TestWriteReadAndFault(t *testing.T) {
	m := boot(t, nil)
	msg := m.put(t, 0, []byte("hello\n"))
	require.Equal(t, int32(6), m.call(4, 1, msg, 6))
	require.Equal(t, "hello\n", m.out.String())
	require.Equal(t, `write(1, "hello\n", 6)                  = 6`, m.last())
	require.Equal(t, -int32(abi.EFAULT), m.call(4, 1, wild, 6))
	require.Equal(t, -int32(abi.EBADF), m.call(4, 42, msg, 6))
	require.Equal(t, -int32(abi.EBADF), m.call(3, 1, msg, 6), "stdout is write-only")
	// writev with one good and one NULL iovec
	iov := make(le, 16)
	iov.u32(0, msg)
	iov.u32(4, 3)
	a := m.put(t, 64, iov)
	require.Equal(t, int32(3), m.call(146, 1, a, 2))
	require.Equal(t, `writev(1, [{iov_base="hel", iov_len=3}, {iov_base=NULL, iov_len=0}], 2) = 3`, m.last())
	require.Equal(t, -int32(abi.EINVAL), m.call(146, 1, a, 5000))
}

func TestFiles(t *testing.T) {
	m := boot(t, nil)
	path := m.put(t, 0, []byte("/etc/hostname\x00"))
	fd := m.call(5, path, abi.O_RDONLY)
	require.Equal(t, int32(3), fd)
	buf := m.params + 512
	require.Equal(t, int32(9), m.call(3, 3, buf, 100))
	require.Equal(t, "trapdoor\n", string(m.get(t, buf, 9)))
	require.Equal(t, `read(3, "trapdoor\n", 100)              = 9`, m.last())
	require.Equal(t, int32(0), m.call(3, 3, buf, 100), "end of file")
	require.Equal(t, int32(2), m.call(19, 3, 2, abi.SEEK_SET))
	require.Equal(t, -int32(abi.EINVAL), m.call(19, 3, 0xffffffff, abi.SEEK_SET))
	res := m.params + 1024
	require.Equal(t, int32(0), m.call(140, 3, 0, 1, res, abi.SEEK_END))
	require.Equal(t, uint64(10), binary.LittleEndian.Uint64(m.get(t, res, 8)))
	require.Equal(t, int32(0), m.call(197, 3, buf))
	st := m.get(t, buf, 96)
	require.Equal(t, uint32(abi.S_IFREG|0644), binary.LittleEndian.Uint32(st[16:]))
	require.Equal(t, uint64(9), binary.LittleEndian.Uint64(st[44:]))
	require.Equal(t, `fstat64(3, {st_mode=S_IFREG|0644, st_size=9, ...}) = 0`, m.last())
	require.Equal(t, int32(0), m.call(6, 3))
	require.Equal(t, -int32(abi.EBADF), m.call(6, 3))

	missing := m.put(t, 100, []byte("/x\x00"))
	require.Equal(t, -int32(abi.ENOENT), m.call(5, missing, abi.O_RDONLY))
	require.Equal(t, `open("/x", O_RDONLY)                    = -1 ENOENT (No such file or directory)`, m.last())
	require.Equal(t, -int32(abi.EFAULT), m.call(5, wild, abi.O_RDONLY))
	// Create, write, reopen, read back.
	tmp := m.put(t, 200, []byte("/tmp/f\x00"))
	require.Equal(t, int32(3), m.call(295, uint32(0xffffff9c), tmp, abi.O_CREAT|abi.O_WRONLY|abi.O_TRUNC, 0644))
	require.Equal(t, `openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3`, m.last())
	data := m.put(t, 300, []byte("abc"))
	require.Equal(t, int32(3), m.call(4, 3, data, 3))
	require.Equal(t, -int32(abi.EEXIST), m.call(5, tmp, abi.O_CREAT|abi.O_EXCL|abi.O_RDWR, 0644))
	require.Equal(t, int32(4), m.call(5, tmp, abi.O_RDONLY))
	require.Equal(t, int32(3), m.call(3, 4, buf, 10))
	dir := m.put(t, 400, []byte("/tmp\x00"))
	require.Equal(t, -int32(abi.EISDIR), m.call(5, dir, abi.O_WRONLY))
	require.Equal(t, -int32(abi.ENOTDIR), m.call(5, m.put(t, 450, []byte("/etc/hostname/x\x00")), abi.O_RDONLY))
	// /dev/null
	null := m.put(t, 500, []byte("/dev/null\x00"))
	fd = m.call(5, null, abi.O_RDWR)
	require.Equal(t, int32(3), m.call(4, uint32(fd), data, 3))
	require.Equal(t, int32(0), m.call(3, uint32(fd), buf, 3))
	// stat of a path, dup, fcntl
	require.Equal(t, int32(0), m.call(195, null, buf))
	require.Equal(t, `stat64("/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0`, m.last())
	d := m.call(41, 1)
	require.Equal(t, d+1, m.call(221, 1, 0, uint32(d)), "F_DUPFD takes the lowest free fd from its argument")
	require.Equal(t, int32(0), m.call(221, uint32(d), 1))
	require.Equal(t, int32(0), m.call(221, uint32(d), 2, 1))
	require.Equal(t, int32(1), m.call(221, uint32(d), 1), "FD_CLOEXEC set")
	// Directory listing.
	root := m.call(5, m.put(t, 600, []byte("/\x00")), abi.O_RDONLY|abi.O_DIRECTORY)
	n := m.call(220, uint32(root), buf, 4096)
	require.Greater(t, n, int32(0))
	require.Equal(t, "getdents64("+itoa(uint64(root))+", 0x804a200 /* 8 entries */, 4096) = "+itoa(uint64(n)), strings.Join(strings.Fields(m.last()), " "))
	require.Equal(t, int32(0), m.call(220, uint32(root), buf, 4096))
	require.Equal(t, -int32(abi.ENOTDIR), m.call(220, 1, buf, 4096))
	require.Equal(t, int32(abi.O_WRONLY), m.call(221, 1, 3))
}

func TestIoctlAndStatx(t *testing.T) {
	m := boot(t, nil)
	buf := m.params + 256
	require.Equal(t, -int32(abi.ENOTTY), m.call(54, 1, abi.TCGETS, buf), "stdout is a pipe")
	require.Equal(t, -int32(abi.ENOTTY), m.call(54, 1, abi.TIOCGWINSZ, buf))
	require.Equal(t, `ioctl(1, TIOCGWINSZ, 0x804a100)         = -1 ENOTTY (Inappropriate ioctl for device)`, m.last())
	empty := m.put(t, 0, []byte{0})
	require.Equal(t, int32(0), m.call(383, 1, empty, abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT, abi.STATX_BASIC_STATS, buf))
	require.Equal(t, `statx(1, "", AT_STATX_SYNC_AS_STAT|AT_NO_AUTOMOUNT|AT_EMPTY_PATH, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFIFO|0600, stx_size=0, ...}) = 0`, m.last())

	// A terminal answers TCGETS and TIOCGWINSZ.
	k := New(Config{Stdout: Stdio{W: &bytes.Buffer{}, Kind: StdioTTY}, Rows: 30, Cols: 100})
	k.Install("/bin/p", tinyELF(nil))
	task, err := k.Start("/bin/p", []string{"p"}, nil)
	require.NoError(t, err)
	tm := &machine{k: k, t: task, params: 0x0804a000}
	require.Equal(t, int32(0), tm.call(54, 1, abi.TIOCGWINSZ, buf))
	require.Equal(t, []byte{30, 0, 100, 0}, tm.get(t, buf, 4))
	require.Equal(t, int32(0), tm.call(54, 1, abi.TCGETS, buf))
	require.Equal(t, uint32(0x8a3b), binary.LittleEndian.Uint32(tm.get(t, buf+12, 4)))
}

func TestMemorySyscalls(t *testing.T) {
	m := boot(t, nil)
	brk := uint32(m.call(45, 0))
	require.Equal(t, uint32(0x0804b000), brk)
	require.Equal(t, "brk(NULL)                               = 0x804b000", m.last())
	require.Equal(t, brk+0x2100, uint32(m.call(45, brk+0x2100)))
	require.Equal(t, brk+0x2100, uint32(m.call(45, 0x1000)), "refused: old break")

	a := uint32(m.call(192, 0, 8192, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, 0xffffffff, 0))
	require.Equal(t, uint32(mm.MmapBase-8192), a)
	require.Equal(t, "mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb7ffe000", m.last())
	require.Equal(t, -int32(abi.EINVAL), m.call(192, 0, 0, 3, 0x22, 0xffffffff, 0))
	require.Equal(t, -int32(abi.EINVAL), m.call(192, 0, 4096, 3, abi.MAP_ANONYMOUS, 0xffffffff, 0))
	require.Equal(t, -int32(abi.EBADF), m.call(192, 0, 4096, 3, abi.MAP_PRIVATE, 77, 0))
	require.Equal(t, -int32(abi.ENOMEM), m.call(192, 0, 0xfffff000, 3, 0x22, 0xffffffff, 0))
	require.Equal(t, int32(0), m.call(125, a, 4096, abi.PROT_READ))
	require.Equal(t, -int32(abi.ENOMEM), m.call(125, 0x30000000, 4096, abi.PROT_READ))
	require.Equal(t, -int32(abi.EINVAL), m.call(125, a+1, 4096, abi.PROT_READ))
	require.Equal(t, int32(0), m.call(91, a, 8192))
	require.Nil(t, m.t.MM.Find(a))
	// Old mmap takes its arguments in memory.
	blk := make(le, 24)
	blk.u32(4, 4096)
	blk.u32(8, abi.PROT_READ)
	blk.u32(12, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS)
	blk.u32(16, 0xffffffff)
	p := m.put(t, 0, blk)
	require.Equal(t, uint32(mm.MmapBase-4096), uint32(m.call(90, p)))
	require.Equal(t, "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb7fff000", m.last())
	require.Equal(t, -int32(abi.EFAULT), m.call(90, wild))
	// A private file mapping sees the file's bytes.
	fd := m.call(5, m.put(t, 64, []byte("/etc/hostname\x00")), 0)
	f := uint32(m.call(192, 0, 4096, abi.PROT_READ, abi.MAP_PRIVATE, uint32(fd), 0))
	require.Equal(t, "trapdoor", string(m.get(t, f, 8)))
}

func TestProcessCalls(t *testing.T) {
	m := boot(t, nil)
	require.Equal(t, int32(1), m.call(20))
	require.Equal(t, int32(1), m.call(224))
	require.Equal(t, int32(0), m.call(64))
	require.Equal(t, int32(0), m.call(199))
	buf := m.params + 256
	require.Equal(t, int32(0), m.call(122, buf))
	u := m.get(t, buf, 6*65)
	require.Equal(t, "Linux", string(bytes.TrimRight(u[:65], "\x00")))
	require.Equal(t, "i686", string(bytes.TrimRight(u[4*65:5*65], "\x00")))
	require.Equal(t, -int32(abi.EFAULT), m.call(122, wild))
	require.Equal(t, int32(0), m.call(191, abi.RLIMIT_STACK, buf))
	require.Equal(t, "ugetrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}) = 0", m.last())
	require.Equal(t, -int32(abi.EINVAL), m.call(191, 99, buf))
	require.Equal(t, int32(0), m.call(340, 0, abi.RLIMIT_NOFILE, 0, buf))
	require.Equal(t, uint64(1024), binary.LittleEndian.Uint64(m.get(t, buf, 8)))
	// readlink of /proc/self/exe
	p := m.put(t, 0, []byte("/proc/self/exe\x00"))
	require.Equal(t, int32(9), m.call(85, p, buf, 4096))
	require.Equal(t, "/bin/prog", string(m.get(t, buf, 9)))
	require.Equal(t, int32(4), m.call(85, p, buf, 4), "truncated, no NUL")
	require.Equal(t, -int32(abi.EINVAL), m.call(85, p, buf, 0))
	require.Equal(t, -int32(abi.EINVAL), m.call(85, m.put(t, 32, []byte("/etc/passwd\x00")), buf, 10), "not a link")
	// getrandom is deterministic per seed
	require.Equal(t, int32(8), m.call(355, buf, 8, abi.GRND_NONBLOCK))
	first := m.get(t, buf, 8)
	m2 := boot(t, nil)
	m2.call(355, buf, 8, abi.GRND_NONBLOCK)
	require.Equal(t, first, m2.get(t, buf, 8))
	require.Equal(t, -int32(abi.EINVAL), m.call(355, buf, 8, 0x100))
	// futex on one thread
	require.Equal(t, int32(0), m.call(240, buf, abi.FUTEX_WAKE, 1))
	require.Equal(t, -int32(abi.EAGAIN), m.call(240, buf, abi.FUTEX_WAIT, 0x12345))
	// rseq is refused, set_robust_list checks its size
	require.Equal(t, -int32(abi.ENOSYS), m.call(386, buf, 32, 0, 0x53053053))
	require.Equal(t, -int32(abi.EINVAL), m.call(311, buf, 24))
}

func TestThreadArea(t *testing.T) {
	m := boot(t, nil)
	ud := make(le, 16)
	ud.u32(0, 0xffffffff)
	ud.u32(4, 0x12345000)
	ud.u32(8, 0xfffff)
	ud.u32(12, 0x51)
	p := m.put(t, 0, ud)
	require.Equal(t, int32(0), m.call(243, p))
	require.Equal(t, uint32(6), binary.LittleEndian.Uint32(m.get(t, p, 4)))
	require.True(t, strings.HasSuffix(m.last(), "= 0 (entry_number=6)"))
	require.Equal(t, uint32(0x12345000), m.k.CPU.GDT[6].Base)
	// A selector already loaded into %gs picks up the new base.
	m.k.CPU.Seg[cpu.GS] = 6<<3 | 3
	ud.u32(0, 6)
	ud.u32(4, 0x22222000)
	m.put(t, 0, ud)
	require.Equal(t, int32(0), m.call(243, p))
	require.Equal(t, uint32(0x22222000), m.k.CPU.SegBas[cpu.GS])
	// Three slots, then ESRCH.
	ud.u32(0, 0xffffffff)
	m.put(t, 0, ud)
	require.Equal(t, int32(0), m.call(243, p))
	m.put(t, 0, ud)
	require.Equal(t, int32(0), m.call(243, p))
	m.put(t, 0, ud)
	require.Equal(t, -int32(abi.ESRCH), m.call(243, p))
	ud.u32(0, 3)
	m.put(t, 0, ud)
	require.Equal(t, -int32(abi.EINVAL), m.call(243, p))
	require.Equal(t, -int32(abi.EFAULT), m.call(243, wild))
	// get_thread_area reads it back.
	ud.u32(0, 6)
	m.put(t, 0, ud)
	require.Equal(t, int32(0), m.call(244, p))
	got := m.get(t, p, 16)
	require.Equal(t, uint32(0x22222000), binary.LittleEndian.Uint32(got[4:]))
	require.Equal(t, uint32(0xfffff), binary.LittleEndian.Uint32(got[8:]))
	require.Equal(t, uint32(0x51), binary.LittleEndian.Uint32(got[12:]))
}

func TestTimeCalls(t *testing.T) {
	m := boot(t, nil)
	buf := m.params + 256
	require.Equal(t, int32(0), m.call(265, abi.CLOCK_MONOTONIC, buf))
	t0 := binary.LittleEndian.Uint32(m.get(t, buf, 4))
	require.Equal(t, uint32(1), t0, "virtual monotonic clock starts at 1s")
	ts := make(le, 8)
	ts.u32(0, 5)
	p := m.put(t, 0, ts)
	require.Equal(t, int32(0), m.callBlocking(t, 162, p, 0))
	require.Equal(t, "nanosleep({tv_sec=5, tv_nsec=0}, NULL)  = 0", m.last())
	require.Equal(t, int32(0), m.call(403, abi.CLOCK_MONOTONIC, buf))
	require.Equal(t, uint64(6), binary.LittleEndian.Uint64(m.get(t, buf, 8)), "sleeping advances virtual time")
	require.Equal(t, -int32(abi.EINVAL), m.call(265, 99, buf))
	require.Equal(t, -int32(abi.EFAULT), m.call(265, 0, wild))
	ts.u32(4, 1e9)
	m.put(t, 0, ts)
	require.Equal(t, -int32(abi.EINVAL), m.call(162, p, 0))
	now := m.call(13, 0)
	require.Equal(t, int32(virtualEpoch/1e9+5), now)
	require.Equal(t, int32(0), m.call(78, buf, 0))
}

func TestSignalsRecorded(t *testing.T) {
	m := boot(t, nil)
	act := make(le, 20)
	act.u32(0, 0x08049000)
	act.u32(4, 0x04000000)
	act.u32(8, 0x08049010)
	p := m.put(t, 0, act)
	old := m.params + 256
	require.Equal(t, int32(0), m.call(174, abi.SIGINT, p, old, 8))
	require.Equal(t, "rt_sigaction(SIGINT, {sa_handler=0x8049000, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x8049010}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0", m.last())
	require.Equal(t, -int32(abi.EINVAL), m.call(174, abi.SIGKILL, p, 0, 8))
	require.Equal(t, -int32(abi.EINVAL), m.call(174, abi.SIGINT, p, 0, 4))
	set := m.put(t, 64, []byte{0, 0x40, 0, 0, 0, 0, 0, 0}) // SIGTERM? bit 14 = SIGALRM...
	require.Equal(t, int32(0), m.call(175, abi.SIG_BLOCK, set, 0, 8))
	require.Equal(t, uint64(1)<<14, m.t.sig.blocked)
	// kill(self, 0) checks, SIGCHLD is ignored by default, SIGTERM kills.
	require.Equal(t, int32(0), m.call(37, 1, 0))
	require.Equal(t, int32(0), m.call(37, 1, abi.SIGCHLD))
	require.Equal(t, -int32(abi.ESRCH), m.call(37, 99, abi.SIGTERM))
	m.call(270, 1, 1, abi.SIGABRT)
	r, done := m.t.Exit()
	require.True(t, done)
	require.Equal(t, 128+abi.SIGABRT, r.Status)
	require.Equal(t, "+++ killed by SIGABRT +++", m.last())
	n := len(m.rec.Events)
	require.Equal(t, "tgkill(1, 1, SIGABRT)                   = 0", trace.Render(&m.rec.Events[n-3]))
	require.Equal(t, "--- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=1, si_uid=0} ---", trace.Render(&m.rec.Events[n-2]))
}

// TestGarbageCode runs random bytes as a program: each run must end in
// a signal, an exit or the budget, never an emulator failure.
func TestGarbageCode(t *testing.T) {
	rng := uint32(12345)
	for i := 0; i < 300; i++ {
		code := make([]byte, 256)
		for j := range code {
			rng = rng*1103515245 + 12345
			code[j] = byte(rng >> 16)
		}
		k := New(Config{MaxInstructions: 100000})
		k.Install("/bin/g", tinyELF(code))
		_, err := k.Start("/bin/g", []string{"g"}, nil)
		require.NoError(t, err)
		res, err := k.Run()
		require.NoError(t, err, "run %d", i)
		require.True(t, res.Exited || res.Signal != 0, "run %d: %+v", i, res)
	}
}

func TestProcFiles(t *testing.T) {
	m := boot(t, nil)
	buf := m.params + 1024
	read := func(path string) string {
		fd := m.call(5, m.put(t, 0, []byte(path+"\x00")), abi.O_RDONLY)
		require.GreaterOrEqual(t, fd, int32(3), path)
		n := m.call(3, uint32(fd), buf, 2048)
		require.GreaterOrEqual(t, n, int32(0))
		m.call(6, uint32(fd))
		return string(m.get(t, buf, int(n)))
	}
	require.Equal(t, "prog\x00x\x00", read("/proc/self/cmdline"))
	require.Equal(t, "prog\n", read("/proc/1/comm"))
	// Overwriting argv changes what /proc shows, as on Linux: without
	// its final NUL the string runs on into the environment.
	require.NoError(t, m.t.MM.CopyOut(m.t.MM.ArgStart, []byte("renamed")))
	require.Equal(t, "renamedA=1", read("/proc/self/cmdline"))
	maps := read("/proc/self/maps")
	// The name starts in column 49, as Linux pads it on 32-bit.
	require.Contains(t, maps, "08049000-0804a000 r-xp 00001000 00:1a 17         /bin/prog\n")
	require.Contains(t, maps, "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n")
	require.Equal(t, -int32(abi.ENOENT), m.call(5, m.put(t, 0, []byte("/proc/77/maps\x00")), abi.O_RDONLY))
	fd := m.call(5, m.put(t, 0, []byte("/proc/self/maps\x00")), abi.O_WRONLY)
	require.Equal(t, -int32(abi.EACCES), m.call(4, uint32(fd), buf, 1))
}

func TestConsoleSeek(t *testing.T) {
	m := boot(t, nil)
	require.Equal(t, -int32(abi.ESPIPE), m.call(19, 1, 0, abi.SEEK_CUR), "a pipe cannot seek")
	k := New(Config{Stdin: Stdio{R: bytes.NewReader([]byte("abcdef")), Kind: StdioFile}})
	k.Install("/bin/p", tinyELF(nil))
	task, err := k.Start("/bin/p", []string{"p"}, nil)
	require.NoError(t, err)
	fm := &machine{k: k, t: task, params: 0x0804a000}
	require.Equal(t, int32(2), fm.call(3, 0, fm.params, 2))
	require.Equal(t, int32(2), fm.call(19, 0, 0, abi.SEEK_CUR), "a file given as stdin seeks")
	require.Equal(t, int32(4), fm.call(19, 0, 4, abi.SEEK_SET))
	require.Equal(t, int32(2), fm.call(3, 0, fm.params, 10))
	require.Equal(t, "ef", string(fm.get(t, fm.params, 2)))
}

func TestTable(t *testing.T) {
	k := New(Config{})
	calls := k.Table().Calls()
	require.Greater(t, len(calls), 80)
	for i, c := range calls {
		require.Equal(t, syscallNames[c.Nr], c.Name, "row %d has Linux's name", c.Nr)
		require.NotNil(t, c.Fn)
		if i > 0 {
			require.Less(t, calls[i-1].Nr, c.Nr)
		}
	}
	require.Equal(t, "waitpid", k.SyscallName(7))
	require.Equal(t, "syscall_0x1cc", k.SyscallName(460))
	require.Equal(t, "msgbox_put", k.SyscallName(500), "the course calls have names")
}
