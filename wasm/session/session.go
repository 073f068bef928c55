// Package session is the emulator worker's logic without the JavaScript:
// it turns page requests into machine actions, runs the machine in short
// slices and batches what happened into one event per slice. The worker's
// main (package wasm/worker) only moves strings between postMessage and a
// Session, and returns to the JS event loop between slices so that pause and
// step requests arrive while a program runs. Pure Go: tested natively.
package session

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"trapdoor/wasm/disasm"
	"trapdoor/wasm/protocol"
)

// Machine is what the worker needs from the emulator core: one loaded
// program on one kernel.
type Machine interface {
	// Run executes at most budget instructions and returns how many ran.
	// It returns early when the program exits.
	Run(budget uint64) (ran uint64, err error)
	// Exited reports the exit status (128+N when killed by signal N) and a
	// description, once the program has ended.
	Exited() (status int, reason string, done bool)
	// EIP is the address of the next instruction.
	EIP() uint32
}

// Program is a program to start, with where its output goes.
type Program struct {
	Name  string
	ELF   []byte
	Args  []string // argv, argv[0] first
	Env   []string
	Stdin []byte
	// Output receives bytes the guest writes to a file descriptor.
	Output func(fd int, b []byte)
	// Trace receives one strace-style line per event.
	Trace func(protocol.TraceLine)
	// Log receives the kernel's messages (dmesg lines).
	Log func(line string)
	// Files are installed before the program starts, Cwd is its working
	// directory ("" is /), and Profile, Msgbox and Seed the machine's
	// settings (protocol.Request's).
	Files   []File
	Cwd     string
	Profile string
	Msgbox  string
	Seed    uint64
}

// File is a file of the guest's file system.
type File struct {
	Path string
	Data []byte
}

// Stopper is a Machine that can be told, from inside its own Output or
// Trace callback, to stop before its next instruction (for NextSyscall).
type Stopper interface {
	StopSoon()
}

// Interactive is a Machine whose program reads a terminal the user types
// into (when Program.Stdin is empty).
type Interactive interface {
	// WaitingForInput reports that the program is blocked reading its
	// terminal with nothing typed.
	WaitingForInput() bool
	// Input queues typed bytes, then an end of file if eof.
	Input(b []byte, eof bool)
}

// RegisterReader is a Machine that shows its CPU registers.
type RegisterReader interface {
	Registers() protocol.Regs
}

// CodeReader is a Machine whose code can be read for the disassembly view.
type CodeReader interface {
	// ReadCode returns up to n bytes of the program's memory at addr,
	// fewer where it is not mapped.
	ReadCode(addr uint32, n int) []byte
}

// codeLines is how many instructions the code view shows from EIP on,
// stackWords how many words the stack view shows from ESP up.
const (
	codeLines  = 14
	stackWords = 16
)

// Inspector is a Machine that shows its kernel's state: the process table,
// the address space, signal state and page-table entries of process pid
// (0: the one running) and of its mapping that starts at vma (0: none).
type Inspector interface {
	Inspect(pid int, vma uint32) protocol.KernelState
}

// Detailer is a Machine that keeps the latest system calls' details.
type Detailer interface {
	Detail(seq int) protocol.TraceDetail
}

// kernelEvery spaces the kernel snapshots while a program runs: the
// panels follow it live, and a snapshot of a thousand processes stays a
// small part of the time.
const kernelEvery = 400 * time.Millisecond

// Breaker is a Machine that stops before the instructions at breakpoints.
type Breaker interface {
	SetBreakpoints(addrs []uint32)
	// BreakpointHit reports, once, that the last Run stopped at one.
	BreakpointHit() (addr uint32, hit bool)
}

// Starter builds a machine running p.
type Starter func(p Program) (Machine, error)

// Fetcher returns the bytes at url (relative to the worker script).
type Fetcher func(url string) ([]byte, error)

const (
	// sliceTarget is how long one slice runs before the worker returns to
	// its event loop: short enough that pause feels instant, long enough
	// that the yield (~0.2 ms) costs little.
	sliceTarget = 20 * time.Millisecond
	// maxTracePerEvent bounds one event so a syscall storm cannot flood the
	// page; the rest is counted in Event.Dropped.
	maxTracePerEvent = 2000
	// maxOutputPerEvent bounds the console bytes in one event likewise;
	// the rest is counted in Event.OutputDropped. The worker flushes long
	// before (FlushOutput), so only a flood within one slice is cut.
	maxOutputPerEvent = 1 << 20
	// FlushOutput and FlushTrace: a batch this big is posted at once
	// rather than at the next interval.
	FlushOutput = 64 << 10
	FlushTrace  = 500
)

// Session is one worker's state. It is not safe for concurrent use: the
// worker drives it from one goroutine.
type Session struct {
	start Starter
	fetch Fetcher
	note  string
	now   func() time.Time

	m    Machine
	syms *disasm.Symbols

	breaks    []string        // as the user gave them
	addrs     []uint32        // their addresses
	sysBreaks map[string]bool // system call names to stop after
	stopWhy   string          // why the program last paused by itself
	sysHit    string          // a syscall breakpoint seen in this slice
	overTo    uint32          // StepOver: the return address it runs to
	overESP   uint32          // and the stack pointer at the call
	name      string
	gen       int // the Load request's Gen (protocol.Request.Gen)
	// fetched keeps the files a load installs (the shell's /bin) by
	// URL: a restart does not fetch them again.
	fetched map[string][]byte
	// What the kernel panels show (protocol.Inspect), when they were
	// last sent, and whether the next event must carry them.
	inspectPid int
	inspectVMA uint32
	kernelAt   time.Time
	kernelNow  bool
	detail     *protocol.TraceDetail // the answer to a Detail request
	state      string

	out          []chunk
	outBytes     int
	outDropped   int
	trace        []protocol.TraceLine
	log          []string
	dropped      int
	instructions uint64
	stepLeft     uint64
	toSyscall    bool // NextSyscall: pause once a trace line arrives
	traced       bool // a trace line arrived during this slice
	budget       uint64
	busyUntil    time.Time
	err          string

	// rate: instructions and wall time over the current run stretch.
	rateInsns uint64
	rateTime  time.Duration

	// Stepping back (rewind.go): the Program the machine was started
	// from, the inputs given to it (applied: how many the machine has
	// had), the panels' history, and a step back in progress.
	prog      *Program
	inputs    []input
	applied   int
	hist      history
	replaying bool
	replayTo  uint64
	rewound   bool // the next event carries the history (Event.Rewind)
	applying  bool // giving the machine a logged input
	held      bool // the machine's clock is held from real time
	// live is the machine whose callbacks reach the page; shadow a
	// second one replayed in the background (shadow.go).
	live        *replica
	shadow      *replica
	shadowStuck bool   // a shadow did not get where it should: none more
	replayFrom  uint64 // where the step back's machine started
	seen        map[uint64]protocol.Regs
}

// New returns a session. A nil start means this build cannot run programs
// yet; note says why and is shown on the page.
func New(start Starter, fetch Fetcher, note string) *Session {
	return &Session{start: start, fetch: fetch, note: note, now: time.Now,
		state: protocol.StateIdle, budget: 100_000}
}

// Hello is the first message the worker posts.
func (s *Session) Hello() protocol.Event {
	return protocol.Event{Type: protocol.Ready, Version: protocol.Version,
		CanRun: s.start != nil, Note: s.note, State: s.state}
}

// stack reads the words from esp up, naming those that point into a
// symbol: among them the return addresses a backtrace is made of.
func (s *Session) stack(cr CodeReader, esp uint32) []protocol.StackWord {
	b := cr.ReadCode(esp, stackWords*4)
	var words []protocol.StackWord
	for i := 0; i+4 <= len(b); i += 4 {
		v := uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
		w := protocol.StackWord{Addr: esp + uint32(i), Value: v}
		if name, _ := s.syms.Lookup(v); name != "" {
			w.Where = s.syms.Where(v)
		}
		words = append(words, w)
	}
	return words
}

// stopped reports whether the program is stopped at an instruction (not
// running, not ended): when the code view means something.
func (s *Session) stopped() bool {
	switch s.state {
	case protocol.StateLoaded, protocol.StatePaused, protocol.StateInput:
		return true
	}
	return false
}

// Active reports whether the session wants slices (a program runs, steps or
// the worker is spinning for a responsiveness measurement).
func (s *Session) Active() bool {
	return s.state == protocol.StateRunning || !s.busyUntil.IsZero()
}

// Handle applies one request and returns the event to post (Type is empty
// when there is nothing to say).
func (s *Session) Handle(r protocol.Request) protocol.Event {
	if r.Type != protocol.Busy {
		s.busyUntil = time.Time{} // real work ends a responsiveness check
	}
	switch r.Type {
	case protocol.Run, protocol.Step, protocol.NextSyscall, protocol.Pause, protocol.StepOver,
		protocol.Input, protocol.StepBack, protocol.BackSyscall:
		if s.replaying {
			s.endReplay("") // a step back stops where it has got to
		}
	}
	switch r.Type {
	case protocol.Run, protocol.Step, protocol.NextSyscall, protocol.Pause, protocol.Load, protocol.StepOver,
		protocol.StepBack, protocol.BackSyscall:
		s.endStepOver() // a new command replaces an unfinished step over
	}
	switch r.Type {
	case protocol.Load:
		s.load(r)
	case protocol.Run:
		if s.runnable() {
			s.state = protocol.StateRunning
			s.stepLeft, s.toSyscall = 0, false
		}
	case protocol.Step:
		if s.runnable() {
			n := r.Count
			if n <= 0 {
				n = 1
			}
			s.state = protocol.StateRunning
			s.stepLeft, s.toSyscall = uint64(n), false
		}
	case protocol.NextSyscall:
		if s.runnable() {
			if _, ok := s.m.(Stopper); !ok {
				s.err = "this machine cannot stop at system calls"
				break
			}
			s.state = protocol.StateRunning
			s.stepLeft, s.toSyscall = 0, true
		}
	case protocol.Input:
		in, ok := s.m.(Interactive)
		if !ok || s.state == protocol.StateExited || s.state == protocol.StateFailed {
			s.err = "no running program reads the terminal"
			break
		}
		s.record([]byte(r.Text), r.EOF)
		in.Input([]byte(r.Text), r.EOF)
		if s.state == protocol.StateInput {
			s.state = protocol.StateRunning
		}
	case protocol.StepOver:
		if !s.runnable() {
			break
		}
		cr, okc := s.m.(CodeReader)
		br, okb := s.m.(Breaker)
		rr, okr := s.m.(RegisterReader)
		eip := s.m.EIP()
		n := 0
		if okc && okb && okr {
			n = disasm.CallLen(cr.ReadCode(eip, 16))
		}
		s.state, s.toSyscall = protocol.StateRunning, false
		if n == 0 {
			s.stepLeft = 1 // not a call: an ordinary step
			break
		}
		s.stepLeft = 0
		s.overTo, s.overESP = eip+uint32(n), rr.Registers().GPR[4]
		s.applyBreaks()
		br.SetBreakpoints(append(s.addrs, s.overTo))
	case protocol.Breakpoints:
		s.breaks = r.Breaks
		if !s.replaying { // a step back runs without them
			s.applyBreaks()
		}
	case protocol.StepBack:
		n := r.Count
		if n <= 0 {
			n = 1
		}
		s.stepBack(uint64(n))
	case protocol.BackSyscall:
		s.backSyscall()
	case protocol.Pause:
		if s.state == protocol.StateRunning || s.state == protocol.StateInput {
			s.state = protocol.StatePaused
		}
		s.toSyscall = false
		s.busyUntil = time.Time{}
	case protocol.Busy:
		s.busyUntil = s.now().Add(time.Duration(r.Millis) * time.Millisecond)
	case protocol.Inspect:
		s.inspectPid, s.inspectVMA, s.kernelNow = r.Pid, r.VMA, true
	case protocol.Detail:
		if d, ok := s.m.(Detailer); ok {
			dt := d.Detail(r.Seq)
			if dt.Int80 != 0 && s.isLoadedProgram(dt.Comm) { // another program's code is not in these symbols
				dt.Where = s.syms.Where(dt.Int80)
			}
			s.detail = &dt
		} else {
			s.err = "no program is loaded"
		}
	default:
		s.err = fmt.Sprintf("unknown request %q", r.Type)
	}
	return s.event()
}

func (s *Session) runnable() bool {
	if s.state == protocol.StateFailed && s.m == nil {
		return false // the load failed and has said why
	}
	if s.m == nil {
		s.err = "no program is loaded"
		return false
	}
	if s.state == protocol.StateExited || s.state == protocol.StateFailed {
		s.err = "the program has ended: load it again to restart it"
		return false
	}
	return true
}

func (s *Session) load(r protocol.Request) {
	closeMachine(s.m) // lets a machine's parked goroutine end
	s.m, s.name, s.gen, s.instructions, s.stepLeft, s.toSyscall = nil, r.Name, r.Gen, 0, 0, false
	s.stopWhy = ""
	s.prog, s.inputs, s.applied, s.hist, s.replaying, s.rewound = nil, nil, 0, history{}, false, false
	closeMachine(s.shadow.machine())
	s.shadow, s.live, s.held, s.shadowStuck, s.seen = nil, nil, false, false, nil
	s.inspectPid, s.inspectVMA, s.kernelNow = 0, 0, true
	// Nothing of the previous program goes out with the new one.
	s.out, s.outBytes, s.outDropped, s.trace, s.dropped, s.log = nil, 0, 0, nil, 0, nil
	s.rateInsns, s.rateTime = 0, 0
	if s.start == nil {
		s.fail(errors.New(s.note))
		return
	}
	elf := r.Data
	if elf == nil {
		if r.URL == "" {
			s.fail(errors.New("load request with neither data nor a URL"))
			return
		}
		b, err := s.fetch(r.URL)
		if err != nil {
			s.fail(fmt.Errorf("fetching %s: %v", r.URL, err))
			return
		}
		elf = b
	}
	files, err := s.fetchFiles(r.Files)
	if err != nil {
		s.fail(err)
		return
	}
	args := r.Args
	if len(args) == 0 {
		args = []string{r.Name}
	}
	p := Program{Name: r.Name, ELF: elf, Args: args, Env: r.Env, Stdin: []byte(r.Stdin),
		Files: files, Cwd: r.Cwd, Profile: r.Profile, Msgbox: r.Msgbox, Seed: r.Seed}
	live, err := s.startReplica(p, true) // its output goes to s.output (shadow.go)
	if err != nil {
		s.fail(err)
		return
	}
	s.m, s.prog = live.m, &p
	s.syms = disasm.NewSymbols(elf)
	s.applyBreaks()
	s.state = protocol.StateLoaded
}

// fetchFiles fetches the files a load installs, each URL once per
// worker (the service worker caches them across visits).
func (s *Session) fetchFiles(want []protocol.File) ([]File, error) {
	var files []File
	for _, f := range want {
		if f.Data != nil {
			files = append(files, File{Path: f.Path, Data: f.Data})
			continue
		}
		b, err := s.fetchOnce(f.URL)
		if err != nil {
			return nil, fmt.Errorf("fetching %s for %s: %v", f.URL, f.Path, err)
		}
		files = append(files, File{Path: f.Path, Data: b})
	}
	return files, nil
}

func (s *Session) fetchOnce(url string) ([]byte, error) {
	if b, ok := s.fetched[url]; ok {
		return b, nil
	}
	b, err := s.fetch(url)
	if err != nil {
		return nil, err
	}
	if s.fetched == nil {
		s.fetched = map[string][]byte{}
	}
	s.fetched[url] = b
	return b, nil
}

func (s *Session) fail(err error) {
	s.state = protocol.StateFailed
	s.err = err.Error()
}

// chunk is output being batched: appended to in place, not as a string.
type chunk struct {
	fd int
	b  []byte
}

func (s *Session) output(fd int, b []byte) {
	if s.hist.addOutput(fd, b); s.replaying {
		return // a step back sends the history instead
	}
	if n := maxOutputPerEvent - s.outBytes; len(b) > n {
		s.outDropped += len(b) - n
		b = b[:n]
	}
	if len(b) == 0 {
		return
	}
	s.outBytes += len(b)
	if k := len(s.out) - 1; k >= 0 && s.out[k].fd == fd {
		s.out[k].b = append(s.out[k].b, b...)
		return
	}
	s.out = append(s.out, chunk{fd, append([]byte(nil), b...)})
}

func (s *Session) logLine(l string) {
	if s.hist.addLog(l); s.replaying {
		return
	}
	if len(s.log) < maxTracePerEvent {
		s.log = append(s.log, l)
	}
}

// Pending reports the size of the batch not yet posted.
func (s *Session) Pending() (outBytes, traceLines int) { return s.outBytes, len(s.trace) }

// endStepOver drops the temporary breakpoint of a step over.
func (s *Session) endStepOver() {
	if s.overTo == 0 {
		return
	}
	s.overTo = 0
	if br, ok := s.m.(Breaker); ok {
		br.SetBreakpoints(s.addrs)
	}
}

// applyBreaks resolves the user's breakpoints against the loaded program:
// "write()" is a system call (libc has a function write too), a number an
// address, anything else a symbol of the program.
func (s *Session) applyBreaks() {
	s.sysBreaks = map[string]bool{}
	var addrs []uint32
	var bad []string
	for _, b := range s.breaks {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if name, ok := strings.CutSuffix(b, "()"); ok {
			s.sysBreaks[name] = true
		} else if v, err := strconv.ParseUint(b, 0, 32); err == nil {
			addrs = append(addrs, uint32(v))
		} else if a, ok := s.syms.Addr(b); ok {
			addrs = append(addrs, a)
		} else {
			bad = append(bad, b)
		}
	}
	if len(bad) > 0 && s.m != nil {
		s.err = fmt.Sprintf("no symbol %s in this program (a system call is written like write())", strings.Join(bad, ", "))
	}
	s.addrs = addrs
	if br, ok := s.m.(Breaker); ok {
		br.SetBreakpoints(addrs)
	}
}

func (s *Session) traceLine(line protocol.TraceLine) {
	at := s.instructions
	if c, ok := s.m.(Counter); ok {
		at = c.Instructions()
	}
	if s.hist.addTrace(line, at); s.replaying {
		return // no breakpoints while stepping back
	}
	if line.Name != "" && s.sysBreaks[line.Name] && s.sysHit == "" {
		s.sysHit = line.Name
		if st, ok := s.m.(Stopper); ok {
			st.StopSoon()
		}
	}
	if s.toSyscall && !s.traced {
		s.traced = true
		if st, ok := s.m.(Stopper); ok {
			st.StopSoon()
		}
	}
	if len(s.trace) >= maxTracePerEvent {
		s.dropped++
		return
	}
	s.trace = append(s.trace, line)
}

// Slice does one slice of work and returns the event describing it.
func (s *Session) Slice() protocol.Event {
	s.Work()
	return s.Flush()
}

// Work does about sliceTarget of work, adding to the pending batch.
func (s *Session) Work() {
	if !s.busyUntil.IsZero() {
		s.spin()
		return
	}
	if s.state != protocol.StateRunning || s.m == nil {
		return
	}
	if s.replaying {
		s.replay()
		return
	}
	s.applyDue() // after a step back: the inputs ahead come again
	budget := s.budget
	if s.stepLeft > 0 && s.stepLeft < budget {
		budget = s.stepLeft
	}
	budget = s.untilInput(budget)
	t0 := s.now()
	s.traced, s.sysHit, s.stopWhy = false, "", ""
	stepping, before := s.beforeLiveRun(budget), s.instructions // modstop.go
	ran, err := s.m.Run(budget)
	dt := s.now().Sub(t0)
	s.instructions += ran
	s.afterLiveRun(stepping, budget, before)
	s.rateInsns += ran
	s.rateTime += dt
	if s.rateTime > 2*time.Second {
		// Weigh the last seconds: the speed now, not since the start
		// (the browser compiles the emulator's hot code as it warms up).
		s.rateInsns, s.rateTime = s.rateInsns/2, s.rateTime/2
	}
	if br, ok := s.m.(Breaker); ok {
		if at, hit := br.BreakpointHit(); hit {
			if s.overTo != 0 && at == s.overTo && !slices.Contains(s.addrs, at) {
				// The stepped-over call returned here, unless this is a
				// deeper (recursive) frame returning: its stack is lower.
				if rr, ok := s.m.(RegisterReader); ok && rr.Registers().GPR[4] >= s.overESP {
					s.overTo = 0
					br.SetBreakpoints(s.addrs)
					s.state = protocol.StatePaused
				}
			} else {
				s.endStepOver()
				s.stepLeft, s.toSyscall = 0, false
				s.state = protocol.StatePaused
				s.stopWhy = "breakpoint at " + or(s.syms.Where(at), fmt.Sprintf("%#x", at))
			}
		}
	}
	if s.sysHit != "" {
		s.endStepOver()
		s.stepLeft, s.toSyscall = 0, false
		s.state = protocol.StatePaused
		s.stopWhy = "breakpoint on " + s.sysHit
	}
	if s.stopWhy != "" || s.state == protocol.StatePaused {
		// stopped by a breakpoint above, or at the end of a step over
	} else if s.toSyscall && s.traced {
		s.toSyscall = false
		s.state = protocol.StatePaused
	} else if s.stepLeft > 0 {
		s.stepLeft -= min(ran, s.stepLeft)
		if s.stepLeft == 0 {
			s.state = protocol.StatePaused
		}
	} else {
		s.adapt(ran, dt)
	}
	given := s.applyDue()
	if err != nil {
		s.fail(err)
	} else if _, _, done := s.m.Exited(); done {
		s.state = protocol.StateExited
	} else if in, ok := s.m.(Interactive); ok && !given && in.WaitingForInput() {
		s.state = protocol.StateInput
	}
}

// Flush returns the event describing everything since the last one.
func (s *Session) Flush() protocol.Event { return s.event() }

// adapt scales the instruction budget so a slice lasts about sliceTarget.
func (s *Session) adapt(ran uint64, dt time.Duration) {
	if ran < s.budget || dt <= 0 {
		return // exited or stopped early: the timing says nothing
	}
	next := uint64(float64(s.budget) * float64(sliceTarget) / float64(dt))
	next = max(min(next, s.budget*4, 50_000_000), 1000)
	s.budget = next
}

// spin burns CPU like a running program for the Busy request.
func (s *Session) spin() {
	end := s.now().Add(sliceTarget)
	if end.After(s.busyUntil) {
		end = s.busyUntil
	}
	x := uint32(1)
	for s.now().Before(end) {
		for i := 0; i < 10000; i++ {
			x = x*1664525 + 1013904223
		}
	}
	spinSink = x // keeps the loop from being optimised away
	if !s.now().Before(s.busyUntil) {
		s.busyUntil = time.Time{}
	}
}

var spinSink uint32

// event builds an Update from the pending batch and clears it.
func (s *Session) event() protocol.Event {
	e := protocol.Event{Type: protocol.Update, Gen: s.gen, State: s.state, Name: s.name,
		Trace: s.trace, Log: s.log, Dropped: s.dropped, OutputDropped: s.outDropped,
		Instructions: s.instructions, Error: s.err, Stop: s.stopWhy,
		Rewinding: s.replaying, NoStepBack: s.noStepBack()}
	if s.rewound {
		e.Rewind, s.rewound = s.hist.rewind(s.replayFrom, s.instructions), false
	}
	for _, c := range s.out {
		e.Output = append(e.Output, protocol.Output{FD: c.fd, Text: string(c.b)})
	}
	if !s.busyUntil.IsZero() {
		e.Note = "busy"
	}
	if s.m != nil && !s.replaying { // a step back's way there is not shown
		e.EIP = s.m.EIP()
		if rr, ok := s.m.(RegisterReader); ok {
			r := rr.Registers()
			e.Regs = &r
			s.see(r) // seen.go
		}
		if cr, ok := s.m.(CodeReader); ok && s.stopped() {
			e.Code = disasm.Lines(cr.ReadCode(e.EIP, codeLines*15), e.EIP, codeLines, s.syms)
			if e.Regs != nil {
				e.Stack = s.stack(cr, e.Regs.GPR[4])
			}
			s.nameKernelAddrs(&e)
		}
		if st, why, done := s.m.Exited(); done {
			e.Exit, e.Reason = &st, why
		}
		e.Kernel = s.kernelState()
	}
	if s.rateTime > 0 {
		e.MIPS = float64(s.rateInsns) / s.rateTime.Seconds() / 1e6
	}
	e.Detail, s.detail = s.detail, nil
	s.out, s.outBytes, s.outDropped, s.trace, s.dropped, s.err = nil, 0, 0, nil, 0, ""
	s.log = nil
	return e
}

// kernelState snapshots the kernel when the panels need it: at every
// stop (exact), on request, and every kernelEvery while running.
func (s *Session) kernelState() *protocol.KernelState {
	in, ok := s.m.(Inspector)
	if !ok {
		return nil
	}
	now := s.now()
	if s.state == protocol.StateRunning && !s.kernelNow && now.Sub(s.kernelAt) < kernelEvery {
		return nil
	}
	s.kernelAt, s.kernelNow = now, false
	ks := in.Inspect(s.inspectPid, s.inspectVMA)
	if ks.Signals != nil && s.runsLoadedProgram(ks) { // another program's handlers are not in these symbols
		for i := range ks.Signals.Actions {
			if a := &ks.Signals.Actions[i]; !a.Ignored {
				a.Where = s.syms.Where(a.Handler)
			}
		}
	}
	return &ks
}

// runsLoadedProgram reports whether the process the snapshot describes
// runs the loaded program (not one it has executed since).
func (s *Session) runsLoadedProgram(ks protocol.KernelState) bool {
	for _, p := range ks.Procs {
		if p.Pid == ks.Pid {
			return s.isLoadedProgram(p.Comm)
		}
	}
	return false
}

// isLoadedProgram reports whether a task's comm is the loaded program's
// (the kernel names it /bin/NAME; comm keeps 15 characters).
func (s *Session) isLoadedProgram(comm string) bool {
	name := strings.ReplaceAll(s.name, " ", "_")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return comm == name[:min(len(name), 15)]
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
