package cpu

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/memory"
)

// expectPath is the hardware-recorded instruction vectors; see
// testvectors/insn/README.md. TRAPDOOR_INSN_EXPECT overrides it (to try a
// freshly generated file).
const expectPath = "../../testvectors/insn/expect.txt"

// The six registers of a vector line, in its order, as register numbers.
var vectorRegs = [6]int{EAX, ECX, EDX, EBX, ESI, EDI}

type insnVector struct {
	line     int
	text     string
	name     string
	code     []byte
	in       [6]uint32
	flagsIn  uint32
	de       bool
	out      [6]uint32
	flagsOut uint32
	mask     uint32
}

func parseVector(line int, s string) (insnVector, error) {
	v := insnVector{line: line, text: s}
	f := strings.Fields(s)
	if len(f) < 11 || f[9] != "->" {
		return v, fmt.Errorf("malformed")
	}
	v.name = f[0]
	code, err := hex.DecodeString(f[1])
	if err != nil {
		return v, err
	}
	v.code = code
	num := func(s string) uint32 {
		n, e := strconv.ParseUint(s, 16, 32)
		if e != nil && err == nil {
			err = e
		}
		return uint32(n)
	}
	for i := range 6 {
		v.in[i] = num(f[2+i])
	}
	v.flagsIn = num(f[8])
	switch {
	case f[10] == "#DE" && len(f) == 11:
		v.de = true
	case len(f) == 18:
		for i := range 6 {
			v.out[i] = num(f[10+i])
		}
		v.flagsOut = num(f[16])
		v.mask = num(f[17])
	default:
		return v, fmt.Errorf("malformed")
	}
	return v, err
}

// runVector executes one vector on c and describes any mismatch.
func runVector(c *CPU, v *insnVector) string {
	code := append(append([]byte{}, v.code...), 0xCD, 0x80)
	if n, f := c.WriteGuest(codeBase, code, true); f != nil || n != len(code) {
		return "cannot place code"
	}
	c.R = [8]uint32{}
	for i, r := range vectorRegs {
		c.R[r] = v.in[i]
	}
	c.R[ESP] = stackTop
	c.SetEFLAGS(v.flagsIn)
	c.EIP = codeBase
	exit := c.Run(10)
	var got [6]uint32
	for i, r := range vectorRegs {
		got[i] = c.R[r]
	}
	fl := c.EFLAGS()
	if v.de {
		if exit.Reason != ExitFault || exit.Vector != VecDivide {
			return fmt.Sprintf("want #DE, got %v", exit)
		}
		if got != v.in || c.EIP != codeBase || fl != v.flagsIn|flagReserved {
			return fmt.Sprintf("#DE not precise: regs %08x eip %#x flags %08x", got, c.EIP, fl)
		}
		return ""
	}
	if exit.Reason != ExitInterrupt || exit.Vector != VecSyscall || c.EIP != codeBase+uint32(len(code)) {
		return fmt.Sprintf("stopped with %v at eip %#x", exit, c.EIP)
	}
	var msg []string
	for i := range 6 {
		if got[i] != v.out[i] {
			msg = append(msg, fmt.Sprintf("%s=%08x want %08x", []string{"eax", "ecx", "edx", "ebx", "esi", "edi"}[i], got[i], v.out[i]))
		}
	}
	check := v.mask | ^uint32(StatusFlags)
	if (fl^v.flagsOut)&check != 0 {
		msg = append(msg, fmt.Sprintf("flags=%08x want %08x (differ %08x under mask %08x)", fl, v.flagsOut, (fl^v.flagsOut)&check, v.mask))
	}
	return strings.Join(msg, ", ")
}

// TestHardwareVectors runs every instruction recorded on real hardware and
// compares registers exactly and flags under the defined-flags mask.
func TestHardwareVectors(t *testing.T) {
	path := expectPath
	if p := os.Getenv("TRAPDOOR_INSN_EXPECT"); p != "" {
		path = p
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("no hardware vectors at %s (generate them with `make insn` in testvectors/)", path)
	}
	require.NoError(t, err)
	defer f.Close()
	runVectorFile(t, f, path, nil)
}

// TestBCDHardwareVectors runs daa das aaa aas aam aad as recorded natively
// by testdata/bcd/gen.c (same format).
func TestBCDHardwareVectors(t *testing.T) {
	f, err := os.Open("testdata/bcd_expect.txt")
	require.NoError(t, err)
	defer f.Close()
	runVectorFile(t, f, "testdata/bcd_expect.txt", nil)
}

// TestStringHardwareVectors runs the string instructions and the bit tests
// on memory as recorded natively by testdata/str/gen.c, with the memory
// that program sets up.
func TestStringHardwareVectors(t *testing.T) {
	f, err := os.Open("testdata/str_expect.txt")
	require.NoError(t, err)
	defer f.Close()
	const base = 0x20000000
	var mem [4 * memory.PageSize]byte
	pattern := func(i uint32) byte { return byte((i*7 + 3) ^ (i >> 5)) }
	for i := uint32(0); i < memory.PageSize; i++ {
		mem[i], mem[memory.PageSize+i] = pattern(i), pattern(i)
	}
	for i := 5; i < memory.PageSize; i += 37 {
		mem[memory.PageSize+i] ^= 0x40
	}
	mapped := false
	runVectorFile(t, f, "testdata/str_expect.txt", func(c *CPU) {
		if !mapped {
			for p := uint32(0); p < 4; p++ {
				pfn, err := c.Phys.Alloc()
				require.NoError(t, err)
				require.NoError(t, c.Phys.Map(c.CR3, base+p*memory.PageSize, pfn, memory.PTEUser|memory.PTEWrite))
			}
			mapped = true
		}
		_, fault := c.WriteGuest(base, mem[:], true)
		require.Nil(t, fault)
	})
}

// runVectorFile runs every line of f; setup, if given, prepares memory
// before each line.
func runVectorFile(t *testing.T, f *os.File, path string, setup func(*CPU)) {

	c := newTestCPU(t, nil)
	type failure struct {
		count    int
		examples []string
	}
	failures := map[string]*failure{}
	total, passed := 0, 0
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		v, err := parseVector(line, s)
		require.NoError(t, err, "line %d: %q", line, s)
		total++
		if setup != nil {
			setup(c)
		}
		msg := runVector(c, &v)
		if msg == "" {
			passed++
			continue
		}
		fl := failures[v.name]
		if fl == nil {
			fl = &failure{}
			failures[v.name] = fl
		}
		fl.count++
		if len(fl.examples) < 3 {
			fl.examples = append(fl.examples, fmt.Sprintf("  line %d: %s\n    %s", line, s, msg))
		}
	}
	require.NoError(t, sc.Err())
	require.NotZero(t, total, "no vectors in %s", path)
	t.Logf("%d of %d hardware vectors pass", passed, total)
	if len(failures) > 0 {
		names := make([]string, 0, len(failures))
		for n := range failures {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s: %d failing\n%s\n", n, failures[n].count, strings.Join(failures[n].examples, "\n"))
		}
		t.Errorf("%d of %d vectors fail, in %d mnemonics:\n%s", total-passed, total, len(failures), b.String())
	}
}
