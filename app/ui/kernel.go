package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// The kernel panels: the process table, the selected process's address
// space (a VMA's pages on click), its signal state and the message box,
// from the snapshots the worker sends (protocol.KernelState): exact at
// every stop, a few times a second while the program runs.

// inspect asks the worker for the panels of pid and of its VMA at vma.
func (w *Workbench) inspect(pid int, vma uint32) {
	w.inspectPid, w.inspectVMA = pid, vma
	if w.loaded != "" {
		w.w.send(protocol.Request{Type: protocol.Inspect, Pid: pid, VMA: vma})
	}
}

// onProcClick and onVMAClick read the row's data attributes: go-app keeps
// a reused element's first handler, so per-row closures would go stale.
func (w *Workbench) onProcClick(ctx app.Context, e app.Event) {
	if pid, err := strconv.Atoi(e.Get("currentTarget").Get("dataset").Get("pid").String()); err == nil {
		w.inspect(pid, 0)
	}
}

func (w *Workbench) onVMAClick(ctx app.Context, e app.Event) {
	v, err := strconv.ParseUint(e.Get("currentTarget").Get("dataset").Get("start").String(), 16, 32)
	if err != nil {
		return
	}
	if uint32(v) == w.inspectVMA {
		v = 0 // a second click folds the pages away
	}
	w.inspect(w.kernelPid(), uint32(v))
}

// kernelPid is the process the panels describe.
func (w *Workbench) kernelPid() int {
	if w.kernel != nil && w.kernel.Pid != 0 {
		return w.kernel.Pid
	}
	return w.inspectPid
}

func (w *Workbench) kernelProc() *protocol.Proc {
	if w.kernel == nil {
		return nil
	}
	for i := range w.kernel.Procs {
		if w.kernel.Procs[i].Pid == w.kernel.Pid {
			return &w.kernel.Procs[i]
		}
	}
	return nil
}

func (w *Workbench) renderKernel() app.UI {
	return app.Div().Class("tw-kernel").Body(
		app.Div().Class("tw-kleft").Body(w.renderProcs(), w.renderSignals(), w.renderMsgbox()),
		w.renderSpace(),
	)
}

func kernelPanel(id, title, meta string, body app.UI) app.UI {
	return app.Section().Class("panel kpanel").ID(id).Body(
		app.Div().Class("panel-head").Body(app.H3().Text(title), app.Span().Class("panel-meta").Text(meta)),
		app.Div().Class("panel-body kbody").Body(body),
	)
}

func (w *Workbench) renderProcs() app.UI {
	if w.kernel == nil {
		return kernelPanel("procs", "Processes", "", app.P().Class("empty").
			Text("The kernel's process table (as ps shows it) appears here once a program is loaded. Click a process to see its memory and signals."))
	}
	if len(w.kernel.Procs) == 0 {
		return kernelPanel("procs", "Processes", "none left", app.P().Class("empty").ID("procs-none").
			Text("Every process has ended and been reaped: the table is empty. Restart the program, or stop it earlier (a breakpoint, Next syscall) to look at its processes."))
	}
	procs := w.kernel.Procs
	alive := 0
	for _, p := range procs {
		if p.State != "Z" {
			alive++
		}
	}
	more, all := 0, len(procs)
	if len(procs) > maxProcRows { // a fork bomb: the table stays quick to draw
		procs, more = procs[:maxProcRows], len(procs)-maxProcRows
	}
	return kernelPanel("procs", "Processes", fmt.Sprintf("%d alive, %d in all", alive, all),
		app.Table().Class("ktable procs").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text("PID"), app.Th().Text("PPID"), app.Th().Text("S").Title("R running, S sleeping in a system call, D uninterruptible sleep (a module's down(), msleep or kernel-mode page fault), T stopped, Z zombie (exited, not yet reaped)"),
				app.Th().Text("VSZ").Title("Mapped memory, KiB"), app.Th().Class("wide").Text("COMMAND"),
			)),
			app.TBody().Body(app.Range(procs).Slice(func(i int) app.UI {
				p := procs[i]
				c := "proc state-" + p.State
				if p.Pid == w.kernel.Pid {
					c += " sel"
				}
				cmd := strings.Join(p.Cmdline, " ")
				if cmd == "" {
					cmd = "[" + p.Comm + "]" // as ps shows a process without a command line
				}
				state := p.State
				if p.OnCPU {
					state += "●"
				}
				return app.Tr().Class(c).DataSet("pid", p.Pid).OnClick(w.onProcClick).
					Title(fmt.Sprintf("pid %d (%s), parent %d%s", p.Pid, p.Comm, p.PPid, onCPU(p.OnCPU))).Body(
					app.Td().Text(p.Pid), app.Td().Text(p.PPid), app.Td().Class("st").Text(state),
					app.Td().Text(p.VSizeKB), app.Td().Class("wide cmd").Text(cmd),
				)
			})),
			app.If(more > 0, func() app.UI {
				return app.TBody().Body(app.Tr().Body(app.Td().ColSpan(5).Class("dim").Text(fmt.Sprintf("… %d more processes", more))))
			}),
		))
}

// maxProcRows bounds the process table's rows.
const maxProcRows = 200

func onCPU(on bool) string {
	if on {
		return "; on the CPU"
	}
	return ""
}

func (w *Workbench) renderSpace() app.UI {
	title := "Address space"
	if p := w.kernelProc(); p != nil {
		title = fmt.Sprintf("Address space of %d (%s)", p.Pid, p.Comm)
	}
	if w.kernel == nil || w.kernel.Space == nil {
		msg := "The selected process's memory map appears here: each VMA with its rights, what backs it, how many of its pages are present and how many share their frame with another process (copy-on-write after fork). Click a VMA to see its page-table entries."
		if w.kernel != nil && len(w.kernel.Procs) > 0 {
			msg = "This process has no memory left: it has exited (a zombie waits for its parent to reap it)."
		} else if w.kernel != nil {
			msg = "No process is left, so no address space."
		}
		return kernelPanel("space", title, "", app.P().Class("empty").Text(msg))
	}
	sp := w.kernel.Space
	meta := fmt.Sprintf("%d faults, %d copy-on-write", sp.MinorFaults+sp.CoWFaults, sp.CoWFaults)
	return app.Section().Class("panel kpanel").ID("space").Body(
		app.Div().Class("panel-head").Body(app.H3().Text(title), app.Span().Class("panel-meta").Text(meta)),
		app.Div().Class("panel-body kbody space-body").Body(
			app.Table().Class("ktable vmas").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text("RANGE"), app.Th().Text("PERMS"),
					app.Th().Text("PAGES").Title("Present / all pages of the VMA"),
					app.Th().Text("SHARED").Title("Present pages whose frame another mapping shares (copy-on-write after fork, or MAP_SHARED)"),
					app.Th().Text("COW").Title("Copy-on-write faults taken in this VMA"),
					app.Th().Class("wide").Text("MAPPING"),
				)),
				app.TBody().Body(app.Range(sp.VMAs).Slice(func(i int) app.UI {
					v := sp.VMAs[i]
					c := "vma"
					if v.Start == w.inspectVMA {
						c += " sel"
					}
					if v.Shared > 0 {
						c += " vma-shared"
					}
					return app.Tr().Class(c).DataSet("start", fmt.Sprintf("%x", v.Start)).OnClick(w.onVMAClick).
						Title("Click to show this VMA's page-table entries").Body(
						app.Td().Text(fmt.Sprintf("%08x-%08x", v.Start, v.End)),
						app.Td().Text(v.Perms),
						app.Td().Text(fmt.Sprintf("%d/%d", v.Present, v.Pages)),
						app.Td().Class("shared").Text(zeroDash(v.Shared)),
						app.Td().Class("cow").Text(zeroDash(int(v.CoWFaults))),
						app.Td().Class("wide").Text(vmaName(v)),
					)
				})),
			),
			w.renderPages(),
		),
	)
}

func zeroDash(n int) string {
	if n == 0 {
		return "·"
	}
	return strconv.Itoa(n)
}

func vmaName(v protocol.VMA) string {
	if v.Name != "" {
		return v.Name
	}
	return "[" + v.Kind + "]"
}

// renderPages shows the selected VMA's pages as a strip of cells: absent,
// private, shared (the frame has other mappings: after fork both sides
// read one frame until one writes), dirty.
func (w *Workbench) renderPages() app.UI {
	k := w.kernel
	if w.inspectVMA == 0 || k.PagesOf != w.inspectVMA {
		return app.P().Class("pages-hint").Text("Click a VMA to see its pages: which are present, which frame backs each and how many mappings share it.")
	}
	present, shared := 0, 0
	for _, p := range k.Pages {
		if p.Present {
			present++
			if p.Refs > 1 {
				shared++
			}
		}
	}
	more := ""
	if k.PagesMore > 0 {
		more = fmt.Sprintf(" (%d more not shown)", k.PagesMore)
	}
	return app.Div().Class("pages").Body(
		app.Div().Class("pages-head").Text(fmt.Sprintf("Pages from %08x: %d shown%s, %d present, %d shared", k.PagesOf, len(k.Pages), more, present, shared)),
		app.Div().Class("pages-grid").Body(app.Range(k.Pages).Slice(func(i int) app.UI {
			p := k.Pages[i]
			c, text, title := "pg pg-absent", "·", fmt.Sprintf("%08x: not present (never touched, or dropped)", p.Addr)
			if p.Present {
				c, text = "pg pg-private", fmt.Sprintf("%x", p.Frame)
				what := "private"
				if p.Refs > 1 {
					c, what = "pg pg-shared", fmt.Sprintf("shared by %d mappings", p.Refs)
					if !p.Writable {
						what += ", read-only: a write copies it (CoW)"
					}
				}
				if p.Dirty {
					c += " pg-dirty"
				}
				rw := "read-only"
				if p.Writable {
					rw = "writable"
				}
				title = fmt.Sprintf("%08x → frame %#x, %s, %s", p.Addr, p.Frame, rw, what)
			}
			return app.Span().Class(c).Title(title).Body(
				app.Text(text),
				app.If(p.Refs > 1, func() app.UI { return app.Sup().Text(fmt.Sprintf("×%d", p.Refs)) }),
			)
		})),
		app.Div().Class("pages-legend").Body(
			app.Span().Class("pg pg-private").Text("frame"), app.Text(" private  "),
			app.Span().Class("pg pg-shared").Text("frame"), app.Text(" shared (refcount > 1)  "),
			app.Span().Class("pg pg-absent").Text("·"), app.Text(" not present"),
		),
	)
}

func (w *Workbench) renderSignals() app.UI {
	title := "Signals"
	if p := w.kernelProc(); p != nil {
		title = fmt.Sprintf("Signals of %d", p.Pid)
	}
	if w.kernel == nil || w.kernel.Signals == nil {
		msg := "The selected process's signal dispositions, blocked mask and pending signals appear here."
		if w.kernel != nil {
			msg = "No process is left, so no signal state."
		}
		return kernelPanel("signals", title, "", app.P().Class("empty").Text(msg))
	}
	s := w.kernel.Signals
	list := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		return strings.Join(names, " ")
	}
	var pending []string
	for _, p := range s.Pending {
		n := p.Name
		if p.Blocked {
			n += " (blocked)"
		}
		pending = append(pending, n)
	}
	return kernelPanel("signals", title, fmt.Sprintf("%d handled or ignored", len(s.Actions)), app.Div().Body(
		app.Dl().Class("sigmask").Body(
			app.Dt().Text("Blocked"), app.Dd().ID("sig-blocked").Text(list(s.Blocked)),
			app.Dt().Text("Pending"), app.Dd().ID("sig-pending").Text(list(pending)),
		),
		app.If(len(s.Actions) == 0, func() app.UI {
			return app.P().Class("empty").Text("Every signal has its default action.")
		}).Else(func() app.UI {
			return app.Table().Class("ktable sigs").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text("SIGNAL"), app.Th().Text("ACTION"), app.Th().Class("wide").Text("FLAGS, MASK"))),
				app.TBody().Body(app.Range(s.Actions).Slice(func(i int) app.UI {
					a := s.Actions[i]
					action := "ignored"
					if !a.Ignored {
						action = fmt.Sprintf("%08x", a.Handler)
						if a.Where != "" {
							action += " " + a.Where
						}
					}
					extra := strings.Join(a.Flags, "|")
					if len(a.Mask) > 0 {
						extra += " mask " + strings.Join(a.Mask, " ")
					}
					return app.Tr().Body(app.Td().Class("sig").Text(a.Name), app.Td().Text(action), app.Td().Class("wide dim").Text(extra))
				})),
			)
		}),
	))
}

func (w *Workbench) renderMsgbox() app.UI {
	if w.kernel == nil || w.kernel.Msgbox == nil {
		return kernelPanel("msgbox", "Message box", "", app.P().Class("empty").Text("The course's message box (msgbox_put pushes, msgbox_get pops) appears here."))
	}
	if m := w.msgboxModule(); m != "" { // module_view.go
		return kernelPanel("msgbox", "Message box", "module "+m, app.P().Class("empty").ID("msgbox-module").
			Text("The module "+m+" handles msgbox_put and msgbox_get: its messages are kmalloc blocks, listed in the Kernel modules panel."))
	}
	mb := w.kernel.Msgbox
	meta := fmt.Sprintf("depth %d, %d of %d bytes", mb.Depth, mb.Used, mb.Limit)
	if mb.Policy != "" {
		meta += ", " + mb.Policy
	}
	var body app.UI
	if mb.Depth == 0 {
		body = app.P().Class("empty").Text("Empty: msgbox_put pushes a message, msgbox_get pops the top one.")
	} else {
		body = app.Ol().Class("msgs").Body(app.Range(mb.Messages).Slice(func(i int) app.UI {
			label := ""
			if i == 0 {
				label = "top "
			}
			return app.Li().Body(app.Span().Class("dim").Text(label), app.Text(mb.Messages[i]))
		}))
	}
	return kernelPanel("msgbox", "Message box", meta, body)
}
