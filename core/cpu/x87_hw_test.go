package cpu

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/cpu/x87"
)

// TestX87VectorsThroughCPU replays the recorded x87 vectors (see
// testvectors/x87insn) through the decoder and CPU.Run, so the glue's
// operand addresses, EFLAGS and AX handling are checked against hardware
// too. Memory forms use (%ecx), so ECX points at the data page. The
// transcendental instructions are left to the x87 package's own replay,
// which knows their tolerance.
func TestX87VectorsThroughCPU(t *testing.T) {
	fh, err := os.Open("../../testvectors/x87insn/expect.txt")
	if err != nil {
		t.Skipf("no vectors: %v", err)
	}
	defer fh.Close()
	skip := map[string]bool{"f2xm1": true, "fyl2x": true, "fyl2xp1": true, "fpatan": true,
		"fptan": true, "fsin": true, "fcos": true, "fsincos": true, "fxam": true}
	c := newTestCPU(t, nil)
	sc := bufio.NewScanner(fh)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		left, right, _ := strings.Cut(line, " : ")
		in, out := strings.Fields(left), strings.Fields(right)
		if skip[in[0]] {
			continue
		}
		hx := func(s string) uint64 {
			v, err := strconv.ParseUint(s, 16, 64)
			require.NoError(t, err, line)
			return v
		}
		op, modrm, cw, depth, eflin := hx(in[1]), hx(in[2]), hx(in[3]), hx(in[4]), hx(in[5])
		code := []byte{byte(0xD8 + op), byte(modrm), 0xCD, 0x80}
		_, f := c.WriteGuest(codeBase, code, true)
		require.Nil(t, f)
		mem := make([]byte, 16)
		if in[8] != "-" {
			b, _ := hex.DecodeString(in[8])
			copy(mem, b)
		}
		_, f = c.WriteGuest(dataBase, mem, true)
		require.Nil(t, f)
		c.FPU.Reset()
		c.FPU.CW = uint16(cw)
		regs := []string{}
		if depth == 8 {
			for i := 0; i < 6; i++ {
				regs = append(regs, "3fff8000000000000000")
			}
		}
		if depth >= 2 {
			regs = append(regs, in[7])
		}
		if depth >= 1 {
			regs = append(regs, in[6])
		}
		// Push by hand: TOP moves down, the register becomes valid.
		for _, r := range regs {
			top := (int(c.FPU.SW>>11) - 1) & 7
			c.FPU.SW = c.FPU.SW&^(7<<11) | uint16(top)<<11
			se, _ := strconv.ParseUint(r[:4], 16, 16)
			sig, _ := strconv.ParseUint(r[4:], 16, 64)
			c.FPU.Regs[top] = x87.F80{Sig: sig, SE: uint16(se)}
			c.FPU.TW &^= 3 << (2 * uint(top))
		}
		c.SetEFLAGS(uint32(eflin))
		c.R[EAX], c.R[ECX] = 0, dataBase
		c.EIP = codeBase
		exit := c.Run(1)
		require.Equal(t, ExitBudget, exit.Reason, "%s: %v", line, exit)

		var d []string
		if got := fmt.Sprintf("%04x", c.FPU.SW); got != out[0] {
			d = append(d, "sw "+got)
		}
		if got := fmt.Sprintf("%04x", c.FPU.FullTags()); got != out[1] {
			d = append(d, "tw "+got)
		}
		for i := 0; i < 8; i++ {
			got := "-"
			if !c.FPU.IsEmpty(i) {
				x := c.FPU.ST(i)
				got = fmt.Sprintf("%04x%016x", x.SE, x.Sig)
			}
			if got != out[2+i] {
				d = append(d, fmt.Sprintf("st%d %s", i, got))
			}
		}
		if got := fmt.Sprintf("%x", c.EFLAGS()&0x8D5); got != out[10] {
			d = append(d, "eflags "+got)
		}
		if got := fmt.Sprintf("%04x", c.R[EAX]&0xFFFF); got != out[11] {
			d = append(d, "ax "+got)
		}
		if out[12] != "-" {
			b := make([]byte, 10)
			_, f = c.ReadGuest(dataBase, b, true)
			require.Nil(t, f)
			if got := hex.EncodeToString(b); got != out[12] {
				d = append(d, "mem "+got)
			}
		}
		require.Empty(t, d, line)
		n++
	}
	t.Logf("%d vectors replayed through the CPU", n)
}
