package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tests run this test binary as the CLI (TestMain calls main when
// TRAPDOOR_CLI is set), so they see real exit statuses and streams.
func TestMain(m *testing.M) {
	if os.Getenv("TRAPDOOR_CLI") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func cli(t *testing.T, args ...string) (stdout, stderr string, status int) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TRAPDOOR_CLI=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return o.String(), e.String(), status
}

func vector(t *testing.T, libc, name string) string {
	p := filepath.Join("../../testvectors/bin", libc, name)
	if _, err := os.Stat(p); err != nil {
		t.Skip("test vectors not built")
	}
	return p
}

func TestRunHello(t *testing.T) {
	hello := vector(t, "musl", "hello")
	out, errs, st := cli(t, "run", "--strace", "--stats", hello)
	require.Equal(t, 0, st)
	require.Equal(t, "hello, world\ni386 -42 42 beef Z\ngoodbye\n", out)
	require.Contains(t, errs, "set_tid_address(")
	require.Contains(t, errs, "exit_group(0)                           = ?\n+++ exited with 0 +++\n")
	require.Regexp(t, regexp.MustCompile(`\ninstructions=\d+ seconds=\d+\.\d+ mips=\d+\.\d+\n$`), errs)
}

func TestExitStatuses(t *testing.T) {
	_, _, st := cli(t, "run", vector(t, "glibc", "crash_segv"))
	require.Equal(t, 139, st)
	_, _, st = cli(t, "run", vector(t, "musl", "exitcode"))
	require.Equal(t, 42, st)
	_, _, st = cli(t, "run", "--max-instructions", "100", vector(t, "glibc", "hello"))
	require.Equal(t, 137, st, "killed by SIGKILL when the budget runs out")
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	require.NoError(t, os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0755))
	_, errs, st := cli(t, "run", text)
	require.Equal(t, 127, st)
	require.Contains(t, errs, "not an ELF file")

	_, errs, st = cli(t, "run", filepath.Join(dir, "missing"))
	require.Equal(t, 127, st)
	require.Contains(t, errs, "no such file")

	if self, err := os.Executable(); err == nil {
		_, errs, st = cli(t, "run", self)
		require.Equal(t, 127, st)
		require.Contains(t, errs, "64-bit")
	}
	_, _, st = cli(t)
	require.Equal(t, 2, st)
	_, _, st = cli(t, "run")
	require.Equal(t, 2, st)
}

func TestSession(t *testing.T) {
	hello := vector(t, "musl", "hello")
	exitcode := vector(t, "glibc", "exitcode")
	abs, err := filepath.Abs(hello)
	require.NoError(t, err)
	script := filepath.Join(t.TempDir(), "session")
	require.NoError(t, os.WriteFile(script, []byte("# two programs, then one again by its guest path\n"+
		abs+"\n\n"+exitcode+"\n/bin/hello\n"), 0644))
	out, errs, st := cli(t, "session", "--strace", "--seed", "3", script)
	require.Equal(t, 0, st, "the last command's status")
	require.Equal(t, 2, bytes.Count([]byte(out), []byte("hello, world\n")))
	require.Contains(t, errs, "+++ exited with 42 +++")

	require.NoError(t, os.WriteFile(script, []byte(hello+"\n"+exitcode+"\n"), 0644))
	_, _, st = cli(t, "session", script)
	require.Equal(t, 42, st)
	_, _, st = cli(t, "session", filepath.Join(t.TempDir(), "missing"))
	require.Equal(t, 2, st)
}
