package x87

import "math/bits"

// Conversions between the register format and memory formats.

// fromBinary widens an IEEE single or double (fracBits 23 or 52, expBits
// 8 or 11) exactly. Denormals raise DE. SNaNs raise IE and are quieted,
// unless keepSNaN says an arithmetic operation will handle them.
func (c *ctx) fromBinary(v uint64, fracBits, expBits uint, keepSNaN bool) F80 {
	sign := v>>(fracBits+expBits) != 0
	e := int32(v>>fracBits) & (1<<expBits - 1)
	frac := v & (1<<fracBits - 1)
	bias := int32(1)<<(expBits-1) - 1
	s := signBit(sign)
	switch {
	case e == 1<<expBits-1:
		if frac == 0 {
			return mkInf(sign)
		}
		x := F80{Sig: bitJ | frac<<(63-fracBits), SE: s | expMax}
		if x.isSNaN() && !keepSNaN {
			c.flags |= FlagIE
			x = quiet(x)
		}
		return x
	case e == 0:
		if frac == 0 {
			return mkZero(sign)
		}
		if keepSNaN {
			c.srcDen = true
		} else {
			c.flags |= FlagDE
		}
		n := int32(bits.LeadingZeros64(frac))
		// value = frac × 2^(1-bias-fracBits)
		return F80{Sig: frac << uint(n), SE: s | uint16(1-bias-int32(fracBits)+63-n+expBias)}
	}
	return F80{Sig: bitJ | frac<<(63-fracBits), SE: s | uint16(e-bias+expBias)}
}

// FromFloat32 and FromFloat64 widen memory images (for tests and the
// kernel; flags are dropped).
func FromFloat64(v uint64) F80 { var c ctx; return c.fromBinary(v, 52, 11, false) }
func FromFloat32(v uint32) F80 { var c ctx; return c.fromBinary(uint64(v), 23, 8, false) }

// toBinary narrows to single or double with the rounding control (the
// precision control does not apply to stores).
func (c *ctx) toBinary(x F80, fracBits, expBits uint) uint64 {
	c.up = false
	sign := x.sign()
	s := uint64(0)
	if sign {
		s = 1 << (fracBits + expBits)
	}
	emaxAll := uint64(1)<<expBits - 1
	switch {
	case x.isUnsupported():
		c.flags |= FlagIE
		return 1<<(fracBits+expBits) | emaxAll<<fracBits | 1<<(fracBits-1)
	case x.isNaN():
		if x.isSNaN() {
			c.flags |= FlagIE
		}
		return s | emaxAll<<fracBits | (x.Sig<<1)>>(64-fracBits) | 1<<(fracBits-1)
	case x.isInf():
		return s | emaxAll<<fracBits
	case x.isZero():
		return s
	}
	u := unpack(x) // stores raise no DE
	bias := int32(1)<<(expBits-1) - 1
	e, sig, ok := c.round(sign, u.exp-expBias+bias, u.sig, 0, uint8(fracBits+1), int32(emaxAll)-1)
	if !ok {
		return s | emaxAll<<fracBits
	}
	return s | uint64(e)<<fracBits | (sig<<1)>>(64-fracBits)
}

// ToFloat64 narrows with round-to-nearest (for tests and the kernel).
func ToFloat64(x F80) uint64 { var c ctx; return c.toBinary(x, 52, 11) }

// fromInt converts an integer exactly.
func fromInt(v int64) F80 {
	if v == 0 {
		return F80{}
	}
	sign := v < 0
	m := uint64(v)
	if sign {
		m = -m
	}
	n := bits.LeadingZeros64(m)
	return F80{Sig: m << uint(n), SE: signBit(sign) | uint16(expBias+63-n)}
}

// roundInt rounds a finite value to an integer with the rounding control,
// returning its magnitude, or ok=false when it does not fit in 64 bits.
// Inexact results raise PE and report C1.
func (c *ctx) roundInt(x F80) (sign bool, mag uint64, ok bool) {
	c.up = false
	sign = x.sign()
	if x.isZero() {
		return sign, 0, true
	}
	u := unpack(x)                     // no DE for integer conversions
	shift := int32(expBias+63) - u.exp // bits below the binary point
	if shift < 0 {
		return sign, 0, false
	}
	var ip, frac uint64
	switch {
	case shift == 0:
		ip = u.sig
	case shift < 64:
		ip, frac = u.sig>>uint(shift), u.sig<<uint(64-shift)
	case shift == 64:
		frac = u.sig
	default:
		frac = 1 // far below one half
	}
	if frac == 0 {
		return sign, ip, true
	}
	c.flags |= FlagPE
	var inc bool
	switch c.rc {
	case rcNearest:
		inc = frac > bitJ || frac == bitJ && ip&1 != 0
	case rcZero:
	default:
		inc = c.roundAway(sign)
	}
	if inc {
		c.up = true
		ip++
		if ip == 0 {
			return sign, 0, false
		}
	}
	return sign, ip, true
}

// toInt converts to a signed integer of width bits (16, 32, 64). Values
// out of range and NaNs raise IE and give the integer indefinite.
func (c *ctx) toInt(x F80, width uint) uint64 {
	indef := uint64(1) << (width - 1)
	if x.isNaN() || x.isUnsupported() || x.isInf() {
		c.flags |= FlagIE
		c.up = false
		return indef
	}
	sign, mag, ok := c.roundInt(x)
	limit := indef - 1
	if sign {
		limit = indef
	}
	if !ok || mag > limit {
		c.flags |= FlagIE
		c.flags &^= FlagPE
		c.up = false
		return indef
	}
	if sign {
		mag = -mag
	}
	return mag & (indef<<1 - 1)
}

// roundToInt is frndint: round to an integral value, keeping the format.
func (c *ctx) roundToInt(x F80) F80 {
	if r, done := c.checkUnary(x); done {
		return r
	}
	c.up = false
	if x.isInf() || x.isZero() || x.exp() >= expBias+63 {
		return x
	}
	sign, mag, _ := c.roundInt(x)
	if mag == 0 {
		return mkZero(sign)
	}
	r := fromInt(int64(mag))
	if mag == bitJ {
		r = F80{Sig: bitJ, SE: expBias + 63}
	}
	if sign {
		r = r.neg()
	}
	return r
}

// fromBCD converts an 18-digit packed BCD integer (bytes 0-8 digits, byte
// 9 bit 7 sign).
func fromBCD(b [10]byte) F80 {
	var v int64
	for i := 8; i >= 0; i-- {
		v = v*100 + int64(b[i]>>4)*10 + int64(b[i]&15)
	}
	r := fromInt(v)
	if b[9]&0x80 != 0 {
		r = r.neg()
	}
	return r
}

// toBCD rounds with the rounding control and packs 18 digits; out of range
// values and NaNs raise IE and give the BCD indefinite.
func (c *ctx) toBCD(x F80) [10]byte {
	indef := [10]byte{7: 0xC0, 8: 0xFF, 9: 0xFF}
	if x.isNaN() || x.isUnsupported() || x.isInf() {
		c.flags |= FlagIE
		c.up = false
		return indef
	}
	sign, mag, ok := c.roundInt(x)
	if !ok || mag > 999999999999999999 {
		c.flags |= FlagIE
		c.flags &^= FlagPE
		c.up = false
		return indef
	}
	var b [10]byte
	for i := 0; i < 9; i++ {
		b[i] = byte(mag%10) | byte(mag/10%10)<<4
		mag /= 100
	}
	if sign {
		b[9] = 0x80
	}
	return b
}
