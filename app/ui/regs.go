package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// setRegs records the registers of an event. Changes are highlighted
// against the registers at the previous stop, the way a debugger shows
// what the last step or run did.
func (w *Workbench) setRegs(r *protocol.Regs, state string) {
	if r == nil {
		return
	}
	if state != protocol.StateRunning {
		if w.regsStop != nil && *w.regsStop != *r {
			prev := *w.regsStop
			w.regsPrev = &prev
		}
		stop := *r
		w.regsStop = &stop
	}
	w.regs = r
}

// eflagsNames are the flags shown by name, low bit first.
var eflagsNames = []struct {
	bit  uint
	name string
}{{0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"}}

func flagsText(v uint32) string {
	var on []string
	for _, f := range eflagsNames {
		if v&(1<<f.bit) != 0 {
			on = append(on, f.name)
		}
	}
	if len(on) == 0 {
		return "–"
	}
	return strings.Join(on, " ")
}

func (w *Workbench) renderRegs() app.UI {
	if w.regs == nil || w.state == protocol.StateRunning {
		return app.Div().ID("regs").Class("regs regs-none")
	}
	r := *w.regs
	cell := func(name, value string, changed bool) app.UI {
		c := "reg"
		if changed {
			c += " reg-changed"
		}
		return app.Div().Class(c).Body(app.Span().Class("reg-name").Text(name), app.Span().Class("reg-val").Text(value))
	}
	var cells []app.UI
	for i, v := range r.GPR {
		cells = append(cells, cell(protocol.GPRNames[i], fmt.Sprintf("%08x", v), w.regsPrev != nil && w.regsPrev.GPR[i] != v))
	}
	cells = append(cells,
		cell("eip", fmt.Sprintf("%08x", r.EIP), w.regsPrev != nil && w.regsPrev.EIP != r.EIP),
		cell("eflags", fmt.Sprintf("%08x %s", r.EFLAGS, flagsText(r.EFLAGS)), w.regsPrev != nil && w.regsPrev.EFLAGS != r.EFLAGS),
	)
	return app.Div().ID("regs").Class("regs").Title("Registers at the next instruction; changed since the previous stop in color").Body(cells...)
}

// renderCode is the disassembly from EIP on, while the program is stopped.
func (w *Workbench) renderCode() app.UI {
	if len(w.code) == 0 {
		return app.Section().ID("code").Class("panel code-none")
	}
	return app.Section().ID("code").Class("panel code").Body(
		app.Div().Class("panel-head").Body(
			app.H3().Text("Code"),
			app.Span().Class("panel-meta").Text(w.code[0].Where),
		),
		app.Div().Class("panel-body code-body").Body(
			app.Range(w.code).Slice(func(i int) app.UI {
				l := w.code[i]
				c := "asm"
				if i == 0 {
					c += " asm-eip"
				}
				return app.Div().Class(c).Body(
					app.Span().Class("asm-addr").Text(fmt.Sprintf("%08x", l.Addr)),
					app.Span().Class("asm-bytes").Text(l.Bytes),
					app.Span().Class("asm-text").Text(l.Text),
				)
			}),
		),
	)
}

// renderStack is the stack from ESP up while the program is stopped, with
// the words that point into a symbol named (return addresses among them).
func (w *Workbench) renderStack() app.UI {
	if len(w.stack) == 0 {
		return app.Section().ID("stack").Class("panel code-none")
	}
	return app.Section().ID("stack").Class("panel code").Body(
		app.Div().Class("panel-head").Body(
			app.H3().Text("Stack"),
			app.Span().Class("panel-meta").Text("from esp up"),
		),
		app.Div().Class("panel-body code-body").Body(
			app.Range(w.stack).Slice(func(i int) app.UI {
				s := w.stack[i]
				return app.Div().Class("asm").Body(
					app.Span().Class("asm-addr").Text(fmt.Sprintf("%08x", s.Addr)),
					app.Span().Class("stack-val").Text(fmt.Sprintf("%08x", s.Value)),
					app.Span().Class("stack-where").Text(s.Where),
				)
			}),
		),
	)
}
