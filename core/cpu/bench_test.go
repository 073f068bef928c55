package cpu

import (
	"runtime"
	"testing"
	"time"
)

// mipsMeter reports emulated MIPS by wall clock and by the benchmark
// thread's own CPU time; the second is steadier on a shared machine.
type mipsMeter struct {
	wall time.Time
	cpu  time.Duration
}

func startMeter(b *testing.B) *mipsMeter {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	b.ResetTimer()
	return &mipsMeter{wall: time.Now(), cpu: threadCPU()}
}

func (m *mipsMeter) report(b *testing.B, instructions uint64) {
	b.ReportMetric(float64(instructions)/time.Since(m.wall).Seconds()/1e6, "MIPS")
	b.ReportMetric(float64(instructions)/(threadCPU()-m.cpu).Seconds()/1e6, "cpuMIPS")
}

// benchLoop is a compiler-like hot loop: array load, add, store, a call
// with a frame, movzx, lea, cmp/jcc, test/jnz.
//
//	start: mov ebx,0x08050000; xor ecx,ecx; xor edi,edi
//	loop:  mov eax,[ebx+ecx*4]; add eax,ecx; mov [ebx+ecx*4+0x400],eax
//	       call func; movzx edx,byte [ebx+ecx]; lea esi,[edx+eax*2]
//	       inc ecx; and ecx,0xff; cmp esi,edi; jb 1f; mov edi,esi
//	1:     test ecx,ecx; jnz loop; jmp loop
//	func:  push ebp; mov ebp,esp; mov edx,eax; shl edx,3; sub edx,eax
//	       cmp edx,100; jle 2f; add edi,1
//	2:     pop ebp; ret
var benchLoop = []byte{
	0xbb, 0x00, 0x00, 0x05, 0x08, 0x31, 0xc9, 0x31, 0xff, 0x8b, 0x04, 0x8b,
	0x01, 0xc8, 0x89, 0x84, 0x8b, 0x00, 0x04, 0x00, 0x00, 0xe8, 0x1a, 0x00,
	0x00, 0x00, 0x0f, 0xb6, 0x14, 0x0b, 0x8d, 0x34, 0x42, 0x41, 0x81, 0xe1,
	0xff, 0x00, 0x00, 0x00, 0x39, 0xfe, 0x72, 0x02, 0x89, 0xf7, 0x85, 0xc9,
	0x75, 0xd7, 0xeb, 0xd5, 0x55, 0x89, 0xe5, 0x89, 0xc2, 0xc1, 0xe2, 0x03,
	0x29, 0xc2, 0x83, 0xfa, 0x64, 0x7e, 0x03, 0x83, 0xc7, 0x01, 0x5d, 0xc3,
}

// BenchmarkHotLoop reports emulated MIPS on benchLoop.
func BenchmarkHotLoop(b *testing.B) {
	c := newTestCPU(b, benchLoop)
	const chunk = 1_000_000
	c.Run(chunk) // warm the decode cache and TLB
	m := startMeter(b)
	for range b.N {
		if e := c.Run(chunk); e.Reason != ExitBudget {
			b.Fatalf("stopped: %v", e)
		}
	}
	m.report(b, uint64(b.N)*chunk)
}

// BenchmarkRepMovs reports the copy rate of rep movsd within a page pair.
func BenchmarkRepMovs(b *testing.B) {
	// mov esi,dataBase; mov edi,dataBase+0x800; mov ecx,0x200; rep movsd; jmp start
	code := []byte{
		0xBE, 0x00, 0x00, 0x05, 0x08,
		0xBF, 0x00, 0x08, 0x05, 0x08,
		0xB9, 0x00, 0x02, 0x00, 0x00,
		0xF3, 0xA5,
		0xEB, 0xEE,
	}
	c := newTestCPU(b, code)
	b.SetBytes(0x800)
	b.ResetTimer()
	for range b.N {
		c.Run(5)
	}
}

// BenchmarkNopSled measures bare dispatch: thirty nops and a jmp.
func BenchmarkNopSled(b *testing.B) {
	var code []byte
	for range 30 {
		code = append(code, 0x90)
	}
	code = append(code, 0xEB, byte(-(len(code) + 2)))
	c := newTestCPU(b, code)
	c.Run(1000)
	m := startMeter(b)
	for range b.N {
		c.Run(1_000_000)
	}
	m.report(b, uint64(b.N)*1_000_000)
}

// BenchmarkSyscallExit measures a Run that ends at int 0x80, the round
// trip every system call makes.
func BenchmarkSyscallExit(b *testing.B) {
	c := newTestCPU(b, []byte{0x40, 0xCD, 0x80})
	for range b.N {
		c.EIP = codeBase
		if e := c.Run(100); e.Reason != ExitInterrupt {
			b.Fatal(e)
		}
	}
}

// BenchmarkHotLoopWithHook is BenchmarkHotLoop with a trivial
// OnInstruction hook, the price of watching every instruction.
func BenchmarkHotLoopWithHook(b *testing.B) {
	c := newTestCPU(b, benchLoop)
	var n uint64
	c.OnInstruction = func(*CPU) bool { n++; return false }
	const chunk = 1_000_000
	c.Run(chunk)
	m := startMeter(b)
	for range b.N {
		c.Run(chunk)
	}
	m.report(b, uint64(b.N)*chunk)
}
