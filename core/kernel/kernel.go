// Package kernel is Trapdoor's Linux: it owns the machine (physical
// memory, the CPU), the tasks, the file system and the trace sink, runs
// guest code on the CPU, and handles what comes back: system calls
// (int 0x80, dispatched through a data-driven table), page faults (to the
// address space's fault handler) and exceptions (turned into the signals
// Linux sends).
//
// The design is that of a multi-process kernel with one process for now:
// tasks have pids, credentials, file tables and address spaces of their
// own, and the CPU state is saved per task, so fork and a scheduler can
// be added without changing these types.
package kernel

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"runtime/debug"
	"time"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/loader"
	"trapdoor/core/memory"
	"trapdoor/core/trace"
)

// Stdio describes one of the host streams the console maps to the guest's
// descriptors 0, 1 and 2, and how it should look to fstat and ioctl.
type Stdio struct {
	R    io.Reader
	W    io.Writer
	Kind StdioKind
}

// StdioKind is what the host stream is, so the guest sees the same kind
// of file as a native run would (glibc buffers differently for each).
type StdioKind uint8

// Stream kinds.
const (
	StdioNull StdioKind = iota // /dev/null (or nothing)
	StdioPipe                  // a pipe
	StdioFile                  // a regular file
	StdioTTY                   // a terminal
)

// Config sets up a machine.
type Config struct {
	// MemoryBytes caps physical memory (guest pages and page tables).
	MemoryBytes int
	// MaxInstructions ends the run (SIGKILL) after this many
	// instructions; 0 means no limit.
	MaxInstructions uint64
	// Seed makes AT_RANDOM, getrandom and anything else random
	// reproducible.
	Seed uint64
	// WallClock uses the host's clock (and really sleeps) instead of the
	// virtual clock derived from the instruction count.
	WallClock bool
	// HostClock lets the host pace the virtual clock (the browser's
	// interactive shell): when every task sleeps on a timer, RunFor
	// returns (AwaitingInput, NextTimer) instead of jumping to the
	// deadline, and the host passes real time with AdvanceClock. The
	// clock still counts instructions; the kernel never reads the
	// host's clock, so a run is reproducible from its inputs. Run
	// (without RunFor) jumps as usual.
	HostClock bool
	// Trace receives an event for every system call, signal and exit.
	Trace trace.Sink
	// Stdin, Stdout, Stderr are the console streams.
	Stdin, Stdout, Stderr Stdio
	// Winsize is the console's size in rows and columns (TIOCGWINSZ).
	Rows, Cols int
	// UID and GID are the credentials of the first process.
	UID, GID uint32
	// Slice is the mean number of instructions a task runs before the
	// scheduler preempts it (each slice is drawn from [Slice/2,
	// 3*Slice/2) by a generator seeded with Seed).
	Slice uint64
	// MaxProcs caps the number of tasks alive or zombie at once (fork
	// fails with EAGAIN beyond it); 0 means DefaultMaxProcs.
	MaxProcs int
	// Terminal gives a terminal stdin (Stdin.Kind StdioTTY) a line
	// discipline (tty.go): the terminal streams share one tty with echo,
	// editing, job control and signals; input comes from a goroutine
	// reading Stdin.R, or from ConsoleInput when R is nil. Without it a
	// terminal stdin is read as a plain stream.
	Terminal bool
	// LiveStdin makes a pipe stdin (Stdin.Kind StdioPipe) a live host
	// stream: a goroutine reads Stdin.R, so a read waiting for the host
	// blocks only the reading task (hoststdin.go; the CLI sets it).
	LiveStdin bool
	// Profile names the system call table (profile.go): "default" (or
	// "") or "linux-4.15"; New panics on other names (CheckProfile).
	Profile string
	// Msgbox is the message box policy ("" means keep); MsgboxMemory
	// caps the bytes its messages may hold (0: DefaultMsgboxMemory).
	Msgbox       MsgboxPolicy
	MsgboxMemory int
}

// DefaultMaxProcs is the process limit when none is given.
const DefaultMaxProcs = 512

// DefaultMemory is the physical memory of a machine when none is given.
const DefaultMemory = 256 << 20

// Kernel is one emulated machine running Linux.
type Kernel struct {
	Phys  *memory.Phys
	CPU   *cpu.CPU
	FS    *fs.FS
	Tasks map[int]*Task
	Log   *Log
	Trace trace.Sink

	cfg     Config
	cur     *Task
	nextPid int
	rng     *rand.ChaCha8
	clock   clock
	table   *Table
	console [3]*fs.Inode
	// idleDir is an empty page directory the CPU uses when no process
	// is on it (Linux's swapper_pg_dir), so a debugger reading memory
	// after the last exit sees faults, not freed frames.
	idleDir uint32
	// initStatus is how the first process ended, once it has.
	initStatus Result
	// initPid is the process Start made last (1 for a single program;
	// a session starts one after another): its end is Run's result and
	// it inherits orphans.
	initPid int

	// Scheduler state (sched.go).
	runq     []*Task
	timers   []*Task   // sleepers with a deadline
	alarms   []*Task   // processes with ITIMER_REAL armed
	live     int       // tasks not yet exited
	pollWait waitQueue // poll and select sleepers, woken by any pipe change
	schedRng *rand.Rand
	// sliceLeft is what remains of the current task's time slice.
	sliceLeft uint64
	// yield is where RunFor stops (step.go).
	yield yieldState
	// course is the state of the course system calls (msgbox, pf
	// tracking, syslog's read position).
	course courseState

	// mmRefs counts the tasks sharing an address space (threads, a
	// vfork child); an MM missing here has one user.
	mmRefs map[*mm.MM]int
	// futexes are the futex wait queues by key (futex.go).
	futexes map[futexKey]*waitQueue
	// tty is the console terminal when stdin is one (tty.go); idle is
	// set when only console input can make progress (RunFor returns).
	tty  *tty
	idle bool
	// stdinPipe is a live host pipe on stdin; hostNotify rings when
	// host input (keys, pipe data) arrives.
	stdinPipe  *hostStream
	hostNotify chan struct{}
}

// Result is how the first process ended.
type Result struct {
	Exited bool // it called exit/exit_group
	Code   int  // its exit code
	Signal int  // the signal that killed it, when not Exited
	// Status is what a shell reports: Code, or 128+Signal.
	Status int
}

// New builds a machine with an empty file system holding the standard
// directories and devices.
func New(cfg Config) *Kernel {
	if cfg.MemoryBytes <= 0 {
		cfg.MemoryBytes = DefaultMemory
	}
	if cfg.Slice == 0 {
		cfg.Slice = 1 << 16
	}
	if cfg.MaxProcs <= 0 {
		cfg.MaxProcs = DefaultMaxProcs
	}
	if cfg.Rows == 0 {
		cfg.Rows, cfg.Cols = 24, 80
	}
	var seed [32]byte
	for i := 0; i < 8; i++ {
		seed[i] = byte(cfg.Seed >> (8 * i))
	}
	copy(seed[8:], "trapdoor-seed")
	k := &Kernel{
		Phys:    memory.NewPhys(cfg.MemoryBytes),
		FS:      fs.New(),
		Tasks:   map[int]*Task{},
		Log:     &Log{},
		Trace:   cfg.Trace,
		cfg:     cfg,
		nextPid: 1,
		rng:     rand.NewChaCha8(seed),
		table:   profileTable(cfg.Profile),

		schedRng: newSchedRng(cfg.Seed),
	}
	k.CPU = cpu.New(k.Phys)
	k.idleDir, _ = k.Phys.NewDirectory(0)
	k.CPU.SetCR3(k.idleDir)
	k.clock = clock{wall: cfg.WallClock, start: time.Now(), cpu: k.CPU}
	k.FS.Now = k.clock.realtimeNS
	k.Log.now = k.clock.monotonicNS
	k.course.init(cfg)
	k.buildFS()
	return k
}

// buildFS creates the standard tree: /bin, /tmp, /dev with null, zero and
// the console, /proc, /etc.
func (k *Kernel) buildFS() {
	f := k.FS
	f.MkdirAll("/bin", 0755)
	f.MkdirAll("/tmp", 01777)
	f.MkdirAll("/etc", 0755)
	f.MkdirAll("/home/user", 0755)
	f.Mknod("/dev/null", 0666, 1<<8|3, fs.Null{})
	f.Mknod("/dev/zero", 0666, 1<<8|5, fs.Zero{})
	k.setupTTY()
	for i, s := range []Stdio{k.cfg.Stdin, k.cfg.Stdout, k.cfg.Stderr} {
		k.console[i] = k.consoleInode(s)
	}
	f.WriteFile("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n"), 0644)
	f.WriteFile("/etc/group", []byte("root:x:0:\nuser:x:1000:\n"), 0644)
	f.WriteFile("/etc/hostname", []byte(hostname+"\n"), 0644)
	proc := f.MkdirAll("/proc", 0555)
	proc.Lookup, proc.List = k.procLookup, k.procNames
}

// consoleInode makes the inode behind one of the standard descriptors.
func (k *Kernel) consoleInode(s Stdio) *fs.Inode {
	dev := &console{r: s.R, w: s.W, tty: s.Kind == StdioTTY, file: s.Kind == StdioFile}
	var n *fs.Inode
	switch s.Kind {
	case StdioTTY:
		n = k.FS.NewInode(abi.S_IFCHR | 0620)
		n.Rdev = 136 << 8 // /dev/pts/0
		n.GID = 5         // tty
	case StdioPipe:
		n = k.FS.NewInode(abi.S_IFIFO | 0600)
	case StdioFile:
		n = k.FS.NewInode(abi.S_IFREG | 0644)
	default:
		n = k.FS.NewInode(abi.S_IFCHR | 0666)
		n.Rdev = 1<<8 | 3
	}
	n.UID = k.cfg.UID
	n.Dev = dev
	if p := k.ttyPort(s); p != nil {
		n.Dev = p
	}
	return n
}

// Install puts a host program into the guest file system.
func (k *Kernel) Install(guestPath string, data []byte) {
	k.FS.WriteFile(guestPath, data, 0755)
}

// Errors from Start.
var (
	ErrNotFound = errors.New("no such file in the guest file system")
)

// Start creates the first process (pid 1) running the program at
// guestPath with argv and envp. Called again after Run returned, it
// starts another top-level process (the next pid) on the same machine,
// whose end the next Run reports: a session of programs run in sequence.
func (k *Kernel) Start(guestPath string, argv, envp []string) (*Task, error) {
	n, errno := k.FS.Resolve(nil, guestPath, true)
	if errno != 0 {
		return nil, fmt.Errorf("%s: %w", guestPath, ErrNotFound)
	}
	if !n.IsReg() {
		return nil, fmt.Errorf("%s: not a regular file", guestPath)
	}
	t := k.newTask()
	files := newFDTable()
	for i := 0; i < 3; i++ {
		flags := uint32(abi.O_RDWR)
		if i == 0 {
			flags = abi.O_RDONLY
		} else if k.console[i].Mode&abi.S_IFMT != abi.S_IFCHR || k.cfg.Stdin.Kind != StdioTTY {
			flags = abi.O_WRONLY
		}
		files.install(i, &fs.File{Inode: k.console[i], Flags: flags}, false)
	}
	t.Files = files
	t.Cwd = k.FS.Root
	if err := k.execve(t, guestPath, n.Data, argv, envp); err != nil {
		delete(k.Tasks, t.Pid)
		k.live--
		return nil, err
	}
	if k.cur != nil && k.cur != t && k.cur.alive() {
		k.enqueue(t) // others run (a background step): the new process queues
	} else {
		k.cur = t
		k.sliceLeft = k.nextSlice()
	}
	k.initPid = t.Pid
	k.ttyAttach(t)
	k.initStatus = Result{}
	return t, nil
}

func (k *Kernel) newTask() *Task {
	t := &Task{k: k, Pid: k.nextPid, Cred: Cred{UID: k.cfg.UID, EUID: k.cfg.UID, SUID: k.cfg.UID,
		GID: k.cfg.GID, EGID: k.cfg.GID, SGID: k.cfg.GID}}
	t.Tgid = t.Pid
	t.group = &threadGroup{leader: t, threads: []*Task{t}}
	t.fsShare = &fsShare{tasks: []*Task{t}}
	t.childWait = &waitQueue{}
	t.sig.actions = new([abi.NSIG]SigAction)
	t.Pgid, t.Sid = t.Pid, t.Pid
	t.exitSignal = abi.SIGCHLD
	t.rlimits = defaultRlimits
	t.umask = 022
	k.nextPid++
	k.Tasks[t.Pid] = t
	k.live++
	return t
}

// execve replaces t's program: a fresh address space, the ELF loaded,
// registers as Linux leaves them at process entry.
func (k *Kernel) execve(t *Task, guestPath string, data []byte, argv, envp []string) error {
	x, err := loader.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", guestPath, err)
	}
	m, err := mm.New(k.Phys)
	if err != nil {
		return fmt.Errorf("%s: %w", guestPath, loader.ErrNoMemory)
	}
	var p loader.Params
	p.Argv, p.Envp, p.ExecFn = argv, envp, guestPath
	k.rng.Read(p.Random[:])
	_, _, _, p.HWCap = cpu.CPUID(1)
	p.UID, p.EUID, p.GID, p.EGID = t.Cred.UID, t.Cred.EUID, t.Cred.GID, t.Cred.EGID
	img, err := x.Load(m, guestPath, p)
	if err != nil {
		m.Release()
		return fmt.Errorf("%s: %w", guestPath, err)
	}
	if t.MM != nil {
		if t.vforkParent != nil {
			// The MM was the parent's, lent for vfork: give it back.
			t.releaseVfork()
		} else {
			if k.cur == t {
				k.CPU.SetCR3(k.idleDir)
			}
			k.putMM(t.MM)
		}
	}
	t.MM = m
	t.Exe = guestPath
	t.Comm = comm(path.Base(guestPath))
	k.pfExeced(t)
	t.TLS = [cpu.GDTTLSCount]cpu.Descriptor{}
	t.Regs = cpu.State{}
	// The CPU's reset state is the process entry state: segments flat,
	// FPU initialised (control word 0x37F), general registers zero.
	fresh := cpu.New(memory.NewPhys(0))
	t.Regs = fresh.State
	t.Regs.EIP = img.Entry
	t.Regs.R[cpu.ESP] = img.SP
	t.Regs.CR3 = m.Dir
	// Caught signals return to the default; ignored ones and the
	// blocked mask survive exec, as on Linux. Handlers shared with
	// other threads are unshared first.
	acts := *t.sig.actions
	t.sig.actions = &acts
	for i := range t.sig.actions {
		a := &t.sig.actions[i]
		if a.Handler != sigIGN {
			*a = SigAction{}
		} else {
			*a = SigAction{Handler: sigIGN}
		}
	}
	t.sig.alt = altStack{}
	if k.cur == t || k.cur == nil {
		k.switchTo(t)
	}
	return nil
}

// comm is the 15-character task name Linux keeps.
func comm(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}

// switchTo makes t the running task: its registers, address space and
// TLS descriptors go into the CPU.
func (k *Kernel) switchTo(t *Task) {
	if k.cur != nil && k.cur != t && k.cur.MM != nil {
		k.cur.Regs = k.CPU.State
		k.cur.MM.Invalidate = nil
	}
	k.cur = t
	for i, d := range t.TLS {
		k.CPU.GDT[cpu.GDTTLSFirst+i] = d
	}
	k.CPU.LoadState(&t.Regs)
	k.CPU.ReloadSegments()
	t.MM.Invalidate = k.CPU.InvalidatePage
}

// Current is the running task.
func (k *Kernel) Current() *Task { return k.cur }

// Instructions is how many guest instructions have run.
func (k *Kernel) Instructions() uint64 { return k.CPU.Instructions }

// Run runs the machine until every process has ended (or the budget is
// spent) and reports how the first one ended. An error means the
// emulator itself failed, not the guest.
func (k *Kernel) Run() (res Result, err error) {
	// A panic here is a kernel bug: report it as an emulator failure
	// rather than bring down the program hosting the machine.
	defer func() {
		if r := recover(); r != nil {
			res, err = k.initStatus, fmt.Errorf("kernel bug: %v\n%s", r, debug.Stack())
		}
	}()
	c := k.CPU
	for {
		t := k.cur
		if t == nil || t.state != taskRunning || k.sliceLeft == 0 {
			if t != nil && t.state == taskRunning {
				k.runq = append(k.runq, t) // preempted: to the back
			}
			t = k.pickNext()
			if t == nil {
				if k.idle {
					return k.initStatus, errYielded // RunFor: waiting for console input
				}
				return k.initStatus, nil
			}
			if t != k.cur {
				k.switchTo(t)
			}
			k.sliceLeft = k.nextSlice()
			// Signals sent by other processes act on the way to user mode.
			k.deliverSignals(t)
			if t.state != taskRunning {
				continue
			}
		}
		budget := k.sliceLeft
		if max := k.cfg.MaxInstructions; max > 0 {
			if c.Instructions >= max {
				k.Log.Printf(LogErr, "instruction budget of %d exhausted, killing every process", max)
				for _, x := range k.taskList() {
					if x.alive() {
						k.kill(x, abi.SIGKILL, nil)
					}
				}
				continue
			}
			if left := max - c.Instructions; left < budget {
				budget = left
			}
		}
		if k.yield.active {
			if budget = k.yield.budget(c.Instructions, budget); budget == 0 {
				return k.initStatus, errYielded
			}
		}
		before := c.Instructions
		ex := c.Run(budget)
		if used := c.Instructions - before; used < k.sliceLeft {
			k.sliceLeft -= used
		} else {
			k.sliceLeft = 0
		}
		switch ex.Reason {
		case cpu.ExitBudget:
		case cpu.ExitInterrupt:
			switch ex.Vector {
			case cpu.VecSyscall:
				k.syscall(t)
			case cpu.VecBreakpoint:
				k.trap(t, ex, abi.SIGTRAP, abi.SI_KERNEL, 0, "int3")
			case cpu.VecOverflow:
				k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "overflow")
			default:
				k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "general protection fault")
			}
		case cpu.ExitFault:
			k.fault(t, ex)
		case cpu.ExitHalt:
			k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "general protection fault")
		case cpu.ExitInternal:
			k.Log.Printf(LogCrit, "%s[%d]: emulator internal error: %v", t.Comm, t.Pid, ex.Err)
			return k.initStatus, fmt.Errorf("emulator internal error in %s (pid %d): %w", t.Comm, t.Pid, ex.Err)
		}
	}
}

// fault handles a CPU exception.
func (k *Kernel) fault(t *Task, ex cpu.Exit) {
	c := k.CPU
	switch ex.Vector {
	case cpu.VecPageFault:
		err := t.MM.Fault(ex.Addr, ex.ErrorCode)
		if err == nil {
			return
		}
		if errors.Is(err, mm.ErrNoMemory) {
			k.Log.Printf(LogErr, "Out of memory: Killed process %d (%s)", t.Pid, t.Comm)
			k.kill(t, abi.SIGKILL, nil)
			return
		}
		code := abi.SEGV_MAPERR
		if t.MM.Find(ex.Addr) != nil {
			code = abi.SEGV_ACCERR
		}
		k.Log.Printf(LogInfo, "%s[%d]: segfault at %x ip %08x sp %08x error %x%s", t.Comm, t.Pid, ex.Addr,
			c.EIP, c.R[cpu.ESP], ex.ErrorCode, k.where(t, c.EIP))
		k.sendSignal(t, abi.SIGSEGV, siginfoFault(abi.SIGSEGV, code, ex.Addr),
			siginfo{code: code, addr: ex.Addr, trapno: uint32(ex.Vector), errcode: ex.ErrorCode}, true)
	case cpu.VecInvalidOp, cpu.VecNoFPU:
		k.trap(t, ex, abi.SIGILL, abi.ILL_ILLOPN, c.EIP, "invalid opcode")
	case cpu.VecDivide:
		k.trap(t, ex, abi.SIGFPE, abi.FPE_INTDIV, c.EIP, "divide error")
	case cpu.VecFPUError:
		k.trap(t, ex, abi.SIGFPE, 0, c.EIP, "coprocessor error")
	case cpu.VecAlignment:
		k.trap(t, ex, abi.SIGBUS, 1, c.EIP, "alignment check")
	case cpu.VecBound:
		k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "bounds")
	case cpu.VecDebug:
		k.trap(t, ex, abi.SIGTRAP, abi.SI_KERNEL, 0, "debug")
	case cpu.VecGeneral:
		// Linux's IDT gives int3 (vector 3) and into (4) user-callable
		// gates, so "int $3" is a breakpoint and "int $4" an overflow
		// trap, not the #GP other vectors take.
		switch ex.ErrorCode {
		case cpu.VecBreakpoint<<3 | 2:
			k.trap(t, ex, abi.SIGTRAP, abi.SI_KERNEL, 0, "int3")
			return
		case cpu.VecOverflow<<3 | 2:
			k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "overflow")
			return
		}
		k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "general protection fault")
	default:
		k.trap(t, ex, abi.SIGSEGV, abi.SI_KERNEL, 0, "general protection fault")
	}
}

// trap kills t with the signal a CPU exception raises, logging the line
// Linux's do_trap prints ("traps: prog[pid] trap invalid opcode ...").
func (k *Kernel) trap(t *Task, ex cpu.Exit, sig, code int, addr uint32, what string) {
	c := k.CPU
	if what == "general protection fault" {
		k.Log.Printf(LogInfo, "traps: %s[%d] general protection fault ip:%x sp:%x error:%x%s", t.Comm, t.Pid,
			c.EIP, c.R[cpu.ESP], ex.ErrorCode, k.where(t, c.EIP))
	} else {
		k.Log.Printf(LogInfo, "traps: %s[%d] trap %s ip:%x sp:%x error:%x%s", t.Comm, t.Pid, what,
			c.EIP, c.R[cpu.ESP], ex.ErrorCode, k.where(t, c.EIP))
	}
	info := siginfoFault(sig, code, addr)
	if code == abi.SI_KERNEL {
		info = []trace.Arg{trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
			trace.F("si_code", trace.Sym(abi.SI_KERNEL, "SI_KERNEL"))}
		if sig == abi.SIGSEGV {
			info = append(info, trace.F("si_addr", trace.P(0)))
		}
	}
	k.sendSignal(t, sig, info, siginfo{code: code, addr: addr, trapno: uint32(ex.Vector), errcode: ex.ErrorCode}, true)
}

// where is the " in prog[start+len]" suffix naming the VMA of ip.
func (k *Kernel) where(t *Task, ip uint32) string {
	v := t.MM.Find(ip)
	if v == nil || v.Name == "" {
		return ""
	}
	return fmt.Sprintf(" in %s[%x+%x]", path.Base(v.Name), v.Start, v.End-v.Start)
}

var siCodeNames = map[int]map[int]string{
	abi.SIGSEGV: {abi.SEGV_MAPERR: "SEGV_MAPERR", abi.SEGV_ACCERR: "SEGV_ACCERR"},
	abi.SIGILL:  {abi.ILL_ILLOPN: "ILL_ILLOPN"},
	abi.SIGFPE:  {abi.FPE_INTDIV: "FPE_INTDIV"},
	abi.SIGBUS:  {1: "BUS_ADRALN"},
}

func siginfoFault(sig, code int, addr uint32) []trace.Arg {
	name := siCodeNames[sig][code]
	if name == "" {
		name = fmt.Sprint(code)
	}
	return []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
		trace.F("si_code", trace.Sym(uint64(code), name)),
		trace.F("si_addr", trace.P(addr)),
	}
}

// pendingSignal is a signal raised for a task, acted on when it returns
// to user mode.
type pendingSignal struct {
	sig    int
	info   []trace.Arg // for the trace
	fields siginfo     // for the handler's frame
	forced bool        // a fault: blocked or ignored, it still kills
}

// queueSignal raises sig for t; deliverSignals acts on it.
func (t *Task) queueSignal(sig int, info []trace.Arg) {
	t.pending = append(t.pending, pendingSignal{sig: sig, info: info})
}

// deliverSignals acts on t's pending signals on its way back to user
// mode: handlers get frames, default actions happen, and signals held
// while blocked go as soon as they are unblocked.
func (k *Kernel) deliverSignals(t *Task) {
	for len(t.pending) > 0 && t.state == taskRunning {
		// Faults first, then the lowest signal number, as Linux's
		// next_signal (each frame nests on the last, so the handler of
		// the last one delivered runs first).
		best := 0
		for i, p := range t.pending {
			b := t.pending[best]
			if p.forced && !b.forced || p.forced == b.forced && p.sig < b.sig {
				best = i
			}
		}
		p := t.pending[best]
		t.pending = append(t.pending[:best], t.pending[best+1:]...)
		k.sendSignal(t, p.sig, p.info, p.fields, p.forced)
	}
	if t.state == taskZombie {
		t.pending = nil
	}
	for t.state == taskRunning {
		best := -1
		for i, p := range t.blockedPending {
			if t.sig.blocked&sigbit(p.sig) == 0 && (best < 0 || p.sig < t.blockedPending[best].sig) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		p := t.blockedPending[best]
		t.blockedPending = append(t.blockedPending[:best], t.blockedPending[best+1:]...)
		k.sendSignal(t, p.sig, p.info, p.fields, false)
	}
}

// kill ends t with a signal (the default action of the fatal signals).
func (k *Kernel) kill(t *Task, sig int, info []trace.Arg) {
	k.traceSignal(t, sig, info)
	k.exitTask(t, Result{Signal: sig, Status: 128 + sig})
}

// exitTask ends a process: every thread of t's group exits with r
// (exit_group, a fatal signal); see exitThread in threads.go.
func (k *Kernel) exitTask(t *Task, r Result) { k.exitGroup(t, r) }

// reparentChildren gives t's children to init (pid 1, or the process a
// later Start made), or, when it is gone, to nobody: they are reaped as
// soon as they exit.
func (k *Kernel) reparentChildren(t *Task) {
	init := k.Tasks[k.initPid]
	if init != nil && !init.alive() {
		init = nil
	}
	for _, c := range t.children {
		c.parent = init
		c.PPid = k.initPid
		if init != nil {
			init.children = append(init.children, c)
			if !c.alive() {
				init.childWait.wakeAll(k)
			}
		} else if !c.alive() {
			k.reap(c)
		}
	}
	t.children = nil
}

// notifyParent tells the parent a child exited: the exit signal (SIGCHLD)
// and a wake-up for wait. A parent ignoring SIGCHLD (SIG_IGN or
// SA_NOCLDWAIT) has its children reaped at once, as Linux does.
func (k *Kernel) notifyParent(t *Task) {
	p := t.parent
	if p == nil || !p.alive() {
		k.reap(t)
		return
	}
	act := p.sig.actions[abi.SIGCHLD-1]
	autoReap := t.exitSignal == abi.SIGCHLD && (act.Handler == sigIGN || act.Flags&saNocldwait != 0)
	if t.exitSignal != 0 {
		code, status := cldExited, t.exit.Code
		if !t.exit.Exited {
			code, status = cldKilled, t.exit.Signal
			if t.coreDumped() {
				code = cldDumped
			}
		}
		k.signalChild(p, t, code, status)
	}
	p.childWait.wakeAll(k)
	if autoReap {
		k.reap(t)
	}
}

// reap removes a zombie for good.
func (k *Kernel) reap(t *Task) {
	if p := t.parent; p != nil {
		for i, c := range p.children {
			if c == t {
				p.children = append(p.children[:i], p.children[i+1:]...)
				break
			}
		}
	}
	delete(k.Tasks, t.Pid)
}
