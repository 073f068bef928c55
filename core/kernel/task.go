package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/kernel/mm"
)

// Cred is a task's credentials (real, effective and saved ids).
type Cred struct {
	UID, EUID, SUID uint32
	GID, EGID, SGID uint32
}

type taskState uint8

const (
	taskRunning  taskState = iota // runnable or running (Linux's TASK_RUNNING)
	taskZombie                    // exited, not yet reaped
	taskSleeping                  // blocked in a system call (TASK_INTERRUPTIBLE)
	taskStopped                   // stopped by SIGSTOP/SIGTSTP... until SIGCONT
)

// Task is a thread of execution, as Linux's task_struct. Threads of one
// process share a thread group (Tgid is the leader's Pid), an address
// space, a descriptor table and signal handlers (threads.go).
type Task struct {
	k *Kernel

	// group is the task's thread group; fsShare the tasks sharing its
	// cwd and umask (CLONE_FS).
	group   *threadGroup
	fsShare *fsShare
	// futexWoken says a FUTEX_WAKE ended the task's futex wait, so the
	// restarted call returns 0; futexBits is the wait's bitset.
	futexWoken bool
	futexBits  uint32
	// sigwaitSet is what a sleeping rt_sigtimedwait waits for.
	sigwaitSet uint64

	Pid, Tgid, PPid int
	Comm            string // name, at most 15 characters
	Exe             string // path of the program, for /proc/PID/exe
	Cred            Cred

	MM    *mm.MM
	Files *FDTable
	Cwd   *fs.Inode

	// Regs is the CPU state while the task is not on the CPU.
	Regs cpu.State
	// TLS are the task's three GDT TLS descriptors (set_thread_area).
	TLS [cpu.GDTTLSCount]cpu.Descriptor

	// ClearChildTID is set_tid_address's pointer, cleared and woken at
	// exit once threads exist.
	ClearChildTID        uint32
	RobustList, RobustSz uint32

	// tlsUsed and tlsFlags keep what set_thread_area was given, for
	// get_thread_area.
	tlsUsed  [cpu.GDTTLSCount]bool
	tlsFlags [cpu.GDTTLSCount]uint32
	umask    uint32

	sig     signalState
	pending []pendingSignal
	// blockedPending holds signals that arrived while blocked.
	blockedPending []pendingSignal
	rlimits        [abi.RLIMIT_NLIMITS]rlimit
	state          taskState
	exit           Result

	// Process tree and job control.
	Pgid, Sid int
	parent    *Task
	children  []*Task // oldest first, as Linux's list (wait scans in order)
	// exitSignal is sent to the parent at exit (clone's low byte).
	exitSignal int
	// childWait is where wait4 sleeps until a child changes state
	// (shared by the threads of a process).
	childWait *waitQueue
	// vforkParent is the parent blocked in vfork until this child execs
	// or exits; while it is set the child borrows the parent's MM.
	vforkParent *Task
	vforkDone   waitQueue
	vforkChild  *Task // the child a vfork parent waits for
	execed      bool  // has called execve (setpgid on it: EACCES)
	// stopSig is the signal that stopped the task; stopReported and
	// contReported say whether wait has told the parent.
	stopSig      int
	stopPending  bool // a stop not yet reported to wait(WUNTRACED)
	contPending  bool // a continue not yet reported to wait(WCONTINUED)
	waitingOn    *waitQueue
	deadline     int64 // monotonic ns the sleep ends at, 0 for none
	rs           restartState
	alarmAt      int64  // ITIMER_REAL expiry (monotonic ns), 0 when off
	alarmEvery   int64  // ITIMER_REAL interval
	savedMask    uint64 // rt_sigsuspend's mask to restore after the handler
	hasSavedMask bool
}

// alive reports whether the task has not exited.
func (t *Task) alive() bool { return t.state != taskZombie }

// Exit is how the task ended, once it has.
func (t *Task) Exit() (Result, bool) { return t.exit, t.state == taskZombie }

// SigAction is a recorded signal disposition (kernel struct sigaction).
type SigAction struct {
	Handler, Flags, Restorer uint32
	Mask                     uint64
}

// signalState records dispositions (shared by threads made with
// CLONE_SIGHAND) and the thread's blocked mask and alternate stack.
type signalState struct {
	actions *[abi.NSIG]SigAction
	blocked uint64
	alt     altStack
}

type rlimit struct{ cur, max uint64 }

var defaultRlimits = func() (r [abi.RLIMIT_NLIMITS]rlimit) {
	for i := range r {
		r[i] = rlimit{abi.RLIM_INFINITY, abi.RLIM_INFINITY}
	}
	r[abi.RLIMIT_STACK] = rlimit{mm.StackMax, abi.RLIM_INFINITY}
	r[abi.RLIMIT_CORE] = rlimit{0, abi.RLIM_INFINITY}
	r[abi.RLIMIT_NOFILE] = rlimit{maxFDs, maxFDs}
	r[abi.RLIMIT_NPROC] = rlimit{4096, 4096}
	r[abi.RLIMIT_MEMLOCK] = rlimit{8 << 20, 8 << 20}
	r[11] = rlimit{4096, 4096}     // RLIMIT_SIGPENDING
	r[12] = rlimit{819200, 819200} // RLIMIT_MSGQUEUE
	r[13] = rlimit{0, 0}           // RLIMIT_NICE
	r[14] = rlimit{0, 0}           // RLIMIT_RTPRIO
	return
}()

// maxFDs is RLIMIT_NOFILE.
const maxFDs = 1024

// FD is one descriptor slot.
type FD struct {
	File    *fs.File
	CloExec bool
}

// FDTable is a process's descriptor table, shared by threads made with
// CLONE_FILES (users counts them) and copied by fork.
type FDTable struct {
	fds   []FD
	users int
}

func newFDTable() *FDTable { return &FDTable{users: 1} }

// Get returns the open file behind fd.
func (ft *FDTable) Get(fd int32) (*fs.File, abi.Errno) {
	if fd < 0 || int(fd) >= len(ft.fds) || ft.fds[fd].File == nil {
		return nil, abi.EBADF
	}
	return ft.fds[fd].File, 0
}

// Alloc installs f at the lowest free descriptor >= min.
func (ft *FDTable) Alloc(f *fs.File, min int, cloexec bool) (int, abi.Errno) {
	for fd := min; fd < maxFDs; fd++ {
		if fd >= len(ft.fds) || ft.fds[fd].File == nil {
			ft.install(fd, f, cloexec)
			return fd, 0
		}
	}
	return -1, abi.EMFILE
}

func (ft *FDTable) install(fd int, f *fs.File, cloexec bool) {
	for len(ft.fds) <= fd {
		ft.fds = append(ft.fds, FD{})
	}
	f.Refs++
	if old := ft.fds[fd].File; old != nil {
		release(old)
	}
	ft.fds[fd] = FD{File: f, CloExec: cloexec}
}

// release drops one descriptor's reference to an open description.
func release(f *fs.File) {
	f.Refs--
	if f.Refs == 0 {
		if r, ok := f.Inode.Dev.(fs.Releaser); ok {
			r.Release(f)
		}
	}
}

// Close frees a descriptor.
func (ft *FDTable) Close(fd int32) abi.Errno {
	f, err := ft.Get(fd)
	if err != 0 {
		return err
	}
	ft.fds[fd] = FD{}
	release(f)
	return 0
}

// closeAll drops one user of the table; the last one closes every
// descriptor.
func (ft *FDTable) closeAll() {
	if ft.users--; ft.users > 0 {
		return
	}
	for _, d := range ft.fds {
		if d.File != nil {
			release(d.File)
		}
	}
	ft.fds = nil
}

// fork copies the table: both processes share the open descriptions.
func (ft *FDTable) fork() *FDTable {
	n := &FDTable{fds: append([]FD(nil), ft.fds...), users: 1}
	for _, d := range n.fds {
		if d.File != nil {
			d.File.Refs++
		}
	}
	return n
}

// closeOnExec closes the descriptors marked FD_CLOEXEC (execve).
func (ft *FDTable) closeOnExec() {
	for i, d := range ft.fds {
		if d.File != nil && d.CloExec {
			ft.fds[i] = FD{}
			release(d.File)
		}
	}
}
