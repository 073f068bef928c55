package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// versions are the scenario format versions Parse reads. A new version
// adds an upgrade step here, so every older scenario (and link) still
// opens.
var versions = map[int]func(raw []byte) ([]byte, error){
	1: func(raw []byte) ([]byte, error) { return raw, nil },
}

// MaxScenarioBytes bounds a scenario's JSON (embedded programs included).
const MaxScenarioBytes = 8 << 20

// Parse reads a scenario, checks that it is well formed and that
// everything it names exists, and returns it. Errors say where: a line
// and column for JSON mistakes, the field path for the rest.
func Parse(data []byte) (*Scenario, error) {
	if len(data) > MaxScenarioBytes {
		return nil, fmt.Errorf("scenario: %d bytes, more than the %d a scenario may have", len(data), MaxScenarioBytes)
	}
	var probe struct {
		Format *json.RawMessage `json:"trapdoor_scenario"`
	}
	if err := decodeOne(data, &probe, false); err != nil {
		return nil, err
	}
	if probe.Format == nil {
		return nil, errors.New(`scenario: not a Trapdoor scenario (no "trapdoor_scenario" version field)`)
	}
	var version int
	if err := json.Unmarshal(*probe.Format, &version); err != nil {
		return nil, fmt.Errorf("scenario: \"trapdoor_scenario\" must be a version number, got %s", *probe.Format)
	}
	upgrade, ok := versions[version]
	if !ok {
		return nil, fmt.Errorf("scenario: unknown format version %d (this Trapdoor reads version %s)", version, knownVersions())
	}
	data, err := upgrade(data)
	if err != nil {
		return nil, fmt.Errorf("scenario: upgrading version %d: %v", version, err)
	}
	sc := new(Scenario)
	if err := decodeOne(data, sc, true); err != nil {
		return nil, err
	}
	if err := sc.validate(); err != nil {
		return nil, fmt.Errorf("scenario: %v", err)
	}
	return sc, nil
}

func knownVersions() string {
	var vs []string
	for v := 1; v <= Version; v++ {
		if versions[v] != nil {
			vs = append(vs, fmt.Sprint(v))
		}
	}
	return strings.Join(vs, ", ")
}

// decodeOne decodes exactly one JSON value, turning the decoder's errors
// into ones with a line and column.
func decodeOne(data []byte, v any, strict bool) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if strict {
		d.DisallowUnknownFields()
	}
	err := d.Decode(v)
	if err == nil {
		if _, terr := d.Token(); terr != io.EOF {
			return fmt.Errorf("scenario: %s: more after the scenario's closing brace", position(data, d.InputOffset()))
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("scenario: empty input")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("scenario: %s: unexpected end of input (an unclosed brace, bracket or string)", position(data, int64(len(data))))
	case errors.As(err, &syn):
		return fmt.Errorf("scenario: %s: %v", position(data, syn.Offset-1), syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the scenario"
		}
		return fmt.Errorf("scenario: %s: %s must be %s, not a JSON %s", position(data, typ.Offset-1), field, typeName(typ.Type.String()), typ.Value)
	}
	var bad *matcherError
	if errors.As(err, &bad) {
		if at := bytes.Index(data, bad.raw); at >= 0 {
			return fmt.Errorf("scenario: %s: %v", position(data, int64(at)), bad.err)
		}
		return fmt.Errorf("scenario: %v", bad.err)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if at := bytes.Index(data, []byte(strings.Trim(name, `"`)+`"`)); at > 0 {
			return fmt.Errorf("scenario: %s: unknown field %s", position(data, int64(at-1)), name)
		}
	}
	return fmt.Errorf("scenario: %s", msg)
}

// typeName says a Go type the way a scenario author thinks of it.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.Contains(t, "int"):
		return "a whole number"
	case t == "string" || t == "*string":
		return "a string"
	case t == "bool":
		return "true or false"
	}
	return "an object"
}

// position turns a byte offset into "line L, column C" (1-based).
func position(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Marshal returns the canonical JSON of a scenario (what links carry):
// fields in a fixed order, defaults omitted, indented.
func Marshal(sc *Scenario) []byte { return marshalIndent(sc) }
