package scenario

import "strconv"

// Options change how Run works, never what it reports.
type Options struct {
	// Progress is called as grading moves on: at each step, every
	// ProgressEvery instructions within a step, at each check, and once
	// at the end (Done == Total). It runs on the grader's goroutine,
	// between two slices of the machine.
	Progress func(Progress)
	// ProgressEvery is how many instructions run between two calls
	// within a step; 0 means DefaultProgressEvery.
	ProgressEvery uint64
}

// DefaultProgressEvery spaces progress calls within a long step: about a
// tenth of a second of guest time in a browser.
const DefaultProgressEvery = 20_000_000

// Progress is where a grading run is: Done of Total items (the steps,
// then the checks) are finished and Doing names the one under way.
type Progress struct {
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Doing string `json:"doing,omitempty"`
	// Instructions run so far, the whole machine's.
	Instructions uint64 `json:"instructions"`
}

// progress drives Options.Progress; a nil *progress (no callback) does
// nothing and runs each step in one RunFor.
type progress struct {
	sc    *Scenario
	call  func(Progress)
	every uint64
	now   Progress
}

func newProgress(sc *Scenario, opt Options) *progress {
	if opt.Progress == nil {
		return nil
	}
	every := opt.ProgressEvery
	if every == 0 {
		every = DefaultProgressEvery
	}
	return &progress{sc: sc, call: opt.Progress, every: every,
		now: Progress{Total: len(sc.Steps) + len(sc.Checks)}}
}

// chunk is how many instructions the runner gives the machine at once.
func (p *progress) chunk() uint64 {
	if p == nil {
		return 1 << 50
	}
	return p.every
}

// step says step i starts (the steps before it are done).
func (p *progress) step(i int) {
	if p == nil {
		return
	}
	s := &p.sc.Steps[i]
	what := "wait for every process to end"
	if !s.Wait {
		what = s.argv0()
	}
	if s.ID != "" {
		what += " (" + s.ID + ")"
	}
	p.now.Done = i
	p.now.Doing = "step " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(p.sc.Steps)) + ": " + what
	p.call(p.now)
}

// ran reports the machine's instruction count within a step.
func (p *progress) ran(insns uint64) {
	if p == nil {
		return
	}
	p.now.Instructions = insns
	p.call(p.now)
}

// check says check i (its report id) is being evaluated.
func (p *progress) check(i int, id string) {
	if p == nil {
		return
	}
	p.now.Done = len(p.sc.Steps) + i
	p.now.Doing = "check " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(p.sc.Checks)) + ": " + id
	p.call(p.now)
}

// finish says everything is done, after insns instructions.
func (p *progress) finish(insns uint64) {
	if p == nil {
		return
	}
	p.now.Done, p.now.Doing, p.now.Instructions = p.now.Total, "", insns
	p.call(p.now)
}
