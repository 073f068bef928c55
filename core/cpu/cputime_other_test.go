//go:build !linux

package cpu

import "time"

var processStart = time.Now()

// threadCPU falls back to wall time where thread CPU time is not at hand
// (js/wasm), so cpuMIPS equals MIPS there.
func threadCPU() time.Duration { return time.Since(processStart) }
