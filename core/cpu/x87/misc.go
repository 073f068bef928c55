package x87

// Comparison results, as C3 C2 C0 (and ZF PF CF for fcomi).
const (
	cmpGreater = 0
	cmpLess    = 1
	cmpEqual   = 2
	cmpUnord   = 3
)

// compare orders a and b. quietNaN selects the unordered compares
// (fucom), which only reject SNaNs.
func (c *ctx) compare(a, b F80, quietNaN bool) int {
	if a.isUnsupported() || b.isUnsupported() {
		c.flags |= FlagIE
		return cmpUnord
	}
	if a.isNaN() || b.isNaN() {
		if !quietNaN || a.isSNaN() || b.isSNaN() {
			c.flags |= FlagIE
		}
		return cmpUnord
	}
	c.denormal(a, b)
	if a.isZero() && b.isZero() {
		return cmpEqual
	}
	if a.sign() != b.sign() {
		if a.sign() {
			return cmpLess
		}
		return cmpGreater
	}
	ua, ub := key(a), key(b)
	r := cmpEqual
	switch {
	case ua.exp < ub.exp || ua.exp == ub.exp && ua.sig < ub.sig:
		r = cmpLess
	case ua.exp > ub.exp || ua.sig > ub.sig:
		r = cmpGreater
	}
	if a.sign() && r != cmpEqual {
		r ^= 1 // cmpLess <-> cmpGreater
	}
	return r
}

// key gives a magnitude ordering key for finite or infinite values.
func key(x F80) unpacked {
	if x.isZero() {
		return unpacked{exp: -1 << 20}
	}
	if x.isInf() {
		return unpacked{exp: 1 << 20}
	}
	return unpack(x)
}

// fxam classes, as C3 C2 C0.
const (
	classUnsupported = 0
	classNaN         = 1
	classNormal      = 2
	classInf         = 3
	classZero        = 4
	classEmpty       = 5
	classDenormal    = 6
)

func classify(x F80) int {
	switch {
	case x.isUnsupported():
		return classUnsupported
	case x.isNaN():
		return classNaN
	case x.isInf():
		return classInf
	case x.isZero():
		return classZero
	case x.isDenormal():
		return classDenormal
	}
	return classNormal
}

// rem is fprem (nearest=false, truncated quotient) and fprem1 (quotient
// rounded to nearest even). It returns the (partial) remainder, the low
// three quotient bits, and whether the reduction is incomplete (C2).
func (c *ctx) rem(a, b F80, nearest bool) (r F80, q uint64, partial bool) {
	c.up = false
	if !a.isNaN() && !b.isNaN() && (a.isInf() || b.isZero()) {
		return c.invalid(), 0, false // before DE
	}
	if x, done := c.checkBinary(a, b); done {
		return x, 0, false
	}
	switch {
	case b.isInf() || a.isZero():
		if a.isDenormal() {
			// A denormal remainder still goes through normalization.
			u := unpack(a)
			return c.roundPack(u.sign, u.exp, u.sig, 0, 64), 0, false
		}
		return a, 0, false
	}
	ua, ub := unpack(a), unpack(b)
	d := ua.exp - ub.exp
	switch {
	case d < -1 || d == -1 && !nearest:
		return c.packRem(ua.sign, ua.exp, ua.sig), 0, false
	case d == -1:
		// |a| < |b|: the quotient rounds to 1 when 2|a| > |b|, i.e.
		// a.sig > b.sig with b's exponent one higher.
		if ua.sig > ub.sig {
			return c.packRem(!ua.sign, ua.exp, ub.sig-(ua.sig-ub.sig)), 1, false
		}
		return c.packRem(ua.sign, ua.exp, ua.sig), 0, false
	case d >= 64:
		// Partial remainder: reduce the exponent difference to N in
		// [32, 63] (N ≡ d mod 32) and leave C2 set for another round.
		n := d&31 | 32
		eb := ua.exp - n // b scaled by 2^(d-n)
		qq, rr := remQuot(ua.sig, ub.sig, uint(n))
		return c.packRem(ua.sign, eb, rr), qq & 7, true
	}
	qq, rr := remQuot(ua.sig, ub.sig, uint(d))
	sign := ua.sign
	if nearest && (rr > ub.sig-rr || rr == ub.sig-rr && qq&1 != 0) {
		// Round the quotient up: the remainder becomes r - b.
		rr = ub.sig - rr
		sign = !sign
		qq++
	}
	return c.packRem(sign, ub.exp, rr), qq & 7, false
}

// remQuot returns the low 64 bits of floor(a×2^d / b) and the remainder,
// by long division one bit at a time (b has J set, so a < 2b).
func remQuot(a, b uint64, d uint) (q, r uint64) {
	r = a
	if r >= b {
		r -= b
		q = 1
	}
	for i := uint(0); i < d; i++ {
		top := r >> 63
		r <<= 1
		q <<= 1
		if top != 0 || r >= b {
			r -= b
			q |= 1
		}
	}
	return q, r
}

// packRem packs an exact remainder r × 2^(exp-bias-63) (r < 2^64).
func (c *ctx) packRem(sign bool, exp int32, r uint64) F80 {
	if r == 0 {
		return mkZero(sign)
	}
	return c.roundPack(sign, exp, r, 0, 64)
}

// scale is fscale: a × 2^trunc(b).
func (c *ctx) scale(a, b F80) F80 {
	c.up = false
	if x, done := c.checkBinary(a, b); done {
		return x
	}
	switch {
	case b.isInf():
		if b.sign() {
			if a.isInf() {
				return c.invalid()
			}
			return mkZero(a.sign())
		}
		if a.isZero() {
			return c.invalid()
		}
		return mkInf(a.sign())
	case a.isInf() || a.isZero():
		return a
	}
	n := int32(0)
	if !b.isZero() && b.exp() >= expBias {
		ub := unpack(b)
		if ub.exp > expBias+30 {
			n = 1 << 30
		} else {
			n = int32(ub.sig >> uint(expBias+63-ub.exp))
		}
		if ub.sign {
			n = -n
		}
	}
	u := unpack(a)
	return c.roundPack(u.sign, u.exp+n, u.sig, 0, 64)
}

// xtract is fxtract: the unbiased exponent and the significand scaled to
// [1, 2).
func (c *ctx) xtract(a F80) (exp, sig F80) {
	c.up = false
	if r, done := c.checkUnary(a); done {
		return r, r
	}
	switch {
	case a.isZero():
		c.flags |= FlagZE
		return mkInf(true), a
	case a.isInf():
		return mkInf(false), a
	}
	u := unpack(a)
	return fromInt(int64(u.exp - expBias)), F80{Sig: u.sig, SE: signBit(u.sign) | expBias}
}
