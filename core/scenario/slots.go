package scenario

// Slot describes a program a scenario expects someone to supply, for a
// page that must ask for it (or a CLI that lists what --program takes).
type Slot struct {
	Name string // the slot's name (--program NAME=PATH)
	Path string // where the program goes in the guest ("module NAME" for a module)
	// Default is the test vector used when nobody supplies one.
	Default string
	// SHA256 pins the program: only a file with this hash is accepted.
	SHA256 string
	// Embedded: the scenario (its link) carries the program itself.
	Embedded bool
	// Required: nothing fills the slot unless someone supplies a program.
	Required bool
}

// Slots lists the scenario's slots in file order.
func (sc *Scenario) Slots() []Slot {
	var out []Slot
	files := sc.Files
	for i := range sc.Modules {
		files = append(files[:len(files):len(files)], *sc.Modules[i].asFile())
	}
	for _, f := range files {
		if f.Slot == "" {
			continue
		}
		out = append(out, Slot{Name: f.Slot, Path: f.Path, Default: f.Default, SHA256: f.SHA256,
			Embedded: f.Base64 != "", Required: f.Base64 == "" && f.Default == ""})
	}
	return out
}

// Grade parses a scenario and runs it: the whole of what a page or a
// grader needs, in one call. A scenario that does not parse is an error;
// everything after that is in the report.
func Grade(scenarioJSON []byte, r Resolver) (*Report, error) {
	sc, err := Parse(scenarioJSON)
	if err != nil {
		return nil, err
	}
	return Run(sc, r), nil
}

// Vectors lists the test vectors a run needs, once each in file then
// module order, when the slots supplied reports true for are filled: the
// files' and modules' vectors and the defaults of the slots nobody fills
// and no link embeds a program for.
func (sc *Scenario) Vectors(supplied func(slot string) bool) []string {
	var out []string
	seen := map[string]bool{}
	add := func(f *File) {
		name := f.Vector
		if f.Slot != "" && !supplied(f.Slot) && f.Base64 == "" {
			name = f.Default
		}
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for i := range sc.Files {
		add(&sc.Files[i])
	}
	for i := range sc.Modules {
		add(sc.Modules[i].asFile())
	}
	return out
}
