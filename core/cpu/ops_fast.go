package cpu

import (
	"encoding/binary"
	"math/bits"

	"trapdoor/core/memory"
)

//go:generate go run ./internal/fastgen -o ops_fast_alu.go

// Fast paths: the 32-bit (and a few 8-bit) register and memory forms of
// the instructions compilers emit most, without generics and with the TLB
// hit inline. The generic handlers go through four or five calls (getRM,
// load, read32, rpage) with dictionary arguments; these make no call on a
// TLB hit. The decoder picks them by operand size and ModRM form
// (opcode.reg32, mem32 and fast32); everything else keeps the generic
// handlers, which the hardware vectors check and fast_test.go compares
// these against.
//
// The hit helpers (ld32hit and friends) contain no calls so that the Go
// compiler inlines them; a miss falls back to the general accessors in
// mem.go at the call site.

// ld32hit reads a dword when the read TLB maps it within one page.
func (c *CPU) ld32hit(a uint32) (uint32, bool) {
	e := &c.rtlb[(a>>memory.PageShift)&(tlbSize-1)]
	if o := a & memory.PageMask; e.vpn == a>>memory.PageShift && o <= memory.PageSize-4 {
		return binary.LittleEndian.Uint32(e.page[o:]), true
	}
	return 0, false
}

// st32hit writes a dword when the write TLB maps it within one page.
func (c *CPU) st32hit(a, v uint32) bool {
	e := &c.wtlb[(a>>memory.PageShift)&(tlbSize-1)]
	if o := a & memory.PageMask; e.vpn == a>>memory.PageShift && o <= memory.PageSize-4 {
		binary.LittleEndian.PutUint32(e.page[o:], v)
		return true
	}
	return false
}

// wpage32 returns the page of a dword the write TLB maps within one page
// (then it is readable too), or nil.
func (c *CPU) wpage32(a uint32) *memory.Page {
	e := &c.wtlb[(a>>memory.PageShift)&(tlbSize-1)]
	if e.vpn == a>>memory.PageShift && a&memory.PageMask <= memory.PageSize-4 {
		return e.page
	}
	return nil
}

// ld8hit and st8hit are the byte versions.
func (c *CPU) ld8hit(a uint32) (uint8, bool) {
	e := &c.rtlb[(a>>memory.PageShift)&(tlbSize-1)]
	if e.vpn == a>>memory.PageShift {
		return e.page[a&memory.PageMask], true
	}
	return 0, false
}

func (c *CPU) st8hit(a uint32, v uint8) bool {
	e := &c.wtlb[(a>>memory.PageShift)&(tlbSize-1)]
	if e.vpn == a>>memory.PageShift {
		e.page[a&memory.PageMask] = v
		return true
	}
	return false
}

// ld32 and st32 are for the less hot handlers: one call, then the hit.
func (c *CPU) ld32(a uint32) uint32 {
	if v, ok := c.ld32hit(a); ok {
		return v
	}
	return c.read32(a)
}

func (c *CPU) st32(a, v uint32) {
	if !c.st32hit(a, v) {
		c.write32(a, v)
	}
}

func (c *CPU) lazy32(op lazyOp, a, b, r uint32) {
	c.op, c.size, c.a, c.b, c.res = op, 4, a, b, r
}

func (c *CPU) lazy8(op lazyOp, a, b, r uint8) {
	c.op, c.size, c.a, c.b, c.res = op, 1, uint32(a), uint32(b), uint32(r)
}

func movEGr32(c *CPU, in *Inst) { c.R[in.rm&7] = c.R[in.reg&7] }

func movEGm32(c *CPU, in *Inst) {
	if ea, v := c.ea32(in), c.R[in.reg&7]; !c.st32hit(ea, v) {
		c.write32(ea, v)
	}
}

func movGEr32(c *CPU, in *Inst) { c.R[in.reg&7] = c.R[in.rm&7] }

func movGEm32(c *CPU, in *Inst) {
	ea := c.ea32(in)
	v, ok := c.ld32hit(ea)
	if !ok {
		v = c.read32(ea)
	}
	c.R[in.reg&7] = v
}

func movEIr32(c *CPU, in *Inst) { c.R[in.rm&7] = in.imm }

func movEIm32(c *CPU, in *Inst) {
	if ea := c.ea32(in); !c.st32hit(ea, in.imm) {
		c.write32(ea, in.imm)
	}
}

func movRI32(c *CPU, in *Inst) { c.R[in.Op&7] = in.imm }

// Byte moves and compares, frequent in string and table code.
func movEGm8(c *CPU, in *Inst) {
	if ea, v := c.ea32(in), getReg[uint8](c, in.reg); !c.st8hit(ea, v) {
		c.write8(ea, v)
	}
}

func movGEm8(c *CPU, in *Inst) {
	ea := c.ea32(in)
	v, ok := c.ld8hit(ea)
	if !ok {
		v = c.read8(ea)
	}
	setReg(c, in.reg, v)
}

func movEIm8(c *CPU, in *Inst) {
	if ea := c.ea32(in); !c.st8hit(ea, uint8(in.imm)) {
		c.write8(ea, uint8(in.imm))
	}
}

func cmpEIm8(c *CPU, in *Inst) {
	ea := c.ea32(in)
	a, ok := c.ld8hit(ea)
	if !ok {
		a = c.read8(ea)
	}
	b := uint8(in.imm)
	c.lazy8(lazySub, a, b, a-b)
}

func cmpEIr8(c *CPU, in *Inst) {
	a, b := getReg[uint8](c, in.rm), uint8(in.imm)
	c.lazy8(lazySub, a, b, a-b)
}

func movzxB32r(c *CPU, in *Inst) { c.R[in.reg&7] = uint32(getReg[uint8](c, in.rm)) }

func movzxB32m(c *CPU, in *Inst) {
	ea := c.ea32(in)
	v, ok := c.ld8hit(ea)
	if !ok {
		v = c.read8(ea)
	}
	c.R[in.reg&7] = uint32(v)
}

func movsxB32r(c *CPU, in *Inst) { c.R[in.reg&7] = uint32(int32(int8(getReg[uint8](c, in.rm)))) }

func movsxB32m(c *CPU, in *Inst) {
	ea := c.ea32(in)
	v, ok := c.ld8hit(ea)
	if !ok {
		v = c.read8(ea)
	}
	c.R[in.reg&7] = uint32(int32(int8(v)))
}

// ea32 is ea for the fast paths, which the decoder picks only with
// 32-bit addressing: no 16-bit wrap to test.
func (c *CPU) ea32(in *Inst) uint32 {
	a := in.disp
	if in.base != noReg {
		a += c.R[in.base&7]
	}
	if in.index != noReg {
		a += c.R[in.index&7] << in.scale
	}
	return a + c.SegBas[in.seg]
}

// lea with 32-bit addressing: no segment base.
func lea32(c *CPU, in *Inst) {
	a := in.disp
	if in.base != noReg {
		a += c.R[in.base&7]
	}
	if in.index != noReg {
		a += c.R[in.index&7] << in.scale
	}
	c.R[in.reg&7] = a
}

func inc32r(c *CPU, in *Inst) {
	cin := c.cfBit()
	r := &c.R[in.Op&7]
	v := *r
	*r = v + 1
	c.lazy32(lazyInc, v, 1, v+1)
	c.cin = cin
}

func dec32r(c *CPU, in *Inst) {
	cin := c.cfBit()
	r := &c.R[in.Op&7]
	v := *r
	*r = v - 1
	c.lazy32(lazyDec, v, 1, v-1)
	c.cin = cin
}

// imul r32,r/m32 and imul r32,r/m32,imm
func imulGEr32(c *CPU, in *Inst) { c.R[in.reg&7] = c.imul32(c.R[in.reg&7], c.R[in.rm&7]) }

func imulGEm32(c *CPU, in *Inst) { c.R[in.reg&7] = c.imul32(c.R[in.reg&7], c.ld32(c.ea32(in))) }

func imulGEIr32(c *CPU, in *Inst) { c.R[in.reg&7] = c.imul32(c.R[in.rm&7], in.imm) }

func imulGEIm32(c *CPU, in *Inst) { c.R[in.reg&7] = c.imul32(c.ld32(c.ea32(in)), in.imm) }

func (c *CPU) imul32(a, b uint32) uint32 {
	p := int64(int32(a)) * int64(int32(b))
	r := uint32(p)
	ov := p != int64(int32(r))
	c.lazy32(lazyCO, 0, 0, r)
	c.cin = b2u(ov) | b2u(ov)<<1
	return r
}

// shl/shr/sar r32 by an immediate, 1 or CL (C1 D1 D3 /4 /5 /6 /7); the
// rotates and memory forms take the generic path.
func shiftIr32(c *CPU, in *Inst)  { c.shiftr32(in, in.imm) }
func shift1r32(c *CPU, in *Inst)  { c.shiftr32(in, 1) }
func shiftCLr32(c *CPU, in *Inst) { c.shiftr32(in, c.R[ECX]) }

func (c *CPU) shiftr32(in *Inst, count uint32) {
	n := count & 31
	if n == 0 {
		return
	}
	r := &c.R[in.rm&7]
	v := *r
	var res uint32
	var cf, of bool
	switch in.reg {
	case 4, 6:
		res = v << n
		cf = v>>(32-n)&1 != 0
		of = (res>>31 != 0) != cf
	case 5:
		res = v >> n
		cf = v>>(n-1)&1 != 0
		of = (res^res<<1)>>31 != 0
	default:
		res = uint32(int32(v) >> n)
		cf = uint32(int32(v)>>(n-1))&1 != 0
	}
	*r = res
	c.lazy32(lazyCO, 0, 0, res)
	c.cin = b2u(cf) | b2u(of)<<1
}

func neg32r(c *CPU, in *Inst) {
	v := c.R[in.rm&7]
	c.R[in.rm&7] = -v
	c.lazy32(lazySub, 0, v, -v)
}

func not32r(c *CPU, in *Inst) { c.R[in.rm&7] = ^c.R[in.rm&7] }

// adc and sbb, register forms (64-bit arithmetic pairs them with add/sub).
func adcEGr32(c *CPU, in *Inst) { c.R[in.rm&7] = c.adc32(c.R[in.rm&7], c.R[in.reg&7]) }
func adcGEr32(c *CPU, in *Inst) { c.R[in.reg&7] = c.adc32(c.R[in.reg&7], c.R[in.rm&7]) }
func adcEIr32(c *CPU, in *Inst) { c.R[in.rm&7] = c.adc32(c.R[in.rm&7], in.imm) }
func sbbEGr32(c *CPU, in *Inst) { c.R[in.rm&7] = c.sbb32(c.R[in.rm&7], c.R[in.reg&7]) }
func sbbGEr32(c *CPU, in *Inst) { c.R[in.reg&7] = c.sbb32(c.R[in.reg&7], c.R[in.rm&7]) }
func sbbEIr32(c *CPU, in *Inst) { c.R[in.rm&7] = c.sbb32(c.R[in.rm&7], in.imm) }

func (c *CPU) adc32(a, b uint32) uint32 {
	cin := c.cfBit()
	r := a + b + cin
	c.lazy32(lazyAdc, a, b, r)
	c.cin = cin
	return r
}

func (c *CPU) sbb32(a, b uint32) uint32 {
	cin := c.cfBit()
	r := a - b - cin
	c.lazy32(lazySbb, a, b, r)
	c.cin = cin
	return r
}

// call, jmp and push through a register or memory (FF /2 /4 /6).
func callEr32(c *CPU, in *Inst) { c.call32to(c.R[in.rm&7]) }
func callEm32(c *CPU, in *Inst) { c.call32to(c.ld32(c.ea32(in))) }

func (c *CPU) call32to(t uint32) {
	sp := c.R[ESP] - 4
	if !c.st32hit(sp, c.EIP) {
		c.write32(sp, c.EIP)
	}
	c.R[ESP] = sp
	c.EIP = t
}

func jmpEr32(c *CPU, in *Inst) { c.EIP = c.R[in.rm&7] }
func jmpEm32(c *CPU, in *Inst) { c.EIP = c.ld32(c.ea32(in)) }

func pushEm32(c *CPU, in *Inst) {
	v := c.ld32(c.ea32(in))
	sp := c.R[ESP] - 4
	if !c.st32hit(sp, v) {
		c.write32(sp, v)
	}
	c.R[ESP] = sp
}

func movzxW32r(c *CPU, in *Inst) { c.R[in.reg&7] = c.R[in.rm&7] & 0xFFFF }
func movzxW32m(c *CPU, in *Inst) { c.R[in.reg&7] = uint32(c.read16(c.ea32(in))) }

// cmovcc reads its source whatever the condition, as the generic one does.
func cmov32r(c *CPU, in *Inst) {
	if c.cond(uint8(in.Op & 0xF)) {
		c.R[in.reg&7] = c.R[in.rm&7]
	}
}

func cmov32m(c *CPU, in *Inst) {
	if v := c.ld32(c.ea32(in)); c.cond(uint8(in.Op & 0xF)) {
		c.R[in.reg&7] = v
	}
}

func setccr(c *CPU, in *Inst) {
	var v uint8
	if c.cond(uint8(in.Op & 0xF)) {
		v = 1
	}
	setReg(c, in.rm, v)
}

func push32r(c *CPU, in *Inst) {
	sp := c.R[ESP] - 4
	if v := c.R[in.Op&7]; !c.st32hit(sp, v) {
		c.write32(sp, v)
	}
	c.R[ESP] = sp
}

func pop32r(c *CPU, in *Inst) {
	sp := c.R[ESP]
	v, ok := c.ld32hit(sp)
	if !ok {
		v = c.read32(sp)
	}
	c.R[ESP] = sp + 4
	c.R[in.Op&7] = v
}

func pushI32(c *CPU, in *Inst) {
	sp := c.R[ESP] - 4
	if !c.st32hit(sp, in.imm) {
		c.write32(sp, in.imm)
	}
	c.R[ESP] = sp
}

func call32(c *CPU, in *Inst) {
	sp := c.R[ESP] - 4
	if !c.st32hit(sp, c.EIP) {
		c.write32(sp, c.EIP)
	}
	c.R[ESP] = sp
	c.EIP += in.imm
}

func ret32(c *CPU, in *Inst) {
	sp := c.R[ESP]
	v, ok := c.ld32hit(sp)
	if !ok {
		v = c.read32(sp)
	}
	c.EIP = v
	c.R[ESP] = sp + 4
}

// No-flags variants of the hand-written register forms (see elideFlags).
func inc32rNF(c *CPU, in *Inst) { c.R[in.Op&7]++ }
func dec32rNF(c *CPU, in *Inst) { c.R[in.Op&7]-- }
func neg32rNF(c *CPU, in *Inst) { c.R[in.rm&7] = -c.R[in.rm&7] }
func imulGEr32NF(c *CPU, in *Inst) {
	c.R[in.reg&7] = uint32(int32(c.R[in.reg&7]) * int32(c.R[in.rm&7]))
}
func imulGEIr32NF(c *CPU, in *Inst) {
	c.R[in.reg&7] = uint32(int32(c.R[in.rm&7]) * int32(in.imm))
}
func shiftIr32NF(c *CPU, in *Inst)  { c.shiftr32NF(in, in.imm) }
func shift1r32NF(c *CPU, in *Inst)  { c.shiftr32NF(in, 1) }
func shiftCLr32NF(c *CPU, in *Inst) { c.shiftr32NF(in, c.R[ECX]) }

func (c *CPU) shiftr32NF(in *Inst, count uint32) {
	n := count & 31
	r := &c.R[in.rm&7]
	switch in.reg {
	case 4, 6:
		*r <<= n
	case 5:
		*r >>= n
	default:
		*r = uint32(int32(*r) >> n)
	}
}

// rol and ror r32 (C1 D1 D3 /0 /1): sha256 and hashes are full of them.
// They change only CF and OF, so the live form has to materialise the
// others; in blocks the flags are usually dead and the NF form runs.
func rotIr32(c *CPU, in *Inst)  { c.rotr32(in, in.imm) }
func rot1r32(c *CPU, in *Inst)  { c.rotr32(in, 1) }
func rotCLr32(c *CPU, in *Inst) { c.rotr32(in, c.R[ECX]) }

func (c *CPU) rotr32(in *Inst, count uint32) {
	n := int(count & 31)
	if n == 0 {
		return
	}
	v := c.R[in.rm&7]
	if in.reg == 0 {
		r := bits.RotateLeft32(v, n)
		c.R[in.rm&7] = r
		cf := r&1 != 0
		c.setRotate(cf, r>>31 != 0 != cf)
		return
	}
	r := bits.RotateLeft32(v, -n)
	c.R[in.rm&7] = r
	c.setRotate(r>>31 != 0, (r^r<<1)>>31 != 0)
}

func rotIr32NF(c *CPU, in *Inst)  { c.rotr32NF(in, in.imm) }
func rot1r32NF(c *CPU, in *Inst)  { c.rotr32NF(in, 1) }
func rotCLr32NF(c *CPU, in *Inst) { c.rotr32NF(in, c.R[ECX]) }

func (c *CPU) rotr32NF(in *Inst, count uint32) {
	n := int(count & 31)
	if in.reg != 0 {
		n = -n
	}
	c.R[in.rm&7] = bits.RotateLeft32(c.R[in.rm&7], n)
}

// installFlagEffects records, for the register and immediate forms with
// fast paths, what they do with the flags and their no-flags variants.
func installFlagEffects() {
	kill := func(row *opcode, nf handler) { row.fxreg32, row.nfreg32 = fxKill, nf }
	pass := func(row *opcode, nf handler) { row.fxreg32, row.nfreg32 = fxPass, nf }
	none := func(row *opcode) { row.fxreg32 = fxNone }
	type aluRow struct {
		eg, ge   int
		group    int
		egr, ger handler
		eir, ai  handler
		aiOp     int
	}
	for _, a := range []aluRow{
		{0x01, 0x03, 0, addEGr32NF, addGEr32NF, addEIr32NF, addAI32NF, 0x05},
		{0x09, 0x0B, 1, orEGr32NF, orGEr32NF, orEIr32NF, orAI32NF, 0x0D},
		{0x21, 0x23, 4, andEGr32NF, andGEr32NF, andEIr32NF, andAI32NF, 0x25},
		{0x29, 0x2B, 5, subEGr32NF, subGEr32NF, subEIr32NF, subAI32NF, 0x2D},
		{0x31, 0x33, 6, xorEGr32NF, xorGEr32NF, xorEIr32NF, xorAI32NF, 0x35},
		{0x39, 0x3B, 7, nop, nop, nop, nop, 0x3D},
	} {
		kill(&oneByte[a.eg], a.egr)
		kill(&oneByte[a.ge], a.ger)
		kill(&oneByte[0x81].group[a.group], a.eir)
		kill(&oneByte[0x83].group[a.group], a.eir)
		oneByte[a.aiOp].fxfast32, oneByte[a.aiOp].nffast32 = fxKill, a.ai
	}
	kill(&oneByte[0x85], nop)
	kill(&oneByte[0xF7].group[0], nop)
	oneByte[0xA9].fxfast32, oneByte[0xA9].nffast32 = fxKill, nop
	kill(&oneByte[0x80].group[7], nop)
	kill(&oneByte[0xF7].group[3], neg32rNF)
	kill(&twoByte[0xAF], imulGEr32NF)
	kill(&oneByte[0x69], imulGEIr32NF)
	kill(&oneByte[0x6B], imulGEIr32NF)
	for _, op := range []int{4, 5, 6, 7} {
		kill(&oneByte[0xC1].group[op], shiftIr32NF) // decode makes a count of 0 fxPass
		kill(&oneByte[0xD1].group[op], shift1r32NF)
		pass(&oneByte[0xD3].group[op], shiftCLr32NF)
	}
	for _, op := range []int{0, 1} {
		pass(&oneByte[0xC1].group[op], rotIr32NF)
		pass(&oneByte[0xD1].group[op], rot1r32NF)
		pass(&oneByte[0xD3].group[op], rotCLr32NF)
	}
	for _, row := range []*opcode{&oneByte[0x89], &oneByte[0x8B], &oneByte[0xC7].group[0], &twoByte[0xB6], &twoByte[0xBE], &twoByte[0xB7], &oneByte[0xF7].group[2]} {
		none(row)
	}
	oneByte[0x8D].fxmem32 = fxNone // lea reads no memory
	for r := 0; r < 8; r++ {
		oneByte[0x40+r].fxfast32, oneByte[0x40+r].nffast32 = fxPass, inc32rNF
		oneByte[0x48+r].fxfast32, oneByte[0x48+r].nffast32 = fxPass, dec32rNF
		oneByte[0xB8+r].fxfast32 = fxNone
	}
	oneByte[0x90].fast32, oneByte[0x90].fxfast32 = nop, fxNone
}

// installFastPaths adds the specialisations to the opcode tables. It runs
// once, from New, because it must come after every file's init has
// filled the rows it refines (inits run in file-name order).
func installFastPaths() {
	fast := func(row *opcode, r, m handler) { row.reg32, row.mem32 = r, m }
	fused := func(row *opcode, r, m handler) { row.jreg32, row.jmem32 = r, m }
	fusedcc := func(row *opcode, r, m *[16]handler) { row.jccreg32, row.jccmem32 = r, m }
	fused(&oneByte[0x39], cmpEGr32J, cmpEGm32J)
	fusedcc(&oneByte[0x39], &cmpEGr32Jcc, &cmpEGm32Jcc)
	fused(&oneByte[0x3B], cmpGEr32J, cmpGEm32J)
	fusedcc(&oneByte[0x3B], &cmpGEr32Jcc, &cmpGEm32Jcc)
	for _, g := range []int{0x81, 0x83} {
		fused(&oneByte[g].group[7], cmpEIr32J, cmpEIm32J)
		fusedcc(&oneByte[g].group[7], &cmpEIr32Jcc, &cmpEIm32Jcc)
	}
	fused(&oneByte[0x85], testEGr32J, testEGm32J)
	fusedcc(&oneByte[0x85], &testEGr32Jcc, &testEGm32Jcc)
	fused(&oneByte[0xF7].group[0], testEIr32J, nil)
	fusedcc(&oneByte[0xF7].group[0], &testEIr32Jcc, nil)
	fused(&oneByte[0x80].group[7], cmpEIr8J, cmpEIm8J)
	fusedcc(&oneByte[0x80].group[7], &cmpEIr8Jcc, &cmpEIm8Jcc)
	oneByte[0x3D].jfast32, oneByte[0x3D].jccfast32 = cmpAI32J, &cmpAI32Jcc
	oneByte[0xA9].jfast32, oneByte[0xA9].jccfast32 = testAI32J, &testAI32Jcc
	// Loop counters and masks: sub/dec/add/and followed by a jcc.
	fused(&oneByte[0x29], subEGr32J, nil)
	fusedcc(&oneByte[0x29], &subEGr32Jcc, nil)
	fused(&oneByte[0x2B], subGEr32J, nil)
	fusedcc(&oneByte[0x2B], &subGEr32Jcc, nil)
	for _, g := range []int{0x81, 0x83} {
		fused(&oneByte[g].group[5], subEIr32J, nil)
		fusedcc(&oneByte[g].group[5], &subEIr32Jcc, nil)
		fused(&oneByte[g].group[4], andEIr32J, nil)
		fusedcc(&oneByte[g].group[4], &andEIr32Jcc, nil)
		fused(&oneByte[g].group[0], addEIr32J, nil)
	}
	for r := 0; r < 8; r++ {
		oneByte[0x48+r].jfast32 = dec32rJ
	}
	fast(&oneByte[0x01], addEGr32, addEGm32)
	fast(&oneByte[0x03], addGEr32, addGEm32)
	fast(&oneByte[0x81].group[0], addEIr32, addEIm32)
	fast(&oneByte[0x83].group[0], addEIr32, addEIm32)
	oneByte[0x05].fast32 = addAI32
	fast(&oneByte[0x09], orEGr32, orEGm32)
	fast(&oneByte[0x0b], orGEr32, orGEm32)
	fast(&oneByte[0x81].group[1], orEIr32, orEIm32)
	fast(&oneByte[0x83].group[1], orEIr32, orEIm32)
	oneByte[0x0d].fast32 = orAI32
	fast(&oneByte[0x21], andEGr32, andEGm32)
	fast(&oneByte[0x23], andGEr32, andGEm32)
	fast(&oneByte[0x81].group[4], andEIr32, andEIm32)
	fast(&oneByte[0x83].group[4], andEIr32, andEIm32)
	oneByte[0x25].fast32 = andAI32
	fast(&oneByte[0x29], subEGr32, subEGm32)
	fast(&oneByte[0x2b], subGEr32, subGEm32)
	fast(&oneByte[0x81].group[5], subEIr32, subEIm32)
	fast(&oneByte[0x83].group[5], subEIr32, subEIm32)
	oneByte[0x2d].fast32 = subAI32
	fast(&oneByte[0x31], xorEGr32, xorEGm32)
	fast(&oneByte[0x33], xorGEr32, xorGEm32)
	fast(&oneByte[0x81].group[6], xorEIr32, xorEIm32)
	fast(&oneByte[0x83].group[6], xorEIr32, xorEIm32)
	oneByte[0x35].fast32 = xorAI32
	fast(&oneByte[0x39], cmpEGr32, cmpEGm32)
	fast(&oneByte[0x3b], cmpGEr32, cmpGEm32)
	fast(&oneByte[0x81].group[7], cmpEIr32, cmpEIm32)
	fast(&oneByte[0x83].group[7], cmpEIr32, cmpEIm32)
	oneByte[0x3d].fast32 = cmpAI32
	fast(&oneByte[0x85], testEGr32, testEGm32)
	oneByte[0xA9].fast32 = testAI32
	fast(&oneByte[0xF7].group[0], testEIr32, nil)
	fast(&oneByte[0x89], movEGr32, movEGm32)
	fast(&oneByte[0x8B], movGEr32, movGEm32)
	fast(&oneByte[0xC7].group[0], movEIr32, movEIm32)
	fast(&oneByte[0x88], nil, movEGm8)
	fast(&oneByte[0x8A], nil, movGEm8)
	fast(&oneByte[0xC6].group[0], nil, movEIm8)
	fast(&oneByte[0x80].group[7], cmpEIr8, cmpEIm8)
	fast(&twoByte[0xB6], movzxB32r, movzxB32m)
	fast(&twoByte[0xBE], movsxB32r, movsxB32m)
	fast(&oneByte[0x8D], nil, lea32)
	fast(&twoByte[0xAF], imulGEr32, imulGEm32)
	fast(&oneByte[0x69], imulGEIr32, imulGEIm32)
	fast(&oneByte[0x6B], imulGEIr32, imulGEIm32)
	for _, op := range []int{4, 5, 6, 7} {
		fast(&oneByte[0xC1].group[op], shiftIr32, nil)
		fast(&oneByte[0xD1].group[op], shift1r32, nil)
		fast(&oneByte[0xD3].group[op], shiftCLr32, nil)
	}
	fast(&oneByte[0xF7].group[2], not32r, nil)
	fast(&oneByte[0xF7].group[3], neg32r, nil)
	fast(&oneByte[0x11], adcEGr32, nil)
	fast(&oneByte[0x13], adcGEr32, nil)
	fast(&oneByte[0x19], sbbEGr32, nil)
	fast(&oneByte[0x1B], sbbGEr32, nil)
	fast(&oneByte[0x81].group[2], adcEIr32, nil)
	fast(&oneByte[0x83].group[2], adcEIr32, nil)
	fast(&oneByte[0x81].group[3], sbbEIr32, nil)
	fast(&oneByte[0x83].group[3], sbbEIr32, nil)
	fast(&oneByte[0xFF].group[2], callEr32, callEm32)
	fast(&oneByte[0xFF].group[4], jmpEr32, jmpEm32)
	fast(&oneByte[0xFF].group[6], nil, pushEm32)
	fast(&twoByte[0xB7], movzxW32r, movzxW32m)
	for cc := 0; cc < 16; cc++ {
		fast(&twoByte[0x40+cc], cmov32r, cmov32m)
		fast(&twoByte[0x90+cc], setccr, nil)
	}
	for r := 0; r < 8; r++ {
		oneByte[0x40+r].fast32 = inc32r
		oneByte[0x48+r].fast32 = dec32r
		oneByte[0x50+r].fast32 = push32r
		oneByte[0x58+r].fast32 = pop32r
		oneByte[0xB8+r].fast32 = movRI32
	}
	oneByte[0x68].fast32 = pushI32
	oneByte[0x6A].fast32 = pushI32
	oneByte[0xE8].fast32 = call32
	oneByte[0xC3].fast32 = ret32
	for _, op := range []int{0, 1} {
		fast(&oneByte[0xC1].group[op], rotIr32, nil)
		fast(&oneByte[0xD1].group[op], rot1r32, nil)
		fast(&oneByte[0xD3].group[op], rotCLr32, nil)
	}
	installFlagEffects()
}
