// Command trapdoor runs static i386 Linux programs in the emulator.
//
//	trapdoor run [flags] PROGRAM [ARGS...]
//	trapdoor session [flags] FILE
//
// PROGRAM is a host file; it is copied into the guest's in-memory file
// system as /bin/NAME and run there with ARGS. The guest's standard
// streams are the host's; everything else it sees is the guest file
// system. The exit status is the guest's (128+N when a signal N killed
// it); 127 means the program could not be started, 125 an emulator
// failure, 2 a usage error.
//
// A session runs several programs in sequence on one machine (one file
// system, so files a program leaves in /tmp are there for the next; pids
// keep counting). FILE has one command per line, PROGRAM ARGS... split on
// blanks; empty lines and lines starting with # are skipped. PROGRAM is a
// host file (installed as /bin/NAME) or, when no such host file exists, a
// path in the guest. Each command runs to completion before the next
// starts; the session's exit status is the last command's.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"trapdoor/core/cpu"
	"trapdoor/core/kernel"
	"trapdoor/core/trace"
)

const (
	exitUsage    = 2
	exitInternal = 125
	exitNoStart  = 127
)

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: trapdoor run [flags] PROGRAM [ARGS...]
       trapdoor session [flags] FILE
       trapdoor grade [--program SLOT=PATH] SCENARIO   (trapdoor grade -h)
       trapdoor link [--base URL] SCENARIO             (trapdoor link -h)

Runs the static i386 Linux program PROGRAM (a host file, installed in the
guest file system as /bin/NAME) with ARGS. Exit status: the program's own,
128+N when killed by signal N, 127 when it cannot be started (not a static
i386 ELF file, unreadable), 125 on an emulator failure, 2 on bad usage.

session runs the commands in FILE (one "PROGRAM ARGS..." per line, # for
comments) one after another on the same machine; its status is the last
command's.

flags:
`)
}

type envList []string

func (e *envList) String() string     { return strings.Join(*e, ",") }
func (e *envList) Set(v string) error { *e = append(*e, v); return nil }

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "grade": // grade.go
			os.Exit(grade(os.Args[2:]))
		case "link": // link.go
			os.Exit(link(os.Args[2:]))
		}
	}
	if len(os.Args) < 2 || os.Args[1] != "run" && os.Args[1] != "session" {
		usage(os.Stderr)
		os.Exit(exitUsage)
	}
	os.Exit(run(os.Args[2:], os.Args[1] == "session"))
}

// command is one program to run: a host file or a guest path, and its
// arguments.
type command struct {
	prog string
	args []string
}

// readSession parses a session file.
func readSession(path string) ([]command, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cmds []command
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		cmds = append(cmds, command{prog: f[0], args: f[1:]})
	}
	return cmds, nil
}

func run(args []string, session bool) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.Usage = func() { usage(os.Stderr); fl.PrintDefaults() }
	strace := fl.Bool("strace", false, "write a strace-style trace of every system call to stderr")
	stats := fl.Bool("stats", false, "end stderr with instructions=N seconds=S mips=M")
	maxInst := fl.Uint64("max-instructions", 0, "kill the program (SIGKILL) after N instructions; 0 means no limit")
	memory := fl.Int("memory", kernel.DefaultMemory, "physical memory of the machine in bytes")
	seed := fl.Uint64("seed", 0, "seed for AT_RANDOM, getrandom and other randomness")
	wall := fl.Bool("wall-clock", false, "use the host's clock instead of virtual time")
	dmesg := fl.Bool("dmesg", false, "print the kernel log to stderr at the end")
	argv0 := fl.String("argv0", "", "argv[0] for the program (default /bin/NAME)")
	cpuprofile := fl.String("cpuprofile", "", "write a Go CPU profile of the emulator to this file")
	profile := fl.String("profile", kernel.ProfileDefault, "kernel profile: the system call table ("+strings.Join(kernel.Profiles(), ", ")+")")
	msgbox := fl.String("msgbox", string(kernel.MsgboxKeep), "msgbox_get policy: keep (2019: a message that does not fit stays) or truncate (2023)")
	var env envList
	fl.Var(&env, "env", "add NAME=VALUE to the guest environment (repeatable)")
	var modules envList
	fl.Var(&modules, "module", "load a kernel module (an i386 relocatable .o) before the program (repeatable)")
	faultSleeps := fl.Bool("fault-sleeps", false, "kernel-mode page faults in modules may sleep, as a swap-in would")
	jit := fl.Bool("jit", true, "compile hot code to host code (linux/amd64); --jit=false interprets every instruction")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	cpu.UseJIT = *jit
	if fl.NArg() < 1 {
		fl.Usage()
		return exitUsage
	}
	if err := kernel.CheckProfile(*profile); err != nil {
		fmt.Fprintf(os.Stderr, "trapdoor: --profile: %v\n", err)
		return exitUsage
	}
	policy, perr := kernel.ParseMsgboxPolicy(*msgbox)
	if perr != nil {
		fmt.Fprintf(os.Stderr, "trapdoor: --msgbox: %v\n", perr)
		return exitUsage
	}
	var cmds []command
	if session {
		var err error
		if cmds, err = readSession(fl.Arg(0)); err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
			return exitUsage
		}
	} else {
		cmds = []command{{prog: fl.Arg(0), args: fl.Args()[1:]}}
	}

	cfg := kernel.Config{
		MemoryBytes:     *memory,
		MaxInstructions: *maxInst,
		Seed:            *seed,
		WallClock:       *wall,
		Profile:         *profile,
		Msgbox:          policy,
		Stdin:           kernel.Stdio{R: os.Stdin, Kind: stdioKind(os.Stdin)},
		Terminal:        true, // a terminal stdin gets the guest's line discipline
		LiveStdin:       true, // a pipe stdin is read as data comes
		Stdout:          kernel.Stdio{W: os.Stdout, Kind: stdioKind(os.Stdout)},
		Stderr:          kernel.Stdio{W: os.Stderr, Kind: stdioKind(os.Stderr)},
	}
	// msgs takes the emulator's own messages: on a raw host terminal
	// (below) they add their own carriage returns.
	msgs := io.Writer(os.Stderr)
	if cfg.Stdin.Kind == kernel.StdioTTY && cfg.Stderr.Kind == kernel.StdioTTY {
		msgs = crlfWriter{os.Stderr}
	}
	if rows, cols, ok := winsize(os.Stdout); ok {
		cfg.Rows, cfg.Cols = rows, cols
	}
	if *strace {
		cfg.Trace = &trace.Writer{W: msgs, Renderer: trace.DefaultRenderer}
	}
	k := kernel.New(cfg)
	if cfg.Stdin.Kind == kernel.StdioTTY {
		defer makeRaw(os.Stdin)() // the guest's terminal does the editing
	}
	if err := loadModules(k, modules, *faultSleeps); err != nil {
		fmt.Fprintf(msgs, "trapdoor: %v\n", err)
		return exitNoStart
	}
	envp := []string{"PATH=/bin:/usr/bin", "HOME=/home/user", "LANG=C"}
	if term := os.Getenv("TERM"); term != "" && cfg.Stdout.Kind == kernel.StdioTTY {
		envp = append(envp, "TERM="+term)
	}
	envp = append(envp, env...)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(msgs, "trapdoor: %v\n", err)
			return exitUsage
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var res kernel.Result
	var err error
	for _, c := range cmds {
		guest := c.prog
		if data, rerr := os.ReadFile(c.prog); rerr == nil {
			guest = "/bin/" + filepath.Base(c.prog)
			k.Install(guest, data)
		} else if !session || !strings.HasPrefix(c.prog, "/") {
			fmt.Fprintf(msgs, "trapdoor: %v\n", rerr)
			return exitNoStart
		}
		argv := append([]string{guest}, c.args...)
		if *argv0 != "" && !session {
			argv[0] = *argv0
		}
		if _, serr := k.Start(guest, argv, envp); serr != nil {
			fmt.Fprintf(msgs, "trapdoor: %s: %v\n", c.prog, errors.Unwrap(serr))
			return exitNoStart
		}
		if res, err = k.Run(); err != nil {
			break
		}
	}
	elapsed := time.Since(start)
	if *dmesg {
		for _, l := range k.Log.Lines {
			fmt.Fprintln(msgs, l)
		}
	}
	status := res.Status
	if err != nil {
		fmt.Fprintf(msgs, "trapdoor: %v\n", err)
		status = exitInternal
	}
	if *stats {
		n := k.Instructions()
		secs := elapsed.Seconds()
		mips := 0.0
		if secs > 0 {
			mips = float64(n) / secs / 1e6
		}
		fmt.Fprintf(msgs, "instructions=%d seconds=%.3f mips=%.1f\n", n, secs, mips)
	}
	return status
}

// stdioKind classifies a host stream so the guest sees the same kind of
// file a native run would.
func stdioKind(f *os.File) kernel.StdioKind {
	st, err := f.Stat()
	if err != nil {
		return kernel.StdioNull
	}
	m := st.Mode()
	switch {
	case m&os.ModeNamedPipe != 0 || m&os.ModeSocket != 0:
		return kernel.StdioPipe
	case m.IsRegular():
		return kernel.StdioFile
	case m&os.ModeCharDevice != 0 && isTerminal(f):
		return kernel.StdioTTY
	}
	return kernel.StdioNull
}
