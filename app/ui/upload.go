package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// Uploaded programs live in the browser's localStorage (base64 in JSON),
// so they are there on the next visit and offline. localStorage holds about
// 5 MB per site: a few static programs.
const (
	uploadsKey  = "trapdoor.uploads"
	uploadLibc  = "upload" // the pseudo-libc of uploaded programs' keys
	maxUploads  = 6
	maxUploadMB = 4
)

type upload struct {
	Name  string    `json:"name"`
	Data  []byte    `json:"data"`
	Added time.Time `json:"added"`
}

func (u upload) program() protocol.Program {
	return protocol.Program{Name: u.Name, Libc: uploadLibc, Size: int64(len(u.Data)),
		Purpose: fmt.Sprintf("Your program, %s, added %s.", sizeText(len(u.Data)), u.Added.Format("2 Jan 2006 15:04"))}
}

func sizeText(n int) string {
	if n < 10<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

func (w *Workbench) loadUploads(ctx app.Context) {
	var us []upload
	if err := ctx.LocalStorage().Get(uploadsKey, &us); err != nil {
		w.uploadErr = "your saved programs could not be read: " + err.Error()
		return
	}
	w.uploads = us
}

func (w *Workbench) saveUploads(ctx app.Context) {
	if err := ctx.LocalStorage().Set(uploadsKey, w.uploads); err != nil {
		w.uploadErr = "the browser would not keep this program for next time (storage full?): " + err.Error()
	}
}

// onUpload reads the chosen file without blocking the handler: the bytes
// arrive in a promise callback and are handed to the UI goroutine.
func (w *Workbench) onUpload(ctx app.Context, e app.Event) {
	files := e.Get("target").Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	f := files.Index(0)
	name := f.Get("name").String()
	size := f.Get("size").Int()
	e.Get("target").Set("value", "") // the same file can be chosen again
	if size > maxUploadMB<<20 {
		w.uploadErr = fmt.Sprintf("%s is %d MB: programs up to %d MB can be kept here", name, size>>20, maxUploadMB)
		return
	}
	var then app.Func
	then = app.FuncOf(func(this app.Value, args []app.Value) any {
		arr := app.Window().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		ctx.Dispatch(func(ctx app.Context) {
			then.Release()
			w.addUpload(ctx, name, b)
		})
		return nil
	})
	f.Call("arrayBuffer").Call("then", then)
}

func (w *Workbench) addUpload(ctx app.Context, name string, b []byte) {
	w.uploadErr = ""
	name = strings.Map(func(r rune) rune {
		if r <= ' ' || r == '/' || r > '~' {
			return '_'
		}
		return r
	}, name)
	u := upload{Name: name, Data: b, Added: time.Now()}
	kept := []upload{u}
	for _, o := range w.uploads {
		if o.Name != name && len(kept) < maxUploads {
			kept = append(kept, o)
		}
	}
	w.uploads = kept
	w.saveUploads(ctx)
	w.selectProgram(ctx, uploadLibc+"/"+name)
}

func (w *Workbench) removeUpload(ctx app.Context, e app.Event) {
	name := e.Get("currentTarget").Get("dataset").Get("name").String()
	var kept []upload
	for _, u := range w.uploads {
		if u.Name != name {
			kept = append(kept, u)
		}
	}
	w.uploads = kept
	w.saveUploads(ctx)
}

func (w *Workbench) uploaded(k string) *upload {
	for i := range w.uploads {
		if uploadLibc+"/"+w.uploads[i].Name == k {
			return &w.uploads[i]
		}
	}
	return nil
}

func (w *Workbench) renderUploads() app.UI {
	return app.Div().Class("uploads").Body(
		app.H2().Text("Your programs"),
		app.P().Class("picker-hint").Text("A static i386 Linux executable of your own (gcc -m32 -static). It stays in this browser."),
		app.Label().Class("btn btn-upload").For("upload").Body(
			app.Text("Upload a program…"),
			app.Input().ID("upload").Type("file").Class("upload-input").OnChange(w.onUpload),
		),
		app.If(w.uploadErr != "", func() app.UI { return app.P().Class("upload-err").Text(w.uploadErr) }),
		app.Ul().Class("programs").Body(
			app.Range(w.uploads).Slice(func(i int) app.UI {
				p := w.uploads[i].program()
				k := key(p)
				c := "program"
				if k == w.selected {
					c += " program-on"
				}
				return app.Li().Class("upload-item").Body(
					app.Button().Class(c).DataSet("key", k).OnClick(w.onProgramClick).Body(
						app.Span().Class("program-name").Text(p.Name),
						app.Span().Class("program-purpose").Text(p.Purpose),
					),
					app.Button().Class("remove").Title("Forget this program").
						DataSet("name", p.Name).OnClick(w.removeUpload).Text("×"),
				)
			}),
		),
	)
}
