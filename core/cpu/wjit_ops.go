package cpu

// The wasm compiler's instructions (see wjit.go). Each emitter either
// emits the whole instruction and returns true, or returns false before
// the instruction could change anything (the block's compiled part then
// ends there). Flag records mirror the interpreter's handlers (ops_*.go).

// getR pushes register r's value of the given width, zero-extended
// (byte registers 4-7 are AH-BH).
func (w *wcomp) getR(r uint8, size int) {
	r &= 7
	switch size {
	case 4:
		w.get(lR0 + int(r))
	case 2:
		w.get(lR0 + int(r))
		w.i32(0xFFFF)
		w.byte1(wAnd)
	case 1:
		if r < 4 {
			w.get(lR0 + int(r))
		} else {
			w.get(lR0 + int(r-4))
			w.i32(8)
			w.byte1(wShrU)
		}
		w.i32(0xFF)
		w.byte1(wAnd)
	}
}

// setR stores the value pushed by val into register r of the width.
func (w *wcomp) setR(r uint8, size int, val func()) {
	r &= 7
	switch size {
	case 4:
		val()
		w.set(lR0 + int(r))
	case 1:
		sh := uint32(0)
		if r >= 4 {
			r -= 4
			sh = 8
		}
		w.get(lR0 + int(r))
		w.i32(^(uint32(0xFF) << sh))
		w.byte1(wAnd)
		val()
		w.i32(0xFF)
		w.byte1(wAnd)
		if sh != 0 {
			w.i32(sh)
			w.byte1(wShl)
		}
		w.byte1(wOr)
		w.set(lR0 + int(r))
	default:
		panic("cpu: wasm setR width")
	}
}

// ea pushes the memory operand's linear address (segment base added
// unless lea).
func (w *wcomp) ea(in *Inst, seg bool) {
	w.i32(in.disp)
	if in.base != noReg {
		w.get(lR0 + int(in.base&7))
		w.byte1(wAdd)
	}
	if in.index != noReg {
		w.get(lR0 + int(in.index&7))
		if in.scale != 0 {
			w.i32(uint32(in.scale))
			w.byte1(wShl)
		}
		w.byte1(wAdd)
	}
	if seg {
		w.cpuLoad(wLoad, offSegBas+4*int32(in.seg))
		w.byte1(wAdd)
	}
}

// probe takes the address on the stack, looks it up in the read or write
// TLB and leaves the host address in lLin, or leaves before op i on a miss
// or an access that crosses the page.
func (w *wcomp) probe(i int, size int, write bool) {
	tlb := offRTLB
	if write {
		tlb = offWTLB
	}
	w.set(lAddr)
	w.get(lAddr)
	w.i32(12)
	w.byte1(wShrU)
	w.i32(tlbSize - 1)
	w.byte1(wAnd)
	w.i32(4)
	w.byte1(wShl)
	w.tee(lE)
	w.mem(wLoad, w.cpu+uint32(tlb))
	w.get(lAddr)
	w.i32(12)
	w.byte1(wShrU)
	w.byte1(wNe)
	if size > 1 {
		w.get(lAddr)
		w.i32(0xFFF)
		w.byte1(wAnd)
		w.i32(uint32(4096 - size))
		w.byte1(wGtU)
		w.byte1(wOr)
	}
	w.ifSideExit(i)
	w.get(lE)
	w.mem(wLoad, w.cpu+uint32(tlb)+8)
	w.get(lAddr)
	w.i32(0xFFF)
	w.byte1(wAnd)
	w.byte1(wAdd)
	w.set(lLin)
}

// ld pushes the value at lLin.
func (w *wcomp) ld(size int, signed bool) {
	w.get(lLin)
	switch {
	case size == 4:
		w.mem(wLoad, 0)
	case size == 2 && signed:
		w.mem(wLoad16s, 0)
	case size == 2:
		w.mem(wLoad16u, 0)
	case signed:
		w.mem(wLoad8s, 0)
	default:
		w.mem(wLoad8u, 0)
	}
}

// st stores val's value at lLin.
func (w *wcomp) st(size int, val func()) {
	w.get(lLin)
	val()
	switch size {
	case 4:
		w.mem(wStore, 0)
	case 2:
		w.mem(wStore16, 0)
	default:
		w.mem(wStore8, 0)
	}
}

// setOp records the static producer and stores op and size.
func (w *wcomp) setOp(op lazyOp, size int) {
	w.i32(uint32(op))
	w.set(lFop)
	w.i32(uint32(size))
	w.set(lFsize)
	w.fl = wflags{known: true, op: op, size: uint8(size)}
}

func (w *wcomp) bits() uint32 { return uint32(w.fl.size) * 8 }

// The flags of the known producer, each pushed as 0 or 1.
func (w *wcomp) cf() {
	if !w.fl.known {
		w.dynFlag(w.cf, 0, []lazyOp{lazyAdd, lazyAdc, lazySub, lazySbb, lazyLogic, lazyInc, lazyDec, lazyCO})
		return
	}
	switch w.fl.op {
	case lazyAdd:
		w.get(lFres)
		w.get(lFa)
		w.byte1(wLtU)
	case lazyAdc:
		w.get(lFres)
		w.get(lFa)
		w.byte1(wLtU)
		w.get(lFcin)
		w.i32(0)
		w.byte1(wNe)
		w.get(lFres)
		w.get(lFa)
		w.byte1(wEq)
		w.byte1(wAnd)
		w.byte1(wOr)
	case lazySub:
		w.get(lFa)
		w.get(lFb)
		w.byte1(wLtU)
	case lazySbb:
		w.get(lFa)
		w.get(lFb)
		w.byte1(wLtU)
		w.get(lFcin)
		w.i32(0)
		w.byte1(wNe)
		w.get(lFa)
		w.get(lFb)
		w.byte1(wEq)
		w.byte1(wAnd)
		w.byte1(wOr)
	case lazyInc, lazyDec:
		w.get(lFcin)
		w.i32(0)
		w.byte1(wNe)
	case lazyCO:
		w.get(lFcin)
		w.i32(1)
		w.byte1(wAnd)
	default: // logic
		w.i32(0)
	}
}

func (w *wcomp) zf() {
	if !w.fl.known {
		w.dynFlag(w.zf, 6, nil)
		return
	}
	w.get(lFres)
	w.byte1(wEqz)
}

func (w *wcomp) sf() {
	if !w.fl.known {
		w.dynFlag(w.sf, 7, nil)
		return
	}
	w.get(lFres)
	w.topBit()
	w.byte1(wShrU)
	w.i32(1)
	w.byte1(wAnd)
}

func (w *wcomp) pf() {
	if !w.fl.known {
		w.dynFlag(w.pf, 2, nil)
		return
	}
	w.get(lFres)
	w.i32(0xFF)
	w.byte1(wAnd)
	w.byte1(wPopcnt)
	w.i32(1)
	w.byte1(wAnd)
	w.byte1(wEqz)
}

func (w *wcomp) of() {
	if !w.fl.known {
		w.dynFlag(w.of, 11, []lazyOp{lazyAdd, lazyAdc, lazySub, lazySbb, lazyLogic, lazyInc, lazyDec, lazyCO})
		return
	}
	switch w.fl.op {
	case lazyAdd, lazyAdc:
		w.get(lFa)
		w.get(lFres)
		w.byte1(wXor)
		w.get(lFb)
		w.get(lFres)
		w.byte1(wXor)
		w.byte1(wAnd)
		w.topBit()
		w.byte1(wShrU)
		w.i32(1)
		w.byte1(wAnd)
	case lazySub, lazySbb:
		w.get(lFa)
		w.get(lFb)
		w.byte1(wXor)
		w.get(lFa)
		w.get(lFres)
		w.byte1(wXor)
		w.byte1(wAnd)
		w.topBit()
		w.byte1(wShrU)
		w.i32(1)
		w.byte1(wAnd)
	case lazyInc, lazyDec:
		w.get(lFres)
		w.i32(1)
		w.topBit()
		w.byte1(wShl)
		if w.fl.op == lazyDec {
			w.i32(1)
			w.byte1(wSub)
		}
		w.byte1(wEq)
	case lazyCO:
		w.get(lFcin)
		w.i32(1)
		w.byte1(wShrU)
		w.i32(1)
		w.byte1(wAnd)
	default:
		w.i32(0)
	}
}

// topBit pushes the producer's width in bits less one: a constant when
// the producer is known, else from the recorded size.
func (w *wcomp) topBit() {
	if w.fl.size != 0 {
		w.i32(w.bits() - 1)
		return
	}
	w.get(lFsize)
	w.i32(3)
	w.byte1(wShl)
	w.i32(1)
	w.byte1(wSub)
}

// dynFlag pushes a flag whose producer is only known at run time: for
// each of ops (nil: any operation) as f computes it for that producer,
// with the width from the record; for lazyNone, EFLAGS bit.
func (w *wcomp) dynFlag(f func(), bit uint32, ops []lazyOp) {
	saved := w.fl
	defer func() { w.fl = saved }()
	// lazyNone first: the status bit in flags.
	w.get(lFop)
	w.i32(uint32(lazyNone))
	w.byte1(wEq)
	w.byte1(wIf, 0x7F)
	w.depth++
	w.cpuLoad(wLoad, offFlags)
	w.i32(bit)
	w.byte1(wShrU)
	w.i32(1)
	w.byte1(wAnd)
	w.byte1(wElse)
	if ops == nil {
		w.fl = wflags{known: true, op: lazyAdd}
		f()
		w.end()
		return
	}
	opened := 0
	for k, op := range ops {
		w.fl = wflags{known: true, op: op}
		if k == len(ops)-1 {
			f() // the last: taken for any other value too
			break
		}
		w.get(lFop)
		w.i32(uint32(op))
		w.byte1(wEq)
		w.byte1(wIf, 0x7F)
		w.depth++
		opened++
		f()
		w.byte1(wElse)
	}
	for ; opened > 0; opened-- {
		w.end()
	}
	w.end()
}

// signed pushes local l sign-extended from the producer's width.
func (w *wcomp) signed(l int) {
	w.get(l)
	if sh := 32 - w.bits(); sh != 0 {
		w.i32(sh)
		w.byte1(wShl)
		w.i32(sh)
		w.byte1(wShrS)
	}
}

// cond pushes condition cc (as flags.go's cond), from the known producer.
func (w *wcomp) cond(cc uint8) {
	op := w.fl.op
	switch cc >> 1 {
	case 0:
		w.of()
	case 1:
		switch op {
		case lazySub:
			w.get(lFa)
			w.get(lFb)
			w.byte1(wLtU)
		default:
			w.cf()
		}
	case 2:
		w.zf()
	case 3:
		switch op {
		case lazySub:
			w.get(lFa)
			w.get(lFb)
			w.byte1(wLeU)
		case lazyLogic:
			w.zf()
		default:
			w.cf()
			w.zf()
			w.byte1(wOr)
		}
	case 4:
		w.sf()
	case 5:
		w.pf()
	case 6:
		switch op {
		case lazySub:
			w.signed(lFa)
			w.signed(lFb)
			w.byte1(wLtS)
		default:
			w.sf()
			w.of()
			w.byte1(wXor)
		}
	case 7:
		switch op {
		case lazySub:
			w.signed(lFa)
			w.signed(lFb)
			w.byte1(wLeS)
		default:
			w.zf()
			w.sf()
			w.of()
			w.byte1(wXor)
			w.byte1(wOr)
		}
	}
	if cc&1 != 0 {
		w.byte1(wEqz)
	}
}

var aluLazy = [8]lazyOp{lazyAdd, lazyLogic, lazyAdc, lazySbb, lazyLogic, lazySub, lazyLogic, lazySub}

// alu computes ALU operation op on a and b (each pushes a zero-extended
// value) into lFres, recording the flags; false when it needs CF and the
// producer is unknown.
func (w *wcomp) alu(op uint8, size int, a, b func()) bool {
	carry := op == aluADC || op == aluSBB
	if carry {
		w.cf()
		w.set(lT1)
	}
	a()
	w.set(lFa)
	b()
	w.set(lFb)
	w.get(lFa)
	w.get(lFb)
	switch op {
	case aluADD:
		w.byte1(wAdd)
	case aluADC:
		w.byte1(wAdd)
		w.get(lT1)
		w.byte1(wAdd)
	case aluSBB:
		w.byte1(wSub)
		w.get(lT1)
		w.byte1(wSub)
	case aluSUB, aluCMP:
		w.byte1(wSub)
	case aluAND:
		w.byte1(wAnd)
	case aluOR:
		w.byte1(wOr)
	case aluXOR:
		w.byte1(wXor)
	}
	if size == 1 {
		w.i32(0xFF)
		w.byte1(wAnd)
	}
	w.set(lFres)
	w.setOp(aluLazy[op], size)
	if carry {
		w.get(lT1)
		w.set(lFcin)
	}
	return true
}

// incdec: inc (dec false) or dec of the value pushed by v into lFres.
func (w *wcomp) incdec(dec bool, size int, v func()) bool {
	w.cf()
	w.set(lT1)
	v()
	w.set(lFa)
	w.i32(1)
	w.set(lFb)
	w.get(lFa)
	w.i32(1)
	if dec {
		w.byte1(wSub)
	} else {
		w.byte1(wAdd)
	}
	if size == 1 {
		w.i32(0xFF)
		w.byte1(wAnd)
	}
	w.set(lFres)
	if dec {
		w.setOp(lazyDec, size)
	} else {
		w.setOp(lazyInc, size)
	}
	w.get(lT1)
	w.set(lFcin)
	return true
}

// setCO records lazyCO with the result in lFres and cin pushed by cin.
func (w *wcomp) setCO(size int, cin func()) {
	w.i32(0)
	w.set(lFa)
	w.i32(0)
	w.set(lFb)
	cin()
	w.set(lFcin)
	w.setOp(lazyCO, size)
}

func (w *wcomp) imm(in *Inst, size int) func() {
	v := in.imm
	if size == 1 {
		v &= 0xFF
	}
	return func() { w.i32(v) }
}

// push writes the value pushed by val at ESP-4; exits before op i when
// the stack page is not writable from the TLB.
func (w *wcomp) push(i int, val func()) {
	w.get(lR0 + ESP)
	w.i32(4)
	w.byte1(wSub)
	w.probe(i, 4, true)
	w.st(4, val)
	w.get(lR0 + ESP)
	w.i32(4)
	w.byte1(wSub)
	w.set(lR0 + ESP)
}

// rmSrc prepares an E operand for reading: for memory it probes (as a
// write when write) and returns a loader; for a register, a getter.
func (w *wcomp) rmSrc(i int, in *Inst, size int, write bool) func() {
	if in.mod == 3 {
		return func() { w.getR(in.rm, size) }
	}
	w.ea(in, true)
	w.probe(i, size, write)
	return func() { w.ld(size, false) }
}

// rmDst stores val into the E operand prepared by rmSrc.
func (w *wcomp) rmDst(in *Inst, size int, val func()) {
	if in.mod == 3 {
		w.setR(in.rm, size, val)
		return
	}
	w.st(size, val)
}

func (w *wcomp) res() { w.get(lFres) }

// inst emits op i of the current block.
func (w *wcomp) inst(i int) bool {
	op := w.ops[i]
	in := op.in
	if in.op16 || in.addr16 || in.lock || (in.rep != 0 && in.Op != 0x11E && in.Op != 0xC3) {
		return false
	}
	eipEnd := w.start + op.off + uint32(in.len)
	o := in.Op
	mem := in.mod != 3
	switch {
	case o < 0x40 && o&7 <= 5:
		alu := uint8(o >> 3)
		size := 4
		if o&1 == 0 {
			size = 1
		}
		switch o & 7 {
		case 0, 1:
			a := w.rmSrc(i, in, size, alu != aluCMP)
			w.alu(alu, size, a, func() { w.getR(in.reg, size) })
			if alu != aluCMP {
				w.rmDst(in, size, w.res)
			}
		case 2, 3:
			b := w.rmSrc(i, in, size, false)
			w.alu(alu, size, func() { w.getR(in.reg, size) }, b)
			if alu != aluCMP {
				w.setR(in.reg, size, w.res)
			}
		case 4, 5:
			w.alu(alu, size, func() { w.getR(EAX, size) }, w.imm(in, size))
			if alu != aluCMP {
				w.setR(EAX, size, w.res)
			}
		}
	case o == 0x80 || o == 0x81 || o == 0x83:
		alu := in.reg
		size := 4
		if o == 0x80 {
			size = 1
		}
		a := w.rmSrc(i, in, size, alu != aluCMP)
		w.alu(alu, size, a, w.imm(in, size))
		if alu != aluCMP {
			w.rmDst(in, size, w.res)
		}
	case o == 0x84 || o == 0x85, (o == 0xF6 || o == 0xF7) && in.reg == 0, o == 0xA8 || o == 0xA9:
		size := 4
		if o&1 == 0 {
			size = 1
		}
		var a, b func()
		switch o {
		case 0x84, 0x85:
			a = w.rmSrc(i, in, size, false)
			b = func() { w.getR(in.reg, size) }
		case 0xA8, 0xA9:
			a, b = func() { w.getR(EAX, size) }, w.imm(in, size)
		default:
			a, b = w.rmSrc(i, in, size, false), w.imm(in, size)
		}
		w.alu(aluAND, size, a, b)
	case o == 0xF7 && in.reg == 2 && !mem: // not
		w.setR(in.rm, 4, func() { w.getR(in.rm, 4); w.i32(0xFFFFFFFF); w.byte1(wXor) })
	case o == 0xF7 && in.reg == 3 && !mem: // neg
		w.i32(0)
		w.set(lFa)
		w.getR(in.rm, 4)
		w.set(lFb)
		w.i32(0)
		w.get(lFb)
		w.byte1(wSub)
		w.set(lFres)
		w.setOp(lazySub, 4)
		w.setR(in.rm, 4, w.res)
	case o == 0xF7 && in.reg == 4: // mul
		src := w.rmSrc(i, in, 4, false)
		w.get(lR0 + EAX)
		w.byte1(wExtendU)
		src()
		w.byte1(wExtendU)
		w.byte1(wMul64)
		w.set(lT64)
		w.get(lT64)
		w.byte1(wWrap)
		w.tee(lFres)
		w.set(lR0 + EAX)
		w.get(lT64)
		w.i64(32)
		w.byte1(wShrU64)
		w.byte1(wWrap)
		w.set(lR0 + EDX)
		w.setCO(4, func() {
			w.get(lR0 + EDX)
			w.i32(0)
			w.byte1(wNe)
			w.i32(3)
			w.byte1(wMul)
		})
	case o == 0x1AF || o == 0x69 || o == 0x6B: // imul, truncated
		var a, b func()
		if o == 0x1AF {
			a = func() { w.getR(in.reg, 4) }
			b = w.rmSrc(i, in, 4, false)
		} else {
			a = w.rmSrc(i, in, 4, false)
			b = w.imm(in, 4)
		}
		a()
		w.byte1(wExtendS)
		b()
		w.byte1(wExtendS)
		w.byte1(wMul64)
		w.set(lT64)
		w.get(lT64)
		w.byte1(wWrap)
		w.set(lFres)
		w.setR(in.reg, 4, w.res)
		w.setCO(4, func() {
			w.get(lFres)
			w.byte1(wExtendS)
			w.get(lT64)
			w.byte1(wNe64)
			w.i32(3)
			w.byte1(wMul)
		})
	case (o == 0xC1 || o == 0xD1) && !mem && in.reg >= 4:
		n := in.imm & 31
		if o == 0xD1 {
			n = 1
		}
		if n == 0 {
			break
		}
		r := in.rm
		w.getR(r, 4)
		w.set(lT0)
		switch in.reg {
		case 4, 6:
			w.get(lT0)
			w.i32(n)
			w.byte1(wShl)
			w.set(lFres)
			w.get(lT0)
			w.i32(32 - n)
			w.byte1(wShrU)
			w.i32(1)
			w.byte1(wAnd)
			w.set(lT1) // cf
			w.setCO(4, func() {
				w.get(lT1)
				w.get(lFres)
				w.i32(31)
				w.byte1(wShrU)
				w.get(lT1)
				w.byte1(wXor)
				w.i32(1)
				w.byte1(wShl)
				w.byte1(wOr)
			})
		case 5:
			w.get(lT0)
			w.i32(n)
			w.byte1(wShrU)
			w.set(lFres)
			w.setCO(4, func() {
				w.get(lT0)
				w.i32(n - 1)
				w.byte1(wShrU)
				w.i32(1)
				w.byte1(wAnd)
				w.get(lFres)
				w.get(lFres)
				w.i32(1)
				w.byte1(wShl)
				w.byte1(wXor)
				w.i32(31)
				w.byte1(wShrU)
				w.i32(1)
				w.byte1(wShl)
				w.byte1(wOr)
			})
		case 7:
			w.get(lT0)
			w.i32(n)
			w.byte1(wShrS)
			w.set(lFres)
			w.setCO(4, func() {
				w.get(lT0)
				w.i32(n - 1)
				w.byte1(wShrS)
				w.i32(1)
				w.byte1(wAnd)
			})
		}
		w.setR(r, 4, w.res)
	case o == 0x88 || o == 0x89:
		size := 4
		if o == 0x88 {
			size = 1
		}
		if mem {
			w.ea(in, true)
			w.probe(i, size, true)
			w.st(size, func() { w.getR(in.reg, size) })
		} else {
			w.setR(in.rm, size, func() { w.getR(in.reg, size) })
		}
	case o == 0x8A || o == 0x8B:
		size := 4
		if o == 0x8A {
			size = 1
		}
		src := w.rmSrc(i, in, size, false)
		w.setR(in.reg, size, src)
	case (o == 0xC6 || o == 0xC7) && in.reg == 0:
		size := 4
		if o == 0xC6 {
			size = 1
		}
		if mem {
			w.ea(in, true)
			w.probe(i, size, true)
			w.st(size, w.imm(in, size))
		} else {
			w.setR(in.rm, size, w.imm(in, size))
		}
	case o >= 0xB8 && o <= 0xBF:
		w.setR(uint8(o&7), 4, w.imm(in, 4))
	case o >= 0xB0 && o <= 0xB7:
		w.setR(uint8(o&7), 1, w.imm(in, 1))
	case o == 0x8D && mem:
		w.setR(in.reg, 4, func() { w.ea(in, false) })
	case o == 0x1B6 || o == 0x1B7 || o == 0x1BE || o == 0x1BF:
		size := 1
		if o&1 == 1 {
			size = 2
		}
		signed := o >= 0x1BE
		if mem {
			w.ea(in, true)
			w.probe(i, size, false)
			w.setR(in.reg, 4, func() { w.ld(size, signed) })
		} else {
			w.setR(in.reg, 4, func() {
				w.getR(in.rm, size)
				if signed {
					sh := uint32(32 - 8*size)
					w.i32(sh)
					w.byte1(wShl)
					w.i32(sh)
					w.byte1(wShrS)
				}
			})
		}
	case o >= 0x40 && o <= 0x4F:
		r := uint8(o & 7)
		if !w.incdec(o >= 0x48, 4, func() { w.getR(r, 4) }) {
			return false
		}
		w.setR(r, 4, w.res)
	case (o == 0xFF || o == 0xFE) && in.reg <= 1:
		size := 4
		if o == 0xFE {
			size = 1
		}
		v := w.rmSrc(i, in, size, true)
		w.incdec(in.reg == 1, size, v)
		w.rmDst(in, size, w.res)
	case o >= 0x50 && o <= 0x57:
		r := uint8(o & 7)
		w.push(i, func() { w.getR(r, 4) })
	case o == 0x68 || o == 0x6A:
		w.push(i, w.imm(in, 4))
	case o >= 0x58 && o <= 0x5F && o != 0x5C:
		w.get(lR0 + ESP)
		w.probe(i, 4, false)
		w.ld(4, false)
		w.set(lR0 + int(o&7))
		w.get(lR0 + ESP)
		w.i32(4)
		w.byte1(wAdd)
		w.set(lR0 + ESP)
	case o == 0xC9: // leave
		w.get(lR0 + EBP)
		w.probe(i, 4, false)
		w.get(lR0 + EBP)
		w.i32(4)
		w.byte1(wAdd)
		w.set(lR0 + ESP)
		w.ld(4, false)
		w.set(lR0 + EBP)
	case o == 0x99: // cdq
		w.get(lR0 + EAX)
		w.i32(31)
		w.byte1(wShrS)
		w.set(lR0 + EDX)
	case o == 0x98: // cwde
		w.get(lR0 + EAX)
		w.i32(16)
		w.byte1(wShl)
		w.i32(16)
		w.byte1(wShrS)
		w.set(lR0 + EAX)
	case o == 0x90, o == 0x11E, o == 0x11F:
	case o >= 0x190 && o <= 0x19F && !mem:
		w.setR(in.rm, 1, func() { w.cond(uint8(o & 0xF)) })
	case o >= 0x140 && o <= 0x14F && !mem:
		w.getR(in.rm, 4)
		w.getR(in.reg, 4)
		w.cond(uint8(o & 0xF))
		w.byte1(wSelect)
		w.set(lR0 + int(in.reg&7))
	case o >= 0x70 && o <= 0x7F, o >= 0x180 && o <= 0x18F:
		w.cond(uint8(o & 0xF))
		w.open(wIf)
		w.goTo(eipEnd + in.imm)
		w.end()
		w.goTo(eipEnd)
		return true
	case o == 0xEB || o == 0xE9:
		w.goTo(eipEnd + in.imm)
		return true
	case o == 0xE8:
		w.push(i, func() { w.i32(eipEnd) })
		w.goTo(eipEnd + in.imm)
		return true
	case o == 0xC3:
		w.get(lR0 + ESP)
		w.probe(i, 4, false)
		w.ld(4, false)
		w.set(lEIP)
		w.get(lR0 + ESP)
		w.i32(4)
		w.byte1(wAdd)
		w.set(lR0 + ESP)
		w.i32(0)
		w.set(lSide)
		w.br(w.exitLv)
		return true
	default:
		return false
	}
	if in.extra != 0 { // fused jcc
		w.cond(in.cc)
		w.open(wIf)
		w.goTo(eipEnd + in.jrel)
		w.end()
		w.goTo(eipEnd)
		return true
	}
	if i == len(w.ops)-1 {
		// The block ends after a straight instruction (maxBlock, or the
		// page's end): go on at the next one.
		w.goTo(eipEnd)
	}
	return true
}
