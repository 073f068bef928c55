package cpu

// The browser's block compiler: the hot blocks of one code page become
// one WebAssembly function (a "region"), v86-style. The function keeps
// the guest registers, the budget and the lazy-flag record (flags.go) in
// wasm locals and runs a dispatch loop over the region's blocks (loop +
// br_table on the block's index): a block whose successor is in the
// region goes straight on to it; anything else leaves the function,
// storing registers, EIP, the budget left and the flag record into the
// CPU struct, which the generated module reaches through the Go
// instance's own linear memory (Go heap addresses are offsets into it).
//
// Like the amd64 compiler, memory goes through the software TLB (a miss
// or an access crossing a page leaves before the instruction changes
// anything: a side exit, after which the interpreter runs it), so faults
// stay precise and frames holding code, which never get write entries,
// still catch self-modifying code. The flag record is kept exactly as
// the interpreter's handlers leave it; conditions are evaluated from the
// producer known at compile time (the last flag-writing instruction of
// the same block), and an instruction that reads flags of an unknown
// producer ends the compiled part of its block. This file only produces
// bytes; jit_wasm.go compiles and runs them in the browser.

// wasm locals of the region function. Local 0 is the parameter: the
// index of the block to start with, then the block to dispatch to.
const (
	lIdx   = 0
	lR0    = 1 // 1..8: EAX..EDI
	lEIP   = 9
	lSide  = 10
	lFop   = 11
	lFsize = 12
	lFa    = 13
	lFb    = 14
	lFres  = 15
	lFcin  = 16
	lAddr  = 17
	lLin   = 18
	lE     = 19
	lT0    = 20
	lT1    = 21
	lT2    = 22
	nI32   = 22 // i32 locals after the parameter
	lLeft  = 23 // i64: the budget
	lT64   = 24 // i64
)

// wasm opcodes used.
const (
	wBlock    = 0x02
	wLoop     = 0x03
	wIf       = 0x04
	wElse     = 0x05
	wEnd      = 0x0B
	wBr       = 0x0C
	wBrIf     = 0x0D
	wBrTable  = 0x0E
	wGet      = 0x20
	wSet      = 0x21
	wTee      = 0x22
	wLoad     = 0x28
	wLoad64   = 0x29
	wLoad8s   = 0x2C
	wLoad8u   = 0x2D
	wLoad16s  = 0x2E
	wLoad16u  = 0x2F
	wStore    = 0x36
	wStore64  = 0x37
	wStore8   = 0x3A
	wStore16  = 0x3B
	wConst    = 0x41
	wConst64  = 0x42
	wEqz      = 0x45
	wEq       = 0x46
	wNe       = 0x47
	wLtS      = 0x48
	wLtU      = 0x49
	wGtU      = 0x4B
	wLeS      = 0x4C
	wLeU      = 0x4D
	wLtU64    = 0x54
	wNe64     = 0x52
	wPopcnt   = 0x69
	wAdd      = 0x6A
	wSub      = 0x6B
	wMul      = 0x6C
	wAnd      = 0x71
	wOr       = 0x72
	wXor      = 0x73
	wShl      = 0x74
	wShrS     = 0x75
	wShrU     = 0x76
	wAdd64    = 0x7C
	wSub64    = 0x7D
	wMul64    = 0x7E
	wShrU64   = 0x88
	wWrap     = 0xA7
	wExtendS  = 0xAC
	wExtendU  = 0xAD
	wSelect   = 0x1B
	wEmptyTyp = 0x40
)

// wflags is what the compiler knows about the flag record's producer.
type wflags struct {
	known bool
	op    lazyOp
	size  uint8
}

// wcomp compiles one region.
type wcomp struct {
	b      []byte
	depth  int // open structured blocks
	exitLv int
	loopLv int
	cpu    uint32
	idxOf  map[uint32]int

	// The block being compiled.
	start uint32
	ops   []blockOp
	n     uint64
	fl    wflags
}

func (w *wcomp) byte1(v ...byte) { w.b = append(w.b, v...) }
func (w *wcomp) uleb(v uint64)   { w.b = appendULEB(w.b, v) }
func (w *wcomp) sleb(v int64)    { w.b = appendSLEB(w.b, v) }

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
		} else {
			return append(b, c)
		}
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func (w *wcomp) get(l int)    { w.byte1(wGet); w.uleb(uint64(l)) }
func (w *wcomp) set(l int)    { w.byte1(wSet); w.uleb(uint64(l)) }
func (w *wcomp) tee(l int)    { w.byte1(wTee); w.uleb(uint64(l)) }
func (w *wcomp) i32(v uint32) { w.byte1(wConst); w.sleb(int64(int32(v))) }
func (w *wcomp) i64(v uint64) { w.byte1(wConst64); w.sleb(int64(v)) }
func (w *wcomp) mem(op byte, off uint32) {
	w.byte1(op, 0) // alignment hint 1: guest accesses may be unaligned
	w.uleb(uint64(off))
}

// cpuLoad/cpuStore access a CPU field (address 0 + offset).
func (w *wcomp) cpuLoad(op byte, off int32) {
	w.i32(0)
	w.mem(op, w.cpu+uint32(off))
}

// cpuStore stores the value pushed by val.
func (w *wcomp) cpuStore(op byte, off int32, val func()) {
	w.i32(0)
	val()
	w.mem(op, w.cpu+uint32(off))
}

func (w *wcomp) open(kind byte) int {
	w.byte1(kind, wEmptyTyp)
	w.depth++
	return w.depth
}

func (w *wcomp) end() { w.byte1(wEnd); w.depth-- }

func (w *wcomp) br(level int) { w.byte1(wBr); w.uleb(uint64(w.depth - level)) }

// exitTo leaves the function at eip; side asks the interpreter to run
// that instruction first; undo gives back budget not used.
func (w *wcomp) exitTo(eip uint32, side bool, undo uint64) {
	if undo != 0 {
		w.get(lLeft)
		w.i64(undo)
		w.byte1(wAdd64)
		w.set(lLeft)
	}
	w.i32(eip)
	w.set(lEIP)
	s := uint32(0)
	if side {
		s = 1
	}
	w.i32(s)
	w.set(lSide)
	w.br(w.exitLv)
}

// sideExit leaves before op i.
func (w *wcomp) sideExit(i int) {
	op := w.ops[i]
	w.exitTo(w.start+op.off, true, w.n-uint64(op.done))
}

// ifSideExit leaves before op i when the i32 on the stack is non-zero.
func (w *wcomp) ifSideExit(i int) {
	w.open(wIf)
	w.sideExit(i)
	w.end()
}

// goTo continues at the known eip: in the region, or by leaving it.
func (w *wcomp) goTo(eip uint32) {
	if k, ok := w.idxOf[eip]; ok {
		w.i32(uint32(k))
		w.set(lIdx)
		w.br(w.loopLv)
		return
	}
	w.exitTo(eip, false, 0)
}

// compileRegion builds a module whose export "f" runs the blocks (their
// start EIPs in eips, all in one code page) for the CPU at address cpu.
// Blocks whose first instruction does not compile are left out; the
// result maps the included EIPs to their index and compiled instruction
// counts.
func compileRegion(cpu uint32, eips []uint32, blocks []*block) (module []byte, idx map[uint32]int, ns map[uint32]uint64) {
	w := &wcomp{cpu: cpu, idxOf: map[uint32]int{}}
	// First pass: which blocks compile at all (a dry run of each).
	var inc []int
	for k, b := range blocks {
		if w.prefix(b, eips[k]) > 0 {
			w.idxOf[eips[k]] = len(inc)
			inc = append(inc, k)
		}
	}
	if len(inc) == 0 {
		return nil, nil, nil
	}
	ns = map[uint32]uint64{}
	w.b = w.b[:0]
	w.depth = 0
	// Prologue: registers, budget and flag record into locals.
	for r := 0; r < 8; r++ {
		w.cpuLoad(wLoad, offR+4*int32(r))
		w.set(lR0 + r)
	}
	w.cpuLoad(wLoad64, offLeft)
	w.set(lLeft)
	w.cpuLoad(wLoad8u, offOp)
	w.set(lFop)
	w.cpuLoad(wLoad8u, offSize)
	w.set(lFsize)
	w.cpuLoad(wLoad, offA)
	w.set(lFa)
	w.cpuLoad(wLoad, offB)
	w.set(lFb)
	w.cpuLoad(wLoad, offRes)
	w.set(lFres)
	w.cpuLoad(wLoad, offCin)
	w.set(lFcin)
	w.exitLv = w.open(wBlock)
	w.loopLv = w.open(wLoop)
	n := len(inc)
	for k := 0; k < n; k++ {
		w.open(wBlock)
	}
	w.get(lIdx)
	w.byte1(wBrTable)
	w.uleb(uint64(n))
	for k := 0; k < n; k++ {
		w.uleb(uint64(k))
	}
	w.uleb(uint64(w.depth - w.exitLv)) // default: leave (never taken)
	for k := 0; k < n; k++ {
		w.end()
		blk := blocks[inc[k]]
		ns[eips[inc[k]]] = w.block(blk, eips[inc[k]])
	}
	w.end() // loop
	w.end() // exit block
	// Epilogue.
	for r := 0; r < 8; r++ {
		w.cpuStore(wStore, offR+4*int32(r), func() { w.get(lR0 + r) })
	}
	w.cpuStore(wStore, offEIP, func() { w.get(lEIP) })
	w.cpuStore(wStore64, offLeft, func() { w.get(lLeft) })
	w.cpuStore(wStore8, offOp, func() { w.get(lFop) })
	w.cpuStore(wStore8, offSize, func() { w.get(lFsize) })
	w.cpuStore(wStore, offA, func() { w.get(lFa) })
	w.cpuStore(wStore, offB, func() { w.get(lFb) })
	w.cpuStore(wStore, offRes, func() { w.get(lFres) })
	w.cpuStore(wStore, offCin, func() { w.get(lFcin) })
	w.cpuStore(wStore8, offSide, func() { w.get(lSide) })
	w.byte1(wEnd)
	return wasmModule(w.b), w.idxOf, ns
}

// prefix returns how many of b's ops compile (a dry run).
func (w *wcomp) prefix(b *block, eip uint32) int {
	saveB, saveD := w.b, w.depth
	w.b = nil
	w.depth = 3
	w.exitLv, w.loopLv = 1, 2
	w.start, w.ops, w.fl = eip, b.ops, wflags{}
	w.n = b.n
	k := 0
	for k < len(b.ops) && w.inst(k) {
		k++
	}
	w.b, w.depth = saveB, saveD
	return k
}

// block emits one block's code and returns the instructions its
// compiled part retires.
func (w *wcomp) block(b *block, eip uint32) uint64 {
	k := w.prefix(b, eip)
	w.start, w.ops, w.fl = eip, b.ops, wflags{}
	n := b.n
	if k < len(b.ops) {
		n = uint64(b.ops[k].done)
	}
	w.n = n
	// Entry: charge the budget for the compiled part, or leave.
	w.get(lLeft)
	w.i64(n)
	w.byte1(wLtU64)
	w.open(wIf)
	w.exitTo(eip, true, 0)
	w.end()
	w.get(lLeft)
	w.i64(n)
	w.byte1(wSub64)
	w.set(lLeft)
	for i := 0; i < k; i++ {
		if !w.inst(i) {
			panic("cpu: wasm block compile differs from its dry run")
		}
	}
	if k < len(b.ops) {
		w.exitTo(eip+b.ops[k].off, true, 0)
	}
	return n
}

// wasmModule wraps the function body (without locals) into a module
// importing the memory as "e"."m" and exporting the function as "f".
func wasmModule(body []byte) []byte {
	sec := func(out []byte, id byte, content []byte) []byte {
		out = append(out, id)
		out = appendULEB(out, uint64(len(content)))
		return append(out, content...)
	}
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	// type: (i32) -> ()
	m = sec(m, 1, []byte{1, 0x60, 1, 0x7F, 0})
	// import e.m memory, min 1
	m = sec(m, 2, []byte{1, 1, 'e', 1, 'm', 2, 0, 1})
	// function 0 of type 0
	m = sec(m, 3, []byte{1, 0})
	// export "f" func 0
	m = sec(m, 7, []byte{1, 1, 'f', 0, 0})
	// code
	var fn []byte
	fn = append(fn, 2) // two local groups
	fn = appendULEB(fn, nI32)
	fn = append(fn, 0x7F)
	fn = append(fn, 2, 0x7E)
	fn = append(fn, body...)
	var code []byte
	code = append(code, 1)
	code = appendULEB(code, uint64(len(fn)))
	code = append(code, fn...)
	m = sec(m, 10, code)
	return m
}
