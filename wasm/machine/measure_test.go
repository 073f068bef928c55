package machine

import (
	"os"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// TestMeasureMIPS runs bench_sieve the way the worker does, for a few
// seconds, without breakpoints (kernel.RunFor slices at full speed) and
// with one that is never reached (the CPU's per-instruction hook on, as
// every slice was before RunFor). Set TRAPDOOR_MEASURE=1; run it natively
// and under Node to compare:
//
//	GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run MeasureMIPS -v ./wasm/machine
func TestMeasureMIPS(t *testing.T) {
	if os.Getenv("TRAPDOOR_MEASURE") == "" {
		t.Skip("set TRAPDOOR_MEASURE=1 to measure")
	}
	elf := program(t, "musl", "bench_sieve")
	for _, c := range []struct {
		name   string
		breaks []string
	}{{"RunFor slices", nil}, {"per-instruction hook", []string{"0x1000"}}} {
		s := session.New(Start, nil, "")
		s.Handle(protocol.Request{Type: protocol.Breakpoints, Breaks: c.breaks})
		s.Handle(protocol.Request{Type: protocol.Load, Name: "bench_sieve", Data: elf})
		s.Handle(protocol.Request{Type: protocol.Run})
		var e protocol.Event
		for start := time.Now(); time.Since(start) < 4*time.Second && s.Active(); {
			e = s.Slice()
		}
		t.Logf("MEASURE bench_sieve, %s: %.1f MIPS (%d instructions)", c.name, e.MIPS, e.Instructions)
	}
}
