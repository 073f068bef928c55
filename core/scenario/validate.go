package scenario

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The words a scenario may use, as data.
var (
	profiles     = []string{"", "default", "linux-4.15"}
	msgboxModes  = []string{"", "keep", "truncate"}
	clocks       = []string{"", "virtual", "wall"}
	panels       = []string{"", "console", "trace", "log", "registers", "code", "stack"}
	traceOrders  = []string{"", "sequence", "exact", "each"}
	logLevelName = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// validate checks what JSON decoding cannot: one source per file, names
// that refer to something, patterns that compile.
// Bounds on a scenario's size, so a hostile link cannot make the page
// run for ever before the first instruction.
const (
	maxFiles  = 256
	maxSteps  = 256
	maxChecks = 1000
)

func (sc *Scenario) validate() error {
	if len(sc.Files) > maxFiles || len(sc.Modules) > maxFiles || len(sc.Steps) > maxSteps || len(sc.Checks) > maxChecks {
		return fmt.Errorf("at most %d files, %d modules, %d steps and %d checks", maxFiles, maxFiles, maxSteps, maxChecks)
	}
	if sc.Format != Version && versions[sc.Format] == nil {
		return fmt.Errorf("unknown format version %d", sc.Format)
	}
	if err := sc.Machine.validate(); err != nil {
		return err
	}
	files := map[string]bool{}
	slots := map[string]bool{}
	for i := range sc.Files {
		f := &sc.Files[i]
		where := fmt.Sprintf("files[%d]", i)
		if f.Path != "" {
			where += " (" + f.Path + ")"
		}
		if err := f.validate(); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if files[f.Path] {
			return fmt.Errorf("%s: the path is given twice", where)
		}
		files[f.Path] = true
		if f.Slot != "" {
			if slots[f.Slot] {
				return fmt.Errorf("%s: slot %q is used twice", where, f.Slot)
			}
			slots[f.Slot] = true
		}
	}
	modules := map[string]bool{}
	for i := range sc.Modules {
		m := &sc.Modules[i]
		where := fmt.Sprintf("modules[%d]", i)
		if !namePattern.MatchString(m.Name) {
			return fmt.Errorf("%s: name %q: use letters, digits, '_', '-' and '.'", where, m.Name)
		}
		where += " (" + m.Name + ")"
		if modules[m.Name] {
			return fmt.Errorf("%s: the name is given twice", where)
		}
		modules[m.Name] = true
		f := m.asFile()
		if m.Vector == "" && m.Slot == "" && m.Base64 == "" {
			return fmt.Errorf("%s: give vector, slot or base64", where)
		}
		if err := f.validateSource(); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if m.Slot != "" {
			if slots[m.Slot] {
				return fmt.Errorf("%s: slot %q is used twice", where, m.Slot)
			}
			slots[m.Slot] = true
		}
	}
	if len(sc.Steps) == 0 {
		return fmt.Errorf("steps: a scenario needs at least one step")
	}
	steps := map[string]bool{}
	waits := map[string]bool{}
	for i := range sc.Steps {
		s := &sc.Steps[i]
		where := fmt.Sprintf("steps[%d]", i)
		if s.Wait && s.ID != "" {
			waits[s.ID] = true
		}
		if s.ID != "" {
			where += " (" + s.ID + ")"
			if !namePattern.MatchString(s.ID) {
				return fmt.Errorf("%s: id %q: use letters, digits, '_', '-' and '.'", where, s.ID)
			}
			if steps[s.ID] {
				return fmt.Errorf("%s: id %q is used twice", where, s.ID)
			}
			steps[s.ID] = true
		}
		if err := s.validate(files); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
	}
	if v := sc.View; v != nil {
		if !slices.Contains(panels, v.Panel) {
			return fmt.Errorf("view: unknown panel %q (one of %s)", v.Panel, strings.Join(panels[1:], ", "))
		}
		if v.Step != "" && (!steps[v.Step] || waits[v.Step]) {
			return fmt.Errorf("view: step %q is not defined or is a wait%s", v.Step, stepList(sc))
		}
		if s := v.StopAt; s != "" && s != "start" && s != "end" && !strings.HasPrefix(s, "syscall:") && !namePattern.MatchString(s) {
			return fmt.Errorf("view: stop_at %q: want start, end, syscall:NAME or a symbol", s)
		}
		for _, b := range v.Breakpoints {
			if b == "" {
				return fmt.Errorf("view: an empty breakpoint")
			}
		}
	}
	ids := map[string]bool{}
	for i := range sc.Checks {
		c := &sc.Checks[i]
		where := fmt.Sprintf("checks[%d]", i)
		if c.ID != "" {
			where += " (" + c.ID + ")"
			if ids[c.ID] {
				return fmt.Errorf("%s: id %q is used twice", where, c.ID)
			}
			ids[c.ID] = true
		}
		if c.Step != "" && !steps[c.Step] {
			return fmt.Errorf("%s: step %q is not defined%s", where, c.Step, stepList(sc))
		}
		if waits[c.Step] {
			return fmt.Errorf("%s: step %q is a wait: it runs no command to check", where, c.Step)
		}
		if err := c.validate(); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
	}
	return nil
}

func stepList(sc *Scenario) string {
	var ids []string
	for _, s := range sc.Steps {
		if s.ID != "" {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return " (no step has an id)"
	}
	return " (steps: " + strings.Join(ids, ", ") + ")"
}

func oneOf(what, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("unknown %s %q (one of %s)", what, v, strings.Join(allowed[1:], ", "))
}

func (m *Machine) validate() error {
	if err := oneOf("profile", m.Profile, profiles); err != nil {
		return fmt.Errorf("machine: %v", err)
	}
	if err := oneOf("msgbox policy", m.Msgbox, msgboxModes); err != nil {
		return fmt.Errorf("machine: %v", err)
	}
	if err := oneOf("clock", m.Clock, clocks); err != nil {
		return fmt.Errorf("machine: %v", err)
	}
	if m.Memory < 0 || m.MaxProcs < 0 {
		return fmt.Errorf("machine: memory and max_procs cannot be negative")
	}
	if m.Memory > 0 && m.Memory < 1<<20 {
		return fmt.Errorf("machine: memory %d is less than the 1 MiB a process needs", m.Memory)
	}
	if m.Memory > 1<<30 {
		return fmt.Errorf("machine: memory %d is more than the 1 GiB a scenario may ask for", m.Memory)
	}
	return nil
}

func (f *File) validate() error {
	if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
		return fmt.Errorf("path %q must be an absolute, clean file path", f.Path)
	}
	if strings.HasPrefix(f.Path, "/proc/") || strings.HasPrefix(f.Path, "/dev/") {
		return fmt.Errorf("/proc and /dev belong to the kernel")
	}
	if f.Mode > 07777 {
		return fmt.Errorf("mode %o: permission bits only", f.Mode)
	}
	return f.validateSource()
}

// validateSource checks where a file's (or module's) contents come from.
func (f *File) validateSource() error {
	sources := 0
	for _, set := range []bool{f.Vector != "", f.Slot != "", f.Text != nil, f.Base64 != "" && f.Slot == ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return fmt.Errorf("give exactly one of vector, slot, text and base64")
	}
	for _, v := range []string{f.Vector, f.Default} {
		if v != "" && (path.IsAbs(v) || path.Clean(v) != v || strings.HasPrefix(v, "..")) {
			return fmt.Errorf("test vector %q: name it by its path under testvectors/bin, e.g. musl/hello", v)
		}
	}
	if f.Default != "" && f.Slot == "" {
		return fmt.Errorf("default is for slots (the program used when none is supplied)")
	}
	if f.Slot != "" && !namePattern.MatchString(f.Slot) {
		return fmt.Errorf("slot %q: use letters, digits, '_', '-' and '.'", f.Slot)
	}
	if f.SHA256 != "" {
		if b, err := hex.DecodeString(f.SHA256); err != nil || len(b) != 32 || strings.ToLower(f.SHA256) != f.SHA256 {
			return fmt.Errorf("sha256 %q: want 64 lower-case hex digits", f.SHA256)
		}
	}
	if f.Base64 != "" {
		if _, err := base64.StdEncoding.DecodeString(f.Base64); err != nil {
			return fmt.Errorf("base64: %v", err)
		}
	}
	return nil
}

// guestPath is where a step's program is: a bare name is looked up in
// /bin as a shell would with PATH=/bin.
func (s *Step) guestPath() string {
	if strings.HasPrefix(s.Run, "/") {
		return path.Clean(s.Run)
	}
	return "/bin/" + s.Run
}

func (s *Step) validate(files map[string]bool) error {
	if s.Wait {
		if s.Run != "" || s.Background || len(s.Args) > 0 || s.Stdin != "" || len(s.Env) > 0 || s.Argv0 != "" {
			return fmt.Errorf("a wait step has nothing else")
		}
		return nil
	}
	if s.Run == "" {
		return fmt.Errorf("give run (the program) or wait")
	}
	if !strings.HasPrefix(s.Run, "/") && strings.Contains(s.Run, "/") {
		return fmt.Errorf("run %q: a guest path starts with /; a bare name is looked up in /bin", s.Run)
	}
	if !files[s.guestPath()] {
		return fmt.Errorf("run %q: no file in files provides %s (missing program)", s.Run, s.guestPath())
	}
	for _, e := range s.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return fmt.Errorf("env %q: want NAME=VALUE", e)
		}
	}
	return nil
}

func (c *Check) validate() error {
	kinds := 0
	for _, set := range []bool{c.Exit != nil, c.Stdout != nil, c.Stderr != nil, c.Trace != nil, c.Log != nil, c.State != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return fmt.Errorf("a check names exactly one of exit, stdout, stderr, trace, log and state (this one names %d)", kinds)
	}
	if c.Points != nil && (*c.Points < 0 || *c.Points > 1000) {
		return fmt.Errorf("points %d: between 0 and 1000", *c.Points)
	}
	switch {
	case c.Exit != nil:
		if c.Step == "" {
			return fmt.Errorf("exit: name the step whose exit is checked")
		}
		if (c.Exit.Status == nil) == (c.Exit.Signal == "") {
			return fmt.Errorf("exit: give status or signal")
		}
		if c.Exit.Signal != "" && signalNumber(c.Exit.Signal) == 0 {
			return fmt.Errorf("exit: unknown signal %q", c.Exit.Signal)
		}
	case c.Stdout != nil:
		return c.Stdout.validate("stdout")
	case c.Stderr != nil:
		return c.Stderr.validate("stderr")
	case c.Trace != nil:
		return c.Trace.validate(c.Step)
	case c.Log != nil:
		if c.Step != "" {
			return fmt.Errorf("log: the kernel log belongs to the whole machine; drop step")
		}
		return c.Log.validate()
	case c.State != nil:
		return c.State.validate(c.Step)
	}
	return nil
}

func (t *TextCheck) validate(what string) error {
	if t.Equals == nil && len(t.Contains) == 0 && len(t.NotContains) == 0 && t.Regex == "" {
		return fmt.Errorf("%s: give equals, contains, not_contains or regex", what)
	}
	if t.Regex != "" {
		if _, err := regexp.Compile(t.Regex); err != nil {
			return fmt.Errorf("%s: bad regex: %v", what, err)
		}
	}
	return nil
}

func (t *TraceCheck) validate(step string) error {
	if len(t.Calls) == 0 {
		return fmt.Errorf("trace: calls is empty")
	}
	if err := oneOf("trace order", t.Order, traceOrders); err != nil {
		return fmt.Errorf("trace: %v", err)
	}
	if err := oneOf("trace process", t.Process, []string{"", "all", "main"}); err != nil {
		return fmt.Errorf("trace: %v", err)
	}
	if t.Process == "main" && step == "" {
		return fmt.Errorf("trace: process \"main\" is a step's process: give step")
	}
	for i := range t.Calls {
		if err := t.Calls[i].validate(); err != nil {
			return fmt.Errorf("trace: calls[%d]: %v", i, err)
		}
		if t.Calls[i].Count != nil && t.Order != "each" {
			return fmt.Errorf("trace: calls[%d]: count needs order \"each\"", i)
		}
	}
	return nil
}

func (p *CallPattern) validate() error {
	if len(p.Or) > 0 {
		if p.Name != "" || p.Signal != "" || p.Nr != nil || len(p.Args) > 0 || p.Ret != nil || len(p.SigInfo) > 0 {
			return fmt.Errorf("or: give the alternatives only (name, args and ret go inside each)")
		}
		for i, alt := range p.Or {
			if alt == nil || alt.Count != nil {
				return fmt.Errorf("or[%d]: a call or signal pattern without count", i)
			}
			if err := alt.validate(); err != nil {
				return fmt.Errorf("or[%d]: %v", i, err)
			}
		}
		return nil
	}
	if (p.Name == "") == (p.Signal == "") {
		return fmt.Errorf("give name (a system call) or signal")
	}
	if p.Signal != "" {
		if signalNumber(p.Signal) == 0 {
			return fmt.Errorf("unknown signal %q", p.Signal)
		}
		if len(p.Args) > 0 || p.Ret != nil || p.Nr != nil {
			return fmt.Errorf("a signal has siginfo, not nr, args or ret")
		}
	} else if len(p.SigInfo) > 0 {
		return fmt.Errorf("siginfo is for signals")
	}
	for _, n := range strings.Split(p.Name+p.Signal, "|") {
		if !namePattern.MatchString(n) {
			return fmt.Errorf("name %q: a system call name, or names joined by '|'", p.Name)
		}
	}
	return nil
}

func (l *LogCheck) validate() error {
	if l.Contains == "" && l.Regex == "" {
		return fmt.Errorf("log: give contains or regex")
	}
	if l.Level != "" && !slices.Contains(logLevelName, l.Level) {
		return fmt.Errorf("log: unknown level %q (one of %s)", l.Level, strings.Join(logLevelName, ", "))
	}
	if l.Regex != "" {
		if _, err := regexp.Compile(l.Regex); err != nil {
			return fmt.Errorf("log: bad regex: %v", err)
		}
	}
	return nil
}

func (s *StateCheck) validate(step string) error {
	v, ok := stateValues[s.Value]
	if !ok {
		return fmt.Errorf("state: unknown value %q (one of %s)", s.Value, strings.Join(stateValueNames(), ", "))
	}
	if s.Expect == nil {
		return fmt.Errorf("state: give expect")
	}
	if v.needsName != (s.Name != "") {
		if v.needsName {
			return fmt.Errorf("state: %s needs name (the process name it is about)", s.Value)
		}
		return fmt.Errorf("state: %s takes no name", s.Value)
	}
	if v.perProcess && step == "" {
		return fmt.Errorf("state: %s is about a step's process: give step", s.Value)
	}
	if err := oneOf("state process", s.Process, []string{"", "all", "main"}); err != nil {
		return fmt.Errorf("state: %v", err)
	}
	if s.Process == "main" && (step == "" || s.At == nil) {
		return fmt.Errorf("state: process \"main\" limits at to a step's process: give step and at")
	}
	if s.At != nil {
		if err := s.At.validate(); err != nil {
			return fmt.Errorf("state: at: %v", err)
		}
	}
	return nil
}
