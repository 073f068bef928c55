package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/trace"
)

// Process and thread identity, exit, limits, TLS and futexes.
var processCalls = []Syscall{
	{Nr: 1, Name: "exit", Fn: sysExitThread, Args: []ArgSpec{aInt}, Ret: RetNone},
	{Nr: 252, Name: "exit_group", Fn: sysExit, Args: []ArgSpec{aInt}, Ret: RetNone},
	{Nr: 20, Name: "getpid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uint32(t.Tgid), 0 }},
	{Nr: 224, Name: "gettid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uint32(t.Pid), 0 }},
	{Nr: 64, Name: "getppid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uint32(t.group.leader.PPid), 0 }},
	{Nr: 65, Name: "getpgrp", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uint32(t.Pgid), 0 }},
	{Nr: 132, Name: "getpgid", Fn: sysGetpgid, Args: []ArgSpec{aInt}},
	{Nr: 147, Name: "getsid", Fn: sysGetsid, Args: []ArgSpec{aInt}},
	{Nr: 199, Name: "getuid32", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return t.Cred.UID, 0 }},
	{Nr: 200, Name: "getgid32", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return t.Cred.GID, 0 }},
	{Nr: 201, Name: "geteuid32", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return t.Cred.EUID, 0 }},
	{Nr: 202, Name: "getegid32", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return t.Cred.EGID, 0 }},
	{Nr: 24, Name: "getuid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uid16(t.Cred.UID), 0 }},
	{Nr: 47, Name: "getgid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uid16(t.Cred.GID), 0 }},
	{Nr: 49, Name: "geteuid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uid16(t.Cred.EUID), 0 }},
	{Nr: 50, Name: "getegid", Fn: func(t *Task, a *Args) (uint32, abi.Errno) { return uid16(t.Cred.EGID), 0 }},
	{Nr: 60, Name: "umask", Fn: sysUmask, Args: []ArgSpec{aOct}, Note: nil},
	{Nr: 258, Name: "set_tid_address", Fn: sysSetTidAddress, Args: []ArgSpec{aPtr}},
	{Nr: 311, Name: "set_robust_list", Fn: sysSetRobustList, Args: []ArgSpec{aPtr, aUint}},
	{Nr: 312, Name: "get_robust_list", Fn: sysGetRobustList, Args: []ArgSpec{aInt, aPtr, aPtr}},
	// rseq is refused on purpose: both libcs carry on without it, and
	// accepting it would promise cpu_id updates the kernel does not make.
	{Nr: 386, Name: "rseq", Fn: enosys, Args: []ArgSpec{aPtr, aHex, aInt, aHex}},
	{Nr: 122, Name: "uname", Fn: sysUname, Args: []ArgSpec{out(ifDone(fmtUtsname))}},
	{Nr: 191, Name: "ugetrlimit", Fn: sysUgetrlimit, Args: []ArgSpec{enum(abi.Rlimits), out(ifDone(fmtRlimit32))}},
	{Nr: 76, Name: "getrlimit", Fn: sysGetrlimitOld, Args: []ArgSpec{enum(abi.Rlimits), out(ifDone(fmtRlimit32))}},
	{Nr: 75, Name: "setrlimit", Fn: sysSetrlimit, Args: []ArgSpec{enum(abi.Rlimits), in(ifDone(fmtRlimit32))}},
	{Nr: 340, Name: "prlimit64", Fn: sysPrlimit64, Args: []ArgSpec{aInt, enum(abi.Rlimits), in(ifDone(fmtRlimit64)), out(ifDone(fmtRlimit64))}},
	{Nr: 158, Name: "sched_yield", Fn: sysSchedYield},
	{Nr: 241, Name: "sched_setaffinity", Fn: sysSchedSetaffinity, Args: []ArgSpec{aInt, aUint, aPtr}},
	{Nr: 242, Name: "sched_getaffinity", Fn: sysSchedGetaffinity, Args: []ArgSpec{aInt, aUint, aPtr}},
	{Nr: 318, Name: "getcpu", Fn: sysGetcpu, Args: []ArgSpec{aPtr, aPtr, aPtr}},
	{Nr: 172, Name: "prctl", Fn: sysPrctl, Args: []ArgSpec{aInt, aHex, aHex, aHex, aHex}},
	{Nr: 240, Name: "futex", Fn: sysFutex, Decode: decodeFutex(false)},
	{Nr: 422, Name: "futex_time64", Fn: sysFutex64, Decode: decodeFutex(true)},
	{Nr: 243, Name: "set_thread_area", Fn: sysSetThreadArea, Args: []ArgSpec{in(fmtUserDesc)}, Note: noteEntry},
	{Nr: 244, Name: "get_thread_area", Fn: sysGetThreadArea, Args: []ArgSpec{out(fmtUserDesc)}},
	{Nr: 355, Name: "getrandom", Fn: sysGetrandom, Args: []ArgSpec{out(ifDone(fmtRandom)), aUint, flags(&abi.GrndFlags)}},
}

// sched_yield ends the caller's time slice: the next runnable task goes.
func sysSchedYield(t *Task, a *Args) (uint32, abi.Errno) {
	t.k.sliceLeft = 0
	return 0, 0
}

func enosys(t *Task, a *Args) (uint32, abi.Errno) { return 0, abi.ENOSYS }

// The machine has one CPU: affinity masks are one long with bit 0 set
// (a 1-CPU i386 kernel's cpumask_size), and every task runs on CPU 0.
const cpumaskBytes = 4

// affinityTarget is the task a pid argument of the sched_*affinity
// calls names (0: the caller; a tid names that thread).
func (t *Task) affinityTarget(pid uint32) (*Task, abi.Errno) {
	if pid == 0 {
		return t, 0
	}
	x := t.k.Tasks[int(int32(pid))]
	if x == nil || !x.alive() || int32(pid) < 0 {
		return nil, abi.ESRCH
	}
	return x, 0
}

func sysSchedGetaffinity(t *Task, a *Args) (uint32, abi.Errno) {
	if a[1]*8 < 1 || a[1]&3 != 0 {
		return 0, abi.EINVAL
	}
	if _, err := t.affinityTarget(a[0]); err != 0 {
		return 0, err
	}
	return cpumaskBytes, t.writeU32(a[2], 1)
}

func sysSchedSetaffinity(t *Task, a *Args) (uint32, abi.Errno) {
	if _, err := t.affinityTarget(a[0]); err != 0 {
		return 0, err
	}
	if a[1] == 0 {
		return 0, abi.EINVAL
	}
	var b [1]byte
	if err := t.copyIn(a[2], b[:]); err != 0 {
		return 0, err
	}
	if b[0]&1 == 0 {
		return 0, abi.EINVAL // no CPU of the machine in the mask
	}
	return 0, 0
}

// prctl: PR_SET_NAME and PR_GET_NAME (a thread's comm, 16 bytes with
// the NUL; pthread_setname_np), PR_GET_DUMPABLE; other options EINVAL.
func sysPrctl(t *Task, a *Args) (uint32, abi.Errno) {
	const (
		prGetDumpable = 3
		prSetName     = 15
		prGetName     = 16
	)
	switch a[0] {
	case prSetName:
		b := make([]byte, 16)
		for i := range b[:15] {
			if err := t.copyIn(a[1]+uint32(i), b[i:i+1]); err != 0 {
				return 0, err
			}
			if b[i] == 0 {
				break
			}
		}
		name := string(b[:15])
		if i := indexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		t.Comm = name
		return 0, 0
	case prGetName:
		b := make([]byte, 16)
		copy(b, t.Comm)
		return 0, t.copyOut(a[1], b)
	case prGetDumpable:
		return 1, 0
	}
	return 0, abi.EINVAL
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// getcpu(cpu, node, tcache): CPU 0, node 0.
func sysGetcpu(t *Task, a *Args) (uint32, abi.Errno) {
	for _, p := range a[:2] {
		if p != 0 {
			if err := t.writeU32(p, 0); err != 0 {
				return 0, err
			}
		}
	}
	return 0, 0
}

func uid16(id uint32) uint32 {
	if id > 0xffff {
		return 65534 // overflowuid
	}
	return id
}

// exit ends the calling thread only; the process ends with its last
// thread. exit_group ends them all.
func sysExitThread(t *Task, a *Args) (uint32, abi.Errno) {
	code := int(a[0] & 0xff)
	t.k.exitThread(t, Result{Exited: true, Code: code, Status: code})
	return 0, 0
}

func sysExit(t *Task, a *Args) (uint32, abi.Errno) {
	code := int(a[0] & 0xff)
	t.k.exitTask(t, Result{Exited: true, Code: code, Status: code})
	return 0, 0
}

// target is the process a pid argument names (0: the caller).
func (t *Task) target(pid int) (*Task, abi.Errno) {
	if pid == 0 {
		return t, 0
	}
	x := t.k.Tasks[pid]
	if x == nil || pid < 0 {
		return nil, abi.ESRCH
	}
	return x, 0
}

func sysGetpgid(t *Task, a *Args) (uint32, abi.Errno) {
	x, err := t.target(int(int32(a[0])))
	if err != 0 {
		return 0, err
	}
	return uint32(x.Pgid), 0
}

func sysGetsid(t *Task, a *Args) (uint32, abi.Errno) {
	x, err := t.target(int(int32(a[0])))
	if err != 0 {
		return 0, err
	}
	return uint32(x.Sid), 0
}

func sysUmask(t *Task, a *Args) (uint32, abi.Errno) {
	old := t.umask
	t.umask = a[0] & 0777
	t.syncFS()
	return old, 0
}

func sysSetTidAddress(t *Task, a *Args) (uint32, abi.Errno) {
	t.ClearChildTID = a[0]
	return uint32(t.Pid), 0
}

func sysSetRobustList(t *Task, a *Args) (uint32, abi.Errno) {
	if a[1] != 12 { // sizeof(struct robust_list_head) on i386
		return 0, abi.EINVAL
	}
	t.RobustList, t.RobustSz = a[0], a[1]
	return 0, 0
}

// get_robust_list(tid, head_ptr, len_ptr): a thread's robust list (0:
// the caller's).
func sysGetRobustList(t *Task, a *Args) (uint32, abi.Errno) {
	x := t
	if a[0] != 0 {
		if x = t.k.Tasks[int(int32(a[0]))]; x == nil || !x.alive() || int32(a[0]) < 0 {
			return 0, abi.ESRCH
		}
		if t.Cred.EUID != 0 && t.Cred.EUID != x.Cred.UID {
			return 0, abi.EPERM
		}
	}
	if err := t.writeU32(a[2], 12); err != 0 {
		return 0, err
	}
	return 0, t.writeU32(a[1], x.RobustList)
}

// Kernel identity reported by uname.
const (
	unameRelease = "6.1.0-trapdoor"
	unameVersion = "#1 SMP PREEMPT_DYNAMIC Trapdoor"
)

func sysUname(t *Task, a *Args) (uint32, abi.Errno) {
	b := make([]byte, 6*65)
	for i, s := range []string{"Linux", hostname, unameRelease, unameVersion, "i686", "(none)"} {
		copy(b[i*65:i*65+64], s)
	}
	return 0, t.copyOut(a[0], b)
}

func fmtUtsname(d *Decoder, v uint32) trace.Arg {
	b := make([]byte, 6*65)
	if d.t.copyIn(v, b) != 0 {
		return trace.P(v)
	}
	field := func(i int) string {
		s := b[i*65 : i*65+65]
		for j, c := range s {
			if c == 0 {
				return string(s[:j])
			}
		}
		return string(s)
	}
	str := func(s string) trace.Arg { return trace.Arg{Kind: trace.String, Text: s} }
	return trace.S(v, trace.F("sysname", str(field(0))), trace.F("nodename", str(field(1))), trace.R("..."))
}

func (t *Task) rlimitArg(r uint32) (*rlimit, abi.Errno) {
	if r >= abi.RLIMIT_NLIMITS {
		return nil, abi.EINVAL
	}
	return &t.rlimits[r], 0
}

// ugetrlimit reports limits in 32 bits, infinity as 0xffffffff.
func sysUgetrlimit(t *Task, a *Args) (uint32, abi.Errno) {
	r, err := t.rlimitArg(a[0])
	if err != 0 {
		return 0, err
	}
	clamp := func(v uint64) uint32 {
		if v > 0xffffffff {
			return 0xffffffff
		}
		return uint32(v)
	}
	b := make(le, 8)
	b.u32(0, clamp(r.cur))
	b.u32(4, clamp(r.max))
	return 0, t.copyOut(a[1], b)
}

// The old getrlimit reports infinity as 0x7fffffff.
func sysGetrlimitOld(t *Task, a *Args) (uint32, abi.Errno) {
	r, err := t.rlimitArg(a[0])
	if err != 0 {
		return 0, err
	}
	clamp := func(v uint64) uint32 {
		if v > 0x7fffffff {
			return 0x7fffffff
		}
		return uint32(v)
	}
	b := make(le, 8)
	b.u32(0, clamp(r.cur))
	b.u32(4, clamp(r.max))
	return 0, t.copyOut(a[1], b)
}

func setRlimit(r *rlimit, cur, max uint64) abi.Errno {
	if cur > max {
		return abi.EINVAL
	}
	if max > r.max {
		return abi.EPERM // raising the hard limit needs CAP_SYS_RESOURCE
	}
	r.cur, r.max = cur, max
	return 0
}

func sysSetrlimit(t *Task, a *Args) (uint32, abi.Errno) {
	r, err := t.rlimitArg(a[0])
	if err != 0 {
		return 0, err
	}
	var b [8]byte
	if err := t.copyIn(a[1], b[:]); err != 0 {
		return 0, err
	}
	widen := func(v uint32) uint64 {
		if v == 0xffffffff {
			return abi.RLIM_INFINITY
		}
		return uint64(v)
	}
	return 0, setRlimit(r, widen(binary.LittleEndian.Uint32(b[:])), widen(binary.LittleEndian.Uint32(b[4:])))
}

func sysPrlimit64(t *Task, a *Args) (uint32, abi.Errno) {
	if pid := int(int32(a[0])); pid != 0 && pid != t.Tgid {
		if t.k.Tasks[pid] == nil {
			return 0, abi.ESRCH
		}
	}
	r, err := t.rlimitArg(a[1])
	if err != 0 {
		return 0, err
	}
	old := *r
	if a[2] != 0 {
		var b [16]byte
		if err := t.copyIn(a[2], b[:]); err != 0 {
			return 0, err
		}
		if err := setRlimit(r, binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])); err != 0 {
			return 0, err
		}
	}
	if a[3] != 0 {
		b := make(le, 16)
		b.u64(0, old.cur)
		b.u64(8, old.max)
		if err := t.copyOut(a[3], b); err != 0 {
			return 0, err
		}
	}
	return 0, 0
}

// rlimValue prints a limit as strace: RLIM_INFINITY, 8192*1024, 0.
func rlimValue(v uint64, inf uint64) trace.Arg {
	switch {
	case v == inf || v == abi.RLIM_INFINITY:
		return trace.Sym(v, "RLIM_INFINITY")
	case v > 0 && v%1024 == 0:
		return trace.Sym(v, itoa(v/1024)+"*1024")
	}
	return trace.U(v)
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}

func fmtRlimit32(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 2)
	if !ok {
		return trace.P(v)
	}
	return trace.S(v, trace.F("rlim_cur", rlimValue(uint64(w[0]), 0xffffffff)), trace.F("rlim_max", rlimValue(uint64(w[1]), 0xffffffff)))
}

func fmtRlimit64(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 4)
	if !ok {
		return trace.P(v)
	}
	cur := uint64(w[0]) | uint64(w[1])<<32
	max := uint64(w[2]) | uint64(w[3])<<32
	return trace.S(v, trace.F("rlim_cur", rlimValue(cur, abi.RLIM_INFINITY)), trace.F("rlim_max", rlimValue(max, abi.RLIM_INFINITY)))
}

// struct user_desc flags bits.
const (
	udSeg32        = 1 << 0
	udContents     = 3 << 1
	udReadExecOnly = 1 << 3
	udLimitInPages = 1 << 4
	udNotPresent   = 1 << 5
	udUseable      = 1 << 6
)

func sysSetThreadArea(t *Task, a *Args) (uint32, abi.Errno) {
	var b [16]byte
	if err := t.copyIn(a[0], b[:]); err != 0 {
		return 0, err
	}
	entry := binary.LittleEndian.Uint32(b[0:])
	base := binary.LittleEndian.Uint32(b[4:])
	limit := binary.LittleEndian.Uint32(b[8:])
	fl := binary.LittleEndian.Uint32(b[12:])
	if entry == 0xffffffff {
		entry = 0
		for i, d := range t.TLS {
			if !d.Present && t.tlsFree(i) {
				entry = uint32(cpu.GDTTLSFirst + i)
				break
			}
		}
		if entry == 0 {
			return 0, abi.ESRCH
		}
		if err := t.writeU32(a[0], entry); err != 0 {
			return 0, err
		}
	}
	if entry < cpu.GDTTLSFirst || entry >= cpu.GDTTLSFirst+cpu.GDTTLSCount {
		return 0, abi.EINVAL
	}
	if fl&udContents == udContents { // conforming code
		return 0, abi.EINVAL
	}
	i := entry - cpu.GDTTLSFirst
	var d cpu.Descriptor
	empty := base == 0 && limit == 0 && fl&(udSeg32|udContents|udLimitInPages|udUseable) == 0 &&
		fl&udReadExecOnly != 0 && fl&udNotPresent != 0
	if !empty {
		if fl&udLimitInPages != 0 {
			limit = limit<<12 | 0xfff
		}
		d = cpu.Descriptor{Base: base, Limit: limit, Present: fl&udNotPresent == 0, DPL: 3, Code: fl&udContents == 2<<1}
		t.tlsUsed[i] = true
	} else {
		t.tlsUsed[i] = false
	}
	t.TLS[i] = d
	t.tlsFlags[i] = fl
	if t.k.cur == t {
		t.k.CPU.GDT[entry] = d
		t.k.CPU.ReloadSegments()
	}
	return 0, 0
}

func (t *Task) tlsFree(i int) bool { return !t.tlsUsed[i] }

func sysGetThreadArea(t *Task, a *Args) (uint32, abi.Errno) {
	entry, err := t.readU32(a[0])
	if err != 0 {
		return 0, err
	}
	if entry < cpu.GDTTLSFirst || entry >= cpu.GDTTLSFirst+cpu.GDTTLSCount {
		return 0, abi.EINVAL
	}
	i := entry - cpu.GDTTLSFirst
	d := t.TLS[i]
	b := make(le, 16)
	b.u32(0, entry)
	b.u32(4, d.Base)
	fl := t.tlsFlags[i]
	lim := d.Limit
	if fl&udLimitInPages != 0 {
		lim >>= 12
	}
	b.u32(8, lim)
	if !t.tlsUsed[i] {
		fl = udReadExecOnly | udNotPresent
		b.u32(8, 0)
	}
	b.u32(12, fl)
	return 0, t.copyOut(a[0], b)
}

func fmtUserDesc(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 4)
	if !ok {
		return trace.P(v)
	}
	d.entryIn = int32(w[0])
	fl := w[3]
	bit := func(name string, b uint32) trace.Arg {
		if fl&b != 0 {
			return trace.F(name, trace.I(1))
		}
		return trace.F(name, trace.I(0))
	}
	return trace.S(v,
		trace.F("entry_number", trace.I(int64(int32(w[0])))),
		trace.F("base_addr", trace.X(uint64(w[1]))),
		trace.F("limit", trace.Sym(uint64(w[2]), "0x"+hex6(w[2]))),
		bit("seg_32bit", udSeg32),
		trace.F("contents", trace.I(int64(fl>>1&3))),
		bit("read_exec_only", udReadExecOnly),
		bit("limit_in_pages", udLimitInPages),
		bit("seg_not_present", udNotPresent),
		bit("useable", udUseable))
}

func noteEntry(d *Decoder) string {
	if d.Failed() || d.entryIn != -1 {
		return ""
	}
	e, err := d.t.readU32(d.a[0])
	if err != 0 {
		return ""
	}
	return "(entry_number=" + itoa(uint64(e)) + ")"
}

func hex6(v uint32) string {
	const digits = "0123456789abcdef"
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&15]}, b...)
		v >>= 4
	}
	for len(b) < 6 {
		b = append([]byte{'0'}, b...)
	}
	return string(b)
}

// getrandom: bytes from the machine's seeded generator, so runs repeat.
func sysGetrandom(t *Task, a *Args) (uint32, abi.Errno) {
	if a[2]&^(abi.GRND_NONBLOCK|abi.GRND_RANDOM|abi.GRND_INSECURE) != 0 ||
		a[2]&(abi.GRND_RANDOM|abi.GRND_INSECURE) == abi.GRND_RANDOM|abi.GRND_INSECURE {
		return 0, abi.EINVAL
	}
	n := a[1]
	if n > 33554431 {
		n = 33554431
	}
	b := make([]byte, n)
	t.k.rng.Read(b)
	if err := t.copyOut(a[0], b); err != 0 {
		return 0, err
	}
	return n, 0
}

func fmtRandom(d *Decoder, v uint32) trace.Arg {
	return d.buf(v, uint32(d.ret), true)
}
