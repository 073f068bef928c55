package machine

import (
	"fmt"
	"path"
	"strings"

	"trapdoor/core/cpu"
	"trapdoor/core/kernel"
	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// Kernel modules in the worker: a load's files under ModuleDir are linked
// into the kernel before the program starts (as insmod would at boot), and
// while the task on the CPU is inside a module's system call the
// registers, the code view and the stack show the module code at CPL 0
// (the kernel keeps those registers while the call is suspended between
// two slices: kernel.ModuleContext).

// ModuleDir is where a load's kernel modules go: each file there ending in
// ".o" is loaded, named for the file without ".o".
const ModuleDir = "/lib/modules/"

// kernelBase is where the kernel half of the address space starts.
const kernelBase = 0xC0000000

// loadModules loads the modules among files, in order.
func (m *Machine) loadModules(files []session.File) error {
	for _, f := range files {
		if !strings.HasPrefix(f.Path, ModuleDir) || !strings.HasSuffix(f.Path, ".o") {
			continue
		}
		name := strings.TrimSuffix(path.Base(f.Path), ".o")
		if _, err := m.k.LoadModule(name, f.Data); err != nil {
			return fmt.Errorf("loading kernel module %s: %v", path.Base(f.Path), err)
		}
	}
	return nil
}

// inModule returns the kernel-mode registers of the module call the task
// on the CPU is in, if any.
func (m *Machine) inModule() (cpu.State, bool) {
	t := m.k.Current()
	if t == nil || m.done {
		return cpu.State{}, false
	}
	regs, _, ok := m.k.ModuleContext(t.Pid)
	return regs, ok
}

// KernelSymbol implements session.KernelSymbolizer: a module's symbol
// ("sys_msgbox_put+0x1b/0x6c [msgbox]") for a kernel-half address.
func (m *Machine) KernelSymbol(addr uint32) (string, bool) { return m.k.KernelSymbol(addr) }

// readKernel reads kernel-half memory as module code sees it, page by
// page, stopping at the first page not mapped.
func (m *Machine) readKernel(addr uint32, n int) []byte {
	var out []byte
	for n > 0 && addr >= kernelBase {
		chunk := min(n, int(0x1000-addr&0xfff))
		b, ok := m.k.ReadKernel(addr, chunk)
		if !ok {
			break
		}
		out = append(out, b...)
		addr += uint32(chunk)
		n -= chunk
	}
	return out
}

// Modules implements session.ModuleLister: the loaded modules, the system
// calls each binds and the kmalloc memory module code holds.
func (m *Machine) Modules() *protocol.ModuleState {
	mods := m.k.Modules()
	if len(mods) == 0 {
		return nil
	}
	st := &protocol.ModuleState{}
	for _, mi := range mods {
		mv := protocol.Module{Name: mi.Name, Base: mi.Base, Size: mi.Size}
		for _, d := range mi.Syscalls {
			mv.Syscalls = append(mv.Syscalls, protocol.ModuleSyscall{Nr: int(d.Nr), Name: d.Name, Args: d.NArgs})
		}
		st.Modules = append(st.Modules, mv)
	}
	for _, b := range m.k.ModuleAllocations() {
		st.Allocations = append(st.Allocations, protocol.KmallocBlock{Addr: b.Addr, Size: b.Size, Module: b.Module, Caller: b.Caller})
	}
	st.HeapBytes, st.HeapCount = m.k.ModuleHeap()
	s := m.k.ModuleStats()
	st.Calls, st.Oopses = s.Calls, s.Oopses
	if t := m.k.Current(); t != nil {
		if regs, where, ok := m.k.ModuleContext(t.Pid); ok {
			st.In, st.InEIP = where, regs.EIP
		}
	}
	return st
}

// moduleStepBudget bounds one step inside a module: the instructions it
// may take to reach the next module instruction (another task runs while
// the call sleeps) before the step gives up and stops wherever it is.
const moduleStepBudget = 1 << 20

// stepModule steps n instructions of the module call the task on the CPU
// is suspended in. RunFor(1) cannot: resuming the call re-executes the
// user's int $0x80 (one instruction), so the call would suspend again
// before its next instruction. The CPU's hook stops it instead, before
// the second CPL 0 instruction (the module call pauses there and resumes
// at once on the next run), or before the first user instruction once
// the call has returned.
func (m *Machine) stepModule(n uint64) (done bool, res kernel.Result, err error) {
	saved := m.k.CPU.OnInstruction
	defer func() { m.k.CPU.OnInstruction = saved }()
	for range n {
		kernelSeen := false
		m.k.CPU.OnInstruction = func(c *cpu.CPU) bool {
			if c.CPL == 0 && !kernelSeen {
				kernelSeen = true
				return false
			}
			if kernelSeen {
				m.k.Yield()
				return true
			}
			return false
		}
		if done, res, err = m.runFor(moduleStepBudget); done {
			return
		}
		if _, in := m.inModule(); !in {
			return // back in user code: a step out of the module ends here
		}
	}
	return
}

// maxModuleStep is the largest Run budget taken as instruction steps when
// the task is inside a module (the page's Step asks for 1); larger ones
// run the call at full speed.
const maxModuleStep = 100
