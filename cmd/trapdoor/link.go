package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"trapdoor/core/scenario"
)

// defaultBase is the page links open when no --base is given: the site
// `make serve` runs.
const defaultBase = "http://localhost:8080/"

func linkUsage() {
	fmt.Fprint(os.Stderr, `usage: trapdoor link [flags] SCENARIO
       trapdoor link --decode LINK

Prints a shareable link that opens the scenario in the page: the scenario
travels in the URL's fragment, compressed. A program given with --program
rides inside the link when it is at most 64 KiB; a larger one is named by
its hash, and whoever opens the link is asked for the file. --module adds
a kernel module (an i386 .o) to the scenario, as the page's workshop does:
loaded after the scenario's own modules, or in place of the one of its
name (the file's name without .o, or NAME=PATH); it rides in the link
likewise. --decode prints the scenario a link holds.

flags:
`)
}

func link(args []string) int {
	fl := flag.NewFlagSet("link", flag.ContinueOnError)
	fl.Usage = func() { linkUsage(); fl.PrintDefaults() }
	base := fl.String("base", defaultBase, "URL of the Trapdoor page the link opens")
	decode := fl.Bool("decode", false, "print the scenario inside LINK instead")
	programs := programFlags{}
	fl.Var(programs, "program", "put the program at PATH into slot SLOT: SLOT=PATH (repeatable)")
	var modules moduleFlags
	fl.Var(&modules, "module", "add the kernel module at PATH.o, named for the file or NAME=PATH.o (repeatable, loaded in order)")
	operand, status, ok := oneOperand(fl, args)
	if !ok {
		return status
	}
	if *decode {
		sc, err := scenario.DecodeLink(operand)
		if err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
			return exitUsage
		}
		os.Stdout.Write(scenario.Marshal(sc))
		return 0
	}
	sc, _, err := loadScenario(operand)
	if err != nil {
		fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
		return exitUsage
	}
	slots := make([]string, 0, len(programs))
	for slot := range programs {
		slots = append(slots, slot)
	}
	sort.Strings(slots)
	for _, slot := range slots {
		data, err := os.ReadFile(programs[slot])
		if err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
			return exitUsage
		}
		embedded, err := scenario.EmbedProgram(sc, slot, data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: --program %v\n", err)
			return exitUsage
		}
		if !embedded {
			fmt.Fprintf(os.Stderr, "trapdoor: %s is %d bytes, more than %d: the link names it by sha256 and asks for the file\n",
				programs[slot], len(data), scenario.MaxEmbedBytes)
		}
	}
	for _, m := range modules {
		data, err := os.ReadFile(m.path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
			return exitUsage
		}
		embedded, err := scenario.AddModule(sc, m.name, data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "trapdoor: --module %v\n", err)
			return exitUsage
		}
		if !embedded {
			fmt.Fprintf(os.Stderr, "trapdoor: %s is %d bytes, more than %d: the link names it by sha256 and asks for the file\n",
				m.path, len(data), scenario.MaxEmbedBytes)
		}
	}
	fmt.Println(scenario.EncodeLink(*base, sc))
	return 0
}

// moduleFlags are the --module options in the order given: the kernel
// loads modules in order.
type moduleFlags []moduleFlag

type moduleFlag struct{ name, path string }

func (m *moduleFlags) String() string { return "" }
func (m *moduleFlags) Set(v string) error {
	name, path, named := strings.Cut(v, "=")
	if !named {
		path = v
		name = strings.TrimSuffix(filepath.Base(v), ".o")
	}
	if name == "" || path == "" {
		return fmt.Errorf("want PATH.o or NAME=PATH.o, got %q", v)
	}
	*m = append(*m, moduleFlag{name: name, path: path})
	return nil
}
