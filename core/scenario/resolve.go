package scenario

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Resolver supplies the programs a scenario names. The CLI reads them
// from testvectors/bin and the files given with --program; the page from
// the site's bundled vectors and the files the student picked.
type Resolver interface {
	// Vector returns a committed test program by its path under
	// testvectors/bin ("musl/hello").
	Vector(name string) ([]byte, error)
	// Program returns the program supplied for a slot; ok is false when
	// none was supplied.
	Program(slot string) (data []byte, ok bool, err error)
}

// MapResolver is a Resolver over maps, for tests and for callers that
// hold everything in memory already.
type MapResolver struct {
	Vectors  map[string][]byte
	Programs map[string][]byte
}

// Vector implements Resolver.
func (m MapResolver) Vector(name string) ([]byte, error) {
	if b, ok := m.Vectors[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("unknown test vector %q", name)
}

// Program implements Resolver.
func (m MapResolver) Program(slot string) ([]byte, bool, error) {
	b, ok := m.Programs[slot]
	return b, ok, nil
}

// ErrMissingProgram is wrapped by the error for a slot nobody filled.
var ErrMissingProgram = errors.New("missing program")

// fileContents returns what goes into the guest at f.Path and where it
// came from.
func fileContents(f *File, r Resolver) ([]byte, string, error) {
	var data []byte
	var source string
	switch {
	case f.Text != nil:
		return []byte(*f.Text), "text", nil
	case f.Vector != "":
		b, err := r.Vector(f.Vector)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f.Path, err)
		}
		data, source = b, "vector "+f.Vector
	case f.Slot != "":
		b, ok, err := r.Program(f.Slot)
		switch {
		case err != nil:
			return nil, "", fmt.Errorf("%s: slot %s: %w", f.Path, f.Slot, err)
		case ok:
			data, source = b, "slot "+f.Slot
		case f.Base64 != "":
			data, _ = base64.StdEncoding.DecodeString(f.Base64) // checked by validate
			source = "slot " + f.Slot + " (embedded)"
		case f.Default != "":
			b, err := r.Vector(f.Default)
			if err != nil {
				return nil, "", fmt.Errorf("%s: slot %s default: %w", f.Path, f.Slot, err)
			}
			data, source = b, "slot "+f.Slot+" (default vector "+f.Default+")"
		default:
			return nil, "", fmt.Errorf("%s: slot %s: %w: supply one (--program %s=PATH)", f.Path, f.Slot, ErrMissingProgram, f.Slot)
		}
	default:
		data, _ = base64.StdEncoding.DecodeString(f.Base64)
		source = "data"
	}
	if f.SHA256 != "" {
		if got := sha256Hex(data); got != f.SHA256 {
			return nil, "", fmt.Errorf("%s: %s has sha256 %s, the scenario pins %s", f.Path, source, got, f.SHA256)
		}
	}
	return data, source, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
