package machine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

// shellSession starts the page's shell (protocol.ShellLoad) with the musl
// test programs in /bin, fetched from testvectors/bin as the site serves
// them under web/programs.
func shellSession(t *testing.T, settings protocol.ShellSettings, uploads ...protocol.File) *session.Session {
	root := "../../testvectors/bin/"
	if _, err := os.Stat(root + protocol.ShellVector); err != nil {
		t.Skipf("no busybox: %v", err)
	}
	names, _ := filepath.Glob(root + "musl/*")
	var progs []protocol.Program
	for _, n := range names {
		progs = append(progs, protocol.Program{Name: filepath.Base(n), Libc: "musl", URL: "musl/" + filepath.Base(n)})
	}
	if len(progs) == 0 {
		t.Skip("test vectors not built")
	}
	fetch := func(url string) ([]byte, error) { return os.ReadFile(root + url) }
	s := session.New(Start, fetch, "")
	r := protocol.ShellLoad(1, protocol.ShellVector, progs, settings)
	r.Files = append(r.Files, uploads...)
	if e := s.Handle(r); e.State != protocol.StateLoaded {
		t.Fatalf("load: %+v", e)
	}
	return s
}

// typeLine types a line once the shell waits for input and returns the
// console's output and the trace until every process waits again.
func typeLine(t *testing.T, s *session.Session, line string) (out string, trace []protocol.TraceLine, last protocol.Event) {
	if line != "" {
		s.Handle(protocol.Request{Type: protocol.Input, Text: line})
	} else {
		s.Handle(protocol.Request{Type: protocol.Run})
	}
	var o strings.Builder
	for i := 0; s.Active() || passTime(s); i++ { // passTime: time passes (pace_test.go)
		if i > 100000 {
			t.Fatalf("%q never let the shell wait for input", line)
		}
		last = s.Slice()
		for _, x := range last.Output {
			o.WriteString(x.Text)
		}
		trace = append(trace, last.Trace...)
	}
	if last.State != protocol.StateInput {
		t.Fatalf("after %q: state %s (%s) output %q", line, last.State, last.Error, o.String())
	}
	return o.String(), trace, last
}

func TestShellINFO0940(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{Profile: "linux-4.15", Msgbox: "truncate", Seed: 7})
	out, _, _ := typeLine(t, s, "")
	if !strings.HasSuffix(out, "/bin $ ") {
		t.Fatalf("prompt %q", out)
	}
	out, _, _ = typeLine(t, s, "./test -N -o set_param -p fork\n")
	t.Logf("%q", out)
	if !strings.Contains(out, "pf_set_param performed successfully.\n") {
		t.Errorf("set_param: %q", out)
	}
	out, tr, _ := typeLine(t, s, "fork 9\n")
	t.Logf("%q", out)
	pids := map[int]bool{}
	for _, l := range tr {
		pids[l.Pid] = true
	}
	if len(pids) < 3 { // the shell, fork and its child
		t.Errorf("trace pids %v", pids)
	}
	out, _, _ = typeLine(t, s, "./test -N -o get_info -p fork\n")
	t.Logf("%s", out)
	if !regexp.MustCompile(`Number of COW faults: [1-9]\d*\n`).MatchString(out) ||
		!regexp.MustCompile(`: [1-9]\d* cow faults\n`).MatchString(out) {
		t.Errorf("get_info: %q", out)
	}
	out, _, _ = typeLine(t, s, "./test -N -o cleanup\n")
	if !strings.Contains(out, "pf_cleanup performed successfully.\n") {
		t.Errorf("cleanup: %q", out)
	}
}

// TestShellBackgroundJob: change_cmdline in the background while ps
// runs. Time is virtual: while the shell waits for a line, a sleeping job's
// time passes at once, so ps looks during the job's sleep when it is on
// the same line (as the NCTU scenario's launcher does).
func TestShellBackgroundJob(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{Seed: 1})
	typeLine(t, s, "")
	out, tr, _ := typeLine(t, s, "change_cmdline -s 2 & sleep 3; ps\n")
	if !regexp.MustCompile(`\n +2 +root +(\{change_cmdline\} )?Yen-Chun Hsu 0056021\n`).MatchString(out) {
		t.Errorf("ps does not show the new command line: %q", out)
	}
	if !strings.Contains(out, "change_cmdline: all ok\n") {
		t.Errorf("change_cmdline: %q", out)
	}
	changed := false
	for _, l := range tr {
		changed = changed || l.Pid == 2 && l.Name == "change_cmdline"
	}
	if !changed {
		t.Error("no change_cmdline call of pid 2 in the trace")
	}
}

// TestShellBadSettings: a bad setting or a file the site lacks fails the
// load with a message saying which.
func TestShellBadSettings(t *testing.T) {
	bb := program(t, "thirdparty", "busybox")
	fetch := func(url string) ([]byte, error) {
		if url == "bb" {
			return bb, nil
		}
		return nil, os.ErrNotExist
	}
	for _, c := range []struct {
		settings protocol.ShellSettings
		progs    []protocol.Program
		want     string
	}{
		{protocol.ShellSettings{Profile: "linux-2.6"}, nil, "machine settings: "},
		{protocol.ShellSettings{Msgbox: "drop"}, nil, `unknown msgbox policy "drop"`},
		{protocol.ShellSettings{}, []protocol.Program{{Name: "gone", URL: "musl/gone"}}, "fetching musl/gone for /bin/gone"},
	} {
		s := session.New(Start, fetch, "")
		e := s.Handle(protocol.ShellLoad(1, "bb", c.progs, c.settings))
		if e.State != protocol.StateFailed || !strings.Contains(e.Error, c.want) {
			t.Errorf("%+v: state %s error %q, want %q", c.settings, e.State, e.Error, c.want)
		}
	}
}

// TestShellManyProcesses: a fork bomb under the shell hits the process
// limit (512 tasks: the shell, forkbomb and 510 children) and the shell
// carries on; fork500's 500 children follow; the trace names many.
func TestShellManyProcesses(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{})
	typeLine(t, s, "")
	start := time.Now()
	out, tr, _ := typeLine(t, s, "forkbomb 600; fork500\n")
	t.Logf("%v, %d trace lines", time.Since(start), len(tr))
	for _, want := range []string{"forkbomb: wanted 600, created 510, EAGAIN 90, ENOMEM 0, other 0, reaped 510\n",
		"fork500: forked 500 of 500 (failed forks 0), reaped 500, children failed 0, messages 500, distinct 500, malformed 0: PASS\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	pids := map[int]bool{}
	for _, l := range tr {
		pids[l.Pid] = true
	}
	if len(pids) < 100 { // the session drops lines beyond 2000 a slice: not every pid shows
		t.Errorf("%d pids in the trace, want many of the 1013 processes", len(pids))
	}
}

// TestShellRunsAnUpload: a file carried in the request (an upload)
// replaces the test program of the same name.
func TestShellRunsAnUpload(t *testing.T) {
	hello := program(t, "musl", "hello")
	s := shellSession(t, protocol.ShellSettings{}, protocol.File{Path: "/bin/fork", Data: hello})
	typeLine(t, s, "")
	if out, _, _ := typeLine(t, s, "fork\n"); !strings.Contains(out, "hello, world\n") {
		t.Errorf("fork ran %q, want the uploaded hello", out)
	}
}

// TestShellInterrupt: ^C typed while a program runs in the foreground
// kills it (SIGINT to the terminal's foreground group), not the shell.
func TestShellInterrupt(t *testing.T) {
	s := shellSession(t, protocol.ShellSettings{})
	typeLine(t, s, "")
	s.Handle(protocol.Request{Type: protocol.Input, Text: "spin\n"})
	for i := 0; i < 40; i++ {
		passTime(s) // busybox waits 20 ms after a line for a late cursor report
		if e := s.Slice(); i >= 20 && e.State != protocol.StateRunning {
			t.Fatalf("spin stopped by itself: %+v", e.State)
		}
	}
	out, tr, _ := typeLine(t, s, "\x03")
	killed := false
	for _, l := range tr {
		killed = killed || l.Pid != 1 && strings.Contains(l.Text, "+++ killed by SIGINT +++")
	}
	if !killed || !strings.HasSuffix(out, "/bin $ ") {
		t.Errorf("after ^C: killed %v, console %q", killed, out)
	}
	if out, _, _ := typeLine(t, s, "echo still here\n"); !strings.Contains(out, "still here\n") {
		t.Errorf("the shell did not carry on: %q", out)
	}
}
