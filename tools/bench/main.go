// Command bench runs the CPU-bound benchmark programs natively, under
// qemu-i386 and under Trapdoor in one go, and prints MIPS and time ratios.
//
// Trapdoor reports the number of guest instructions it retired; the same
// count is used for the native and qemu MIPS figures, since all three run
// the same binary.
//
// Wall time is what the target is about, but on a shared, loaded machine
// it mostly measures the other load; the CPU time (user+system) of each
// process is printed too, with the trap/qemu ratio by CPU time, which
// stays steady under load.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	trapdoor := flag.String("trapdoor", "bin/trapdoor", "the trapdoor binary")
	pattern := flag.String("programs", "testvectors/bin/glibc/bench_*", "benchmark programs (glob)")
	runs := flag.Int("runs", 3, "runs per program and runner; the fastest counts")
	interp := flag.Bool("interp", true, "also run Trapdoor once with --jit=false (the interpreter alone, as in the browser)")
	flag.Parse()

	progs, _ := filepath.Glob(*pattern)
	sort.Strings(progs)
	if len(progs) == 0 {
		fatalf("no programs match %s (make vectors builds them)", *pattern)
	}
	qemu, err := exec.LookPath("qemu-i386")
	if err != nil {
		fmt.Fprintln(os.Stderr, "qemu-i386 not found (apt-get install qemu-user): its column stays empty")
	}

	fmt.Printf("%-14s %12s %9s %9s %9s %9s %9s %10s %10s %9s %9s %10s %11s\n",
		"program", "instructions", "native_s", "qemu_s", "trap_s", "nat_MIPS", "trap_MIPS", "trap/qemu", "trap/nat",
		"qemu_cpu", "trap_cpu", "cpu_ratio", "interp_MIPS")
	for _, p := range progs {
		want, native, _ := best(*runs, p)
		var qemuSec, qemuCPU float64
		if qemu != "" {
			out, s, cpu := best(*runs, qemu, p)
			if !bytes.Equal(out, want) {
				fatalf("%s: qemu-i386 output differs from native", p)
			}
			qemuSec, qemuCPU = s, cpu
		}
		var instr, trapSec, trapCPU float64
		for i := 0; i < *runs; i++ {
			out, stats := runTrapdoor(*trapdoor, p, "--jit=true")
			if !bytes.Equal(out, want) {
				fatalf("%s: trapdoor output differs from native:\n%s", p, out)
			}
			if trapSec == 0 || stats.seconds < trapSec {
				instr, trapSec = stats.instructions, stats.seconds
			}
			if trapCPU == 0 || stats.cpu < trapCPU {
				trapCPU = stats.cpu
			}
		}
		ratioQ := "-"
		if qemuSec > 0 {
			ratioQ = fmt.Sprintf("%.2fx", trapSec/qemuSec)
		}
		ratioCPU := "-"
		if qemuCPU > 0 {
			ratioCPU = fmt.Sprintf("%.2fx", trapCPU/qemuCPU)
		}
		interpMIPS := "-"
		if *interp {
			out, st := runTrapdoor(*trapdoor, p, "--jit=false")
			if !bytes.Equal(out, want) {
				fatalf("%s: trapdoor --jit=false output differs from native:\n%s", p, out)
			}
			interpMIPS = fmt.Sprintf("%.0f", st.instructions/st.seconds/1e6)
		}
		fmt.Printf("%-14s %12.0f %9.3f %9.3f %9.3f %9.0f %9.0f %10s %9.1fx %9.3f %9.3f %10s %11s\n",
			filepath.Base(p), instr, native, qemuSec, trapSec, instr/native/1e6, instr/trapSec/1e6, ratioQ, trapSec/native,
			qemuCPU, trapCPU, ratioCPU, interpMIPS)
	}
}

// best runs a command n times and returns its stdout, its fastest wall
// time and its smallest CPU time.
func best(n int, name string, args ...string) ([]byte, float64, float64) {
	var out []byte
	fastest, leastCPU := 0.0, 0.0
	for i := 0; i < n; i++ {
		cmd := exec.Command(name, args...)
		var buf bytes.Buffer
		cmd.Stdout = &buf
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fatalf("%s %v: %v", name, args, err)
		}
		s := time.Since(start).Seconds()
		if fastest == 0 || s < fastest {
			fastest = s
		}
		if cpu := cpuSeconds(cmd); leastCPU == 0 || cpu < leastCPU {
			leastCPU = cpu
		}
		out = buf.Bytes()
	}
	return out, fastest, leastCPU
}

// cpuSeconds is the user and system time a finished command used.
func cpuSeconds(cmd *exec.Cmd) float64 {
	return (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

type stats struct{ instructions, seconds, cpu float64 }

var statsLine = regexp.MustCompile(`instructions=(\d+) seconds=([0-9.]+) mips=`)

func runTrapdoor(trapdoor, prog, mode string) ([]byte, stats) {
	cmd := exec.Command(trapdoor, "run", "--stats", mode, prog)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	if err != nil {
		fatalf("trapdoor run %s: %v\n%s", prog, err, stderr.String())
	}
	m := statsLine.FindStringSubmatch(stderr.String())
	if m == nil {
		fatalf("trapdoor run --stats %s printed no stats line:\n%s", prog, stderr.String())
	}
	instr, _ := strconv.ParseFloat(m[1], 64)
	// Wall time of the whole process, start-up included, as for the others.
	return stdout.Bytes(), stats{instr, wall, cpuSeconds(cmd)}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+strings.TrimSuffix(format, "\n")+"\n", args...)
	os.Exit(1)
}
