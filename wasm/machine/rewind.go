package machine

// Instructions implements session.Counter: the instructions retired so
// far, read from inside a trace callback (where Back syscall goes).
func (m *Machine) Instructions() uint64 { return m.k.Instructions() }

// A stop inside a module's system call changes the run that follows:
// resuming the call re-executes the user's int $0x80, one more
// instruction, and a Step there is stepModule's, which counts
// differently from a plain run. So the session records where such stops
// fell and a replay stops at the same counts and steps the same way
// (session.ModuleStopper).

// HasModules implements session.ModuleStopper: modules are loaded.
func (m *Machine) HasModules() bool { return len(m.k.Modules()) > 0 }

// InModuleCall implements session.ModuleStopper: the task on the CPU is
// stopped inside a module's system call.
func (m *Machine) InModuleCall() bool {
	_, in := m.inModule()
	return in
}

// ModuleStep implements session.ModuleStopper: whether Run(budget) now
// steps module code an instruction at a time (stepModule).
func (m *Machine) ModuleStep(budget uint64) bool {
	_, in := m.inModule()
	return in && budget > 0 && budget <= maxModuleStep
}

// RunPlain implements session.ModuleStopper: Run as kernel.RunFor alone,
// never stepModule, without the breakpoint and real-time bookkeeping (a
// replay has no breakpoints and a held clock).
func (m *Machine) RunPlain(budget uint64) (uint64, error) {
	if m.done || budget == 0 {
		return 0, m.err
	}
	before := m.k.Instructions()
	if done, res, err := m.runFor(budget); done {
		m.done, m.result, m.err = true, res, err
	}
	return m.k.Instructions() - before, m.err
}
