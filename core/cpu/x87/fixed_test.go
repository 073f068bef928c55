package x87

import (
	"bufio"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
)

// fuzzScale multiplies the random case counts (X87_FUZZ=10 for a long run).
func fuzzScale() int {
	if n, err := strconv.Atoi(os.Getenv("X87_FUZZ")); err == nil && n > 0 {
		return n
	}
	return 1
}

// TestF2xm1FastMatchesBig compares the fixed-point path with the math/big
// one on random arguments in every rounding mode.
func TestF2xm1FastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	n *= fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - rng.Intn(40))}
		switch rng.Intn(4) {
		case 0: // tiny, down to denormals
			x.SE = uint16(rng.Intn(expBias))
		case 1:
			x = F80{Sig: rng.Uint64() >> uint(rng.Intn(64)), SE: 0}
			if x.Sig == 0 {
				continue
			}
		}
		if rng.Intn(2) == 0 {
			x = x.neg()
		}
		for rc := uint8(0); rc < 4; rc++ {
			c1 := ctx{rc: rc, prec: 64}
			c2 := c1
			want := c1.f2xm1Big(x)
			got := c2.f2xm1Fast(x)
			if got != want || c1.flags != c2.flags || c1.up != c2.up {
				t.Fatalf("f2xm1(%s) rc %d: fast %s %x %v, big %s %x %v", fmt80(x), rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
			}
		}
	}
}

func TestYl2xFastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	n *= fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 70 + rng.Intn(140))}
		switch rng.Intn(4) {
		case 0: // just above or below 1
			x = F80{Sig: bitJ + uint64(rng.Intn(1000)), SE: expBias}
		case 1:
			x = F80{Sig: ^uint64(rng.Intn(1000)), SE: expBias - 1}
		}
		if x.Sig == bitJ {
			continue
		}
		y := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 5 + rng.Intn(10))}
		for rc := uint8(0); rc < 4; rc++ {
			c1 := ctx{rc: rc, prec: 64}
			c2 := c1
			want := c1.yl2xBig(x, y)
			got := c2.yl2xFast(x, y)
			if got != want || c1.flags&^FlagPE != c2.flags&^FlagPE || c1.up != c2.up {
				t.Fatalf("yl2x(%s, %s) rc %d: fast %s %x %v, big %s %x %v", fmt80(x), fmt80(y), rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
			}
		}
	}
}

func TestAtan2FastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	n := 20000 * fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 30 + rng.Intn(60))}
		y := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 30 + rng.Intn(60))}
		switch rng.Intn(4) {
		case 0:
			y.SE = x.SE + uint16(rng.Intn(3)) - 1
		case 1:
			y.SE = x.SE - uint16(rng.Intn(100))
		}
		if rng.Intn(2) == 0 {
			x = x.neg()
		}
		if rng.Intn(2) == 0 {
			y = y.neg()
		}
		for rc := uint8(0); rc < 4; rc++ {
			c1 := ctx{rc: rc, prec: 64}
			c2 := c1
			want := c1.atan2Big(y, x)
			got := c2.atan2Fast(y, x)
			if got != want || c1.flags != c2.flags || c1.up != c2.up {
				t.Fatalf("atan2(%s, %s) rc %d: fast %s %x %v, big %s %x %v", fmt80(y), fmt80(x), rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
			}
		}
	}
}

// TestFastPathsOnVectors runs the fixed-point and math/big versions on
// the operands of the hardware vectors (denormals, powers of two, huge
// exponent gaps) and requires identical results, flags and C1.
func TestFastPathsOnVectors(t *testing.T) {
	fh, err := os.Open(vectorFile())
	if err != nil {
		t.Skipf("no vectors: %v", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<16), 1<<16)
	n := 0
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 || fs[0][0] == '#' {
			continue
		}
		cw, _ := strconv.ParseUint(fs[3], 16, 16)
		x, y := parse80(t, fs[6]), parse80(t, fs[7])
		if classify(x) != classNormal && classify(x) != classDenormal ||
			classify(y) != classNormal && classify(y) != classDenormal {
			continue
		}
		c1 := ctx{rc: uint8(cw>>10) & 3, prec: 64}
		c2 := c1
		var want, got F80
		switch fs[0] {
		case "fpatan":
			want, got = c1.atan2Big(y, x), c2.atan2Fast(y, x)
		case "fyl2x":
			if x.sign() || unpack(x).sig == bitJ {
				continue
			}
			want, got = c1.yl2xBig(x, y), c2.yl2xFast(x, y)
			c2.flags |= FlagPE
		case "fyl2xp1":
			if x.exp() > expBias-2 || x.exp() == expBias-2 && x.Sig > 0x95F619980C4336F7 {
				continue
			}
			want, got = c1.yl2xp1Big(x, y), c2.yl2xp1Fast(x, y)
			c2.flags |= FlagPE
		case "fsin", "fcos", "fsincos", "fptan":
			if trigRange(x) {
				trigBoth(t, x)
				n++
			}
			continue
		case "f2xm1":
			if x.exp() >= expBias {
				continue
			}
			want, got = c1.f2xm1Big(x), c2.f2xm1Fast(x)
		default:
			continue
		}
		n++
		if got != want || c1.flags != c2.flags || c1.up != c2.up {
			t.Errorf("%s %s %s rc %d: fast %s %x %v, big %s %x %v", fs[0], fs[6], fs[7], c1.rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
		}
	}
	t.Logf("%d cases", n)
}

func TestYl2xp1FastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	n := 20000 * fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 3 - rng.Intn(80))}
		if rng.Intn(4) == 0 { // up to 1 - √2/2
			x = F80{Sig: bitJ + rng.Uint64()%(0x95F619980C4336F7-bitJ+1), SE: expBias - 2}
		}
		if rng.Intn(2) == 0 {
			x = x.neg()
		}
		if rng.Intn(5) == 0 {
			x.SE = x.SE&0x8000 | uint16(expBias-3-rng.Intn(16000))
		}
		y := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 5 + rng.Intn(10))}
		for rc := uint8(0); rc < 4; rc++ {
			c1 := ctx{rc: rc, prec: 64}
			c2 := c1
			want := c1.yl2xp1Big(x, y)
			got := c2.yl2xp1Fast(x, y)
			c2.flags |= FlagPE
			if got != want || c1.flags != c2.flags || c1.up != c2.up {
				t.Fatalf("yl2xp1(%s, %s) rc %d: fast %s %x %v, big %s %x %v", fmt80(x), fmt80(y), rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
			}
		}
	}
}

func TestSqrtFastMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 50000 * fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(1 + rng.Intn(0x7FFD))}
		switch rng.Intn(5) {
		case 0: // perfect squares and their neighbours
			r := rng.Uint64() >> 32
			sq := r * r
			sq += uint64(rng.Intn(3)) - 1
			if sq == 0 {
				continue
			}
			x = fromInt(int64(sq >> 1))
		case 1:
			x = F80{Sig: rng.Uint64() >> uint(rng.Intn(64)), SE: 0}
			if x.Sig == 0 {
				continue
			}
		}
		for rc := uint8(0); rc < 4; rc++ {
			for _, prec := range []uint8{24, 53, 64} {
				c1 := ctx{rc: rc, prec: prec}
				c2 := c1
				want := c1.sqrtExact(x)
				got := c2.sqrtFast(x)
				if got != want || c1.flags&^FlagDE != c2.flags || c1.up != c2.up {
					t.Fatalf("sqrt(%s) rc %d prec %d: fast %s %x %v, exact %s %x %v", fmt80(x), rc, prec, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
				}
			}
		}
	}
}

// trigBoth computes sin, cos and tan of x both ways and compares.
func trigBoth(t *testing.T, x F80) {
	t.Helper()
	bs, bc, bq := sinCosWith(toBig(x), sinCosSmall)
	sn, s, cn, co, q := trigFast(x)
	if bq != int64(q) {
		t.Fatalf("quadrant of %s: fast %d big %d", fmt80(x), q, bq)
	}
	tn, tm := sn != cn, divFl(s, co)
	for rc := uint8(0); rc < 4; rc++ {
		c1 := ctx{rc: rc, prec: 64}
		c2 := c1
		check := func(what string, want, got F80) {
			if got != want || c1.flags != c2.flags || c1.up != c2.up {
				t.Fatalf("%s(%s) rc %d: fast %s %x %v, big %s %x %v", what, fmt80(x), rc, fmt80(got), c2.flags, c2.up, fmt80(want), c1.flags, c1.up)
			}
		}
		check("sin", c1.fromBig(bs, -1), c2.fromFl(sn, s, -1))
		check("cos", c1.fromBig(bc, -1), c2.fromFl(cn, co, -1))
		bt := newF().Quo(bs, bc)
		check("tan", c1.fromBig(bt, 1-2*int(q&1)), c2.fromFl(tn, tm, 1-2*int(q&1)))
	}
}

func TestTrigFastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	n := 5000 * fuzzScale()
	for i := 0; i < n; i++ {
		x := F80{Sig: rng.Uint64() | bitJ, SE: uint16(expBias - 70 + rng.Intn(133))}
		switch rng.Intn(4) {
		case 0:
			x = F80{Sig: 0xC90FDAA22168C234 + uint64(rng.Intn(9)) - 4, SE: uint16(expBias + rng.Intn(5))}
		case 1:
			x.SE = uint16(rng.Intn(expBias))
		}
		if rng.Intn(2) == 0 {
			x = x.neg()
		}
		trigBoth(t, x)
	}
}
