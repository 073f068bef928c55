package scenario

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Links carry a scenario in a URL's fragment (never sent to a server):
//
//	BASE#s1=PAYLOAD
//
// "s1" is the link encoding's version: PAYLOAD is the scenario's
// canonical JSON, compressed with raw DEFLATE (RFC 1951) and written in
// unpadded base64url. Every version ever issued stays in linkDecoders, so
// old links keep opening; the scenario inside carries its own format
// version, which Parse upgrades.

// LinkVersion is the encoding EncodeLink writes.
const LinkVersion = "s1"

// linkDecoders turn a payload of each link version into scenario JSON.
var linkDecoders = map[string]func(payload string) ([]byte, error){
	"s1": decodeS1,
}

// MaxEmbedBytes is the largest program EmbedProgram puts into a
// scenario (and so into its link); larger ones are referenced by name
// and hash and the page asks for the file.
const MaxEmbedBytes = 64 << 10

// EncodeLink returns base (which may already hold a fragment, dropped)
// with sc in its fragment.
func EncodeLink(base string, sc *Scenario) string {
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(compactJSON(Marshal(sc)))
	w.Close()
	return base + "#" + LinkVersion + "=" + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// compactJSON drops the indentation of canonical JSON (links are
// shorter; the scenario is the same).
func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return b
	}
	return out.Bytes()
}

// DecodeLink reads the scenario out of a link: a whole URL, a fragment
// ("#s1=..."), or the fragment's text without '#'.
func DecodeLink(link string) (*Scenario, error) {
	frag := strings.TrimSpace(link)
	if i := strings.IndexByte(frag, '#'); i >= 0 {
		frag = frag[i+1:]
	}
	version, payload, ok := strings.Cut(frag, "=")
	if !ok || version == "" {
		return nil, errors.New("link: no scenario in it (want ...#s1=...)")
	}
	if payload == "" {
		return nil, fmt.Errorf("link: nothing after %s= (was the link cut short when copied?)", version)
	}
	decode, ok := linkDecoders[version]
	if !ok {
		return nil, fmt.Errorf("link: unknown link version %q (this Trapdoor reads %s); a newer Trapdoor made it", version, LinkVersion)
	}
	data, err := decode(payload)
	if err != nil {
		return nil, fmt.Errorf("link: %v", err)
	}
	return Parse(data)
}

func decodeS1(payload string) ([]byte, error) {
	payload = strings.TrimRight(payload, "=")
	z, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("damaged (not base64url): %v; was the link cut short when copied?", err)
	}
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxScenarioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("damaged (does not decompress): %v; was the link cut short when copied?", err)
	}
	if len(data) > MaxScenarioBytes {
		return nil, fmt.Errorf("the scenario inside is larger than %d bytes", MaxScenarioBytes)
	}
	return data, nil
}

// EmbedProgram fills slot with data for a link: a program of at most
// MaxEmbedBytes rides inside the scenario (base64); a larger one is
// pinned by its sha256, so whoever opens the link is asked for the file
// and it is checked. It returns whether the program was embedded.
func EmbedProgram(sc *Scenario, slot string, data []byte) (bool, error) {
	fill := func(sha, b64 *string) bool {
		*sha = sha256Hex(data)
		*b64 = ""
		if len(data) <= MaxEmbedBytes {
			*b64 = base64.StdEncoding.EncodeToString(data)
			return true
		}
		return false
	}
	for i := range sc.Files {
		if f := &sc.Files[i]; f.Slot == slot {
			return fill(&f.SHA256, &f.Base64), nil
		}
	}
	for i := range sc.Modules {
		if m := &sc.Modules[i]; m.Slot == slot {
			return fill(&m.SHA256, &m.Base64), nil
		}
	}
	var slots []string
	for _, s := range sc.Slots() {
		slots = append(slots, s.Name)
	}
	if len(slots) == 0 {
		return false, fmt.Errorf("slot %q: the scenario has no slots", slot)
	}
	return false, fmt.Errorf("slot %q: no such slot (the scenario has %s)", slot, strings.Join(slots, ", "))
}
