package main

import (
	"bytes"
	"io"
)

// crlfWriter writes "\n" as "\r\n": the host terminal's ONLCR, done here
// for the emulator's own messages (trace, errors, stats) while makeRaw
// has the terminal's output processing off.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(b []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(b), nil
}
