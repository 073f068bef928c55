package session

// Stops inside a kernel module's system call. Resuming a call stopped
// there re-executes the user's int $0x80 (one more instruction), and a
// Step inside one runs the module an instruction at a time, counted
// differently from a plain run; so where a run stopped inside module
// calls, and how it stepped there, shape the run that follows. The
// session logs them with the inputs, and a replay stops and steps at the
// same counts (replayStep) and never elsewhere inside a call: with
// modules loaded its slices run to the next logged count in one go, and
// no shadow is kept.

// ModuleStopper is a Machine that runs kernel modules (wasm/machine).
type ModuleStopper interface {
	HasModules() bool
	// InModuleCall: stopped inside a module's system call.
	InModuleCall() bool
	// ModuleStep: Run(budget) now steps module code.
	ModuleStep(budget uint64) bool
	// RunPlain is Run without module stepping.
	RunPlain(budget uint64) (uint64, error)
}

// pendingStep returns the logged module step due after at instructions.
func (s *Session) pendingStep(at uint64, applied int) (input, bool) {
	if applied < len(s.inputs) {
		if e := s.inputs[applied]; e.step > 0 && e.at == at {
			return e, true
		}
	}
	return input{}, false
}

// beforeLiveRun is called before the live machine runs budget: a run
// that is not the logged module step due here starts a new history.
// It reports whether this run steps module code.
func (s *Session) beforeLiveRun(budget uint64) bool {
	ms, ok := s.m.(ModuleStopper)
	stepping := ok && ms.ModuleStep(budget)
	if e, due := s.pendingStep(s.instructions, s.applied); due && (!stepping || e.step != budget) {
		s.forgetAhead()
	}
	return stepping
}

// afterLiveRun logs a module step Run(budget) made from before, or a
// stop inside a module call.
func (s *Session) afterLiveRun(stepping bool, budget, before uint64) {
	ms, ok := s.m.(ModuleStopper)
	switch {
	case stepping:
		s.logStop(input{at: before, step: budget, to: s.instructions})
	case ok && ms.InModuleCall():
		s.logStop(input{at: s.instructions, suspend: true})
	}
}

// logStop adds e to the log, unless it is what the log has next (running
// forward again after a step back).
func (s *Session) logStop(e input) {
	if s.applied < len(s.inputs) {
		n := s.inputs[s.applied]
		if n.at == e.at && n.suspend == e.suspend && n.step == e.step && n.to == e.to {
			s.applied++
			return
		}
	}
	s.forgetAhead()
	s.inputs = append(s.inputs, e)
	s.applied++
}

// forgetAhead drops the inputs ahead: the run goes another way.
func (s *Session) forgetAhead() {
	if s.applied < len(s.inputs) {
		s.inputs = s.inputs[:s.applied]
		s.holdClock()
		s.forgetSeen(s.instructions)
	}
}
