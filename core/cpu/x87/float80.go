package x87

import "math/bits"

// F80 is an 80-bit extended-precision register image: a 64-bit
// significand with an explicit integer bit, a 15-bit biased exponent and
// a sign. Go has no such type, so every operation below is done on
// integers and rounded by hand.
type F80 struct {
	Sig uint64 // significand; bit 63 is the explicit integer bit (J)
	SE  uint16 // sign (bit 15) and biased exponent (bits 0-14)
}

const (
	expBias = 0x3FFF
	expMax  = 0x7FFF
	bitJ    = uint64(1) << 63
	bitQ    = uint64(1) << 62 // quiet bit of a NaN
)

// Exception flags, as in the status word.
const (
	FlagIE = 1 << 0 // invalid operation
	FlagDE = 1 << 1 // denormal operand
	FlagZE = 1 << 2 // zero divide
	FlagOE = 1 << 3 // overflow
	FlagUE = 1 << 4 // underflow
	FlagPE = 1 << 5 // precision (inexact)
	FlagSF = 1 << 6 // stack fault
	FlagES = 1 << 7 // error summary
)

// Rounding control values (CW bits 10-11).
const (
	rcNearest = 0
	rcDown    = 1
	rcUp      = 2
	rcZero    = 3
)

// Well-known values.
var (
	Indefinite = F80{Sig: 0xC000000000000000, SE: 0xFFFF}
	posZero    = F80{}
	one        = F80{Sig: bitJ, SE: expBias}
)

func (x F80) sign() bool   { return x.SE&0x8000 != 0 }
func (x F80) exp() int32   { return int32(x.SE & expMax) }
func (x F80) neg() F80     { x.SE ^= 0x8000; return x }
func (x F80) abs() F80     { x.SE &^= 0x8000; return x }
func (x F80) isZero() bool { return x.SE&expMax == 0 && x.Sig == 0 }

// isNaN reports a real NaN (J set); pseudo-NaNs are unsupported formats.
func (x F80) isNaN() bool  { return x.exp() == expMax && x.Sig&bitJ != 0 && x.Sig<<1 != 0 }
func (x F80) isSNaN() bool { return x.isNaN() && x.Sig&bitQ == 0 }
func (x F80) isInf() bool  { return x.exp() == expMax && x.Sig == bitJ }

// isDenormal covers denormals and pseudo-denormals (exponent 0, J set).
func (x F80) isDenormal() bool { return x.exp() == 0 && x.Sig != 0 }

// isUnsupported reports encodings the 387 and later reject: unnormals,
// pseudo-infinities and pseudo-NaNs (J clear with a non-zero exponent).
func (x F80) isUnsupported() bool { return x.exp() != 0 && x.Sig&bitJ == 0 }

func quiet(x F80) F80 { x.Sig |= bitQ | bitJ; return x }

func mkInf(sign bool) F80  { return F80{Sig: bitJ, SE: signBit(sign) | expMax} }
func mkZero(sign bool) F80 { return F80{SE: signBit(sign)} }

func signBit(s bool) uint16 {
	if s {
		return 0x8000
	}
	return 0
}

// unpacked is a finite non-zero value, normalized: sig has J set and exp
// is the biased exponent, which may be below 1 for denormal inputs.
type unpacked struct {
	sign bool
	exp  int32
	sig  uint64
}

func unpack(x F80) unpacked {
	u := unpacked{sign: x.sign(), exp: x.exp(), sig: x.Sig}
	if u.exp == 0 {
		// Denormals have the exponent of the smallest normal.
		u.exp = 1
		n := int32(bits.LeadingZeros64(u.sig))
		u.sig <<= uint(n)
		u.exp -= n
	}
	return u
}

// ctx is the environment of one operation: the rounding controls it
// reads and the exception flags and C1 (rounded up) it produces.
type ctx struct {
	rc    uint8
	prec  uint8 // significand bits: 24, 53 or 64
	flags uint16
	up    bool // the last rounding increased the magnitude (C1)

	// srcDen says a memory operand was a single or double denormal; DE
	// is raised when the operation gets past its NaN checks.
	srcDen bool

	// oeTrap and ueTrap: overflow and underflow are unmasked (see
	// roundTrap); noStore: a store must leave memory and the stack alone.
	oeTrap, ueTrap, noStore bool
}

// denormal raises DE for denormal operands (or a denormal memory operand).
func (c *ctx) denormal(a, b F80) {
	if a.isDenormal() || b.isDenormal() || c.srcDen {
		c.flags |= FlagDE
	}
}

func (c *ctx) roundAway(sign bool) bool {
	return c.rc == rcUp && !sign || c.rc == rcDown && sign
}

// shiftRightJam shifts the 128-bit value hi:lo right, ORing every bit
// shifted out into the lowest bit so rounding still sees it.
func shiftRightJam128(hi, lo uint64, n uint32) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		sticky := lo << (64 - n)
		lo = lo>>n | hi<<(64-n)
		hi >>= n
		if sticky != 0 {
			lo |= 1
		}
		return hi, lo
	case n < 128:
		sticky := lo
		if n > 64 {
			sticky |= hi << (128 - n)
		}
		lo = hi >> (n - 64)
		if sticky != 0 {
			lo |= 1
		}
		return 0, lo
	default:
		if hi|lo != 0 {
			return 0, 1
		}
		return 0, 0
	}
}

// roundPack rounds sign × sig.extra × 2^(exp-bias-63) to prec bits with
// the 80-bit exponent range and packs it. sig normally has J set; exp may
// be out of range, giving denormals, underflow or overflow. Tininess is
// detected after rounding, as x86 does.
func (c *ctx) roundPack(sign bool, exp int32, sig, extra uint64, prec uint8) F80 {
	e, s, ok := c.round(sign, exp, sig, extra, prec, 0x7FFE)
	if !ok {
		return mkInf(sign)
	}
	return F80{Sig: s, SE: signBit(sign) | uint16(e)}
}

// round is roundPack for any binary format with prec significand bits
// (J included) and largest biased exponent emax; the exponent is biased
// for that format. It returns the rounded exponent (0 for denormals and
// zero) and significand left-aligned at bit 63, or ok=false for an
// overflow to infinity.
func (c *ctx) round(sign bool, exp int32, sig, extra uint64, prec uint8, emax int32) (int32, uint64, bool) {
	c.up = false
	if sig == 0 && extra == 0 {
		return 0, 0, true
	}
	// Normalize first so callers may pass unnormalized significands.
	if sig == 0 {
		sig, extra = extra, 0
		exp -= 64
	}
	if n := bits.LeadingZeros64(sig); n != 0 {
		sig = sig<<uint(n) | extra>>(64-uint(n))
		extra <<= uint(n)
		exp -= int32(n)
	}
	var mask uint64 // bits of sig below the rounding point
	if prec < 64 {
		mask = uint64(1)<<(64-prec) - 1
	}
	away := c.roundAway(sign)
	inc := func(s, rb, ex uint64) bool { return c.incr(s, rb, ex, mask, away) }
	if c.oeTrap && exp >= emax || c.ueTrap && exp <= 0 {
		if r, s, ok, done := c.roundTrap(sign, exp, sig, extra, mask, away, emax); done {
			return r, s, ok
		}
	}
	// Overflow: the value rounded with unbounded exponent exceeds emax.
	if exp >= emax {
		e, s := exp, sig
		if inc(sig, sig&mask, extra) {
			s = (sig | mask) + 1
			if s == 0 {
				e++
			}
		}
		if e > emax {
			c.flags |= FlagOE | FlagPE
			if c.rc == rcNearest || away {
				c.up = true
				return emax + 1, bitJ, false
			}
			return emax, ^mask, true
		}
	}
	if exp <= 0 {
		// Tiny after rounding: rounding with unbounded exponent stays
		// below the smallest normal.
		tiny := exp < 0 || !inc(sig, sig&mask, extra) || sig|mask != ^uint64(0)
		sig, extra = shiftRightJam128(sig, extra, uint32(1-exp))
		exp = 0
		if sig&mask != 0 || extra != 0 {
			if tiny {
				c.flags |= FlagUE
			}
		}
	}
	rb := sig & mask
	if rb == 0 && extra == 0 {
		if exp == 0 && sig&bitJ != 0 {
			exp = 1
		}
		return exp, sig, true
	}
	c.flags |= FlagPE
	if inc(sig, rb, extra) {
		c.up = true
		sig = (sig | mask) + 1
		if sig == 0 {
			sig = bitJ
			exp++
		}
	} else {
		sig &^= mask
	}
	if exp == 0 && sig&bitJ != 0 {
		exp = 1 // a denormal rounded up to the smallest normal
	}
	return exp, sig, true
}

// roundTrap is round's response to an unmasked overflow or underflow
// (ctx.oeTrap, ctx.ueTrap). A register result keeps its significand
// rounded to the precision and has its exponent biased by ∓24576 (∞ or 0
// when even that is out of range); a memory destination is not written
// (ctx.noStore) and only OE or UE is reported. Underflow here is any tiny
// result, exact or not. done=false means no trap applies after all.
func (c *ctx) roundTrap(sign bool, exp int32, sig, extra, mask uint64, away bool, emax int32) (int32, uint64, bool, bool) {
	const bias = 0x6000
	rb := sig & mask
	inexact := rb != 0 || extra != 0
	up := c.incr(sig, rb, extra, mask, away)
	s, e := sig&^mask, exp
	if up {
		s = (sig | mask) + 1
		if s == 0 {
			s, e = bitJ, e+1
		}
	}
	switch {
	case c.oeTrap && e > emax:
		if emax != 0x7FFE {
			c.flags |= FlagOE
			c.noStore = true
			return 0, 0, true, true
		}
		c.flags |= FlagOE
		if e-bias > emax {
			c.flags |= FlagPE
			c.up = true
			return emax + 1, bitJ, false, true
		}
		e -= bias
	case c.ueTrap && exp <= 0 && (exp < 0 || e <= 0):
		if emax != 0x7FFE {
			c.flags |= FlagUE
			c.noStore = true
			return 0, 0, true, true
		}
		c.flags |= FlagUE
		if e+bias < 1 {
			c.flags |= FlagPE
			return 0, 0, true, true
		}
		e += bias
	default:
		return 0, 0, true, false
	}
	if inexact {
		c.flags |= FlagPE
		c.up = up
	}
	return e, s, true, true
}

// incr reports whether discarded bits round up: rb are the bits of s
// below the rounding point (mask), ex the bits below s.
func (c *ctx) incr(s, rb, ex, mask uint64, away bool) bool {
	if rb == 0 && ex == 0 {
		return false
	}
	if c.rc != rcNearest {
		return away
	}
	if mask == 0 {
		if ex != bitJ {
			return ex > bitJ
		}
		return s&1 != 0
	}
	half := (mask + 1) >> 1
	if rb != half {
		return rb > half
	}
	if ex != 0 {
		return true
	}
	return s&(mask+1) != 0
}

// nanResult propagates NaN operands as the x87 does: an SNaN raises
// invalid; of two NaNs of the same kind the larger significand wins
// (ties to the positive one), a QNaN beats an SNaN; the result is quiet.
func (c *ctx) nanResult(a, b F80) F80 {
	as, bs := a.isSNaN(), b.isSNaN()
	if as || bs {
		c.flags |= FlagIE
		if as && !bs {
			if b.isNaN() {
				return quiet(b)
			}
			return quiet(a)
		}
		if bs && !as {
			if a.isNaN() {
				return quiet(a)
			}
			return quiet(b)
		}
	}
	if !b.isNaN() {
		return quiet(a)
	}
	if !a.isNaN() {
		return quiet(b)
	}
	switch {
	case a.Sig > b.Sig:
		return quiet(a)
	case b.Sig > a.Sig:
		return quiet(b)
	case !a.sign():
		return quiet(a)
	}
	return quiet(b)
}

// invalid raises IE and returns the default NaN.
func (c *ctx) invalid() F80 {
	c.flags |= FlagIE
	return Indefinite
}

// checkBinary handles the operands of a two-operand arithmetic operation
// that need no arithmetic: unsupported encodings, NaNs, and it raises DE
// for denormals. done says the result is r.
func (c *ctx) checkBinary(a, b F80) (r F80, done bool) {
	if a.isUnsupported() || b.isUnsupported() {
		return c.invalid(), true
	}
	if a.isNaN() || b.isNaN() {
		return c.nanResult(a, b), true
	}
	c.denormal(a, b)
	return F80{}, false
}

// checkUnary is checkBinary for one operand.
func (c *ctx) checkUnary(a F80) (r F80, done bool) {
	if a.isUnsupported() {
		return c.invalid(), true
	}
	if a.isNaN() {
		if a.isSNaN() {
			c.flags |= FlagIE
		}
		return quiet(a), true
	}
	if a.isDenormal() {
		c.flags |= FlagDE
	}
	return F80{}, false
}

// normal2 reports that a and b are both normal numbers (exponent 1 to
// 0x7FFE, J set), so no operand checks are needed; a memory operand that
// was a denormal single or double still raises DE.
func (c *ctx) normal2(a, b F80) bool {
	if a.SE&expMax-1 < expMax-1 && b.SE&expMax-1 < expMax-1 && a.Sig&b.Sig&bitJ != 0 {
		if c.srcDen {
			c.flags |= FlagDE
		}
		return true
	}
	return false
}

// add returns a + b rounded to c.prec bits (sub is add with b negated).
func (c *ctx) add(a, b F80) F80 {
	if c.normal2(a, b) {
		return c.addNormal(a, b)
	}
	if r, done := c.checkBinary(a, b); done {
		return r
	}
	return c.addChecked(a, b)
}

func (c *ctx) sub(a, b F80) F80 {
	if c.normal2(a, b) {
		return c.addNormal(a, b.neg())
	}
	if r, done := c.checkBinary(a, b); done {
		return r
	}
	return c.addChecked(a, b.neg())
}

func (c *ctx) addChecked(a, b F80) F80 {
	c.up = false
	switch {
	case a.isInf() && b.isInf():
		if a.sign() != b.sign() {
			return c.invalid()
		}
		return a
	case a.isInf():
		return a
	case b.isInf():
		return b
	case a.isZero() && b.isZero():
		if a.sign() == b.sign() {
			return a
		}
		return mkZero(c.rc == rcDown)
	case a.isZero():
		// The other operand still rounds to the precision control.
		u := unpack(b)
		return c.roundPack(u.sign, u.exp, u.sig, 0, c.prec)
	case b.isZero():
		u := unpack(a)
		return c.roundPack(u.sign, u.exp, u.sig, 0, c.prec)
	}
	return c.addNormal(a, b)
}

// addNormal adds finite non-zero values (denormals included).
func (c *ctx) addNormal(a, b F80) F80 {
	c.up = false
	ua, ub := unpack(a), unpack(b)
	if ua.exp < ub.exp || ua.exp == ub.exp && ua.sig < ub.sig {
		ua, ub = ub, ua
	}
	d := uint32(ua.exp - ub.exp)
	bh, bl := shiftRightJam128(ub.sig, 0, d)
	if ua.sign == ub.sign {
		lo, carry := bits.Add64(0, bl, 0)
		hi, carry := bits.Add64(ua.sig, bh, carry)
		exp := ua.exp
		if carry != 0 {
			hi, lo = shiftRightJam128(hi, lo, 1)
			hi |= bitJ
			exp++
		}
		return c.roundPack(ua.sign, exp, hi, lo, c.prec)
	}
	lo, borrow := bits.Sub64(0, bl, 0)
	hi, _ := bits.Sub64(ua.sig, bh, borrow)
	if hi == 0 && lo == 0 {
		return mkZero(c.rc == rcDown)
	}
	return c.roundPack(ua.sign, ua.exp, hi, lo, c.prec)
}

// mul returns a × b.
func (c *ctx) mul(a, b F80) F80 {
	sign := a.sign() != b.sign()
	if c.normal2(a, b) {
		goto normal
	}
	if r, done := c.checkBinary(a, b); done {
		return r
	}
	switch {
	case a.isInf() || b.isInf():
		if a.isZero() || b.isZero() {
			return c.invalid()
		}
		return mkInf(sign)
	case a.isZero() || b.isZero():
		c.up = false
		return mkZero(sign)
	}
normal:
	ua, ub := unpack(a), unpack(b)
	hi, lo := bits.Mul64(ua.sig, ub.sig)
	// The product of two J-normalized values is in [2^126, 2^128): the
	// binary point sits after bit 126.
	return c.roundPack(sign, ua.exp+ub.exp-expBias+1, hi, lo, c.prec)
}

// div returns a / b.
func (c *ctx) div(a, b F80) F80 {
	sign := a.sign() != b.sign()
	if c.normal2(a, b) {
		goto normal
	}
	if r, done := c.checkBinary(a, b); done {
		return r
	}
	c.up = false
	switch {
	case a.isInf():
		if b.isInf() {
			return c.invalid()
		}
		return mkInf(sign)
	case b.isInf():
		return mkZero(sign)
	case b.isZero():
		if a.isZero() {
			return c.invalid()
		}
		// Zero divide takes precedence over a denormal dividend.
		c.flags = c.flags&^FlagDE | FlagZE
		return mkInf(sign)
	case a.isZero():
		return mkZero(sign)
	}
normal:
	ua, ub := unpack(a), unpack(b)
	exp := ua.exp - ub.exp + expBias
	nh, nl := ua.sig, uint64(0)
	if ua.sig >= ub.sig {
		nh, nl = ua.sig>>1, ua.sig<<63
	} else {
		exp--
	}
	q, r := bits.Div64(nh, nl, ub.sig)
	q2, r2 := bits.Div64(r, 0, ub.sig)
	if r2 != 0 {
		q2 |= 1
	}
	return c.roundPack(sign, exp, q, q2, c.prec)
}

// sqrt returns √a.
func (c *ctx) sqrt(a F80) F80 {
	if a.sign() && !a.isZero() && !a.isNaN() {
		return c.invalid() // before DE
	}
	if r, done := c.checkUnary(a); done {
		return r
	}
	c.up = false
	switch {
	case a.isZero():
		return a
	case a.sign():
		return c.invalid()
	case a.isInf():
		return a
	}
	return c.sqrtFast(a)
}

// sqrtExact is √a by a digit-by-digit square root (the reference for
// sqrtFast) for positive finite non-zero a.
func (c *ctx) sqrtExact(a F80) F80 {
	c.up = false
	u := unpack(a)
	// value = sig × 2^(exp-bias-63). Scale sig by 2^126 or 2^127 so the
	// remaining exponent is even.
	e := u.exp - expBias - 63
	shift := uint(126)
	if (e-126)&1 != 0 {
		shift = 127
	}
	rh, rl, exact := isqrt192(u.sig, shift)
	re := (e - int32(shift)) / 2 // root = rh:rl × 2^re
	lo := rl
	if !exact {
		lo |= 1
	}
	return c.roundPack(false, re+127+expBias, rh, lo, c.prec)
}

// isqrt192 returns floor(√(sig << shift)) as a 128-bit value and whether
// it is exact; with shift 126 or 127 the root has 95-96 bits, enough for
// 64 bits plus guard bits.
func isqrt192(sig uint64, shift uint) (hi, lo uint64, exact bool) {
	// N = sig << shift, held as three words n2:n1:n0.
	var n [3]uint64
	w, b := shift/64, shift%64
	n[w] = sig << b
	if b != 0 && w+1 < 3 {
		n[w+1] = sig >> (64 - b)
	}
	// Digit-by-digit square root, two bits of N per result bit.
	var rh, rl uint64 // root
	var r [3]uint64   // remainder

	for i := 191; i >= 1; i -= 2 {
		// r = r<<2 | next two bits of N
		two := (n[i/64] >> (uint(i) % 64 & 63)) & 1
		two = two<<1 | (n[(i-1)/64]>>(uint(i-1)%64))&1
		r[2] = r[2]<<2 | r[1]>>62
		r[1] = r[1]<<2 | r[0]>>62
		r[0] = r[0]<<2 | two
		// trial = root<<2 | 1 (as 3 words)
		t0 := rl<<2 | 1
		t1 := rh<<2 | rl>>62
		t2 := rh >> 62
		// root <<= 1
		rh = rh<<1 | rl>>63
		rl <<= 1
		if r[2] > t2 || r[2] == t2 && (r[1] > t1 || r[1] == t1 && r[0] >= t0) {
			var bw uint64
			r[0], bw = bits.Sub64(r[0], t0, 0)
			r[1], bw = bits.Sub64(r[1], t1, bw)
			r[2], _ = bits.Sub64(r[2], t2, bw)
			rl |= 1
		}
	}
	return rh, rl, r[0]|r[1]|r[2] == 0
}
