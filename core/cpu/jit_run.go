//go:build !js

package cpu

import (
	"encoding/binary"
	"unsafe"

	"trapdoor/core/cpu/internal/x64"
	"trapdoor/core/memory"
)

// UseJIT enables the block compiler where the platform has one (see
// jit.go); with it off, or in the browser, the interpreter runs all code.
var UseJIT = true

// jitArena is a CPU's executable memory: a prologue and epilogue shared
// by all blocks, then compiled blocks, appended. When it fills up it
// starts over in a new generation, which makes every older block's code
// stale at once.
type jitArena struct {
	mem   []byte
	base  uintptr
	used  int
	gen   uint32
	enter uintptr // prologue: loads the guest registers, jumps to RSI
	exit  uintptr // epilogue: stores them back, returns to jitCall
}

// jitCodeMax bounds one block's code (maxBlock instructions), so a
// compile always fits in a fresh arena.
const jitCodeMax = 64 << 10

// arena returns the CPU's arena, mapping it on first use; nil when the
// platform has none.
func (c *CPU) arena() *jitArena {
	if c.jit == nil {
		mem := mapArena(c)
		if mem == nil {
			UseJIT = false
			return nil
		}
		c.jit = &jitArena{mem: mem, base: uintptr(unsafe.Pointer(&mem[0]))}
		c.jit.reset()
	}
	return c.jit
}

// reset empties the arena into a new generation and writes the shared
// prologue and epilogue.
func (ar *jitArena) reset() {
	ar.gen++
	var a x64.Asm
	saved := []x64.Reg{x64.RBX, x64.RBP, x64.R12, x64.R13, x64.R14, x64.R15}
	ar.enter = ar.base
	for _, r := range saved {
		a.Push(r)
	}
	for r := uint8(0); r < 8; r++ {
		a.Load(4, hostReg(r), x64.At(jitCPU, offR+4*int32(r)))
	}
	a.Load(8, jitBudget, x64.At(jitCPU, offLeft))
	a.Buf = append(a.Buf, 0xFF, 0xE6) // jmp rsi
	ar.exit = ar.base + uintptr(a.Len())
	for r := uint8(0); r < 8; r++ {
		a.Store(4, x64.At(jitCPU, offR+4*int32(r)), hostReg(r))
	}
	a.Store(8, x64.At(jitCPU, offLeft), jitBudget)
	for k := len(saved) - 1; k >= 0; k-- {
		a.Pop(saved[k])
	}
	a.Ret()
	ar.used = copy(ar.mem, a.Buf)
}

// jitReady returns whether b (at eip) has current compiled code,
// compiling it once it is hot.
func (c *CPU) jitReady(b *block, eip uint32) bool {
	jb := &b.jit
	if jb.entry != 0 {
		if jb.gen == c.jit.gen && jb.vpn == eip>>memory.PageShift {
			return true
		}
		jb.entry = 0 // stale: the arena started over, or another mapping
	}
	if !jb.due() {
		return false
	}
	ar := c.arena()
	if ar == nil {
		return false
	}
	if len(ar.mem)-ar.used < jitCodeMax {
		ar.reset()
	}
	base := ar.base + uintptr(ar.used)
	code, n, patches := compileBlock(b, eip, base, ar.exit)
	if code == nil {
		jb.fail = true
		return false
	}
	copy(ar.mem[ar.used:], code)
	ar.used += (len(code) + 15) &^ 15
	*jb = jitBlock{entry: base, gen: ar.gen, vpn: eip >> memory.PageShift, n: n}
	// Point jumps straight at successors that are compiled already.
	for _, p := range patches {
		c.jitLink(p.at, p.eip)
	}
	return true
}

// jitLink points the jump whose displacement is at address at to the
// compiled block at eip, when that is in the current code page and
// compiled.
func (c *CPU) jitLink(at uintptr, eip uint32) {
	if eip>>memory.PageShift != c.fetchVPN {
		return
	}
	in := c.fetch.inst[eip&memory.PageMask]
	if in == nil || in.blk == nil {
		return
	}
	t := &in.blk.jit
	if t.entry == 0 || t.gen != c.jit.gen || t.vpn != c.fetchVPN {
		return
	}
	binary.LittleEndian.PutUint32(c.jit.mem[at-c.jit.base:], x64.Rel32(at, t.entry))
}

// runJIT runs b's compiled code, and the compiled blocks it chains to,
// from c.EIP with c.left budget; it returns with EIP and left where the
// interpreter takes over. side reports a side exit: the instruction at
// EIP must be interpreted before compiled code runs again.
func (c *CPU) runJIT(b *block) (side bool) {
	jitCall(c.jit.enter, b.jit.entry, uintptr(unsafe.Pointer(c)))
	switch c.op {
	case lazyHost:
		c.flags = c.flags&^StatusFlags | c.res&StatusFlags
		c.op = lazyNone
	case lazyHostNoAF:
		c.flags = c.flags&^StatusFlags | c.res&(StatusFlags&^FlagAF)
		c.op = lazyNone
	}
	if c.jitPatch != 0 {
		c.jitLink(c.jitPatch, c.EIP)
		c.jitPatch = 0
	}
	return c.jitSide != 0
}

// jitHotDefault: host code is cheap to make (microseconds a block).
const jitHotDefault = 16

// jitAvailable reports whether this platform compiles blocks.
func jitAvailable() bool { return mapArenaWorks }
