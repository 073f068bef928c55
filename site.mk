# The browser app (issue 5). Included from the root Makefile:
#
#   make site                 build the static site into build/site
#   make site PREFIX=/trapdoor  the same, to be served under /trapdoor/
#   make serve                build it and serve it on http://localhost:8080/
#   make test-browser         drive the site in headless Chromium (chromedp)
#
# Both wasm binaries and the generator must come from the same Go toolchain
# (wasm_exec.js is taken from it).

GO        ?= go
SITE_DIR  ?= build/site
WASM_DIR  ?= build/wasm
PREFIX    ?=
ADDR      ?= localhost:8080
# Stripped: about a third smaller, and panics still name their functions.
WASM_FLAGS ?= -trimpath -ldflags='-s -w'

.PHONY: site serve wasm test-browser test-wasm-cpu site-clean

wasm:
	@mkdir -p $(WASM_DIR)
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o $(WASM_DIR)/app.wasm ./wasm/app
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o $(WASM_DIR)/worker.wasm ./wasm/worker

site: wasm
	rm -rf $(SITE_DIR)
	$(GO) run ./cmd/site generate -out $(SITE_DIR) -wasm $(WASM_DIR) -prefix '$(PREFIX)'

serve: site
	$(GO) run ./cmd/site serve -dir $(SITE_DIR) -prefix '$(PREFIX)' -addr $(ADDR)

# Skips (with a message) when chromium is not installed. Screenshots go to
# $(SCREENSHOTS) for looking at.
SCREENSHOTS ?= /tmp/trapdoor-screenshots
test-browser: wasm
	TRAPDOOR_WASM_DIR=$(abspath $(WASM_DIR)) TRAPDOOR_SCREENSHOTS=$(SCREENSHOTS) \
	    $(GO) test -count=1 -v ./tests/browser

# core/cpu's tests built for the browser (js/wasm) and run under Node.js
# with the WebAssembly block compiler on (tools/wasmexec). Skips without
# node; the fast-path generator check needs os/exec, which js lacks.
test-wasm-cpu:
	@if command -v node >/dev/null; then \
	    GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(abspath tools/wasmexec/go_js_wasm_exec) \
	        -skip TestGeneratedFastPathsAreCurrent ./core/cpu; \
	else echo "node is not installed: skipping the wasm CPU tests"; fi

site-clean:
	rm -rf $(SITE_DIR) $(WASM_DIR)
