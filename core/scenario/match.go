package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Matcher matches one value: a system call argument or result, a count,
// a sampled kernel value. In JSON it is a number or a string (equality),
// or an object of conditions that must all hold:
//
//	{"eq": 5} {"ne": "NULL"} {"ge": 0, "lt": 4096} {"re": "^hel+o$"}
//	{"contains": "hello"} {"prefix": "0x"} {"any": true}
//
// Numbers compare with a value's number, strings with its text (a string
// argument's contents, a flag set or pointer as strace prints it, an
// errno name for a failed call's result).
type Matcher struct {
	EqNum    *int64
	EqStr    *string
	NeNum    *int64
	NeStr    *string
	Ge, Le   *int64
	Gt, Lt   *int64
	Re       string
	Contains string
	Prefix   string
	Any      bool

	re *regexp.Regexp
}

// value is what a matcher looks at: a number (when there is one) and a
// text.
type value struct {
	num    int64
	hasNum bool
	text   string
}

func numValue(n int64) value   { return value{num: n, hasNum: true, text: strconv.FormatInt(n, 10)} }
func textValue(s string) value { return value{text: s} }

// Match reports whether v satisfies every condition of m. A nil matcher
// matches anything.
func (m *Matcher) match(v value) bool {
	if m == nil || m.Any {
		return true
	}
	num := func(p *int64, ok func(a, b int64) bool) bool {
		return p == nil || v.hasNum && ok(v.num, *p)
	}
	if !num(m.EqNum, func(a, b int64) bool { return a == b }) ||
		!num(m.NeNum, func(a, b int64) bool { return a != b }) ||
		!num(m.Ge, func(a, b int64) bool { return a >= b }) ||
		!num(m.Le, func(a, b int64) bool { return a <= b }) ||
		!num(m.Gt, func(a, b int64) bool { return a > b }) ||
		!num(m.Lt, func(a, b int64) bool { return a < b }) {
		return false
	}
	if m.EqStr != nil && v.text != *m.EqStr || m.NeStr != nil && v.text == *m.NeStr {
		return false
	}
	if m.Contains != "" && !strings.Contains(v.text, m.Contains) ||
		m.Prefix != "" && !strings.HasPrefix(v.text, m.Prefix) {
		return false
	}
	if m.re != nil && !m.re.MatchString(v.text) {
		return false
	}
	return true
}

// String describes the matcher for evidence ("5", "≥ 0", "/re/").
func (m *Matcher) String() string {
	if m == nil || m.Any {
		return "anything"
	}
	var parts []string
	add := func(op string, p *int64) {
		if p != nil {
			parts = append(parts, op+strconv.FormatInt(*p, 10))
		}
	}
	if m.EqNum != nil {
		parts = append(parts, strconv.FormatInt(*m.EqNum, 10))
	}
	if m.EqStr != nil {
		parts = append(parts, strconv.Quote(*m.EqStr))
	}
	add("!= ", m.NeNum)
	if m.NeStr != nil {
		parts = append(parts, "!= "+strconv.Quote(*m.NeStr))
	}
	add(">= ", m.Ge)
	add("<= ", m.Le)
	add("> ", m.Gt)
	add("< ", m.Lt)
	if m.Re != "" {
		parts = append(parts, "/"+m.Re+"/")
	}
	if m.Contains != "" {
		parts = append(parts, "containing "+strconv.Quote(m.Contains))
	}
	if m.Prefix != "" {
		parts = append(parts, "starting "+strconv.Quote(m.Prefix))
	}
	return strings.Join(parts, " and ")
}

// matcherObject is the object form of a Matcher in JSON, keys in their
// canonical order.
type matcherObject struct {
	Eq       json.RawMessage `json:"eq,omitempty"`
	Ne       json.RawMessage `json:"ne,omitempty"`
	Ge       *int64          `json:"ge,omitempty"`
	Le       *int64          `json:"le,omitempty"`
	Gt       *int64          `json:"gt,omitempty"`
	Lt       *int64          `json:"lt,omitempty"`
	Re       string          `json:"re,omitempty"`
	Contains string          `json:"contains,omitempty"`
	Prefix   string          `json:"prefix,omitempty"`
	Any      bool            `json:"any,omitempty"`
}

// matcherError is a bad matcher with its JSON text, so Parse can say
// where it is.
type matcherError struct {
	raw []byte
	err error
}

func (e *matcherError) Error() string { return e.err.Error() }

// UnmarshalJSON reads a number, a string or an object.
func (m *Matcher) UnmarshalJSON(b []byte) error {
	if err := m.unmarshal(b); err != nil {
		return &matcherError{raw: append([]byte(nil), bytes.TrimSpace(b)...), err: err}
	}
	return nil
}

func (m *Matcher) unmarshal(b []byte) error {
	*m = Matcher{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		return scalar(b, &m.EqNum, &m.EqStr)
	}
	var o matcherObject
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&o); err != nil {
		return fmt.Errorf("matcher: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if o.Eq != nil {
		if err := scalar(o.Eq, &m.EqNum, &m.EqStr); err != nil {
			return err
		}
	}
	if o.Ne != nil {
		if err := scalar(o.Ne, &m.NeNum, &m.NeStr); err != nil {
			return err
		}
	}
	m.Ge, m.Le, m.Gt, m.Lt = o.Ge, o.Le, o.Gt, o.Lt
	m.Re, m.Contains, m.Prefix, m.Any = o.Re, o.Contains, o.Prefix, o.Any
	if m.Re != "" {
		re, err := regexp.Compile(m.Re)
		if err != nil {
			return fmt.Errorf("matcher: bad regular expression %q: %v", m.Re, err)
		}
		m.re = re
	}
	if *m == (Matcher{}) {
		return fmt.Errorf("matcher: an empty object matches nothing in particular; write {\"any\": true}")
	}
	return nil
}

// scalar reads an integer or a string.
func scalar(b []byte, num **int64, str **string) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*str = &s
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("matcher: %s is not a whole number", b)
		}
		*num = &n
	default:
		return fmt.Errorf("matcher: want a number, a string or an object, got %s", b)
	}
	return nil
}

// MarshalJSON writes equality alone as a bare number or string, anything
// else as an object.
func (m *Matcher) MarshalJSON() ([]byte, error) {
	eqOnly := Matcher{EqNum: m.EqNum, EqStr: m.EqStr}
	if (m.EqNum != nil || m.EqStr != nil) && *m == eqOnly {
		if m.EqNum != nil {
			return json.Marshal(*m.EqNum)
		}
		return json.Marshal(*m.EqStr)
	}
	o := matcherObject{Ge: m.Ge, Le: m.Le, Gt: m.Gt, Lt: m.Lt, Re: m.Re, Contains: m.Contains, Prefix: m.Prefix, Any: m.Any}
	o.Eq = rawScalar(m.EqNum, m.EqStr)
	o.Ne = rawScalar(m.NeNum, m.NeStr)
	return json.Marshal(o)
}

func rawScalar(n *int64, s *string) json.RawMessage {
	switch {
	case n != nil:
		b, _ := json.Marshal(*n)
		return b
	case s != nil:
		b, _ := json.Marshal(*s)
		return b
	}
	return nil
}
