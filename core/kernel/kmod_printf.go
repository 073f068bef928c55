package kernel

import (
	"strconv"
	"strings"

	"trapdoor/core/memory"
)

// The kernel's vsnprintf for module code: printf formats read from the
// guest, their arguments from a cdecl argument list (or a va_list, which
// on i386 is a pointer into one). %p prints the raw pointer, %pS a
// symbol; a bad %s pointer prints "(efault)" as Linux does.

// gargs walks a guest argument list.
type gargs struct {
	a  *kcall
	at uint32
}

func (g *gargs) u32() uint32 {
	v := g.a.u32(g.at)
	g.at += 4
	return v
}

func (g *gargs) u64() uint64 {
	lo := uint64(g.u32())
	return lo | uint64(g.u32())<<32
}

// safeString reads a string argument without oopsing on a bad pointer.
func (a *kcall) safeString(addr uint32, max int) (string, bool) {
	var out []byte
	for len(out) < max {
		p := addr + uint32(len(out))
		n := min(max-len(out), int(memory.PageSize-p&memory.PageMask))
		b := make([]byte, n)
		if a.access(p, b, false) {
			return "", false
		}
		for i, x := range b {
			if x == 0 {
				return string(append(out, b[:i]...)), true
			}
		}
		out = append(out, b...)
	}
	return string(out), true
}

// kformat formats like the kernel's vsnprintf.
func (a *kcall) kformat(format string, g *gargs) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		i++
		if i >= len(format) {
			break
		}
		// Flags.
		var minus, plus, space, hash, zero bool
	flags:
		for ; i < len(format); i++ {
			switch format[i] {
			case '-':
				minus = true
			case '+':
				plus = true
			case ' ':
				space = true
			case '#':
				hash = true
			case '0':
				zero = true
			default:
				break flags
			}
		}
		width, prec := 0, -1
		if i < len(format) && format[i] == '*' {
			width = int(int32(g.u32()))
			if width < 0 {
				minus, width = true, -width
			}
			i++
		}
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			width = width*10 + int(format[i]-'0')
			i++
		}
		if i < len(format) && format[i] == '.' {
			i++
			prec = 0
			if i < len(format) && format[i] == '*' {
				prec = int(int32(g.u32()))
				i++
			}
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				prec = prec*10 + int(format[i]-'0')
				i++
			}
		}
		long, short := 0, 0 // long 2 for ll/L/q; short 1 for h, 2 for hh
		for i < len(format) {
			switch format[i] {
			case 'h':
				short++
			case 'z', 't', 'j':
			case 'l':
				long++
			case 'L', 'q':
				long = 2
			default:
				goto conv
			}
			i++
		}
	conv:
		if i >= len(format) {
			break
		}
		var s string
		numeric := true
		switch c := format[i]; c {
		case 'd', 'i':
			var v int64
			if long >= 2 {
				v = int64(g.u64())
			} else {
				v = int64(int32(g.u32()))
			}
			switch {
			case long == 0 && short == 1:
				v = int64(int16(v))
			case long == 0 && short >= 2:
				v = int64(int8(v))
			}
			s = strconv.FormatInt(v, 10)
			if prec >= 0 && len(strings.TrimPrefix(s, "-")) < prec {
				neg := strings.HasPrefix(s, "-")
				digits := strings.TrimPrefix(s, "-")
				s = strings.Repeat("0", prec-len(digits)) + digits
				if neg {
					s = "-" + s
				}
			}
			if v >= 0 && plus {
				s = "+" + s
			} else if v >= 0 && space {
				s = " " + s
			}
		case 'u', 'x', 'X', 'o':
			var v uint64
			if long >= 2 {
				v = g.u64()
			} else {
				v = uint64(g.u32())
			}
			switch {
			case long == 0 && short == 1:
				v = uint64(uint16(v))
			case long == 0 && short >= 2:
				v = uint64(uint8(v))
			}
			base := map[byte]int{'u': 10, 'x': 16, 'X': 16, 'o': 8}[c]
			s = strconv.FormatUint(v, base)
			if c == 'X' {
				s = strings.ToUpper(s)
			}
			if prec >= 0 && len(s) < prec {
				s = strings.Repeat("0", prec-len(s)) + s
			}
			if hash && v != 0 {
				switch c {
				case 'x':
					s = "0x" + s
				case 'X':
					s = "0X" + s
				case 'o':
					s = "0" + s
				}
			}
		case 'c':
			s, numeric = string([]byte{byte(g.u32())}), false
		case 's':
			numeric = false
			p := g.u32()
			switch {
			case p == 0:
				s = "(null)"
			default:
				max := 1 << 16
				if prec >= 0 {
					max = prec
				}
				str, ok := a.safeString(p, max)
				if !ok {
					s = "(efault)"
				} else {
					s = str
				}
			}
			if prec >= 0 && len(s) > prec {
				s = s[:prec]
			}
		case 'p':
			p := g.u32()
			numeric = false
			ext := byte(0)
			if i+1 < len(format) && strings.IndexByte("SsBxK", format[i+1]) >= 0 {
				ext = format[i+1]
				i++
			}
			switch ext {
			case 'S', 's', 'B':
				s = a.ms.symbolize(p)
			default:
				s = strconv.FormatUint(uint64(p), 16)
				s = strings.Repeat("0", max(0, 8-len(s))) + s
			}
		case '%':
			b.WriteByte('%')
			continue
		default:
			b.WriteByte('%')
			b.WriteByte(c)
			continue
		}
		if len(s) < width {
			pad := width - len(s)
			switch {
			case minus:
				s += strings.Repeat(" ", pad)
			case zero && numeric && prec < 0:
				sign := ""
				if len(s) > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
					sign, s = s[:1], s[1:]
				}
				if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
					sign, s = sign+s[:2], s[2:]
				}
				s = sign + strings.Repeat("0", pad) + s
			default:
				s = strings.Repeat(" ", pad) + s
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// printkLevel splits a printk message into its KERN_* level (default 4,
// KERN_WARNING, as MESSAGE_LOGLEVEL_DEFAULT) and text; cont reports
// KERN_CONT.
func printkLevel(msg string) (level int, text string, cont bool) {
	level = LogWarning
	for {
		switch {
		case len(msg) >= 2 && msg[0] == '\001':
			switch c := msg[1]; {
			case c >= '0' && c <= '7':
				level = int(c - '0')
			case c == 'c':
				cont = true
			}
			msg = msg[2:]
			continue
		case len(msg) >= 3 && msg[0] == '<' && msg[1] >= '0' && msg[1] <= '7' && msg[2] == '>':
			level = int(msg[1] - '0')
			msg = msg[3:]
			continue
		}
		return level, msg, cont
	}
}
