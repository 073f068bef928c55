//go:build !(linux && amd64) && !js

package cpu

// Elsewhere (but in the browser, see jit_wasm.go) there is no block
// compiler: mapArena gives no memory and the interpreter runs everything.

func mapArena(c *CPU) []byte { return nil }

func jitCall(enter, code, cpu uintptr) { panic("cpu: no JIT on this platform") }

const mapArenaWorks = false
