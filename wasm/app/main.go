// Command app is the page's WebAssembly binary (web/app.wasm): the go-app
// components of package app/ui. Build it with GOOS=js GOARCH=wasm; the site
// generator (cmd/site) prerenders the same components natively.
package main

import (
	"fmt"
	"os"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/app/ui"
)

func main() {
	ui.Routes()
	app.RunWhenOnBrowser() // never returns in the browser
	fmt.Fprintln(os.Stderr, "this is the page's wasm: build it with GOOS=js GOARCH=wasm (make site)")
	os.Exit(2)
}
