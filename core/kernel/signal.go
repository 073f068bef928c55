package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/cpu/x87"
	"trapdoor/core/trace"
)

// Signal delivery to handlers, with the i386 frames of
// arch/x86/kernel/signal_32.c: an rt_sigframe for SA_SIGINFO handlers and
// the old sigframe otherwise, undone by rt_sigreturn and sigreturn.
// There is no sigaltstack yet: frames go on the current stack.

const (
	saSiginfo   = 0x4
	saOnstack   = 0x08000000
	saRestorer  = 0x04000000
	saNodefer   = 0x40000000
	saResethand = 0x80000000
	saRestart   = 0x10000000
	saNocldstop = 0x1
	saNocldwait = 0x2

	sigDFL = 0
	sigIGN = 1

	// Frame layout (offsets from the frame start).
	rtInfo     = 16  // siginfo, 128 bytes
	rtUC       = 144 // ucontext: flags, link, stack (12), mcontext, sigmask
	rtRetcode  = 260
	rtSize     = 268
	oldSC      = 8   // sigcontext
	oldExtra   = 720 // extramask: the high half of the blocked mask
	oldRetcode = 724
	oldSize    = 732
	ucMcontext = 20
	ucSigmask  = 108
	fpSize     = x87.SaveSize + 4 // fnsave image, status, magic (0xffff: no fxsr)

	// eflagsRestore are the flags sigreturn takes from the frame
	// (FIX_EFLAGS: AC, OF, DF, TF, SF, ZF, AF, PF, CF, RF).
	eflagsRestore = 0x40DD5
)

func sigbit(sig int) uint64 { return 1 << (sig - 1) }

// unblockable signals can be neither blocked nor caught.
const unblockable = 1<<(abi.SIGKILL-1) | 1<<(abi.SIGSTOP-1)

// sendSignal decides what a signal does to t: nothing (ignored), queue it
// while it is blocked, run its handler, or end the process. forced marks
// a CPU fault: a blocked or ignored fault signal kills, as force_sig does.
func (k *Kernel) sendSignal(t *Task, sig int, info []trace.Arg, fields siginfo, forced bool) {
	act := t.sig.actions[sig-1]
	caught := act.Handler > sigIGN && sigbit(sig)&unblockable == 0
	if forced {
		if !caught || t.sig.blocked&sigbit(sig) != 0 {
			k.kill(t, sig, info)
			return
		}
	} else {
		if sigbit(sig)&unblockable == 0 && t.sig.blocked&sigbit(sig) != 0 {
			// Held until unblocked (blocked signals are never ignored:
			// the disposition may change meanwhile).
			t.blockedPending = append(t.blockedPending, pendingSignal{sig: sig, info: info, fields: fields})
			return
		}
		if sigbit(sig)&unblockable == 0 && (act.Handler == sigIGN || act.Handler == sigDFL && ignoredByDefault(sig)) {
			// Discarded; a tracer is still told, as ptrace reports
			// ignored signals to strace.
			k.traceSignal(t, sig, info)
			return
		}
		if caught && t.sig.blocked&sigbit(sig) != 0 {
			t.blockedPending = append(t.blockedPending, pendingSignal{sig: sig, info: info, fields: fields})
			return
		}
	}
	if !caught {
		if !forced && stopsByDefault(sig) {
			k.stopTask(t, sig, info)
			return
		}
		k.kill(t, sig, info)
		return
	}
	k.traceSignal(t, sig, info)
	if t.rs.active && k.cur == t {
		k.interruptSyscall(t, act)
	}
	if t.hasSavedMask {
		// rt_sigsuspend: the frame saves, and sigreturn restores, the
		// mask from before the call.
		t.sig.blocked, t.hasSavedMask = t.savedMask, false
	}
	if !k.setupFrame(t, sig, act, fields) {
		// No room for the frame: Linux's force_sigsegv.
		k.Log.Printf(LogInfo, "%s[%d]: cannot set up the frame for %s, killed", t.Comm, t.Pid, abi.SignalName(sig))
		k.kill(t, abi.SIGSEGV, nil)
	}
}

// siginfo holds the raw fields a frame's siginfo gets.
type siginfo struct {
	code     int
	status   uint32 // SIGCHLD's si_status
	addr     uint32 // faults
	pid, uid uint32 // kill, tkill
	trapno   uint32
	errcode  uint32
}

func (s siginfo) bytes(sig int) []byte {
	b := make(le, 128)
	b.u32(0, uint32(sig))
	b.u32(8, uint32(s.code))
	if s.pid != 0 || s.code <= 0 {
		b.u32(12, s.pid)
		b.u32(16, s.uid)
	} else {
		b.u32(12, s.addr)
	}
	if sig == abi.SIGCHLD || s.code == siQueue {
		b.u32(20, s.status) // si_status, or sigqueue's si_value
	}
	return b
}

// setupFrame pushes a signal frame and points the CPU at the handler.
func (k *Kernel) setupFrame(t *Task, sig int, act SigAction, si siginfo) bool {
	c := k.CPU
	sp := c.R[cpu.ESP]
	alt := t.sig.alt
	onAlt := alt.onStack(sp)
	if act.Flags&saOnstack != 0 && alt.size != 0 && alt.flags&ssDisable == 0 && !onAlt {
		sp = alt.sp + alt.size
	}
	fp := (sp - fpSize) &^ 63
	rt := act.Flags&saSiginfo != 0
	size := uint32(oldSize)
	if rt {
		size = rtSize
	}
	frame := ((fp-size)+4)&^15 - 4

	fpu := make(le, fpSize)
	img := c.FPU.Save()
	copy(fpu, img[:])
	fpu.u16(x87.SaveSize+2, 0xffff)
	if t.copyOut(fp, fpu) != 0 {
		return false
	}
	sc := make(le, 88)
	sc.u32(0, uint32(c.Seg[cpu.GS]))
	sc.u32(4, uint32(c.Seg[cpu.FS]))
	sc.u32(8, uint32(c.Seg[cpu.ES]))
	sc.u32(12, uint32(c.Seg[cpu.DS]))
	for i, r := range []int{cpu.EDI, cpu.ESI, cpu.EBP, cpu.ESP, cpu.EBX, cpu.EDX, cpu.ECX, cpu.EAX} {
		sc.u32(16+4*i, c.R[r])
	}
	sc.u32(48, si.trapno)
	sc.u32(52, si.errcode)
	sc.u32(56, c.EIP)
	sc.u32(60, uint32(c.Seg[cpu.CS]))
	sc.u32(64, c.EFLAGS())
	sc.u32(68, c.R[cpu.ESP])
	sc.u32(72, uint32(c.Seg[cpu.SS]))
	sc.u32(76, fp)
	sc.u32(80, uint32(t.sig.blocked))
	sc.u32(84, si.addr)

	b := make(le, size)
	b.u32(4, uint32(sig))
	var ret uint32
	if rt {
		b.u32(8, frame+rtInfo)
		b.u32(12, frame+rtUC)
		copy(b[rtInfo:], si.bytes(sig))
		copy(b[rtUC+ucMcontext:], sc)
		b.u64(rtUC+ucSigmask, t.sig.blocked)
		b.u32(rtUC+8, alt.sp)
		b.u32(rtUC+12, alt.ssFlags(c.R[cpu.ESP]))
		b.u32(rtUC+16, alt.size)
		// movl $173, %eax; int $0x80
		copy(b[rtRetcode:], []byte{0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0})
		ret = frame + rtRetcode
	} else {
		copy(b[oldSC:], sc)
		b.u32(oldExtra, uint32(t.sig.blocked>>32))
		// popl %eax; movl $119, %eax; int $0x80
		copy(b[oldRetcode:], []byte{0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80})
		ret = frame + oldRetcode
	}
	if act.Flags&saRestorer != 0 {
		ret = act.Restorer
	}
	b.u32(0, ret)
	if t.copyOut(frame, b) != 0 {
		return false
	}

	c.R[cpu.ESP] = frame
	c.EIP = act.Handler
	c.R[cpu.EAX] = uint32(sig)
	if rt {
		c.R[cpu.EDX] = frame + rtInfo
		c.R[cpu.ECX] = frame + rtUC
	} else {
		c.R[cpu.EDX], c.R[cpu.ECX] = 0, 0
	}
	// The handler starts with DF, TF and RF clear.
	c.SetEFLAGS(c.EFLAGS() &^ (1<<10 | 1<<8 | 1<<16))
	c.FPU.Reset()
	if act.Flags&saNodefer == 0 {
		t.sig.blocked |= sigbit(sig)
	}
	t.sig.blocked = (t.sig.blocked | act.Mask) &^ unblockable
	if act.Flags&saResethand != 0 {
		t.sig.actions[sig-1] = SigAction{}
	}
	return true
}

// restoreContext loads the sigcontext at addr and the mask, as
// sigreturn and rt_sigreturn do. It returns the restored eax.
func (t *Task) restoreContext(sc uint32, mask uint64) (uint32, abi.Errno) {
	c := t.k.CPU
	b := make([]byte, 88)
	if err := t.copyIn(sc, b); err != 0 {
		return 0, err
	}
	w := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
	for i, r := range []int{cpu.EDI, cpu.ESI, cpu.EBP, cpu.ESP, cpu.EBX, cpu.EDX, cpu.ECX, cpu.EAX} {
		c.R[r] = w(16 + 4*i)
	}
	c.EIP = w(56)
	c.SetEFLAGS(c.EFLAGS()&^eflagsRestore | w(64)&eflagsRestore)
	// Only user selectors (RPL 3) for the data segments; fs and gs carry
	// TLS and are reloaded from the GDT.
	for _, s := range []struct{ seg, off int }{{cpu.GS, 0}, {cpu.FS, 4}, {cpu.ES, 8}, {cpu.DS, 12}} {
		sel := uint16(w(s.off))
		if sel&3 == 3 || sel == 0 {
			c.Seg[s.seg] = sel
		}
	}
	c.ReloadSegments()
	if fp := w(76); fp != 0 {
		var img [x87.SaveSize]byte
		if err := t.copyIn(fp, img[:]); err != 0 {
			return 0, err
		}
		c.FPU.Restore(img)
	} else {
		c.FPU.Reset()
	}
	t.sig.blocked = mask &^ unblockable
	return c.R[cpu.EAX], 0
}

// sigreturn (119): the old frame's sigcontext is 8 bytes above the
// frame start, and esp is 8 bytes past it (pretcode and sig popped).
func sysSigreturn(t *Task, a *Args) (uint32, abi.Errno) {
	frame := t.k.CPU.R[cpu.ESP] - 8
	var ex [4]byte
	if err := t.copyIn(frame+oldExtra, ex[:]); err != 0 {
		return t.badFrame()
	}
	lo, err := t.readU32(frame + oldSC + 80)
	if err != 0 {
		return t.badFrame()
	}
	v, err := t.restoreContext(frame+oldSC, uint64(lo)|uint64(binary.LittleEndian.Uint32(ex[:]))<<32)
	if err != 0 {
		return t.badFrame()
	}
	return v, 0
}

// rt_sigreturn (173): esp is 4 bytes past the frame start.
func sysRtSigreturn(t *Task, a *Args) (uint32, abi.Errno) {
	frame := t.k.CPU.R[cpu.ESP] - 4
	var m [8]byte
	if err := t.copyIn(frame+rtUC+ucSigmask, m[:]); err != 0 {
		return t.badFrame()
	}
	v, err := t.restoreContext(frame+rtUC+ucMcontext, binary.LittleEndian.Uint64(m[:]))
	if err != 0 {
		return t.badFrame()
	}
	return v, 0
}

// badFrame: a sigreturn with a bad frame gets SIGSEGV, as Linux's
// signal_fault.
func (t *Task) badFrame() (uint32, abi.Errno) {
	t.pending = append(t.pending, pendingSignal{sig: abi.SIGSEGV, forced: true,
		info: []trace.Arg{trace.F("si_signo", trace.Sym(abi.SIGSEGV, "SIGSEGV")),
			trace.F("si_code", trace.Sym(abi.SI_KERNEL, "SI_KERNEL")), trace.F("si_addr", trace.P(0))},
		fields: siginfo{code: abi.SI_KERNEL}})
	return 0, abi.EFAULT
}

func (k *Kernel) traceSignal(t *Task, sig int, info []trace.Arg) {
	if info != nil && k.Trace != nil {
		k.Trace.Event(&trace.Event{Kind: trace.Signal, Pid: t.Tgid, Tid: t.Pid, Instructions: k.CPU.Instructions,
			Signal: sig, SigInfo: info})
	}
}

// altStack is sigaltstack's alternate signal stack.
type altStack struct {
	sp, size, flags uint32
}

const (
	ssOnstack     = 1
	ssDisable     = 2
	ssAutodisarm  = 1 << 31
	minSigStkSize = 2048
)

func (a altStack) onStack(sp uint32) bool {
	return a.size != 0 && a.flags&ssDisable == 0 && sp-a.sp < a.size
}

// ssFlags is ss_flags as sigaltstack reports it for a stack pointer.
func (a altStack) ssFlags(sp uint32) uint32 {
	switch {
	case a.size == 0 || a.flags&ssDisable != 0:
		return ssDisable
	case a.onStack(sp):
		return ssOnstack
	}
	return a.flags & ssAutodisarm
}

func sysSigaltstack(t *Task, a *Args) (uint32, abi.Errno) {
	sp := t.k.CPU.R[cpu.ESP]
	old := t.sig.alt
	if a[0] != 0 {
		w, err := t.copyInWords(a[0], 3)
		if err != 0 {
			return 0, err
		}
		if old.onStack(sp) {
			return 0, abi.EPERM
		}
		n := altStack{sp: w[0], flags: w[1], size: w[2]}
		switch n.flags &^ ssAutodisarm {
		case ssDisable:
			n = altStack{flags: ssDisable}
		case 0, ssOnstack:
			n.flags &= ssAutodisarm
			if n.size < minSigStkSize {
				return 0, abi.ENOMEM
			}
		default:
			return 0, abi.EINVAL
		}
		defer func() { t.sig.alt = n }()
	}
	if a[1] != 0 {
		return 0, t.copyOutWords(a[1], old.sp, old.ssFlags(sp), old.size)
	}
	return 0, 0
}

func fmtStack(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 3)
	if !ok {
		return trace.P(v)
	}
	fl := abi.FlagSet{Flags: []abi.Flag{{Name: "SS_ONSTACK", Value: 1}, {Name: "SS_DISABLE", Value: 2}, {Name: "SS_AUTODISARM", Value: 1 << 31}}}
	return trace.S(v, trace.F("ss_sp", trace.P(w[0])), trace.F("ss_flags", trace.Sym(uint64(w[1]), fl.Format(uint64(w[1])))),
		trace.F("ss_size", trace.U(uint64(w[2]))))
}

// stopsByDefault: the job-control signals whose default action stops.
func stopsByDefault(sig int) bool {
	return sig == abi.SIGSTOP || sig == abi.SIGTSTP || sig == abi.SIGTTIN || sig == abi.SIGTTOU
}

// dumpsCore: the signals whose default action is "core".
func dumpsCore(sig int) bool {
	switch sig {
	case abi.SIGQUIT, abi.SIGILL, abi.SIGTRAP, abi.SIGABRT, abi.SIGBUS, abi.SIGFPE, abi.SIGSEGV, 24, 25, 31: // XCPU, XFSZ, SYS
		return true
	}
	return false
}

// coreDumped reports the WCOREDUMP bit of a killed task's status. Linux
// sets it only when a dump was written, which RLIMIT_CORE 0 (the
// default, as on most hosts) prevents; with a non-zero limit the dump
// counts as written (no core file is produced).
func (t *Task) coreDumped() bool {
	return !t.exit.Exited && dumpsCore(t.exit.Signal) && t.rlimits[abi.RLIMIT_CORE].cur != 0
}

// SIGCHLD si_code values.
const (
	cldExited    = 1
	cldKilled    = 2
	cldDumped    = 3
	cldStopped   = 5
	cldContinued = 6
)

var cldNames = map[int]string{cldExited: "CLD_EXITED", cldKilled: "CLD_KILLED", cldDumped: "CLD_DUMPED",
	cldStopped: "CLD_STOPPED", cldContinued: "CLD_CONTINUED"}

// signalChild sends SIGCHLD (or the child's exit signal) to parent p
// about child c.
func (k *Kernel) signalChild(p, c *Task, code, status int) {
	sig := c.exitSignal
	if code == cldStopped || code == cldContinued {
		if p.sig.actions[abi.SIGCHLD-1].Flags&saNocldstop != 0 {
			return
		}
		sig = abi.SIGCHLD
	}
	if sig == 0 {
		return
	}
	st := trace.I(int64(status))
	if code != cldExited {
		st = trace.Sym(uint64(status), abi.SignalName(status))
	}
	info := []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
		trace.F("si_code", trace.Sym(uint64(code), cldNames[code])),
		trace.F("si_pid", trace.I(int64(c.Tgid))),
		trace.F("si_uid", trace.U(uint64(c.Cred.UID))),
		trace.F("si_status", st),
		trace.F("si_utime", trace.I(0)),
		trace.F("si_stime", trace.I(0)),
	}
	k.post(k.signalTarget(p, sig), sig, info, siginfo{code: code, pid: uint32(c.Tgid), uid: c.Cred.UID, status: uint32(status)})
}

// signalFromKernel sends sig with si_code SI_KERNEL (alarm expiry).
func (k *Kernel) signalFromKernel(t *Task, sig int) {
	info := []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
		trace.F("si_code", trace.Sym(abi.SI_KERNEL, "SI_KERNEL")),
	}
	k.post(k.signalTarget(t, sig), sig, info, siginfo{code: abi.SI_KERNEL})
}

// signalFrom sends sig to t from process from (kill, SIGPIPE).
func (k *Kernel) signalFrom(from, t *Task, sig int, code int, codeName string) {
	info := []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
		trace.F("si_code", trace.Sym(uint64(int64(code)), codeName)),
		trace.F("si_pid", trace.I(int64(from.Tgid))),
		trace.F("si_uid", trace.U(uint64(from.Cred.UID))),
	}
	if code != siTkill {
		t = k.signalTarget(t, sig) // process-directed: a thread that takes it
	}
	k.post(t, sig, info, siginfo{code: code, pid: uint32(from.Tgid), uid: from.Cred.UID})
}

// post queues a signal for t, acted on when t next returns to user mode.
// SIGCONT resumes a stopped task at once and SIGKILL wakes it, as Linux
// does at send time; a sleeping task the signal concerns is woken so its
// call can be interrupted.
func (k *Kernel) post(t *Task, sig int, info []trace.Arg, fields siginfo) {
	if !t.alive() {
		return
	}
	switch {
	case sig == abi.SIGCONT:
		// Every thread of the process resumes; the parent hears of
		// the process (its leader).
		resumed := false
		for _, x := range t.group.threads {
			x.dropPending(stopsByDefault)
			if x.state == taskStopped {
				x.state = taskRunning
				k.enqueue(x)
				resumed = true
			}
		}
		if l := t.group.leader; resumed {
			l.contPending, l.stopPending = true, false
			if p := l.parent; p != nil && p.alive() {
				k.signalChild(p, l, cldContinued, abi.SIGCONT)
				p.childWait.wakeAll(k)
			}
		}
	case stopsByDefault(sig):
		t.dropPending(func(s int) bool { return s == abi.SIGCONT })
	case sig == abi.SIGKILL && t.state == taskStopped:
		t.state = taskRunning
		k.enqueue(t)
	}
	if sig < 32 && t.isPending(sig) {
		return // standard signals do not queue: one is already pending
	}
	t.pending = append(t.pending, pendingSignal{sig: sig, info: info, fields: fields})
	if t.state == taskSleeping && (t.signalMatters(sig) || t.sigwaitSet&sigbit(sig) != 0) && (t.vforkChild == nil || sig == abi.SIGKILL) {
		k.wake(t)
	}
}

func (t *Task) dropPending(match func(int) bool) {
	keep := t.pending[:0]
	for _, p := range t.pending {
		if !match(p.sig) {
			keep = append(keep, p)
		}
	}
	t.pending = keep
	keepB := t.blockedPending[:0]
	for _, p := range t.blockedPending {
		if !match(p.sig) {
			keepB = append(keepB, p)
		}
	}
	t.blockedPending = keepB
}

// stopTask carries out a stop signal's default action.
func (k *Kernel) stopTask(t *Task, sig int, info []trace.Arg) {
	k.traceSignal(t, sig, info)
	// A group stop: the process's running threads stop (sleeping ones
	// stay asleep), and the leader records it for wait.
	t.state = taskStopped
	for _, x := range t.group.threads {
		if x.state == taskRunning {
			x.state = taskStopped
		}
	}
	l := t.group.leader
	l.stopSig, l.stopPending, l.contPending = sig, true, false
	if p := l.parent; p != nil && p.alive() {
		k.signalChild(p, l, cldStopped, sig)
		p.childWait.wakeAll(k)
	}
}

// interruptSyscall: a handler is about to run while t's call waits to be
// restarted. With SA_RESTART (and a restartable call) the call runs again
// after the handler; otherwise it returns EINTR.
func (k *Kernel) interruptSyscall(t *Task, act SigAction) {
	rs := t.rs
	t.rs = restartState{}
	if rs.err == errRestartSys && act.Flags&saRestart != 0 || rs.err == errRestartNoIntr {
		return
	}
	if rs.onIntr != nil {
		rs.onIntr()
	}
	c := k.CPU
	c.EIP += 2 // past the int 0x80
	c.R[cpu.EAX] = errnoRet(abi.EINTR)
	if rs.progress > 0 {
		c.R[cpu.EAX] = rs.progress // a partial transfer returns its count
	}
	if k.Trace != nil {
		k.Trace.Event(&trace.Event{Kind: trace.Syscall, Pid: t.Tgid, Tid: t.Pid, Instructions: c.Instructions,
			Nr: int(rs.nr), Name: k.SyscallName(rs.nr), Ret: -1, Errno: int(abi.EINTR)})
	}
}

// isPending reports whether sig is pending (delivered or held blocked).
func (t *Task) isPending(sig int) bool {
	for _, p := range t.pending {
		if p.sig == sig {
			return true
		}
	}
	for _, p := range t.blockedPending {
		if p.sig == sig {
			return true
		}
	}
	return false
}

// siQueue is sigqueue's si_code; siTkill tkill's and tgkill's.
const (
	siQueue = -1
	siTkill = -6
)
