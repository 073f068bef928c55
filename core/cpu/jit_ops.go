package cpu

import (
	"trapdoor/core/cpu/internal/x64"
	"trapdoor/core/memory"
)

// The compiler's instruction table: what each supported instruction
// does with the flags and memory (jitClassify), and its translation
// (jitCompiler.inst).

// jitInfo describes a guest instruction for the compiler.
type jitInfo struct {
	ok     bool
	reads  bool // needs the incoming status flags (reads some, or keeps some)
	writes bool // leaves the status flags changed
	exits  bool // may leave the compiled code before it runs (memory, checks)
	last   bool // ends the block (a jump)
	// clobbers: changes the host's flags but not the guest's.
	clobbers bool
	// How the host's flags after it differ from the interpreter's model
	// of the flags the manuals leave undefined (see ops_shift.go):
	// dirtyAF, the host's AF (the model clears it); mulFlags, SF ZF AF
	// PF (the model takes them from the result, with AF clear).
	dirtyAF, mulFlags bool
}

// lowByteRegs: byte operands must be AL, CL, DL or BL (R8B-R11B); AH-BH
// have no encoding next to a REX prefix.
func lowByteRegs(in *Inst, reg, rm bool) bool {
	return (!reg || in.reg < 4) && (!rm || in.mod != 3 || in.rm < 4)
}

// jitClassify says whether and how the compiler handles in.
func jitClassify(in *Inst) (f jitInfo) {
	if in.op16 || in.addr16 || in.lock || (in.rep != 0 && in.Op != 0x11E) {
		return
	}
	op := in.Op
	mem := in.mod != 3 // for ModRM forms only
	writes := jitInfo{ok: true, writes: true}
	switch {
	case op < 0x40 && op&7 <= 5:
		alu := int(op >> 3)
		f = writes
		f.reads = alu == x64.ADC || alu == x64.SBB
		f.dirtyAF = alu == x64.OR || alu == x64.AND || alu == x64.XOR
		switch op & 7 {
		case 0, 2:
			f.ok = lowByteRegs(in, true, true)
			f.exits = mem
		case 1, 3:
			f.exits = mem
		}
	case op == 0x80 || op == 0x81 || op == 0x83:
		f = writes
		f.reads = in.reg == x64.ADC || in.reg == x64.SBB
		f.dirtyAF = in.reg == x64.OR || in.reg == x64.AND || in.reg == x64.XOR
		f.ok = op != 0x80 || lowByteRegs(in, false, true)
		f.exits = mem
	case op == 0x84 || op == 0x85:
		f = writes
		f.dirtyAF = true
		f.ok = op == 0x85 || lowByteRegs(in, true, true)
		f.exits = mem
	case op == 0xA8 || op == 0xA9:
		f = writes
		f.dirtyAF = true
	case op == 0x88 || op == 0x8A:
		f = jitInfo{ok: lowByteRegs(in, true, true), exits: mem}
	case op == 0x89 || op == 0x8B:
		f = jitInfo{ok: true, exits: mem}
	case op == 0x8D:
		f = jitInfo{ok: mem}
	case op >= 0xB8 && op <= 0xBF:
		f = jitInfo{ok: true}
	case op == 0xC6:
		f = jitInfo{ok: in.reg == 0 && mem, exits: true}
	case op == 0xC7:
		f = jitInfo{ok: in.reg == 0, exits: mem}
	case op >= 0x40 && op <= 0x4F:
		f = jitInfo{ok: true, reads: true, writes: true}
	case op == 0xFE:
		f = jitInfo{ok: in.reg <= 1 && lowByteRegs(in, false, true), reads: true, writes: true, exits: mem}
	case op == 0xFF:
		switch in.reg {
		case 0, 1:
			f = jitInfo{ok: true, reads: true, writes: true, exits: mem}
		case 2, 4:
			f = jitInfo{ok: true, exits: true, last: true}
		case 6:
			f = jitInfo{ok: true, exits: true}
		}
	case op >= 0x50 && op <= 0x57, op == 0x68, op == 0x6A:
		f = jitInfo{ok: true, exits: true}
	case op >= 0x58 && op <= 0x5F:
		f = jitInfo{ok: op != 0x5C, exits: true} // pop esp: rare, left to the interpreter
	case op == 0x69 || op == 0x6B || op == 0x1AF:
		f = writes
		f.exits = mem
		f.mulFlags = true
	case op == 0xC0 || op == 0xC1 || op == 0xD0 || op == 0xD1 || op == 0xD3:
		f = jitInfo{ok: in.reg != 6 && (op&1 == 1 || lowByteRegs(in, false, true)), exits: mem}
		count := in.imm & 31
		if op == 0xD0 || op == 0xD1 {
			count = 1
		}
		if op == 0xC0 && (in.reg == 2 || in.reg == 3) && count%9 == 0 {
			count = 0 // rcl, rcr r/m8 by 9, 18, 27 change nothing, flags included (ops_shift.go)
		}
		switch {
		case op == 0xD3:
			f.ok = f.ok && !mem // the count needs CL, the address RCX
			f.reads, f.writes = true, true
			// A count of zero (checked: it leaves) would keep AF.
			f.dirtyAF, f.exits = in.reg > 3, true
		case count == 0:
			// A shift by zero changes nothing.
		case in.reg <= 3: // rotates keep SF, ZF, AF, PF; rcl, rcr read CF
			f.reads, f.writes = true, true
		default:
			f.writes, f.dirtyAF = true, true
		}
	case op == 0xF6 || op == 0xF7:
		switch in.reg {
		case 0: // test
			f = writes
			f.dirtyAF = true
			f.ok = op == 0xF7 || lowByteRegs(in, false, true)
			f.exits = mem
		case 2: // not
			f = jitInfo{ok: op == 0xF7, exits: mem}
		case 3: // neg
			f = writes
			f.ok = op == 0xF7
			f.exits = mem
		case 4, 5: // mul, imul
			f = writes
			f.ok = op == 0xF7
			f.exits = mem
			f.mulFlags = true
		case 6: // div: checked for #DE first, which leaves; the
			// interpreter leaves the flags alone, so they stay stored
			f = jitInfo{ok: op == 0xF7, exits: true, clobbers: true}
		}
	case op == 0x1B6 || op == 0x1BE:
		f = jitInfo{ok: !(in.mod == 3 && in.rm >= 4), exits: mem}
	case op == 0x1B7 || op == 0x1BF:
		f = jitInfo{ok: true, exits: mem}
	case op >= 0x140 && op <= 0x14F:
		f = jitInfo{ok: true, reads: true, exits: true} // a flag reload may exit
	case op >= 0x190 && op <= 0x19F:
		f = jitInfo{ok: lowByteRegs(in, false, true), reads: true, exits: true}
	case op >= 0x1C8 && op <= 0x1CF, op == 0x98, op == 0x99, op == 0x90, op == 0x11E, op == 0x11F:
		f = jitInfo{ok: true}
	case op == 0xC9:
		f = jitInfo{ok: true, exits: true}
	case op >= 0x70 && op <= 0x7F, op >= 0x180 && op <= 0x18F:
		f = jitInfo{ok: true, reads: true, exits: true, last: true}
	case op == 0xEB || op == 0xE9:
		f = jitInfo{ok: true, exits: true, last: true}
	case op == 0xE8 || op == 0xC3:
		f = jitInfo{ok: true, exits: true, last: true}
	}
	if f.reads {
		f.exits = true // reloading the flags may need the interpreter
	}
	if in.extra != 0 { // fused with a jcc
		f.last, f.exits = true, true
	}
	return f
}

func jitSupported(in *Inst) bool { return jitClassify(in).ok }

// flagStores decides, for each instruction that changes the flags,
// whether to store them: when something may exit or read them before
// another instruction replaces them all.
func (j *jitCompiler) flagStores() {
	j.storeFlags = make([]bool, len(j.ops))
	for i := range j.ops {
		if !jitClassify(j.ops[i].in).writes {
			continue
		}
		store := true
		for k := i + 1; k < len(j.ops); k++ {
			f := jitClassify(j.ops[k].in)
			if f.exits || f.reads || f.last {
				break
			}
			if f.writes {
				store = false
				break
			}
		}
		j.storeFlags[i] = store
	}
}

// inst translates op i.
func (j *jitCompiler) inst(i int) {
	op := j.ops[i]
	in := op.in
	a := &j.a
	f := jitClassify(in)
	eipEnd := j.start + op.off + uint32(in.len)
	o := in.Op
	switch {
	case o < 0x40:
		alu := int(o >> 3)
		w := x64.Width(4)
		if o&1 == 0 {
			w = 1
		}
		switch o & 7 {
		case 0, 1: // E, G
			if in.mod == 3 {
				j.flagsIn(i, f)
				a.ALURR(w, alu, hostReg(in.rm), hostReg(in.reg))
			} else {
				m := j.mem(i, in, int(w), alu != x64.CMP)
				j.flagsIn(i, f)
				a.ALUMR(w, alu, m, hostReg(in.reg))
			}
		case 2, 3: // G, E
			if in.mod == 3 {
				j.flagsIn(i, f)
				a.ALURR(w, alu, hostReg(in.reg), hostReg(in.rm))
			} else {
				m := j.mem(i, in, int(w), false)
				j.flagsIn(i, f)
				a.ALURM(w, alu, hostReg(in.reg), m)
			}
		case 4, 5: // AL/EAX, imm
			j.flagsIn(i, f)
			a.ALURI(w, alu, hostReg(EAX), in.imm)
		}
	case o == 0x80 || o == 0x81 || o == 0x83:
		w := x64.Width(4)
		if o == 0x80 {
			w = 1
		}
		alu := int(in.reg)
		if in.mod == 3 {
			j.flagsIn(i, f)
			a.ALURI(w, alu, hostReg(in.rm), in.imm)
		} else {
			m := j.mem(i, in, int(w), alu != x64.CMP)
			j.flagsIn(i, f)
			a.ALUMI(w, alu, m, in.imm)
		}
	case o == 0x84 || o == 0x85:
		w := x64.Width(4)
		if o == 0x84 {
			w = 1
		}
		src := j.rmValue(i, in, w)
		a.TestRR(w, src, hostReg(in.reg))
	case o == 0xA8:
		a.TestRI(1, hostReg(EAX), in.imm)
	case o == 0xA9:
		a.TestRI(4, hostReg(EAX), in.imm)
	case o == 0x88 || o == 0x89:
		w := x64.Width(4)
		if o == 0x88 {
			w = 1
		}
		if in.mod == 3 {
			a.MovRR(w, hostReg(in.rm), hostReg(in.reg))
		} else {
			a.Store(w, j.mem(i, in, int(w), true), hostReg(in.reg))
		}
	case o == 0x8A || o == 0x8B:
		w := x64.Width(4)
		if o == 0x8A {
			w = 1
		}
		if in.mod == 3 {
			a.MovRR(w, hostReg(in.reg), hostReg(in.rm))
		} else {
			a.Load(w, hostReg(in.reg), j.mem(i, in, int(w), false))
		}
	case o == 0x8D:
		j.lea(in, hostReg(in.reg))
	case o >= 0xB8 && o <= 0xBF:
		a.MovImm(hostReg(uint8(o)), in.imm)
	case o == 0xC6:
		a.StoreImm(1, j.mem(i, in, 1, true), in.imm)
	case o == 0xC7:
		if in.mod == 3 {
			a.MovImm(hostReg(in.rm), in.imm)
		} else {
			a.StoreImm(4, j.mem(i, in, 4, true), in.imm)
		}
	case o >= 0x40 && o <= 0x4F:
		j.flagsIn(i, f)
		if o < 0x48 {
			a.Inc(4, hostReg(uint8(o)))
		} else {
			a.Dec(4, hostReg(uint8(o)))
		}
	case (o == 0xFE || o == 0xFF) && in.reg <= 1:
		w := x64.Width(4)
		if o == 0xFE {
			w = 1
		}
		j.modify(i, in, w, f, func(r x64.Reg) {
			if in.reg == 0 {
				a.Inc(w, r)
			} else {
				a.Dec(w, r)
			}
		})
	case o == 0xFF && in.reg == 6: // push Ev
		j.push(i, j.rmValue(i, in, 4))
	case o == 0xFF: // call or jmp Ev
		t := j.rmValue(i, in, 4)
		if t != tS {
			a.MovRR(4, tS, t)
		}
		if in.reg == 2 {
			j.pushImm(i, eipEnd)
		}
		j.indirect()
	case o >= 0x50 && o <= 0x57:
		j.push(i, hostReg(uint8(o)))
	case o == 0x68 || o == 0x6A:
		j.pushImm(i, in.imm)
	case o >= 0x58 && o <= 0x5F:
		m := j.probeAt(i, hostReg(ESP), 0, 4, false)
		a.Load(4, hostReg(uint8(o)), m)
		a.Lea(4, hostReg(ESP), x64.At(hostReg(ESP), 4))
	case o == 0x69 || o == 0x6B:
		src := j.rmValue(i, in, 4)
		a.IMulRRI(4, hostReg(in.reg), src, in.imm)
	case o == 0x1AF:
		src := j.rmValue(i, in, 4)
		a.IMulRR(4, hostReg(in.reg), src)
	case o == 0xC0 || o == 0xC1 || o == 0xD0 || o == 0xD1 || o == 0xD3:
		w := x64.Width(4)
		if o == 0xC0 || o == 0xD0 {
			w = 1
		}
		count := uint8(in.imm)
		if o == 0xD0 || o == 0xD1 {
			count = 1
		}
		if o == 0xC0 && (in.reg == 2 || in.reg == 3) && count&31%9 == 0 {
			count = 0 // as in jitClassify: no change
		}
		if o != 0xD3 && count&31 == 0 {
			if in.mod != 3 {
				j.mem(i, in, int(w), false) // the read still happens and can fault
			}
			break // no change at all
		}
		if o == 0xD3 {
			a.MovRR(4, tC, hostReg(ECX))
			if in.reg > 3 {
				a.TestRI(1, tC, 31) // a zero count keeps the flags: the interpreter's
				j.sideExitAt(i, a.Jcc(condE))
				j.hostValid = false
			}
		}
		j.modify(i, in, w, f, func(r x64.Reg) {
			if o == 0xD3 {
				a.ShiftCL(w, int(in.reg), r)
			} else {
				a.ShiftI(w, int(in.reg), r, count)
			}
		})
	case (o == 0xF6 || o == 0xF7) && in.reg == 0:
		w := x64.Width(4)
		if o == 0xF6 {
			w = 1
		}
		a.TestRI(w, j.rmValue(i, in, w), in.imm)
	case o == 0xF7 && (in.reg == 2 || in.reg == 3):
		j.modify(i, in, 4, f, func(r x64.Reg) {
			if in.reg == 2 {
				a.Not(4, r)
			} else {
				a.Neg(4, r)
			}
		})
	case o == 0xF7: // mul, imul, div
		src := j.rmValue(i, in, 4)
		if src != tS {
			a.MovRR(4, tS, src)
		}
		if in.reg == 6 {
			// #DE (divide by zero, quotient too big) is the
			// interpreter's to raise.
			a.TestRR(4, tS, tS)
			j.sideExitAt(i, a.Jcc(condE))
			a.ALURR(4, x64.CMP, hostReg(EDX), tS)
			j.sideExitAt(i, a.Jcc(condAE))
		}
		a.MovRR(4, tA, hostReg(EAX))
		a.MovRR(4, tD, hostReg(EDX))
		switch in.reg {
		case 4:
			a.Mul(4, tS)
		case 5:
			a.IMul1(4, tS)
		case 6:
			a.Div(4, tS)
		}
		a.MovRR(4, hostReg(EAX), tA)
		a.MovRR(4, hostReg(EDX), tD)
	case o == 0x1B6 || o == 0x1B7 || o == 0x1BE || o == 0x1BF:
		from := x64.Width(1)
		if o&1 == 1 {
			from = 2
		}
		sx := o >= 0x1BE
		if in.mod == 3 {
			if sx {
				a.MovSX(from, hostReg(in.reg), hostReg(in.rm))
			} else {
				a.MovZX(from, hostReg(in.reg), hostReg(in.rm))
			}
		} else {
			m := j.mem(i, in, int(from), false)
			if sx {
				a.LoadSX(from, hostReg(in.reg), m)
			} else {
				a.LoadZX(from, hostReg(in.reg), m)
			}
		}
	case o >= 0x140 && o <= 0x14F:
		src := j.rmValue(i, in, 4)
		if src != tS {
			a.MovRR(4, tS, src)
		}
		j.flagsIn(i, f)
		a.Cmovcc(4, x64.Cond(o&0xF), hostReg(in.reg), tS)
	case o >= 0x190 && o <= 0x19F:
		cc := x64.Cond(o & 0xF)
		if in.mod == 3 {
			j.flagsIn(i, f)
			a.Setcc(cc, hostReg(in.rm))
		} else {
			m := j.mem(i, in, 1, true)
			j.flagsIn(i, f)
			a.Setcc(cc, tA)
			a.Store(1, m, tA)
		}
	case o >= 0x1C8 && o <= 0x1CF:
		a.Bswap(hostReg(uint8(o)))
	case o == 0x98:
		a.MovSX(2, hostReg(EAX), hostReg(EAX))
	case o == 0x99:
		a.MovRR(4, tA, hostReg(EAX))
		a.Cdq()
		a.MovRR(4, hostReg(EDX), tD)
	case o == 0x90, o == 0x11E, o == 0x11F:
	case o == 0xC9: // leave
		m := j.probeAt(i, hostReg(EBP), 0, 4, false)
		a.Load(4, tS, m)
		a.Lea(4, hostReg(ESP), x64.At(hostReg(EBP), 4))
		a.MovRR(4, hostReg(EBP), tS)
	case o >= 0x70 && o <= 0x7F, o >= 0x180 && o <= 0x18F:
		j.flagsIn(i, f)
		j.branch(x64.Cond(o&0xF), eipEnd+in.imm, eipEnd)
	case o == 0xEB || o == 0xE9:
		j.successor(a.Jmp(), eipEnd+in.imm)
	case o == 0xE8:
		j.pushImm(i, eipEnd)
		j.successor(a.Jmp(), eipEnd+in.imm)
	case o == 0xC3:
		m := j.probeAt(i, hostReg(ESP), 0, 4, false)
		a.Load(4, tS, m)
		a.Lea(4, hostReg(ESP), x64.At(hostReg(ESP), 4))
		j.indirect()
	default:
		panic("cpu: jit: classified but not translated")
	}
	if f.clobbers {
		j.hostValid = false
	}
	if f.writes {
		j.hostValid, j.stateValid, j.stateHost = true, false, false
		j.dirtyAF = f.dirtyAF || (j.dirtyAF && !f.writesAF(in))
		if j.storeFlags[i] {
			if f.mulFlags {
				j.saveMulFlags(in)
			} else {
				j.saveFlags()
			}
		}
	}
	if in.extra != 0 {
		j.branch(x64.Cond(in.cc), eipEnd+in.jrel, eipEnd)
		return
	}
	if i == len(j.ops)-1 && !f.last && len(j.ops) == len(j.blk.ops) {
		j.successor(a.Jmp(), eipEnd) // the block ran out of length or page
	}
}

// branch ends the block on condition cc, with the flags in the host.
func (j *jitCompiler) branch(cc x64.Cond, taken, next uint32) {
	j.successor(j.a.Jcc(cc), taken)
	j.successor(j.a.Jmp(), next)
}

// indirect leaves for the EIP in ESI (ret, jmp and call through an operand).
func (j *jitCompiler) indirect() {
	a := &j.a
	a.Store(4, x64.At(jitCPU, offEIP), tS)
	a.StoreImm(1, x64.At(jitCPU, offSide), 0)
	j.toExit = append(j.toExit, a.Jmp())
}

// push stores v (a guest register or ESI; the probe uses RAX, RCX and
// RDX) at ESP-4 and lowers ESP.
func (j *jitCompiler) push(i int, v x64.Reg) {
	a := &j.a
	m := j.probeAt(i, hostReg(ESP), -4, 4, true)
	a.Store(4, m, v)
	a.Lea(4, hostReg(ESP), x64.At(hostReg(ESP), -4))
}

// pushImm pushes a constant.
func (j *jitCompiler) pushImm(i int, v uint32) {
	a := &j.a
	m := j.probeAt(i, hostReg(ESP), -4, 4, true)
	a.StoreImm(4, m, v)
	a.Lea(4, hostReg(ESP), x64.At(hostReg(ESP), -4))
}

// rmValue gives the ModRM operand's value in a register: the guest's own
// or ESI, loaded from memory.
func (j *jitCompiler) rmValue(i int, in *Inst, w x64.Width) x64.Reg {
	if in.mod == 3 {
		return hostReg(in.rm)
	}
	j.a.Load(w, tS, j.mem(i, in, int(w), false))
	return tS
}

// modify applies op to the ModRM operand in place: a guest register, or
// memory through ESI (loaded, changed, stored back).
func (j *jitCompiler) modify(i int, in *Inst, w x64.Width, f jitInfo, op func(r x64.Reg)) {
	if in.mod == 3 {
		j.flagsIn(i, f)
		op(hostReg(in.rm))
		return
	}
	m := j.mem(i, in, int(w), true)
	j.a.Load(w, tS, m)
	j.flagsIn(i, f)
	op(tS)
	j.a.Store(w, m, tS)
}

// lea computes in's memory operand's offset into dst without touching
// the flags.
func (j *jitCompiler) lea(in *Inst, dst x64.Reg) {
	a := &j.a
	switch {
	case in.base == noReg && in.index == noReg:
		a.MovImm(dst, in.disp)
	case in.base == noReg:
		a.MovImm(tA, in.disp)
		a.Lea(4, dst, x64.Idx(tA, hostReg(in.index), in.scale, 0))
	case in.index == noReg:
		a.Lea(4, dst, x64.At(hostReg(in.base), int32(in.disp)))
	default:
		a.Lea(4, dst, x64.Idx(hostReg(in.base), hostReg(in.index), in.scale, int32(in.disp)))
	}
}

// mem probes the TLB for in's memory operand of w bytes and returns the
// host operand [RDX+RCX]; a miss leaves before op i.
func (j *jitCompiler) mem(i int, in *Inst, w int, write bool) x64.Mem {
	j.lea(in, tA)
	j.a.ALURM(4, x64.ADD, tA, x64.At(jitCPU, offSegBas+4*int32(in.seg)))
	return j.probe(i, w, write)
}

// probeAt probes the address base+disp (a stack access).
func (j *jitCompiler) probeAt(i int, base x64.Reg, disp int32, w int, write bool) x64.Mem {
	j.a.Lea(4, tA, x64.At(base, disp))
	return j.probe(i, w, write)
}

// probe looks the address in EAX up in the read or write TLB. On a hit
// RDX is the frame and RCX the offset in it; a miss, or an access that
// would cross into the next page, leaves before op i.
func (j *jitCompiler) probe(i int, w int, write bool) x64.Mem {
	a := &j.a
	tlb := offRTLB
	if write {
		tlb = offWTLB
	}
	a.MovRR(4, tC, tA)
	a.ShiftI(4, x64.SHR, tC, memory.PageShift)
	a.MovRR(4, tD, tC)
	a.ALURI(4, x64.AND, tD, tlbSize-1)
	a.ShiftI(4, x64.SHL, tD, 4)
	a.ALUMR(4, x64.CMP, x64.Idx(jitCPU, tD, 0, tlb), tC)
	j.sideExitAt(i, a.Jcc(condNE))
	a.MovRR(4, tC, tA)
	a.ALURI(4, x64.AND, tC, memory.PageMask)
	if w > 1 {
		a.ALURI(4, x64.CMP, tC, uint32(memory.PageSize-w))
		j.sideExitAt(i, a.Jcc(condA))
	}
	a.Load(8, tD, x64.Idx(jitCPU, tD, 0, tlb+8))
	j.hostValid = false
	return x64.Idx(tD, tC, 0, 0)
}

// flagsIn puts the guest's flags in the host's RFLAGS when op i reads
// them and they are not there already.
func (j *jitCompiler) flagsIn(i int, f jitInfo) {
	if !f.reads || j.hostValid {
		return
	}
	a := &j.a
	if !j.stateValid {
		panic("cpu: jit: flags neither in the host nor stored")
	}
	if j.stateHost {
		a.Load(4, tA, x64.At(jitCPU, offRes)) // dirtyAF stays as it was saved
	} else {
		a.LoadZX(1, tA, x64.At(jitCPU, offOp))
		a.ALURI(4, x64.CMP, tA, uint32(lazyHost))
		host := a.Jcc(condE)
		a.ALURI(4, x64.CMP, tA, uint32(lazyHostNoAF))
		noAF := a.Jcc(condE)
		a.TestRR(4, tA, tA) // lazyNone: the bits are in flags
		j.sideExitAt(i, a.Jcc(condNE))
		a.Load(4, tA, x64.At(jitCPU, offFlags))
		a.ALURI(4, x64.AND, tA, StatusFlags)
		done := a.Jmp()
		a.Patch(noAF, a.Len())
		a.Load(4, tA, x64.At(jitCPU, offRes))
		a.ALURI(4, x64.AND, tA, ^uint32(FlagAF))
		done2 := a.Jmp()
		a.Patch(host, a.Len())
		a.Load(4, tA, x64.At(jitCPU, offRes))
		a.Patch(done, a.Len())
		a.Patch(done2, a.Len())
		j.dirtyAF = false
	}
	a.Push(tA)
	a.Popfq()
	j.hostValid = true
}

// saveFlags stores the host's flags as the guest's (lazyHost) without
// changing them.
func (j *jitCompiler) saveFlags() {
	a := &j.a
	a.Pushfq()
	a.Pop(tA)
	a.Store(4, x64.At(jitCPU, offRes), tA)
	op := lazyHost
	if j.dirtyAF {
		op = lazyHostNoAF
	}
	a.StoreImm(1, x64.At(jitCPU, offOp), uint32(op))
	j.stateValid, j.stateHost = true, true
}

// writesAF reports whether in, which writes the flags, sets AF as the
// model does (rotates keep it).
func (f jitInfo) writesAF(in *Inst) bool {
	rotate := (in.Op == 0xC0 || in.Op == 0xC1 || in.Op == 0xD0 || in.Op == 0xD1 || in.Op == 0xD3) && in.reg <= 3
	return !rotate
}

// saveMulFlags stores a multiply's flags as the interpreter records
// them (lazyCO: CF and OF given, SF ZF PF from the low result, AF clear)
// without touching RFLAGS: the host's SF ZF AF PF are not the model's,
// so a later reader reloads from the state.
func (j *jitCompiler) saveMulFlags(in *Inst) {
	a := &j.a
	res := hostReg(in.reg)
	if in.Op == 0xF7 {
		res = hostReg(EAX)
	}
	a.Setcc(condB, tA)
	a.Setcc(condO, tC)
	a.MovZX(1, tA, tA)
	a.MovZX(1, tC, tC)
	a.Lea(4, tA, x64.Idx(tA, tC, 1, 0)) // CF | OF<<1
	a.Store(4, x64.At(jitCPU, offCin), tA)
	a.Store(4, x64.At(jitCPU, offRes), res)
	a.StoreImm(1, x64.At(jitCPU, offSize), 4)
	a.StoreImm(1, x64.At(jitCPU, offOp), uint32(lazyCO))
	j.hostValid, j.stateValid, j.stateHost, j.dirtyAF = false, true, false, false
}
