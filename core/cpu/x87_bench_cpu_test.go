package cpu

import "testing"

// x87BenchLoop runs body (a few instructions) in a loop of 1000 iterations
// per Run, reporting ns per loop iteration.
func x87BenchLoop(b *testing.B, setup, body []byte) {
	// setup; mov ecx,1000; loop: body; dec ecx; jnz loop; int 0x80
	code := append([]byte{}, setup...)
	code = append(code, 0xB9, 0xE8, 0x03, 0, 0)
	top := len(code)
	code = append(code, body...)
	code = append(code, 0x49, 0x75, byte(-(len(code) - top + 3)))
	code = append(code, int80...)
	c := newTestCPU(b, code)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.EIP = codeBase
		c.FPU.Reset()
		if exit := c.Run(1 << 30); exit.Reason != ExitInterrupt {
			b.Fatal(exit)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/iter")
}

func BenchmarkX87LoopFadd(b *testing.B) {
	// fld1; fldz; loop: fadd st0,st1 x4
	x87BenchLoop(b, []byte{0xD9, 0xE8, 0xD9, 0xEE}, []byte{0xD8, 0xC1, 0xD8, 0xC1, 0xD8, 0xC1, 0xD8, 0xC1})
}

func BenchmarkX87LoopIntAdd(b *testing.B) {
	// add eax,ebx x4 for comparison
	x87BenchLoop(b, nil, []byte{0x01, 0xD8, 0x01, 0xD8, 0x01, 0xD8, 0x01, 0xD8})
}
