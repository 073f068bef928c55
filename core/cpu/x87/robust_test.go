package x87

import (
	"math/rand"
	"testing"
)

// TestRandomInstructionsDoNotPanic runs random D8-DF encodings on random
// register images (any bit pattern), control words and memory.
func TestRandomInstructionsDoNotPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	n := 100000 * fuzzScale()
	if testing.Short() {
		n = 10000
	}
	var m fakeMachine
	var f FPU
	for i := 0; i < n; i++ {
		f.Reset()
		f.CW = uint16(rng.Intn(0x10000))
		if rng.Intn(2) == 0 {
			f.CW |= 0x3F
		}
		f.TW = uint16(rng.Intn(0x10000))
		f.SW = uint16(rng.Intn(0x10000)) &^ FlagES
		for p := range f.Regs {
			f.Regs[p] = F80{Sig: rng.Uint64(), SE: uint16(rng.Intn(0x10000))}
			if rng.Intn(4) == 0 {
				f.Regs[p].Sig |= bitJ
			}
		}
		rng.Read(m.mem[:])
		in := Insn{Op: uint8(rng.Intn(8)), ModRM: uint8(rng.Intn(256)), Addr: memBase}
		func() {
			defer func() {
				if r := recover(); r != nil && r != "#UD" && r != "#MF" {
					t.Fatalf("op %d modrm %#x: %v", in.Op, in.ModRM, r)
				}
			}()
			f.Exec(&m, &in)
		}()
	}
}
