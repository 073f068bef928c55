package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// maxModuleKB bounds an uploaded module (the examples are a few KB).
const maxModuleKB = 1024

// renderModules is the kernel modules panel: the modules to load with
// the program (shipped examples, uploads) and, once loaded, the syscall
// rows each replaces, where the CPU is inside one, and their kmalloc
// blocks.
func (w *Workbench) renderModules() app.UI {
	c := &w.kmods
	if !c.read {
		c.examples, c.envErr = modulesFromEnv()
		c.read = true
	}
	var st *protocol.ModuleState
	if w.kernel != nil {
		st = w.kernel.Modules
	}
	meta := moduleMeta(st, len(c.files()))
	return app.Section().Class("panel kpanel").ID("modules").Body(
		app.Div().Class("panel-head").Body(app.H3().Text("Kernel modules"), app.Span().ID("modules-meta").Class("panel-meta").Text(meta)),
		app.Div().Class("panel-body kbody").Body(
			app.P().Class("picker-hint").Text("Modules are linked into the kernel before the program starts (insmod) and replace the system calls they declare. Changing them restarts the program. Step at a module's int $0x80 goes into it at CPL 0."),
			app.Div().Class("kmod-choices").Body(
				app.Range(c.examples).Slice(func(i int) app.UI {
					m := c.examples[i]
					cl, label := "btn kmod-example", m.Name
					if c.picked[m.Name] {
						cl, label = cl+" kmod-on", "✓ "+m.Name
					}
					return app.Button().Class(cl).DataSet("name", m.Name).Title(m.Purpose).
						Aria("pressed", c.picked[m.Name]).OnClick(w.onModuleToggle).Text(label)
				}),
				app.Label().Class("btn btn-upload").For("kmod-upload").Body(
					app.Text("Upload a module (.o)…"),
					app.Input().ID("kmod-upload").Type("file").Accept(".o").Class("upload-input").OnChange(w.onModuleUpload),
				),
				app.Range(c.uploads).Slice(func(i int) app.UI {
					name := c.uploads[i].Path
					return app.Span().Class("kmod-upload kmod-on").Body(
						app.Text(name+" "),
						app.Button().Class("remove").Title("Do not load this module").DataSet("name", name).
							OnClick(w.onModuleDrop).Text("×"),
					)
				}),
			),
			app.If(c.err != "" || c.envErr != "", func() app.UI {
				return app.P().Class("upload-err").ID("kmod-err").Text(strings.TrimSpace(c.err + " " + c.envErr))
			}),
			app.If(st != nil, func() app.UI { return renderModuleState(st) }),
		),
	)
}

// moduleMeta is the panel's header: the modules loaded on the machine
// (the user's picks, a scenario's, both), not the picks alone; picks
// count only while no machine has taken them yet.
func moduleMeta(st *protocol.ModuleState, chosen int) string {
	switch {
	case st != nil && st.In != "":
		return "CPU in " + st.In + ", CPL 0"
	case st != nil && len(st.Modules) > 0:
		names := make([]string, len(st.Modules))
		for i, m := range st.Modules {
			names[i] = m.Name
		}
		return fmt.Sprintf("%d loaded: %s", len(names), strings.Join(names, ", "))
	case chosen > 0:
		return fmt.Sprintf("%d chosen, loaded with the program", chosen)
	}
	return "none loaded"
}

// renderModuleState lists the loaded modules and their kmalloc blocks.
func renderModuleState(st *protocol.ModuleState) app.UI {
	return app.Div().ID("modules-loaded").Body(
		app.Table().Class("ktable").ID("kmod-syscalls").Body(
			app.THead().Body(app.Tr().Body(app.Th().Text("nr"), app.Th().Text("system call"), app.Th().Text("module"), app.Th().Text("at"))),
			app.TBody().Body(app.Range(st.Modules).Slice(func(i int) app.UI {
				m := st.Modules[i]
				var rows []app.UI
				for _, s := range m.Syscalls {
					rows = append(rows, app.Tr().Body(
						app.Td().Text(fmt.Sprint(s.Nr)),
						app.Td().Text(fmt.Sprintf("%s (%d args)", s.Name, s.Args)),
						app.Td().Text(m.Name),
						app.Td().Class("mono").Text(fmt.Sprintf("%08x, %d bytes", m.Base, m.Size)),
					))
				}
				if len(rows) == 0 {
					rows = append(rows, app.Tr().Body(app.Td().Text("—"), app.Td().Text("no system calls"), app.Td().Text(m.Name),
						app.Td().Class("mono").Text(fmt.Sprintf("%08x, %d bytes", m.Base, m.Size))))
				}
				return app.Range(rows).Slice(func(j int) app.UI { return rows[j] })
			})),
		),
		app.P().Class("dim").ID("kmod-heap").Text(fmt.Sprintf("kmalloc: %d bytes in %d blocks; %d module calls, %d oopses",
			st.HeapBytes, st.HeapCount, st.Calls, st.Oopses)),
		app.If(len(st.Allocations) > 0, func() app.UI {
			return app.Table().Class("ktable").ID("kmod-allocs").Body(
				app.THead().Body(app.Tr().Body(app.Th().Text("address"), app.Th().Text("size"), app.Th().Text("allocated at"))),
				app.TBody().Body(app.Range(st.Allocations).Slice(func(i int) app.UI {
					a := st.Allocations[i]
					return app.Tr().Body(app.Td().Class("mono").Text(fmt.Sprintf("%08x", a.Addr)),
						app.Td().Text(fmt.Sprint(a.Size)), app.Td().Class("mono").Text(a.Caller))
				})),
			)
		}),
	)
}

// modulesChanged restarts a loaded program: modules load before it starts.
func (w *Workbench) modulesChanged(ctx app.Context) {
	w.kmods.save(ctx)
	if w.loaded != "" && w.worker == "ready" {
		w.load()
	}
}

func (w *Workbench) onModuleToggle(ctx app.Context, e app.Event) {
	w.kmods.toggle(e.Get("currentTarget").Get("dataset").Get("name").String())
	w.modulesChanged(ctx)
}

func (w *Workbench) onModuleDrop(ctx app.Context, e app.Event) {
	w.kmods.drop(e.Get("currentTarget").Get("dataset").Get("name").String())
	w.modulesChanged(ctx)
}

// onModuleUpload reads the chosen .o as onUpload reads a program.
func (w *Workbench) onModuleUpload(ctx app.Context, e app.Event) {
	files := e.Get("target").Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	f := files.Index(0)
	name := f.Get("name").String()
	e.Get("target").Set("value", "")
	if size := f.Get("size").Int(); size > maxModuleKB<<10 {
		w.kmods.err = fmt.Sprintf("%s is %d KB: modules up to %d KB are taken", name, size>>10, maxModuleKB)
		return
	}
	var then app.Func
	then = app.FuncOf(func(this app.Value, args []app.Value) any {
		arr := app.Window().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		ctx.Dispatch(func(ctx app.Context) {
			then.Release()
			w.kmods.addUpload(safeName(name), b)
			if w.kmods.err == "" {
				w.modulesChanged(ctx)
			}
		})
		return nil
	})
	f.Call("arrayBuffer").Call("then", then)
}

// safeName keeps a file name to printable characters without slashes.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == '/' || r > '~' {
			return '_'
		}
		return r
	}, name)
}

// msgboxModule names the loaded module that replaces the message box's
// calls (msgbox_put, 500; msgbox_get, 501), if any: the built-in box
// then stays empty and the messages are the module's kmalloc blocks.
func (w *Workbench) msgboxModule() string {
	if w.kernel == nil || w.kernel.Modules == nil {
		return ""
	}
	for _, m := range w.kernel.Modules.Modules {
		for _, s := range m.Syscalls {
			if s.Nr == 500 || s.Nr == 501 {
				return m.Name
			}
		}
	}
	return ""
}
