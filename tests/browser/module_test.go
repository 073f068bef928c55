package browser

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestModuleStep loads testit with the example msgbox module, stops it
// right after its first msgbox_get, steps to the first msgbox_put's
// int $0x80, into the module's sys_dm510_msgbox_put at CPL 0 (module
// symbols in the code view, kernel addresses), instruction by instruction
// back to user code, and runs testit to its end.
func TestModuleStep(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url)
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	paused := func(why string) chromedp.Action {
		return chromedp.Poll(`document.querySelector("#stat-state").textContent === "Paused`+why+`"`, nil, chromedp.WithPollingTimeout(30*time.Second))
	}
	e.run("choosing testit and the msgbox module",
		chromedp.Click(`.tab:nth-child(1)`),
		chromedp.Click(`.program[data-key="musl/testit"]`),
		chromedp.Click(`.kmod-example[data-name="msgbox.o"]`),
		chromedp.WaitVisible(`.kmod-example.kmod-on[data-name="msgbox.o"]`),
		setField("#breaks", "msgbox_get()"),
		chromedp.Click("#run"),
		paused(": breakpoint on msgbox_get"),
	)
	if rows := e.text("#kmod-syscalls"); !strings.Contains(rows, "500") || !strings.Contains(rows, "sys_dm510_msgbox_put") ||
		!strings.Contains(rows, "501") || !strings.Contains(rows, "msgbox") {
		t.Errorf("the module panel's syscall rows: %q", rows)
	}
	if note := e.text("#msgbox-module"); !strings.Contains(note, "module msgbox") {
		t.Errorf("the message box panel, with the module loaded: %q", note)
	}
	// stepUntil clicks Step until cond (a JS expression) holds, waiting
	// for each step's stop; it returns the steps taken, -1 if cond never
	// held within max.
	stepUntil := func(what, cond string, max int) int {
		var n int
		e.run(what, chromedp.Evaluate(`(async () => {
			const sleep = (ms) => new Promise(r => setTimeout(r, ms));
			const state = () => document.querySelector("#stat-state").textContent;
			const eip = () => document.querySelector("#stat-eip").textContent;
			const insns = () => document.querySelector("#stat-insns").textContent;
			const first = () => (document.querySelector("#code .asm-eip .asm-text") || {}).textContent || "";
			const eax = () => (document.querySelector("#regs .reg .reg-val") || {}).textContent || "";
			const where = () => (document.querySelector("#code .panel-meta") || {}).textContent || "";
			for (let i = 0; i < `+strconv.Itoa(max)+`; i++) {
				if (`+cond+`) return i;
				const before = insns();
				document.querySelector("#step").click();
				for (let w = 0; w < 2500 && (insns() === before || !state().startsWith("Paused")); w++) await sleep(2);
			}
			return -1;
		})()`, &n, await))
		return n
	}
	n := stepUntil("stepping to msgbox_put's int $0x80", `first().startsWith("int") && eax() === "000001f4"`, 300)
	if n < 0 {
		e.shot("module-no-int80")
		t.Fatal("no int $0x80 with eax 500 (msgbox_put) within 300 steps of the first msgbox_get")
	}
	int80, _ := strconv.ParseUint(e.text("#stat-eip"), 16, 32)
	t.Logf("MEASURE %d steps from msgbox_get's return to msgbox_put's int $0x80 at %#x", n, int80)

	start := time.Now()
	stepUntil("stepping into the module", `eip() !== "`+e.text("#stat-eip")+`"`, 1)
	where, eip := e.text("#code .panel-meta"), e.text("#stat-eip")
	at, _ := strconv.ParseUint(eip, 16, 32)
	if !strings.HasPrefix(where, "sys_dm510_msgbox_put+0x0/") || !strings.HasSuffix(where, "[msgbox]") || at < 0xC0000000 {
		t.Errorf("one step from int $0x80: eip %s, the code view says %q (want sys_dm510_msgbox_put+0x0/… [msgbox] above 0xc0000000)", eip, where)
	}
	if meta := e.text("#modules-meta"); !strings.Contains(meta, "[msgbox]") || !strings.Contains(meta, "CPL 0") {
		t.Errorf("the module panel says %q", meta)
	}
	esp := e.text("#regs .reg:nth-child(5) .reg-val")
	if v, _ := strconv.ParseUint(esp, 16, 32); v < 0xC0000000 {
		t.Errorf("esp %s inside the module: not a kernel stack", esp)
	}
	// A few instructions in: still the module, a later address.
	stepUntil("stepping in the module", "false", 6)
	e.shot("module-01-stepping")
	where2, eip2 := e.text("#code .panel-meta"), e.text("#stat-eip")
	if at2, _ := strconv.ParseUint(eip2, 16, 32); at2 < 0xC0000000 || !strings.Contains(where2, "[msgbox]") || eip2 == eip {
		t.Errorf("six steps later: eip %s, code view %q", eip2, where2)
	}
	n = stepUntil("stepping back to user code", `parseInt(eip(), 16) < 0xc0000000`, 2000)
	if n < 0 {
		e.shot("module-stuck")
		t.Fatalf("still in the kernel 2000 steps later, at %s %q", e.text("#stat-eip"), e.text("#code .panel-meta"))
	}
	back, _ := strconv.ParseUint(e.text("#stat-eip"), 16, 32)
	t.Logf("MEASURE %d more steps through the module back to user code (%v in the page)", n+7, time.Since(start).Round(time.Millisecond))
	if back != int80+2 {
		t.Errorf("back in user code at %#x, want the instruction after the int at %#x", back, int80+2)
	}
	if eax := e.text("#regs .reg .reg-val"); eax != "00000000" {
		t.Errorf("msgbox_put returned eax %s, want 0", eax)
	}
	if allocs := e.text("#kmod-allocs"); !strings.Contains(allocs, "[msgbox]") {
		t.Errorf("kmalloc blocks after a put: %q", allocs)
	}
	e.shot("module-02-back")
	e.run("running testit to its end", setField("#breaks", ""), chromedp.Click("#run"),
		chromedp.Poll(`document.querySelector("#stat-state").textContent === "Exited"`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	if out := e.text("#console .console-text"); !strings.Contains(out, "testit: all ok") {
		t.Errorf("testit printed %q", out)
	}
}

// TestModuleUpload uploads a module of one's own (a copy of the example
// sayhello.o under another name) and a file that is no module: the first
// is loaded with the program (its rows in the panel, the kernel's load
// message in the log, its printk from sayhello's call), the second
// refused with a reason.
func TestModuleUpload(t *testing.T) {
	e := setup(t, prefix)
	e.load(e.url)
	if !e.canRun() {
		t.Skip("this build cannot run programs yet")
	}
	obj, err := os.ReadFile("../../testvectors/modules/sayhello.o")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mine, junk := filepath.Join(dir, "greeter.o"), filepath.Join(dir, "notes.o")
	if err := os.WriteFile(mine, obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not an object file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.run("uploading a file that is no module",
		chromedp.SetUploadFiles("#kmod-upload", []string{junk}, chromedp.NodeReady),
		chromedp.WaitVisible("#kmod-err"))
	if msg := e.text("#kmod-err"); !strings.Contains(msg, "notes.o") || !strings.Contains(msg, "relocatable") {
		t.Errorf("the error for a text file: %q", msg)
	}
	e.run("uploading greeter.o and running sayhello with it",
		chromedp.SetUploadFiles("#kmod-upload", []string{mine}, chromedp.NodeReady),
		chromedp.WaitVisible(".kmod-upload"),
		chromedp.Click(`.tab:nth-child(1)`),
		chromedp.Click(`.program[data-key="musl/sayhello"]`),
		chromedp.Click("#run"),
		chromedp.Poll(`document.querySelector("#stat-state").textContent === "Exited"`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Click("#tab-log"),
		chromedp.WaitVisible("#trace .klog"),
	)
	if rows := e.text("#kmod-syscalls"); !strings.Contains(rows, "502") || !strings.Contains(rows, "503") || !strings.Contains(rows, "greeter") {
		t.Errorf("the module panel's rows: %q", rows)
	}
	// sayhello's call ran the module's code, not the built-in row.
	if heap := e.text("#kmod-heap"); !strings.Contains(heap, "1 module calls") {
		t.Errorf("the module panel counts %q", heap)
	}
	log := e.text("#trace .trace-lines")
	if !strings.Contains(log, "greeter: loaded at 0xc") || !strings.Contains(log, "Hello !") {
		t.Errorf("the kernel log: %q", log)
	}
	e.shot("module-03-upload")
	// The choice is kept: after a reload the module is still there.
	e.load(e.url)
	e.run("reloading", chromedp.WaitVisible(".kmod-upload"))
	if chip := e.text(".kmod-upload"); !strings.Contains(chip, "greeter.o") {
		t.Errorf("after a reload the uploaded module shows as %q", chip)
	}
}
