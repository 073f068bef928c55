//go:build js && wasm

// Command worker is the emulator's WebAssembly binary for a Web Worker
// (public/worker.js starts it). The page's wasm shares the one UI thread
// with every handler; this one has a thread of its own, so a running guest
// never freezes the page. It talks JSON strings over postMessage
// (package wasm/protocol); the logic is in package wasm/session.
package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"

	"trapdoor/wasm/protocol"
	"trapdoor/wasm/session"
)

func main() {
	self := safejs.Global()
	inbox := make(chan string, 256)
	onMessage, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		s, err := stringData(args)
		if err != nil {
			s = protocol.Encode(protocol.Request{Type: "undecodable: " + err.Error()})
		}
		// Never block in a JS callback: a full inbox hands off to a goroutine.
		select {
		case inbox <- s:
		default:
			go func() { inbox <- s }()
		}
		return nil
	})
	must(err)
	// Set onmessage before saying ready: messages that arrive before a
	// handler exists are dropped, so the page waits for "ready".
	must(self.Set("onmessage", onMessage.Value()))

	y, err := newYielder()
	must(err)
	s := session.New(starter, fetch, starterNote)
	post(self, s.Hello())

	var lastPost time.Time
	for {
		if !s.Active() {
			// A waiting program with a timer pending: wake when it falls
			// due (at most maxTimerWait later) and pass the time
			// (session/pace.go); otherwise wait for a request.
			if d, ok := s.TimerWait(); ok {
				tm := time.NewTimer(d)
				select {
				case m := <-inbox:
					handle(self, s, m)
				case <-tm.C:
					s.Tick()
				}
				tm.Stop()
				continue
			}
			// A stopped program: replay the shadow machine that makes a
			// step back cheap (session/shadow.go), a slice at a time,
			// taking requests between slices.
			if s.Background() {
				select {
				case m := <-inbox:
					handle(self, s, m)
				default:
					y.yield()
				}
				continue
			}
			handle(self, s, <-inbox)
			continue
		}
		// Take every request that has arrived, run one slice, then let the
		// event loop deliver what came in meanwhile.
		for drained := false; !drained; {
			select {
			case m := <-inbox:
				handle(self, s, m)
			default:
				drained = true
			}
		}
		if s.Active() {
			s.Work()
			// One event per postInterval at most: each one costs the page
			// a render, and ten a second is as live as anyone can read.
			out, lines := s.Pending()
			if !s.Active() || time.Since(lastPost) >= postInterval ||
				out >= session.FlushOutput || lines >= session.FlushTrace {
				post(self, s.Flush())
				lastPost = time.Now()
			}
			y.yield()
		}
	}
}

// postInterval spaces the worker's updates while a program runs.
const postInterval = 100 * time.Millisecond

func handle(self safejs.Value, s *session.Session, m string) {
	if handleScenario(self, m) { // scenario.go
		return
	}
	r, err := protocol.DecodeRequest(m)
	if err != nil {
		post(self, protocol.Event{Type: protocol.Update, Error: err.Error()})
		return
	}
	post(self, s.Handle(r))
}

func post(self safejs.Value, e protocol.Event) {
	if _, err := self.Call("postMessage", protocol.Encode(e)); err != nil {
		println("worker: postMessage:", err.Error())
	}
}

func stringData(args []safejs.Value) (string, error) {
	if len(args) == 0 {
		return "", errors.New("message event missing")
	}
	d, err := args[0].Get("data")
	if err != nil {
		return "", err
	}
	if d.Type() != safejs.TypeString {
		return "", fmt.Errorf("message data is a %s, want a JSON string", d.Type())
	}
	return d.String()
}

// yielder returns to the JS event loop and comes back as soon as it has run
// pending tasks: a MessageChannel round trip costs about 0.2 ms where
// time.Sleep costs over 4 ms (the timer clamp).
type yielder struct {
	port safejs.Value
	back chan struct{}
}

func newYielder() (*yielder, error) {
	ch, err := safejs.MustGetGlobal("MessageChannel").New()
	if err != nil {
		return nil, err
	}
	p1, err := ch.Get("port1")
	if err != nil {
		return nil, err
	}
	p2, err := ch.Get("port2")
	if err != nil {
		return nil, err
	}
	y := &yielder{port: p2, back: make(chan struct{}, 1)}
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		select {
		case y.back <- struct{}{}:
		default:
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p1.Set("onmessage", f.Value()); err != nil {
		return nil, err
	}
	return y, nil
}

func (y *yielder) yield() {
	if _, err := y.port.Call("postMessage", 0); err != nil {
		return
	}
	<-y.back
}

// fetch gets a file relative to the worker script (its base URL), so the
// site works under any path prefix. The main goroutine blocks here, which
// lets the event loop run the promise callbacks.
func fetch(url string) ([]byte, error) {
	g := safejs.Global()
	loc, err := g.Get("location")
	if err != nil {
		return nil, err
	}
	href, err := loc.Get("href")
	if err != nil {
		return nil, err
	}
	u, err := safejs.MustGetGlobal("URL").New(url, href)
	if err != nil {
		return nil, err
	}
	resp, err := await(safejs.MustGetGlobal("fetch").Invoke(u))
	if err != nil {
		return nil, err
	}
	ok, _ := resp.Get("ok")
	if b, _ := ok.Bool(); !b {
		st, _ := resp.Get("status")
		n, _ := st.Int()
		return nil, fmt.Errorf("HTTP status %d", n)
	}
	buf, err := await(resp.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	arr, err := safejs.MustGetGlobal("Uint8Array").New(buf)
	if err != nil {
		return nil, err
	}
	n, err := arr.Length()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err = safejs.CopyBytesToGo(b, arr)
	return b, err
}

// await waits for a promise from the main goroutine.
func await(p safejs.Value, err error) (safejs.Value, error) {
	if err != nil {
		return safejs.Undefined(), err
	}
	type result struct {
		v   safejs.Value
		err error
	}
	done := make(chan result, 1)
	then, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		done <- result{v: a[0]}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer then.Release()
	catch, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		msg := "rejected"
		if len(a) > 0 {
			if s, err := a[0].Call("toString"); err == nil {
				msg, _ = s.String()
			}
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer catch.Release()
	if _, err := p.Call("then", then.Value(), catch.Value()); err != nil {
		return safejs.Undefined(), err
	}
	r := <-done
	return r.v, r.err
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
