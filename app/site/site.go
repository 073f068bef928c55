//go:build !wasm

// Package site generates Trapdoor's static website: the go-app pages, the
// page and worker wasm binaries (built beforehand by the Makefile), the
// public assets and the test programs with their catalog. The result works
// from any static host, at a domain root or under a path prefix, and offline
// once visited.
package site

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"trapdoor/app/ui"
	"trapdoor/wasm/protocol"
)

// serviceWorker replaces go-app's default, which fails offline for URLs
// with a query string and entirely under a /prefix/ (it caches "/prefix"
// while the page is "/prefix/"). See the template's comments.
//
//go:embed app-worker.js
var serviceWorker string

// Options says what to generate and from where.
type Options struct {
	// Out is the output directory.
	Out string
	// Wasm is the directory holding app.wasm and worker.wasm, built with
	// GOOS=js GOARCH=wasm by the same toolchain as this program.
	Wasm string
	// Prefix is the URL path the site is served under ("" or "/trapdoor").
	Prefix string
	// Public is the directory of static assets copied to Out/web.
	Public string
	// Vectors is the testvectors directory; its bin/LIBC/NAME programs are
	// copied to Out/web/programs and listed in the page.
	Vectors string
}

// NormalizePrefix turns "", "/", "trapdoor", "/trapdoor/" into "" or
// "/trapdoor".
func NormalizePrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// Generate writes the site.
func Generate(o Options) error {
	o.Prefix = NormalizePrefix(o.Prefix)
	ui.Routes() // the generator prerenders every route
	web := filepath.Join(o.Out, "web")
	for _, f := range []string{"app.wasm", "worker.wasm"} {
		if err := copyFile(filepath.Join(o.Wasm, f), filepath.Join(web, f)); err != nil {
			return fmt.Errorf("%s must be built first (GOOS=js GOARCH=wasm): %v", f, err)
		}
	}
	if err := copyDir(o.Public, web); err != nil {
		return fmt.Errorf("copying public assets: %v", err)
	}
	progs, err := Catalog(o.Vectors)
	if err != nil {
		return err
	}
	for _, p := range progs {
		src := filepath.Join(o.Vectors, "bin", p.Libc, p.Name)
		if err := copyFile(src, filepath.Join(web, filepath.FromSlash(p.URL))); err != nil {
			return err
		}
	}
	lib, err := shipScenarios(o.Vectors, web) // scenarios.go
	if err != nil {
		return err
	}
	mods, err := shipModules(o.Vectors, web) // modules.go
	if err != nil {
		return err
	}
	version, err := hashDir(web)
	if err != nil {
		return err
	}
	wasm, err := os.Stat(filepath.Join(web, "app.wasm"))
	if err != nil {
		return err
	}
	h := Handler(o.Prefix, version, progs)
	lib.addTo(h)
	addModules(h, mods)
	h.WasmContentLength = strconv.FormatInt(wasm.Size(), 10)
	if err := app.GenerateStaticWebsite(o.Out, h); err != nil {
		return err
	}
	return fixup(o.Out, o.Prefix)
}

// Handler is the go-app handler the site is generated from.
func Handler(prefix, version string, progs []protocol.Program) *app.Handler {
	cacheable := []string{"/web/trapdoor.css", "/web/worker.js", "/web/worker.wasm",
		"/web/icon.svg"}
	// musl programs are small (about 40 KB each) and are precached; glibc's
	// are 700 KB each, so the service worker caches each when first run.
	for _, p := range progs {
		if p.Libc == "musl" {
			cacheable = append(cacheable, "/web/"+p.URL)
		}
	}
	h := &app.Handler{
		Name:        "Trapdoor",
		ShortName:   "Trapdoor",
		Title:       "Trapdoor: i386 Linux in the browser",
		Description: "Run real 32-bit Linux programs in the browser and watch every system call cross into the kernel and back.",
		Lang:        "en",
		Author:      "Trapdoor",
		Keywords:    []string{"i386", "emulator", "Linux", "system calls", "operating systems", "WebAssembly"},
		// Local icons: go-app's default is fetched from GitHub and precached,
		// which breaks installing offline.
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-512.png",
			SVG:      "/web/icon.svg",
		},
		BackgroundColor:       "#0f141b",
		ThemeColor:            "#0f141b",
		LoadingLabel:          "Loading Trapdoor… {progress}%",
		Styles:                []string{"/web/trapdoor.css"},
		Scripts:               []string{"/web/boot.js async"},
		CacheableResources:    cacheable,
		Version:               version,
		ServiceWorkerTemplate: serviceWorker,
		// The catalog travels in app.js: there before any fetch, and offline.
		Env: map[string]string{ui.EnvVersion: version, ui.EnvPrograms: ui.ProgramsEnv(progs)},
	}
	if prefix != "" {
		h.Resources = app.PrefixedLocation(prefix)
	}
	return h
}

// fixup corrects what go-app gets wrong for a static site under a prefix
// and for Go 1.26.
func fixup(out, prefix string) error {
	// The manifest's scope is always "/": under a prefix it must be the
	// prefix, or the installed app claims (and is refused) the whole origin.
	mp := filepath.Join(out, "manifest.webmanifest")
	b, err := os.ReadFile(mp)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	m["scope"] = prefix + "/"
	m["start_url"] = prefix + "/"
	if b, err = json.Marshal(m); err != nil {
		return err
	}
	if err := os.WriteFile(mp, b, 0o644); err != nil {
		return err
	}
	// go-app embeds a wasm_exec.js from an older Go; the binaries must load
	// with the one from the toolchain that built them.
	return copyFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"),
		filepath.Join(out, "wasm_exec.js"))
}

// Catalog lists the test programs under dir/bin (musl first: smaller and
// closer to the syscalls), with purposes read from dir/src/NAME.c.
func Catalog(dir string) ([]protocol.Program, error) {
	var env []string
	if b, err := os.ReadFile(filepath.Join(dir, "expected", "environ")); err == nil {
		env = lines(string(b))
	}
	var progs []protocol.Program
	ranks := map[string]int{}
	for _, libc := range []string{"musl", "glibc"} {
		ents, err := os.ReadDir(filepath.Join(dir, "bin", libc))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			name := e.Name()
			src := sourceOf(dir, strings.TrimSuffix(name, "-pie"))
			ranks[name] = rank(name, src)
			p := protocol.Program{Name: name, Libc: libc, URL: path.Join("programs", libc, name),
				Purpose: Purpose(src + ".c"), Env: env, Size: info.Size()}
			if strings.HasSuffix(name, "-pie") {
				p.Purpose = "The hello program built as a static PIE: position-independent, so it must be relocated when loaded."
			}
			if b, err := os.ReadFile(src + ".args"); err == nil {
				p.Args = lines(string(b))
			}
			if b, err := os.ReadFile(src + ".stdin"); err == nil {
				p.Stdin = string(b)
			}
			progs = append(progs, p)
		}
	}
	sort.SliceStable(progs, func(i, j int) bool {
		if progs[i].Libc != progs[j].Libc {
			return progs[i].Libc == "musl"
		}
		ri, rj := ranks[progs[i].Name], ranks[progs[j].Name]
		return ri < rj || ri == rj && progs[i].Name < progs[j].Name
	})
	return progs, nil
}

// sourceDirs are where a program's C source may live under dir/src: the
// vectors, the course programs (issue 4) and the tools.
var sourceDirs = []string{"", courseDir, "tools"}

// courseDir holds the course's programs (testit, fork_test, ...).
const courseDir = "course"

// sourceOf is the source path of a program without its ".c" (dir/src/NAME
// when there is none, so that .args and .stdin are still looked for).
func sourceOf(dir, name string) string {
	for _, sub := range sourceDirs {
		src := filepath.Join(dir, "src", sub, name)
		if _, err := os.Stat(src + ".c"); err == nil {
			return src
		}
	}
	return filepath.Join(dir, "src", name)
}

// isCourse reports whether a source path is one of the course's programs.
func isCourse(src string) bool { return filepath.Base(filepath.Dir(src)) == courseDir }

// rank puts the programs a newcomer should try first at the top: hello,
// then the course's programs, the rest, crashes and benchmarks.
func rank(name, src string) int {
	switch {
	case name == "hello":
		return 0
	case isCourse(src):
		return 1
	case strings.HasPrefix(name, "bench_"):
		return 4
	case strings.HasPrefix(name, "crash_"):
		return 3
	}
	return 2
}

// lines splits a file into lines the way bash's mapfile -t does.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Purpose returns the first sentence of a C file's header comment, without
// the "name:" it starts with ("hello: the smallest useful program." gives
// "The smallest useful program.").
func Purpose(cfile string) string {
	b, err := os.ReadFile(cfile)
	if err != nil {
		return ""
	}
	s := string(b)
	if !strings.HasPrefix(s, "/*") {
		return ""
	}
	end := strings.Index(s, "*/")
	if end < 0 {
		return ""
	}
	var words []string
	for _, l := range strings.Split(s[2:end], "\n") {
		words = append(words, strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), "*"))...)
	}
	text := strings.Join(words, " ")
	if i := strings.Index(text, ": "); i >= 0 && !strings.Contains(text[:i], " ") {
		text = text[i+2:]
	}
	// The first sentence, or two when the first is a bare label
	// ("CPU-bound benchmark."): up to ". " but not inside "e.g. ".
	for i, n := 0, 0; i < len(text); i++ {
		if text[i] == '.' && (i+1 == len(text) || text[i+1] == ' ') && !strings.HasSuffix(text[:i], "e.g") && !strings.HasSuffix(text[:i], "i.e") {
			if n++; n == 2 || i >= 25 {
				text = text[:i+1]
				break
			}
		}
	}
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return text
}

// hashDir hashes every file under dir: the site's Version, so that an
// unchanged build is not seen as an update and a changed one is.
func hashDir(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return copyFile(p, filepath.Join(dst, rel))
	})
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
