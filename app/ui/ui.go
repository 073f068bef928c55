// Package ui holds Trapdoor's go-app components. The same code runs natively
// (the site generator prerenders the page with it) and in the browser as
// app.wasm; the emulator itself never runs here but in a Web Worker (see
// wasm/worker), so nothing on this side blocks the page.
package ui

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/wasm/protocol"
)

// Environment variables the site generator passes to the page (go-app puts
// them in app.js, so they are there before any fetch and also offline).
const (
	EnvVersion  = "TRAPDOOR_VERSION"
	EnvPrograms = "TRAPDOOR_PROGRAMS"
)

// Routes registers the pages. Both the page's wasm and the site generator
// call it: go-app prerenders every route.
func Routes() {
	app.Route("/", func() app.Composer { return &Root{} }) // the workbench and the scenario view (scenario.go)
}

// ProgramsEnv encodes the program catalog for EnvPrograms.
func ProgramsEnv(progs []protocol.Program) string {
	b, err := json.Marshal(progs)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return string(b)
}

func programsFromEnv() ([]protocol.Program, string) {
	s := app.Getenv(EnvPrograms)
	if s == "" {
		return nil, ""
	}
	var p []protocol.Program
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, "the program list is damaged: " + err.Error()
	}
	return p, ""
}
