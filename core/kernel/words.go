package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
)

// Guest structs of 32-bit words (sigaction, stack_t, stat64...): moving
// them in and out of a call, and showing them in the trace.

// copyInWords reads a struct of n 32-bit words from guest memory.
func (t *Task) copyInWords(addr uint32, n int) ([]uint32, abi.Errno) {
	b := make([]byte, 4*n)
	if err := t.copyIn(addr, b); err != 0 {
		return nil, err
	}
	w := make([]uint32, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return w, 0
}

// copyOutWords writes a struct of 32-bit words to guest memory.
func (t *Task) copyOutWords(addr uint32, w ...uint32) abi.Errno {
	b := make(le, 4*len(w))
	for i, v := range w {
		b.u32(4*i, v)
	}
	return t.copyOut(addr, b)
}

// structAt reads the n words of a struct argument for the trace; false
// for NULL or unreadable memory, which show as the bare pointer.
func (d *Decoder) structAt(v uint32, n int) ([]uint32, bool) {
	if v == 0 {
		return nil, false
	}
	return d.words(v, n)
}

// ifDone shows an output argument only when the call succeeded (else
// the kernel wrote nothing there): the pointer.
func ifDone(f func(d *Decoder, v uint32) trace.Arg) func(d *Decoder, v uint32) trace.Arg {
	return func(d *Decoder, v uint32) trace.Arg {
		if d.Failed() {
			return trace.P(v)
		}
		return f(d, v)
	}
}
