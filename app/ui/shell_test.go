package ui

import (
	"regexp"
	"strings"
	"testing"

	"trapdoor/wasm/protocol"
)

func TestShellEntry(t *testing.T) {
	w := newWorkbench(t)
	h := html(w)
	if !strings.Contains(h, `id="shell-entry"`) || strings.Contains(h, `id="shell-profile"`) {
		t.Fatal("the picker offers the shell; its settings show only once it is selected")
	}
	w.selected = shellKey
	w.shell = protocol.ShellSettings{Profile: "linux-4.15", Msgbox: "truncate", Seed: 42}
	h = html(w)
	for _, want := range []string{`shell-entry-on`, `id="shell-profile"`, `value="42"`, "./test -o set_param -p fork"} {
		if !strings.Contains(h, want) {
			t.Errorf("render lacks %q", want)
		}
	}
	// Attributes come in any order: find each option's tag.
	for _, v := range []string{"linux-4.15", "truncate"} {
		tag := regexp.MustCompile(`<option[^>]*value="` + v + `"[^>]*>`).FindString(h)
		if !strings.Contains(tag, "selected") {
			t.Errorf("option %s is not selected: %q", v, tag)
		}
	}
	// The shell gets the musl programs in /bin and the settings.
	r := w.shellLoad()
	if len(r.Files) != 2 || r.Files[0].Path != "/bin/hello" || r.Files[0].URL != "programs/musl/hello" ||
		r.URL != "programs/thirdparty/busybox" || r.Profile != "linux-4.15" || r.Msgbox != "truncate" || r.Seed != 42 {
		t.Errorf("shell load %+v", r)
	}
}

// TestTracePidColumn: once a second process shows in the trace, every
// line says its pid, as strace -f.
func TestTracePidColumn(t *testing.T) {
	w := newWorkbench(t)
	w.apply(protocol.Event{Type: protocol.Ready, Version: protocol.Version, CanRun: true})
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StateRunning,
		Trace: []protocol.TraceLine{{Pid: 1, Name: "fork", Seq: 1, Text: "fork() = 2"}}})
	if h := html(w); strings.Contains(h, "[pid 1]") {
		t.Error("one process: no pid column")
	}
	w.apply(protocol.Event{Type: protocol.Update, State: protocol.StateRunning,
		Trace: []protocol.TraceLine{{Pid: 2, Name: "getpid", Seq: 2, Text: "getpid() = 2"}}})
	h := html(w)
	for _, want := range []string{`<span class="pid">[pid 1] </span>`, `<span class="pid">[pid 2] </span>`} {
		if !strings.Contains(h, want) {
			t.Errorf("render lacks %q", want)
		}
	}
}

// TestProcessCountBeyondRows: a fork bomb's table shows 200 rows and
// counts every process.
func TestProcessCountBeyondRows(t *testing.T) {
	w := newWorkbench(t)
	ks := &protocol.KernelState{}
	for pid := 1; pid <= 300; pid++ {
		ks.Procs = append(ks.Procs, protocol.Proc{Pid: pid, State: "Z", Comm: "forkbomb"})
	}
	w.kernel = ks
	h := html(w)
	if !strings.Contains(h, "0 alive, 300 in all") || !strings.Contains(h, "… 100 more processes") {
		t.Error("the process table does not count the processes it does not show")
	}
}

// TestShellInstallsUploads: the user's programs go to /bin after the
// test programs, with the bytes in the request.
func TestShellInstallsUploads(t *testing.T) {
	w := newWorkbench(t)
	w.uploads = []upload{{Name: "my fork", Data: []byte("\x7fELF mine")}}
	r := w.shellLoad()
	last := r.Files[len(r.Files)-1]
	if last.Path != "/bin/my_fork" || string(last.Data) != "\x7fELF mine" || last.URL != "" {
		t.Errorf("the upload is installed as %+v", last)
	}
}
