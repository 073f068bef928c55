package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/trace"
)

// The kernel API modules link against: Linux's names and behaviour,
// carried out in Go. The order of kapi is the order of the stubs; the
// headers in testvectors/include/trapdoor declare the same functions.

type kapiFunc struct {
	name string
	fn   func(a *kcall) uint32
}

// kapi is filled by init: its functions refer back to it (symbolize).
var kapi []kapiFunc

var kapiIndex = map[string]int{}

func init() {
	kapi = []kapiFunc{
		// printk and formatting
		{"printk", apiPrintk},
		{"vprintk", apiVprintk},
		{"snprintf", func(a *kcall) uint32 { return a.snprintf(a.arg(0), a.arg(1), a.arg(2), a.c.R[4]+16, false) }},
		{"vsnprintf", func(a *kcall) uint32 { return a.snprintf(a.arg(0), a.arg(1), a.arg(2), a.arg(3), false) }},
		{"scnprintf", func(a *kcall) uint32 { return a.snprintf(a.arg(0), a.arg(1), a.arg(2), a.c.R[4]+16, true) }},
		{"vscnprintf", func(a *kcall) uint32 { return a.snprintf(a.arg(0), a.arg(1), a.arg(2), a.arg(3), true) }},
		{"sprintf", func(a *kcall) uint32 { return a.snprintf(a.arg(0), 1<<30, a.arg(1), a.c.R[4]+12, false) }},
		{"panic", apiPanic},
		{"dump_stack", apiDumpStack},
		{"__trapdoor_bug", func(a *kcall) uint32 {
			a.oops(0, fmt.Sprintf("kernel BUG at %s:%d!", a.cstring(a.arg(0), 256), a.iarg(1)))
			return 0
		}},
		{"__trapdoor_warn", func(a *kcall) uint32 {
			a.ms.k.Log.Printf(LogWarning, "WARNING: CPU: 0 PID: %d at %s:%d %s", a.pid(), a.cstring(a.arg(0), 256), a.iarg(1), a.ms.symbolize(a.caller()))
			return 0
		}},

		// memory and strings
		{"memcpy", func(a *kcall) uint32 { a.move(a.arg(0), a.arg(1), a.arg(2)); return a.arg(0) }},
		{"memmove", func(a *kcall) uint32 { a.move(a.arg(0), a.arg(1), a.arg(2)); return a.arg(0) }},
		{"memset", apiMemset},
		{"memcmp", apiMemcmp},
		{"strlen", func(a *kcall) uint32 { return uint32(len(a.cstring(a.arg(0), 1<<24))) }},
		{"strnlen", func(a *kcall) uint32 { return uint32(len(a.cstring(a.arg(0), int(min(a.arg(1), 1<<24))))) }},
		{"strcmp", func(a *kcall) uint32 { return strcmpN(a.cstring(a.arg(0), 1<<24), a.cstring(a.arg(1), 1<<24), 1<<24) }},
		{"strncmp", func(a *kcall) uint32 {
			n := int(min(a.arg(2), 1<<24))
			return strcmpN(a.cstring(a.arg(0), n), a.cstring(a.arg(1), n), n)
		}},
		{"strcpy", func(a *kcall) uint32 {
			a.write(a.arg(0), append([]byte(a.cstring(a.arg(1), 1<<24)), 0))
			return a.arg(0)
		}},
		{"strncpy", apiStrncpy},
		{"strlcpy", apiStrlcpy},
		{"strscpy", apiStrscpy},
		{"strcat", func(a *kcall) uint32 {
			d := a.arg(0)
			a.write(d+uint32(len(a.cstring(d, 1<<24))), append([]byte(a.cstring(a.arg(1), 1<<24)), 0))
			return d
		}},
		{"strchr", func(a *kcall) uint32 { return a.strchr(false) }},
		{"strrchr", func(a *kcall) uint32 { return a.strchr(true) }},
		{"strstr", func(a *kcall) uint32 {
			s := a.cstring(a.arg(0), 1<<24)
			if i := strings.Index(s, a.cstring(a.arg(1), 1<<24)); i >= 0 {
				return a.arg(0) + uint32(i)
			}
			return 0
		}},
		{"kstrtoint", apiKstrtol},
		{"kstrtol", apiKstrtol},

		// user memory
		{"copy_from_user", func(a *kcall) uint32 { return a.copyUser(a.arg(0), a.arg(1), a.arg(2), false) }},
		{"copy_to_user", func(a *kcall) uint32 { return a.copyUser(a.arg(1), a.arg(0), a.arg(2), true) }},
		{"clear_user", apiClearUser},
		{"strncpy_from_user", apiStrncpyFromUser},
		{"strnlen_user", apiStrnlenUser},
		{"__trapdoor_get_user", func(a *kcall) uint32 { return a.getPutUser(a.arg(0), a.arg(1), a.arg(2), false) }},
		{"__trapdoor_put_user", func(a *kcall) uint32 { return a.getPutUser(a.arg(0), a.arg(1), a.arg(2), true) }},

		// allocation
		{"kmalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), a.arg(1)&gfpZero != 0) }},
		{"__kmalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), a.arg(1)&gfpZero != 0) }},
		{"kzalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), true) }},
		{"kcalloc", func(a *kcall) uint32 { return a.kmallocArray(a.arg(0), a.arg(1), true) }},
		{"kmalloc_array", func(a *kcall) uint32 { return a.kmallocArray(a.arg(0), a.arg(1), false) }},
		{"krealloc", apiKrealloc},
		{"kfree", func(a *kcall) uint32 { a.kfree(a.arg(0)); return 0 }},
		{"kzfree", func(a *kcall) uint32 { a.kfree(a.arg(0)); return 0 }},
		{"kfree_sensitive", func(a *kcall) uint32 { a.kfree(a.arg(0)); return 0 }},
		{"vmalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), false) }},
		{"vzalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), true) }},
		{"vfree", func(a *kcall) uint32 { a.kfree(a.arg(0)); return 0 }},
		{"kvmalloc", func(a *kcall) uint32 { return a.kmalloc(a.arg(0), false) }},
		{"kvfree", func(a *kcall) uint32 { a.kfree(a.arg(0)); return 0 }},
		{"kstrdup", func(a *kcall) uint32 { return a.kdup(append([]byte(a.cstring(a.arg(0), 1<<24)), 0), a.arg(0)) }},
		{"kstrndup", func(a *kcall) uint32 {
			return a.kdup(append([]byte(a.cstring(a.arg(0), int(min(a.arg(1), 1<<24)))), 0), a.arg(0))
		}},
		{"kmemdup", func(a *kcall) uint32 { return a.kdup(a.read(a.arg(0), min(a.arg(1), 1<<24)), a.arg(0)) }},
		{"ksize", func(a *kcall) uint32 { n, _ := a.ms.heap.sizeOf(a.arg(0)); return n }},

		// locking
		{"spin_lock", apiSpinLock},
		{"spin_unlock", apiSpinUnlock},
		{"spin_trylock", apiSpinTrylock},
		{"preempt_disable", func(a *kcall) uint32 { a.kt.preempt++; return 0 }},
		{"preempt_enable", func(a *kcall) uint32 {
			if a.kt.preempt > 0 {
				a.kt.preempt--
			}
			return 0
		}},
		{"down", func(a *kcall) uint32 { return a.down(linuxTaskUninterruptible) }},
		{"down_interruptible", func(a *kcall) uint32 { return a.down(linuxTaskInterruptible) }},
		{"down_killable", func(a *kcall) uint32 { return a.down(linuxTaskKillable) }},
		{"down_trylock", apiDownTrylock},
		{"up", apiUp},
		{"mutex_lock", func(a *kcall) uint32 { return a.mutexLock(linuxTaskUninterruptible) }},
		{"mutex_lock_interruptible", func(a *kcall) uint32 { return a.mutexLock(linuxTaskInterruptible) }},
		{"mutex_lock_killable", func(a *kcall) uint32 { return a.mutexLock(linuxTaskKillable) }},
		{"mutex_trylock", apiMutexTrylock},
		{"mutex_unlock", apiMutexUnlock},
		{"__trapdoor_wait", apiWait},
		{"wake_up", apiWakeUp},

		// tasks, signals, sleeping
		{"get_current", func(a *kcall) uint32 { return a.current() }},
		{"find_task_by_vpid", func(a *kcall) uint32 {
			if t := a.ms.k.Tasks[int(a.iarg(0))]; t != nil && a.iarg(0) > 0 {
				return a.ms.shadowFor(t, true)
			}
			return 0
		}},
		{"send_sig_info", func(a *kcall) uint32 { return a.sendSig(a.iarg(0), a.arg(1), a.arg(2)) }},
		{"send_sig", func(a *kcall) uint32 {
			info := uint32(0) // SEND_SIG_NOINFO
			if a.arg(2) != 0 {
				info = 1 // SEND_SIG_PRIV
			}
			return a.sendSig(a.iarg(0), info, a.arg(1))
		}},
		{"__trapdoor_force_sig", func(a *kcall) uint32 {
			task := a.arg(1)
			if task == 0 {
				task = a.current()
			}
			return a.sendSig(a.iarg(0), 1, task)
		}},
		{"__trapdoor_next_task", apiNextTask},
		{"schedule", apiSchedule},
		{"cond_resched", apiSchedule},
		{"yield", apiSchedule},
		{"msleep", func(a *kcall) uint32 { a.msleep(int64(a.arg(0)) * 1e6); return 0 }},
		{"ssleep", func(a *kcall) uint32 { a.msleep(int64(a.arg(0)) * 1e9); return 0 }},
		{"usleep_range", func(a *kcall) uint32 { a.msleep(int64(a.arg(0)) * 1e3); return 0 }},
		{"udelay", func(a *kcall) uint32 { return 0 }},
		{"mdelay", func(a *kcall) uint32 { return 0 }},
		{"vm_mmap", apiVmMmap},
		{"vm_munmap", func(a *kcall) uint32 {
			if a.t == nil || a.t.MM.Unmap(a.arg(0), a.arg(1)) != nil {
				return errnoRet(abi.EINVAL)
			}
			return 0
		}},
		{"signal_pending", func(a *kcall) uint32 {
			if a.t != nil && a.t.signalWaiting() {
				return 1
			}
			return 0
		}},
	}

	for i, f := range kapi {
		if _, dup := kapiIndex[f.name]; dup {
			panic("kernel API " + f.name + " listed twice")
		}
		kapiIndex[f.name] = i
	}
}

func (a *kcall) pid() int {
	if a.t == nil {
		return 0
	}
	return a.t.Pid
}

// printk

func apiPrintk(a *kcall) uint32 {
	return a.printk(a.cstring(a.arg(0), 4096), &gargs{a: a, at: a.c.R[4] + 8})
}

func apiVprintk(a *kcall) uint32 {
	return a.printk(a.cstring(a.arg(0), 4096), &gargs{a: a, at: a.arg(1)})
}

// printk logs a message. A message without a final newline is held
// until KERN_CONT messages complete it (pr_cont), another message starts,
// or the module call ends, as Linux's continuation buffer.
func (a *kcall) printk(format string, g *gargs) uint32 {
	msg := a.kformat(format, g)
	level, text, cont := printkLevel(msg)
	ms := a.ms
	if cont && ms.partial != nil {
		text, level = ms.partial.text+text, ms.partial.level
		ms.partial = nil
	} else {
		ms.flushPrintk()
	}
	if !strings.HasSuffix(text, "\n") {
		ms.partial = &partialLine{level: level, text: text}
		return uint32(len(msg))
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		ms.k.Log.Printf(level, "%s", line)
	}
	return uint32(len(msg))
}

// partialLine is a printk message waiting for its newline.
type partialLine struct {
	level int
	text  string
}

// flushPrintk logs a held partial line.
func (ms *modules) flushPrintk() {
	if p := ms.partial; p != nil {
		ms.partial = nil
		for _, line := range strings.Split(p.text, "\n") {
			ms.k.Log.Printf(p.level, "%s", line)
		}
	}
}

func (a *kcall) snprintf(buf, size, format, args uint32, clamp bool) uint32 {
	s := a.kformat(a.cstring(format, 4096), &gargs{a: a, at: args})
	if size > 0 {
		n := min(uint32(len(s)), size-1)
		a.write(buf, append([]byte(s[:n]), 0))
		if clamp {
			return n
		}
	} else if clamp {
		return 0
	}
	return uint32(len(s))
}

func apiPanic(a *kcall) uint32 {
	msg := a.kformat(a.cstring(a.arg(0), 4096), &gargs{a: a, at: a.c.R[4] + 8})
	a.oops(0, "Kernel panic - not syncing: "+strings.TrimSuffix(msg, "\n"))
	return 0
}

func apiDumpStack(a *kcall) uint32 {
	k := a.ms.k
	k.Log.Printf(LogWarning, "CPU: 0 PID: %d Comm: %s Tainted: G           O    4.15.0-trapdoor #1", a.pid(), a.comm())
	a.ms.backtrace(a.kt, func(f string, x ...any) { k.Log.Printf(LogWarning, f, x...) })
	return 0
}

func (a *kcall) comm() string {
	if a.t == nil {
		return "insmod"
	}
	return a.t.Comm
}

// memory and strings

// maxKernelCopy bounds one memcpy/memset: beyond it the copy is a
// runaway that would have hit unmapped memory on Linux.
const maxKernelCopy = 16 << 20

func (a *kcall) move(dst, src, n uint32) {
	if n > maxKernelCopy {
		a.oops(src+maxKernelCopy, fmt.Sprintf("memcpy of %d bytes", n))
	}
	a.write(dst, a.read(src, n))
}

func apiMemset(a *kcall) uint32 {
	n := a.arg(2)
	if n > maxKernelCopy {
		a.oops(a.arg(0)+maxKernelCopy, fmt.Sprintf("memset of %d bytes", n))
	}
	a.write(a.arg(0), bytes.Repeat([]byte{byte(a.arg(1))}, int(n)))
	return a.arg(0)
}

func apiMemcmp(a *kcall) uint32 {
	n := min(a.arg(2), maxKernelCopy)
	x, y := a.read(a.arg(0), n), a.read(a.arg(1), n)
	for i := range x {
		if x[i] != y[i] {
			return uint32(int32(x[i]) - int32(y[i]))
		}
	}
	return 0
}

// strcmpN compares as strncmp over strings read up to their NULs.
func strcmpN(x, y string, n int) uint32 {
	for i := 0; i < n; i++ {
		var cx, cy byte
		if i < len(x) {
			cx = x[i]
		}
		if i < len(y) {
			cy = y[i]
		}
		if cx != cy {
			return uint32(int32(cx) - int32(cy))
		}
		if cx == 0 {
			return 0
		}
	}
	return 0
}

func apiStrncpy(a *kcall) uint32 {
	n := min(a.arg(2), maxKernelCopy)
	s := []byte(a.cstring(a.arg(1), int(n)))
	out := make([]byte, n)
	copy(out, s)
	a.write(a.arg(0), out)
	return a.arg(0)
}

func apiStrlcpy(a *kcall) uint32 {
	src := a.cstring(a.arg(1), 1<<24)
	if size := a.arg(2); size > 0 {
		n := min(uint32(len(src)), size-1)
		a.write(a.arg(0), append([]byte(src[:n]), 0))
	}
	return uint32(len(src))
}

func apiStrscpy(a *kcall) uint32 {
	size := min(a.arg(2), maxKernelCopy)
	if size == 0 {
		return errnoRet(abi.E2BIG)
	}
	src := a.cstring(a.arg(1), int(size))
	if uint32(len(src)) >= size {
		a.write(a.arg(0), append([]byte(src[:size-1]), 0))
		return errnoRet(abi.E2BIG)
	}
	a.write(a.arg(0), append([]byte(src), 0))
	return uint32(len(src))
}

func (a *kcall) strchr(last bool) uint32 {
	s := a.cstring(a.arg(0), 1<<24)
	c := byte(a.arg(1))
	if c == 0 {
		return a.arg(0) + uint32(len(s))
	}
	i := strings.IndexByte(s, c)
	if last {
		i = strings.LastIndexByte(s, c)
	}
	if i < 0 {
		return 0
	}
	return a.arg(0) + uint32(i)
}

// apiKstrtol is kstrtol/kstrtoint(s, base, &res): 0, -EINVAL or
// -ERANGE. One trailing newline is allowed, as in Linux; base 16 takes an
// optional 0x, base 0 detects 0x (hex) and 0 (octal).
func apiKstrtol(a *kcall) uint32 {
	s := strings.TrimSuffix(a.cstring(a.arg(0), 64), "\n")
	base := int(a.arg(1))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	lower := strings.ToLower(s)
	switch {
	case (base == 16 || base == 0) && strings.HasPrefix(lower, "0x"):
		s, base = s[2:], 16
	case base == 0 && len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	case base == 0:
		base = 10
	}
	if s == "" || strings.ContainsAny(s, "_+-") {
		return errnoRet(abi.EINVAL)
	}
	u, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return errnoRet(abi.ERANGE)
		}
		return errnoRet(abi.EINVAL)
	}
	v := int64(u)
	if neg {
		v = -v
	}
	if u > 1<<31 || !neg && u > 0x7FFFFFFF {
		return errnoRet(abi.ERANGE)
	}
	a.putU32(a.arg(2), uint32(v))
	return 0
}

// user memory

func apiClearUser(a *kcall) uint32 {
	u, n := a.arg(0), a.arg(1)
	if !userRange(u, n) || a.t == nil {
		return n
	}
	zero := make([]byte, min(n, 4096))
	done := uint32(0)
	for done < n {
		chunk := min(n-done, 4096-(u+done)&4095)
		if a.t.MM.CopyOut(u+done, zero[:chunk]) != nil {
			break
		}
		done += chunk
	}
	return n - done
}

// apiStrncpyFromUser: the string's length (count if no NUL within
// count bytes), -EFAULT on a bad pointer.
func apiStrncpyFromUser(a *kcall) uint32 {
	dst, src, count := a.arg(0), a.arg(1), a.iarg(2)
	if count <= 0 {
		return 0
	}
	if a.t == nil || !userRange(src, 1) {
		return errnoRet(abi.EFAULT)
	}
	var out []byte
	for int32(len(out)) < count {
		var b [1]byte
		p := src + uint32(len(out))
		if p >= 0xC0000000 || a.t.MM.CopyIn(p, b[:]) != nil {
			return errnoRet(abi.EFAULT)
		}
		out = append(out, b[0])
		if b[0] == 0 {
			a.write(dst, out)
			return uint32(len(out) - 1)
		}
	}
	a.write(dst, out)
	return uint32(count)
}

// apiStrnlenUser: length including the NUL, n+1 if none within n, 0 on
// a fault.
func apiStrnlenUser(a *kcall) uint32 {
	src, n := a.arg(0), a.arg(1)
	if a.t == nil {
		return 0
	}
	for i := uint32(0); i < min(n, 1<<24); i++ {
		var b [1]byte
		if src+i >= 0xC0000000 || a.t.MM.CopyIn(src+i, b[:]) != nil {
			return 0
		}
		if b[0] == 0 {
			return i + 1
		}
	}
	return n + 1
}

// getPutUser backs get_user/put_user: 0, or -EFAULT (get_user then
// stores zero in the kernel variable).
func (a *kcall) getPutUser(kaddr, uaddr, size uint32, put bool) uint32 {
	if size != 1 && size != 2 && size != 4 && size != 8 {
		a.oops(uaddr, fmt.Sprintf("get_user/put_user of %d bytes", size))
	}
	if put {
		if a.copyUser(kaddr, uaddr, size, true) != 0 {
			return errnoRet(abi.EFAULT)
		}
		return 0
	}
	if a.copyUser(kaddr, uaddr, size, false) != 0 {
		a.write(kaddr, make([]byte, size))
		return errnoRet(abi.EFAULT)
	}
	return 0
}

// allocation

// gfpZero is __GFP_ZERO.
const gfpZero = 0x8000

func (a *kcall) kmalloc(size uint32, zero bool) uint32 {
	caller := a.caller()
	p := a.ms.heap.alloc(size, kalloc{mod: a.ms.moduleAt(caller), caller: caller})
	if p == 0 {
		a.ms.k.Log.Printf(LogWarning, "%s: page allocation failure: order:%d, mode:0x14000c0(GFP_KERNEL), size %d from %s",
			a.comm(), orderOf(size), size, a.ms.symbolize(caller))
		return 0
	}
	if zero && size > 0 {
		a.write(p, make([]byte, size))
	}
	return p
}

func orderOf(size uint32) int {
	o := 0
	for uint64(4096)<<o < uint64(size) {
		o++
	}
	return o
}

func (a *kcall) kmallocArray(n, size uint32, zero bool) uint32 {
	if size != 0 && n > 0xFFFFFFFF/size {
		return 0
	}
	return a.kmalloc(n*size, zero)
}

func apiKrealloc(a *kcall) uint32 {
	old, size := a.arg(0), a.arg(1)
	if old == 0 || old == zeroSizePtr {
		return a.kmalloc(size, false)
	}
	oldSize, ok := a.ms.heap.sizeOf(old)
	if !ok {
		a.oops(old, fmt.Sprintf("krealloc of %#x, which kmalloc did not return", old))
	}
	if size == 0 {
		a.kfree(old)
		return zeroSizePtr
	}
	p := a.kmalloc(size, false)
	if p != 0 {
		a.write(p, a.read(old, min(oldSize, size)))
		a.kfree(old)
	}
	return p
}

func (a *kcall) kfree(p uint32) {
	if !a.ms.heap.kfree(p) {
		a.oops(p, fmt.Sprintf("kfree of %#x, which is not a live kmalloc allocation (double free or bad pointer)", p))
	}
}

func (a *kcall) kdup(b []byte, src uint32) uint32 {
	if src == 0 {
		return 0
	}
	p := a.kmalloc(uint32(len(b)), false)
	if p != 0 {
		a.write(p, b)
	}
	return p
}

// locking: a spinlock word holds 0 or the owner's pid+1; a semaphore's
// count is its second word; a mutex's first word is its owner's pid+1.

func (a *kcall) owner() uint32 { return uint32(a.pid()) + 1 }

func apiSpinLock(a *kcall) uint32 {
	l := a.arg(0)
	v := a.u32(l)
	switch {
	case v == 0:
		a.putU32(l, a.owner())
		a.kt.preempt++
	case v == a.owner():
		a.oops(l, fmt.Sprintf("spinlock recursion on CPU#0, %s/%d (lock %s)", a.comm(), a.pid(), a.ms.symbolize(l)))
	default:
		// Held by a task that slept holding it: spin (let it run).
		a.ctx.spun += 1000
		if a.ctx.spun >= a.ms.lockup {
			a.oops(l, fmt.Sprintf("spinlock lockup suspected on CPU#0, %s/%d (held by pid %d)", a.comm(), a.pid(), v-1))
		}
		if a.t == nil {
			a.oops(l, "spinlock held by a task during module init")
		}
		a.ctx.yielded = false
		a.yield()
	}
	return 0
}

func apiSpinTrylock(a *kcall) uint32 {
	l := a.arg(0)
	if a.u32(l) != 0 {
		return 0
	}
	a.putU32(l, a.owner())
	a.kt.preempt++
	return 1
}

func apiSpinUnlock(a *kcall) uint32 {
	l := a.arg(0)
	if v := a.u32(l); v == 0 {
		a.ms.k.Log.Printf(LogErr, "BUG: spinlock already unlocked on CPU#0, %s/%d (lock %s)", a.comm(), a.pid(), a.ms.symbolize(l))
		return 0
	} else if v != a.owner() {
		a.ms.k.Log.Printf(LogErr, "BUG: spinlock wrong owner on CPU#0, %s/%d (held by pid %d)", a.comm(), a.pid(), v-1)
	}
	a.putU32(l, 0)
	if a.kt.preempt > 0 {
		a.kt.preempt--
	}
	return 0
}

func (a *kcall) down(state uint32) uint32 {
	sem := a.arg(0)
	if n := a.u32(sem + 4); n > 0 {
		a.putU32(sem+4, n-1)
		return 0
	}
	return a.waitOn(a.ms.waitQueueAt(sem), state)
}

func apiDownTrylock(a *kcall) uint32 {
	sem := a.arg(0)
	if n := a.u32(sem + 4); n > 0 {
		a.putU32(sem+4, n-1)
		return 0
	}
	return 1
}

func apiUp(a *kcall) uint32 {
	sem := a.arg(0)
	a.putU32(sem+4, a.u32(sem+4)+1)
	if q := a.ms.waits[sem]; q != nil {
		a.ms.wakeOne(q)
	}
	return 0
}

func (a *kcall) mutexLock(state uint32) uint32 {
	m := a.arg(0)
	switch v := a.u32(m); {
	case v == 0:
		a.putU32(m, a.owner())
		return 0
	case v == a.owner():
		a.oops(m, fmt.Sprintf("recursive mutex_lock: %s/%d already holds %s (deadlock)", a.comm(), a.pid(), a.ms.symbolize(m)))
	}
	return a.waitOn(a.ms.waitQueueAt(m), state)
}

func apiMutexTrylock(a *kcall) uint32 {
	m := a.arg(0)
	if a.u32(m) != 0 {
		return 0
	}
	a.putU32(m, a.owner())
	return 1
}

func apiMutexUnlock(a *kcall) uint32 {
	m := a.arg(0)
	if v := a.u32(m); v != a.owner() {
		a.ms.k.Log.Printf(LogErr, "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current): %s/%d unlocks %s held by pid %d",
			a.comm(), a.pid(), a.ms.symbolize(m), int(v)-1)
	}
	a.putU32(m, 0)
	if q := a.ms.waits[m]; q != nil {
		a.ms.wakeOne(q)
	}
	return 0
}

// waitKinds are __trapdoor_wait's third argument: wait_event (0),
// wait_event_interruptible (1), wait_event_killable (2), and the state
// each sleeps in.
var waitKinds = [...]uint32{linuxTaskUninterruptible, linuxTaskInterruptible, linuxTaskKillable}

// apiWait is __trapdoor_wait(wq, gen, kind), the sleep inside
// wait_event: it sleeps unless wake_up bumped the queue's generation
// (second word) since the caller read gen.
func apiWait(a *kcall) uint32 {
	wq, gen, kind := a.arg(0), a.arg(1), a.arg(2)
	intr := kind != 0
	state := uint32(linuxTaskInterruptible) // older modules passed any non-zero
	if kind < uint32(len(waitKinds)) {
		state = waitKinds[kind]
	}
	if a.ctx.waited {
		if intr && !a.ctx.woken {
			return errnoRet(errRestartSys)
		}
		return 0 // woken (or spuriously): the caller re-checks
	}
	if a.u32(wq+4) != gen {
		return 0
	}
	if intr && a.t != nil && a.t.signalWaiting() {
		return errnoRet(errRestartSys)
	}
	a.ctx.waited, a.ctx.woken, a.ctx.interruptible = true, false, intr
	a.sleep(a.ms.waitQueueAt(wq), 0, state)
	return 0
}

// apiWakeUp is wake_up(wq): every sleeper wakes and re-checks.
func apiWakeUp(a *kcall) uint32 {
	wq := a.arg(0)
	a.putU32(wq+4, a.u32(wq+4)+1)
	if q := a.ms.waits[wq]; q != nil {
		for len(q.tasks) > 0 {
			a.ms.wakeOne(q)
		}
	}
	return 0
}

// tasks and signals

func (a *kcall) current() uint32 {
	if a.t == nil {
		return a.ms.swapperShadow()
	}
	return a.ms.shadowFor(a.t, true)
}

// sendSig is send_sig_info: info 0 is SEND_SIG_NOINFO (from the current
// process), 1 SEND_SIG_PRIV (from the kernel), else a struct siginfo
// whose si_code is used (SI_KERNEL as the NCTU handout sets it).
func (a *kcall) sendSig(sig int32, info, task uint32) uint32 {
	k := a.ms.k
	t := a.ms.shadows[task]
	if t == nil || k.Tasks[t.Pid] != t {
		a.oops(task, fmt.Sprintf("send_sig_info to %#x, which is not a task_struct", task))
	}
	if sig < 0 || sig > abi.NSIG {
		return errnoRet(abi.EINVAL)
	}
	if sig == 0 || !t.alive() {
		return 0
	}
	code := int32(abi.SI_KERNEL)
	switch info {
	case 0:
		code = 0 // SI_USER
	case 1:
	default:
		code = int32(a.u32(info + 8))
	}
	if code == abi.SI_KERNEL || a.t == nil {
		k.signalFromKernel(t, int(sig))
		return 0
	}
	from := a.t
	fields := siginfo{code: int(code), pid: uint32(from.Tgid), uid: from.Cred.UID}
	args := []trace.Arg{
		trace.F("si_signo", trace.Sym(uint64(sig), abi.SignalName(int(sig)))),
		trace.F("si_code", trace.I(int64(code))),
		trace.F("si_pid", trace.I(int64(from.Tgid))),
		trace.F("si_uid", trace.U(uint64(from.Cred.UID))),
	}
	k.post(k.signalTarget(t, int(sig)), int(sig), args, fields)
	return 0
}

// apiVmMmap is vm_mmap(file, addr, len, prot, flags, offset) for
// anonymous mappings in the caller's address space: the address, or
// -errno.
func apiVmMmap(a *kcall) uint32 {
	if a.t == nil || a.t.MM == nil {
		return errnoRet(abi.EINVAL)
	}
	if a.arg(0) != 0 {
		return errnoRet(abi.ENODEV) // no files for modules
	}
	addr, length, prot, flags := a.arg(1), a.arg(2), a.arg(3), a.arg(4)|abi.MAP_ANONYMOUS
	if length == 0 || flags&abi.MAP_TYPE == 0 {
		return errnoRet(abi.EINVAL)
	}
	got, err := a.t.MM.Map(addr, length, prot, flags, mm.KindAnon, "", flags&abi.MAP_FIXED != 0)
	if err != nil {
		return errnoRet(memErr(err))
	}
	return got
}

// apiNextTask walks the tasks in pid order for for_each_process: the
// task after prev (NULL: the first), or NULL at the end.
func apiNextTask(a *kcall) uint32 {
	prev := a.arg(0)
	after := 0
	if prev != 0 {
		t := a.ms.shadows[prev]
		if t == nil {
			a.oops(prev, fmt.Sprintf("for_each_process from %#x, which is not a task_struct", prev))
		}
		after = t.Pid
	}
	for _, t := range a.ms.k.taskList() {
		if t.Pid > after && t.Tgid == t.Pid {
			return a.ms.shadowFor(t, true)
		}
	}
	return 0
}

// apiSchedule gives the CPU to other tasks once.
func apiSchedule(a *kcall) uint32 {
	if a.ctx.yielded {
		return 0
	}
	a.ctx.spun = 0
	a.yield()
	return 0
}

// msleep sleeps on the virtual (or wall) clock.
func (a *kcall) msleep(ns int64) {
	if a.t == nil {
		return
	}
	now := a.ms.k.clock.monotonicNS()
	if a.ctx.deadline == 0 {
		a.ctx.deadline = now + ns
	}
	if now >= a.ctx.deadline {
		return
	}
	a.sleep(nil, a.ctx.deadline, linuxTaskUninterruptible) // schedule_timeout_uninterruptible
}
