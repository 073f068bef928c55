package kernel

import (
	"fmt"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/kernel/module"
	"trapdoor/core/memory"
)

// Running module code: a task's kernel stack and contexts, the nested CPU
// loop that runs module code at CPL 0, and what stops it (a return, a
// sleep, preemption, an oops, the soft-lockup watchdog).

// ktask is a task's kernel-side state for module code.
type ktask struct {
	t        *Task // nil for the insmod context
	slot     int   // kernel stack slot, -1 when none
	stackTop uint32
	// ctxs are the module calls in progress, innermost last (a signal
	// handler may call into a module while an outer call sleeps).
	ctxs []*kctx
	// preempt counts spinlocks held (preempt_disable).
	preempt int
}

// kctx is one module call in progress.
type kctx struct {
	mod  *loadedModule
	decl module.SyscallDecl
	// regs are the kernel-mode registers while the call is suspended.
	regs             cpu.State
	userEIP, userESP uint32
	// spun counts instructions since the call last slept (the watchdog).
	spun uint64
	// State of an API call retried across a sleep (msleep's deadline, a
	// yield already taken, a fault already slept on).
	deadline    int64
	yielded     bool
	faultSlept  bool
	apiRetrying uint32
	// waited: the call slept on a wait queue; woken: up() or
	// mutex_unlock woke it (otherwise a signal did: -EINTR).
	waited, woken bool
	// interruptible: the call sleeps where a signal may interrupt it
	// (down_interruptible). Otherwise, while it is suspended, the task's
	// catchable signals are held (masked, with the real mask saved), so
	// no handler runs in the middle of a module call, as on Linux where
	// signals act only on the way back to user mode.
	interruptible bool
	// sleepState is the task->state Linux sleeps in where the call
	// sleeps (down: TASK_UNINTERRUPTIBLE, down_interruptible:
	// TASK_INTERRUPTIBLE, msleep: schedule_timeout_uninterruptible's).
	sleepState uint32
	masked     bool
	savedMask  uint64
	// paused: a debugger stopped the CPU in this call.
	paused bool
}

// outcome is how a stretch of module code ended.
type outcome uint8

const (
	outReturn  outcome = iota // the function returned; EAX holds its result
	outSuspend                // it sleeps or was preempted; resume later
	outKilled                 // an oops or the watchdog killed the task
	outPaused                 // a debugger stopped the CPU; resume at once
)

// task returns t's kernel state, with a kernel stack.
func (ms *modules) task(t *Task) (*ktask, error) {
	if kt := ms.tasks[t]; kt != nil {
		return kt, nil
	}
	ms.sweep()
	kt := &ktask{t: t, slot: -1}
	if err := ms.allocStack(kt); err != nil {
		return nil, err
	}
	ms.tasks[t] = kt
	return kt, nil
}

// sweep frees the kernel state of tasks that have exited.
func (ms *modules) sweep() {
	for t, kt := range ms.tasks {
		if !t.alive() {
			ms.release(kt)
		}
	}
	for addr, t := range ms.shadows {
		if ms.k.Tasks[t.Pid] != t {
			ms.freeShadow(t, addr)
		}
	}
}

// release frees a task's kernel stack and forgets its contexts.
func (ms *modules) release(kt *ktask) {
	if kt.slot >= 0 {
		ms.unmapRange(kmodStacks+uint32(kt.slot)*kmodStackSlot+memory.PageSize, kmodStackSize)
		ms.stacks[kt.slot] = false
		kt.slot = -1
	}
	kt.ctxs = nil
	if kt.t != nil {
		delete(ms.tasks, kt.t)
	}
}

// allocStack gives kt an 8 KiB kernel stack with an unmapped guard page
// below it (an overflow oopses instead of corrupting a neighbour).
func (ms *modules) allocStack(kt *ktask) error {
	slot := -1
	for i, used := range ms.stacks {
		if !used {
			slot = i
			break
		}
	}
	if slot < 0 {
		if len(ms.stacks) >= kmodMaxStacks {
			return fmt.Errorf("no kernel stack left")
		}
		ms.stacks = append(ms.stacks, false)
		slot = len(ms.stacks) - 1
	}
	base := kmodStacks + uint32(slot)*kmodStackSlot + memory.PageSize
	for off := uint32(0); off < kmodStackSize; off += memory.PageSize {
		pfn, err := ms.k.Phys.Alloc()
		if err != nil {
			ms.unmapRange(base, off)
			return err
		}
		if err := ms.k.Phys.Map(ms.dir, base+off, pfn, memory.PTEWrite); err != nil {
			ms.k.Phys.Unref(pfn)
			ms.unmapRange(base, off)
			return err
		}
	}
	ms.stacks[slot] = true
	kt.slot, kt.stackTop = slot, base+kmodStackSize
	return nil
}

// kernelEntry is the register state module code starts with: the
// caller's, at CPL 0 with the kernel's flat segments, interrupts on.
func kernelEntry(from *cpu.State, eip, esp uint32) cpu.State {
	s := *from
	s.CPL = 0
	s.Seg = [6]uint16{cpu.SelKernelDS, cpu.SelKernelCS, cpu.SelKernelDS, cpu.SelKernelDS, 0, 0}
	s.SegBas = [6]uint32{}
	s.EIP = eip
	s.R[cpu.ESP] = esp
	s.R[cpu.EBP] = 0
	s.SetEFLAGS(0x202) // IF
	return s
}

// pushWords writes words on a kernel stack below sp, first word lowest,
// and returns the new stack pointer.
func (ms *modules) pushWords(sp uint32, words []uint32) (uint32, error) {
	sp -= uint32(4 * len(words))
	b := make([]byte, 4*len(words))
	for i, w := range words {
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	for i := 0; i < len(b); {
		pfn, _, f := ms.k.Phys.Walk(ms.dir, sp+uint32(i), memory.AccessWrite)
		if f != nil {
			return 0, fmt.Errorf("kernel stack overflow at %#x", sp+uint32(i))
		}
		off := (sp + uint32(i)) & memory.PageMask
		i += copy(ms.k.Phys.WritablePage(pfn)[off:], b[i:])
	}
	return sp, nil
}

// syscall runs (or resumes) a module's syscall for t.
func (ms *modules) syscall(t *Task, m *loadedModule, d module.SyscallDecl, a *Args) (uint32, abi.Errno) {
	k, c := ms.k, ms.k.CPU
	kt, err := ms.task(t)
	if err != nil {
		k.Log.Printf(LogErr, "%s: %s[%d]: %v", m.Name, t.Comm, t.Pid, err)
		return 0, abi.ENOMEM
	}
	user := c.State
	var ctx *kctx
	if n := len(kt.ctxs); n > 0 {
		top := kt.ctxs[n-1]
		if top.decl.Nr == d.Nr && top.userEIP == user.EIP && top.userESP == user.R[cpu.ESP] {
			ctx = top // resuming after a sleep or preemption
		}
	}
	if ctx == nil {
		sp := kt.stackTop - 16
		if n := len(kt.ctxs); n > 0 {
			sp = (kt.ctxs[n-1].regs.R[cpu.ESP] - 256) &^ 15
		}
		words := []uint32{retStub()}
		words = append(words, a[:d.NArgs]...)
		sp, err := ms.pushWords(sp, words)
		if err != nil {
			k.Log.Printf(LogErr, "%s: %s[%d]: %v", m.Name, t.Comm, t.Pid, err)
			return 0, abi.ENOMEM
		}
		ctx = &kctx{mod: m, decl: d, userEIP: user.EIP, userESP: user.R[cpu.ESP]}
		ctx.regs = kernelEntry(&user, d.Fn, sp)
		kt.ctxs = append(kt.ctxs, ctx)
		ms.stats.Calls++
	}
	if ctx.masked {
		t.sig.blocked, ctx.masked = ctx.savedMask, false
	}
	if ctx.paused {
		// Back from a debugger pause: drop the run-queue entries that
		// kept this task next (it is running now).
		ctx.paused = false
		q := k.runq[:0]
		for _, x := range k.runq {
			if x != t {
				q = append(q, x)
			}
		}
		clear(k.runq[len(q):])
		k.runq = q
	}
	regs := ctx.regs
	regs.CR3 = user.CR3
	c.LoadState(&regs)
	ms.syncKernelHalf()
	out := ms.run(kt, ctx)
	ret := c.R[cpu.EAX]
	if out == outPaused {
		// The task goes on at once when the debugger continues: first
		// in the run queue, so no other task runs in between (module
		// code may be inside a spinlock or have interrupts off).
		ctx.paused = true
		k.runq = append([]*Task{t}, k.runq...)
		out = outSuspend
	}
	if out == outSuspend {
		ctx.regs = c.State
	}
	c.LoadState(&user)
	ms.syncBack()
	ms.flushPrintk()
	switch out {
	case outSuspend:
		if !ctx.interruptible {
			ctx.savedMask, ctx.masked = t.sig.blocked, true
			t.sig.blocked |= ^uint64(unblockable)
		}
		return 0, errRestartNoIntr
	case outKilled:
		kt.ctxs = kt.ctxs[:len(kt.ctxs)-1]
		kt.preempt = 0
		k.kill(t, abi.SIGSEGV, nil)
		ms.release(kt)
		return 0, errRestartNoIntr
	}
	kt.ctxs = kt.ctxs[:len(kt.ctxs)-1]
	if kt.preempt != 0 {
		k.Log.Printf(LogErr, "BUG: %s returned to user space with %d spinlock(s) held [%s:%d]", d.Name, kt.preempt, t.Comm, t.Pid)
		kt.preempt = 0
	}
	r := int32(ret)
	if r < 0 && r >= -4095 {
		e := abi.Errno(-r)
		if e >= errRestartSys && e <= errRestartNoHand {
			e = abi.EINTR // a restart code with no signal to act on
		}
		return 0, e
	}
	return ret, 0
}

// runInsmod runs init_module or cleanup_module at load or unload time: on
// a kernel stack of its own, in the kernel's address space, as pid 0.
// Such code may not sleep.
func (ms *modules) runInsmod(m *loadedModule, fn uint32) (uint32, error) {
	c := ms.k.CPU
	if ms.insmod == nil {
		kt := &ktask{slot: -1}
		if err := ms.allocStack(kt); err != nil {
			return 0, err
		}
		ms.insmod = kt
	}
	kt := ms.insmod
	saved, hook := c.State, c.OnInstruction
	c.OnInstruction = nil // a debugger does not stop module loading
	defer func() {
		c.LoadState(&saved)
		c.OnInstruction = hook
	}()
	sp, err := ms.pushWords(kt.stackTop-16, []uint32{retStub()})
	if err != nil {
		return 0, err
	}
	ctx := &kctx{mod: m, decl: module.SyscallDecl{Name: "insmod", Fn: fn}}
	regs := kernelEntry(&saved, fn, sp)
	regs.CR3 = ms.dir
	c.LoadState(&regs)
	kt.ctxs = []*kctx{ctx}
	out := ms.run(kt, ctx)
	ms.flushPrintk()
	kt.ctxs, kt.preempt = nil, 0
	switch out {
	case outReturn:
		return c.R[cpu.EAX], nil
	case outSuspend:
		return 0, fmt.Errorf("tried to sleep, which module init and exit code may not do here")
	}
	return 0, fmt.Errorf("oops (see the kernel log)")
}

// preemptible: no spinlock held and interrupts enabled.
func (ms *modules) preemptible(kt *ktask) bool {
	return kt.preempt == 0 && ms.k.CPU.EFLAGS()&(1<<9) != 0
}

// kmodChunk bounds one CPU run inside module code.
const kmodChunk = 1 << 20

// run executes module code until it returns, must wait, or dies.
func (ms *modules) run(kt *ktask, ctx *kctx) outcome {
	k, c := ms.k, ms.k.CPU
	for {
		if c.CPL != 0 {
			ms.oops(kt, ctx, cpu.Exit{Reason: cpu.ExitFault, Vector: cpu.VecGeneral}, "module code left kernel mode")
			return outKilled
		}
		budget := uint64(kmodChunk)
		if kt.t != nil {
			if k.sliceLeft == 0 && ms.preemptible(kt) {
				ms.stats.Preempted++
				return outSuspend // preempted at an instruction boundary
			}
			if k.sliceLeft > 0 {
				budget = min(budget, k.sliceLeft)
			}
			if max := k.cfg.MaxInstructions; max > 0 {
				if c.Instructions >= max {
					return outSuspend // Run kills every process next
				}
				budget = min(budget, max-c.Instructions)
			}
			if k.yield.active {
				if b := k.yield.budget(c.Instructions, budget); b == 0 {
					if ms.preemptible(kt) {
						return outSuspend
					}
				} else {
					budget = b
				}
			}
		}
		if ctx.spun >= ms.lockup {
			ms.stats.Lockups++
			ms.softLockup(kt, ctx)
			return outKilled
		}
		budget = min(budget, ms.lockup-ctx.spun)
		before := c.Instructions
		ex := c.Run(budget)
		used := c.Instructions - before
		ctx.spun += used
		if kt.t != nil {
			k.sliceLeft -= min(used, k.sliceLeft)
		}
		switch ex.Reason {
		case cpu.ExitBudget:
			if used < budget {
				// A debugger's instruction hook stopped the CPU: pause
				// here (the call resumes where it stopped) rather than
				// ask again forever.
				return outPaused
			}
		case cpu.ExitInterrupt:
			if ex.Vector != cpu.VecKernelEntry || c.CPL != 0 {
				ms.oops(kt, ctx, ex, fmt.Sprintf("unexpected int %#x in kernel mode", ex.Vector))
				return outKilled
			}
			at := c.EIP - 2
			if at == retStub() {
				return outReturn
			}
			off := at - kmodStubs
			if at < kmodStubs || off%kmodStubSlot != 0 || off/kmodStubSlot >= uint32(len(kapi)) {
				c.EIP = at
				ms.oops(kt, ctx, ex, "int 0x81 outside the kernel API stubs")
				return outKilled
			}
			switch ms.callAPI(kt, ctx, int(off/kmodStubSlot)) {
			case outSuspend:
				return outSuspend
			case outKilled:
				return outKilled
			}
		case cpu.ExitFault:
			if ex.Vector == cpu.VecPageFault {
				if handled, sleep := ms.kernelFault(kt, ctx, ex); handled {
					if sleep {
						return outSuspend
					}
					continue
				}
			}
			ms.oops(kt, ctx, ex, "")
			return outKilled
		case cpu.ExitHalt:
			ms.oops(kt, ctx, ex, "hlt in module code")
			return outKilled
		case cpu.ExitInternal:
			k.Log.Printf(LogCrit, "emulator internal error in module code: %v", ex.Err)
			return outKilled
		}
	}
}

// kernelFault handles a page fault taken by module code: a user page the
// caller's address space can supply (demand paging, copy-on-write), or a
// kernel PDE not yet copied into this directory. With fault sleeps on, a
// not-present user page also lets other tasks run, as a swap-in would.
func (ms *modules) kernelFault(kt *ktask, ctx *kctx, ex cpu.Exit) (handled, sleep bool) {
	c := ms.k.CPU
	if ex.Addr >= mm.TaskSize {
		if ms.syncDir(c.CR3) {
			c.FlushTLB()
			return true, false
		}
		return false, false
	}
	if kt.t == nil || kt.t.MM == nil {
		return false, false
	}
	if err := kt.t.MM.Fault(ex.Addr, ex.ErrorCode); err != nil {
		return false, false
	}
	c.InvalidatePage(ex.Addr)
	if ms.faultSleeps && ex.ErrorCode&memory.FaultProtection == 0 {
		ms.stats.Yielded++
		return true, true
	}
	return true, false
}
