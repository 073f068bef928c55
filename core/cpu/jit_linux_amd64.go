package cpu

import (
	"runtime"
	"syscall"
)

// Compiled code lives in an anonymous mapping that is readable, writable
// and executable: compiled blocks are appended, and exit jumps patched
// in place, by the one goroutine that runs the CPU.

const jitArenaSize = 8 << 20

func mapArena(c *CPU) []byte {
	mem, err := syscall.Mmap(-1, 0, jitArenaSize,
		syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil // no JIT; the interpreter runs everything
	}
	runtime.AddCleanup(c, func(m []byte) { syscall.Munmap(m) }, mem)
	return mem
}

// jitCall runs compiled code: it calls enter (the arena's prologue) with
// the code's address in RSI and the CPU in RDI (jit_linux_amd64.s).
//
//go:noescape
func jitCall(enter, code, cpu uintptr)

const mapArenaWorks = true
