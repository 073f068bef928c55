package grader

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"trapdoor/core/scenario"
	"trapdoor/wasm/protocol"
)

// defaultEnv is what every step's command starts with (core/scenario's
// runner); the workbench is given it so a step runs there as graded.
var defaultEnv = []string{"PATH=/bin:/usr/bin", "HOME=/home/user", "LANG=C"}

// info flattens a scenario for the page.
func (g *Grader) info(sc *scenario.Scenario, programs map[string][]byte) *protocol.ScenarioInfo {
	in := &protocol.ScenarioInfo{ID: sc.ID, Title: sc.Title, Course: sc.Course,
		Description: sc.Description, Notes: sc.Notes, Machine: machineSettings(sc.Machine)}
	for _, f := range sc.Files {
		in.Files = append(in.Files, protocol.KeyValue{Key: f.Path, Value: fileSource(f.Vector, f.Slot, f.Default, f.Text, f.Base64) + pinned(f.SHA256)})
	}
	for _, m := range sc.Modules {
		in.Modules = append(in.Modules, protocol.KeyValue{Key: m.Name, Value: fileSource(m.Vector, m.Slot, m.Default, nil, m.Base64) + pinned(m.SHA256)})
	}
	for _, s := range sc.Steps {
		st := protocol.ScenarioStep{ID: s.ID, Command: "wait", Stdin: s.Stdin, Background: s.Background}
		if !s.Wait {
			st.Command = strings.Join(append([]string{argv0(s)}, s.Args...), " ")
		}
		in.Steps = append(in.Steps, st)
	}
	if v := sc.View; v != nil {
		in.View = &protocol.ScenarioView{Panel: v.Panel, Step: v.Step, Breakpoints: v.Breakpoints, StopAt: v.StopAt}
	}
	for i, c := range sc.Checks {
		id := c.ID
		if id == "" {
			id = "check " + strconv.Itoa(i+1) // as the report names it
		}
		pts := 1
		if c.Points != nil {
			pts = *c.Points
		}
		in.Checks = append(in.Checks, protocol.ScenarioCheck{ID: id, Kind: c.Kind(), Step: c.Step, Points: pts, Message: c.Message})
	}
	for _, s := range sc.Slots() {
		in.Slots = append(in.Slots, protocol.ScenarioSlot{Name: s.Name, Path: s.Path, Default: s.Default,
			SHA256: s.SHA256, Embedded: s.Embedded, NeedsFile: g.needsFile(s)})
	}
	in.Open = workshop(sc, programs)
	return in
}

// needsFile: the slot is empty unless someone supplies a program, or its
// pin rules out the default the site has.
func (g *Grader) needsFile(s scenario.Slot) bool {
	switch {
	case s.Embedded:
		return false
	case s.Required:
		return true
	case s.SHA256 == "":
		return false
	}
	b, err := g.vector(s.Default)
	return err != nil || sha256Hex(b) != s.SHA256
}

func machineSettings(m scenario.Machine) []protocol.KeyValue {
	or := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	kv := []protocol.KeyValue{
		{Key: "profile", Value: or(m.Profile, "default")},
		{Key: "msgbox", Value: or(m.Msgbox, "keep")},
		{Key: "seed", Value: strconv.FormatUint(m.Seed, 10)},
		{Key: "clock", Value: or(m.Clock, "virtual")},
	}
	add := func(k string, set bool, v string) {
		if set {
			kv = append(kv, protocol.KeyValue{Key: k, Value: v})
		}
	}
	add("max_instructions", m.MaxInstructions != 0, strconv.FormatUint(m.MaxInstructions, 10))
	add("memory", m.Memory != 0, fmt.Sprintf("%d MiB", m.Memory>>20))
	add("slice", m.Slice != 0, strconv.FormatUint(m.Slice, 10))
	add("max_procs", m.MaxProcs != 0, strconv.Itoa(m.MaxProcs))
	add("uid", m.UID != 0, strconv.FormatUint(uint64(m.UID), 10))
	add("module_fault_sleeps", m.ModuleFaultSleeps, "yes")
	add("module_lockup", m.ModuleLockup != 0, strconv.FormatUint(m.ModuleLockup, 10))
	return kv
}

func fileSource(vector, slot, def string, text *string, b64 string) string {
	switch {
	case text != nil:
		return fmt.Sprintf("text, %d bytes", len(*text))
	case vector != "":
		return "test vector " + vector
	case slot != "" && b64 != "":
		return "slot " + slot + " (a program in the link)"
	case slot != "" && def != "":
		return "slot " + slot + " (default: " + def + ")"
	case slot != "":
		return "slot " + slot + " (your program)"
	}
	return "data"
}

func pinned(sha string) string {
	if sha == "" {
		return ""
	}
	return ", pinned to sha256 " + sha[:min(16, len(sha))] + "…"
}

func argv0(s scenario.Step) string {
	if s.Argv0 != "" {
		return s.Argv0
	}
	return s.Run
}

// workshop says how the workbench opens the view's step: the program the
// step runs (when it is a test vector, or a slot's default), its argv,
// environment and stdin, where to stop, and the files that start it on
// the machine the scenario prepares (programs fill slots, as in a grade).
func workshop(sc *scenario.Scenario, programs map[string][]byte) *protocol.ScenarioWorkshop {
	step := sc.ViewStep()
	if step < 0 {
		return nil
	}
	s := sc.Steps[step]
	guest := s.Run
	if !strings.HasPrefix(guest, "/") {
		guest = "/bin/" + guest
	}
	w := &protocol.ScenarioWorkshop{Args: append([]string{argv0(s)}, s.Args...), Stdin: s.Stdin}
	w.Env = append([]string(nil), defaultEnv...)
	for _, e := range s.Env {
		name, _, _ := strings.Cut(e, "=")
		replaced := false
		for i, d := range w.Env {
			if strings.HasPrefix(d, name+"=") {
				w.Env[i], replaced = e, true
			}
		}
		if !replaced {
			w.Env = append(w.Env, e)
		}
	}
	for _, f := range sc.Files {
		if f.Path == guest {
			w.Vector = f.Vector
			if f.Slot != "" {
				w.Vector, w.Slot = f.Default, f.Slot
				w.Data, _ = base64.StdEncoding.DecodeString(f.Base64) // checked by Parse
			}
		}
	}
	if v := sc.View; v != nil {
		w.Panel = v.Panel
		w.Breaks = append(w.Breaks, v.Breakpoints...)
		switch {
		case v.StopAt == "end":
			w.Run = true
		case strings.HasPrefix(v.StopAt, "syscall:"):
			w.Breaks, w.Run = append(w.Breaks, strings.TrimPrefix(v.StopAt, "syscall:")+"()"), true
		case v.StopAt != "" && v.StopAt != "start":
			w.Breaks, w.Run = append(w.Breaks, v.StopAt), true
		}
		if len(v.Breakpoints) > 0 {
			w.Run = true
		}
	}
	w.Machine = machineFiles(sc, s.ID, programs)
	if n := len(sc.Steps) - 1 - step; n > 0 {
		w.Differs = append(w.Differs, fmt.Sprintf("the %d step(s) after it do not run there", n))
	}
	return w
}

// machineFiles are the files of a workbench Load that starts on the
// machine the scenario prepares for step: the scenario, the programs
// filling its slots, and the site's test vectors it names (fetched by the
// worker like any file).
func machineFiles(sc *scenario.Scenario, step string, programs map[string][]byte) []protocol.File {
	spec := protocol.ScenarioMachine{Scenario: string(scenario.Marshal(sc)), Step: step, Programs: programs}
	files := []protocol.File{{Path: protocol.ScenarioMachineFile, Data: []byte(protocol.Encode(spec))}}
	for _, v := range sc.Vectors(func(slot string) bool { _, ok := programs[slot]; return ok }) {
		files = append(files, protocol.File{Path: protocol.ScenarioVectorDir + v, URL: VectorURL(v)})
	}
	return files
}
