package cpu

import "trapdoor/core/memory"

// Blocks: a run of straight-line instructions in one code page, decoded
// ahead and executed by one tight loop (in CPU.loop). A block hangs off
// its first instruction (Inst.blk) and so lives in that code page's
// table: a write to the frame drops the page and its blocks with it.
//
// Every instruction but a block's last is straight: its handler never
// reads or writes EIP and never stops Run (see straight). Those run
// without the per-instruction bookkeeping of the single-step path: the
// runner stores only which op is running (c.pos), from which a fault's
// EIP and the budget left are worked out (blockFault). The last
// instruction, usually a jump, runs with the full protocol. Blocks only
// run when the budget covers the whole block and no OnInstruction hook
// watches, so the budget and Retired stay exact. A straight instruction
// that writes to the current code page (self-modifying code) ends the
// block after it: the runner checks fetchVPN, which dropCode resets.

// maxBlock bounds a block's length, so decoding ahead stays cheap.
const maxBlock = 48

type block struct {
	ops []blockOp
	n   uint64 // instructions retired when the block runs to its end
	// The blocks that last followed this one (both ends of a jcc),
	// in the same code page, so the loop can skip the page lookup.
	link [2]blockLink
	jit  jitBlock // its compiled code (jit.go)
}

type blockLink struct {
	eip uint32
	b   *block
}

// next returns the block at eip, which is in the current code page like
// b, through b's links or the page's table; nil when it is not built.
// Blocks of one page go away together, so a link never outlives its
// target.
func (b *block) next(c *CPU, eip uint32) *block {
	if l := b.link[0]; l.eip == eip && l.b != nil {
		return l.b
	}
	if l := b.link[1]; l.eip == eip && l.b != nil {
		return l.b
	}
	in := c.fetch.inst[eip&memory.PageMask]
	if in == nil || in.blk == nil {
		return nil
	}
	b.link[1], b.link[0] = b.link[0], blockLink{eip, in.blk}
	return in.blk
}

// blockOp is one instruction of a block. exec is in.exec, or a variant
// that skips recording flags nothing will read (see elideFlags).
type blockOp struct {
	exec handler
	in   *Inst
	off  uint32 // offset of the instruction from the block's start
	done uint32 // instructions retired by the block before this one
}

// straight marks the opcodes (0x100|b for 0F b) whose handlers leave EIP
// alone and never stop Run, so they may run in the middle of a block.
// Faults are fine: they unwind through blockFault.
var straight = func() (t [0x200]bool) {
	set := func(from, to int) {
		for op := from; op <= to; op++ {
			t[op] = true
		}
	}
	for _, base := range []int{0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38} {
		set(base, base+5) // the ALU forms
	}
	for _, op := range []int{0x27, 0x2F, 0x37, 0x3F, 0xC6, 0xC7, 0xC8, 0xC9, 0xD7, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFC, 0xFD, 0xFE} {
		t[op] = true
	}
	set(0x40, 0x61)                 // inc, dec, push, pop, pusha, popa
	set(0x68, 0x6B)                 // push imm, imul
	set(0x80, 0x8F)                 // group 1, test, xchg, mov, lea, pop Ev
	set(0x90, 0x9F)                 // xchg, cbw, cwd, fwait, pushf, popf, sahf, lahf
	set(0xA0, 0xBF)                 // moffs moves, string instructions, mov imm
	set(0xC0, 0xC1)                 // shifts
	set(0xD0, 0xD5)                 // shifts, aam, aad
	set(0xD8, 0xDF)                 // x87
	set(0x140, 0x14F)               // cmovcc
	set(0x190, 0x19F)               // setcc
	set(0x1A3, 0x1A5)               // bt, shld
	set(0x1AB, 0x1AD)               // bts, shrd
	set(0x1AF, 0x1B1)               // imul, cmpxchg
	set(0x1B3, 0x1B3)               // btr
	set(0x1B6, 0x1C1)               // movzx, group 8, btc, bsf, bsr, movsx, xadd
	set(0x1C7, 0x1CF)               // cmpxchg8b, bswap
	t[0x9A] = false                 // call far
	t[0x11E], t[0x11F] = true, true // endbr32, nop Ev
	return t
}()

// isStraight reports whether in may run in the middle of a block.
func (in *Inst) isStraight() bool {
	if in.extra != 0 {
		return false // fused with a jcc
	}
	if in.Op == 0xFF {
		return in.reg == 0 || in.reg == 1 || in.reg == 6 // inc, dec, push
	}
	return straight[in.Op&0x1FF]
}

// buildBlock decodes the straight-line run starting with first (at eip,
// in the current code page) and attaches it to first. Decoding ahead
// stops at the end of the page, at an instruction that would cross into
// the next page, and at bytes that do not decode: the block must not
// fault or touch guest state for instructions that may never run.
func (c *CPU) buildBlock(eip uint32, first *Inst) {
	b := &block{}
	in := first
	start := eip
	for {
		b.ops = append(b.ops, blockOp{in.exec, in, eip - start, uint32(b.n)})
		b.n += 1 + uint64(in.extra)
		if !in.isStraight() || len(b.ops) >= maxBlock {
			break
		}
		eip += uint32(in.len)
		off := eip & memory.PageMask
		if off < uint32(in.len) {
			break // wrapped into the next page
		}
		next := c.fetch.inst[off]
		if next == nil {
			if next = c.decodeAhead(eip); next == nil {
				break
			}
		}
		in = next
	}
	elideFlags(b.ops)
	first.blk = b
}

// errCross stops decoding ahead at a page boundary.
var errCross = &struct{ string }{"instruction crosses the code page"}

// decodeAhead decodes and caches the instruction at eip if it lies within
// the current code page and decodes, or returns nil.
func (c *CPU) decodeAhead(eip uint32) (in *Inst) {
	defer func() {
		if r := recover(); r != nil {
			if r != errCross && r != errFault {
				panic(r)
			}
			in = nil
		}
	}()
	in = c.decode(eip, true)
	if !in.cached {
		return nil
	}
	return in
}

// blockFault puts c.start and c.left at the block instruction that was
// running when a fault unwound out of runBlock.
func (c *CPU) blockFault() {
	if op := c.curOp(); op != nil {
		c.start = c.blkEIP + op.off
		c.left = c.blkLeft - uint64(op.done)
		c.pos = -1
	}
}

// curOp is the block op in progress, or nil.
func (c *CPU) curOp() *blockOp {
	if c.pos < 0 || c.blk == nil {
		return nil
	}
	return &c.blk.ops[c.pos]
}

// insnStart is the EIP of the instruction being executed.
func (c *CPU) insnStart() uint32 {
	if op := c.curOp(); op != nil {
		return c.blkEIP + op.off
	}
	return c.start
}

// flagEffect says what an instruction does with the status flags, for
// elideFlags. The zero value is the safe answer.
type flagEffect uint8

const (
	// fxRead: it may read them, or fault (a fault shows the flags to
	// the kernel, so they must be exact there).
	fxRead flagEffect = iota
	// fxKill: it writes all six without reading any, and cannot fault.
	fxKill
	// fxPass: it writes some or none and reads none but to keep the
	// others (inc, dec, rotates, shifts by CL), and cannot fault.
	fxPass
	// fxNone: it neither reads nor writes them, and cannot fault.
	fxNone
)

// useFlagElision lets tests compare blocks with and without elideFlags.
var useFlagElision = true

// elideFlags walks a block backwards keeping whether the flags are live,
// and gives instructions whose flags nothing reads their no-flags
// variant. The flags are taken as live after the block's last
// instruction, so at every exit from the block, and at every fault
// inside it, the flags are exactly as the single-step path leaves them.
func elideFlags(ops []blockOp) {
	live := true
	for i := len(ops) - 1; i >= 0; i-- {
		in := ops[i].in
		switch in.fx {
		case fxKill, fxPass:
			if !live && in.nf != nil && useFlagElision {
				ops[i].exec = in.nf
			}
			if in.fx == fxKill {
				live = false
			}
		case fxNone:
		default:
			live = true
		}
	}
}
