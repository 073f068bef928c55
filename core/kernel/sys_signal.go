package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/trace"
)

// Signals: dispositions, the mask, sending to oneself, and the returns
// from handlers (delivery itself is in signal.go).
var signalCalls = []Syscall{
	{Nr: 119, Name: "sigreturn", Fn: sysSigreturn, Args: []ArgSpec{in(fmtSigreturnMask(false))}},
	{Nr: 173, Name: "rt_sigreturn", Fn: sysRtSigreturn, Args: []ArgSpec{in(fmtSigreturnMask(true))}},
	{Nr: 174, Name: "rt_sigaction", Fn: sysRtSigaction, Args: []ArgSpec{aSig, in(fmtSigaction), out(ifDone(fmtSigaction)), aUint}},
	{Nr: 175, Name: "rt_sigprocmask", Fn: sysRtSigprocmask, Args: []ArgSpec{enum(abi.SigHow), in(fmtSigset), out(ifDone(fmtSigset)), aUint}},
	{Nr: 186, Name: "sigaltstack", Fn: sysSigaltstack, Args: []ArgSpec{in(fmtStack), out(ifDone(fmtStack))}},
	{Nr: 37, Name: "kill", Fn: sysKill, Args: []ArgSpec{aInt, aSig}},
	{Nr: 238, Name: "tkill", Fn: sysTkill, Args: []ArgSpec{aInt, aSig}},
	{Nr: 270, Name: "tgkill", Fn: sysTgkill, Args: []ArgSpec{aInt, aInt, aSig}},
	{Nr: 29, Name: "pause", Fn: sysPause},
	{Nr: 178, Name: "rt_sigqueueinfo", Fn: sysRtSigqueueinfo, Args: []ArgSpec{aInt, aSig, aPtr}},
	{Nr: 179, Name: "rt_sigsuspend", Fn: sysRtSigsuspend, Args: []ArgSpec{in(fmtSigset), aUint}},
	{Nr: 72, Name: "sigsuspend", Fn: sysSigsuspend, Args: []ArgSpec{aInt, aInt, in(func(d *Decoder, v uint32) trace.Arg { return trace.R(sigset(uint64(v))) })}},
	{Nr: 176, Name: "rt_sigpending", Fn: sysRtSigpending, Args: []ArgSpec{out(ifDone(fmtSigset)), aUint}},
	{Nr: 177, Name: "rt_sigtimedwait", Fn: sysRtSigtimedwait, Args: []ArgSpec{in(fmtSigset), aPtr, aPtr, aUint}},
	{Nr: 421, Name: "rt_sigtimedwait_time64", Fn: sysRtSigtimedwait64, Args: []ArgSpec{in(fmtSigset), aPtr, aPtr, aUint}},
}

// rt_sigqueueinfo sends a signal with caller-supplied siginfo (sigqueue):
// only SI_QUEUE-like negative codes to another process, as Linux checks.
func sysRtSigqueueinfo(t *Task, a *Args) (uint32, abi.Errno) {
	if err := validSig(a[1]); err != 0 {
		return 0, err
	}
	b := make([]byte, 128)
	if err := t.copyIn(a[2], b); err != 0 {
		return 0, err
	}
	code := int(int32(binary.LittleEndian.Uint32(b[8:])))
	x := t.k.Tasks[int(int32(a[0]))]
	if int32(a[0]) <= 0 || x == nil || !x.processAlive() {
		return 0, abi.ESRCH
	}
	if (code >= 0 || code == -6) && x != t {
		return 0, abi.EPERM
	}
	sig := int(a[1])
	if sig == 0 {
		return 0, 0
	}
	name := itoa(uint64(-code))
	if code == siQueue {
		name = "SI_QUEUE"
	}
	info := []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(sig))),
		trace.F("si_code", trace.Sym(uint64(int64(code)), name)),
	}
	t.k.post(t.k.signalTarget(x, sig), sig, info, siginfo{code: code, pid: binary.LittleEndian.Uint32(b[12:]),
		uid: binary.LittleEndian.Uint32(b[16:]), status: binary.LittleEndian.Uint32(b[20:])})
	return 0, 0
}

// pause sleeps until a signal runs a handler (EINTR) or kills.
func sysPause(t *Task, a *Args) (uint32, abi.Errno) {
	return 0, t.sleepOn(nil, 0, errRestartNoHand)
}

// suspend replaces the mask until a signal is handled; the handler's
// frame restores the old mask (see sendSignal).
func (t *Task) suspend(mask uint64) (uint32, abi.Errno) {
	if !t.hasSavedMask {
		t.savedMask, t.hasSavedMask = t.sig.blocked, true
		t.sig.blocked = mask &^ unblockable
	}
	return 0, t.sleepOn(nil, 0, errRestartNoHand)
}

func sysRtSigsuspend(t *Task, a *Args) (uint32, abi.Errno) {
	if a[1] != sigsetSize {
		return 0, abi.EINVAL
	}
	var b [8]byte
	if err := t.copyIn(a[0], b[:]); err != 0 {
		return 0, err
	}
	return t.suspend(binary.LittleEndian.Uint64(b[:]))
}

func sysSigsuspend(t *Task, a *Args) (uint32, abi.Errno) {
	return t.suspend(t.sig.blocked&^0xffffffff | uint64(a[2]))
}

func sysRtSigpending(t *Task, a *Args) (uint32, abi.Errno) {
	if a[1] > sigsetSize {
		return 0, abi.EINVAL
	}
	var set uint64
	for _, p := range t.blockedPending {
		set |= sigbit(p.sig)
	}
	for _, p := range t.pending {
		if t.sig.blocked&sigbit(p.sig) != 0 {
			set |= sigbit(p.sig)
		}
	}
	b := make(le, 8)
	b.u64(0, set)
	return 0, t.copyOut(a[0], b[:a[1]])
}

const sigsetSize = 8

// Signals whose default action is to do nothing.
func ignoredByDefault(sig int) bool {
	return sig == abi.SIGCHLD || sig == abi.SIGURG || sig == abi.SIGWINCH || sig == abi.SIGCONT
}

func sysRtSigaction(t *Task, a *Args) (uint32, abi.Errno) {
	sig := int(a[0])
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	if sig < 1 || sig > abi.NSIG {
		return 0, abi.EINVAL
	}
	if a[1] != 0 && (sig == abi.SIGKILL || sig == abi.SIGSTOP) {
		return 0, abi.EINVAL
	}
	old := t.sig.actions[sig-1]
	if a[1] != 0 {
		w, err := t.copyInWords(a[1], 5)
		if err != 0 {
			return 0, err
		}
		act := SigAction{Handler: w[0], Flags: w[1], Restorer: w[2], Mask: (uint64(w[3]) | uint64(w[4])<<32) &^ unblockable}
		t.sig.actions[sig-1] = act
		if act.Handler == sigIGN || act.Handler == sigDFL && ignoredByDefault(sig) {
			// Setting a signal to be ignored discards it if pending.
			t.dropPending(func(s int) bool { return s == sig })
		}
	}
	if a[2] != 0 {
		return 0, t.copyOutWords(a[2], old.Handler, old.Flags, old.Restorer, uint32(old.Mask), uint32(old.Mask>>32))
	}
	return 0, 0
}

func fmtSigaction(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 5)
	if !ok {
		return trace.P(v)
	}
	var h trace.Arg
	switch w[0] {
	case 0:
		h = trace.Sym(0, "SIG_DFL")
	case 1:
		h = trace.Sym(1, "SIG_IGN")
	default:
		h = trace.X(uint64(w[0]))
	}
	fields := []trace.Arg{trace.F("sa_handler", h),
		trace.F("sa_mask", trace.Sym(uint64(w[3])|uint64(w[4])<<32, sigset(uint64(w[3])|uint64(w[4])<<32))),
		trace.F("sa_flags", trace.Sym(uint64(w[1]), abi.SigactionFlags.Format(uint64(w[1]))))}
	if w[1]&0x04000000 != 0 {
		fields = append(fields, trace.F("sa_restorer", trace.X(uint64(w[2]))))
	}
	return trace.S(v, fields...)
}

func sysRtSigprocmask(t *Task, a *Args) (uint32, abi.Errno) {
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	old := t.sig.blocked
	if a[1] != 0 {
		var b [8]byte
		if err := t.copyIn(a[1], b[:]); err != 0 {
			return 0, err
		}
		set := binary.LittleEndian.Uint64(b[:])
		switch a[0] {
		case abi.SIG_BLOCK:
			t.sig.blocked |= set
		case abi.SIG_UNBLOCK:
			t.sig.blocked &^= set
		case abi.SIG_SETMASK:
			t.sig.blocked = set
		default:
			return 0, abi.EINVAL
		}
		t.sig.blocked &^= unblockable
	}
	if a[2] != 0 {
		if err := t.writeU64(a[2], old); err != 0 {
			t.sig.blocked = old
			return 0, err
		}
	}
	return 0, 0
}

func fmtSigset(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 2)
	if !ok {
		return trace.P(v)
	}
	m := uint64(w[0]) | uint64(w[1])<<32
	return trace.Sym(m, sigset(m))
}

// sendSignal checks a kill-family signal number: 0 only probes.
func validSig(sig uint32) abi.Errno {
	if sig > abi.NSIG {
		return abi.EINVAL
	}
	return 0
}

// kill(pid, sig): a process, the caller's group (0), every process but
// init and the caller (-1), or a group (-pgid).
func sysKill(t *Task, a *Args) (uint32, abi.Errno) {
	if err := validSig(a[1]); err != 0 {
		return 0, err
	}
	k := t.k
	sig := int(a[1])
	pid := int(int32(a[0]))
	var targets []*Task
	switch {
	case pid > 0:
		if x := k.Tasks[pid]; x != nil {
			targets = append(targets, x)
		}
	case pid == -1:
		for _, x := range k.taskList() {
			// Each process once (its leader), not each thread.
			if x.Pid > 1 && x.Tgid != t.Tgid && x == x.group.leader {
				targets = append(targets, x)
			}
		}
	default:
		pg := -pid
		if pid == 0 {
			pg = t.Pgid
		}
		for _, x := range k.taskList() {
			if x.Pgid == pg && x == x.group.leader {
				targets = append(targets, x)
			}
		}
	}
	if len(targets) == 0 {
		return 0, abi.ESRCH
	}
	if sig != 0 {
		for _, x := range targets {
			k.signalFrom(t, x, sig, 0, "SI_USER")
		}
	}
	return 0, 0
}

func sysTkill(t *Task, a *Args) (uint32, abi.Errno) {
	if int32(a[0]) <= 0 {
		return 0, abi.EINVAL
	}
	return t.tkill(int(a[0]), a[1])
}

func (t *Task) tkill(tid int, sig uint32) (uint32, abi.Errno) {
	if err := validSig(sig); err != 0 {
		return 0, err
	}
	x := t.k.Tasks[tid]
	if x == nil || !x.alive() {
		return 0, abi.ESRCH
	}
	if sig != 0 {
		t.k.signalFrom(t, x, int(sig), -6, "SI_TKILL")
	}
	return 0, 0
}

func sysTgkill(t *Task, a *Args) (uint32, abi.Errno) {
	if int32(a[0]) <= 0 || int32(a[1]) <= 0 {
		return 0, abi.EINVAL
	}
	if x := t.k.Tasks[int(a[1])]; x == nil || x.Tgid != int(a[0]) {
		if err := validSig(a[2]); err != 0 {
			return 0, err
		}
		return 0, abi.ESRCH
	}
	return t.tkill(int(a[1]), a[2])
}

// fmtSigreturnMask shows the mask a sigreturn restores, read from the
// frame at the stack pointer, as strace: rt_sigreturn({mask=[]}).
func fmtSigreturnMask(rt bool) func(d *Decoder, v uint32) trace.Arg {
	return func(d *Decoder, v uint32) trace.Arg {
		sp := d.t.k.CPU.R[cpu.ESP]
		var mask uint64
		if rt {
			w, ok := d.words(sp-4+rtUC+ucSigmask, 2)
			if !ok {
				return trace.P(sp)
			}
			mask = uint64(w[0]) | uint64(w[1])<<32
		} else {
			lo, ok1 := d.words(sp-8+oldSC+80, 1)
			hi, ok2 := d.words(sp-8+oldExtra, 1)
			if !ok1 || !ok2 {
				return trace.P(sp)
			}
			mask = uint64(lo[0]) | uint64(hi[0])<<32
		}
		return trace.S(sp, trace.F("mask", trace.Sym(mask, sigset(mask))))
	}
}
