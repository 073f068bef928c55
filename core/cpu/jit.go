package cpu

import (
	"encoding/binary"
	"unsafe"

	"trapdoor/core/cpu/internal/x64"
	"trapdoor/core/memory"
)

// The block compiler (JIT): a hot block (block.go) is translated into
// x86-64 code that runs on the host CPU. Guest and host are the same
// architecture, so most guest instructions become one host instruction
// of the same kind, which also computes the guest's flags exactly
// (hardware is the reference, not a model of it).
//
// Compiled code keeps the eight guest registers in R8-R15 (EAX..EDI in
// order), the CPU pointer in RDI and the instruction budget in RBX; RAX,
// RCX, RDX and RSI are scratch. Memory goes through the interpreter's
// software TLB: a hit gives the frame (*memory.Page) and the access runs
// inline; a miss, an access that crosses a page, or anything else the
// compiled code cannot do leaves the block ("side exit") before the
// instruction changes any state, and the interpreter runs that
// instruction. So faults stay precise and self-modifying code is caught
// as before: frames holding decoded code never get write entries.
//
// The guest's status flags after a compiled instruction are the host's.
// They are stored (RFLAGS & status bits into res, op = lazyHost) when an
// exit could follow before they are overwritten; when a later
// instruction reads flags it takes them from the host RFLAGS if nothing
// clobbered them since, or reloads them into RFLAGS from the CPU state.
// lazyHost never escapes: runJIT turns it into lazyNone on return.
//
// Blocks end in a jump to a successor whose address is known (jcc, jmp,
// call, fall-through) or computed (ret, jmp/call through a register or
// memory). A known successor in the same code page is reached by a direct
// host jump once it is compiled (runJIT re-points the exit path's jump);
// anything else returns to the interpreter's loop, which finds the next
// block. Each block's entry checks and charges the budget, so a chain of
// compiled blocks stops exactly where the interpreter would.

// The registers the compiled code lives in.
const (
	jitCPU    = x64.RDI
	jitBudget = x64.RBX
	tA        = x64.RAX // scratch; also EAX-implicit host instructions
	tC        = x64.RCX
	tD        = x64.RDX
	tS        = x64.RSI
)

// lazyHost: the status flags are res, laid out as in EFLAGS (compiled
// code's pushfq). Only compiled code and runJIT see it.
const lazyHost = lazyCO + 1

// lazyHostNoAF is lazyHost with AF to be read as clear: the host's AF
// after an instruction that leaves it undefined is not the model's.
const lazyHostNoAF = lazyCO + 2

// hostReg is the host register holding guest register r (32-bit).
func hostReg(r uint8) x64.Reg { return x64.R8 + x64.Reg(r&7) }

// Field offsets in CPU, for the compiled code's loads and stores.
var (
	offR      = int32(unsafe.Offsetof(CPU{}.R))
	offEIP    = int32(unsafe.Offsetof(CPU{}.EIP))
	offSegBas = int32(unsafe.Offsetof(CPU{}.SegBas))
	offFlags  = int32(unsafe.Offsetof(CPU{}.flags))
	offOp     = int32(unsafe.Offsetof(CPU{}.op))
	offRes    = int32(unsafe.Offsetof(CPU{}.res))
	offSize   = int32(unsafe.Offsetof(CPU{}.size))
	offA      = int32(unsafe.Offsetof(CPU{}.a))
	offB      = int32(unsafe.Offsetof(CPU{}.b))
	offCin    = int32(unsafe.Offsetof(CPU{}.cin))
	offLeft   = int32(unsafe.Offsetof(CPU{}.left))
	offRTLB   = int32(unsafe.Offsetof(CPU{}.rtlb))
	offWTLB   = int32(unsafe.Offsetof(CPU{}.wtlb))
	offSide   = int32(unsafe.Offsetof(CPU{}.jitSide))
	offPatch  = int32(unsafe.Offsetof(CPU{}.jitPatch))
)

func init() {
	// The TLB probe indexes entries as vpn<<4 and reads the page at +8.
	if unsafe.Sizeof(tlbEntry{}) != 16 || unsafe.Offsetof(tlbEntry{}.page) != 8 {
		panic("cpu: tlbEntry layout changed; update the JIT's TLB probe")
	}
}

// jitBlock is a block's compiled code.
type jitBlock struct {
	entry uintptr // address of the code; 0 when not compiled (browser: region index + 1)
	gen   uint32  // arena generation the code belongs to
	vpn   uint32  // virtual page the code was compiled for (it embeds EIPs)
	n     uint64  // instructions the compiled part retires
	heat  uint16  // times the block ran interpreted
	fail  bool    // the first instruction cannot be compiled
}

// jitHot is how many interpreted runs make a block worth compiling:
// jitHotDefault, per platform (compiling costs more in the browser).
var jitHot uint16 = jitHotDefault

// due counts an interpreted run of a block without current code and
// reports whether to compile it now.
func (jb *jitBlock) due() bool {
	if jb.fail {
		return false
	}
	if jb.heat++; jb.heat < jitHot {
		return false
	}
	jb.heat = 0
	return true
}

// jitWanted tells the interpreter's block chaining to hand b to the
// outer loop, which runs compiled code: b has some, or is hot enough to
// get some.
func (b *block) jitWanted() bool {
	if !UseJIT || b.jit.fail {
		return false
	}
	if b.jit.entry != 0 {
		return true
	}
	b.jit.heat++
	return b.jit.heat >= jitHot
}

// sideExit is an out-of-line exit path, emitted after the block's body.
type sideExit struct {
	jumps []int  // displacement fields that jump here
	eip   uint32 // EIP of the instruction to resume at
	undo  uint64 // budget to give back (instructions not retired)
	// succ: a known successor after a completed block (not a side exit);
	// patchable when it is in the same page.
	succ      bool
	patchable bool
	patchAt   int // offset of the displacement to patch
}

// jitCompiler translates one block.
type jitCompiler struct {
	a     x64.Asm
	blk   *block
	start uint32 // EIP of the block
	ops   []blockOp
	n     uint64 // instructions in the compiled part

	// Where the guest's status flags are.
	hostValid  bool // host RFLAGS holds them
	stateValid bool // the CPU state holds them (true at entry)
	stateHost  bool // ... and as lazyHost, from this block
	dirtyAF    bool // the host's AF is not the model's (it is clear)

	exits  []*sideExit
	toExit []int // jumps straight to the common exit
	// storeFlags[i]: op i's flags must reach the state before anything
	// could exit or read them (see flagStores).
	storeFlags []bool
}

// errNoJIT is raised (as a panic inside the compiler) by an instruction
// the compiler does not handle; the block is compiled up to it.
type errNoJIT struct{}

// compileBlock translates b (starting at eip) into code that will run
// at address base, leaving through the common exit at exitAddr. It
// returns the code, the instructions it retires and the jumps runJIT may
// later point straight at compiled successors; no code when not even
// the first instruction compiles.
func compileBlock(b *block, eip uint32, base, exitAddr uintptr) (code []byte, n uint64, patches []jitPatchSite) {
	k := 0
	for k < len(b.ops) && jitSupported(b.ops[k].in) {
		k++
	}
	if k == 0 {
		return nil, 0, nil
	}
	j := &jitCompiler{blk: b, start: eip, ops: b.ops[:k], stateValid: true}
	if k == len(b.ops) {
		j.n = b.n
	} else {
		j.n = uint64(b.ops[k].done)
	}
	j.flagStores()
	// Entry: charge the budget for the whole compiled part, or leave.
	a := &j.a
	a.ALURI(8, x64.CMP, jitBudget, uint32(j.n))
	j.exitTo(a.Jcc(condB), eip, 0, false)
	a.ALURI(8, x64.SUB, jitBudget, uint32(j.n))
	for i := range j.ops {
		j.inst(i)
	}
	if k < len(b.ops) {
		// Stop before an instruction the interpreter must run.
		j.exitTo(a.Jmp(), eip+b.ops[k].off, 0, false)
	}
	// The exit paths, out of line.
	for _, e := range j.exits {
		here := a.Len()
		for _, at := range e.jumps {
			a.Patch(at, here)
		}
		if e.undo != 0 {
			a.ALURI(8, x64.ADD, jitBudget, uint32(e.undo))
		}
		a.StoreImm(4, x64.At(jitCPU, offEIP), e.eip)
		side := uint32(1)
		if e.succ {
			side = 0
		}
		a.StoreImm(1, x64.At(jitCPU, offSide), side)
		if e.patchable {
			// Tell runJIT which jump to point at the successor once
			// that is compiled: mov rax, imm64; mov [patch], rax.
			at := base + uintptr(e.patchAt)
			a.Buf = append(a.Buf, 0x48, 0xB8)
			a.Buf = binary.LittleEndian.AppendUint64(a.Buf, uint64(at))
			a.Store(8, x64.At(jitCPU, offPatch), tA)
			patches = append(patches, jitPatchSite{at: at, eip: e.eip})
		}
		j.toExit = append(j.toExit, a.Jmp())
	}
	for _, at := range j.toExit {
		binary.LittleEndian.PutUint32(a.Buf[at:], x64.Rel32(base+uintptr(at), exitAddr))
	}
	return a.Buf, j.n, patches
}

// jitPatchSite is a jump in compiled code that may be pointed straight at
// the compiled successor eip.
type jitPatchSite struct {
	at  uintptr // address of the 32-bit displacement
	eip uint32
}

// exitTo routes the jump whose displacement is at (or a fall-through
// when at < 0) to an exit path that leaves the compiled code at eip, giving
// back undo instructions of budget. A side exit makes the interpreter run
// the instruction at eip before compiled code runs again.
func (j *jitCompiler) exitTo(at int, eip uint32, undo uint64, succ bool) *sideExit {
	e := &sideExit{eip: eip, undo: undo, succ: succ}
	if at >= 0 {
		e.jumps = append(e.jumps, at)
	}
	j.exits = append(j.exits, e)
	return e
}

// sideExitAt leaves before op i runs (a TLB miss, say).
func (j *jitCompiler) sideExitAt(i int, at int) {
	op := j.ops[i]
	// Reuse the op's exit path when it has one.
	for _, e := range j.exits {
		if !e.succ && e.eip == j.start+op.off && e.undo == j.n-uint64(op.done) {
			e.jumps = append(e.jumps, at)
			return
		}
	}
	j.exitTo(at, j.start+op.off, j.n-uint64(op.done), false)
}

// successor ends the compiled block with a jump to the known eip.
func (j *jitCompiler) successor(at int, eip uint32) {
	e := j.exitTo(at, eip, 0, true)
	if eip>>memory.PageShift == j.start>>memory.PageShift {
		e.patchable, e.patchAt = true, at
	}
}

// Condition codes, as in jcc's low nibble.
const (
	condO x64.Cond = iota
	condNO
	condB
	condAE
	condE
	condNE
	condBE
	condA
	condS
	condNS
	condP
	condNP
	condL
	condGE
	condLE
	condG
)
