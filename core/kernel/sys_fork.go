package kernel

import (
	"encoding/binary"
	"errors"
	"path"
	"strconv"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/loader"
	"trapdoor/core/trace"
)

// Process life cycle: fork, vfork, clone, execve, wait, process groups
// and sessions.
var lifecycleCalls = []Syscall{
	{Nr: 2, Name: "fork", Fn: sysFork},
	{Nr: 190, Name: "vfork", Fn: sysVfork},
	{Nr: 120, Name: "clone", Fn: sysClone, Decode: decodeClone},
	{Nr: 435, Name: "clone3", Fn: sysClone3, Args: []ArgSpec{in(fmtCloneArgs), aUint}},
	{Nr: 11, Name: "execve", Fn: sysExecve, Args: []ArgSpec{aPath, in(fmtStrv), in(fmtStrv)}},
	{Nr: 114, Name: "wait4", Fn: sysWait4, Args: []ArgSpec{aInt, out(ifDone(fmtWstatus)), flags(&waitFlags), aPtr}},
	{Nr: 7, Name: "waitpid", Fn: sysWaitpid, Args: []ArgSpec{aInt, out(ifDone(fmtWstatus)), flags(&waitFlags)}},
	{Nr: 284, Name: "waitid", Fn: sysWaitid, Args: []ArgSpec{aInt, aInt, aPtr, flags(&waitFlags), aPtr}},
	{Nr: 57, Name: "setpgid", Fn: sysSetpgid, Args: []ArgSpec{aInt, aInt}},
	{Nr: 66, Name: "setsid", Fn: sysSetsid},
}

var waitFlags = abi.FlagSet{Flags: []abi.Flag{{Name: "WNOHANG", Value: 1}, {Name: "WUNTRACED", Value: 2},
	{Name: "WEXITED", Value: 4}, {Name: "WCONTINUED", Value: 8}, {Name: "WNOWAIT", Value: 0x01000000},
	{Name: "__WNOTHREAD", Value: 0x20000000}, {Name: "__WALL", Value: 0x40000000}, {Name: "__WCLONE", Value: 0x80000000}}}

// clone flags.
const (
	cloneVM            = 0x100
	cloneFS            = 0x200
	cloneFiles         = 0x400
	cloneSighand       = 0x800
	clonePidfd         = 0x1000
	cloneVfork         = 0x4000
	cloneParent        = 0x8000
	cloneThread        = 0x10000
	cloneSysvsem       = 0x40000
	cloneSetTLS        = 0x80000
	cloneParentSetTID  = 0x100000
	cloneChildClearTID = 0x200000
	cloneDetached      = 0x400000
	cloneChildSetTID   = 0x1000000
)

func sysFork(t *Task, a *Args) (uint32, abi.Errno) {
	return t.fork(abi.SIGCHLD, 0, 0, 0, 0)
}

func sysVfork(t *Task, a *Args) (uint32, abi.Errno) {
	return t.fork(cloneVM|cloneVfork|abi.SIGCHLD, 0, 0, 0, 0)
}

// clone(flags, newsp, parent_tid, tls, child_tid) on i386.
func sysClone(t *Task, a *Args) (uint32, abi.Errno) {
	return t.fork(a[0], a[1], a[2], a[4], a[3])
}

// clone3(struct clone_args *, size): the 64-bit fields flags, pidfd,
// child_tid, parent_tid, exit_signal, stack, stack_size, tls, then
// set_tid, set_tid_size and cgroup (not supported).
func sysClone3(t *Task, a *Args) (uint32, abi.Errno) {
	if c := t.vforkChild; c != nil {
		return t.fork(0, 0, 0, 0, 0) // a vfork parent woken
	}
	size := a[1]
	switch {
	case size < 64:
		return 0, abi.EINVAL
	case size > 4096:
		return 0, abi.E2BIG
	}
	b := make([]byte, size)
	if err := t.copyIn(a[0], b); err != 0 {
		return 0, err
	}
	for _, x := range b[64:] {
		if x != 0 {
			return 0, abi.EINVAL // set_tid, cgroup: not supported
		}
	}
	f := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	flags, sig, stack, stackSize := f(0), f(4), f(5), f(6)
	switch {
	case flags>>32 != 0, flags&(cloneDetached|0xff) != 0, flags&clonePidfd != 0:
		return 0, abi.EINVAL
	case sig&^0xff != 0 || sig > abi.NSIG:
		return 0, abi.EINVAL
	case flags&(cloneThread|cloneParent) != 0 && sig != 0:
		return 0, abi.EINVAL
	case (stack == 0) != (stackSize == 0):
		return 0, abi.EINVAL
	}
	for _, i := range []int{2, 3, 5, 6, 7} {
		if f(i)>>32 != 0 {
			return 0, abi.EINVAL
		}
	}
	return t.fork(uint32(flags)|uint32(sig), uint32(stack+stackSize), uint32(f(3)), uint32(f(2)), uint32(f(7)))
}

// decodeClone shows clone as strace does on i386: named arguments, the
// exit signal after the flags, and parent_tid, tls and child_tidptr only
// when the flags use them (registers: flags, stack, parent_tid, tls,
// child_tid).
func decodeClone(d *Decoder) []trace.Arg {
	fl := d.a[0]
	named := func(name string, a trace.Arg) trace.Arg { a.Name = name; return a }
	args := []trace.Arg{named("child_stack", trace.P(d.a[1])), named("flags", trace.Sym(uint64(fl), cloneFlags(fl)))}
	if fl&(cloneParentSetTID|clonePidfd) != 0 {
		ptid := trace.P(d.a[2])
		if w, ok := d.structAt(d.a[2], 1); ok && !d.Failed() {
			ptid = trace.R("[" + strconv.Itoa(int(int32(w[0]))) + "]")
		}
		args = append(args, named("parent_tid", ptid))
	}
	if fl&cloneSetTLS != 0 {
		args = append(args, named("tls", fmtUserDesc(d, d.a[3])))
	}
	if fl&(cloneChildSetTID|cloneChildClearTID) != 0 {
		args = append(args, named("child_tidptr", trace.P(d.a[4])))
	}
	return args
}

// cloneFlags prints clone's flags with the exit signal in the low byte
// by name: "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD".
func cloneFlags(fl uint32) string {
	sig := fl & 0xff
	s := ""
	if rest := fl &^ 0xff; rest != 0 || sig == 0 {
		s = abi.CloneFlags.Format(uint64(rest))
	}
	if sig != 0 {
		if s != "" {
			s += "|"
		}
		s += abi.SignalName(int(sig))
	}
	return s
}

func fmtCloneArgs(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 16)
	if !ok {
		return trace.P(v)
	}
	return trace.S(v, trace.F("flags", trace.Sym(uint64(w[0]), abi.CloneFlags.Format(uint64(w[0])))),
		trace.F("child_tid", trace.P(w[4])), trace.F("parent_tid", trace.P(w[6])),
		trace.F("exit_signal", trace.I(int64(w[8]))), trace.F("stack", trace.P(w[10])),
		trace.F("stack_size", trace.X(uint64(w[12]))), trace.F("tls", fmtUserDesc(d, w[14])))
}

// fork makes a child task: a process (fork, vfork, clone with
// fork-like flags) or, with CLONE_THREAD, a thread of the caller's
// process. CLONE_VM shares the address space (a vfork parent sleeps
// until the child execs or exits), CLONE_FILES the descriptor table,
// CLONE_FS the cwd and umask, CLONE_SIGHAND the signal handlers.
func (t *Task) fork(fl, newsp, parentTID, childTID, tls uint32) (uint32, abi.Errno) {
	k := t.k
	if c := t.vforkChild; c != nil {
		// A vfork parent woken: done when the child has exec'd or exited.
		if c.vforkParent == t {
			return 0, t.sleepVfork(c)
		}
		t.vforkChild = nil
		return uint32(c.Pid), 0
	}
	const supported = 0xff | cloneVM | cloneFS | cloneFiles | cloneSighand | cloneVfork | cloneParent | cloneThread |
		cloneSysvsem | cloneParentSetTID | cloneChildSetTID | cloneChildClearTID | cloneSetTLS | cloneDetached
	// copy_process's checks, in its order.
	switch {
	case fl&^supported != 0:
		return 0, abi.EINVAL
	case fl&cloneThread != 0 && fl&cloneSighand == 0, fl&cloneSighand != 0 && fl&cloneVM == 0:
		return 0, abi.EINVAL
	}
	if len(k.Tasks) >= k.cfg.MaxProcs || uint64(len(k.Tasks)) >= t.rlimits[abi.RLIMIT_NPROC].cur {
		return 0, abi.EAGAIN
	}
	thread := fl&cloneThread != 0
	vfork := fl&cloneVfork != 0 && fl&cloneVM != 0
	m := t.MM
	if fl&cloneVM == 0 {
		var err error
		if m, err = t.MM.Fork(); err != nil {
			return 0, abi.ENOMEM
		}
		// The parent's writable pages are read-only now.
		k.CPU.FlushTLB()
	} else {
		// Shared: a thread, or a vfork child borrowing it (the
		// reference keeps it alive if the parent is killed meanwhile).
		k.getMM(m)
	}
	c := k.newTask()
	c.Cred, c.Comm, c.Exe, c.Cwd, c.umask, c.rlimits = t.Cred, t.Comm, t.Exe, t.Cwd, t.umask, t.rlimits
	c.Pgid, c.Sid = t.Pgid, t.Sid
	c.sig = t.sig
	if fl&cloneSighand == 0 {
		acts := *t.sig.actions
		c.sig.actions = &acts
	}
	if thread {
		// A thread starts with no alternate stack of its own (Linux
		// clears it for CLONE_VM without CLONE_VFORK).
		c.sig.alt = altStack{}
	}
	c.TLS, c.tlsUsed, c.tlsFlags = t.TLS, t.tlsUsed, t.tlsFlags
	if fl&cloneFiles != 0 {
		c.Files = t.Files
		c.Files.users++
	} else {
		c.Files = t.Files.fork()
	}
	if fl&cloneFS != 0 {
		c.fsShare = t.fsShare
		c.fsShare.tasks = append(c.fsShare.tasks, c)
	}
	c.MM = m
	c.exitSignal = int(fl & 0xff)
	switch {
	case thread:
		// Same process: the leader's tgid, parent and process tree; the
		// thread is reaped by itself when it exits.
		g := t.group
		c.Tgid, c.group, c.childWait = t.Tgid, g, t.childWait
		g.threads = append(g.threads, c)
		c.PPid, c.parent = t.PPid, t.parent
		c.exitSignal = 0
		c.execed = t.execed
	case fl&cloneParent != 0:
		// A sibling: the caller's parent is told of its exit.
		c.PPid, c.parent = t.PPid, t.parent
		if p := t.parent; p != nil {
			p.children = append(p.children, c)
		}
	default:
		c.PPid, c.parent = t.Tgid, t
		t.children = append(t.children, c)
	}
	c.Regs = k.CPU.State
	c.Regs.R[cpu.EAX] = 0
	c.Regs.CR3 = m.Dir
	if newsp != 0 {
		c.Regs.R[cpu.ESP] = newsp
	}
	if fl&cloneSetTLS != 0 {
		// The child installs the descriptor itself when it first runs
		// would be Linux's order; here it is set up front.
		if err := c.setTLSFrom(t, tls); err != 0 {
			c.exitQuietly()
			return 0, err
		}
	}
	if fl&cloneChildClearTID != 0 {
		c.ClearChildTID = childTID
	}
	if fl&cloneChildSetTID != 0 {
		if err := c.copyOut(childTID, le32(uint32(c.Pid))); err != 0 {
			c.exitQuietly()
			return 0, err
		}
	}
	if fl&cloneParentSetTID != 0 {
		if err := t.copyOut(parentTID, le32(uint32(c.Pid))); err != 0 {
			c.exitQuietly()
			return 0, err
		}
	}
	k.enqueue(c)
	if vfork {
		c.vforkParent = t
		t.vforkChild = c
		return 0, t.sleepVfork(c)
	}
	return uint32(c.Pid), 0
}

// sleepVfork waits for the vfork child, deaf to signals but SIGKILL (the
// child runs on the parent's memory and stack).
func (t *Task) sleepVfork(c *Task) abi.Errno {
	t.state = taskSleeping
	c.vforkDone.tasks = append(c.vforkDone.tasks, t)
	t.waitingOn = &c.vforkDone
	return errRestartNoIntr
}

// setTLSFrom applies CLONE_SETTLS's user_desc to the child.
func (c *Task) setTLSFrom(parent *Task, desc uint32) abi.Errno {
	var b [16]byte
	if err := parent.copyIn(desc, b[:]); err != 0 {
		return err
	}
	// Not the running task: set_thread_area leaves the CPU's GDT alone.
	_, err := sysSetThreadArea(c, &Args{desc})
	return err
}

// exitQuietly undoes a half-made child.
func (c *Task) exitQuietly() {
	k := c.k
	p := c.parent
	c.exitSignal = 0
	c.ClearChildTID = 0
	tr := k.Trace
	k.Trace = nil
	k.exitThread(c, Result{Exited: true})
	k.Trace = tr
	if p != nil && c.group.leader == c {
		k.reap(c)
	}
}

func le32(v uint32) []byte {
	b := make(le, 4)
	b.u32(0, v)
	return b
}

// releaseVfork ends the loan of the parent's address space (the child
// execs or exits) and wakes the parent.
func (t *Task) releaseVfork() {
	t.k.putMM(t.MM)
	t.MM = nil
	t.vforkDone.wakeAll(t.k)
	t.vforkParent = nil
}

// maxArgStrings and maxArgBytes bound execve's argv and envp (Linux's
// MAX_ARG_STRINGS and a stack-sized total).
const (
	maxArgStrings = 0x7fffffff
	maxArgBytes   = 2 << 20
)

// readStrv reads a NULL-terminated array of string pointers.
func (t *Task) readStrv(addr uint32, total *int) ([]string, abi.Errno) {
	var out []string
	if addr == 0 {
		return nil, 0
	}
	for i := 0; ; i++ {
		p, err := t.readU32(addr + uint32(4*i))
		if err != 0 {
			return nil, err
		}
		if p == 0 {
			return out, 0
		}
		s, ok, e := t.MM.ReadString(p, maxArgBytes-*total)
		if e != nil {
			return nil, abi.EFAULT
		}
		if !ok {
			return nil, abi.E2BIG
		}
		*total += len(s) + 1
		out = append(out, s)
	}
}

func sysExecve(t *Task, a *Args) (uint32, abi.Errno) {
	p, err := t.readPath(a[0], false)
	if err != 0 {
		return 0, err
	}
	total := 0
	argv, err := t.readStrv(a[1], &total)
	if err != 0 {
		return 0, err
	}
	envp, err := t.readStrv(a[2], &total)
	if err != 0 {
		return 0, err
	}
	k := t.k
	n, err := k.FS.Resolve(t.Cwd, p, true)
	if err != 0 {
		return 0, err
	}
	if n.IsDir() || !n.IsReg() || n.Mode&0111 == 0 {
		return 0, abi.EACCES
	}
	exe := p
	if len(p) > 0 && p[0] != '/' {
		exe = path.Join(k.pathOf(t.Cwd), p)
	}
	if path.Base(path.Dir(exe)) == "self" || n.Generate != nil {
		exe = t.Exe // /proc/self/exe: the same program
	}
	if e := k.execve(t, exe, n.Data, argv, envp); e != nil {
		switch {
		case errors.Is(e, loader.ErrNoMemory):
			return 0, abi.ENOMEM
		default:
			return 0, abi.ENOEXEC
		}
	}
	k.deThread(t)
	// The old program's clear_child_tid and robust list point into the
	// address space that is gone (exec_mm_release forgets them).
	t.ClearChildTID, t.RobustList, t.RobustSz = 0, 0, 0
	t.Comm = comm(path.Base(p))
	t.execed = true
	t.Files.closeOnExec()
	return 0, 0
}

func fmtStrv(d *Decoder, v uint32) trace.Arg {
	var items []trace.Arg
	for i := 0; i < 32; i++ {
		w, ok := d.structAt(v+uint32(4*i), 1)
		if !ok {
			return trace.P(v)
		}
		if w[0] == 0 {
			return trace.Arg{Kind: trace.Array, Elems: items}
		}
		items = append(items, d.str(w[0]))
	}
	items = append(items, trace.R("..."))
	return trace.Arg{Kind: trace.Array, Elems: items}
}

// wait options.
const (
	wNohang     = 1
	wUntraced   = 2
	wExited     = 4
	wContinued  = 8
	wNowait     = 0x01000000
	wNothread   = 0x20000000
	wAll        = 0x40000000
	wClone      = 0x80000000
	rusageBytes = 72
)

// waitResult is what wait found.
type waitResult struct {
	c      *Task
	status uint32 // wait4's status word
	code   int    // waitid's CLD_*
	sigst  int    // waitid's si_status
}

// matches reports whether child c is selected by wait's pid argument.
func (t *Task) matches(c *Task, pid int) bool {
	switch {
	case pid > 0:
		return c.Pid == pid
	case pid == 0:
		return c.Pgid == t.Pgid
	case pid == -1:
		return true
	}
	return c.Pgid == -pid
}

// findWaitable looks for a child to report; ok is false when no child
// matches at all (ECHILD).
func (t *Task) findWaitable(pid int, opts uint32, consume bool) (r *waitResult, any bool) {
	// Any thread may wait for the children of every thread of its
	// process, unless __WNOTHREAD.
	kids := t.children
	if opts&wNothread == 0 && len(t.group.threads) > 1 {
		kids = nil
		for _, th := range t.group.threads {
			kids = append(kids, th.children...)
		}
	}
	for _, c := range kids {
		if !t.matches(c, pid) {
			continue
		}
		// __WCLONE selects children whose exit signal is not SIGCHLD.
		if opts&wAll == 0 && (c.exitSignal != abi.SIGCHLD) != (opts&wClone != 0) {
			continue
		}
		any = true
		switch {
		case !c.processAlive() && opts&wExited != 0:
			r := &waitResult{c: c}
			if c.exit.Exited {
				r.status, r.code, r.sigst = uint32(c.exit.Code)<<8, cldExited, c.exit.Code
			} else {
				r.status, r.code, r.sigst = uint32(c.exit.Signal), cldKilled, c.exit.Signal
				if c.coreDumped() {
					r.status |= 0x80
					r.code = cldDumped
				}
			}
			if consume {
				t.k.reap(c)
			}
			return r, true
		case c.stopPending && c.processAlive() && opts&wUntraced != 0:
			if consume {
				c.stopPending = false
			}
			return &waitResult{c: c, status: uint32(c.stopSig)<<8 | 0x7f, code: cldStopped, sigst: c.stopSig}, true
		case c.contPending && opts&wContinued != 0:
			if consume {
				c.contPending = false
			}
			return &waitResult{c: c, status: 0xffff, code: cldContinued, sigst: abi.SIGCONT}, true
		}
	}
	return nil, any
}

func (t *Task) wait4(pid int, statusAddr, opts, rusage uint32) (uint32, abi.Errno) {
	if opts&^(wNohang|wUntraced|wContinued|wNothread|wAll|wClone) != 0 {
		return 0, abi.EINVAL
	}
	r, any := t.findWaitable(pid, opts|wExited, true)
	if !any {
		return 0, abi.ECHILD
	}
	if r == nil {
		if opts&wNohang != 0 {
			return 0, 0
		}
		return 0, t.sleepOn(t.childWait, 0, errRestartSys)
	}
	if statusAddr != 0 {
		if err := t.writeU32(statusAddr, r.status); err != 0 {
			return 0, err
		}
	}
	if rusage != 0 {
		if err := t.copyOut(rusage, make([]byte, rusageBytes)); err != 0 {
			return 0, err
		}
	}
	return uint32(r.c.Pid), 0
}

func sysWait4(t *Task, a *Args) (uint32, abi.Errno) {
	return t.wait4(int(int32(a[0])), a[1], a[2], a[3])
}

func sysWaitpid(t *Task, a *Args) (uint32, abi.Errno) {
	return t.wait4(int(int32(a[0])), a[1], a[2], 0)
}

// waitid idtypes.
const (
	pAll  = 0
	pPid  = 1
	pPgid = 2
)

func sysWaitid(t *Task, a *Args) (uint32, abi.Errno) {
	opts := a[3]
	if opts&^(wNohang|wUntraced|wExited|wContinued|wNowait|wNothread|wAll|wClone) != 0 ||
		opts&(wExited|wUntraced|wContinued) == 0 {
		return 0, abi.EINVAL
	}
	var pid int
	switch a[0] {
	case pAll:
		pid = -1
	case pPid:
		if int32(a[1]) <= 0 {
			return 0, abi.EINVAL
		}
		pid = int(a[1])
	case pPgid:
		if int32(a[1]) < 0 {
			return 0, abi.EINVAL
		}
		pid = -int(a[1])
		if a[1] == 0 {
			pid = 0
		}
	default:
		return 0, abi.EINVAL
	}
	r, any := t.findWaitable(pid, opts, opts&wNowait == 0)
	if !any {
		return 0, abi.ECHILD
	}
	if r == nil && opts&wNohang == 0 {
		return 0, t.sleepOn(t.childWait, 0, errRestartSys)
	}
	if a[2] != 0 {
		b := make(le, 128)
		if r != nil {
			b.u32(0, abi.SIGCHLD)
			b.u32(8, uint32(r.code))
			b.u32(12, uint32(r.c.Tgid))
			b.u32(16, r.c.Cred.UID)
			b.u32(20, uint32(r.sigst))
		}
		if err := t.copyOut(a[2], b); err != 0 {
			return 0, err
		}
	}
	if a[4] != 0 {
		if err := t.copyOut(a[4], make([]byte, rusageBytes)); err != 0 {
			return 0, err
		}
	}
	return 0, 0
}

// fmtWstatus shows a wait status as strace: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}].
func fmtWstatus(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 1)
	if !ok || d.ret == 0 {
		return trace.P(v)
	}
	s := w[0]
	var txt string
	switch {
	case s&0x7f == 0:
		txt = "{WIFEXITED(s) && WEXITSTATUS(s) == " + itoa(uint64(s>>8&0xff)) + "}"
	case s&0xff == 0x7f:
		txt = "{WIFSTOPPED(s) && WSTOPSIG(s) == " + abi.SignalName(int(s>>8&0xff)) + "}"
	case s == 0xffff:
		txt = "{WIFCONTINUED(s)}"
	default:
		txt = "{WIFSIGNALED(s) && WTERMSIG(s) == " + abi.SignalName(int(s&0x7f))
		if s&0x80 != 0 {
			txt += " && WCOREDUMP(s)"
		}
		txt += "}"
	}
	return trace.Arg{Kind: trace.Array, Elems: []trace.Arg{trace.Sym(uint64(s), txt)}}
}

func sysSetpgid(t *Task, a *Args) (uint32, abi.Errno) {
	pid, pgid := int(int32(a[0])), int(int32(a[1]))
	if pgid < 0 {
		return 0, abi.EINVAL
	}
	target := t
	if pid != 0 && pid != t.Pid {
		target = t.k.Tasks[pid]
		if target == nil || target.parent != t {
			return 0, abi.ESRCH
		}
		if target.Sid != t.Sid {
			return 0, abi.EPERM
		}
		if target.execed {
			return 0, abi.EACCES
		}
	}
	if target.Sid == target.Pid {
		return 0, abi.EPERM // a session leader
	}
	if pgid == 0 {
		pgid = target.Pid
	}
	if pgid != target.Pid {
		found := false
		for _, x := range t.k.taskList() {
			if x.alive() && x.Pgid == pgid && x.Sid == t.Sid {
				found = true
				break
			}
		}
		if !found {
			return 0, abi.EPERM
		}
	}
	for _, x := range target.group.threads {
		x.Pgid = pgid // the process's threads move together
	}
	target.Pgid = pgid
	return 0, 0
}

func sysSetsid(t *Task, a *Args) (uint32, abi.Errno) {
	for _, x := range t.k.taskList() {
		if x.alive() && x.Pgid == t.Tgid {
			return 0, abi.EPERM // already a group leader
		}
	}
	for _, x := range t.group.threads {
		x.Pgid, x.Sid = t.Tgid, t.Tgid
	}
	return uint32(t.Tgid), 0
}
