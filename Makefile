# Trapdoor: an i386 Linux emulator in Go.
# `make test` is what CI runs (.ci/run); `make help` lists the rest.

GO ?= go
PROGRAM ?= testvectors/bin/musl/hello

.DEFAULT_GOAL := help

# The browser app: site, serve, test-browser.
include site.mk

.PHONY: help run test vet fmt-check bench pgo fuzz vectors build clean

help:
	@echo "make serve [PREFIX=/p]   build the browser app and serve it on http://localhost:8080/"
	@echo "make site [PREFIX=/p]    build the static site into build/site (deploy as is)"
	@echo "make test-browser        the headless Chromium tests only"
	@echo "make test-wasm-cpu       core/cpu's tests as js/wasm under Node.js (the browser's JIT)"
	@echo "make run [PROGRAM=path]  run a static i386 program with its syscall trace"
	@echo "make test                vet, format check and every test (what CI runs)"
	@echo "make bench               native vs qemu-i386 vs Trapdoor, MIPS and ratios"
	@echo "make pgo                 re-profile the benchmarks into the default.pgo files (PGO)"
	@echo "make fuzz                run the fuzzers for a while (FUZZTIME=1m each)"
	@echo "make vectors             rebuild test vectors and record native results"
	@echo "make build               build bin/trapdoor"

build:
	$(GO) build -o bin/trapdoor ./cmd/trapdoor

run:
	$(GO) run ./cmd/trapdoor run --strace --stats $(PROGRAM)

test: vet fmt-check
	$(GO) test -count=1 ./...
	$(MAKE) test-browser
	$(MAKE) test-wasm-cpu

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

bench: build
	$(GO) run ./tools/bench

# Profile-guided optimisation: CPU profiles of a PGO-free build on these
# programs, merged into the default.pgo that go build picks up for the
# CLI and the wasm worker (both run core/cpu's hot loop).
PGO_PROGRAMS ?= $(wildcard testvectors/bin/glibc/bench_*) testvectors/bin/musl/x87 \
	testvectors/bin/musl/strings testvectors/bin/musl/malloc testvectors/bin/musl/fork500
pgo:
	@mkdir -p build/pgo && rm -f build/pgo/*.pprof
	$(GO) build -pgo=off -o build/pgo/trapdoor ./cmd/trapdoor
	@for p in $(PGO_PROGRAMS); do \
	  echo "profiling $$p"; \
	  build/pgo/trapdoor run --max-instructions 3000000000 --cpuprofile build/pgo/$$(basename $$p).pprof $$p >/dev/null 2>&1; \
	  test -s build/pgo/$$(basename $$p).pprof || { echo "no profile from $$p"; exit 1; }; \
	done
	$(GO) tool pprof -proto build/pgo/*.pprof > build/pgo/merged.pgo
	cp build/pgo/merged.pgo cmd/trapdoor/default.pgo
	cp build/pgo/merged.pgo wasm/worker/default.pgo

FUZZTIME ?= 1m
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

vectors:
	$(MAKE) -C testvectors bins expected insn

clean: site-clean
	rm -rf bin build
