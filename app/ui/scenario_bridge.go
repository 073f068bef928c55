package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// scenarioWorker is the scenario view's own emulator worker (the same
// web/worker.js as the workbench's): grading runs there synchronously, so
// it never stalls the program the workbench is running, and the answers
// come back to this view only. It is the workbench's bridge (the queue
// of requests made before the worker's ready, stop) speaking scenario
// messages.
type scenarioWorker struct{ bridge }

func startScenarioWorker(ctx app.Context, onEvent func(app.Context, protocol.ScenarioEvent)) *scenarioWorker {
	b := &scenarioWorker{}
	ctor := app.Window().Get("Worker")
	if !ctor.Truthy() {
		onEvent(ctx, protocol.ScenarioEvent{Type: protocol.Fatal, Error: "this browser has no Web Workers, which Trapdoor needs to grade"})
		return b
	}
	b.w = ctor.New(ctx.ResolveStaticResource("/web/worker.js"))
	onMsg := app.FuncOf(func(this app.Value, args []app.Value) any {
		data := args[0].Get("data")
		if data.Type() != app.TypeString {
			return nil
		}
		s := data.String()
		ctx.Dispatch(func(ctx app.Context) {
			e, err := protocol.DecodeScenarioEvent(s)
			if err != nil {
				e = protocol.ScenarioEvent{Type: protocol.Fatal, Error: err.Error()}
			}
			if e.Type == protocol.Ready && e.Version == protocol.Version {
				b.ready = true
				for _, q := range b.queue {
					b.post(q)
				}
				b.queue = nil
			}
			onEvent(ctx, e)
		})
		return nil
	})
	onErr := app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "the emulator worker failed to load"
		if len(args) > 0 && args[0].Get("message").Truthy() {
			msg += ": " + args[0].Get("message").String()
		}
		ctx.Dispatch(func(ctx app.Context) {
			onEvent(ctx, protocol.ScenarioEvent{Type: protocol.Fatal, Error: msg})
		})
		return nil
	})
	b.w.Set("onmessage", onMsg)
	b.w.Set("onerror", onErr)
	b.release = []app.Func{onMsg, onErr}
	return b
}

// send posts a scenario request, or queues it until the worker is ready.
func (b *scenarioWorker) send(r protocol.ScenarioRequest) {
	if b != nil && b.w != nil {
		if s := protocol.Encode(r); b.ready {
			b.post(s)
		} else {
			b.queue = append(b.queue, s)
		}
	}
}

func (b *scenarioWorker) post(s string) { b.w.Call("postMessage", s) }

// stop ends the worker (bridge.stop); a view without one has nothing to
// stop.
func (b *scenarioWorker) stop() {
	if b != nil {
		b.bridge.stop()
	}
}
