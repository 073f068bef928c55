package trace

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRenderSyscalls(t *testing.T) {
	cases := []struct {
		e    Event
		want string
	}{
		{Event{Name: "write", Args: []Arg{I(1), {Kind: String, Text: "hello\n"}, U(6)}, Ret: 6},
			`write(1, "hello\n", 6)                  = 6`},
		{Event{Name: "open", Args: []Arg{{Kind: String, Text: "/x"}, Sym(0, "O_RDONLY")}, Ret: -1, Errno: 2},
			`open("/x", O_RDONLY)                    = -1 ENOENT (No such file or directory)`},
		{Event{Name: "brk", Args: []Arg{P(0)}, Ret: 0x93d5000, RetHex: true},
			`brk(NULL)                               = 0x93d5000`},
		{Event{Name: "exit_group", Args: []Arg{I(0)}, NoRet: true},
			`exit_group(0)                           = ?`},
		{Event{Name: "rseq", Args: []Arg{P(0x93d5820), X(0x20), I(0), X(0x53053053)}, Ret: 0},
			`rseq(0x93d5820, 0x20, 0, 0x53053053)    = 0`},
		{Event{Name: "mmap2", Args: []Arg{P(0), U(4096), Sym(3, "PROT_READ|PROT_WRITE"), Sym(0x22, "MAP_PRIVATE|MAP_ANONYMOUS"), I(-1), X(0)}, Ret: 0xb7fff000, RetHex: true},
			`mmap2(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb7fff000`},
		{Event{Name: "ugetrlimit", Args: []Arg{Sym(3, "RLIMIT_STACK"), S(0x1000, F("rlim_cur", R("8192*1024")), F("rlim_max", R("RLIM_INFINITY")))}},
			`ugetrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}) = 0`},
		{Event{Name: "writev", Args: []Arg{I(1), {Kind: Array, Elems: []Arg{S(0, F("iov_base", Arg{Kind: String, Text: "hi"}), F("iov_len", U(2)))}}, I(1)}, Ret: 2},
			`writev(1, [{iov_base="hi", iov_len=2}], 1) = 2`},
		{Event{Name: "getrandom", Args: []Arg{{Kind: String, Text: "\xfa\x7f\xd7\x54", Hex: true}, U(4), Sym(1, "GRND_NONBLOCK")}, Ret: 4},
			`getrandom("\xfa\x7f\xd7\x54", 4, GRND_NONBLOCK) = 4`},
		{Event{Name: "set_thread_area", Args: []Arg{S(0, F("entry_number", I(-1)))}, Note: "(entry_number=6)"},
			`set_thread_area({entry_number=-1})      = 0 (entry_number=6)`},
		{Event{Kind: Signal, Signal: 11, SigInfo: []Arg{F("si_signo", Sym(11, "SIGSEGV")), F("si_code", Sym(1, "SEGV_MAPERR")), F("si_addr", P(0))}},
			`--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---`},
		{Event{Kind: Killed, Signal: 11}, `+++ killed by SIGSEGV +++`},
		{Event{Kind: Exited, Status: 3}, `+++ exited with 3 +++`},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Render(&c.e))
	}
}

func TestQuote(t *testing.T) {
	r := Renderer{StringLimit: 32}
	e := &Event{Name: "write", Args: []Arg{{Kind: String, Text: "\x00\x01a\"\\\t\x7f\x001"}}}
	require.Equal(t, `write("\0\1a\"\\\t\177\0001")`+"           = 0", r.Render(e))
	long := &Event{Name: "write", Args: []Arg{{Kind: String, Text: "0123456789012345678901234567890123456789"}}}
	require.Equal(t, `write("01234567890123456789012345678901"...) = 0`, r.Render(long))
	pid := Renderer{StringLimit: 32, PidPrefix: true}
	// strace 6.1 counts the prefix in its column 40:
	// "[pid  1738] exit_group(0)               = ?"
	require.Equal(t, "[pid  1738] exit_group(0)               = ?", pid.Render(&Event{Tid: 1738, Name: "exit_group", Args: []Arg{I(0)}, NoRet: true}))
}

// Writer adds "[pid N] " as strace -f does (strace 6.1 on fork_wait):
// not on the clone line itself, on every line while the child lives,
// and no longer once the child's "+++ exited" line is out.
func TestWriterPidPrefix(t *testing.T) {
	var b strings.Builder
	w := &Writer{W: &b, Renderer: DefaultRenderer}
	flags := Sym(0x1200011, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD")
	flags.Name = "flags"
	for _, e := range []Event{
		{Pid: 1737, Tid: 1737, Name: "getpid", Ret: 1737},
		{Pid: 1737, Tid: 1737, Name: "clone", Args: []Arg{flags}, Ret: 1738},
		{Pid: 1738, Tid: 1738, Name: "exit_group", Args: []Arg{I(0)}, NoRet: true},
		{Pid: 1738, Tid: 1738, Kind: Exited},
		{Pid: 1737, Tid: 1737, Name: "getpid", Ret: 1737},
	} {
		w.Event(&e)
	}
	require.Equal(t, `getpid()                                = 1737
clone(flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = 1738
[pid  1738] exit_group(0)               = ?
[pid  1738] +++ exited with 0 +++
getpid()                                = 1737
`, b.String())
}

func TestRecorder(t *testing.T) {
	var r Recorder
	r.Event(&Event{Name: "brk"})
	r.Event(&Event{Kind: Exited})
	r.Event(&Event{Name: "write"})
	require.Equal(t, []string{"brk", "write"}, r.Names())
}
