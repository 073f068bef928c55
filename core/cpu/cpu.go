// Package cpu is an i686 interpreter: the integer instruction set, the x87
// FPU (package x87), flat segmentation with FS/GS bases, privilege levels 0
// and 3, and paging through package memory.
//
// The CPU never handles exceptions itself. Run executes instructions until
// a budget is spent or something needs the kernel (int 0x80, a fault, a
// privileged instruction) and returns an Exit saying why. Faults are
// precise: registers and EIP are as they were before the faulting
// instruction, so the kernel can fix a page fault and call Run again.
//
// Speed comes from three things: instructions are decoded once per
// physical frame and cached until that frame is written; flags are
// computed lazily from the last arithmetic operation; and a software TLB
// maps page numbers straight to frames. On top of that the run loop
// executes straight-line blocks decoded ahead within a code page and
// chained to each other, across pages through the itlb (block.go), skipping the flags an instruction
// records when the next ones overwrite them unread; the frequent 32-bit
// forms have non-generic handlers with the TLB hit inline (ops_fast.go);
// and a cmp or test followed by a jcc runs as one fused dispatch, with a
// handler per condition code, that still counts, and can be stopped, as
// two instructions.
//
// The instruction set is what gcc, glibc, musl and busybox use on i686;
// the tests in insn_test.go replay instruction results recorded on real
// hardware (testvectors/insn and testdata/). Known simplifications: no
// segment limits or null-selector checks on memory accesses, no LDT, no
// task switches or virtual-8086 mode, TF is stored but single-stepping is
// not emulated, and port I/O has no devices.
package cpu

import (
	"fmt"
	"runtime/debug"
	"sync"

	"trapdoor/core/cpu/x87"
	"trapdoor/core/memory"
)

// General-purpose register numbers, in the encoding's order.
const (
	EAX = iota
	ECX
	EDX
	EBX
	ESP
	EBP
	ESI
	EDI
)

// Segment register numbers, in the encoding's order.
const (
	ES = iota
	CS
	SS
	DS
	FS
	GS
	segNone = 7 // no segment override
)

// Exception vectors.
const (
	VecDivide      = 0  // #DE
	VecDebug       = 1  // #DB
	VecBreakpoint  = 3  // #BP (int3)
	VecOverflow    = 4  // #OF (into)
	VecBound       = 5  // #BR
	VecInvalidOp   = 6  // #UD
	VecNoFPU       = 7  // #NM
	VecGeneral     = 13 // #GP
	VecPageFault   = 14 // #PF
	VecFPUError    = 16 // #MF
	VecAlignment   = 17 // #AC
	VecSyscall     = 0x80
	VecKernelEntry = 0x81 // reserved for calls from kernel-mode guest code into the Go kernel
)

// Reason says why Run returned.
type Reason uint8

// Exit reasons.
const (
	// ExitBudget: the instruction budget is spent.
	ExitBudget Reason = iota
	// ExitInterrupt: a software interrupt (int n, int3, into) was executed;
	// EIP is after the instruction. Vector says which.
	ExitInterrupt
	// ExitFault: an exception; EIP is at the faulting instruction, which
	// can be restarted. Vector, ErrorCode and (for #PF) Addr describe it.
	ExitFault
	// ExitHalt: hlt at CPL 0.
	ExitHalt
	// ExitInternal: the emulator hit a bug of its own; Err has the details.
	// The guest state is as before the instruction.
	ExitInternal
)

// Exit describes why Run returned.
type Exit struct {
	Reason    Reason
	Vector    uint8
	ErrorCode uint32
	Addr      uint32 // CR2 for page faults
	Err       error
}

func (e Exit) String() string {
	switch e.Reason {
	case ExitBudget:
		return "budget"
	case ExitInterrupt:
		return fmt.Sprintf("int %#x", e.Vector)
	case ExitFault:
		if e.Vector == VecPageFault {
			return fmt.Sprintf("page fault at %#x (code %#x)", e.Addr, e.ErrorCode)
		}
		return fmt.Sprintf("exception %d (code %#x)", e.Vector, e.ErrorCode)
	case ExitHalt:
		return "hlt"
	default:
		return fmt.Sprintf("internal error: %v", e.Err)
	}
}

// Descriptor is a segment descriptor as far as a flat-model kernel needs
// one: where the segment starts, whether it can be loaded, and its DPL.
type Descriptor struct {
	Base    uint32
	Limit   uint32 // in bytes, inclusive
	Present bool
	DPL     uint8
	Code    bool
}

// GDT entries Linux i386 uses.
const (
	GDTEntries    = 32
	GDTTLSFirst   = 6 // three TLS slots for set_thread_area: 6, 7, 8
	GDTTLSCount   = 3
	GDTKernelCS   = 12
	GDTKernelDS   = 13
	GDTUserCS     = 14
	GDTUserDS     = 15
	SelUserCS     = GDTUserCS<<3 | 3
	SelUserDS     = GDTUserDS<<3 | 3
	SelKernelCS   = GDTKernelCS << 3
	SelKernelDS   = GDTKernelDS << 3
	userSpaceTop  = 0xC0000000
	tlbBits       = 10
	tlbSize       = 1 << tlbBits
	itlbSize      = 64
	invalidPage   = 0xFFFFFFFF
	maxInstLength = 15
)

// CPU is one i686 processor. The kernel switches tasks by saving and
// restoring State.
type CPU struct {
	State

	Phys *memory.Phys
	GDT  [GDTEntries]Descriptor

	// Instructions counts retired instructions since the CPU was made.
	Instructions uint64

	left   uint64 // instructions left in the current Run
	budget uint64 // the current Run's budget
	start  uint32 // EIP of the instruction being executed
	exit   Exit   // the exit a fault handler panics with, or stop's
	// stopping: an instruction asked Run to return c.exit after it.
	stopping bool

	// Software TLB: page number to frame, one table for reads and one
	// for writes. Entries are valid for the current CR3 and CPL.
	rtlb, wtlb [tlbSize]tlbEntry
	tlbSuper   bool // the TLB holds supervisor-only pages

	code     []*codePage // decoded instructions, by PFN
	fetchVPN uint32      // page of the current code page
	fetch    *codePage
	// itlb remembers recent code pages by virtual page, so jumps between
	// pages (calls into libc, callbacks) skip the page walk. An entry is
	// good while code[pfn] still holds its code page; the TLB flushes
	// clear it.
	itlb [itlbSize]itlbEntry

	// The block running (block.go): its start, the budget before it and
	// the op in progress, by index (no pointer store, so no write
	// barrier, per instruction); pos is -1 outside a block's straight part.
	blkEIP  uint32
	blkLeft uint64
	blk     *block
	pos     int

	// Trace hooks for the debugger; nil when unused.
	OnInstruction func(c *CPU) bool // return true to stop before executing

	// The block compiler's arena (jit_run.go; in the browser, its compiled
	// regions, jit_wasm.go), and what compiled code
	// reports when it returns: a side exit, and a jump to link.
	jit      *jitArena
	jitSide  uint8
	jitPatch uintptr
}

// State is everything a context switch saves.
type State struct {
	R      [8]uint32
	EIP    uint32
	Seg    [6]uint16
	SegBas [6]uint32
	CPL    uint8
	CR3    uint32 // PFN of the page directory
	CR2    uint32
	flagsState
	FPU x87.FPU
}

type itlbEntry struct {
	vpn, pfn uint32
	cp       *codePage
}

type tlbEntry struct {
	vpn  uint32
	page *memory.Page
}

// New returns a CPU that uses phys as memory. Registers are zero, CPL 3,
// and the GDT holds Linux's flat user and kernel segments.
func New(phys *memory.Phys) *CPU {
	fastPathsOnce.Do(installFastPaths)
	c := &CPU{Phys: phys, pos: -1}
	flat := Descriptor{Limit: 0xFFFFFFFF, Present: true}
	c.GDT[GDTKernelCS], c.GDT[GDTKernelDS] = flat, flat
	c.GDT[GDTKernelCS].Code = true
	c.GDT[GDTUserCS], c.GDT[GDTUserDS] = flat, flat
	c.GDT[GDTUserCS].Code, c.GDT[GDTUserCS].DPL, c.GDT[GDTUserDS].DPL = true, 3, 3
	c.CPL = 3
	c.Seg = [6]uint16{SelUserDS, SelUserCS, SelUserDS, SelUserDS, 0, 0}
	c.flags = flagReserved | flagIF
	c.FPU.Reset()
	c.FlushTLB()
	phys.OnCodeWrite = c.dropCode
	return c
}

// Run executes at most budget instructions and says why it stopped.
func (c *CPU) Run(budget uint64) (exit Exit) {
	c.left, c.budget = budget, budget
	c.stopping = false
	defer func() {
		c.blockFault()
		c.Instructions += budget - c.left
		c.left, c.budget = 0, 0
		if r := recover(); r != nil {
			c.EIP = c.start
			if r == errFault {
				exit = c.exit
				return
			}
			exit = Exit{Reason: ExitInternal, Err: fmt.Errorf("cpu: internal error at eip %#08x: %v\n%s", c.start, r, debug.Stack())}
		}
	}()
	return c.loop()
}

var fastPathsOnce sync.Once

// errFault is the panic value of a guest exception; c.exit holds it.
var errFault = &struct{ string }{"guest fault"}

// raise stops the current instruction with an exception.
func (c *CPU) raise(vector uint8, code uint32) {
	c.exit = Exit{Reason: ExitFault, Vector: vector, ErrorCode: code}
	panic(errFault)
}

// stop ends Run after the current instruction completes (EIP already
// advanced), for software interrupts and hlt. The handler returns
// normally: invalidating fetchVPN sends the loop to its lookup path, which
// checks stopping, so system calls avoid the cost of a panic.
func (c *CPU) stop(e Exit) {
	c.exit = e
	c.stopping = true
	c.fetchVPN = invalidPage
}

// loop is the interpreter's inner loop. Most instructions run inside
// blocks (block.go): the loop finds the instruction at EIP through the
// current code page and, when the budget covers its block and no hook
// watches, runs the whole block. Otherwise it runs that one instruction,
// splitting a fused pair when only one instruction is left or a hook
// must see each one.
func (c *CPU) loop() Exit {
	left := c.left
	eip := c.EIP
	interpretNext := false // after a side exit, the interpreter goes first
run:
	for left > 0 && !c.stopping {
		// The fetch and decode below can fault too: with what has
		// retired counted (a jump into an unmapped page, say).
		c.start, c.left = eip, left
		if eip>>memory.PageShift != c.fetchVPN {
			c.setFetchPage(eip)
		}
		in := c.fetch.inst[eip&memory.PageMask]
		if in == nil {
			in = c.decodeAt(eip)
		}
		if c.OnInstruction == nil {
			if in.blk == nil && in.cached && useBlocks {
				c.buildBlock(eip, in)
			}
			if b := in.blk; b != nil && b.n <= left {
				if UseJIT && !interpretNext && c.jitReady(b, eip) && b.jit.n <= left {
					c.EIP, c.left = eip, left
					interpretNext = c.runJIT(b)
					eip, left = c.EIP, c.left
					continue
				}
				interpretNext = false
				for {
					// runBlock, written out here to save a call per block.
					vpn := c.fetchVPN
					c.blkEIP, c.blkLeft, c.blk = eip, left, b
					ops := b.ops
					last := len(ops) - 1
					if i := c.runStraight(ops, vpn); i < last { // it wrote to this code page
						c.pos = -1
						eip += ops[i+1].off
						left = c.blkLeft - uint64(ops[i+1].done)
						continue run // the rest is decoded afresh
					}
					c.pos = -1
					op := &ops[last]
					eip += op.off
					left -= uint64(op.done)
					c.start = eip
					c.EIP = eip + uint32(op.in.len)
					c.left = left
					op.exec(c, op.in)
					left -= 1 + uint64(op.in.extra)
					eip = c.EIP
					// Go on to the next block straight from this one's
					// links when it is in the same, unchanged code page,
					// or through the itlb (setFetchPage's fast path) when
					// a call or return went to another page.
					if c.fetchVPN != vpn {
						break
					}
					if eip>>memory.PageShift != vpn {
						if b = c.blockInOtherPage(eip); b == nil || b.n > left || b.jitWanted() {
							break
						}
						continue
					}
					if l := &b.link[0]; l.eip == eip && l.b != nil {
						b = l.b // the usual case, without the call
					} else {
						b = b.next(c, eip)
					}
					if b == nil || b.n > left || b.jitWanted() {
						break
					}
				}
				continue
			}
		}
		if in.extra != 0 && (left <= uint64(in.extra) || c.OnInstruction != nil) {
			in = in.alt // a fused pair that must run one instruction at a time
		}
		if c.OnInstruction != nil {
			c.EIP = eip
			if c.OnInstruction(c) {
				c.left = left
				return Exit{Reason: ExitBudget}
			}
		}
		c.EIP = eip + uint32(in.len)
		c.left = left
		in.exec(c, in)
		left -= 1 + uint64(in.extra)
		eip = c.EIP
	}
	c.left = left
	if c.stopping {
		c.stopping = false
		return c.exit
	}
	return Exit{Reason: ExitBudget}
}

// blockInOtherPage makes eip's page the code page and returns the block
// at eip when the itlb knows the page and the block is built, or nil,
// leaving the rest to the loop's lookup path.
func (c *CPU) blockInOtherPage(eip uint32) *block {
	vpn := eip >> memory.PageShift
	ie := &c.itlb[vpn&(itlbSize-1)]
	if ie.vpn != vpn || ie.cp == nil || c.code[ie.pfn] != ie.cp {
		return nil
	}
	c.fetch, c.fetchVPN = ie.cp, vpn
	if in := ie.cp.inst[eip&memory.PageMask]; in != nil {
		return in.blk
	}
	return nil
}

// runStraight runs a block's straight part, all ops but the last, and
// returns the index of the last op, or of the op that wrote to the code
// page (vpn) and so ended the run early. A function of its own so the
// loop state that survives each handler call is small.
func (c *CPU) runStraight(ops []blockOp, vpn uint32) int {
	last := len(ops) - 1
	for i := 0; i < last; i++ {
		c.pos = i
		op := &ops[i]
		op.exec(c, op.in)
		if c.fetchVPN != vpn {
			return i
		}
	}
	return last
}

// useBlocks enables block execution; tests turn it off to compare.
var useBlocks = true

// Retired returns the number of instructions retired so far, including
// those of a Run in progress.
func (c *CPU) Retired() uint64 {
	if op := c.curOp(); op != nil {
		return c.Instructions + c.budget - (c.blkLeft - uint64(op.done))
	}
	return c.Instructions + c.budget - c.left
}

// SetCR3 switches address space (page directory frame) and flushes the TLB.
func (c *CPU) SetCR3(dir uint32) {
	c.CR3 = dir
	c.FlushTLB()
}

// SetCPL changes privilege level, as an interrupt gate or iret would.
func (c *CPU) SetCPL(cpl uint8) {
	if cpl == 3 && c.tlbSuper {
		c.FlushTLB()
	}
	c.CPL = cpl
}

// LoadState restores a saved context (a task switch): registers, address
// space and privilege level.
func (c *CPU) LoadState(s *State) {
	c.State = *s
	c.FlushTLB()
}

// Reg returns a general-purpose register by number.
func (c *CPU) Reg(r int) uint32 { return c.R[r] }
