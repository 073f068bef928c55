package scenario

import (
	"fmt"
	"maps"
	"slices"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
)

// renderer prints trace lines in evidence: strace's format, with a pid
// prefix so lines of several processes can be told apart.
var renderer = trace.Renderer{StringLimit: 64, PidPrefix: true}

// argValue is what a matcher sees of a decoded argument: its number and
// its text (a string's contents, otherwise the argument as strace prints
// it).
func argValue(a trace.Arg) value {
	v := value{num: a.Value, hasNum: true}
	if a.Kind == trace.String {
		v.text = a.Text
		return v
	}
	v.text = renderArg(a)
	if a.Kind == trace.Raw || a.Kind == trace.Struct || a.Kind == trace.Array {
		v.hasNum = a.Kind != trace.Raw
	}
	return v
}

// renderArg prints one argument the way the trace shows it.
func renderArg(a trace.Arg) string { return trace.DefaultRenderer.RenderArg(a) }

// retValue is what a matcher sees of a result: the kernel's raw return
// (-errno for a failure) and its text (the errno name for a failure,
// otherwise the number as the trace prints it).
func retValue(e *trace.Event) value {
	if e.Errno != 0 {
		return value{num: -int64(e.Errno), hasNum: true, text: abi.Errno(e.Errno).Name()}
	}
	v := numValue(e.Ret)
	if e.RetHex {
		v.text = fmt.Sprintf("%#x", uint32(e.Ret))
	}
	return v
}

// signalNumber is the number of a signal name ("SIGUSR1"), 0 if none.
func signalNumber(name string) int {
	for sig := 1; sig <= abi.NSIG; sig++ {
		if abi.SignalName(sig) == name {
			return sig
		}
	}
	return 0
}

// matchEvent reports whether e matches p, and when it does not but is
// the same call, why (for evidence).
func (p *CallPattern) matchEvent(e *trace.Event) (ok bool, why string) {
	if len(p.Or) > 0 {
		for _, alt := range p.Or {
			ok, w := alt.matchEvent(e)
			if ok {
				return true, ""
			}
			if why == "" {
				why = w
			}
		}
		return false, why
	}
	if p.Signal != "" {
		if e.Kind != trace.Signal || abi.SignalName(e.Signal) != p.Signal {
			return false, ""
		}
		for _, name := range sortedKeys(p.SigInfo) {
			m := p.SigInfo[name]
			var got *trace.Arg
			for i := range e.SigInfo {
				if e.SigInfo[i].Name == name {
					got = &e.SigInfo[i]
				}
			}
			if got == nil {
				return false, fmt.Sprintf("siginfo has no field %s", name)
			}
			if v := argValue(*got); !m.match(v) {
				return false, fmt.Sprintf("siginfo %s: want %s, got %s", name, m, v.text)
			}
		}
		return true, ""
	}
	if e.Kind != trace.Syscall || !p.names(e.Name) {
		return false, ""
	}
	if p.Nr != nil && e.Nr != *p.Nr {
		return false, fmt.Sprintf("made as system call %d, want %d", e.Nr, *p.Nr)
	}
	for i, m := range p.Args {
		if m == nil {
			continue
		}
		if i >= len(e.Args) {
			return false, fmt.Sprintf("argument %d: want %s, the call has %d arguments", i+1, m, len(e.Args))
		}
		if v := argValue(e.Args[i]); !m.match(v) {
			return false, fmt.Sprintf("argument %d: want %s, got %s", i+1, m, quoteText(e.Args[i], v))
		}
	}
	if p.Ret != nil {
		if e.NoRet {
			return false, fmt.Sprintf("result: want %s, the call does not return", p.Ret)
		}
		if v := retValue(e); !p.Ret.match(v) {
			return false, fmt.Sprintf("result: want %s, got %s", p.Ret, v.text)
		}
	}
	return true, ""
}

func quoteText(a trace.Arg, v value) string {
	if a.Kind == trace.String {
		return fmt.Sprintf("%q", v.text)
	}
	return v.text
}

func sortedKeys(m map[string]*Matcher) []string { return slices.Sorted(maps.Keys(m)) }
