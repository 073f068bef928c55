package x87

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// Fast paths for the transcendental instructions libm uses most, in
// 128-bit fixed point: about 2^-120 relative error, so they round to the
// same 64-bit results as the math/big versions (checked by a differential
// test) at a small fraction of the cost. Inputs where the fixed-point
// forms lose relative accuracy (tiny arguments) take the math/big path.

// u128 is an unsigned 128-bit integer; as a fixed-point value it is
// Q2.126 (value = n / 2^126) unless said otherwise.
type u128 struct{ hi, lo uint64 }

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return u128{a.hi + b.hi + c, lo}
}

func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	return u128{a.hi - b.hi - c, lo}
}

func (a u128) shr(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n < 64:
		return u128{a.hi >> n, a.lo>>n | a.hi<<(64-n)}
	case n < 128:
		return u128{0, a.hi >> (n - 64)}
	}
	return u128{}
}

// mul256 returns the full product a × b, most significant word first.
func mul256(a, b u128) (r3, r2, r1, r0 uint64) {
	h00, l00 := bits.Mul64(a.lo, b.lo)
	h01, l01 := bits.Mul64(a.lo, b.hi)
	h10, l10 := bits.Mul64(a.hi, b.lo)
	h11, l11 := bits.Mul64(a.hi, b.hi)
	r0 = l00
	var c1, c2, c uint64
	r1, c = bits.Add64(h00, l01, 0)
	c1 += c
	r1, c = bits.Add64(r1, l10, 0)
	c1 += c
	r2, c = bits.Add64(h01, h10, 0)
	c2 += c
	r2, c = bits.Add64(r2, l11, 0)
	c2 += c
	r2, c = bits.Add64(r2, c1, 0)
	c2 += c
	r3 = h11 + c2
	return
}

// mulQ multiplies two Q2.126 values, truncating.
func mulQ(a, b u128) u128 {
	r3, r2, r1, _ := mul256(a, b)
	return u128{r3<<2 | r2>>62, r2<<2 | r1>>62}
}

var (
	fixedOnce sync.Once
	ln2Fix    u128     // ln 2 × 2^128
	invFact   [40]u128 // 1/(k+1)! in Q2.126
)

func initFixed() {
	fixedOnce.Do(func() {
		initConsts()
		ln2Fix = bigToU128(new(big.Float).SetPrec(256).SetMantExp(bigLn2, 128))
		f := new(big.Float).SetPrec(256).SetInt64(1)
		for k := range invFact {
			f.Quo(f, new(big.Float).SetInt64(int64(k+1)))
			invFact[k] = bigToU128(new(big.Float).SetPrec(256).SetMantExp(f, 126))
		}
	})
}

func bigToU128(v *big.Float) u128 {
	n, _ := v.Int(nil)
	var buf [16]byte
	n.FillBytes(buf[:])
	var r u128
	for i := 0; i < 8; i++ {
		r.hi = r.hi<<8 | uint64(buf[i])
		r.lo = r.lo<<8 | uint64(buf[8+i])
	}
	return r
}

// f2xm1Fast computes 2^x - 1 for 2^-40 <= |x| <= 1 as expm1(t) = t·q(t),
// t = x ln 2, q(t) = Σ t^k/(k+1)!, which is positive and between 0.7 and
// 1.5, so fixed point keeps full relative accuracy.
func (c *ctx) f2xm1Fast(x F80) F80 {
	initFixed()
	u := unpack(x)
	// t = sig × ln2Fix × 2^(exp-bias-63-128), a 192-bit product.
	a1, a0 := bits.Mul64(u.sig, ln2Fix.lo)
	b1, b0 := bits.Mul64(u.sig, ln2Fix.hi)
	p1, cy := bits.Add64(b0, a1, 0)
	p2 := b1 + cy
	p0 := a0
	et := u.exp - expBias - 191 + 64 // t ≈ (p2:p1) × 2^et
	if p2>>63 == 0 {
		p2, p1 = p2<<1|p1>>63, p1<<1|p0>>63
		et--
	}
	t := u128{p2, p1}
	// |t| in Q2.126: shift right by -(et+126).
	sh := -(et + 126)
	tf := t.shr(uint(sh))
	// Terms needed: |t|^n/(n+1)! below 2^-130.
	mag := float64(tf.hi) / (1 << 62)
	n := len(invFact) - 1
	if mag == 0 {
		n = 3 // |t| < 2^-62: t³ terms are below 2^-126
	} else {
		lg := math.Log2(mag)
		for k := 1; k < len(invFact); k++ {
			if lg*float64(k)-lgFactTab[k+1] < -130 {
				n = k
				break
			}
		}
	}
	q := invFact[n]
	for k := n - 1; k >= 0; k-- {
		m := mulQ(tf, q)
		if u.sign {
			q = invFact[k].sub(m)
		} else {
			q = invFact[k].add(m)
		}
	}
	r3, r2, _, _ := mul256(t, q)
	// value = (t × q) × 2^(et-126); the top 128 bits carry 2^(et+2).
	return c.roundPack(u.sign, et+129+expBias, r3, r2|1, 64)
}

// lgFactTab[k] is log2(k!).
var lgFactTab = func() (t [64]float64) {
	for k := range t {
		lg, _ := math.Lgamma(float64(k + 1))
		t[k] = lg / math.Ln2
	}
	return
}()

// fl is a 128-bit floating value m × 2^e (m not necessarily normalized).
type fl struct {
	m u128
	e int32
}

func clz128(a u128) int {
	if a.hi != 0 {
		return bits.LeadingZeros64(a.hi)
	}
	return 64 + bits.LeadingZeros64(a.lo)
}

func (a u128) shl(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n < 64:
		return u128{a.hi<<n | a.lo>>(64-n), a.lo << n}
	case n < 128:
		return u128{a.lo << (n - 64), 0}
	}
	return u128{}
}

func (a fl) norm() fl {
	n := clz128(a.m)
	if n == 128 {
		return a
	}
	return fl{a.m.shl(uint(n)), a.e - int32(n)}
}

// mulFl multiplies, keeping the top 128 bits of the normalized product.
func mulFl(a, b fl) fl {
	a, b = a.norm(), b.norm()
	r3, r2, _, _ := mul256(a.m, b.m)
	return fl{u128{r3, r2}, a.e + b.e + 128}
}

// addSigned adds two sign-magnitude values.
func addSigned(as bool, a u128, bs bool, b u128) (bool, u128) {
	if as == bs {
		return as, a.add(b)
	}
	if a.hi > b.hi || a.hi == b.hi && a.lo >= b.lo {
		return as, a.sub(b)
	}
	return bs, b.sub(a)
}

// Tables for the fixed-point logarithm: for m near k/64, recipTab[k] is
// 2^63·64/k rounded up (so m·r is near 1) and lnRecip[k] = ln(r/2^63)
// in Q2.126 with its sign; log2e is log2(e) in Q2.126; invInt[k] is
// 1/(k+1) in Q2.126.
var (
	logOnce  sync.Once
	recipTab [97]uint64 // k from 44 (fyl2xp1 down to 1+x = √½) to 96
	lnRecip  [97]u128
	lnRecNeg [97]bool
	log2eFix u128
	invInt   [48]u128
)

func initLog() {
	logOnce.Do(func() {
		initConsts()
		p := uint(256)
		for k := 44; k <= 96; k++ {
			r := new(big.Int).Lsh(big.NewInt(64), 63)
			r.Add(r, big.NewInt(int64(k-1)))
			r.Quo(r, big.NewInt(int64(k))) // ceil(2^63·64/k)
			recipTab[k] = r.Uint64()
			rf := new(big.Float).SetPrec(p).SetInt(r)
			rf.SetMantExp(rf, -63)
			l := ln(rf)
			lnRecNeg[k] = l.Sign() < 0
			l.Abs(l)
			lnRecip[k] = bigToU128(new(big.Float).SetPrec(p).SetMantExp(l, 126))
		}
		l2e := new(big.Float).SetPrec(p).Quo(new(big.Float).SetPrec(p).SetInt64(1), bigLn2)
		log2eFix = bigToU128(l2e.SetMantExp(l2e, 126))
		for k := range invInt {
			f := new(big.Float).SetPrec(p).Quo(big.NewFloat(1), new(big.Float).SetInt64(int64(k+1)))
			invInt[k] = bigToU128(f.SetMantExp(f, 126))
		}
	})
}

// log2Fast returns log2 x for a positive finite non-zero x as a sign and
// a 128-bit floating magnitude with about 2^-118 relative error.
func log2Fast(x F80) (bool, fl) {
	initLog()
	u := unpack(x)
	e := u.exp - expBias
	// m = sig/2^63 in [1, 2); use [0.75, 1.5) so m is near 1 around x = 1.
	half := u.sig >= 0xC000000000000000
	if half {
		e++ // m = sig/2^64
	}
	var mf float64
	if half {
		mf = float64(u.sig) / (1 << 64)
	} else {
		mf = float64(u.sig) / (1 << 63)
	}
	k := int(mf*64 + 0.5)
	// P = m·r in Q2.126: sig·r / 2^(126+63-126-63) = sig·r, halved when
	// m = sig/2^64.
	ph, pl := bits.Mul64(u.sig, recipTab[k])
	p := u128{ph, pl}
	if half {
		p = p.shr(1)
	}
	one := u128{1 << 62, 0}
	zNeg := p.hi < one.hi
	var z u128
	if zNeg {
		z = one.sub(p)
	} else {
		z = p.sub(one)
	}
	// q = ln(1+z)/z = Σ (-z)^j/(j+1): |z| < 1/64 + ε, 22 terms.
	n := 22
	if z.hi == 0 && z.lo < 1<<62 {
		n = 2 // |z| < 2^-64: z² terms vanish below 2^-126
	}
	q := invInt[n]
	for j := n - 1; j >= 0; j-- {
		m := mulQ(z, q)
		if zNeg {
			q = invInt[j].add(m)
		} else {
			q = invInt[j].sub(m)
		}
	}
	log2e := fl{log2eFix, -126}
	if k == 64 && e == 0 {
		// x near 1: keep relative accuracy with floating products.
		lm := mulFl(mulFl(fl{z, -126}, fl{q, -126}), log2e)
		return zNeg, lm
	}
	// ln m = z·q - ln r, in fixed point.
	zq := mulQ(z, q)
	s, lnm := addSigned(zNeg, zq, !lnRecNeg[k], lnRecip[k])
	lm := mulQ(lnm, log2eFix)
	if e == 0 {
		return s, fl{lm, -126}
	}
	// L = e + lm in Q16.112.
	ei := int64(e)
	es := ei < 0
	if es {
		ei = -ei
	}
	ls, lmag := addSigned(es, u128{uint64(ei) << 48, 0}, s, lm.shr(14))
	return ls, fl{lmag, -112}
}

// yl2xFast rounds y·log2 x (x positive, not 1 or a power of two; y finite
// non-zero).
func (c *ctx) yl2xFast(x, y F80) F80 {
	ls, l := log2Fast(x)
	uy := unpack(y)
	l = l.norm()
	r2, r1 := bits.Mul64(uy.sig, l.m.hi)
	s1, _ := bits.Mul64(uy.sig, l.m.lo)
	mid, cy := bits.Add64(r1, s1, 0)
	hi := r2 + cy
	// value ≈ (hi:mid) × 2^(64 + l.e + ey), ey = exp-bias-63
	ey := uy.exp - expBias - 63
	return c.roundPack(ls != uy.sign, l.e+ey+191+expBias, hi, mid|1, 64)
}

var (
	atanOnce   sync.Once
	atanTabFix [9]u128 // atan(k/8) in Q2.126
	piFix      u128    // π in Q2.126
)

func initAtan() {
	atanOnce.Do(func() {
		initTables()
		initLog()
		for k := range atanTabFix {
			atanTabFix[k] = bigToU128(new(big.Float).SetPrec(256).SetMantExp(atanTab[k], 126))
		}
		piFix = bigToU128(new(big.Float).SetPrec(256).SetMantExp(bigPi, 126))
	})
}

// recipQ returns 1/d for d in [1, 2] in Q2.126 by Newton's iteration
// from a float64 estimate.
func recipQ(d u128) u128 {
	df := float64(d.hi) / (1 << 62)
	r := u128{uint64(1 / df * (1 << 62)), 0}
	two := u128{2 << 62, 0}
	for i := 0; i < 3; i++ {
		e := mulQ(d, r)
		r = mulQ(r, two.sub(e))
	}
	return r
}

// atanQ returns q(w) = Σ (-w)^j/(2j+1) for w = u² <= 2^-8 in Q2.126.
func atanQ(w u128) u128 {
	n := 16
	q := invInt[2*n]
	for j := n - 1; j >= 0; j-- {
		q = invInt[2*j].sub(mulQ(w, q))
	}
	return q
}

// atan2Fast rounds atan2(y, x) for finite non-zero x and y.
func (c *ctx) atan2Fast(y, x F80) F80 {
	initAtan()
	ux, uy := unpack(x), unpack(y)
	swap := uy.exp > ux.exp || uy.exp == ux.exp && uy.sig > ux.sig
	a, b := uy, ux // t = a/b <= 1
	if swap {
		a, b = ux, uy
	}
	// t = a/b as a 128-bit quotient: t = (q1:q0) × 2^te.
	nh, nl := a.sig, uint64(0)
	te := a.exp - b.exp - 128
	if a.sig >= b.sig {
		nh, nl = a.sig>>1, a.sig<<63
		te++
	}
	q1, r := bits.Div64(nh, nl, b.sig)
	q0, r := bits.Div64(r, 0, b.sig)
	exact := r == 0
	t := fl{u128{q1, q0}, te}
	var tf u128 // t in Q2.126 (t <= 1)
	if sh := -(te + 126); sh < 128 {
		tf = t.m.shr(uint(sh))
	}
	k := int((float64(tf.hi)/(1<<62))*8 + 0.5)
	var neg bool // sign of the fixed result below
	var res u128
	if k == 0 {
		w := mulQ(tf, tf)
		prod := mulFl(t, fl{atanQ(w), -126})
		if !swap && !ux.sign {
			// Small result: keep it floating. When t is exact and t²/3
			// is below the working precision, atan t is just below t:
			// step under it.
			if exact && w.hi == 0 && w.lo < 1<<10 {
				prod = t.norm()
				prod.m = prod.m.sub(u128{0, 1})
			}
			return c.roundPack(uy.sign, prod.e+127+expBias, prod.m.hi, prod.m.lo|1, 64)
		}
		res = prod.m.shr(uint(-(prod.e + 126)))
	} else {
		cf := u128{uint64(k) << 59, 0} // k/8 in Q2.126
		uNeg := tf.hi < cf.hi || tf.hi == cf.hi && tf.lo < cf.lo
		var num u128
		if uNeg {
			num = cf.sub(tf)
		} else {
			num = tf.sub(cf)
		}
		den := u128{1 << 62, 0}.add(mulQ(tf, cf))
		u := mulQ(num, recipQ(den))
		uq := mulQ(u, atanQ(mulQ(u, u)))
		neg, res = addSigned(false, atanTabFix[k], uNeg, uq)
	}
	if swap { // π/2 - r
		neg, res = addSigned(false, piFix.shr(1), !neg, res)
	}
	if ux.sign { // π - r
		neg, res = addSigned(false, piFix, !neg, res)
	}
	return c.roundPack(uy.sign != neg, expBias+1, res.hi, res.lo|1, 64)
}

// log1pQ returns q(z) = ln(1+z)/z = Σ (-z)^j/(j+1) for |z| <= 1/64 + ε
// in Q2.126; zNeg gives z's sign.
func log1pQ(z u128, zNeg bool) u128 {
	n := 22
	if z.hi == 0 && z.lo < 1<<62 {
		n = 2 // |z| < 2^-64: z² terms vanish below 2^-126
	}
	q := invInt[n]
	for j := n - 1; j >= 0; j-- {
		m := mulQ(z, q)
		if zNeg {
			q = invInt[j].add(m)
		} else {
			q = invInt[j].sub(m)
		}
	}
	return q
}

// yl2xp1Fast rounds y·log2(1+x) for finite non-zero x with
// |x| < 1 - √2/2 (the instruction's range) and finite non-zero y.
func (c *ctx) yl2xp1Fast(x, y F80) F80 {
	initLog()
	ux, uy := unpack(x), unpack(y)
	log2e := fl{log2eFix, -126}
	var ls bool
	var l fl
	if ux.exp < expBias-7 {
		// |x| < 1/128: ln(1+x) = x·q(x), floating so tiny x keeps its
		// relative accuracy.
		var z u128 // |x| in Q2.126
		if sh := expBias + 63 - 126 - ux.exp; sh < 128 {
			z = u128{ux.sig, 0}.shr(uint(sh + 64))
		}
		q := log1pQ(z, ux.sign)
		l = mulFl(mulFl(fl{u128{ux.sig, 0}, ux.exp - expBias - 127}, fl{q, -126}), log2e)
		ls = ux.sign
	} else {
		// m = 1+x exactly in Q2.126 (|x| >= 2^-8 keeps it within 128 bits).
		xf := u128{ux.sig, 0}.shr(uint(expBias + 63 - 126 - ux.exp + 64))
		one := u128{1 << 62, 0}
		var m u128
		if ux.sign {
			m = one.sub(xf)
		} else {
			m = one.add(xf)
		}
		k := int(float64(m.hi)/(1<<62)*64 + 0.5)
		_, r2, r1, r0 := mul256(m, u128{0, recipTab[k]})
		p := u128{r2<<1 | r1>>63, r1<<1 | r0>>63} // (m·r) >> 63 in Q2.126
		zNeg := p.hi < one.hi
		var z u128
		if zNeg {
			z = one.sub(p)
		} else {
			z = p.sub(one)
		}
		q := log1pQ(z, zNeg)
		zq := mulQ(z, q)
		s, lnm := addSigned(zNeg, zq, !lnRecNeg[k], lnRecip[k])
		ls, l = s, fl{mulQ(lnm, log2eFix), -126}
	}
	l = l.norm()
	r2, r1 := bits.Mul64(uy.sig, l.m.hi)
	s1, _ := bits.Mul64(uy.sig, l.m.lo)
	mid, cy := bits.Add64(r1, s1, 0)
	hi := r2 + cy
	ey := uy.exp - expBias - 63
	return c.roundPack(ls != uy.sign, l.e+ey+191+expBias, hi, mid|1, 64)
}

// u192 is a 192-bit unsigned integer, most significant word first.
type u192 [3]uint64

func cmp192(a, b u192) int {
	for i := 0; i < 3; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// sq66 returns s² for s < 2^66 given as sh:sl.
func sq66(sh, sl uint64) u192 {
	h, l := bits.Mul64(sl, sl)
	ch, cl := bits.Mul64(2*sh, sl) // 2·sh·sl, sh < 4
	mid, c := bits.Add64(h, cl, 0)
	top := ch + c + sh*sh
	return u192{top, mid, l}
}

// sqrtFast rounds √x for a positive finite non-zero x. It takes a
// float64 estimate of 1/√m through two Newton steps in Q2.126, forms a
// 66-bit root candidate and corrects it with an exact square, so the
// sticky bit is exact.
func (c *ctx) sqrtFast(x F80) F80 {
	u := unpack(x)
	e := u.exp - expBias
	odd := e & 1
	eh := e >> 1 // floor(e/2)
	// m' in Q2.126: sig × 2^63, doubled when e is odd.
	mq := u128{u.sig >> 1, u.sig << 63}
	if odd != 0 {
		mq = u128{u.sig, 0}
	}
	mf := float64(mq.hi) / (1 << 62)
	y := u128{uint64(1 / math.Sqrt(mf) * (1 << 62)), 0}
	three := u128{3 << 62, 0}
	for i := 0; i < 2; i++ {
		t := mulQ(mulQ(y, y), mq)
		y = mulQ(y, three.sub(t)).shr(1)
	}
	s := mulQ(mq, y).shr(126 - 65) // ≈ √m' × 2^65
	sh, sl := s.hi, s.lo
	// T = m' × 2^130 = sig × 2^(67+odd).
	k := 67 + uint(odd)
	t := u192{u.sig >> (128 - k), u.sig << (k - 64), 0}
	for cmp192(sq66(sh, sl), t) > 0 {
		sl, sh = sl-1, sh-boolU(sl == 0)
	}
	for {
		nl, c := bits.Add64(sl, 1, 0)
		nh := sh + c
		if cmp192(sq66(nh, nl), t) > 0 {
			break
		}
		sh, sl = nh, nl
	}
	exact := cmp192(sq66(sh, sl), t) == 0
	hi := sh<<62 | sl>>2
	lo := sl << 62
	if !exact {
		lo |= 1
	}
	return c.roundPack(false, eh+expBias, hi, lo, c.prec)
}

func boolU(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// pio2Fix is the hardware's π/2 (its 66-bit π halved) as an integer P
// with π66/2 = P × 2^-65.
var pio2Fix = u128{0x3, 0x243F6A8885A308D3}

// mulU128U64 returns a × b as a 192-bit value.
func mulU128U64(a u128, b uint64) u192 {
	h1, l1 := bits.Mul64(a.lo, b)
	h2, l2 := bits.Mul64(a.hi, b)
	mid, c := bits.Add64(h1, l2, 0)
	return u192{h2 + c, mid, l1}
}

func sub192(a, b u192) u192 {
	var r u192
	var bw uint64
	r[2], bw = bits.Sub64(a[2], b[2], 0)
	r[1], bw = bits.Sub64(a[1], b[1], bw)
	r[0], _ = bits.Sub64(a[0], b[0], bw)
	return r
}

func add192(a, b u192) u192 {
	var r u192
	var c uint64
	r[2], c = bits.Add64(a[2], b[2], 0)
	r[1], c = bits.Add64(a[1], b[1], c)
	r[0], _ = bits.Add64(a[0], b[0], c)
	return r
}

func (a u192) float() float64 {
	return float64(a[0])*0x1p128 + float64(a[1])*0x1p64 + float64(a[2])
}

// reduceTrig returns x = q·(π66/2) + r for |x| < 2^63, with r exact
// (|r| <= π66/4) as a sign and a 128-bit floating value, and q mod 4.
func reduceTrig(x F80) (neg bool, r fl, q uint64) {
	u := unpack(x)
	e := u.exp - expBias
	if e < -1 { // |x| < 1/2: no reduction
		return u.sign, fl{u128{u.sig, 0}, e - 127}, 0
	}
	// |x| = X × 2^-65, X < 2^128; R = X - q·P exactly, in 192 bits.
	xx := u192{0, u.sig >> (62 - uint(e)), u.sig << (uint(e) + 2)}
	if e+2 >= 64 {
		xx = u192{0, u.sig << (uint(e) + 2 - 64), 0}
		if e+2 == 64 {
			xx = u192{0, u.sig, 0}
		}
	}
	xf := float64(u.sig) * math.Ldexp(1, int(e)-63)
	qq := uint64(math.Floor(xf/(math.Pi/2) + 0.5))
	rr := sub192(xx, mulU128U64(pio2Fix, qq)) // signed: top bit
	pf := pio2Fix.float()
	for i := 0; i < 2; i++ {
		// Correct the float estimate of q: R/P rounded, twice at most.
		rneg := rr[0]>>63 != 0
		mag := rr
		if rneg {
			mag = sub192(u192{}, rr)
		}
		d := uint64(math.Floor(mag.float()/pf + 0.5))
		if d == 0 {
			break
		}
		if rneg {
			qq -= d
			rr = add192(rr, mulU128U64(pio2Fix, d))
		} else {
			qq += d
			rr = sub192(rr, mulU128U64(pio2Fix, d))
		}
	}
	// Now |R| < P (about); make it <= P/2 exactly.
	half := u192{0, pio2Fix.hi >> 1, pio2Fix.hi<<63 | pio2Fix.lo>>1}
	for {
		rneg := rr[0]>>63 != 0
		mag := rr
		if rneg {
			mag = sub192(u192{}, rr)
		}
		if cmp192(mag, half) <= 0 {
			neg = rneg
			r = fl{u128{mag[1], mag[2]}, -65}
			break
		}
		if rneg {
			qq--
			rr = add192(rr, u192{0, pio2Fix.hi, pio2Fix.lo})
		} else {
			qq++
			rr = sub192(rr, u192{0, pio2Fix.hi, pio2Fix.lo})
		}
	}
	if u.sign { // -x = (-q)·π/2 + (-r)
		neg = !neg
		qq = -qq
	}
	return neg, r, qq & 3
}

func (a u128) float() float64 { return float64(a.hi)*0x1p64 + float64(a.lo) }

// sinCosFl is sinCosFixed on an exact fl argument: it returns sin r (sign
// sn) and cos r (positive).
func sinCosFl(neg bool, rf fl) (sn bool, sin, cos fl) {
	initFixed()
	rf = rf.norm()
	var rq u128 // |r| in Q2.126
	if sh := -(rf.e + 126); sh < 128 && sh >= 0 {
		rq = rf.m.shr(uint(sh))
	}
	w := mulQ(rq, rq)
	n := 17
	if mag := float64(w.hi) / (1 << 62); mag > 0 {
		lg := math.Log2(mag)
		for k := 1; k < n; k++ {
			if lg*float64(k)-lgFactTab[2*k] < -130 {
				n = k
				break
			}
		}
	} else {
		n = 1
	}
	s := invFact[2*n]
	for j := n - 1; j >= 0; j-- {
		s = invFact[2*j].sub(mulQ(w, s))
	}
	cc := invFact[2*n-1]
	for j := n - 1; j >= 1; j-- {
		cc = invFact[2*j-1].sub(mulQ(w, cc))
	}
	cc = u128{1 << 62, 0}.sub(mulQ(w, cc))
	return neg, mulFl(rf, fl{s, -126}), fl{cc, -126}
}

// trigFast returns sin x and cos x (signs and magnitudes) and the
// quadrant, for finite non-zero |x| < 2^63.
func trigFast(x F80) (sn bool, sin fl, cn bool, cos fl, q uint64) {
	neg, r, q := reduceTrig(x)
	rs, s, c := sinCosFl(neg, r)
	switch q {
	case 0:
		return rs, s, false, c, q
	case 1:
		return false, c, !rs, s, q
	case 2:
		return !rs, s, true, c, q
	}
	return true, c, rs, s, q
}

// divFl divides, both operands non-zero.
func divFl(a, b fl) fl {
	b = b.norm() // b.m in [2^127, 2^128): as Q2.126 it is in [2, 4)
	d := b.m.shr(1)
	rq := recipQ(d) // ≈ 2^126·2^126/(b.m/2)
	r := mulFl(a, fl{rq, -126})
	r.e -= b.e + 127 // b = (b.m/2)·2^(b.e+1) and b.m/2 = d, d/2^126 in [1,2)
	return r
}

// fromFl rounds a positive approximate value (error far below 2^-100)
// with the rounding control; nudge < 0 says the true value lies below
// the computed one when they agree to all 128 bits.
func (c *ctx) fromFl(neg bool, a fl, nudge int) F80 {
	a = a.norm()
	m := a.m
	if nudge < 0 {
		m = m.sub(u128{0, 1})
	}
	return c.roundPack(neg, a.e+127+expBias, m.hi, m.lo|1, 64)
}
