package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
	"trapdoor/core/trace"
)

// Futexes: a waiter sleeps on the queue of its futex key until a wake
// names the key (or a timeout or signal ends the wait), so threads block
// in the scheduler rather than spin. The wait uses the restart design of
// sched.go: a waker marks the sleeper futexWoken, and the re-executed
// call returns 0 without looking at the word again.

// futexKey names a futex: the address space and address for private
// futexes and private memory, the physical address for a shared mapping
// (so processes sharing the page meet on it).
type futexKey struct {
	mm   *mm.MM // nil for a physical key
	addr uint32
}

// Futex operations (the low bits of op).
const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWakeOp        = 5
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexBitsetAny     = 0xffffffff
	futexCmdMask       = 0x7f // ~(FUTEX_PRIVATE_FLAG|FUTEX_CLOCK_REALTIME)
	futexClockRealtime = abi.FUTEX_CLOCK_RT
)

// futex(uaddr, op, val, timeout or val2, uaddr2, val3); futex_time64
// takes a 64-bit timespec.
func sysFutex(t *Task, a *Args) (uint32, abi.Errno)   { return t.futex(a, false) }
func sysFutex64(t *Task, a *Args) (uint32, abi.Errno) { return t.futex(a, true) }

func (t *Task) futex(a *Args, wide bool) (uint32, abi.Errno) {
	uaddr, op, val, uaddr2, val3 := a[0], a[1], a[2], a[4], a[5]
	cmd := op & futexCmdMask
	private := op&abi.FUTEX_PRIVATE_FLAG != 0
	if op&futexClockRealtime != 0 && cmd != futexWait && cmd != futexWaitBitset {
		return 0, abi.ENOSYS
	}
	if uaddr&3 != 0 {
		return 0, abi.EINVAL
	}
	switch cmd {
	case futexWait, futexWaitBitset:
		bits := uint32(futexBitsetAny)
		if cmd == futexWaitBitset {
			if val3 == 0 {
				return 0, abi.EINVAL
			}
			bits = val3
		}
		return t.futexWait(uaddr, val, a[3], bits, private, cmd == futexWaitBitset, op&futexClockRealtime != 0, wide)
	case futexWake, futexWakeBitset:
		bits := uint32(futexBitsetAny)
		if cmd == futexWakeBitset {
			if val3 == 0 {
				return 0, abi.EINVAL
			}
			bits = val3
		}
		if _, err := t.readU32(uaddr); err != 0 {
			return 0, err
		}
		return uint32(t.k.futexWake(t, uaddr, !private, int(val), bits)), 0
	case futexRequeue, futexCmpRequeue:
		if int32(val) < 0 || int32(a[3]) < 0 || uaddr2&3 != 0 {
			return 0, abi.EINVAL
		}
		cur, err := t.readU32(uaddr)
		if err != 0 {
			return 0, err
		}
		if _, err := t.readU32(uaddr2); err != 0 {
			return 0, err
		}
		if cmd == futexCmpRequeue && cur != val3 {
			return 0, abi.EAGAIN
		}
		return uint32(t.k.futexRequeue(t, uaddr, uaddr2, !private, int(val), int(a[3]))), 0
	case futexWakeOp:
		if uaddr2&3 != 0 {
			return 0, abi.EINVAL
		}
		return t.futexWakeOp(uaddr, uaddr2, int(val), int(a[3]), val3, !private)
	}
	return 0, abi.ENOSYS
}

// futexWait sleeps while *uaddr == val. The deadline (relative for
// FUTEX_WAIT, absolute for FUTEX_WAIT_BITSET) is kept across restarts.
func (t *Task) futexWait(uaddr, val, tsAddr, bits uint32, private, absolute, realtime, wide bool) (uint32, abi.Errno) {
	k := t.k
	if t.futexWoken {
		t.futexWoken = false
		return 0, 0
	}
	restarted := t.rs.nr != 0 && t.rs.err != 0
	now := k.clock.monotonicNS()
	if restarted && t.rs.deadline != 0 && now >= t.rs.deadline {
		return 0, abi.ETIMEDOUT
	}
	if tsAddr != 0 && t.rs.deadline == 0 {
		ts, err := t.getTimespec(tsAddr, wide)
		if err != 0 {
			return 0, err
		}
		switch {
		case !absolute:
			t.rs.deadline = now + ts
		case realtime:
			t.rs.deadline = ts - (k.clock.realtimeNS() - now)
		default:
			t.rs.deadline = ts
		}
		if t.rs.deadline <= 0 {
			t.rs.deadline = 1
		}
	}
	v, err := t.readU32(uaddr)
	if err != 0 {
		return 0, err
	}
	if v != val {
		return 0, abi.EAGAIN
	}
	if t.rs.deadline != 0 && now >= t.rs.deadline {
		return 0, abi.ETIMEDOUT
	}
	key, err := t.futexKey(uaddr, !private)
	if err != 0 {
		return 0, err
	}
	q := k.futexQueue(key, true)
	t.futexBits = bits
	code := errRestartSys
	if t.rs.deadline != 0 {
		code = errRestartNoHand
	}
	return 0, t.sleepOn(q, t.rs.deadline, code)
}

// futexKey computes the key of uaddr (already read, so its page is
// present).
func (t *Task) futexKey(uaddr uint32, shared bool) (futexKey, abi.Errno) {
	if shared {
		if v := t.MM.Find(uaddr); v != nil && v.Flags&abi.MAP_TYPE == abi.MAP_SHARED {
			pte, ok := t.MM.Phys.PTE(t.MM.Dir, uaddr)
			if !ok || pte&memory.PTEPresent == 0 {
				return futexKey{}, abi.EFAULT
			}
			return futexKey{addr: pte&^memory.PageMask | uaddr&memory.PageMask}, 0
		}
	}
	return futexKey{mm: t.MM, addr: uaddr}, 0
}

// futexQueue finds (or with create, makes) the wait queue of key.
func (k *Kernel) futexQueue(key futexKey, create bool) *waitQueue {
	q := k.futexes[key]
	if q == nil && create {
		if k.futexes == nil {
			k.futexes = map[futexKey]*waitQueue{}
		}
		q = &waitQueue{}
		k.futexes[key] = q
	}
	return q
}

// futexWake wakes up to n waiters on t's futex at uaddr whose bitset
// meets bits, oldest first, and returns how many it woke.
func (k *Kernel) futexWake(t *Task, uaddr uint32, shared bool, n int, bits uint32) int {
	key, err := t.futexKey(uaddr, shared)
	if err != 0 {
		return 0
	}
	q := k.futexQueue(key, false)
	if q == nil {
		return 0
	}
	woke := 0
	for _, x := range append([]*Task(nil), q.tasks...) {
		if woke >= n {
			break
		}
		if x.futexBits&bits == 0 || x.waitingOn != q {
			continue
		}
		x.futexWoken = true
		// Woken is final: a signal arriving now runs its handler and
		// the call then returns 0 rather than EINTR.
		x.rs.err = errRestartNoIntr
		k.wake(x)
		woke++
	}
	if len(q.tasks) == 0 {
		delete(k.futexes, key)
	}
	return woke
}

// futexRequeue wakes n waiters of uaddr and moves up to move more to
// uaddr2's queue.
func (k *Kernel) futexRequeue(t *Task, uaddr, uaddr2 uint32, shared bool, n, move int) int {
	woke := k.futexWake(t, uaddr, shared, n, futexBitsetAny)
	key, err := t.futexKey(uaddr, shared)
	key2, err2 := t.futexKey(uaddr2, shared)
	q := k.futexQueue(key, false)
	if err != 0 || err2 != 0 || q == nil || key == key2 {
		return woke
	}
	q2 := k.futexQueue(key2, true)
	moved := 0
	for len(q.tasks) > 0 && moved < move {
		x := q.tasks[0]
		q.tasks = q.tasks[1:]
		x.waitingOn = q2
		q2.tasks = append(q2.tasks, x)
		moved++
	}
	if len(q.tasks) == 0 {
		delete(k.futexes, key)
	}
	return woke + moved
}

// futexWakeOp: *uaddr2 = op(*uaddr2, oparg); wake n on uaddr and, when
// the old value passes the comparison, n2 on uaddr2.
func (t *Task) futexWakeOp(uaddr, uaddr2 uint32, n, n2 int, enc uint32, shared bool) (uint32, abi.Errno) {
	op, cmp := enc>>28&7, enc>>24&15
	oparg := int32(enc<<8) >> 20   // bits 12-23, sign-extended
	cmparg := int32(enc<<20) >> 20 // bits 0-11, sign-extended
	if enc>>28&8 != 0 {
		if oparg < 0 || oparg > 31 {
			return 0, abi.EINVAL
		}
		oparg = 1 << oparg
	}
	old, err := t.readU32(uaddr2)
	if err != 0 {
		return 0, err
	}
	var nv uint32
	switch op {
	case 0:
		nv = uint32(oparg)
	case 1:
		nv = old + uint32(oparg)
	case 2:
		nv = old | uint32(oparg)
	case 3:
		nv = old &^ uint32(oparg)
	case 4:
		nv = old ^ uint32(oparg)
	default:
		return 0, abi.ENOSYS
	}
	var pass bool
	o := int32(old)
	switch cmp {
	case 0:
		pass = o == cmparg
	case 1:
		pass = o != cmparg
	case 2:
		pass = o < cmparg
	case 3:
		pass = o <= cmparg
	case 4:
		pass = o > cmparg
	case 5:
		pass = o >= cmparg
	default:
		return 0, abi.ENOSYS
	}
	if err := t.writeU32(uaddr2, nv); err != 0 {
		return 0, err
	}
	k := t.k
	woke := k.futexWake(t, uaddr, shared, n, futexBitsetAny)
	if pass {
		woke += k.futexWake(t, uaddr2, shared, n2, futexBitsetAny)
	}
	return uint32(woke), 0
}

// dropFutexes forgets the queues of an address space being freed.
func (k *Kernel) dropFutexes(m *mm.MM) {
	for key := range k.futexes {
		if key.mm == m {
			delete(k.futexes, key)
		}
	}
}

// Robust futexes (set_robust_list): at a thread's exit every lock on its
// list it still owns is marked FUTEX_OWNER_DIED and one waiter woken, so
// the next locker gets EOWNERDEAD instead of waiting forever
// (exit_robust_list).
const (
	futexWaiters   = 0x80000000
	futexOwnerDied = 0x40000000
	futexTIDMask   = 0x3fffffff
	robustListMax  = 2048 // ROBUST_LIST_LIMIT: a looping list ends here
)

func (k *Kernel) exitRobustList(t *Task) {
	head := t.RobustList
	if head == 0 {
		return
	}
	next, err := t.readU32(head)
	if err != 0 {
		return
	}
	off, err := t.readU32(head + 4)
	if err != 0 {
		return
	}
	pending, _ := t.readU32(head + 8)
	mark := func(entry uint32, pi bool) {
		addr := entry + off
		v, err := t.readU32(addr)
		if err != 0 || v&futexTIDMask != uint32(t.Pid) {
			return
		}
		if t.writeU32(addr, v&futexWaiters|futexOwnerDied) != 0 {
			return
		}
		if v&futexWaiters != 0 && !pi {
			k.futexWake(t, addr, true, 1, futexBitsetAny)
		}
	}
	// Each link's bit 0 marks the entry it points to as a PI futex.
	for i := 0; next&^1 != head && i < robustListMax; i++ {
		entry, pi := next&^1, next&1 != 0
		if next, err = t.readU32(entry); err != 0 {
			return
		}
		if entry != pending&^1 {
			mark(entry, pi)
		}
	}
	if pending != 0 {
		mark(pending&^1, pending&1 != 0)
	}
}

// decodeFutex shows a futex call as strace does: only the arguments the
// operation uses, timeouts as timespecs, bitsets and WAKE_OP's encoded
// operation by name.
func decodeFutex(wide bool) func(d *Decoder) []trace.Arg {
	return func(d *Decoder) []trace.Arg {
		a := d.a
		u := func(v uint32) trace.Arg { return trace.U(uint64(v)) }
		ts := func(v uint32) trace.Arg { return fmtTimespec(d, v, wide, false) }
		bitset := func(v uint32) trace.Arg {
			if v == futexBitsetAny {
				return trace.Sym(uint64(v), "FUTEX_BITSET_MATCH_ANY")
			}
			return trace.X(uint64(v))
		}
		args := []trace.Arg{trace.P(a[0]), trace.Sym(uint64(a[1]), futexOpName(a[1]))}
		switch a[1] & futexCmdMask {
		case futexWait:
			return append(args, u(a[2]), ts(a[3]))
		case futexWake:
			return append(args, u(a[2]))
		case futexWaitBitset:
			return append(args, u(a[2]), ts(a[3]), bitset(a[5]))
		case futexWakeBitset:
			return append(args, u(a[2]), bitset(a[5]))
		case futexRequeue:
			return append(args, u(a[2]), u(a[3]), trace.P(a[4]))
		case futexCmpRequeue:
			return append(args, u(a[2]), u(a[3]), trace.P(a[4]), u(a[5]))
		case futexWakeOp:
			return append(args, u(a[2]), u(a[3]), trace.P(a[4]), trace.Sym(uint64(a[5]), wakeOpName(a[5])))
		}
		return append(args, u(a[2]), trace.X(uint64(a[3])), trace.X(uint64(a[4])), trace.X(uint64(a[5])))
	}
}

var futexCmdNames = []string{"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
	"FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET",
	"FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"}

// futexOpName is strace's name for an op: FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME.
func futexOpName(op uint32) string {
	cmd := op & futexCmdMask
	if op&^(futexCmdMask|abi.FUTEX_PRIVATE_FLAG|futexClockRealtime) != 0 || int(cmd) >= len(futexCmdNames) {
		return "0x" + hex6(op) // not a known op: as a number
	}
	s := futexCmdNames[cmd]
	if op&abi.FUTEX_PRIVATE_FLAG != 0 {
		s += "_PRIVATE"
	}
	if op&futexClockRealtime != 0 {
		s += "|FUTEX_CLOCK_REALTIME"
	}
	return s
}

// wakeOpName shows FUTEX_WAKE_OP's encoded operation as strace:
// FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1.
func wakeOpName(v uint32) string {
	ops := []string{"FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"}
	cmps := []string{"FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE", "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"}
	op, cmp := v>>28&7, v>>24&15
	s := "0x" + hex6(op) + "<<28"
	if int(op) < len(ops) {
		s = ops[op] + "<<28"
	}
	if v>>28&8 != 0 {
		s = "FUTEX_OP_OPARG_SHIFT<<28|" + s
	}
	s += "|" + itoa(uint64(v>>12&0xfff)) + "<<12|"
	if int(cmp) < len(cmps) {
		s += cmps[cmp] + "<<24"
	} else {
		s += itoa(uint64(cmp)) + "<<24"
	}
	return s + "|0x" + trimHex(v&0xfff)
}

func trimHex(v uint32) string {
	s := hex6(v)
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
