package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
)

// The trap side of the kernel API: a module's call lands on a stub's
// int 0x81; callAPI reads the cdecl arguments from the kernel stack, runs
// the Go implementation and leaves the result in EAX for the stub's ret.
// An implementation stops early by panicking with a kstop: an oops (bad
// pointer handed to the kernel), a sleep or a yield (the stub is re-run
// when the task resumes, so the call is retried).

type kstopKind uint8

const (
	stopOops  kstopKind = iota // kill the caller with an oops
	stopSleep                  // the task sleeps (or yields); retry the call on resume
)

type kstop struct {
	kind kstopKind
	addr uint32 // the bad address, for oopses
	msg  string
}

// kcall is one API call in progress.
type kcall struct {
	ms  *modules
	kt  *ktask
	ctx *kctx
	c   *cpu.CPU
	t   *Task // nil in init_module/cleanup_module
	at  uint32
}

// callAPI runs API function i for the module code on the CPU.
func (ms *modules) callAPI(kt *ktask, ctx *kctx, i int) (out outcome) {
	c := ms.k.CPU
	a := &kcall{ms: ms, kt: kt, ctx: ctx, c: c, t: kt.t, at: c.EIP - 2}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		st, ok := r.(kstop)
		if !ok {
			panic(r)
		}
		switch st.kind {
		case stopSleep:
			c.EIP = a.at // run the stub's int 0x81 again on resume
			ctx.apiRetrying = a.at
			out = outSuspend
		default:
			// The oops names the stub as IP; the module caller is on
			// top of the stack, so the call trace shows it.
			c.EIP = a.at
			ms.oops(kt, ctx, cpu.Exit{Reason: cpu.ExitFault, Vector: cpu.VecPageFault, Addr: st.addr}, st.msg)
			out = outKilled
		}
	}()
	if ctx.apiRetrying != 0 && ctx.apiRetrying != a.at {
		ctx.resetRetry()
	}
	c.R[cpu.EAX] = kapi[i].fn(a)
	ctx.apiRetrying = 0
	ctx.resetRetry()
	return outReturn
}

// resetRetry forgets the state of a finished (or abandoned) API call.
func (ctx *kctx) resetRetry() {
	ctx.deadline, ctx.yielded, ctx.faultSlept, ctx.waited, ctx.woken, ctx.interruptible = 0, false, false, false, false, false
}

// oops stops the call with an oops about addr.
func (a *kcall) oops(addr uint32, msg string) {
	panic(kstop{kind: stopOops, addr: addr, msg: msg})
}

// sleep stops the call until the task is woken, in Linux's task->state
// state (what task_info shows meanwhile); the call is retried.
func (a *kcall) sleep(q *waitQueue, deadline int64, state uint32) {
	if a.t == nil {
		a.oops(0, "sleeping function called from init_module/cleanup_module, which may not sleep here")
	}
	if !a.ms.preemptible(a.kt) {
		a.ms.k.Log.Printf(LogErr, "BUG: scheduling while atomic: %s/%d/0x%08x", a.t.Comm, a.t.Pid, a.kt.preempt)
	}
	a.ctx.sleepState = state
	a.t.sleepOn(q, deadline, errRestartNoIntr)
	a.ms.stats.Slept++
	a.ctx.spun = 0
	panic(kstop{kind: stopSleep})
}

// yield lets other tasks run; the call is retried with ctx.yielded set.
func (a *kcall) yield() {
	if a.t == nil {
		return
	}
	a.ctx.yielded = true
	a.ms.stats.Yielded++
	panic(kstop{kind: stopSleep})
}

// arg is the i-th cdecl argument (ESP points at the return address).
func (a *kcall) arg(i int) uint32 { return a.u32(a.c.R[cpu.ESP] + 4 + 4*uint32(i)) }

// iarg is a signed argument.
func (a *kcall) iarg(i int) int32 { return int32(a.arg(i)) }

// caller is the return address: the module code that made the call.
func (a *kcall) caller() uint32 { return a.u32(a.c.R[cpu.ESP]) }

// read reads kernel-visible memory as a kernel access would: user pages
// of the caller (faulted in), kernel pages by the page tables. A bad
// address oopses.
func (a *kcall) read(addr uint32, n uint32) []byte {
	b := make([]byte, n)
	if f := a.access(addr, b, false); f {
		a.oops(addr, "")
	}
	return b
}

// write writes kernel-visible memory, oopsing on a bad address.
func (a *kcall) write(addr uint32, b []byte) {
	if f := a.access(addr, b, true); f {
		a.oops(addr, "")
	}
}

// access copies between b and guest memory at CPL 0; it reports whether
// it faulted (with the faulting address left for the oops in failAt).
func (a *kcall) access(addr uint32, b []byte, write bool) bool {
	done := 0
	for done < len(b) {
		p := addr + uint32(done)
		if uint64(addr)+uint64(done) > 0xFFFFFFFF {
			return true
		}
		chunk := min(len(b)-done, int(memory.PageSize-p&memory.PageMask))
		if p < mm.TaskSize {
			if a.t == nil || a.t.MM == nil {
				return true
			}
			var err error
			if write {
				err = a.t.MM.CopyOut(p, b[done:done+chunk])
			} else {
				err = a.t.MM.CopyIn(p, b[done:done+chunk])
			}
			if err != nil {
				return true
			}
		} else {
			acc := memory.AccessRead
			if write {
				acc = memory.AccessWrite
			}
			pfn, _, f := a.c.Phys.Walk(a.c.CR3, p, acc)
			if f != nil && a.ms.syncDir(a.c.CR3) {
				a.c.FlushTLB()
				pfn, _, f = a.c.Phys.Walk(a.c.CR3, p, acc)
			}
			if f != nil {
				return true
			}
			off := p & memory.PageMask
			if write {
				copy(a.c.Phys.WritablePage(pfn)[off:], b[done:done+chunk])
			} else {
				copy(b[done:done+chunk], a.c.Phys.Page(pfn)[off:])
			}
		}
		done += chunk
	}
	return false
}

func (a *kcall) u32(addr uint32) uint32 { return leWord(a.read(addr, 4)) }

func (a *kcall) putU32(addr, v uint32) {
	a.write(addr, []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}

// cstring reads a NUL-terminated string of at most max bytes.
func (a *kcall) cstring(addr uint32, max int) string {
	var out []byte
	for len(out) < max {
		n := min(max-len(out), int(memory.PageSize-(addr+uint32(len(out)))&memory.PageMask))
		b := a.read(addr+uint32(len(out)), uint32(n))
		for i, x := range b {
			if x == 0 {
				return string(append(out, b[:i]...))
			}
		}
		out = append(out, b...)
	}
	return string(out)
}

// userRange is access_ok: the range lies below TASK_SIZE.
func userRange(addr, n uint32) bool {
	return uint64(addr)+uint64(n) <= mm.TaskSize
}

// copyUser moves n bytes between the caller's user memory and kernel
// memory as copy_from_user/copy_to_user do: it returns the bytes not
// copied (all of them when the range fails access_ok), and
// copy_from_user zeroes the kernel bytes it could not fill.
func (a *kcall) copyUser(kaddr, uaddr, n uint32, toUser bool) uint32 {
	if n == 0 {
		return 0
	}
	if !userRange(uaddr, n) || a.t == nil {
		if !toUser {
			a.write(kaddr, make([]byte, n))
		}
		return n
	}
	a.maybeFaultSleep(uaddr, n)
	if toUser {
		data := a.read(kaddr, n)
		done := uint32(0)
		for done < n {
			chunk := min(n-done, memory.PageSize-(uaddr+done)&memory.PageMask)
			if a.t.MM.CopyOut(uaddr+done, data[done:done+chunk]) != nil {
				break
			}
			done += chunk
		}
		return n - done
	}
	data := make([]byte, n)
	done := uint32(0)
	for done < n {
		chunk := min(n-done, memory.PageSize-(uaddr+done)&memory.PageMask)
		if a.t.MM.CopyIn(uaddr+done, data[done:done+chunk]) != nil {
			break
		}
		done += chunk
	}
	a.write(kaddr, data) // the tail stays zero, as Linux's copy_from_user leaves it
	return n - done
}

// maybeFaultSleep: with fault sleeps on, touching a user page that is not
// present yet (the first copy into a fresh buffer) lets other tasks run
// first, as a page fault that swaps in would.
func (a *kcall) maybeFaultSleep(uaddr, n uint32) {
	if !a.ms.faultSleeps || a.ctx.faultSlept || a.t == nil {
		return
	}
	for p := uaddr &^ memory.PageMask; uint64(p) < uint64(uaddr)+uint64(n); p += memory.PageSize {
		pte, _ := a.c.Phys.PTE(a.t.MM.Dir, p)
		if pte&memory.PTEPresent == 0 && a.t.MM.Find(p) != nil {
			a.ctx.faultSlept = true
			a.ms.k.Log.Printf(LogDebug, "%s[%d]: page fault at %#x in %s sleeps (swap-in)", a.t.Comm, a.t.Pid, p, a.ms.symbolize(a.caller()))
			a.yield()
		}
		if p+memory.PageSize < p {
			break
		}
	}
}

// waitQueueAt is the wait queue of a semaphore or mutex at addr.
func (ms *modules) waitQueueAt(addr uint32) *waitQueue {
	q := ms.waits[addr]
	if q == nil {
		q = &waitQueue{}
		ms.waits[addr] = q
	}
	return q
}

// waitOn sleeps on a semaphore's or mutex's queue in Linux's state
// (TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE or TASK_KILLABLE). An
// interruptible or killable wait returns -EINTR when it was
// interrupted: a signal was waiting, or woke the task instead of
// up()/mutex_unlock (the handler has run by then; the module sees
// -EINTR as it resumes).
func (a *kcall) waitOn(q *waitQueue, state uint32) uint32 {
	interruptible := state != linuxTaskUninterruptible
	if interruptible && a.t != nil && (a.t.signalWaiting() || a.ctx.waited && !a.ctx.woken) {
		return errnoRet(abi.EINTR)
	}
	a.ctx.waited, a.ctx.woken, a.ctx.interruptible = true, false, interruptible
	a.sleep(q, 0, state)
	return 0
}

// moduleSleepState is the state of a task asleep inside a module call
// (the innermost call: a handler that runs during an interruptible
// sleep may make another).
func (k *Kernel) moduleSleepState(t *Task) (uint32, bool) {
	ms := k.table.mods
	if ms == nil {
		return 0, false
	}
	kt := ms.tasks[t]
	if kt == nil || len(kt.ctxs) == 0 {
		return 0, false
	}
	c := kt.ctxs[len(kt.ctxs)-1]
	return c.sleepState, c.sleepState != 0
}

// wakeOne wakes the first sleeper on q.
func (ms *modules) wakeOne(q *waitQueue) {
	for len(q.tasks) > 0 {
		t := q.tasks[0]
		if t.waitingOn == q && t.state == taskSleeping {
			if kt := ms.tasks[t]; kt != nil && len(kt.ctxs) > 0 {
				kt.ctxs[len(kt.ctxs)-1].woken = true
			}
			ms.k.wake(t)
			return
		}
		q.tasks = q.tasks[1:]
	}
}
