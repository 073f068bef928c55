package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// bridge is the page's end of the emulator worker. Requests made before the
// worker's "ready" are queued: a worker drops messages that arrive before
// its Go code has set onmessage.
type bridge struct {
	w       app.Value
	ready   bool
	queue   []string
	release []app.Func
	// post, when set, takes the requests instead of a worker: the
	// native tests read what the page sent.
	post func(string)
}

// startWorker starts web/worker.js. Events are delivered on the UI
// goroutine through ctx.Dispatch; the JS callbacks only hand them over.
func startWorker(ctx app.Context, onEvent func(app.Context, protocol.Event), onFail func(app.Context, string)) *bridge {
	b := &bridge{}
	ctor := app.Window().Get("Worker")
	if !ctor.Truthy() {
		onFail(ctx, "this browser has no Web Workers, which Trapdoor needs to run programs without freezing the page")
		return b
	}
	// public/boot.js started a worker while app.wasm was loading: adopt it
	// (once: a restart makes a new one) with the messages it already sent.
	var early app.Value
	if boot := app.Window().Get("trapdoorBoot"); boot.Truthy() {
		app.Window().Delete("trapdoorBoot")
		b.w, early = boot.Get("worker"), boot.Get("early")
	} else {
		b.w = ctor.New(ctx.ResolveStaticResource("/web/worker.js"))
	}
	receive := func(s string) {
		ctx.Dispatch(func(ctx app.Context) {
			e, err := protocol.DecodeEvent(s)
			if err != nil {
				onFail(ctx, err.Error())
				return
			}
			if e.Type == protocol.Ready {
				b.ready = true
				for _, q := range b.queue {
					b.w.Call("postMessage", q)
				}
				b.queue = nil
			}
			onEvent(ctx, e)
		})
	}
	onMsg := app.FuncOf(func(this app.Value, args []app.Value) any {
		if data := args[0].Get("data"); data.Type() == app.TypeString {
			receive(data.String())
		}
		return nil
	})
	onErr := app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "the emulator worker failed to load"
		if len(args) > 0 && args[0].Get("message").Truthy() {
			msg += ": " + args[0].Get("message").String()
		}
		ctx.Dispatch(func(ctx app.Context) { onFail(ctx, msg) })
		return nil
	})
	b.w.Set("onmessage", onMsg)
	b.w.Set("onerror", onErr)
	b.release = []app.Func{onMsg, onErr}
	if early != nil && early.Truthy() {
		for i := 0; i < early.Length(); i++ {
			if m := early.Index(i); m.Type() == app.TypeString {
				receive(m.String())
			}
		}
	}
	return b
}

func (b *bridge) send(r protocol.Request) {
	if b != nil && b.post != nil {
		b.post(protocol.Encode(r))
		return
	}
	if b == nil || b.w == nil {
		return
	}
	s := protocol.Encode(r)
	if !b.ready {
		b.queue = append(b.queue, s)
		return
	}
	b.w.Call("postMessage", s)
}

func (b *bridge) stop() {
	if b == nil || b.w == nil {
		return
	}
	b.w.Call("terminate")
	for _, f := range b.release {
		f.Release()
	}
	b.w = nil
}
