package cpu

// The eight classic ALU operations, in the encoding's order (the reg field
// of group 1, bits 3-5 of opcodes 00-3F).
const (
	aluADD = iota
	aluOR
	aluADC
	aluSBB
	aluAND
	aluSUB
	aluXOR
	aluCMP
)

var aluNames = [8]string{"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}

// alu computes op on a and b, sets the flags and returns the result (for
// cmp, a unchanged).
func alu[T word](c *CPU, op uint8, a, b T) T {
	var r T
	switch op {
	case aluADD:
		r = a + b
		setLazy(c, lazyAdd, a, b, r)
	case aluOR:
		r = a | b
		setLazy(c, lazyLogic, a, b, r)
	case aluADC:
		cin := c.cfBit()
		r = a + b + T(cin)
		setLazy(c, lazyAdc, a, b, r)
		c.cin = cin
	case aluSBB:
		cin := c.cfBit()
		r = a - b - T(cin)
		setLazy(c, lazySbb, a, b, r)
		c.cin = cin
	case aluAND:
		r = a & b
		setLazy(c, lazyLogic, a, b, r)
	case aluSUB:
		r = a - b
		setLazy(c, lazySub, a, b, r)
	case aluXOR:
		r = a ^ b
		setLazy(c, lazyLogic, a, b, r)
	case aluCMP:
		setLazy(c, lazySub, a, b, a-b)
		return a
	}
	return r
}

// aluTo applies op with source b to the ModRM operand.
func aluTo[T word](c *CPU, in *Inst, op uint8, b T) {
	if in.mod == 3 {
		r := alu(c, op, getReg[T](c, in.rm), b)
		if op != aluCMP {
			setReg(c, in.rm, r)
		}
		return
	}
	if op == aluCMP {
		alu(c, op, load[T](c, c.ea(in)), b)
		return
	}
	a := rmwAddr[T](c, in)
	store(c, a, alu(c, op, load[T](c, a), b))
}

// op Eb,Gb / op Ev,Gv
func aluEG[T word](c *CPU, in *Inst) {
	aluTo(c, in, uint8(in.Op>>3)&7, getReg[T](c, in.reg))
}

// op Gb,Eb / op Gv,Ev
func aluGE[T word](c *CPU, in *Inst) {
	op := uint8(in.Op>>3) & 7
	r := alu(c, op, getReg[T](c, in.reg), getRM[T](c, in))
	if op != aluCMP {
		setReg(c, in.reg, r)
	}
}

// op AL,Ib / op eAX,Iv
func aluAI[T word](c *CPU, in *Inst) {
	op := uint8(in.Op>>3) & 7
	r := alu(c, op, getReg[T](c, EAX), T(in.imm))
	if op != aluCMP {
		setReg(c, EAX, r)
	}
}

// group 1: op Eb,Ib / op Ev,Iv / op Ev,Ib
func aluEI[T word](c *CPU, in *Inst) { aluTo(c, in, in.reg, T(in.imm)) }

// test Eb,Gb / test Ev,Gv
func testEG[T word](c *CPU, in *Inst) {
	a := getRM[T](c, in)
	b := getReg[T](c, in.reg)
	setLazy(c, lazyLogic, a, b, a&b)
}

// test Eb,Ib / test Ev,Iv (group 3 /0 and /1)
func testEI[T word](c *CPU, in *Inst) {
	a := getRM[T](c, in)
	setLazy(c, lazyLogic, a, T(in.imm), a&T(in.imm))
}

// test AL,Ib / test eAX,Iv
func testAI[T word](c *CPU, in *Inst) {
	a := getReg[T](c, EAX)
	setLazy(c, lazyLogic, a, T(in.imm), a&T(in.imm))
}

func incV[T word](c *CPU, v T) T {
	cin := c.cfBit()
	r := v + 1
	setLazy(c, lazyInc, v, 1, r)
	c.cin = cin
	return r
}

func decV[T word](c *CPU, v T) T {
	cin := c.cfBit()
	r := v - 1
	setLazy(c, lazyDec, v, 1, r)
	c.cin = cin
	return r
}

// inc/dec of a register encoded in the opcode (40-4F)
func incR[T word](c *CPU, in *Inst) {
	r := uint8(in.Op & 7)
	setReg(c, r, incV(c, getReg[T](c, r)))
}

func decR[T word](c *CPU, in *Inst) {
	r := uint8(in.Op & 7)
	setReg(c, r, decV(c, getReg[T](c, r)))
}

func incE[T word](c *CPU, in *Inst) { modifyRM(c, in, incV[T]) }
func decE[T word](c *CPU, in *Inst) { modifyRM(c, in, decV[T]) }

func notE[T word](c *CPU, in *Inst) {
	modifyRM(c, in, func(c *CPU, v T) T { return ^v })
}

func negE[T word](c *CPU, in *Inst) {
	modifyRM(c, in, func(c *CPU, v T) T {
		setLazy(c, lazySub, 0, v, -v)
		return -v
	})
}

func init() {
	for op := 0; op < 8; op++ {
		base := op * 8
		n := aluNames[op]
		oneByte[base+0] = fixed(n, argModRM, aluEG[uint8])
		oneByte[base+1] = sized(n, argModRM, aluEG[uint16], aluEG[uint32])
		oneByte[base+2] = fixed(n, argModRM, aluGE[uint8])
		oneByte[base+3] = sized(n, argModRM, aluGE[uint16], aluGE[uint32])
		oneByte[base+4] = fixed(n, argImm8, aluAI[uint8])
		oneByte[base+5] = sized(n, argImmV, aluAI[uint16], aluAI[uint32])
	}
	var g80, g81, g83 [8]opcode
	for op := 0; op < 8; op++ {
		g80[op] = fixed(aluNames[op], argImm8, aluEI[uint8])
		g81[op] = sized(aluNames[op], argImmV, aluEI[uint16], aluEI[uint32])
		g83[op] = sized(aluNames[op], argImm8, aluEI[uint16], aluEI[uint32])
	}
	oneByte[0x80] = opcode{name: "grp1", group: &g80}
	oneByte[0x81] = opcode{name: "grp1", group: &g81}
	oneByte[0x82] = oneByte[0x80] // an alias of 80 in 32-bit mode
	oneByte[0x83] = opcode{name: "grp1", group: &g83}

	oneByte[0x84] = fixed("test", argModRM, testEG[uint8])
	oneByte[0x85] = sized("test", argModRM, testEG[uint16], testEG[uint32])
	oneByte[0xA8] = fixed("test", argImm8, testAI[uint8])
	oneByte[0xA9] = sized("test", argImmV, testAI[uint16], testAI[uint32])

	for r := 0; r < 8; r++ {
		oneByte[0x40+r] = sized("inc", 0, incR[uint16], incR[uint32])
		oneByte[0x48+r] = sized("dec", 0, decR[uint16], decR[uint32])
	}
}
