package x87

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"sync"
)

// Transcendental instructions. They are computed with math/big at wprec
// bits (far more than the 64 kept) and rounded once with the rounding
// control; the precision control does not apply to them.

const wprec = 160

var (
	constOnce sync.Once
	bigPi     *big.Float // π to 512 bits
	bigLn2    *big.Float
)

// π's fraction in hex (the digits Blowfish's P-array and S-boxes use).
const piHex = "3.243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89452821E638D01377BE5466CF34E90C6CC0AC29B7C97C50DD3F84D5B5B5470917"

func initConsts() {
	constOnce.Do(func() {
		bigPi, _, _ = big.ParseFloat("0x"+piHex+"p0", 0, 512, big.ToNearestEven)
		// ln 2 = Σ 1/(k 2^k)
		sum := newF()
		term := newF()
		for k := 1; k < wprec+16; k++ {
			term.SetMantExp(newF().SetInt64(1), -k)
			term.Quo(term, newF().SetInt64(int64(k)))
			sum.Add(sum, term)
		}
		bigLn2 = sum
	})
}

func newF() *big.Float { return new(big.Float).SetPrec(wprec) }

// toBig converts a finite value exactly.
func toBig(x F80) *big.Float {
	r := newF()
	if x.isZero() {
		if x.sign() {
			r.Neg(r)
		}
		return r
	}
	u := unpack(x)
	r.SetUint64(u.sig)
	r.SetMantExp(r, int(u.exp)-expBias-63)
	if u.sign {
		r.Neg(r)
	}
	return r
}

// fromBig rounds a non-zero big value to 64 bits with the rounding
// control. The value approximates the true result to about wprec bits:
// when bits beyond 128 remain, they act as a sticky bit. When it fits in
// 128 bits, the true result's next term was lost (tiny arguments: sin x
// = x - x³/6), and nudge says which way it goes: -1 smaller in
// magnitude, +1 larger, 0 exact.
func (c *ctx) fromBig(v *big.Float, nudge int) F80 {
	if v.Sign() == 0 {
		return mkZero(v.Signbit())
	}
	mant := new(big.Float).SetPrec(v.Prec())
	e := v.MantExp(mant) // v = mant × 2^e, |mant| in [0.5, 1)
	sign := mant.Signbit()
	mant.Abs(mant)
	mant.SetMantExp(mant, 128)
	n, acc := mant.Int(nil)
	var buf [16]byte
	n.FillBytes(buf[:])
	hi, lo := binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])
	switch {
	case acc != big.Exact || nudge > 0:
		lo |= 1
	case nudge < 0:
		var b uint64
		lo, b = bits.Sub64(lo, 1, 0)
		hi -= b
		lo |= 1
	}
	return c.roundPack(sign, int32(e)-1+expBias, hi, lo, 64)
}

// Series coefficients, computed once at wprec bits.
var (
	tableOnce sync.Once
	recip     [160]*big.Float // 1/k
	atanTab   [9]*big.Float   // atan(k/8)
)

func initTables() {
	tableOnce.Do(func() {
		initConsts()
		for k := 1; k < len(recip); k++ {
			recip[k] = newF().Quo(newF().SetInt64(1), newF().SetInt64(int64(k)))
		}
		for k := range atanTab {
			atanTab[k] = atanSlow(newF().Quo(newF().SetInt64(int64(k)), newF().SetInt64(8)))
		}
	})
}

// small reports whether term is negligible next to sum.
func small(term, sum *big.Float) bool {
	return term.Sign() == 0 || sum.Sign() != 0 && term.MantExp(nil) < sum.MantExp(nil)-wprec-4
}

// expm1 returns e^t - 1 for |t| < 1: the Taylor series on t/2^8, then
// eight doublings e(2t) = e(t)·(e(t)+2), which keep relative accuracy.
func expm1(t *big.Float) *big.Float {
	initTables()
	const halvings = 8
	u := newF().SetMantExp(t, -halvings)
	sum := newF().Set(u)
	term := newF().Set(u)
	for k := 2; k < len(recip); k++ {
		term.Mul(term, u)
		term.Mul(term, recip[k])
		if small(term, sum) {
			break
		}
		sum.Add(sum, term)
	}
	two := newF().SetInt64(2)
	tmp := newF()
	for i := 0; i < halvings; i++ {
		tmp.Add(sum, two)
		sum.Mul(sum, tmp)
	}
	return sum
}

// oddSeries sums x + q·x³/3 + q²·x⁵/5 ... until a term is negligible,
// q = -1 (atan) or +1 (atanh). exact divides each power by k (table
// building, as many terms as it takes) instead of multiplying it by the
// table's rounded 1/k.
func oddSeries(x *big.Float, alternate, exact bool) *big.Float {
	q := newF().Mul(x, x)
	if alternate {
		q.Neg(q)
	}
	kmax := len(recip)
	if exact {
		kmax = 4000
	}
	sum := newF().Set(x)
	pow := newF().Set(x)
	term := newF()
	for k := 3; k < kmax; k += 2 {
		pow.Mul(pow, q)
		if exact {
			term.Quo(pow, newF().SetInt64(int64(k)))
		} else {
			term.Mul(pow, recip[k])
		}
		if small(term, sum) {
			break
		}
		sum.Add(sum, term)
	}
	return sum
}

// atanh2 returns 2·atanh(s) = ln((1+s)/(1-s)) for small |s|.
func atanh2(s *big.Float) *big.Float {
	initTables()
	r := oddSeries(s, false, false)
	return r.SetMantExp(r, 1)
}

// ln returns the natural logarithm of a positive finite value:
// ln x = e·ln 2 + ln c + 2 atanh((m-c)/(m+c)) with c = m rounded to 1/64,
// so the series variable stays below 2^-7.
func ln(x *big.Float) *big.Float {
	initTables()
	m := newF()
	e := x.MantExp(m)  // m in [0.5, 1)
	m.SetMantExp(m, 1) // [1, 2)
	e--
	mf, _ := m.Float64()
	k := int64(mf*64 + 0.5)
	c := newF().SetInt64(k)
	c.SetMantExp(c, -6)
	s := newF().Quo(newF().Sub(m, c), newF().Add(m, c))
	r := atanh2(s)
	r.Add(r, lnTable(k))
	return r.Add(r, newF().Mul(newF().SetInt64(int64(e)), bigLn2))
}

var (
	lnOnce sync.Once
	lnTab  [129]*big.Float // ln(k/64) for k in 64..128
)

func lnTable(k int64) *big.Float {
	lnOnce.Do(func() {
		initTables()
		for i := 64; i <= 128; i++ {
			// ln(i/64) = 2 atanh((i-64)/(i+64)), slow but once.
			s := newF().Quo(newF().SetInt64(int64(i-64)), newF().SetInt64(int64(i+64)))
			lnTab[i] = atanh2Slow(s)
		}
	})
	return lnTab[k]
}

// atanh2Slow is atanh2 for any |s| < 1/3 (table building).
func atanh2Slow(s *big.Float) *big.Float {
	r := oddSeries(s, false, true)
	return r.SetMantExp(r, 1)
}

// ln1p returns ln(1+x) for |x| < 1/16, accurately for tiny x.
func ln1p(x *big.Float) *big.Float {
	// ln(1+x) = 2 atanh(x / (2+x))
	s := newF().Quo(x, newF().Add(newF().SetInt64(2), x))
	return atanh2(s)
}

// atanSeries sums t - t³/3 + t⁵/5 ... for small |t|.
func atanSeries(t *big.Float) *big.Float {
	initTables()
	return oddSeries(t, true, false)
}

// atanSmall returns atan(t) for 0 <= t <= 1: atan t = atan c +
// atan((t-c)/(1+tc)) with c = t rounded to 1/8, so |u| <= 1/16.
func atanSmall(t *big.Float) *big.Float {
	initTables()
	tf, _ := t.Float64()
	k := int64(tf*8 + 0.5)
	if k == 0 {
		return atanSeries(t)
	}
	c := newF().SetInt64(k)
	c.SetMantExp(c, -3)
	den := newF().Mul(t, c)
	den.Add(den, newF().SetInt64(1))
	u := newF().Sub(t, c)
	u.Quo(u, den)
	r := atanSeries(u)
	return r.Add(r, atanTab[k])
}

// atanSlow is atanSmall by halving the angle (table building).
func atanSlow(t *big.Float) *big.Float {
	one := newF().SetInt64(1)
	t = newF().Set(t)
	const halvings = 3
	for i := 0; i < halvings; i++ {
		d := newF().Mul(t, t)
		d.Add(d, one)
		d.Sqrt(d)
		d.Add(d, one)
		t.Quo(t, d)
	}
	t2 := newF().Mul(t, t)
	sum := newF().Set(t)
	pow := newF().Set(t)
	term := newF()
	for k := int64(3); k < 4000; k += 2 {
		pow.Mul(pow, t2)
		pow.Neg(pow)
		term.Quo(pow, newF().SetInt64(k))
		if small(term, sum) {
			break
		}
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, halvings)
}

// sinCosSmall returns sin r and cos r for |r| <= π/4 in math/big (part
// of the reference trigFast is tested against): the series on r/16,
// then four double-angle steps.
func sinCosSmall(r *big.Float) (*big.Float, *big.Float) {
	initTables()
	const halvings = 4
	u := newF().SetMantExp(r, -halvings)
	u2 := newF().Mul(u, u)
	sin := newF().Set(u)
	ts := newF().Set(u)
	// 1 - cos u, kept separately so the doublings stay accurate.
	vc := newF().SetMantExp(u2, -1)
	tc := newF().Set(vc)
	for k := 2; 2*k+1 < len(recip); k++ {
		ts.Mul(ts, u2)
		ts.Mul(ts, recip[2*k-2])
		ts.Mul(ts, recip[2*k-1])
		ts.Neg(ts)
		tc.Mul(tc, u2)
		tc.Mul(tc, recip[2*k-1])
		tc.Mul(tc, recip[2*k])
		tc.Neg(tc)
		sin.Add(sin, ts)
		vc.Add(vc, tc)
		if small(ts, sin) && small(tc, vc) {
			break
		}
	}
	// sin 2x = 2 sin x cos x; 1 - cos 2x = 2 sin² x.
	cos := newF()
	one := newF().SetInt64(1)
	for i := 0; i < halvings; i++ {
		cos.Sub(one, vc)
		vc.Mul(sin, sin)
		vc.SetMantExp(vc, 1)
		sin.Mul(sin, cos)
		sin.SetMantExp(sin, 1)
	}
	cos.Sub(one, vc)
	return sin, cos
}

// pi66 is the π the hardware reduces trigonometric arguments with:
// 0xC90FDAA22168C234C × 2^-66, π rounded to 66 significant bits. Using it
// (rather than π) reproduces hardware results for large arguments and
// near multiples of π/2.
var pi66 = func() *big.Float {
	// 0x3243F6A8885A308D3 × 2^-64: the 64-bit prefix, then the last digit.
	t := new(big.Float).SetPrec(80).SetUint64(0x3243F6A8885A308D)
	t.SetMantExp(t, 4)
	t.Add(t, new(big.Float).SetPrec(80).SetInt64(3))
	return t.SetMantExp(t, -64)
}()

// sinCosWith is the math/big reference for trigFast (tests compare the
// two): it reduces x by the hardware's π/2 and evaluates the reduced
// argument with small.
func sinCosWith(x *big.Float, small func(*big.Float) (*big.Float, *big.Float)) (sin, cos *big.Float, quadrant int64) {
	initConsts()
	p := uint(wprec + 80)
	pio2 := new(big.Float).SetPrec(p).SetMantExp(pi66, -1)
	xa := new(big.Float).SetPrec(p).Set(x)
	q := new(big.Float).SetPrec(p).Quo(xa, pio2)
	// nearest integer quadrant
	qi, _ := new(big.Float).SetPrec(p).Add(q, big.NewFloat(0.5).SetPrec(p)).Int(nil)
	if q.Sign() < 0 {
		qi, _ = new(big.Float).SetPrec(p).Sub(q, big.NewFloat(0.5).SetPrec(p)).Int(nil)
	}
	r := new(big.Float).SetPrec(p).Mul(new(big.Float).SetPrec(p).SetInt(qi), pio2)
	r.Sub(xa, r)
	rr := newF().Set(r)
	s, c := small(rr)
	quadrant = new(big.Int).And(qi, big.NewInt(3)).Int64()
	switch quadrant {
	case 1:
		s, c = c, s.Neg(s)
	case 2:
		s.Neg(s)
		c.Neg(c)
	case 3:
		s, c = c.Neg(c), s
	}
	return s, c, quadrant
}

func nudgeSign(up bool) int {
	if up {
		return 1
	}
	return -1
}

// trigRange reports whether fsin/fcos/fptan/fsincos can reduce x.
func trigRange(x F80) bool { return x.exp() < expBias+63 }

// f2xm1 is 2^x - 1.
func (c *ctx) f2xm1(x F80) F80 {
	if r, done := c.checkUnary(x); done {
		return r
	}
	switch {
	case x.isZero():
		return x
	case x.isInf():
		if x.sign() {
			return F80{Sig: bitJ, SE: 0xBFFF}
		}
		return x
	case x.exp() >= expBias && (x.exp() > expBias || x.Sig != bitJ):
		// Outside [-1, 1] the result is undefined; this CPU returns
		// the operand and reports it inexact.
		c.flags |= FlagPE
		return x
	}
	return c.f2xm1Fast(x)
}

// f2xm1Big is 2^x - 1 for finite non-zero |x| <= 1 through math/big.
func (c *ctx) f2xm1Big(x F80) F80 {
	initConsts()
	t := newF().Mul(toBig(x), bigLn2)
	return c.fromBig(expm1(t), nudgeSign(!x.sign()))
}

// fyl2x: ST1 = ST1 × log2(ST0), pop (xp1: log2(ST0 + 1)).
func (f *FPU) fyl2x(xp1 bool) {
	if xp1 {
		f.intoST1AndPop((*ctx).yl2xp1)
	} else {
		f.intoST1AndPop((*ctx).yl2x)
	}
}

// intoST1AndPop is fyl2x, fyl2xp1 and fpatan: ST1 = op(ST0, ST1), then
// pop; an empty ST0 or ST1 is a stack underflow.
func (f *FPU) intoST1AndPop(op func(c *ctx, st0, st1 F80) F80) {
	f.SW &^= swC1
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(1, Indefinite)
			f.pop()
		}
		return
	}
	c := f.ctx()
	r := op(&c, f.ST(0), f.ST(1))
	if f.finish(&c) {
		f.set(1, r)
		f.pop()
	}
}

func (c *ctx) yl2x(x, y F80) F80 {
	c.up = false
	if x.sign() && !x.isZero() && !x.isNaN() && !y.isNaN() && !x.isUnsupported() && !y.isUnsupported() {
		return c.invalid() // before DE
	}
	if r, done := c.checkBinary(x, y); done {
		return r
	}
	switch {
	case x.isZero():
		if y.isZero() {
			return c.invalid()
		}
		if !y.isInf() {
			// Zero divide takes precedence over a denormal y.
			c.flags = c.flags&^FlagDE | FlagZE
		}
		return mkInf(!y.sign())
	case x.isInf():
		if y.isZero() {
			return c.invalid()
		}
		return mkInf(y.sign())
	}
	isOne := x.Sig == bitJ && x.exp() == expBias
	below := x.exp() < expBias // log2 x < 0
	switch {
	case y.isInf():
		if isOne {
			return c.invalid()
		}
		return mkInf(y.sign() != below)
	case y.isZero() || isOne:
		return mkZero(y.sign() != below)
	}
	if u := unpack(x); u.sig == bitJ {
		// log2 of a power of two (denormals too) is an integer: the
		// product rounds once.
		c.prec = 64
		return c.inexactAnyway(c.mul(fromInt(int64(u.exp-expBias)), y))
	}
	r := c.yl2xFast(x, y)
	c.flags |= FlagPE
	return r
}

// yl2xBig is the math/big version of yl2xFast.
func (c *ctx) yl2xBig(x, y F80) F80 {
	initConsts()
	l := ln(toBig(x))
	l.Quo(l, bigLn2)
	r := c.fromBig(l.Mul(l, toBig(y)), 0)
	c.flags |= FlagPE // even when the 192-bit value happens to be exact
	return r
}

// inexactAnyway marks an exact fyl2x/fyl2xp1 result as this CPU does:
// always inexact, and so underflowing when tiny.
func (c *ctx) inexactAnyway(r F80) F80 {
	c.flags |= FlagPE
	if r.isDenormal() {
		c.flags |= FlagUE
	}
	return r
}

func (c *ctx) yl2xp1(x, y F80) F80 {
	c.up = false
	if r, done := c.checkBinary(x, y); done {
		return r
	}
	switch {
	case x.isInf():
		if x.sign() || y.isZero() {
			return c.invalid()
		}
		return mkInf(y.sign())
	case x.isZero():
		if y.isInf() {
			return c.invalid()
		}
		return mkZero(x.sign() != y.sign())
	case y.isInf():
		return mkInf(y.sign() != x.sign())
	case y.isZero():
		return mkZero(x.sign() != y.sign())
	}
	bx := toBig(x)
	if bx.Cmp(big.NewFloat(-1)) <= 0 {
		// Undefined at -1 and below; this CPU returns the operand,
		// inexact.
		c.flags |= FlagPE
		return x
	}
	t := new(big.Float).SetPrec(256).Add(bx, big.NewFloat(1))
	if m := new(big.Float); t.Acc() == big.Exact && t.MantExp(m) != 0 && m.Cmp(big.NewFloat(0.5)) == 0 {
		// 1+x is a power of two: an integer logarithm, one rounding
		// (reported inexact all the same).
		c.prec = 64
		return c.inexactAnyway(c.mul(fromInt(int64(t.MantExp(nil)-1)), y))
	}
	if x.exp() < expBias-2 || x.exp() == expBias-2 && x.Sig <= 0x95F619980C4336F7 { // |x| <= 1 - √2/2
		r := c.yl2xp1Fast(x, y)
		c.flags |= FlagPE
		return r
	}
	return c.yl2xp1Big(x, y)
}

// yl2xp1Big is y·log2(1+x) through math/big, for finite non-zero x > -1
// (1+x not a power of two) and y.
func (c *ctx) yl2xp1Big(x, y F80) F80 {
	bx := toBig(x)
	initConsts()
	var l *big.Float
	if x.exp() < expBias-4 {
		l = ln1p(bx) // accurate for tiny x
	} else {
		l = ln(newF().Add(bx, newF().SetInt64(1)))
	}
	l.Quo(l, bigLn2)
	r := c.fromBig(l.Mul(l, toBig(y)), 0)
	c.flags |= FlagPE // even when the 192-bit value happens to be exact
	return r
}

// fpatan: ST1 = atan2(ST1, ST0), pop.
func (f *FPU) fpatan() {
	f.intoST1AndPop(func(c *ctx, x, y F80) F80 { return c.atan2(y, x) })
}

func (c *ctx) atan2(y, x F80) F80 {
	c.up = false
	if r, done := c.checkBinary(x, y); done {
		return r
	}
	initConsts()
	pi := newF().Set(bigPi)
	sign := y.sign()
	var r *big.Float
	switch {
	case y.isZero() || x.isInf() && !y.isInf():
		if !x.sign() {
			return mkZero(sign)
		}
		r = pi
	case x.isZero() || y.isInf() && !x.isInf():
		r = pi.SetMantExp(pi, -1)
	case x.isInf(): // both infinite
		r = pi.SetMantExp(pi, -2)
		if x.sign() {
			r.Mul(r, newF().SetInt64(3))
		}
	default:
		return c.atan2Fast(y, x)
	}
	if sign {
		r.Neg(r)
	}
	return c.fromBig(r, -1)
}

// atan2Big is the math/big version of atan2Fast (finite non-zero x, y).
func (c *ctx) atan2Big(y, x F80) F80 {
	initConsts()
	pi := newF().Set(bigPi)
	sign := y.sign()
	var r *big.Float
	{
		bx, by := toBig(x).Abs(toBig(x)), toBig(y)
		by.Abs(by)
		if by.Cmp(bx) <= 0 {
			r = atanSmall(newF().Quo(by, bx))
		} else {
			r = atanSmall(newF().Quo(bx, by))
			r.Sub(newF().SetMantExp(pi, -1), r)
		}
		if x.sign() {
			r.Sub(pi, r)
		}
	}
	if sign {
		r.Neg(r)
	}
	return c.fromBig(r, -1) // atan q = q - q³/3 ...
}

// trigOperand starts fptan, fsin, fcos and fsincos (push: the ones that
// push a second result): it clears C1 and C2, answers a stack fault and
// an operand out of range (|x| >= 2^63: C2 set, ST0 kept), and otherwise
// gives ST0.
func (f *FPU) trigOperand(push bool) (x F80, ok bool) {
	f.SW &^= swC1 | swC2
	if under := f.empty(0); under || push && !f.empty(-1) {
		if f.stackFault(!under) {
			f.set(0, Indefinite)
			if push {
				f.pushV(Indefinite)
			}
		}
		return x, false
	}
	x = f.ST(0)
	if !x.isNaN() && !x.isInf() && !x.isUnsupported() && !trigRange(x) {
		f.SW |= swC2
		return x, false
	}
	return x, true
}

// trigSpecial is a trig result that needs no arithmetic: a NaN or
// unsupported operand's, or invalid for an infinity.
func (c *ctx) trigSpecial(x F80) (F80, bool) {
	if r, done := c.checkUnary(x); done {
		return r, true
	}
	if x.isInf() {
		return c.invalid(), true
	}
	return F80{}, false
}

// fptan: ST0 = tan ST0, then push 1.
func (f *FPU) fptan() {
	x, ok := f.trigOperand(true)
	if !ok {
		return
	}
	c := f.ctx()
	var r F80
	if rr, done := c.trigSpecial(x); done {
		r = rr
	} else if x.isZero() {
		r = x
	} else {
		sn, s, cn, co, q := trigFast(x)
		// tan r grows past r; -cot r = -(1/r - r/3) shrinks.
		r = c.fromFl(sn != cn, divFl(s, co), 1-2*int(q&1))
	}
	if !f.finish(&c) {
		return
	}
	f.set(0, r)
	if r.isNaN() {
		f.pushV(r)
		return
	}
	f.pushV(one)
}

// fsin (cos=false) and fcos replace ST0.
func (f *FPU) fsinOrCos(cos bool) {
	x, ok := f.trigOperand(false)
	if !ok {
		return
	}
	c := f.ctx()
	var r F80
	switch rr, done := c.trigSpecial(x); {
	case done:
		r = rr
	case x.isZero():
		r = x
		if cos {
			r = one
		}
	default:
		sn, s, cn, co, _ := trigFast(x)
		if cos {
			sn, s = cn, co
		}
		r = c.fromFl(sn, s, -1) // sin r and cos r both fall short of r and 1
	}
	if f.finish(&c) {
		f.set(0, r)
	}
}

// fsincos: ST0 = sin, then push cos.
func (f *FPU) fsincos() {
	x, ok := f.trigOperand(true)
	if !ok {
		return
	}
	c := f.ctx()
	var s, co F80
	if r, done := c.trigSpecial(x); done {
		s, co = r, r
	} else if x.isZero() {
		s, co = x, one
	} else {
		sn, bs, cn, bc, _ := trigFast(x)
		s = c.fromFl(sn, bs, -1)
		upS := c.up
		co = c.fromFl(cn, bc, -1)
		c.up = upS // C1 reports the sine's rounding
	}
	if !f.finish(&c) {
		return
	}
	f.set(0, s)
	f.pushV(co)
}
