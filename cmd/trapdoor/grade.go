package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"trapdoor/core/scenario"
)

// Exit statuses of grade (besides exitUsage).
const (
	gradePassed = 0
	gradeFailed = 1
)

func gradeUsage() {
	fmt.Fprint(os.Stderr, `usage: trapdoor grade [flags] SCENARIO

Runs the scenario (a JSON file, or a link made by trapdoor link) and prints
its report as JSON. Exit status: 0 when every check passed, 1 when one
failed or the scenario could not run, 2 for a bad scenario or bad usage.

flags:
`)
}

// programFlags collects --program SLOT=PATH.
type programFlags map[string]string

func (p programFlags) String() string { return "" }
func (p programFlags) Set(v string) error {
	slot, file, ok := strings.Cut(v, "=")
	if !ok || slot == "" || file == "" {
		return fmt.Errorf("want SLOT=PATH, got %q", v)
	}
	if _, dup := p[slot]; dup {
		return fmt.Errorf("slot %s given twice", slot)
	}
	p[slot] = file
	return nil
}

func grade(args []string) int {
	fl := flag.NewFlagSet("grade", flag.ContinueOnError)
	fl.Usage = func() { gradeUsage(); fl.PrintDefaults() }
	programs := programFlags{}
	fl.Var(programs, "program", "fill the scenario's slot SLOT with the program at PATH: SLOT=PATH (repeatable)")
	summary := fl.Bool("summary", false, "also print a line per check to stderr (PASS/FAIL, points, why)")
	vectors := fl.String("vectors", "", "directory of the test vectors (default: testvectors/bin beside the scenario's directory, or above the current directory)")
	operand, status, ok := oneOperand(fl, args)
	if !ok {
		return status
	}
	sc, where, err := loadScenario(operand)
	if err != nil {
		fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
		return exitUsage
	}
	if err := checkSlots(sc, programs); err != nil {
		fmt.Fprintf(os.Stderr, "trapdoor: %v\n", err)
		return exitUsage
	}
	res := &hostResolver{dir: *vectors, programs: programs}
	if res.dir == "" {
		res.dir = findVectors(where)
	}
	rep := scenario.Run(sc, res)
	os.Stdout.Write(rep.Marshal())
	if rep.Error != "" {
		fmt.Fprintf(os.Stderr, "trapdoor: %s\n", rep.Error)
	}
	if *summary {
		writeSummary(os.Stderr, rep)
	}
	if !rep.Passed {
		return gradeFailed
	}
	return gradePassed
}

// writeSummary prints the report for people: a line per check, the
// reason under a failed one, the total.
func writeSummary(w io.Writer, rep *scenario.Report) {
	for _, c := range rep.Checks {
		verdict := "PASS"
		if !c.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s %d/%d %s", verdict, c.Points, c.MaxPoints, c.ID)
		if c.Message != "" {
			fmt.Fprintf(w, ": %s", c.Message)
		}
		fmt.Fprintln(w)
		if c.Passed {
			continue
		}
		for _, why := range []string{c.Error, c.Detail, gotLine(c)} {
			if why != "" {
				fmt.Fprintf(w, "     %s\n", strings.ReplaceAll(why, "\n", "\n     "))
			}
		}
		for _, n := range c.Nearest {
			fmt.Fprintf(w, "     nearest: %s\n", n)
		}
	}
	fmt.Fprintf(w, "%d/%d points, %s\n", rep.Points, rep.MaxPoints, map[bool]string{true: "passed", false: "failed"}[rep.Passed])
}

func gotLine(c scenario.CheckResult) string {
	if c.Got == "" {
		return ""
	}
	return "expected " + c.Expected + ", got " + c.Got
}

// parseInterspersed parses flags wherever they are, before or after the
// positional arguments (trapdoor grade SCENARIO --program x=y), and
// returns the positional ones.
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		args = fl.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// oneOperand parses a subcommand's flags around its one positional
// argument; when ok is false the command ends with status (0 after -h,
// a usage error otherwise).
func oneOperand(fl *flag.FlagSet, args []string) (operand string, status int, ok bool) {
	pos, err := parseInterspersed(fl, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", 0, false
		}
		return "", exitUsage, false
	}
	if len(pos) != 1 {
		fl.Usage()
		return "", exitUsage, false
	}
	return pos[0], 0, true
}

// loadScenario reads a scenario file, or decodes a link given instead,
// and returns the directory the scenario came from ("" for a link).
func loadScenario(arg string) (*scenario.Scenario, string, error) {
	if strings.Contains(arg, "#") || strings.HasPrefix(arg, scenario.LinkVersion+"=") {
		if _, err := os.Stat(arg); err != nil {
			sc, err := scenario.DecodeLink(arg)
			return sc, "", err
		}
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, "", err
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", arg, err)
	}
	return sc, filepath.Dir(arg), nil
}

// checkSlots refuses --program for a slot the scenario does not have.
func checkSlots(sc *scenario.Scenario, programs programFlags) error {
	have := map[string]bool{}
	var names []string
	for _, s := range sc.Slots() {
		have[s.Name] = true
		names = append(names, s.Name)
	}
	for slot := range programs {
		if !have[slot] {
			if len(names) == 0 {
				return fmt.Errorf("--program %s: the scenario has no slots", slot)
			}
			return fmt.Errorf("--program %s: no such slot (the scenario has %s)", slot, strings.Join(names, ", "))
		}
	}
	return nil
}

// findVectors guesses the test vector directory: ../bin beside a
// scenario in testvectors/scenarios, else testvectors/bin in the current
// directory or one above it.
func findVectors(scenarioDir string) string {
	var candidates []string
	if scenarioDir != "" {
		candidates = append(candidates, filepath.Join(scenarioDir, "..", "bin"))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			candidates = append(candidates, filepath.Join(dir, "testvectors", "bin"))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	return ""
}

// hostResolver reads vectors and slot programs from the host.
type hostResolver struct {
	dir      string
	programs programFlags
}

func (h *hostResolver) Vector(name string) ([]byte, error) {
	if h.dir == "" {
		return nil, fmt.Errorf("test vector %s: no testvectors/bin found (give --vectors DIR)", name)
	}
	// Kernel modules live beside bin, in testvectors/modules.
	p := filepath.Join(h.dir, filepath.FromSlash(name))
	if strings.HasPrefix(name, "modules/") {
		p = filepath.Join(h.dir, "..", filepath.FromSlash(name))
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unknown test vector %q (no %s)", name, p)
	}
	return b, err
}

func (h *hostResolver) Program(slot string) ([]byte, bool, error) {
	p, ok := h.programs[slot]
	if !ok {
		return nil, false, nil
	}
	b, err := os.ReadFile(p)
	return b, true, err
}
