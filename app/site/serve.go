//go:build !wasm

package site

import (
	"net/http"
	"strings"
)

// Server serves a generated site the way a static host does, under prefix
// ("" or "/trapdoor"). It adds only what every static host does anyway:
// application/wasm (Go's mime table has it) and a redirect from the bare
// prefix to prefix + "/".
func Server(dir, prefix string) http.Handler {
	prefix = NormalizePrefix(prefix)
	files := http.FileServer(http.Dir(dir))
	mux := http.NewServeMux()
	h := http.Handler(files)
	if prefix != "" {
		h = http.StripPrefix(prefix, files)
		mux.Handle("/{$}", http.RedirectHandler(prefix+"/", http.StatusFound))
	}
	mux.Handle(prefix+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Revalidate every time, like GitHub Pages' short max-age: the
		// service worker does the offline caching.
		w.Header().Set("Cache-Control", "no-cache")
		if strings.HasSuffix(r.URL.Path, "/index.html") {
			// http.FileServer redirects index.html to "./"; serve it plainly.
			r.URL.Path = strings.TrimSuffix(r.URL.Path, "index.html")
		}
		h.ServeHTTP(w, r)
	}))
	return mux
}
