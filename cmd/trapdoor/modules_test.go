package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const helloModuleUser = `#include <stdio.h>
#include "trapdoor.h"
int main(void) {
	char out[64];
	long r = sayhello2("module", out, sizeof out);
	printf("%ld %s\n", r, r > 0 ? out : "");
	return sayhello();
}
`

// --module loads a module whose syscalls replace the built-in ones and
// show in the trace under their names; bad files are refused clearly.
func TestRunModule(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src, prog := filepath.Join(dir, "hello.c"), filepath.Join(dir, "hello")
	require.NoError(t, os.WriteFile(src, []byte(helloModuleUser), 0o644))
	if msg, err := exec.Command("gcc", "-m32", "-static", "-O2", "-I", "../../testvectors/include", "-o", prog, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, msg)
	}
	mod := "../../testvectors/modules/sayhello.o"
	out, errs, st := cli(t, "run", "--strace", "--dmesg", "--module", mod, prog)
	require.Equal(t, 0, st, errs)
	require.Equal(t, "14 Hello module !\n", out)
	require.Contains(t, errs, `sayhello2("module", "Hello module !", 64) = 14`)
	require.Contains(t, errs, "sayhello: loaded at 0xc0800000")
	require.Contains(t, errs, "syscalls: sayhello(502) sayhello2(503)")

	_, errs, st = cli(t, "run", "--module", filepath.Join(dir, "missing.o"), prog)
	require.Equal(t, 127, st)
	require.Contains(t, errs, "missing.o: no such file or directory")

	_, errs, st = cli(t, "run", "--module", src, prog)
	require.Equal(t, 127, st)
	require.Contains(t, errs, "--module "+src+": hello.c: module: not an ELF object (no \\x7fELF magic)")

	_, errs, st = cli(t, "run", "--module", mod, "--module", mod, prog)
	require.Equal(t, 127, st)
	require.Contains(t, errs, "module sayhello: already loaded")
}
