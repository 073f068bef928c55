package kernel

import (
	"math/rand/v2"
	"time"

	"trapdoor/core/abi"
)

// The scheduler: round-robin over a run queue with time slices counted
// in instructions. Each slice's length is drawn from a generator seeded
// by Config.Seed (between half and one and a half of Config.Slice), so a
// seed fixes the interleaving and different seeds give different ones.
//
// Blocking follows Linux's -ERESTARTSYS pattern: a handler that must
// wait puts the task on a wait queue and returns errRestartSys (or
// errRestartNoHand). The dispatcher rewinds EIP to the int 0x80 and puts
// the call number back in EAX, so when the task is woken it simply makes
// the call again. A signal with a handler turns the restart into EINTR,
// or, with SA_RESTART and errRestartSys, lets the call re-run after the
// handler returns. State a call needs across restarts (a deadline, bytes
// already moved) lives in Task.rs.

// Restart codes: never seen by the guest (Linux's ERESTARTSYS and
// ERESTARTNOHAND).
const (
	errRestartSys    abi.Errno = 512 // restart after SA_RESTART handlers, EINTR otherwise
	errRestartNoHand abi.Errno = 514 // EINTR whenever a handler runs (sleeps, poll, pause)
	errRestartNoIntr abi.Errno = 513 // always restarted, never EINTR (vfork's wait)
)

// restartState is what a blocked call keeps across re-executions.
type restartState struct {
	active   bool // the call at EIP is a restart of nr
	nr       uint32
	err      abi.Errno
	deadline int64 // absolute monotonic deadline of a timed wait, 0 for none
	// onIntr runs when a handler interrupts the call (nanosleep's rem).
	onIntr func()
	// progress is what a partly done transfer moved (a pipe write).
	progress uint32
}

// waitQueue is a list of tasks sleeping until an event.
type waitQueue struct{ tasks []*Task }

// wakeAll makes every sleeper runnable; they re-check their condition.
func (q *waitQueue) wakeAll(k *Kernel) {
	ts := q.tasks
	q.tasks = nil
	for _, t := range ts {
		if t.waitingOn == q {
			t.waitingOn = nil
			k.wake(t)
		}
	}
}

func (q *waitQueue) remove(t *Task) {
	for i, x := range q.tasks {
		if x == t {
			q.tasks = append(q.tasks[:i], q.tasks[i+1:]...)
			return
		}
	}
}

// sleepOn blocks t on q (nil: no queue, a timer only) until deadline (0:
// none) and returns the restart code the handler should return. A task
// with a signal to act on does not go to sleep: the restart happens at
// once and the signal is delivered first.
func (t *Task) sleepOn(q *waitQueue, deadline int64, code abi.Errno) abi.Errno {
	if t.signalWaiting() {
		return code
	}
	t.state = taskSleeping
	if q != nil {
		q.tasks = append(q.tasks, t)
		t.waitingOn = q
	}
	t.deadline = deadline
	if deadline != 0 {
		t.k.timers = append(t.k.timers, t)
	}
	return code
}

// wake makes a sleeping task runnable.
func (k *Kernel) wake(t *Task) {
	if t.state != taskSleeping {
		return
	}
	if t.waitingOn != nil {
		t.waitingOn.remove(t)
		t.waitingOn = nil
	}
	t.deadline = 0
	t.state = taskRunning
	k.runq = append(k.runq, t)
}

// signalWaiting reports whether t has a signal that would do something
// when delivered now (so a sleep must be interrupted).
func (t *Task) signalWaiting() bool {
	for _, p := range t.pending {
		if t.signalMatters(p.sig) {
			return true
		}
	}
	for _, p := range t.blockedPending {
		if t.sig.blocked&sigbit(p.sig) == 0 && t.signalMatters(p.sig) {
			return true
		}
	}
	return false
}

// signalMatters: not ignored and not blocked (SIGKILL always matters).
func (t *Task) signalMatters(sig int) bool {
	if sigbit(sig)&unblockable != 0 {
		return true
	}
	if t.sig.blocked&sigbit(sig) != 0 {
		return false
	}
	h := t.sig.actions[sig-1].Handler
	return !(h == sigIGN || h == sigDFL && ignoredByDefault(sig))
}

// nextSlice is the length of the next time slice.
func (k *Kernel) nextSlice() uint64 {
	s := k.cfg.Slice
	if s < 2 {
		return 1
	}
	return s/2 + k.schedRng.Uint64N(s)
}

func newSchedRng(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x7261706f64747261))
}

// fireTimers wakes sleepers whose deadline has passed and raises
// SIGALRM for expired ITIMER_REAL timers.
func (k *Kernel) fireTimers() {
	now := k.clock.monotonicNS()
	keep := k.timers[:0]
	for _, t := range k.timers {
		if t.state == taskSleeping && t.deadline != 0 {
			if t.deadline <= now {
				k.wake(t)
				continue
			}
			keep = append(keep, t)
		}
	}
	clear(k.timers[len(keep):])
	k.timers = keep
	alarms := k.alarms[:0]
	for _, t := range k.alarms {
		if !t.alive() || t.alarmAt == 0 {
			continue
		}
		if t.alarmAt <= now {
			if t.alarmEvery > 0 {
				for t.alarmAt <= now {
					t.alarmAt += t.alarmEvery
				}
			} else {
				t.alarmAt = 0
			}
			k.signalFromKernel(t, abi.SIGALRM)
			if t.alarmAt == 0 {
				continue
			}
		}
		alarms = append(alarms, t)
	}
	clear(k.alarms[len(alarms):])
	k.alarms = alarms
}

// nextDeadline is the earliest timer or alarm, 0 when there is none.
func (k *Kernel) nextDeadline() int64 {
	var next int64
	for _, t := range k.timers {
		if t.state == taskSleeping && t.deadline != 0 && (next == 0 || t.deadline < next) {
			next = t.deadline
		}
	}
	for _, t := range k.alarms {
		if t.alive() && t.alarmAt != 0 && (next == 0 || t.alarmAt < next) {
			next = t.alarmAt
		}
	}
	return next
}

// pickNext chooses the task to run: the head of the run queue, after
// firing timers. When every task sleeps on time, time jumps (virtual
// clock) or passes (wall clock) to the next deadline, or, with a host
// pacing the clock (Config.HostClock), RunFor returns until the host
// advances it. It returns nil when no task can ever run again (or, in
// RunFor, none can until the host acts: k.idle).
func (k *Kernel) pickNext() *Task {
	k.idle = false
	for {
		k.pullHost() // typed keys and piped data: readers wake, ^C signals
		k.fireTimers()
		for len(k.runq) > 0 {
			t := k.runq[0]
			k.runq[0] = nil
			k.runq = k.runq[1:]
			if t.state == taskRunning {
				return t
			}
		}
		if k.live == 0 {
			return nil
		}
		next := k.nextDeadline()
		if next == 0 {
			if k.consoleIdle() {
				if k.idle {
					return nil // RunFor returns until input comes
				}
				continue
			}
			k.deadlock()
			continue
		}
		if d := next - k.clock.monotonicNS(); d > 0 {
			if k.cfg.HostClock && k.yield.active {
				k.idle = true // RunFor returns: the host passes time (AdvanceClock)
				return nil
			}
			if k.cfg.WallClock {
				k.sleepHost(time.Duration(d))
			} else {
				k.clock.slept += d
			}
		}
	}
}

// deadlock ends a machine where every process waits for something only
// another waiting process could do (Linux would hang forever).
func (k *Kernel) deadlock() {
	k.Log.Printf(LogErr, "all %d processes are blocked and no timer is pending: deadlock, killing them", k.live)
	for _, t := range k.taskList() {
		if t.alive() {
			k.kill(t, abi.SIGKILL, nil)
		}
	}
}

// taskList is every task in pid order (maps do not iterate
// deterministically; scheduling decisions must).
func (k *Kernel) taskList() []*Task {
	var out []*Task
	for pid := 1; pid < k.nextPid; pid++ {
		if t := k.Tasks[pid]; t != nil {
			out = append(out, t)
		}
	}
	return out
}

// enqueue puts a runnable task at the tail of the run queue.
func (k *Kernel) enqueue(t *Task) {
	if t.state == taskRunning {
		k.runq = append(k.runq, t)
	}
}

// sleepHost passes wall-clock time until d is over or console input
// arrives.
func (k *Kernel) sleepHost(d time.Duration) {
	if k.hostNotify == nil {
		time.Sleep(d)
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-k.hostNotify:
	}
}
