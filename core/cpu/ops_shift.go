package cpu

// Shifts and rotates: group 2 (C0 C1 D0-D3) and shld/shrd.
//
// Flags follow what P6-and-later hardware produces, including for the
// counts where the manuals call them undefined (checked against the
// hardware vectors in testvectors/insn).

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// setCO records a result whose CF and OF are known; SF, ZF and PF follow
// the result and AF is clear.
func setCO[T word](c *CPU, res T, cf, of bool) {
	setLazy(c, lazyCO, 0, 0, res)
	c.cin = b2u(cf) | b2u(of)<<1
}

// setRotate sets CF and OF only, as rotates do.
func (c *CPU) setRotate(cf, of bool) {
	c.setStatus(FlagCF|FlagOF, flagIf(cf, FlagCF)|flagIf(of, FlagOF))
}

// shift applies group-2 operation op to v by n (already masked to 5
// bits, non-zero) and sets the flags.
func shift[T word](c *CPU, op uint8, v T, n uint32) T {
	w := bitsOf[T]()
	sign := signBitOf[T]()
	switch op {
	case 0: // rol
		k := n % w
		r := v<<k | v>>((w-k)%w)
		cf := r&1 != 0
		c.setRotate(cf, (r&sign != 0) != cf)
		return r
	case 1: // ror
		k := n % w
		r := v>>k | v<<((w-k)%w)
		c.setRotate(r&sign != 0, (r^r<<1)&sign != 0)
		return r
	case 2: // rcl: rotate the w+1 bit value CF:v
		k := n
		if w < 32 {
			k = n % (w + 1)
		}
		if k == 0 {
			return v
		}
		x := uint64(v) | uint64(c.cfBit())<<w
		m := uint64(1)<<(w+1) - 1
		x = (x<<k | x>>(w+1-k)) & m
		r := T(x)
		cf := x>>w != 0
		c.setRotate(cf, (r&sign != 0) != cf)
		return r
	case 3: // rcr
		k := n
		if w < 32 {
			k = n % (w + 1)
		}
		if k == 0 {
			return v
		}
		x := uint64(v) | uint64(c.cfBit())<<w
		m := uint64(1)<<(w+1) - 1
		x = (x>>k | x<<(w+1-k)) & m
		r := T(x)
		c.setRotate(x>>w != 0, (r^r<<1)&sign != 0)
		return r
	case 4, 6: // shl/sal
		r := T(uint64(v) << n)
		cf := (uint64(v)<<n)>>w&1 != 0
		setCO(c, r, cf, (r&sign != 0) != cf)
		return r
	case 5: // shr
		r := T(uint64(v) >> n)
		cf := uint64(v)>>(n-1)&1 != 0
		setCO(c, r, cf, (r^r<<1)&sign != 0)
		return r
	default: // sar
		s := int64(int32(uint32(v)<<(32-w)) >> (32 - w))
		r := T(s >> n)
		setCO(c, r, s>>(n-1)&1 != 0, false)
		return r
	}
}

// shiftRM shifts the ModRM operand by count. A zero masked count changes
// nothing, not even flags.
func shiftRM[T word](c *CPU, in *Inst, count uint32) {
	n := count & 31
	if n == 0 {
		if in.isMem() {
			getRM[T](c, in) // the read still happens and can fault
		}
		return
	}
	if in.mod == 3 {
		setReg(c, in.rm, shift(c, in.reg, getReg[T](c, in.rm), n))
		return
	}
	a := rmwAddr[T](c, in)
	store(c, a, shift(c, in.reg, load[T](c, a), n))
}

func shiftEI[T word](c *CPU, in *Inst)  { shiftRM[T](c, in, in.imm) }
func shiftE1[T word](c *CPU, in *Inst)  { shiftRM[T](c, in, 1) }
func shiftECL[T word](c *CPU, in *Inst) { shiftRM[T](c, in, c.R[ECX]) }

// shld/shrd Ev,Gv,count. For 16-bit operands with counts above 16 the
// result follows P6 hardware: the shift runs through dest:src:dest.
func shlrd[T uint16 | uint32](c *CPU, in *Inst, count uint32, left bool) {
	n := count & 31
	if n == 0 {
		if in.isMem() {
			getRM[T](c, in)
		}
		return
	}
	src := getReg[T](c, in.reg)
	f := func(c *CPU, d T) T {
		w := bitsOf[T]()
		sign := signBitOf[T]()
		var r T
		var cf bool
		if left {
			// dest:src:dest, shifted left; the result is the top w bits
			// (the second dest only shows for 16-bit counts above 16).
			x := uint64(d)<<w | uint64(src)
			if w == 16 {
				x = x<<16 | uint64(d)
			}
			top := 2 * w
			if w == 16 {
				top = 48
			}
			r = T(x << n >> (top - w))
			cf = x>>(top-n)&1 != 0
			setCO(c, r, cf, (r&sign != 0) != cf)
		} else {
			// dest:src:dest, read from the low end, shifted right.
			x := uint64(d) | uint64(src)<<w | uint64(d)<<(2*w)
			r = T(x >> n)
			cf = x>>(n-1)&1 != 0
			setCO(c, r, cf, (r^r<<1)&sign != 0)
		}
		return r
	}
	if in.mod == 3 {
		setReg(c, in.rm, f(c, getReg[T](c, in.rm)))
		return
	}
	a := rmwAddr[T](c, in)
	store(c, a, f(c, load[T](c, a)))
}

func shldI[T uint16 | uint32](c *CPU, in *Inst)  { shlrd[T](c, in, in.imm, true) }
func shldCL[T uint16 | uint32](c *CPU, in *Inst) { shlrd[T](c, in, c.R[ECX], true) }
func shrdI[T uint16 | uint32](c *CPU, in *Inst)  { shlrd[T](c, in, in.imm, false) }
func shrdCL[T uint16 | uint32](c *CPU, in *Inst) { shlrd[T](c, in, c.R[ECX], false) }

var shiftNames = [8]string{"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"}

func init() {
	var gC0, gC1, gD0, gD1, gD2, gD3 [8]opcode
	for op := 0; op < 8; op++ {
		n := shiftNames[op]
		gC0[op] = fixed(n, 0, shiftEI[uint8])
		gC1[op] = sized(n, 0, shiftEI[uint16], shiftEI[uint32])
		gD0[op] = fixed(n, 0, shiftE1[uint8])
		gD1[op] = sized(n, 0, shiftE1[uint16], shiftE1[uint32])
		gD2[op] = fixed(n, 0, shiftECL[uint8])
		gD3[op] = sized(n, 0, shiftECL[uint16], shiftECL[uint32])
	}
	oneByte[0xC0] = opcode{name: "grp2", args: argImm8U, group: &gC0}
	oneByte[0xC1] = opcode{name: "grp2", args: argImm8U, group: &gC1}
	oneByte[0xD0] = opcode{name: "grp2", group: &gD0}
	oneByte[0xD1] = opcode{name: "grp2", group: &gD1}
	oneByte[0xD2] = opcode{name: "grp2", group: &gD2}
	oneByte[0xD3] = opcode{name: "grp2", group: &gD3}

	twoByte[0xA4] = sized("shld", argModRM|argImm8U, shldI[uint16], shldI[uint32])
	twoByte[0xA5] = sized("shld", argModRM, shldCL[uint16], shldCL[uint32])
	twoByte[0xAC] = sized("shrd", argModRM|argImm8U, shrdI[uint16], shrdI[uint32])
	twoByte[0xAD] = sized("shrd", argModRM, shrdCL[uint16], shrdCL[uint32])
}
