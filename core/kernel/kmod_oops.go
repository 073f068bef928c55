package kernel

import (
	"fmt"
	"strings"

	"trapdoor/core/cpu"
	"trapdoor/core/memory"
)

// Oopses and the soft-lockup watchdog: what Linux prints when kernel code
// faults or spins, with module symbols, so a student sees where their
// code went wrong. The calling task is killed; the machine goes on.

var vectorNames = map[uint8]string{
	cpu.VecDivide:     "divide error",
	cpu.VecInvalidOp:  "invalid opcode",
	cpu.VecGeneral:    "general protection fault",
	cpu.VecBreakpoint: "int3",
	cpu.VecOverflow:   "overflow",
	cpu.VecBound:      "bounds",
	cpu.VecNoFPU:      "device not available",
	cpu.VecFPUError:   "coprocessor error",
	cpu.VecAlignment:  "alignment check",
}

// oops logs a kernel-mode fault as Linux's die() does.
func (ms *modules) oops(kt *ktask, ctx *kctx, ex cpu.Exit, why string) {
	k, c := ms.k, ms.k.CPU
	ms.flushPrintk()
	ms.oopses++
	lines := []string{}
	add := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	code := ex.ErrorCode
	switch {
	case why != "":
		add("BUG: %s", why)
	case ex.Vector == cpu.VecPageFault:
		if ex.Addr < memory.PageSize {
			add("BUG: unable to handle kernel NULL pointer dereference at %08x", ex.Addr)
		} else {
			add("BUG: unable to handle kernel paging request at %08x", ex.Addr)
		}
		if ex.Addr >= kmodStacks && ex.Addr < kmodStacks+kmodMaxStacks*kmodStackSlot && (ex.Addr-kmodStacks)%kmodStackSlot < memory.PageSize {
			add("kernel stack overflow (guard page hit)")
		}
	default:
		name := vectorNames[ex.Vector]
		if name == "" {
			name = fmt.Sprintf("exception %d", ex.Vector)
		}
		add("%s: %04x [#%d]", name, code, ms.oopses)
	}
	add("IP: %s", ms.symbolize(c.EIP))
	if ex.Vector == cpu.VecPageFault {
		pde := leWord(k.Phys.Page(c.CR3)[(ex.Addr>>22)*4:])
		add("*pde = %08x ", pde)
		add("Oops: %04x [#%d]", code, ms.oopses)
	}
	add("Modules linked in: %s", ms.moduleNames())
	pid, comm := 0, "insmod"
	if kt.t != nil {
		pid, comm = kt.t.Pid, kt.t.Comm
	}
	add("CPU: 0 PID: %d Comm: %s Tainted: G           O    4.15.0-trapdoor #1", pid, comm)
	cr2 := c.CR2
	if ex.Vector == cpu.VecPageFault {
		cr2 = ex.Addr
	}
	ms.dumpRegs(add, cr2)
	ms.backtrace(kt, add)
	add("Code: %s", ms.codeBytes(c.EIP))
	if ex.Vector == cpu.VecPageFault {
		add("CR2: %08x", ex.Addr)
	}
	add("---[ end trace %016x ]---", uint64(ms.oopses)*0x9e3779b97f4a7c15)
	level := LogAlert
	for i, l := range lines {
		if i > 0 {
			level = LogWarning
		}
		k.Log.Printf(level, "%s", l)
	}
}

// softLockup is the watchdog's report for module code that ran too long
// without sleeping or returning.
func (ms *modules) softLockup(kt *ktask, ctx *kctx) {
	k := ms.k
	pid, comm := 0, "insmod"
	if kt.t != nil {
		pid, comm = kt.t.Pid, kt.t.Comm
	}
	var lines []string
	add := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	add("watchdog: BUG: soft lockup - CPU#0 stuck for %d instructions! [%s:%d]", ctx.spun, comm, pid)
	add("Modules linked in: %s", ms.moduleNames())
	add("CPU: 0 PID: %d Comm: %s Tainted: G           O L  4.15.0-trapdoor #1", pid, comm)
	ms.dumpRegs(add, k.CPU.CR2)
	ms.backtrace(kt, add)
	add("Code: %s", ms.codeBytes(k.CPU.EIP))
	add("Killing %s[%d] to end the lockup", comm, pid)
	for i, l := range lines {
		level := LogEmerg
		if i > 0 {
			level = LogWarning
		}
		k.Log.Printf(level, "%s", l)
	}
}

// dumpRegs prints the register block of an i386 oops.
func (ms *modules) dumpRegs(add func(string, ...any), cr2 uint32) {
	c := ms.k.CPU
	r := &c.R
	add("EIP: %s", ms.symbolize(c.EIP))
	add("EFLAGS: %08x CPU: 0", c.EFLAGS())
	add("EAX: %08x EBX: %08x ECX: %08x EDX: %08x", r[cpu.EAX], r[cpu.EBX], r[cpu.ECX], r[cpu.EDX])
	add("ESI: %08x EDI: %08x EBP: %08x ESP: %08x", r[cpu.ESI], r[cpu.EDI], r[cpu.EBP], r[cpu.ESP])
	add(" DS: %04x ES: %04x FS: %04x GS: %04x SS: %04x", c.Seg[cpu.DS], c.Seg[cpu.ES], c.Seg[cpu.FS], c.Seg[cpu.GS], c.Seg[cpu.SS])
	add("CR0: 80050033 CR2: %08x CR3: %08x CR4: 00000690", cr2, c.CR3<<memory.PageShift)
}

// backtrace scans the kernel stack for return addresses into module
// code, as Linux's unreliable "? func+off/size" trace does.
func (ms *modules) backtrace(kt *ktask, add func(string, ...any)) {
	c := ms.k.CPU
	add("Call Trace:")
	sp, top := c.R[cpu.ESP], kt.stackTop
	if sp > top || top-sp > kmodStackSize {
		add(" <stack pointer %08x outside the kernel stack>", sp)
		return
	}
	n := 0
	for a := sp &^ 3; a+4 <= top && n < 16; a += 4 {
		var b [4]byte
		if _, f := c.ReadGuest(a, b[:], false); f != nil {
			break
		}
		w := leWord(b[:])
		if w == retStub() {
			add("  ret_from_module_call")
			n++
		} else if ms.inModuleText(w) {
			add("  ? %s", ms.symbolize(w))
			n++
		}
	}
}

// codeBytes is the "Code:" line: bytes before and after EIP, the
// faulting one in angle brackets.
func (ms *modules) codeBytes(eip uint32) string {
	c := ms.k.CPU
	var parts []string
	for a := eip - 43; a != eip+21; a++ {
		var b [1]byte
		if _, f := c.ReadGuest(a, b[:], false); f != nil {
			if a == eip {
				return "Bad EIP value."
			}
			continue
		}
		if a == eip {
			parts = append(parts, fmt.Sprintf("<%02x>", b[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%02x", b[0]))
		}
	}
	return strings.Join(parts, " ")
}
