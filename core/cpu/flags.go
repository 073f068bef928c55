package cpu

import (
	"math/bits"
	"unsafe"
)

// EFLAGS bits.
const (
	FlagCF       = 1 << 0
	flagReserved = 1 << 1 // always 1
	FlagPF       = 1 << 2
	FlagAF       = 1 << 4
	FlagZF       = 1 << 6
	FlagSF       = 1 << 7
	FlagTF       = 1 << 8
	flagIF       = 1 << 9
	FlagDF       = 1 << 10
	FlagOF       = 1 << 11
	flagIOPL     = 3 << 12
	flagNT       = 1 << 14
	flagRF       = 1 << 16
	flagVM       = 1 << 17
	flagAC       = 1 << 18
	flagID       = 1 << 21

	// StatusFlags are the arithmetic flags kept lazily.
	StatusFlags = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF
	// userFlags are the bits popf may change at CPL 3.
	userFlags = StatusFlags | FlagTF | FlagDF | flagAC | flagID | flagNT
)

// lazyOp names the operation whose operands and result define the status
// flags. lazyNone means the status bits in flags are current.
type lazyOp uint8

const (
	lazyNone lazyOp = iota
	lazyAdd
	lazyAdc
	lazySub
	lazySbb
	lazyLogic
	lazyInc
	lazyDec
	// lazyCO: CF and OF are given explicitly (cin bit 0 and bit 1), AF is
	// clear, and SF, ZF, PF follow the result (shifts, multiplies).
	lazyCO
)

// flagsState holds EFLAGS: the non-status bits always, the status bits
// either in flags (op == lazyNone) or as the last operation's operands,
// result and width, from which they are computed when read.
type flagsState struct {
	flags uint32
	op    lazyOp
	size  uint8  // operand width in bytes
	a, b  uint32 // operands (destination first), zero-extended
	res   uint32 // result, zero-extended
	cin   uint32 // carry in for adc/sbb; the preserved CF for inc/dec
}

func sizeOf[T word]() uint8 {
	var z T
	return uint8(unsafe.Sizeof(z))
}

// setLazy records an arithmetic result.
func setLazy[T word](c *CPU, op lazyOp, a, b, res T) {
	c.op, c.size, c.a, c.b, c.res = op, sizeOf[T](), uint32(a), uint32(b), uint32(res)
}

func (f *flagsState) signBit() uint32 { return 1 << (uint32(f.size)*8 - 1) }
func (f *flagsState) mask() uint32    { return uint32(1)<<(uint32(f.size)*8-1)<<1 - 1 }

func (f *flagsState) cf() bool {
	switch f.op {
	case lazyNone:
		return f.flags&FlagCF != 0
	case lazyAdd:
		return f.res < f.a
	case lazyAdc:
		return f.res < f.a || f.cin != 0 && f.res == f.a
	case lazySub:
		return f.a < f.b
	case lazySbb:
		return f.a < f.b || f.cin != 0 && f.a == f.b
	case lazyInc, lazyDec:
		return f.cin != 0
	case lazyCO:
		return f.cin&1 != 0
	}
	return false // logic
}

func (f *flagsState) zf() bool {
	if f.op == lazyNone {
		return f.flags&FlagZF != 0
	}
	return f.res == 0
}

func (f *flagsState) sf() bool {
	if f.op == lazyNone {
		return f.flags&FlagSF != 0
	}
	return f.res&f.signBit() != 0
}

func (f *flagsState) pf() bool {
	if f.op == lazyNone {
		return f.flags&FlagPF != 0
	}
	return bits.OnesCount8(uint8(f.res))&1 == 0
}

func (f *flagsState) af() bool {
	switch f.op {
	case lazyNone:
		return f.flags&FlagAF != 0
	case lazyLogic, lazyCO:
		return false
	case lazyInc:
		return f.res&0xF == 0
	case lazyDec:
		return f.res&0xF == 0xF
	}
	return (f.a^f.b^f.res)&0x10 != 0
}

func (f *flagsState) of() bool {
	s := f.signBit()
	switch f.op {
	case lazyNone:
		return f.flags&FlagOF != 0
	case lazyAdd, lazyAdc:
		return (f.a^f.res)&(f.b^f.res)&s != 0
	case lazySub, lazySbb:
		return (f.a^f.b)&(f.a^f.res)&s != 0
	case lazyInc:
		return f.res == s
	case lazyDec:
		return f.res == s-1
	case lazyCO:
		return f.cin&2 != 0
	}
	return false
}

// status computes the six status flags.
func (f *flagsState) status() uint32 {
	if f.op == lazyNone {
		return f.flags & StatusFlags
	}
	var v uint32
	if f.cf() {
		v |= FlagCF
	}
	if f.pf() {
		v |= FlagPF
	}
	if f.af() {
		v |= FlagAF
	}
	if f.zf() {
		v |= FlagZF
	}
	if f.sf() {
		v |= FlagSF
	}
	if f.of() {
		v |= FlagOF
	}
	return v
}

// materialize makes the status bits in flags current.
func (f *flagsState) materialize() {
	if f.op != lazyNone {
		f.flags = f.flags&^StatusFlags | f.status()
		f.op = lazyNone
	}
}

// EFLAGS returns the whole register.
func (f *flagsState) EFLAGS() uint32 {
	return f.flags&^StatusFlags | f.status() | flagReserved
}

// SetEFLAGS replaces the whole register (the kernel's view: no privilege
// checks).
func (f *flagsState) SetEFLAGS(v uint32) {
	f.flags = v | flagReserved
	f.op = lazyNone
}

// setStatus sets the status bits in mask to the bits of v, eagerly.
func (f *flagsState) setStatus(mask, v uint32) {
	f.materialize()
	f.flags = f.flags&^mask | v&mask
}

func flagIf(cond bool, flag uint32) uint32 {
	if cond {
		return flag
	}
	return 0
}

// cond evaluates condition code cc (the low nibble of Jcc/SETcc/CMOVcc).
func (f *flagsState) cond(cc uint8) bool {
	var r bool
	switch cc >> 1 {
	case 0:
		r = f.of()
	case 1:
		r = f.condB()
	case 2:
		r = f.zf()
	case 3:
		r = f.condBE()
	case 4:
		r = f.sf()
	case 5:
		r = f.pf()
	case 6:
		r = f.condL()
	case 7:
		r = f.condLE()
	}
	return r != (cc&1 != 0)
}

// The compound conditions, with shortcuts for the usual producers: after
// cmp/sub they compare the operands directly, after and/or/xor/test CF
// and OF are known to be clear. jcc has one handler per condition calling
// these, so the common cmp+jcc pair costs no table switch.

func (f *flagsState) condB() bool {
	switch f.op {
	case lazySub:
		return f.a < f.b
	case lazyLogic:
		return false
	}
	return f.cf()
}

func (f *flagsState) condBE() bool {
	switch f.op {
	case lazySub:
		return f.a <= f.b
	case lazyLogic:
		return f.res == 0
	}
	return f.cf() || f.zf()
}

func (f *flagsState) condL() bool {
	switch f.op {
	case lazySub:
		return f.signed(f.a) < f.signed(f.b)
	case lazyLogic:
		return f.res&f.signBit() != 0
	}
	return f.sf() != f.of()
}

func (f *flagsState) condLE() bool {
	switch f.op {
	case lazySub:
		return f.signed(f.a) <= f.signed(f.b)
	case lazyLogic:
		return f.res == 0 || f.res&f.signBit() != 0
	}
	return f.zf() || f.sf() != f.of()
}

// signed sign-extends a value of the recorded width.
func (f *flagsState) signed(v uint32) int32 {
	shift := 32 - uint32(f.size)*8
	return int32(v<<shift) >> shift
}
