package cpu

import "unsafe"

// Operand access by width. Byte registers 4-7 are AH, CH, DH, BH.

func getReg[T word](c *CPU, r uint8) T {
	var z T
	if unsafe.Sizeof(z) == 1 {
		return T(c.R[r&3] >> ((r & 4) << 1))
	}
	return T(c.R[r&7])
}

func setReg[T word](c *CPU, r uint8, v T) {
	var z T
	switch unsafe.Sizeof(z) {
	case 1:
		sh := uint32(r&4) << 1
		c.R[r&3] = c.R[r&3]&^(0xFF<<sh) | uint32(v)<<sh
	case 2:
		c.R[r&7] = c.R[r&7]&^0xFFFF | uint32(v)
	default:
		c.R[r&7] = uint32(v)
	}
}

// getRM reads the ModRM operand.
func getRM[T word](c *CPU, in *Inst) T {
	if in.mod == 3 {
		return getReg[T](c, in.rm)
	}
	return load[T](c, c.ea(in))
}

// setRM writes the ModRM operand.
func setRM[T word](c *CPU, in *Inst, v T) {
	if in.mod == 3 {
		setReg(c, in.rm, v)
		return
	}
	store(c, c.ea(in), v)
}

// rmwAddr returns the address of a read-modify-write memory operand after
// making sure the write cannot fault, so the instruction can change flags
// and registers before storing without losing precision.
func rmwAddr[T word](c *CPU, in *Inst) uint32 {
	var z T
	a := c.ea(in)
	c.checkWritable(a, uint32(unsafe.Sizeof(z)))
	return a
}

// modifyRM applies f to the ModRM operand in place (read-modify-write).
func modifyRM[T word](c *CPU, in *Inst, f func(c *CPU, v T) T) {
	if in.mod == 3 {
		setReg(c, in.rm, f(c, getReg[T](c, in.rm)))
		return
	}
	a := rmwAddr[T](c, in)
	store(c, a, f(c, load[T](c, a)))
}

func (c *CPU) push32(v uint32) {
	sp := c.R[ESP] - 4
	c.write32(sp, v)
	c.R[ESP] = sp
}

func (c *CPU) pop32() uint32 {
	v := c.read32(c.R[ESP])
	c.R[ESP] += 4
	return v
}

func (c *CPU) push16(v uint16) {
	sp := c.R[ESP] - 2
	c.write16(sp, v)
	c.R[ESP] = sp
}

func (c *CPU) pop16() uint16 {
	v := c.read16(c.R[ESP])
	c.R[ESP] += 2
	return v
}

// pushV and popV push and pop a value of the operand size.
func pushV[T word](c *CPU, v T) {
	var z T
	if unsafe.Sizeof(z) == 2 {
		c.push16(uint16(v))
		return
	}
	c.push32(uint32(v))
}

func popV[T word](c *CPU) T {
	var z T
	if unsafe.Sizeof(z) == 2 {
		return T(c.pop16())
	}
	return T(c.pop32())
}

// signBitOf returns the top bit of a width.
func signBitOf[T word]() T {
	var z T
	return T(1) << (unsafe.Sizeof(z)*8 - 1)
}

func bitsOf[T word]() uint32 {
	var z T
	return uint32(unsafe.Sizeof(z)) * 8
}

func (c *CPU) cfBit() uint32 {
	if c.cf() {
		return 1
	}
	return 0
}
