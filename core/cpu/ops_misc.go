package cpu

import (
	"encoding/binary"
	"math/bits"
)

// Stack frames, flag transfers, BCD adjustments, xlat, cpuid and rdtsc.

// enter imm16, imm8 (C8). Everything is read and written before any
// register changes, so a fault leaves the instruction restartable (the
// bytes already written lie below ESP, where nothing lives).
func enter[T uint16 | uint32](c *CPU, in *Inst) {
	size := uint32(sizeOf[T]())
	level := in.imm2 & 31
	sp := c.R[ESP]
	bp := c.R[EBP]
	sp -= size
	store(c, sp, T(bp))
	frame := sp
	if level > 0 {
		for i := uint32(1); i < level; i++ {
			bp -= size
			v := load[T](c, bp)
			sp -= size
			store(c, sp, v)
		}
		sp -= size
		store(c, sp, T(frame))
	}
	// With a 32-bit stack EBP gets the whole frame pointer whatever the
	// operand size.
	c.R[EBP] = frame
	c.R[ESP] = sp - in.imm
}

// pusha/pushad (60): EAX ECX EDX EBX, the original ESP, EBP ESI EDI.
func pusha[T uint16 | uint32](c *CPU, in *Inst) {
	size := uint32(sizeOf[T]())
	sp := c.R[ESP]
	c.checkWritable(sp-8*size, 8*size)
	for r := 0; r < 8; r++ {
		store(c, sp-uint32(r+1)*size, getReg[T](c, uint8(r)))
	}
	c.R[ESP] = sp - 8*size
}

// popa/popad (61): the reverse, skipping the saved ESP.
func popa[T uint16 | uint32](c *CPU, in *Inst) {
	size := uint32(sizeOf[T]())
	sp := c.R[ESP]
	var v [8]T
	for r := 0; r < 8; r++ {
		v[r] = load[T](c, sp+uint32(7-r)*size)
	}
	for r := 0; r < 8; r++ {
		if r != ESP {
			setReg(c, uint8(r), v[r])
		}
	}
	c.R[ESP] = sp + 8*size
}

// pushf/pushfd (9C): VM and RF read as zero.
func pushf[T uint16 | uint32](c *CPU, in *Inst) {
	pushV(c, T(c.EFLAGS()&^(flagVM|flagRF)))
}

// popfMask is what popf and iret may change at the current privilege:
// at CPL 3 (IOPL 0) not IOPL, IF, VM or RF.
func (c *CPU) popfMask() uint32 {
	if c.CPL == 0 {
		return userFlags | flagIF | flagIOPL
	}
	return userFlags
}

// popf/popfd (9D)
func popf[T uint16 | uint32](c *CPU, in *Inst) {
	v := uint32(popV[T](c))
	m := c.popfMask()
	if sizeOf[T]() == 2 {
		m &= 0xFFFF
	}
	c.SetEFLAGS(c.EFLAGS()&^m | v&m)
}

const sahfFlags = FlagSF | FlagZF | FlagAF | FlagPF | FlagCF

// sahf (9E) / lahf (9F)
func sahf(c *CPU, in *Inst) { c.setStatus(sahfFlags, c.R[EAX]>>8) }

func lahf(c *CPU, in *Inst) {
	f := c.EFLAGS()&sahfFlags | flagReserved
	c.R[EAX] = c.R[EAX]&^0xFF00 | f<<8
}

// xlat (D7): AL = [seg:EBX+AL]
func xlat(c *CPU, in *Inst) {
	a := c.R[EBX] + c.R[EAX]&0xFF
	if in.addr16 {
		a &= 0xFFFF
	}
	setReg(c, EAX, c.read8(a+c.SegBas[in.seg]))
}

// szp returns SF, ZF and PF for a byte result.
func szp(v uint8) uint32 {
	f := flagIf(v&0x80 != 0, FlagSF) | flagIf(v == 0, FlagZF)
	return f | flagIf(bits.OnesCount8(v)&1 == 0, FlagPF)
}

// aaa (37) / aas (3F): ASCII adjust after add/subtract.
func aaa(c *CPU, in *Inst) {
	ax := c.R[EAX] & 0xFFFF
	var f uint32
	if ax&0xF > 9 || c.af() {
		ax += 0x106
		f = FlagAF | FlagCF
	}
	ax &= 0xFF0F
	setReg(c, EAX, uint16(ax))
	c.setStatus(StatusFlags, f|szp(uint8(ax)))
}

func aas(c *CPU, in *Inst) {
	ax := c.R[EAX] & 0xFFFF
	var f uint32
	if ax&0xF > 9 || c.af() {
		ax = (ax - 6) & 0xFFFF
		ax -= 0x100
		f = FlagAF | FlagCF
	}
	ax &= 0xFF0F
	setReg(c, EAX, uint16(ax))
	c.setStatus(StatusFlags, f|szp(uint8(ax)))
}

// daa (27) / das (2F): decimal adjust AL after add/subtract.
func daa(c *CPU, in *Inst) {
	al := uint8(c.R[EAX])
	old, oldCF := al, c.cf()
	var f uint32
	if al&0xF > 9 || c.af() {
		al += 6
		f |= FlagAF
	}
	if old > 0x99 || oldCF {
		al += 0x60
		f |= FlagCF
	}
	setReg(c, EAX, al)
	c.setStatus(StatusFlags, f|szp(al))
}

func das(c *CPU, in *Inst) {
	al := uint8(c.R[EAX])
	old, oldCF := al, c.cf()
	var f uint32
	if al&0xF > 9 || c.af() {
		if al < 6 || oldCF {
			f |= FlagCF
		}
		al -= 6
		f |= FlagAF
	}
	if old > 0x99 || oldCF {
		al -= 0x60
		f |= FlagCF
	}
	setReg(c, EAX, al)
	c.setStatus(StatusFlags, f|szp(al))
}

// aam imm8 (D4): AH = AL/imm, AL = AL%imm; #DE for zero.
func aam(c *CPU, in *Inst) {
	b := uint8(in.imm)
	if b == 0 {
		c.raise(VecDivide, 0)
	}
	al := uint8(c.R[EAX])
	r := al % b
	setReg(c, EAX, uint16(al/b)<<8|uint16(r))
	c.setStatus(StatusFlags, szp(r))
}

// aad imm8 (D5): AL = AL + AH*imm, AH = 0; flags as that byte add.
func aad(c *CPU, in *Inst) {
	al, ah := uint8(c.R[EAX]), uint8(c.R[EAX]>>8)
	r := alu(c, aluADD, al, ah*uint8(in.imm))
	setReg(c, EAX, uint16(r))
}

// CPUID: an i686 with FPU, TSC, CX8 and CMOV and nothing newer, so C
// libraries keep to integer and x87 code.
const (
	cpuidFPU  = 1 << 0
	cpuidTSC  = 1 << 4
	cpuidCX8  = 1 << 8
	cpuidCMOV = 1 << 15
	// Signature: family 6, model 1, stepping 9 (a Pentium Pro's).
	cpuidSignature = 6<<8 | 1<<4 | 9
	cpuidMaxBasic  = 1
	cpuidMaxExt    = 0x80000004
)

var cpuidBrand = func() [48]byte {
	var b [48]byte
	copy(b[:], "Trapdoor i686")
	return b
}()

// CPUID returns what the cpuid instruction reports for a leaf (the
// subleaf in ECX is ignored: no leaf we answer has subleaves).
func CPUID(leaf uint32) (eax, ebx, ecx, edx uint32) {
	str := func(s string) uint32 { return binary.LittleEndian.Uint32([]byte(s)) }
	switch {
	case leaf == 0:
		return cpuidMaxBasic, str("Genu"), str("ntel"), str("ineI")
	case leaf == 1:
		return cpuidSignature, 0, 0, cpuidFPU | cpuidTSC | cpuidCX8 | cpuidCMOV
	case leaf == 0x80000000:
		return cpuidMaxExt, 0, 0, 0
	case leaf >= 0x80000002 && leaf <= 0x80000004:
		b := cpuidBrand[(leaf-0x80000002)*16:]
		le := binary.LittleEndian
		return le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])
	}
	return 0, 0, 0, 0
}

func cpuid(c *CPU, in *Inst) {
	c.R[EAX], c.R[EBX], c.R[ECX], c.R[EDX] = CPUID(c.R[EAX])
}

// rdtsc (0F 31): the count of retired instructions, so runs are
// reproducible.
func rdtsc(c *CPU, in *Inst) {
	t := c.Retired()
	c.R[EAX], c.R[EDX] = uint32(t), uint32(t>>32)
}

func init() {
	oneByte[0xC8] = sized("enter", argEnter, enter[uint16], enter[uint32])
	oneByte[0x60] = sized("pusha", 0, pusha[uint16], pusha[uint32])
	oneByte[0x61] = sized("popa", 0, popa[uint16], popa[uint32])
	oneByte[0x9C] = sized("pushf", 0, pushf[uint16], pushf[uint32])
	oneByte[0x9D] = sized("popf", 0, popf[uint16], popf[uint32])
	oneByte[0x9E] = fixed("sahf", 0, sahf)
	oneByte[0x9F] = fixed("lahf", 0, lahf)
	oneByte[0xD7] = fixed("xlat", 0, xlat)
	oneByte[0x27] = fixed("daa", 0, daa)
	oneByte[0x2F] = fixed("das", 0, das)
	oneByte[0x37] = fixed("aaa", 0, aaa)
	oneByte[0x3F] = fixed("aas", 0, aas)
	oneByte[0xD4] = fixed("aam", argImm8U, aam)
	oneByte[0xD5] = fixed("aad", argImm8U, aad)
	twoByte[0xA2] = fixed("cpuid", 0, cpuid)
	twoByte[0x31] = fixed("rdtsc", 0, rdtsc)
}
