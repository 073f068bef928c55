package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// Trace lines open on click to show the system call taken apart: its
// decoded arguments and the bytes that crossed between the process and the
// kernel (copy_from_user for what the call read, copy_to_user for what it
// wrote). The worker keeps them for its latest calls and sends one on
// request (protocol.Detail).

// dumpShown bounds the bytes of one buffer shown as a hex dump.
const dumpShown = 512

// onTraceClick reads the line's number from its data attribute (go-app
// keeps a reused element's first handler).
func (w *Workbench) onTraceClick(ctx app.Context, e app.Event) {
	if sel := app.Window().Call("getSelection"); sel.Truthy() && sel.Call("toString").String() != "" {
		return // selecting text to copy, not opening the line
	}
	seq, err := strconv.Atoi(e.Get("currentTarget").Get("dataset").Get("seq").String())
	if err != nil || seq == 0 {
		return
	}
	if w.open == nil {
		w.open = map[int]bool{}
	}
	if w.open[seq] {
		delete(w.open, seq)
		return
	}
	w.open[seq] = true
	if w.details[seq] == nil {
		w.w.send(protocol.Request{Type: protocol.Detail, Seq: seq})
	}
}

// showTraceLine scrolls an opened line's detail into view.
func showTraceLine(seq int) {
	el := app.Window().Get("document").Call("querySelector", fmt.Sprintf(`.trace-line[data-seq="%d"]`, seq))
	if el.Truthy() {
		el.Call("scrollIntoView", map[string]any{"block": "nearest"})
	}
}

func (w *Workbench) addDetail(d *protocol.TraceDetail) {
	if w.details == nil {
		w.details = map[int]*protocol.TraceDetail{}
	}
	w.details[d.Seq] = d
}

// renderTraceLine is one line of the trace, with its detail when open.
func (w *Workbench) renderTraceLine(l protocol.TraceLine) app.UI {
	if w.manyPids && l.Pid != 0 && !strings.HasPrefix(l.Text, "[pid ") {
		l.Text = fmt.Sprintf("[pid %d] ", l.Pid) + l.Text // as strace -f
	}
	if l.Seq == 0 {
		return app.Div().Class("trace-line").Body(traceLine(l.Text))
	}
	c := "trace-line expandable"
	if w.open[l.Seq] {
		c += " open"
	}
	return app.Div().Class(c).DataSet("seq", l.Seq).OnClick(w.onTraceClick).
		Title("Click for the decoded arguments and the bytes copied").Body(
		traceLine(l.Text),
		app.If(w.open[l.Seq], func() app.UI { return w.renderDetail(l.Seq) }),
	)
}

func (w *Workbench) renderDetail(seq int) app.UI {
	d := w.details[seq]
	if d == nil {
		return app.Div().Class("trace-detail").Text("…")
	}
	if d.Missing != "" {
		return app.Div().Class("trace-detail").Text(d.Missing)
	}
	return app.Div().Class("trace-detail").OnClick(keepOpen).Body(
		renderPath(d),
		app.Div().Class("detail-args").Body(app.Range(d.Args).Slice(func(i int) app.UI {
			a := d.Args[i]
			return app.Div().Class("detail-arg").Style("padding-left", fmt.Sprintf("%dem", 1+2*a.Depth)).Body(
				app.Span().Class("dim").Text(a.Name+" "), app.Text(a.Value))
		})),
		app.Range(d.Copies).Slice(func(i int) app.UI {
			c := d.Copies[i]
			return app.Div().Class("copy copy-"+or(c.Dir, "unknown")).Body(
				app.Div().Class("copy-head").Text(copyTitle(c)),
				app.Pre().Class("hexdump").Text(hexDump(c.Data, c.Addr, dumpShown)),
			)
		}),
	)
}

// renderPath shows the call's way into the kernel and back: the user
// code's int $0x80, the handler, what it copied, the value in eax.
func renderPath(d *protocol.TraceDetail) app.UI {
	name := "sys_" + d.Name
	user := "int $0x80"
	if d.Int80 != 0 {
		user = fmt.Sprintf("int $0x80 at %08x", d.Int80)
		if d.Where != "" {
			user += " " + d.Where
		}
	}
	steps := []string{fmt.Sprintf("user: %s, eax=%d", user, d.Nr), "kernel: " + name}
	for _, c := range d.Copies {
		switch c.Dir {
		case "in":
			steps = append(steps, fmt.Sprintf("copy_from_user %d bytes", len(c.Data)))
		case "out":
			steps = append(steps, fmt.Sprintf("copy_to_user %d bytes", len(c.Data)))
		}
	}
	back := "return: eax = " + d.Result
	if d.Int80 != 0 {
		back += fmt.Sprintf(", on at %08x", d.Int80+2)
	}
	steps = append(steps, back)
	return app.Div().Class("detail-path").Body(app.Range(steps).Slice(func(i int) app.UI {
		return app.Span().Class("path-step").Text(steps[i])
	}))
}

// keepOpen stops a click inside an open detail (selecting bytes, say)
// from closing its line.
func keepOpen(ctx app.Context, e app.Event) { e.Call("stopPropagation") }

func copyTitle(c protocol.Copy) string {
	how := "bytes at"
	switch c.Dir {
	case "in":
		how = "copy_from_user: the kernel read"
	case "out":
		how = "copy_to_user: the kernel wrote"
	}
	s := fmt.Sprintf("%s — %s %d bytes at %#x", c.Arg, how, len(c.Data), c.Addr)
	if c.More {
		s += " (the first 4 KiB)"
	}
	return s
}

// dumpRow is the bytes per hex dump row: eight keep a row within the
// trace panel's width.
const dumpRow = 8

// hexDump prints bytes as hexdump -C does (eight to a row), at most limit
// of them, with the guest addresses.
func hexDump(b []byte, addr uint32, limit int) string {
	if len(b) == 0 {
		return "(no bytes)"
	}
	var s strings.Builder
	shown := b[:min(len(b), limit)]
	for off := 0; off < len(shown); off += dumpRow {
		row := shown[off:min(off+dumpRow, len(shown))]
		fmt.Fprintf(&s, "%08x  ", addr+uint32(off))
		for i := 0; i < dumpRow; i++ {
			if i < len(row) {
				fmt.Fprintf(&s, "%02x ", row[i])
			} else {
				s.WriteString("   ")
			}
		}
		s.WriteString(" |")
		for _, c := range row {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			s.WriteByte(c)
		}
		s.WriteString("|\n")
	}
	if len(b) > limit {
		fmt.Fprintf(&s, "… %d more bytes", len(b)-limit)
	}
	return strings.TrimSuffix(s.String(), "\n")
}
