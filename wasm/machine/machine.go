// Package machine runs programs for the emulator worker on core/kernel: it
// is the session.Starter the worker uses. Pure Go, tested natively.
//
// The worker runs a program in slices and stops it at any instruction
// (pause, step, breakpoints). The kernel's RunFor runs a bounded number of
// instructions and returns, Yield ends it after a system call, and it
// returns by itself when every process waits for the terminal, so a slice
// costs nothing per instruction and needs no goroutine of its own; the
// CPU's per-instruction hook is installed only while address breakpoints
// are set.
package machine

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel"
	"trapdoor/core/loader"
	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// Machine is one program on one kernel.
type Machine struct {
	k *kernel.Kernel

	closed bool // dropped: its callbacks say nothing more

	breaks []uint32 // stop before the instruction at these addresses
	hit    bool     // the slice ended at a breakpoint
	hitAt  uint32
	// A resumed run executes the instruction it stopped before, even at a
	// breakpoint: the first hook call of a slice skips it.
	resumeCheck bool
	resumeEIP   uint32
	resumePid   int
	// resumeKernel: it resumes inside a module call, whose EIP is
	// resumeEIP (module.go).
	resumeKernel bool

	tr tracer // trace lines out, the latest calls kept for Detail

	terminal bool  // stdin is the kernel's terminal (no preset stdin)
	pace     pacer // its clock follows real time (pace.go)

	done   bool
	result kernel.Result
	err    error
}

// Start loads p into a fresh kernel. A file that is not a static i386 ELF
// is refused here, with the loader's reason.
func Start(p session.Program) (session.Machine, error) {
	if len(p.ELF) < 4 || !bytes.Equal(p.ELF[:4], []byte("\x7fELF")) {
		return nil, fmt.Errorf("%s is not an ELF executable (it does not start with \\x7fELF)", p.Name)
	}
	if _, err := loader.Parse(p.ELF); err != nil {
		return nil, fmt.Errorf("%s cannot run here: %v", p.Name, err)
	}
	if spec, ok := scenarioSpec(p.Files); ok {
		return startScenario(p, spec) // a scenario's view (scenario.go)
	}
	if err := kernel.CheckProfile(p.Profile); err != nil {
		return nil, fmt.Errorf("machine settings: %v", err)
	}
	policy, err := kernel.ParseMsgboxPolicy(p.Msgbox)
	if err != nil {
		return nil, fmt.Errorf("machine settings: %v", err)
	}
	m := &Machine{}
	m.pace.on = len(p.Stdin) == 0
	m.tr = tracer{m: m, out: p.Trace}
	// A preset stdin is a pipe, as in the native reference runs; without
	// one the program reads the kernel's terminal, which the user types
	// into (Input): it echoes, edits lines and turns ^C into SIGINT.
	stdin := kernel.Stdio{Kind: kernel.StdioTTY}
	if len(p.Stdin) > 0 {
		stdin = kernel.Stdio{R: bytes.NewReader(p.Stdin), Kind: kernel.StdioPipe}
	} else {
		m.terminal = true
	}
	// Every callback is muted once the machine is dropped.
	output := func(fd int, b []byte) {
		if !m.closed {
			p.Output(fd, b)
		}
	}
	m.k = kernel.New(kernel.Config{
		Trace:  &m.tr,
		Stdin:  stdin,
		Stdout: kernel.Stdio{W: fdWriter{1, output}, Kind: kernel.StdioTTY},
		Stderr: kernel.Stdio{W: fdWriter{2, output}, Kind: kernel.StdioTTY},
		Rows:   24, Cols: 80,
		// The kernel's line discipline, fed by Input (ConsoleInput).
		Terminal: m.terminal,
		// A terminal's user expects real seconds (pace.go).
		HostClock: m.terminal,
		Profile:   p.Profile,
		Msgbox:    policy,
		Seed:      p.Seed,
	})
	if p.Log != nil {
		m.k.Log.OnLine = func(l kernel.LogLine) {
			if !m.closed {
				p.Log(l.String())
			}
		}
	}
	for _, f := range p.Files {
		if !strings.HasPrefix(f.Path, "/") {
			return nil, fmt.Errorf("cannot install %q: not an absolute path", f.Path)
		}
		m.k.Install(f.Path, f.Data)
	}
	if err := m.loadModules(p.Files); err != nil {
		return nil, err
	}
	guest := "/bin/" + path.Base(strings.ReplaceAll(p.Name, " ", "_"))
	m.k.Install(guest, p.ELF)
	t, err := m.k.Start(guest, p.Args, p.Env)
	if err != nil {
		return nil, fmt.Errorf("starting %s: %v", p.Name, err)
	}
	if p.Cwd != "" {
		dir, errno := m.k.FS.Resolve(nil, p.Cwd, true)
		if errno != 0 || !dir.IsDir() {
			return nil, fmt.Errorf("working directory %s: not a directory in the guest", p.Cwd)
		}
		t.Cwd = dir
	}
	return m, nil
}

// atBreak is the CPU's hook while breakpoints are set.
func (m *Machine) atBreak(c *cpu.CPU) bool {
	if m.resumeCheck {
		if m.resumeKernel && c.CPL != 0 {
			return false // the user's int $0x80 that resumes the module call
		}
		m.resumeCheck = false
		if c.EIP == m.resumeEIP && m.pid() == m.resumePid {
			return false // the instruction it stopped before
		}
	}
	for _, a := range m.breaks {
		if c.EIP == a {
			m.hit, m.hitAt = true, a
			m.k.Yield()
			return true
		}
	}
	return false
}

func (m *Machine) pid() int {
	if t := m.k.Current(); t != nil {
		return t.Pid
	}
	return 0
}

// Run implements session.Machine.
func (m *Machine) Run(budget uint64) (uint64, error) {
	if m.done || budget == 0 {
		return 0, m.err
	}
	before := m.k.Instructions()
	_, inModule := m.inModule()
	m.resumeCheck, m.resumeEIP, m.resumePid, m.resumeKernel = true, m.EIP(), m.pid(), inModule
	run := m.runFor
	if _, in := m.inModule(); in && budget <= maxModuleStep {
		run = m.stepModule // a step inside a module's system call
	}
	start := m.paceStart()
	if done, res, err := run(budget); done {
		m.done, m.result, m.err = true, res, err
	}
	ran := m.k.Instructions() - before
	m.paceEnd(start, ran)
	return ran, m.err
}

// runFor is kernel.RunFor, with a panic (an emulator bug the kernel did
// not catch) reported as the run's error.
func (m *Machine) runFor(n uint64) (done bool, res kernel.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			done, err = true, fmt.Errorf("emulator crashed: %v", r)
		}
	}()
	return m.k.RunFor(n)
}

// Registers implements session.RegisterReader (between slices).
func (m *Machine) Registers() protocol.Regs {
	c := &m.k.CPU.State
	if regs, ok := m.inModule(); ok {
		c = &regs // inside a module's system call: its CPL 0 registers
	}
	r := protocol.Regs{EIP: c.EIP, EFLAGS: c.EFLAGS()}
	copy(r.GPR[:], c.R[:])
	return r
}

// ReadCode implements session.CodeReader, reading as the program would
// (user mode); it stops at the first page that is not mapped.
func (m *Machine) ReadCode(addr uint32, n int) []byte {
	if addr >= kernelBase {
		return m.readKernel(addr, n) // module code, its stack
	}
	b := make([]byte, n)
	got, _ := m.k.CPU.ReadGuest(addr, b, true)
	return b[:got]
}

// SetBreakpoints implements session.Breaker.
func (m *Machine) SetBreakpoints(addrs []uint32) {
	m.breaks = append([]uint32(nil), addrs...)
	if len(m.breaks) == 0 {
		m.k.CPU.OnInstruction = nil // full speed: fused pairs, no call per instruction
	} else {
		m.k.CPU.OnInstruction = m.atBreak
	}
}

// BreakpointHit implements session.Breaker: whether the last Run stopped
// at a breakpoint, and where (reported once).
func (m *Machine) BreakpointHit() (uint32, bool) {
	at, hit := m.hitAt, m.hit
	m.hit = false
	return at, hit
}

// StopSoon implements session.Stopper: called from inside the kernel (a
// trace or output callback), it ends the slice before the next
// instruction.
func (m *Machine) StopSoon() { m.k.Yield() }

// WaitingForInput implements session.Interactive: every process waits for
// the terminal.
func (m *Machine) WaitingForInput() bool { return m.terminal && !m.done && m.k.AwaitingInput() }

// Input implements session.Interactive: typed bytes go to the terminal's
// line discipline; ^D is the terminal's end-of-file character (a read
// returns what is on the line, or 0 on an empty one).
func (m *Machine) Input(b []byte, eof bool) {
	if !m.terminal {
		return
	}
	if eof {
		b = append(append([]byte(nil), b...), 4)
	}
	if len(b) > 0 {
		m.k.ConsoleInput(b)
	}
}

// Exited implements session.Machine.
func (m *Machine) Exited() (int, string, bool) {
	if !m.done || m.err != nil {
		return 0, "", false
	}
	r := m.result
	if r.Exited {
		return r.Status, fmt.Sprintf("exited with status %d", r.Code), true
	}
	return r.Status, "killed by " + abi.SignalName(r.Signal), true
}

// EIP implements session.Machine.
func (m *Machine) EIP() uint32 {
	if regs, ok := m.inModule(); ok {
		return regs.EIP
	}
	return m.k.CPU.EIP
}

// Close mutes a dropped machine.
func (m *Machine) Close() error {
	m.closed = true
	return nil
}

type fdWriter struct {
	fd  int
	out func(int, []byte)
}

// Write passes on what the program (or the terminal's echo) wrote. The
// terminal's output processing turns "\n" into "\r\n"; the console panel
// is no terminal emulator, so it gets plain newlines and no control
// sequences (a shell's line editor asks where the cursor is: ESC [6n).
func (w fdWriter) Write(b []byte) (int, error) {
	w.out(w.fd, controlSeq.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), nil))
	return len(b), nil
}

// controlSeq matches an ANSI control sequence (CSI: ESC [, parameters, a
// final letter).
var controlSeq = regexp.MustCompile("\x1b\\[[0-9;?]*[@-~]")
