//go:build !linux

package main

import "os"

func isTerminal(f *os.File) bool { return false }

func winsize(f *os.File) (rows, cols int, ok bool) { return 0, 0, false }

func makeRaw(f *os.File) (restore func()) { return func() {} }
