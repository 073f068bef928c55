package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/trace"
)

// Threads. A process is a thread group: tasks made by clone with
// CLONE_THREAD share the leader's Tgid, and (with the flags glibc and
// musl pass) its address space, descriptor table, cwd and umask, and
// signal handlers, while each keeps its own registers, TLS, blocked mask
// and thread-directed pending signals. The group ends when its last
// thread exits; only then is the leader's parent told (a leader that
// exits first stays a zombie until then), while other threads are
// reaped as soon as they exit, as Linux's release_task does.

// threadGroup is a process as seen from its threads.
type threadGroup struct {
	leader  *Task
	threads []*Task // live threads, oldest first
	// exiting is set by exit_group and fatal signals: every thread
	// ends with exit, the group's status.
	exiting bool
	exit    Result
}

// fsShare is the set of tasks sharing a cwd and umask (CLONE_FS).
type fsShare struct{ tasks []*Task }

// syncFS copies t's cwd and umask to the tasks sharing them.
func (t *Task) syncFS() {
	for _, x := range t.fsShare.tasks {
		x.Cwd, x.umask = t.Cwd, t.umask
	}
}

func removeTask(list []*Task, t *Task) []*Task {
	for i, x := range list {
		if x == t {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// getMM adds a user to an address space.
func (k *Kernel) getMM(m *mm.MM) {
	if k.mmRefs == nil {
		k.mmRefs = map[*mm.MM]int{}
	}
	if k.mmRefs[m] == 0 {
		k.mmRefs[m] = 1
	}
	k.mmRefs[m]++
}

// putMM drops a user of an address space; the last one frees it.
func (k *Kernel) putMM(m *mm.MM) {
	if m == nil {
		return
	}
	switch n := k.mmRefs[m]; {
	case n > 2:
		k.mmRefs[m] = n - 1
	case n == 2:
		delete(k.mmRefs, m)
	default:
		k.dropFutexes(m)
		m.Release()
	}
}

// mmUsers is how many tasks use m.
func (k *Kernel) mmUsers(m *mm.MM) int {
	if n := k.mmRefs[m]; n > 0 {
		return n
	}
	return 1
}

// exitGroup ends every thread of t's process with r (exit_group, fatal
// signals, SIGKILL at the budget). t goes last.
func (k *Kernel) exitGroup(t *Task, r Result) {
	g := t.group
	if !g.exiting {
		g.exiting, g.exit = true, r
	}
	for _, x := range append([]*Task(nil), g.threads...) {
		if x != t {
			k.exitThread(x, g.exit)
		}
	}
	k.exitThread(t, g.exit)
}

// exitThread ends one thread: clear_child_tid is cleared and woken, its
// share of the memory and descriptors is dropped. The last thread of a
// group ends the process: the leader becomes a zombie for its parent to
// reap and its children go to init.
func (k *Kernel) exitThread(t *Task, r Result) {
	if t.state == taskZombie {
		return
	}
	if t.state == taskSleeping {
		k.wake(t)
	}
	g := t.group
	if t.MM != nil && t.vforkParent == nil {
		k.exitRobustList(t)
	}
	if t.ClearChildTID != 0 && t.MM != nil && t.vforkParent == nil && k.mmUsers(t.MM) > 1 {
		// pthread_join waits on this word (mm_release).
		if t.writeU32(t.ClearChildTID, 0) == 0 {
			k.futexWake(t, t.ClearChildTID, false, 1, futexBitsetAny)
		}
	}
	t.state = taskZombie
	t.exit = r
	k.live--
	if k.Trace != nil {
		e := &trace.Event{Kind: trace.Exited, Pid: t.Tgid, Tid: t.Pid, Instructions: k.CPU.Instructions, Status: r.Code}
		if !r.Exited {
			e.Kind, e.Signal = trace.Killed, r.Signal
		}
		k.Trace.Event(e)
	}
	t.Files.closeAll()
	if k.cur == t {
		t.Regs = k.CPU.State
		t.MM.Invalidate = nil
		k.CPU.SetCR3(k.idleDir)
		k.cur = nil
	}
	if t.vforkParent != nil {
		t.releaseVfork()
	} else {
		k.putMM(t.MM)
	}
	g.threads = removeTask(g.threads, t)
	t.fsShare.tasks = removeTask(t.fsShare.tasks, t)
	if len(g.threads) > 0 {
		// The process lives on: t's children go to a sibling thread
		// (Linux's find_child_reaper picks a live thread first).
		heir := g.threads[0]
		for _, c := range t.children {
			c.parent = heir
			heir.children = append(heir.children, c)
		}
		t.children = nil
		if t != g.leader {
			k.reap(t)
		}
		return
	}
	leader := g.leader
	if leader != t {
		k.reap(t)
	}
	if g.exiting {
		leader.exit = g.exit
	}
	leader.alarmAt = 0
	if leader.Pid == k.initPid {
		k.initStatus = leader.exit
	}
	kids := append([]*Task(nil), t.children...)
	k.reparentChildren(t)
	k.jobControlExit(leader, kids)
	k.notifyParent(leader)
}

// jobControlExit is what a process's end does to job control (do_exit,
// exit_notify): a session leader holding the terminal hangs up its
// foreground group (SIGHUP) and frees it; a process group left orphaned
// with stopped jobs, its own or a child's, gets SIGHUP and SIGCONT
// (kill_orphaned_pgrp), so no stopped job waits forever.
func (k *Kernel) jobControlExit(l *Task, kids []*Task) {
	if tt := k.tty; tt != nil && l.Sid == l.Tgid && tt.sid == l.Sid {
		tt.signalPgrp(tt.pgrp, abi.SIGHUP)
		tt.sid, tt.pgrp = 0, 0
	}
	hangup := func(pgrp int) {
		for _, x := range k.taskList() {
			if x == x.group.leader && x.processAlive() && x.Pgid == pgrp {
				k.signalFromKernel(x, abi.SIGHUP)
				k.signalFromKernel(x, abi.SIGCONT)
			}
		}
	}
	if p := l.parent; p != nil && p.Pgid != l.Pgid && p.Sid == l.Sid && k.orphanedPgrp(l.Pgid) && k.stoppedJobs(l.Pgid) {
		hangup(l.Pgid)
	}
	for _, c := range kids {
		if c.Pgid != l.Pgid && c.Sid == l.Sid && k.orphanedPgrp(c.Pgid) && k.stoppedJobs(c.Pgid) {
			hangup(c.Pgid)
		}
	}
}

// stoppedJobs reports whether a process of group pgrp is stopped.
func (k *Kernel) stoppedJobs(pgrp int) bool {
	for _, x := range k.taskList() {
		if x.Pgid == pgrp && x.state == taskStopped {
			return true
		}
	}
	return false
}

// processAlive reports whether any thread of t's process still runs.
func (t *Task) processAlive() bool { return len(t.group.threads) > 0 }

// signalTarget picks the thread a process-directed signal goes to, as
// complete_signal: the named task if it does not block the signal, else
// the first live thread that does not, else the named task (or, when
// it has exited, the oldest live thread) holds it blocked.
func (k *Kernel) signalTarget(t *Task, sig int) *Task {
	wants := func(x *Task) bool {
		return x.alive() && (sigbit(sig)&unblockable != 0 || x.sig.blocked&sigbit(sig) == 0 || x.sigwaitSet&sigbit(sig) != 0)
	}
	if wants(t) {
		return t
	}
	for _, x := range t.group.threads {
		if wants(x) {
			return x
		}
	}
	if !t.alive() && len(t.group.threads) > 0 {
		return t.group.threads[0]
	}
	return t
}

// deThread is execve's de_thread: the other threads of the caller's
// process are ended, and a caller that is not the leader takes over
// the leader's pid and place in the process tree.
func (k *Kernel) deThread(t *Task) {
	g := t.group
	for _, x := range append([]*Task(nil), g.threads...) {
		if x != t {
			k.exitThread(x, Result{Signal: abi.SIGKILL, Status: 128 + abi.SIGKILL})
		}
	}
	old := g.leader
	if old == t {
		return
	}
	// old is a zombie kept for the group: t becomes it.
	delete(k.Tasks, t.Pid)
	delete(k.Tasks, old.Pid)
	t.Pid = old.Pid
	k.Tasks[t.Pid] = t
	t.parent, t.PPid, t.exitSignal = old.parent, old.PPid, old.exitSignal
	if p := old.parent; p != nil {
		for i, c := range p.children {
			if c == old {
				p.children[i] = t
			}
		}
	}
	t.children = append(old.children, t.children...)
	for _, c := range t.children {
		c.parent = t
	}
	old.children = nil
	if old.alarmAt != 0 {
		t.alarmAt, t.alarmEvery = old.alarmAt, old.alarmEvery
		k.alarms = append(k.alarms, t)
	}
	g.leader = t
}
