package cpu

// Multiplication and division. Multiplies set CF=OF when the product does
// not fit the destination; SF, ZF and PF follow the low half of the result
// and AF is clear, as P6-family hardware leaves them. Divides leave the
// flags alone and raise #DE, before changing anything, on a zero divisor
// or a quotient that does not fit.

// sext sign-extends a value of width T to 64 bits.
func sext[T word](v T) int64 {
	w := bitsOf[T]()
	return int64(int32(uint32(v)<<(32-w)) >> (32 - w))
}

// mul Eb / Ev (F6/F7 /4): AX = AL*src, DX:AX = AX*src, EDX:EAX = EAX*src.
func mulE[T word](c *CPU, in *Inst) {
	src := getRM[T](c, in)
	w := bitsOf[T]()
	p := uint64(getReg[T](c, EAX)) * uint64(src)
	lo, hi := T(p), T(p>>w)
	storeWide(c, lo, hi)
	setCO(c, lo, hi != 0, hi != 0)
}

// imul Eb / Ev (F6/F7 /5), signed, double-width result.
func imulE[T word](c *CPU, in *Inst) {
	src := getRM[T](c, in)
	w := bitsOf[T]()
	p := sext(getReg[T](c, EAX)) * sext(src)
	lo, hi := T(p), T(uint64(p)>>w)
	storeWide(c, lo, hi)
	ov := p != sext(lo)
	setCO(c, lo, ov, ov)
}

// storeWide writes a double-width product: AX for bytes, (E)DX:(E)AX
// otherwise.
func storeWide[T word](c *CPU, lo, hi T) {
	if bitsOf[T]() == 8 {
		setReg(c, EAX, uint16(lo)|uint16(hi)<<8)
		return
	}
	setReg(c, EAX, lo)
	setReg(c, EDX, hi)
}

// imul Gv,Ev,imm (69, 6B) and imul Gv,Ev (0F AF): truncated result.
func imul3[T uint16 | uint32](c *CPU, a, b T) T {
	p := sext(a) * sext(b)
	r := T(p)
	ov := p != sext(r)
	setCO(c, r, ov, ov)
	return r
}

func imulGEI[T uint16 | uint32](c *CPU, in *Inst) {
	setReg(c, in.reg, imul3(c, getRM[T](c, in), T(in.imm)))
}

func imulGE[T uint16 | uint32](c *CPU, in *Inst) {
	setReg(c, in.reg, imul3(c, getReg[T](c, in.reg), getRM[T](c, in)))
}

// dividend returns AX, DX:AX or EDX:EAX for a divide of width T.
func dividend[T word](c *CPU) uint64 {
	switch bitsOf[T]() {
	case 8:
		return uint64(c.R[EAX] & 0xFFFF)
	case 16:
		return uint64(c.R[EDX]&0xFFFF)<<16 | uint64(c.R[EAX]&0xFFFF)
	}
	return uint64(c.R[EDX])<<32 | uint64(c.R[EAX])
}

// storeDiv writes quotient and remainder: AL/AH for bytes, (E)AX/(E)DX
// otherwise.
func storeDiv[T word](c *CPU, q, r T) {
	if bitsOf[T]() == 8 {
		setReg(c, EAX, uint16(q)|uint16(r)<<8)
		return
	}
	setReg(c, EAX, q)
	setReg(c, EDX, r)
}

// div Eb / Ev (F6/F7 /6)
func divE[T word](c *CPU, in *Inst) {
	d := uint64(getRM[T](c, in))
	if d == 0 {
		c.raise(VecDivide, 0)
	}
	n := dividend[T](c)
	q := n / d
	if q>>bitsOf[T]() != 0 {
		c.raise(VecDivide, 0)
	}
	storeDiv(c, T(q), T(n%d))
}

// idiv Eb / Ev (F6/F7 /7)
func idivE[T word](c *CPU, in *Inst) {
	d := sext(getRM[T](c, in))
	if d == 0 {
		c.raise(VecDivide, 0)
	}
	w := bitsOf[T]()
	// Sign-extend the 2w-bit dividend.
	n := int64(dividend[T](c)<<(64-2*w)) >> (64 - 2*w)
	if d == -1 && n == -1<<63 { // Go wraps this one; it overflows anyway
		c.raise(VecDivide, 0)
	}
	q, r := n/d, n%d
	if q != sext(T(q)) {
		c.raise(VecDivide, 0)
	}
	storeDiv(c, T(q), T(r))
}

func init() {
	// Group 3 rows 0-3 come from ops_basic.go, whose init runs first
	// (files initialise in name order).
	g6, g7 := oneByte[0xF6].group, oneByte[0xF7].group
	g6[4] = fixed("mul", 0, mulE[uint8])
	g6[5] = fixed("imul", 0, imulE[uint8])
	g6[6] = fixed("div", 0, divE[uint8])
	g6[7] = fixed("idiv", 0, idivE[uint8])
	g7[4] = sized("mul", 0, mulE[uint16], mulE[uint32])
	g7[5] = sized("imul", 0, imulE[uint16], imulE[uint32])
	g7[6] = sized("div", 0, divE[uint16], divE[uint32])
	g7[7] = sized("idiv", 0, idivE[uint16], idivE[uint32])

	oneByte[0x69] = sized("imul", argModRM|argImmV, imulGEI[uint16], imulGEI[uint32])
	oneByte[0x6B] = sized("imul", argModRM|argImm8, imulGEI[uint16], imulGEI[uint32])
	twoByte[0xAF] = sized("imul", argModRM, imulGE[uint16], imulGE[uint32])
}
