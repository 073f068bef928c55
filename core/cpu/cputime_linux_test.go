package cpu

import (
	"syscall"
	"time"
)

// threadCPU is the calling thread's CPU time (the benchmarks lock their
// goroutine to the thread).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
