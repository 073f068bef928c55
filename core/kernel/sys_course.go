package kernel

import (
	"fmt"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/trace"
)

// The course system calls (testvectors/include/trapdoor.h): the same
// numbers in every profile. The linux-4.15 profile also answers the
// pf_* calls at INFO0940's numbers (pf415Calls).
var courseCalls = []Syscall{
	{Nr: 500, Name: "msgbox_put", Fn: sysMsgboxPut, Args: []ArgSpec{aSizedBufIn(1), aInt}},
	{Nr: 501, Name: "msgbox_get", Fn: sysMsgboxGet, Args: []ArgSpec{aSizedBufOut(1), aInt}},
	{Nr: 502, Name: "sayhello", Fn: sysSayhello},
	{Nr: 503, Name: "sayhello2", Fn: sysSayhello2, Args: []ArgSpec{aPath, aSizedBufOut(2), aInt}},
	{Nr: 504, Name: "change_cmdline", Fn: sysChangeCmdline, Args: []ArgSpec{aSizedBufOut(1), aInt, aSizedBufIn(3), aInt}},
	{Nr: 505, Name: "task_info", Fn: sysTaskInfo, Args: []ArgSpec{aInt, out(ifDone(fmtTaskInfo))}},
	{Nr: 506, Name: "kernel_signal", Fn: sysKernelSignal, Args: []ArgSpec{aInt, aSig}},
	{Nr: 507, Name: "pf_set_param", Fn: sysPfSetParam, Args: []ArgSpec{aSizedBufIn(1), aUint}},
	{Nr: 508, Name: "pf_get_info", Fn: sysPfGetInfo, Args: []ArgSpec{aSizedBufIn(1), aUint, out(ifDone(fmtPfStat))}},
	{Nr: 509, Name: "pf_cleanup", Fn: sysPfCleanup},
}

// pf415Calls are INFO0940's numbers, in the linux-4.15 profile only.
var pf415Calls = []Syscall{
	{Nr: 385, Name: "pf_set_param", Fn: sysPfSetParam, Args: []ArgSpec{aSizedBufIn(1), aUint}},
	{Nr: 386, Name: "pf_get_info", Fn: sysPfGetInfo415, Args: []ArgSpec{aSizedBufIn(1), aUint, out(ifDone(fmtPfStat))}},
	{Nr: 387, Name: "pf_cleanup", Fn: sysPfCleanup},
}

// rseqSig is RSEQ_SIG, the signature glibc passes to rseq (386).
const rseqSig = 0x53053053

// sysPfGetInfo415 is pf_get_info at 386, where glibc 2.35 and later
// register rseq at start-up. A glibc of Linux 4.15's time never made
// that call: it is answered ENOSYS, as the stock kernel does, rather
// than logging an INFO0940 error for every program started.
func sysPfGetInfo415(t *Task, a *Args) (uint32, abi.Errno) {
	if a[3] == rseqSig && a[1] == 32 {
		return 0, abi.ENOSYS
	}
	return sysPfGetInfo(t, a)
}

// courseState is the kernel state behind the course calls.
type courseState struct {
	msgbox msgbox
	pf     []*pfEntry // tracked names, in the order they were tracked
	klog   klogState
}

func (c *courseState) init(cfg Config) {
	p, err := ParseMsgboxPolicy(string(cfg.Msgbox))
	if err != nil {
		panic(err)
	}
	c.msgbox = msgbox{policy: p, limit: cfg.MsgboxMemory}
	if c.msgbox.limit <= 0 {
		c.msgbox.limit = DefaultMsgboxMemory
	}
}

// sayhello(): the NCTU handout's printk(KERN_DEBUG "Hello !\n").
func sysSayhello(t *Task, a *Args) (uint32, abi.Errno) {
	t.k.Log.Printf(LogDebug, "Hello !")
	return 0, 0
}

// helloNameMax bounds sayhello2's name (a page, as a kernel buffer).
const helloNameMax = 4096

// sayhello2(name, out, outlen): copy_from_user a NUL-terminated name,
// copy_to_user "Hello NAME !" and its NUL; the greeting's length.
func sysSayhello2(t *Task, a *Args) (uint32, abi.Errno) {
	outAddr, outLen := a[1], int32(a[2])
	if a[0] == 0 {
		return 0, abi.EFAULT
	}
	name, ok, err := t.MM.ReadString(a[0], helloNameMax)
	if err != nil {
		return 0, abi.EFAULT
	}
	if !ok {
		return 0, abi.EINVAL // no NUL within a page
	}
	greeting := "Hello " + name + " !"
	if outLen < 0 || int(outLen) < len(greeting)+1 {
		return 0, abi.EINVAL
	}
	if e := t.copyOut(outAddr, append([]byte(greeting), 0)); e != 0 {
		return 0, e
	}
	t.k.Log.Printf(LogDebug, "%s", greeting)
	return uint32(len(greeting)), 0
}

// cmdlineMax is the longest command line change_cmdline accepts.
const cmdlineMax = 4096

// change_cmdline(old, oldlen, new, newlen): the NCTU homework. The
// current command line (as /proc/PID/cmdline reads it) goes to old,
// truncated to oldlen; its full length is the result. Then new, with a
// NUL added when it has none, becomes the argument area: in place when
// it fits, else in a fresh anonymous mapping that arg_start and arg_end
// move to. Nothing changes when any argument is bad.
func sysChangeCmdline(t *Task, a *Args) (uint32, abi.Errno) {
	oldAddr, oldLen, newAddr, newLen := a[0], int32(a[1]), a[2], int32(a[3])
	if oldLen < 0 || newLen <= 0 || newLen > cmdlineMax {
		return 0, abi.EINVAL
	}
	if newAddr == 0 {
		return 0, abi.EFAULT
	}
	args := make([]byte, newLen, newLen+1)
	if e := t.copyIn(newAddr, args); e != 0 {
		return 0, e
	}
	if args[len(args)-1] != 0 {
		args = append(args, 0)
	}
	cur := t.cmdline()
	if oldLen > 0 {
		if oldAddr == 0 {
			return 0, abi.EFAULT
		}
		if e := t.copyOut(oldAddr, cur[:min(len(cur), int(oldLen))]); e != 0 {
			return 0, e
		}
	}
	m := t.MM
	size := uint32(len(args))
	if m.ArgEnd > m.ArgStart && size <= m.ArgEnd-m.ArgStart && m.CopyOut(m.ArgStart, args) == nil {
		m.ArgEnd = m.ArgStart + size
		return uint32(len(cur)), 0
	}
	addr, err := m.Map(0, size, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, mm.KindAnon, "", false)
	if err != nil {
		return 0, abi.ENOMEM
	}
	if e := t.copyOut(addr, args); e != 0 {
		m.Unmap(addr, size)
		return 0, e
	}
	m.ArgStart, m.ArgEnd = addr, addr+size
	return uint32(len(cur)), 0
}

// Linux 4.15's task->state numbers (include/linux/sched.h, as
// reordered in 4.14), as task_info and a module's task->state show
// them. A zombie has run do_task_dead(), which sets TASK_DEAD; its
// EXIT_ZOMBIE (32) lives in exit_state, a separate field. The
// convenience states carry TASK_WAKEKILL: a stop (do_signal_stop) is
// TASK_STOPPED, a vfork parent's wait (wait_for_completion_killable) is
// TASK_KILLABLE.
const (
	linuxTaskRunning         = 0
	linuxTaskInterruptible   = 0x1
	linuxTaskUninterruptible = 0x2
	linuxTaskStoppedBit      = 0x4 // __TASK_STOPPED
	linuxTaskTracedBit       = 0x8 // __TASK_TRACED
	linuxTaskDead            = 0x80
	linuxTaskWakekill        = 0x100
	linuxTaskKillable        = linuxTaskWakekill | linuxTaskUninterruptible // 258
	linuxTaskStopped         = linuxTaskWakekill | linuxTaskStoppedBit      // 260
	linuxTaskTraced          = linuxTaskWakekill | linuxTaskTracedBit       // 264, no ptrace here
)

// linuxTaskState is t's task->state as Linux would hold it. Every
// sleep of a system call here is TASK_INTERRUPTIBLE (wait4, nanosleep,
// pipes, futex, poll, sigsuspend, terminals) except a vfork parent's,
// and a module's sleep says its own (down, msleep: uninterruptible).
func linuxTaskState(t *Task) uint32 {
	switch t.state {
	case taskSleeping:
		if c := t.vforkChild; c != nil && t.waitingOn == &c.vforkDone {
			return linuxTaskKillable
		}
		if s, ok := t.k.moduleSleepState(t); ok {
			return s
		}
		return linuxTaskInterruptible
	case taskStopped:
		return linuxTaskStopped
	case taskZombie:
		return linuxTaskDead
	}
	return linuxTaskRunning
}

// taskInfoSize is sizeof(struct task_info).
const taskInfoSize = 32

// task_info(pid, out): pid, ppid, state, uid and comm of a process (pid
// 0: the caller).
func sysTaskInfo(t *Task, a *Args) (uint32, abi.Errno) {
	x, e := t.target(int(int32(a[0])))
	if e != 0 {
		return 0, e
	}
	b := make(le, taskInfoSize)
	b.u32(0, uint32(x.Pid))
	b.u32(4, uint32(x.PPid))
	b.u32(8, linuxTaskState(x))
	b.u32(12, x.Cred.UID)
	copy(b[16:31], x.Comm)
	if a[1] == 0 {
		return 0, abi.EFAULT
	}
	return 0, t.copyOut(a[1], b)
}

// kernel_signal(pid, sig): the kernel sends sig with si_code SI_KERNEL,
// as the NCTU handout's send_sig_info (pid 0: the caller; sig 0 only
// checks that pid exists).
func sysKernelSignal(t *Task, a *Args) (uint32, abi.Errno) {
	sig := int32(a[1])
	if sig < 0 || sig > abi.NSIG {
		return 0, abi.EINVAL
	}
	x, e := t.target(int(int32(a[0])))
	if e != 0 {
		return 0, e
	}
	if sig != 0 {
		t.k.signalFromKernel(x, int(sig))
	}
	return 0, 0
}

// aSizedBufIn shows the bytes a call reads from a buffer whose signed
// length is argument n (a negative length shows the pointer).
func aSizedBufIn(n int) ArgSpec {
	return in(func(d *Decoder, v uint32) trace.Arg {
		size := int32(d.a[n])
		if size < 0 || v == 0 {
			return trace.P(v)
		}
		return d.buf(v, uint32(size), false)
	})
}

// aSizedBufOut shows the bytes a call wrote into a buffer: the result's
// worth, at most the buffer's size (argument n).
func aSizedBufOut(n int) ArgSpec {
	return out(func(d *Decoder, v uint32) trace.Arg {
		size := int32(d.a[n])
		if d.Failed() || size < 0 || d.ret < 0 {
			return trace.P(v)
		}
		return d.buf(v, uint32(min(int64(size), d.ret)), false)
	})
}

// fmtTaskInfo shows struct task_info.
func fmtTaskInfo(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, taskInfoSize/4)
	if !ok {
		return trace.P(v)
	}
	comm := make([]byte, 16)
	for i := range comm {
		comm[i] = byte(w[4+i/4] >> (8 * (i % 4)))
	}
	for i, c := range comm {
		if c == 0 {
			comm = comm[:i]
			break
		}
	}
	return trace.S(v,
		trace.F("pid", trace.I(int64(int32(w[0])))),
		trace.F("ppid", trace.I(int64(int32(w[1])))),
		trace.F("state", trace.Sym(uint64(w[2]), taskStateName(w[2]))),
		trace.F("uid", trace.U(uint64(w[3]))),
		trace.F("comm", trace.Arg{Kind: trace.String, Text: string(comm)}))
}

// taskStateNames are the task->state values task_info reports.
var taskStateNames = map[uint32]string{
	linuxTaskRunning:         "TASK_RUNNING",
	linuxTaskInterruptible:   "TASK_INTERRUPTIBLE",
	linuxTaskUninterruptible: "TASK_UNINTERRUPTIBLE",
	linuxTaskKillable:        "TASK_KILLABLE",
	linuxTaskStopped:         "TASK_STOPPED",
	linuxTaskTraced:          "TASK_TRACED",
	linuxTaskDead:            "TASK_DEAD",
}

func taskStateName(s uint32) string {
	if n, ok := taskStateNames[s]; ok {
		return n
	}
	return fmt.Sprint(s)
}
