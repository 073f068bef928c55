package session

import "trapdoor/wasm/protocol"

// KernelSymbolizer is a Machine that names kernel-half addresses: a
// loaded module's code ("sys_msgbox_put+0x1b/0x6c [msgbox]") and the
// kernel API stubs it calls. The program's symbols know none of them.
type KernelSymbolizer interface {
	KernelSymbol(addr uint32) (string, bool)
}

// kernelHalf is where the kernel's addresses start.
const kernelHalf = 0xC0000000

// nameKernelAddrs fills in the symbols of kernel addresses in the code
// and stack views (stepping through a module's system call).
func (s *Session) nameKernelAddrs(e *protocol.Event) {
	ks, ok := s.m.(KernelSymbolizer)
	if !ok {
		return
	}
	for i, l := range e.Code {
		if l.Where == "" && l.Addr >= kernelHalf {
			e.Code[i].Where, _ = ks.KernelSymbol(l.Addr)
		}
	}
	for i, w := range e.Stack {
		if w.Where == "" && w.Value >= kernelHalf {
			e.Stack[i].Where, _ = ks.KernelSymbol(w.Value)
		}
	}
}
