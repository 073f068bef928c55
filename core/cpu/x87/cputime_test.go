//go:build linux

package x87

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPUTimePerOp prints the process CPU time per instruction, which a
// busy machine disturbs less than benchmark wall time
// (X87_CPUTIME=1 go test -run CPUTimePerOp -v).
func TestCPUTimePerOp(t *testing.T) {
	if os.Getenv("X87_CPUTIME") == "" {
		t.Skip()
	}
	var m fakeMachine
	m.FPUWrite64(memBase, 0x3FF0000000000001)
	for _, tc := range []struct {
		name string
		ins  []Insn
	}{
		{"fadd", []Insn{{Op: 0, ModRM: 0xC1}}},
		{"fmul", []Insn{{Op: 0, ModRM: 0xC9}}},
		{"fdiv", []Insn{{Op: 0, ModRM: 0xF1}}},
		{"fld+fstp m64", []Insn{{Op: 5, ModRM: 0x01, Addr: memBase}, {Op: 5, ModRM: 0x19, Addr: memBase + 8}}},
		{"fsqrt", []Insn{{Op: 1, ModRM: 0xFA}}},
		{"fsin", []Insn{{Op: 1, ModRM: 0xFE}}},
		{"f2xm1", []Insn{{Op: 1, ModRM: 0xF0}}},
		{"fyl2x+fld1", []Insn{{Op: 1, ModRM: 0xF1}, {Op: 1, ModRM: 0xE8}}},
		{"fpatan+fld1", []Insn{{Op: 1, ModRM: 0xF3}, {Op: 1, ModRM: 0xE8}}},
	} {
		var f FPU
		f.Reset()
		f.pushV(F80{Sig: 0x8000000000000001, SE: expBias})
		f.pushV(benchA)
		const n = 1000000
		t0 := cpuTime()
		for i := 0; i < n; i++ {
			for _, in := range tc.ins {
				f.Exec(&m, &in)
			}
		}
		fmt.Printf("%-14s %6.1f ns CPU\n", tc.name, float64(cpuTime()-t0)/n)
	}
}
