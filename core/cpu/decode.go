package cpu

import (
	"encoding/binary"

	"trapdoor/core/memory"
)

// Inst is one decoded instruction: its length, prefixes, operands and the
// handler that executes it. Decoding happens once per instruction per
// physical frame; Inst values are then shared until the frame is written.
type Inst struct {
	exec func(*CPU, *Inst)

	Op     uint16 // opcode: 0x00-0xFF, or 0x100|b for 0F b
	len    uint8
	ModRM  uint8
	mod    uint8 // ModRM fields
	reg    uint8
	rm     uint8
	seg    uint8 // segment whose base is added to memory operands
	rep    uint8 // 0, prefixREP (F3) or prefixREPNE (F2)
	lock   bool
	op16   bool  // 0x66: 16-bit operands
	addr16 bool  // 0x67: 16-bit addressing
	base   uint8 // memory operand base register, or noReg
	index  uint8 // memory operand index register, or noReg
	scale  uint8 // index shift count
	disp   uint32
	imm    uint32 // first immediate (sign- or zero-extended as the opcode says)
	imm2   uint32 // second immediate (enter's nesting level, far pointer selector)
	cached bool   // held in a code page's table (it does not cross pages)
	blk    *block // the block starting here, once built (block.go)
	fx     flagEffect
	nf     handler // exec without recording flags, for elideFlags

	// Compare-and-branch fusion (see fuse): a cmp or test (or a sub,
	// dec, add, and on a register) immediately followed by a jcc in the
	// same page executes as one Inst that retires both. alt is the cmp alone, for when the budget has room for only
	// one instruction or a debugger hook watches every instruction.
	fuse   handler      // the fused variant of exec, if this instruction can fuse
	fusecc *[16]handler // or better, the fused variants by condition code
	alt    *Inst
	extra  uint8  // instructions retired beyond the first (1 when fused)
	cc     uint8  // the jcc's condition
	jrel   uint32 // the jcc's displacement
}

const (
	noReg       = 8
	prefixREP   = 0xF3
	prefixREPNE = 0xF2
)

// Len is the instruction's length in bytes.
func (in *Inst) Len() int { return int(in.len) }

// isMem reports whether the ModRM operand is in memory.
func (in *Inst) isMem() bool { return in.mod != 3 }

// Operand forms: which bytes follow the opcode.
type argForm uint16

const (
	argModRM  argForm = 1 << iota
	argImm8           // imm8, sign-extended into imm
	argImm8U          // imm8, zero-extended
	argImmV           // imm16 or imm32 by operand size
	argImm16          // imm16 regardless of operand size
	argRel8           // rel8, sign-extended
	argRelV           // rel16/rel32 by operand size
	argMoffs          // absolute address by address size (disp)
	argFarPtr         // ptr16:16/32 (imm, imm2)
	argEnter          // imm16, imm8 (enter)
)

// handler executes an instruction.
type handler = func(*CPU, *Inst)

// opcode is one row of the instruction table.
type opcode struct {
	name  string
	args  argForm
	h16   handler // operand size 16 (0x66)
	h32   handler // operand size 32; byte-sized opcodes use the same handler for both
	group *[8]opcode

	// Optional specialisations of h32 (see ops_fast.go): for the register
	// (mod 3) and memory forms of a ModRM operand with 32-bit addressing,
	// and for opcodes without ModRM.
	reg32, mem32, fast32 handler
	// Their variants fused with a following jcc, for cmp and test.
	jreg32, jmem32, jfast32 handler
	// And one per condition code, where generated (ops_fast_alu.go).
	jccreg32, jccmem32, jccfast32 *[16]handler
	// What the specialisations do with the flags, and their variants
	// that skip recording them (see elideFlags).
	fxreg32, fxmem32, fxfast32 flagEffect
	nfreg32, nffast32          handler
}

// The instruction tables, filled in by the ops files' init functions
// through def, defGroup and friends.
var (
	oneByte [256]opcode
	twoByte [256]opcode
)

// sized makes a table row whose handler depends on operand size.
func sized(name string, args argForm, h16, h32 handler) opcode {
	return opcode{name: name, args: args, h16: h16, h32: h32}
}

// fixed makes a table row with one handler for every operand size.
func fixed(name string, args argForm, h handler) opcode {
	return opcode{name: name, args: args, h16: h, h32: h}
}

// useFastPaths selects the reg32/mem32 specialisations; tests turn it off
// to check them against the generic handlers.
var useFastPaths = true

// decoder reads instruction bytes from guest memory through the CPU's
// translation, faulting like an instruction fetch.
type decoder struct {
	c       *CPU
	eip     uint32
	n       uint32 // bytes consumed
	page    *memory.Page
	vpn     uint32
	crossed bool // the instruction spans two pages
	stay    bool // decoding ahead: stop at the page boundary (errCross)
}

func (d *decoder) byte() uint8 {
	if d.n >= maxInstLength {
		d.c.raise(VecGeneral, 0)
	}
	a := d.eip + d.n
	if a>>memory.PageShift != d.vpn {
		if d.stay && d.n > 0 {
			panic(errCross)
		}
		d.page = d.c.rpage(a)
		d.vpn = a >> memory.PageShift
		d.crossed = d.n > 0
	}
	d.n++
	return d.page[a&memory.PageMask]
}

func (d *decoder) u16() uint16 { return uint16(d.byte()) | uint16(d.byte())<<8 }
func (d *decoder) u32() uint32 { return uint32(d.u16()) | uint32(d.u16())<<16 }

// decodeAt decodes the instruction at eip and caches it when it lies in
// one page. Undefined opcodes decode to an instruction that raises #UD.
func (c *CPU) decodeAt(eip uint32) *Inst { return c.decode(eip, false) }

// decode is decodeAt; with stay set it panics with errCross rather than
// read past the page of eip.
func (c *CPU) decode(eip uint32, stay bool) *Inst {
	d := decoder{c: c, eip: eip, vpn: invalidPage, stay: stay}
	in := &Inst{seg: DS, base: noReg, index: noReg}
	d.decode(in)
	in.len = uint8(d.n)
	if !d.crossed && c.fetch != nil {
		in.cached = true
		if in.fuse != nil && useFusion {
			in = c.fuse(in, eip)
		}
		c.fetch.inst[eip&memory.PageMask] = in
	}
	return in
}

// useFusion enables compare-and-branch fusion; tests turn it off to check
// the fused handlers against the separate instructions.
var useFusion = true

// useFusionByCC picks the fused handlers specialised by condition code;
// tests turn it off to check them against the generic fused ones.
var useFusionByCC = true

// fuse returns a fused flag-setter+jcc Inst for in when a jcc (without
// prefixes) follows it in the same page, or in itself. The jcc bytes are
// read straight from the page: they lie in the frame being decoded, so
// any later write to them drops this Inst with the rest of the page.
func (c *CPU) fuse(in *Inst, eip uint32) *Inst {
	next := eip + uint32(in.len)
	off := next & memory.PageMask
	if off == 0 {
		return in // the jcc would be on the next page
	}
	page := c.rpage(next)
	f := *in
	switch b := page[off]; {
	case b >= 0x70 && b <= 0x7F && off+1 < memory.PageSize:
		f.cc, f.jrel, f.len = b&0xF, uint32(int8(page[off+1])), in.len+2
	case b == 0x0F && off+5 < memory.PageSize && page[off+1] >= 0x80 && page[off+1] <= 0x8F:
		f.cc, f.jrel, f.len = page[off+1]&0xF, binary.LittleEndian.Uint32(page[off+2:]), in.len+6
	default:
		return in
	}
	f.exec, f.alt, f.extra = in.fuse, in, 1
	if in.fusecc != nil && useFusionByCC {
		f.exec = in.fusecc[f.cc]
	}
	return &f
}

// Decode decodes the instruction at eip without executing or caching it
// (for disassembly views that want the CPU's own reading).
func (c *CPU) Decode(eip uint32) (in *Inst, exit *Exit) {
	defer func() {
		if r := recover(); r != nil {
			if r != errFault {
				panic(r)
			}
			e := c.exit
			exit = &e
		}
	}()
	d := decoder{c: c, eip: eip, vpn: invalidPage}
	in = &Inst{seg: DS, base: noReg, index: noReg}
	d.decode(in)
	in.len = uint8(d.n)
	return in, nil
}

func (d *decoder) decode(in *Inst) {
	var b uint8
prefixes:
	for {
		b = d.byte()
		switch b {
		case 0x26:
			in.seg = ES
		case 0x2E:
			in.seg = CS
		case 0x36:
			in.seg = SS
		case 0x3E:
			in.seg = DS
		case 0x64:
			in.seg = FS
		case 0x65:
			in.seg = GS
		case 0x66:
			in.op16 = true
		case 0x67:
			in.addr16 = true
		case 0xF0:
			in.lock = true
		case 0xF2, 0xF3:
			in.rep = b
		default:
			break prefixes
		}
	}
	var row *opcode
	if b == 0x0F {
		b = d.byte()
		in.Op = 0x100 | uint16(b)
		row = &twoByte[b]
	} else {
		in.Op = uint16(b)
		row = &oneByte[b]
	}
	args := row.args
	if row.group != nil {
		args |= argModRM
	}
	if args&argModRM != 0 {
		d.modrm(in)
		if row.group != nil {
			row = &row.group[in.reg]
			args |= row.args
		}
	}
	h := row.h32
	switch {
	case in.op16:
		h = row.h16
	case !useFastPaths:
	case args&argModRM == 0:
		if row.fast32 != nil {
			h, in.fuse, in.fusecc = row.fast32, row.jfast32, row.jccfast32
			in.fx, in.nf = row.fxfast32, row.nffast32
		}
	case in.addr16:
	case in.mod == 3 && row.reg32 != nil:
		h, in.fuse, in.fusecc = row.reg32, row.jreg32, row.jccreg32
		in.fx, in.nf = row.fxreg32, row.nfreg32
	case in.mod != 3 && row.mem32 != nil:
		h, in.fuse, in.fusecc = row.mem32, row.jmem32, row.jccmem32
		in.fx = row.fxmem32
	}
	if h == nil {
		in.exec = undefined
		in.fx, in.nf = fxRead, nil
		return
	}
	in.exec = h
	d.immediates(in, args)
	if in.fx == fxKill && in.Op == 0xC1 && in.imm&31 == 0 {
		in.fx = fxPass // a shift by 0 leaves the flags alone
	}
}

func (d *decoder) immediates(in *Inst, args argForm) {
	switch {
	case args&argImm8 != 0:
		in.imm = uint32(int8(d.byte()))
	case args&argImm8U != 0:
		in.imm = uint32(d.byte())
	case args&argImm16 != 0:
		in.imm = uint32(d.u16())
	case args&argImmV != 0:
		if in.op16 {
			in.imm = uint32(d.u16())
		} else {
			in.imm = d.u32()
		}
	case args&argRel8 != 0:
		in.imm = uint32(int8(d.byte()))
	case args&argRelV != 0:
		if in.op16 {
			in.imm = uint32(int16(d.u16()))
		} else {
			in.imm = d.u32()
		}
	case args&argMoffs != 0:
		if in.addr16 {
			in.disp = uint32(d.u16())
		} else {
			in.disp = d.u32()
		}
	case args&argFarPtr != 0:
		if in.op16 {
			in.imm = uint32(d.u16())
		} else {
			in.imm = d.u32()
		}
		in.imm2 = uint32(d.u16())
	case args&argEnter != 0:
		in.imm = uint32(d.u16())
		in.imm2 = uint32(d.byte())
	}
}

// modrm decodes the ModRM byte and, for memory operands, the SIB byte and
// displacement.
func (d *decoder) modrm(in *Inst) {
	m := d.byte()
	in.ModRM = m
	in.mod, in.reg, in.rm = m>>6, (m>>3)&7, m&7
	if in.mod == 3 {
		return
	}
	if in.addr16 {
		d.modrm16(in)
		return
	}
	switch {
	case in.rm == 4: // SIB
		sib := d.byte()
		in.scale, in.index, in.base = sib>>6, (sib>>3)&7, sib&7
		if in.index == ESP {
			in.index = noReg
		}
		if in.base == EBP && in.mod == 0 {
			in.base = noReg
			in.disp = d.u32()
		}
	case in.rm == 5 && in.mod == 0:
		in.disp = d.u32()
	default:
		in.base = in.rm
	}
	if in.base == ESP || in.base == EBP {
		in.defaultSeg(SS)
	}
	switch in.mod {
	case 1:
		in.disp = uint32(int8(d.byte()))
	case 2:
		in.disp = d.u32()
	}
}

// defaultSeg sets the segment of a memory operand when no prefix chose one.
// Only FS and GS have non-zero bases in Linux, so this is for show.
func (in *Inst) defaultSeg(s uint8) {
	if in.seg == DS {
		in.seg = s
	}
}

var modrm16Regs = [8][2]uint8{
	{EBX, ESI}, {EBX, EDI}, {EBP, ESI}, {EBP, EDI},
	{ESI, noReg}, {EDI, noReg}, {EBP, noReg}, {EBX, noReg},
}

func (d *decoder) modrm16(in *Inst) {
	if in.mod == 0 && in.rm == 6 {
		in.disp = uint32(d.u16())
		return
	}
	in.base, in.index = modrm16Regs[in.rm][0], modrm16Regs[in.rm][1]
	switch in.mod {
	case 1:
		in.disp = uint32(int8(d.byte()))
	case 2:
		in.disp = uint32(d.u16())
	}
}

// ea computes a memory operand's linear address.
func (c *CPU) ea(in *Inst) uint32 { return c.offset(in) + c.SegBas[in.seg] }

// offset computes a memory operand's effective address within its
// segment (what lea loads).
func (c *CPU) offset(in *Inst) uint32 {
	a := in.disp
	if in.base != noReg {
		a += c.R[in.base]
	}
	if in.index != noReg {
		a += c.R[in.index] << in.scale
	}
	if in.addr16 {
		a &= 0xFFFF
	}
	return a
}

func undefined(c *CPU, in *Inst) { c.raise(VecInvalidOp, 0) }

// codePage holds the decoded instructions of one physical frame, by offset.
type codePage struct {
	inst [memory.PageSize]*Inst
}

// setFetchPage makes the page holding eip the current code page.
func (c *CPU) setFetchPage(eip uint32) {
	vpn := eip >> memory.PageShift
	ie := &c.itlb[vpn&(itlbSize-1)]
	if ie.vpn == vpn && ie.cp != nil && c.code[ie.pfn] == ie.cp {
		c.fetch, c.fetchVPN = ie.cp, vpn
		return
	}
	pfn, pte, f := c.Phys.Walk(c.CR3, eip, c.access(false))
	if f != nil {
		c.CR2 = f.Addr
		c.exit = Exit{Reason: ExitFault, Vector: VecPageFault, ErrorCode: f.Code, Addr: f.Addr}
		panic(errFault)
	}
	if pte&memory.PTEUser == 0 {
		// A kernel code page: dropping to CPL 3 must forget it (SetCPL).
		c.tlbSuper = true
	}
	for int(pfn) >= len(c.code) {
		c.code = append(c.code, nil)
	}
	cp := c.code[pfn]
	if cp == nil || !c.Phys.IsCode(pfn) {
		cp = new(codePage)
		c.code[pfn] = cp
		c.Phys.WatchCode(pfn)
		// Writes to this frame must now take the slow path.
		page := c.Phys.Page(pfn)
		for i := range c.wtlb {
			if c.wtlb[i].page == page {
				c.wtlb[i].vpn = invalidPage
			}
		}
	}
	c.fetch = cp
	c.fetchVPN = vpn
	*ie = itlbEntry{vpn, pfn, cp}
}

// dropCode forgets the instructions decoded from a frame that is about to
// change.
func (c *CPU) dropCode(pfn uint32) {
	if int(pfn) < len(c.code) && c.code[pfn] != nil {
		if c.fetch == c.code[pfn] {
			c.fetchVPN = invalidPage
		}
		c.code[pfn] = nil
	}
}
