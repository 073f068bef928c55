// Command site builds and serves Trapdoor's static website (see site.mk):
//
//	site generate [-out DIR] [-prefix /trapdoor] [-wasm DIR]  write the site
//	site serve [-dir DIR] [-prefix /trapdoor] [-addr :8080]   serve it locally
//
// app.wasm and worker.wasm are built beforehand with GOOS=js GOARCH=wasm.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"trapdoor/app/site"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "generate":
		err = generate(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "site:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: site generate [-out DIR] [-prefix /PATH] [-wasm DIR]\n       site serve [-dir DIR] [-prefix /PATH] [-addr HOST:PORT]")
	os.Exit(2)
}

func generate(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ExitOnError)
	o := site.Options{}
	fs.StringVar(&o.Out, "out", "build/site", "output directory")
	fs.StringVar(&o.Prefix, "prefix", "", "URL path the site is served under, e.g. /trapdoor (empty: domain root)")
	fs.StringVar(&o.Wasm, "wasm", "build/wasm", "directory with app.wasm and worker.wasm")
	fs.StringVar(&o.Public, "public", "public", "static assets")
	fs.StringVar(&o.Vectors, "vectors", "testvectors", "test vectors directory")
	fs.Parse(args)
	if err := site.Generate(o); err != nil {
		return err
	}
	fmt.Printf("site written to %s (prefix %q)\n", o.Out, site.NormalizePrefix(o.Prefix)+"/")
	return nil
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "build/site", "generated site")
	prefix := fs.String("prefix", "", "URL path to serve the site under, e.g. /trapdoor")
	addr := fs.String("addr", "localhost:8080", "address to listen on")
	fs.Parse(args)
	if _, err := os.Stat(*dir + "/index.html"); err != nil {
		return fmt.Errorf("no site in %s: run `make site` first", *dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	host := ln.Addr().String()
	if strings.HasPrefix(*addr, "localhost:") || strings.HasPrefix(*addr, ":") {
		host = "localhost:" + strings.TrimPrefix(host[strings.LastIndex(host, ":"):], ":")
	}
	fmt.Printf("Trapdoor is at http://%s%s/  (Ctrl-C stops)\n", host, site.NormalizePrefix(*prefix))
	err = http.Serve(ln, site.Server(*dir, *prefix))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
