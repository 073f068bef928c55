//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"

	"trapdoor/wasm/grader"
	"trapdoor/wasm/protocol"
)

// scenarios grades for the page's scenario view (package wasm/grader),
// fetching test vectors from the site as the session fetches programs.
var scenarios = grader.New(fetch)

// handleScenario answers a scenario request and reports whether m was
// one. Grading runs here, synchronously: the scenario view has a worker
// of its own, so nothing else waits. Progress events go out meanwhile
// (postMessage does not wait for the page).
func handleScenario(self safejs.Value, m string) bool {
	if !protocol.IsScenarioRequest(m) {
		return false
	}
	r, err := protocol.DecodeScenarioRequest(m)
	ev := protocol.ScenarioEvent{Type: protocol.ScenarioAnswer, ID: r.ID}
	if err != nil {
		ev.Error = err.Error()
	} else {
		scenarios.Progress = func(p protocol.ScenarioEvent) { postScenario(self, p) }
		ev = scenarios.Handle(r)
	}
	postScenario(self, ev)
	return true
}

func postScenario(self safejs.Value, ev protocol.ScenarioEvent) {
	if _, err := self.Call("postMessage", protocol.Encode(ev)); err != nil {
		println("worker: postMessage:", err.Error())
	}
}
