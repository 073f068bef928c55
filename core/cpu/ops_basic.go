package cpu

// Data movement, stack and control transfer.

// mov Eb,Gb / Ev,Gv
func movEG[T word](c *CPU, in *Inst) { setRM(c, in, getReg[T](c, in.reg)) }

// mov Gb,Eb / Gv,Ev
func movGE[T word](c *CPU, in *Inst) { setReg(c, in.reg, getRM[T](c, in)) }

// mov Eb,Ib / Ev,Iv (C6/C7 /0)
func movEI[T word](c *CPU, in *Inst) { setRM(c, in, T(in.imm)) }

// mov r,imm (B0-BF)
func movRI[T word](c *CPU, in *Inst) { setReg(c, uint8(in.Op&7), T(in.imm)) }

// mov AL/eAX,moffs and back (A0-A3)
func movAO[T word](c *CPU, in *Inst) { setReg(c, EAX, load[T](c, in.disp+c.SegBas[in.seg])) }
func movOA[T word](c *CPU, in *Inst) { store(c, in.disp+c.SegBas[in.seg], getReg[T](c, EAX)) }

// lea Gv,M
func leaGM[T word](c *CPU, in *Inst) {
	if in.mod == 3 {
		c.raise(VecInvalidOp, 0)
	}
	setReg(c, in.reg, T(c.offset(in)))
}

func pushR[T word](c *CPU, in *Inst) { pushV(c, getReg[T](c, uint8(in.Op&7))) }

func popR[T word](c *CPU, in *Inst) {
	v := popV[T](c)
	setReg(c, uint8(in.Op&7), v)
}

func pushI[T word](c *CPU, in *Inst) { pushV(c, T(in.imm)) }

// push Ev (FF /6)
func pushE[T word](c *CPU, in *Inst) { pushV(c, getRM[T](c, in)) }

// pop Ev (8F /0): the address is computed with ESP already incremented.
func popE[T word](c *CPU, in *Inst) {
	var z T
	sp := c.R[ESP]
	v := load[T](c, sp)
	c.R[ESP] = sp + uint32(sizeOfVal(z))
	if in.mod == 3 {
		setReg(c, in.rm, v)
		return
	}
	a := c.ea(in)
	c.R[ESP] = sp // a faulting store leaves ESP as it was
	store(c, a, v)
	c.R[ESP] = sp + uint32(sizeOfVal(z))
}

func sizeOfVal[T word](T) uint8 { return sizeOf[T]() }

// xchg Eb,Gb / Ev,Gv (always locked; LOCK is accepted)
func xchgEG[T word](c *CPU, in *Inst) {
	if in.mod == 3 {
		a, b := getReg[T](c, in.rm), getReg[T](c, in.reg)
		setReg(c, in.rm, b)
		setReg(c, in.reg, a)
		return
	}
	a := rmwAddr[T](c, in)
	old := load[T](c, a)
	store(c, a, getReg[T](c, in.reg))
	setReg(c, in.reg, old)
}

// xchg eAX,r (91-97)
func xchgAR[T word](c *CPU, in *Inst) {
	r := uint8(in.Op & 7)
	a, b := getReg[T](c, EAX), getReg[T](c, r)
	setReg(c, EAX, b)
	setReg(c, r, a)
}

func nop(c *CPU, in *Inst) {}

// movzx/movsx Gv,Eb and Gv,Ew
func movzx[D, S word](c *CPU, in *Inst) { setReg(c, in.reg, D(getRM[S](c, in))) }

func movsx8[D word](c *CPU, in *Inst) {
	setReg(c, in.reg, D(int32(int8(getRM[uint8](c, in)))))
}

func movsx16[D word](c *CPU, in *Inst) {
	setReg(c, in.reg, D(int32(int16(getRM[uint16](c, in)))))
}

// Control transfer. Handlers run with EIP already past the instruction.

func (c *CPU) jumpRel(in *Inst) {
	t := c.EIP + in.imm
	if in.op16 {
		t &= 0xFFFF
	}
	c.EIP = t
}

// jccs has a handler per condition code, so evaluating the condition
// needs no switch on it.
var jccs = [16]handler{
	func(c *CPU, in *Inst) {
		if c.of() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.of() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.condB() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.condB() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.zf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.zf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.condBE() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.condBE() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.sf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.sf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.pf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.pf() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.condL() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.condL() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if c.condLE() {
			c.jumpRel(in)
		}
	},
	func(c *CPU, in *Inst) {
		if !c.condLE() {
			c.jumpRel(in)
		}
	},
}

func jmpRel(c *CPU, in *Inst) { c.jumpRel(in) }

func callRel[T word](c *CPU, in *Inst) {
	pushV(c, T(c.EIP))
	c.jumpRel(in)
}

// call Ev (FF /2)
func callE[T word](c *CPU, in *Inst) {
	t := getRM[T](c, in)
	pushV(c, T(c.EIP))
	c.EIP = uint32(t)
}

// jmp Ev (FF /4)
func jmpE[T word](c *CPU, in *Inst) { c.EIP = uint32(getRM[T](c, in)) }

func ret[T word](c *CPU, in *Inst) {
	c.EIP = uint32(popV[T](c))
}

// ret imm16
func retI[T word](c *CPU, in *Inst) {
	t := popV[T](c)
	c.R[ESP] += in.imm
	c.EIP = uint32(t)
}

// jecxz / loop / loope / loopne (E0-E3)
func loopRel(c *CPU, in *Inst) {
	var counter uint32
	if in.addr16 {
		counter = c.R[ECX] & 0xFFFF
	} else {
		counter = c.R[ECX]
	}
	if in.Op == 0xE3 {
		if counter == 0 {
			c.jumpRel(in)
		}
		return
	}
	counter--
	if in.addr16 {
		c.R[ECX] = c.R[ECX]&^0xFFFF | counter&0xFFFF
		counter &= 0xFFFF
	} else {
		c.R[ECX] = counter
	}
	taken := counter != 0
	switch in.Op {
	case 0xE0:
		taken = taken && !c.zf()
	case 0xE1:
		taken = taken && c.zf()
	}
	if taken {
		c.jumpRel(in)
	}
}

// int imm8: int 0x80 is the system call gate; any other vector has a
// DPL-0 gate in Linux, so user code gets #GP (the kernel's SIGSEGV).
func intN(c *CPU, in *Inst) {
	v := uint8(in.imm)
	if v != VecSyscall && v != VecKernelEntry && c.CPL == 3 {
		c.raise(VecGeneral, uint32(v)<<3|2)
	}
	c.stop(Exit{Reason: ExitInterrupt, Vector: v})
}

func int3(c *CPU, in *Inst) { c.stop(Exit{Reason: ExitInterrupt, Vector: VecBreakpoint}) }

func into(c *CPU, in *Inst) {
	if c.of() {
		c.stop(Exit{Reason: ExitInterrupt, Vector: VecOverflow})
	}
}

// privileged raises #GP at CPL 3.
func (c *CPU) privileged() {
	if c.CPL != 0 {
		c.raise(VecGeneral, 0)
	}
}

func hlt(c *CPU, in *Inst) {
	c.privileged()
	c.stop(Exit{Reason: ExitHalt})
}

func ud2(c *CPU, in *Inst) { c.raise(VecInvalidOp, 0) }

// Flag instructions.
func clc(c *CPU, in *Inst) { c.setStatus(FlagCF, 0) }
func stc(c *CPU, in *Inst) { c.setStatus(FlagCF, FlagCF) }
func cmc(c *CPU, in *Inst) { c.setStatus(FlagCF, c.cfBit()^1) }
func cld(c *CPU, in *Inst) { c.flags &^= FlagDF }
func std(c *CPU, in *Inst) { c.flags |= FlagDF }

func cli(c *CPU, in *Inst) {
	c.privileged()
	c.flags &^= flagIF
}

func sti(c *CPU, in *Inst) {
	c.privileged()
	c.flags |= flagIF
}

// setcc Eb (0F 90-9F)
func setcc(c *CPU, in *Inst) {
	var v uint8
	if c.cond(uint8(in.Op & 0xF)) {
		v = 1
	}
	setRM(c, in, v)
}

// cmovcc Gv,Ev (0F 40-4F): the source is read even when the condition is
// false, so a bad address faults either way, as on hardware.
func cmovcc[T word](c *CPU, in *Inst) {
	v := getRM[T](c, in)
	if c.cond(uint8(in.Op & 0xF)) {
		setReg(c, in.reg, v)
	}
}

// cbw/cwde (98) and cwd/cdq (99)
func cwde(c *CPU, in *Inst) { c.R[EAX] = uint32(int32(int16(c.R[EAX]))) }
func cbw(c *CPU, in *Inst)  { setReg(c, EAX, uint16(int16(int8(c.R[EAX])))) }
func cdq(c *CPU, in *Inst)  { c.R[EDX] = uint32(int32(c.R[EAX]) >> 31) }
func cwd(c *CPU, in *Inst)  { setReg(c, EDX, uint16(int16(c.R[EAX])>>15)) }

// leave (C9)
func leave[T word](c *CPU, in *Inst) {
	v := load[T](c, c.R[EBP])
	c.R[ESP] = c.R[EBP] + uint32(sizeOf[T]())
	setReg(c, EBP, v)
}

func init() {
	oneByte[0x88] = fixed("mov", argModRM, movEG[uint8])
	oneByte[0x89] = sized("mov", argModRM, movEG[uint16], movEG[uint32])
	oneByte[0x8A] = fixed("mov", argModRM, movGE[uint8])
	oneByte[0x8B] = sized("mov", argModRM, movGE[uint16], movGE[uint32])
	oneByte[0x8D] = sized("lea", argModRM, leaGM[uint16], leaGM[uint32])
	oneByte[0xA0] = fixed("mov", argMoffs, movAO[uint8])
	oneByte[0xA1] = sized("mov", argMoffs, movAO[uint16], movAO[uint32])
	oneByte[0xA2] = fixed("mov", argMoffs, movOA[uint8])
	oneByte[0xA3] = sized("mov", argMoffs, movOA[uint16], movOA[uint32])
	for r := 0; r < 8; r++ {
		oneByte[0x50+r] = sized("push", 0, pushR[uint16], pushR[uint32])
		oneByte[0x58+r] = sized("pop", 0, popR[uint16], popR[uint32])
		oneByte[0xB0+r] = fixed("mov", argImm8U, movRI[uint8])
		oneByte[0xB8+r] = sized("mov", argImmV, movRI[uint16], movRI[uint32])
		if r > 0 {
			oneByte[0x90+r] = sized("xchg", 0, xchgAR[uint16], xchgAR[uint32])
		}
	}
	oneByte[0x90] = fixed("nop", 0, nop)
	oneByte[0x68] = sized("push", argImmV, pushI[uint16], pushI[uint32])
	oneByte[0x6A] = sized("push", argImm8, pushI[uint16], pushI[uint32])
	oneByte[0x86] = fixed("xchg", argModRM, xchgEG[uint8])
	oneByte[0x87] = sized("xchg", argModRM, xchgEG[uint16], xchgEG[uint32])
	oneByte[0x8F] = opcode{name: "grp1a", group: &[8]opcode{0: sized("pop", 0, popE[uint16], popE[uint32])}}
	oneByte[0xC6] = opcode{name: "grp11", group: &[8]opcode{0: fixed("mov", argImm8, movEI[uint8])}}
	oneByte[0xC7] = opcode{name: "grp11", group: &[8]opcode{0: sized("mov", argImmV, movEI[uint16], movEI[uint32])}}
	oneByte[0x98] = sized("cwde", 0, cbw, cwde)
	oneByte[0x99] = sized("cdq", 0, cwd, cdq)
	oneByte[0xC9] = sized("leave", 0, leave[uint16], leave[uint32])

	for cc := 0; cc < 16; cc++ {
		oneByte[0x70+cc] = fixed("jcc", argRel8, jccs[cc])
		twoByte[0x80+cc] = fixed("jcc", argRelV, jccs[cc])
		twoByte[0x90+cc] = fixed("setcc", argModRM, setcc)
		twoByte[0x40+cc] = sized("cmovcc", argModRM, cmovcc[uint16], cmovcc[uint32])
	}
	oneByte[0xE0] = fixed("loopne", argRel8, loopRel)
	oneByte[0xE1] = fixed("loope", argRel8, loopRel)
	oneByte[0xE2] = fixed("loop", argRel8, loopRel)
	oneByte[0xE3] = fixed("jecxz", argRel8, loopRel)
	oneByte[0xE8] = sized("call", argRelV, callRel[uint16], callRel[uint32])
	oneByte[0xE9] = fixed("jmp", argRelV, jmpRel)
	oneByte[0xEB] = fixed("jmp", argRel8, jmpRel)
	oneByte[0xC3] = sized("ret", 0, ret[uint16], ret[uint32])
	oneByte[0xC2] = sized("ret", argImm16, retI[uint16], retI[uint32])
	oneByte[0xCC] = fixed("int3", 0, int3)
	oneByte[0xCD] = fixed("int", argImm8U, intN)
	oneByte[0xCE] = fixed("into", 0, into)
	oneByte[0xF4] = fixed("hlt", 0, hlt)
	oneByte[0xF5] = fixed("cmc", 0, cmc)
	oneByte[0xF8] = fixed("clc", 0, clc)
	oneByte[0xF9] = fixed("stc", 0, stc)
	oneByte[0xFA] = fixed("cli", 0, cli)
	oneByte[0xFB] = fixed("sti", 0, sti)
	oneByte[0xFC] = fixed("cld", 0, cld)
	oneByte[0xFD] = fixed("std", 0, std)

	twoByte[0x0B] = fixed("ud2", 0, ud2)
	for b := 0x18; b <= 0x1F; b++ { // hint nops, endbr32 (F3 0F 1E FB) among them
		twoByte[b] = fixed("nop", argModRM, nop)
	}
	twoByte[0xB6] = sized("movzx", argModRM, movzx[uint16, uint8], movzx[uint32, uint8])
	twoByte[0xB7] = sized("movzx", argModRM, movzx[uint16, uint16], movzx[uint32, uint16])
	twoByte[0xBE] = sized("movsx", argModRM, movsx8[uint16], movsx8[uint32])
	twoByte[0xBF] = sized("movsx", argModRM, movsx16[uint16], movsx16[uint32])

	oneByte[0xFE] = opcode{name: "grp4", group: &[8]opcode{
		0: fixed("inc", 0, incE[uint8]),
		1: fixed("dec", 0, decE[uint8]),
	}}
	oneByte[0xFF] = opcode{name: "grp5", group: &[8]opcode{
		0: sized("inc", 0, incE[uint16], incE[uint32]),
		1: sized("dec", 0, decE[uint16], decE[uint32]),
		2: sized("call", 0, callE[uint16], callE[uint32]),
		4: sized("jmp", 0, jmpE[uint16], jmpE[uint32]),
		6: sized("push", 0, pushE[uint16], pushE[uint32]),
	}}
	oneByte[0xF6] = opcode{name: "grp3", group: &[8]opcode{
		0: fixed("test", argImm8, testEI[uint8]),
		1: fixed("test", argImm8, testEI[uint8]),
		2: fixed("not", 0, notE[uint8]),
		3: fixed("neg", 0, negE[uint8]),
	}}
	oneByte[0xF7] = opcode{name: "grp3", group: &[8]opcode{
		0: sized("test", argImmV, testEI[uint16], testEI[uint32]),
		1: sized("test", argImmV, testEI[uint16], testEI[uint32]),
		2: sized("not", 0, notE[uint16], notE[uint32]),
		3: sized("neg", 0, negE[uint16], negE[uint32]),
	}}
}
