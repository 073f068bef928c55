package site

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPurpose(t *testing.T) {
	dir := t.TempDir()
	for name, want := range map[string]string{
		"/* hello: the smallest useful program. printf through stdio. */":                "The smallest useful program.",
		"/* bench: CPU-bound benchmark. Sieve over a byte array, repeated.\n * More. */": "CPU-bound benchmark. Sieve over a byte array, repeated.",
		"/* x: uses e.g. memcpy a lot to check the copies are right. Then more. */":      "Uses e.g. memcpy a lot to check the copies are right.",
		"int main(void) { return 0; }":                                                   "",
	} {
		p := filepath.Join(dir, "p.c")
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := Purpose(p); got != want {
			t.Errorf("Purpose(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestNormalizePrefix(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "trapdoor": "/trapdoor", "/trapdoor/": "/trapdoor", "/a/b/": "/a/b"} {
		if got := NormalizePrefix(in); got != want {
			t.Errorf("NormalizePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGenerate builds a site under a prefix from stand-in wasm files and
// checks what a static host and the service worker depend on.
func TestGenerate(t *testing.T) {
	root := t.TempDir()
	wasm := filepath.Join(root, "wasm")
	vec := filepath.Join(root, "vectors")
	for p, body := range map[string]string{
		"wasm/app.wasm":                "\x00asm app",
		"wasm/worker.wasm":             "\x00asm worker",
		"vectors/bin/musl/hello":       "\x7fELF musl",
		"vectors/bin/glibc/hello":      "\x7fELF glibc",
		"vectors/bin/musl/args":        "\x7fELF args",
		"vectors/src/hello.c":          "/* hello: the smallest useful program. */",
		"vectors/src/args.c":           "/* args: process start. Prints argv. */",
		"vectors/src/args.args":        "argv-zero\nx y\n",
		"vectors/expected/environ":     "HOME=/root\nPATH=/bin\n",
		"public/worker.js":             "// worker",
		"public/icon.svg":              "<svg/>",
		"public/trapdoor.css":          "body{}",
		"public/icon-192.png":          "png",
		"public/icon-512.png":          "png",
		"vectors/bin/musl/.DS_Store/x": "not a program",
	} {
		p := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(root, "site")
	err := Generate(Options{Out: out, Wasm: wasm, Prefix: "trapdoor/", Public: filepath.Join(root, "public"), Vectors: vec})
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, f := range []string{"web/app.wasm", "web/worker.wasm", "web/worker.js", "web/programs/musl/hello", "web/programs/glibc/hello", "wasm_exec.js"} {
		read(f)
	}
	index := read("index.html")
	for _, want := range []string{`src="/trapdoor/app.js"`, `href="/trapdoor/web/trapdoor.css"`, `href="/trapdoor/manifest.webmanifest"`, "the smallest useful program"} {
		if !strings.Contains(strings.ToLower(index), strings.ToLower(want)) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	if strings.Contains(index, "raw.githubusercontent.com") {
		t.Error("index.html refers to go-app's GitHub icon")
	}
	sw := read("app-worker.js")
	for _, want := range []string{"/trapdoor/web/worker.wasm", "/trapdoor/web/programs/musl/hello", "registration.scope"} {
		if !strings.Contains(sw, want) {
			t.Errorf("app-worker.js lacks %s", want)
		}
	}
	if strings.Contains(sw, `"/trapdoor/web/programs/glibc/hello"`) {
		t.Error("app-worker.js precaches a large glibc program")
	}
	if strings.Contains(sw, "{{") || strings.Contains(sw, "github") {
		t.Error("app-worker.js: template not filled in, or a remote resource")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(read("manifest.webmanifest")), &m); err != nil {
		t.Fatal(err)
	}
	if m["scope"] != "/trapdoor/" || m["start_url"] != "/trapdoor/" {
		t.Errorf("manifest scope %v start_url %v", m["scope"], m["start_url"])
	}
	progs, err := Catalog(vec)
	if err != nil {
		t.Fatal(err)
	}
	if len(progs) != 3 || progs[0].Name != "hello" || progs[0].Libc != "musl" || progs[2].Libc != "glibc" {
		t.Fatalf("catalog order: %+v", progs)
	}
	args := progs[1]
	if args.Name != "args" || len(args.Args) != 2 || args.Args[1] != "x y" || len(args.Env) != 2 || args.Purpose != "Process start. Prints argv." {
		t.Errorf("args entry: %+v", args)
	}
	// A second generation of identical inputs has the same version, so a
	// rebuild is not announced as an update.
	v1 := versionOf(t, sw)
	if err := Generate(Options{Out: out, Wasm: wasm, Prefix: "/trapdoor", Public: filepath.Join(root, "public"), Vectors: vec}); err != nil {
		t.Fatal(err)
	}
	if v2 := versionOf(t, read("app-worker.js")); v1 != v2 {
		t.Errorf("version changed between identical builds: %s, %s", v1, v2)
	}
}

func versionOf(t *testing.T, sw string) string {
	i := strings.Index(sw, `"trapdoor-`)
	if i < 0 {
		t.Fatal("no cache name in app-worker.js")
	}
	return sw[i : i+22]
}

// The real catalog offers the course's programs right after hello, with
// the purposes their sources in testvectors/src/course and src/tools give.
func TestCatalogCoursePrograms(t *testing.T) {
	progs, err := Catalog(filepath.Join("..", "..", "testvectors"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, p := range progs {
		if p.Libc == "musl" {
			byName[p.Name] = i
		}
	}
	for _, name := range []string{"testit", "fork_test", "change_cmdline", "test", "ps"} {
		i, ok := byName[name]
		if !ok {
			t.Fatalf("%s missing from the catalog", name)
		}
		if progs[i].Purpose == "" {
			t.Errorf("%s has no purpose", name)
		}
	}
	if byName["hello"] != 0 || byName["testit"] > byName["alu"] || byName["fork_test"] > byName["alu"] {
		t.Errorf("course programs should follow hello and precede the other vectors: %v", byName)
	}
}
