package kernel

import "errors"

// A debugger (the browser's emulator worker) runs the machine in slices and
// stops it at a system call or a breakpoint. RunFor bounds the CPU's budget
// instead of checking every instruction, so a slice runs at full speed
// (fused instruction pairs included); the CPU's OnInstruction hook is then
// needed only for address breakpoints.

// errYielded ends Run early for RunFor; it never leaves this package.
var errYielded = errors.New("kernel: run yielded")

// yieldState is RunFor's stopping point, checked by Run between CPU slices.
type yieldState struct {
	active bool   // a RunFor is in progress
	now    bool   // Yield was called: stop before the next instruction
	at     uint64 // stop once the CPU has retired this many instructions
}

// budget caps a CPU slice at the stopping point; 0 means stop now.
func (y *yieldState) budget(retired, budget uint64) uint64 {
	if y.now || retired >= y.at {
		return 0
	}
	return min(budget, y.at-retired)
}

// RunFor runs the machine for at most n more instructions and returns
// before the next one, with every process's state saved as Run would leave
// it between two scheduling decisions; calling it again continues exactly
// where it stopped (the scheduler's slices are unchanged, so a run split
// into RunFor calls behaves as one Run). done reports that every process
// has ended, with res and err as Run returns them.
func (k *Kernel) RunFor(n uint64) (done bool, res Result, err error) {
	if n == 0 {
		return false, Result{}, nil
	}
	k.yield = yieldState{active: true, at: k.CPU.Instructions + n}
	res, err = k.Run()
	k.yield = yieldState{}
	if err == errYielded {
		return false, Result{}, nil
	}
	return true, res, err
}

// Yield makes the current RunFor return before the next instruction. It is
// meant for callbacks that run inside the kernel: a trace sink stopping
// after a system call, or the CPU's OnInstruction hook at a breakpoint
// (which must also return true so the CPU stops at once). Outside RunFor it
// does nothing.
func (k *Kernel) Yield() {
	if k.yield.active {
		k.yield.now = true
	}
}
