package cpu

import "testing"

func benchSled(b *testing.B, one []byte, reps int) {
	var code []byte
	for range reps {
		code = append(code, one...)
	}
	code = append(code, 0xE9)
	code = append(code, le32(uint32(-(len(code) + 4)))...)
	c := newTestCPU(b, code)
	c.R[EBX], c.R[ECX] = dataBase+0x234, 0x155 // offsets unlike the CPU struct's, to avoid 4K aliasing
	c.R[ESP] = stackTop - 0x100
	c.Run(1000)
	m := startMeter(b)
	for range b.N {
		if e := c.Run(1_000_000); e.Reason != ExitBudget {
			b.Fatal(e)
		}
	}
	m.report(b, uint64(b.N)*1_000_000)
}

func BenchmarkSledAdd(b *testing.B)      { benchSled(b, []byte{0x01, 0xC8}, 30) }
func BenchmarkSledAddImm(b *testing.B)   { benchSled(b, []byte{0x83, 0xC0, 0x01}, 30) }
func BenchmarkSledMovRR(b *testing.B)    { benchSled(b, []byte{0x89, 0xC8}, 30) }
func BenchmarkSledLoad(b *testing.B)     { benchSled(b, []byte{0x8B, 0x04, 0x8B}, 30) }
func BenchmarkSledStore(b *testing.B)    { benchSled(b, []byte{0x89, 0x04, 0x8B}, 30) }
func BenchmarkSledCmpJcc(b *testing.B)   { benchSled(b, []byte{0x39, 0xFE, 0x72, 0x00}, 15) }
func BenchmarkSledPushPop(b *testing.B)  { benchSled(b, []byte{0x50, 0x58}, 15) }
func BenchmarkSledIncR(b *testing.B)     { benchSled(b, []byte{0x41}, 30) }
func BenchmarkSledLoadDisp(b *testing.B) { benchSled(b, []byte{0x8B, 0x43, 0x10}, 30) }
