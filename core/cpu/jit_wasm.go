//go:build js && wasm

package cpu

import (
	"syscall/js"
	"unsafe"

	"github.com/hack-pad/safejs"

	"trapdoor/core/memory"
)

// The browser's block compiler (wjit.go) at run time: hot code pages
// become WebAssembly functions, compiled synchronously (workers may) into
// instances that import the Go instance's own memory. The worker's
// loader (public/worker.js) publishes that memory as
// globalThis.trapdoorGoMemory; without it the interpreter runs all code.

// UseJIT enables the block compiler where the platform has one.
var UseJIT = true

// wregion is one code page's compiled function.
type wregion struct {
	fn  js.Value
	gen uint32
	vpn uint32
}

// jitArena holds a CPU's compiled regions, by code page.
type jitArena struct {
	mem      js.Value // the Go instance's memory
	module   js.Value // WebAssembly.Module
	instance js.Value // WebAssembly.Instance
	imports  js.Value
	regions  map[*codePage]*wregion
	compiles map[*codePage]int
	gen      uint32
	// The last region run, to skip the map.
	lastCP *codePage
	last   *wregion
}

// wasmMaxCompiles bounds how often one code page is recompiled (each time
// a block of it turns hot that the region lacks).
const wasmMaxCompiles = 12

// wasmMaxRegions bounds the regions kept; beyond it they start over.
const wasmMaxRegions = 1024

func (c *CPU) arena() *jitArena {
	if c.jit == nil {
		mem := js.Global().Get("trapdoorGoMemory")
		if mem.IsUndefined() || mem.IsNull() {
			UseJIT = false
			return nil
		}
		wa := js.Global().Get("WebAssembly")
		imports := js.Global().Get("Object").New()
		e := js.Global().Get("Object").New()
		e.Set("m", mem)
		imports.Set("e", e)
		c.jit = &jitArena{mem: mem, module: wa.Get("Module"), instance: wa.Get("Instance"), imports: imports,
			regions: map[*codePage]*wregion{}, compiles: map[*codePage]int{}}
	}
	return c.jit
}

func (ar *jitArena) region(cp *codePage) *wregion {
	if ar.lastCP == cp && ar.last != nil {
		return ar.last
	}
	r := ar.regions[cp]
	ar.lastCP, ar.last = cp, r
	return r
}

// jitReady returns whether b (at eip) has current compiled code,
// compiling its page once it is hot.
func (c *CPU) jitReady(b *block, eip uint32) bool {
	jb := &b.jit
	if jb.entry != 0 {
		if r := c.jit.region(c.fetch); r != nil && r.gen == jb.gen && r.vpn == eip>>memory.PageShift {
			return true
		}
		jb.entry = 0
	}
	if !jb.due() {
		return false
	}
	ar := c.arena()
	if ar == nil {
		return false
	}
	return c.compilePage(ar, b, eip)
}

// compilePage compiles the current code page's blocks into a region.
func (c *CPU) compilePage(ar *jitArena, b *block, eip uint32) bool {
	cp := c.fetch
	if (&wcomp{}).prefix(b, eip) == 0 || ar.compiles[cp] >= wasmMaxCompiles {
		b.jit.fail = true
		return false
	}
	if len(ar.regions) >= wasmMaxRegions {
		ar.regions = map[*codePage]*wregion{}
		ar.compiles = map[*codePage]int{}
	}
	ar.compiles[cp]++
	vpn := eip >> memory.PageShift
	var eips []uint32
	var blocks []*block
	for off, in := range cp.inst {
		if in != nil && in.blk != nil {
			eips = append(eips, vpn<<memory.PageShift|uint32(off))
			blocks = append(blocks, in.blk)
		}
	}
	code, idx, ns := compileRegion(uint32(uintptr(unsafe.Pointer(c))), eips, blocks)
	if _, ok := idx[eip]; !ok {
		b.jit.fail = true
		if code == nil {
			return false
		}
	}
	u8 := js.Global().Get("Uint8Array").New(len(code))
	js.CopyBytesToJS(u8, code)
	// A module the engine refuses (a compiler bug, or the engine's own
	// limits) leaves this page to the interpreter rather than stopping
	// the emulator: safejs turns the JS exception into an error.
	mod, err := safejs.Safe(ar.module).New(u8)
	var inst safejs.Value
	if err == nil {
		inst, err = safejs.Safe(ar.instance).New(mod, ar.imports)
	}
	if err != nil {
		b.jit.fail = true
		return false
	}
	ar.gen++
	r := &wregion{fn: safejs.Unsafe(inst).Get("exports").Get("f"), gen: ar.gen, vpn: vpn}
	ar.regions[cp] = r
	ar.lastCP, ar.last = cp, r
	for k, e := range eips {
		if i, ok := idx[e]; ok {
			blocks[k].jit = jitBlock{entry: uintptr(i + 1), gen: r.gen, vpn: vpn, n: ns[e]}
		}
	}
	return !b.jit.fail
}

// runJIT runs b's region from b, with c.EIP and c.left; it returns with
// EIP and left where the interpreter takes over. side reports a side
// exit: the instruction at EIP must be interpreted before compiled code
// runs again.
func (c *CPU) runJIT(b *block) (side bool) {
	c.jit.region(c.fetch).fn.Invoke(int(b.jit.entry - 1))
	return c.jitSide != 0
}

// jitHotDefault: a page compiles as one WebAssembly module, which the
// engine takes milliseconds over, so only code that keeps running pays.
const jitHotDefault = 1000

// jitAvailable reports whether this platform compiles blocks.
func jitAvailable() bool { return !js.Global().Get("trapdoorGoMemory").IsUndefined() }
