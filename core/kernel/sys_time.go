package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
)

// Time: clocks and sleeping, on the virtual clock unless the machine
// runs on wall-clock time.
var timeCalls = []Syscall{
	{Nr: 13, Name: "time", Fn: sysTime, Args: []ArgSpec{aPtr}},
	{Nr: 78, Name: "gettimeofday", Fn: sysGettimeofday, Args: []ArgSpec{out(fmtTimeval), aPtr}},
	{Nr: 265, Name: "clock_gettime", Fn: sysClockGettime32, Args: []ArgSpec{enum(abi.Clocks), out(fmtTimespec32)}},
	{Nr: 403, Name: "clock_gettime64", Fn: sysClockGettime64, Args: []ArgSpec{enum(abi.Clocks), out(fmtTimespec64)}},
	{Nr: 266, Name: "clock_getres", Fn: sysClockGetres32, Args: []ArgSpec{enum(abi.Clocks), out(fmtTimespec32)}},
	{Nr: 406, Name: "clock_getres_time64", Fn: sysClockGetres64, Args: []ArgSpec{enum(abi.Clocks), out(fmtTimespec64)}},
	{Nr: 162, Name: "nanosleep", Fn: sysNanosleep, Args: []ArgSpec{in(fmtTimespec32), aPtr}},
	{Nr: 267, Name: "clock_nanosleep", Fn: sysClockNanosleep32, Args: []ArgSpec{enum(abi.Clocks), flags(&timerFlags), in(fmtTimespec32), aPtr}},
	{Nr: 407, Name: "clock_nanosleep_time64", Fn: sysClockNanosleep64, Args: []ArgSpec{enum(abi.Clocks), flags(&timerFlags), in(fmtTimespec64), aPtr}},
	{Nr: 43, Name: "times", Fn: sysTimes, Args: []ArgSpec{aPtr}},
	{Nr: 27, Name: "alarm", Fn: sysAlarm, Args: []ArgSpec{aUint}},
	{Nr: 104, Name: "setitimer", Fn: sysSetitimer, Args: []ArgSpec{enum(itimers), in(fmtItimerval), out(fmtItimerval)}},
	{Nr: 105, Name: "getitimer", Fn: sysGetitimer, Args: []ArgSpec{enum(itimers), out(fmtItimerval)}},
}

var itimers = abi.Enum{0: "ITIMER_REAL", 1: "ITIMER_VIRTUAL", 2: "ITIMER_PROF"}

var timerFlags = abi.FlagSet{Flags: []abi.Flag{{Name: "TIMER_ABSTIME", Value: abi.TIMER_ABSTIME}}}

// clockNS reads a clock; ok is false for an invalid clock id.
func (k *Kernel) clockNS(id uint32) (int64, bool) {
	switch id {
	case abi.CLOCK_REALTIME, abi.CLOCK_REALTIME_COARSE, 8, 11: // REALTIME_ALARM, TAI
		return k.clock.realtimeNS(), true
	case abi.CLOCK_MONOTONIC, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_MONOTONIC_COARSE, abi.CLOCK_BOOTTIME, 9:
		return k.clock.monotonicNS(), true
	case abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_THREAD_CPUTIME_ID:
		return k.clock.cpuNS(), true
	}
	return 0, false
}

func sysTime(t *Task, a *Args) (uint32, abi.Errno) {
	s := uint32(t.k.clock.realtimeNS() / 1e9)
	if a[0] != 0 {
		if err := t.writeU32(a[0], s); err != 0 {
			return 0, err
		}
	}
	return s, 0
}

func sysGettimeofday(t *Task, a *Args) (uint32, abi.Errno) {
	ns := t.k.clock.realtimeNS()
	if a[0] != 0 {
		b := make(le, 8)
		b.u32(0, uint32(ns/1e9))
		b.u32(4, uint32(ns%1e9/1e3))
		if err := t.copyOut(a[0], b); err != 0 {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := t.copyOut(a[1], make([]byte, 8)); err != 0 { // UTC, no DST
			return 0, err
		}
	}
	return 0, 0
}

func (t *Task) putTimespec(addr uint32, ns int64, wide bool) abi.Errno {
	if wide {
		b := make(le, 16)
		b.u64(0, uint64(ns/1e9))
		b.u64(8, uint64(ns%1e9))
		return t.copyOut(addr, b)
	}
	b := make(le, 8)
	b.u32(0, uint32(ns/1e9))
	b.u32(4, uint32(ns%1e9))
	return t.copyOut(addr, b)
}

// getTimespec reads a timespec: EINVAL when out of range.
func (t *Task) getTimespec(addr uint32, wide bool) (int64, abi.Errno) {
	var sec, nsec int64
	if wide {
		var b [16]byte
		if err := t.copyIn(addr, b[:]); err != 0 {
			return 0, err
		}
		sec = int64(binary.LittleEndian.Uint64(b[:]))
		nsec = int64(int32(binary.LittleEndian.Uint32(b[8:]))) // the upper half is padding
	} else {
		var b [8]byte
		if err := t.copyIn(addr, b[:]); err != 0 {
			return 0, err
		}
		sec = int64(int32(binary.LittleEndian.Uint32(b[:])))
		nsec = int64(int32(binary.LittleEndian.Uint32(b[4:])))
	}
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, abi.EINVAL
	}
	if sec > 1<<33 {
		sec = 1 << 33 // far enough in the future; keeps the sum in range
	}
	return sec*1e9 + nsec, 0
}

func (t *Task) clockGettime(a *Args, wide bool) (uint32, abi.Errno) {
	ns, ok := t.k.clockNS(a[0])
	if !ok {
		return 0, abi.EINVAL
	}
	return 0, t.putTimespec(a[1], ns, wide)
}

func sysClockGettime32(t *Task, a *Args) (uint32, abi.Errno) { return t.clockGettime(a, false) }
func sysClockGettime64(t *Task, a *Args) (uint32, abi.Errno) { return t.clockGettime(a, true) }

func (t *Task) clockGetres(a *Args, wide bool) (uint32, abi.Errno) {
	if _, ok := t.k.clockNS(a[0]); !ok {
		return 0, abi.EINVAL
	}
	if a[1] == 0 {
		return 0, 0
	}
	return 0, t.putTimespec(a[1], 1, wide)
}

func sysClockGetres32(t *Task, a *Args) (uint32, abi.Errno) { return t.clockGetres(a, false) }
func sysClockGetres64(t *Task, a *Args) (uint32, abi.Errno) { return t.clockGetres(a, true) }

func sysNanosleep(t *Task, a *Args) (uint32, abi.Errno) {
	d, err := t.getTimespec(a[0], false)
	if err != 0 {
		return 0, err
	}
	return t.sleepFor(d, a[1], false)
}

// sleepFor blocks the caller for d nanoseconds of the monotonic clock;
// the deadline is kept across restarts, and an interrupting handler
// makes it EINTR with the time left written to rem.
func (t *Task) sleepFor(d int64, rem uint32, wide bool) (uint32, abi.Errno) {
	now := t.k.clock.monotonicNS()
	if t.rs.deadline == 0 {
		if d <= 0 {
			return 0, 0
		}
		t.rs.deadline = now + d
	}
	if now >= t.rs.deadline {
		return 0, 0
	}
	dl := t.rs.deadline
	if rem != 0 {
		t.rs.onIntr = func() {
			left := dl - t.k.clock.monotonicNS()
			if left < 0 {
				left = 0
			}
			t.putTimespec(rem, left, wide)
		}
	}
	return 0, t.sleepOn(nil, dl, errRestartNoHand)
}

func sysAlarm(t *Task, a *Args) (uint32, abi.Errno) {
	left := t.setAlarm(int64(a[0])*1e9, 0)
	secs := uint32(left / 1e9)
	if left%1e9 >= 5e8 || secs == 0 && left > 0 {
		secs++
	}
	return secs, 0
}

// setAlarm arms (or with 0 disarms) ITIMER_REAL and returns the time
// that was left on it.
func (t *Task) setAlarm(value, interval int64) int64 {
	k := t.k
	now := k.clock.monotonicNS()
	var left int64
	if t.alarmAt != 0 {
		left = t.alarmAt - now
		if left <= 0 {
			left = 1
		}
	}
	if value == 0 {
		t.alarmAt, t.alarmEvery = 0, 0
		return left
	}
	if t.alarmAt == 0 {
		k.alarms = append(k.alarms, t)
	}
	t.alarmAt, t.alarmEvery = now+value, interval
	return left
}

func (t *Task) itimerval(addr uint32) (value, interval int64, err abi.Errno) {
	var b [16]byte
	if err := t.copyIn(addr, b[:]); err != 0 {
		return 0, 0, err
	}
	tv := func(o int) (int64, abi.Errno) {
		s, us := int64(int32(binary.LittleEndian.Uint32(b[o:]))), int64(int32(binary.LittleEndian.Uint32(b[o+4:])))
		if s < 0 || us < 0 || us >= 1e6 {
			return 0, abi.EINVAL
		}
		return s*1e9 + us*1e3, 0
	}
	if interval, err = tv(0); err != 0 {
		return
	}
	value, err = tv(8)
	return
}

func (t *Task) putItimerval(addr uint32, value, interval int64) abi.Errno {
	b := make(le, 16)
	// Linux rounds a partial microsecond up.
	us := func(ns int64) int64 { return (ns + 999) / 1e3 }
	b.u32(0, uint32(us(interval)/1e6))
	b.u32(4, uint32(us(interval)%1e6))
	b.u32(8, uint32(us(value)/1e6))
	b.u32(12, uint32(us(value)%1e6))
	return t.copyOut(addr, b)
}

// itimerWhich checks the timer: only ITIMER_REAL is implemented.
func itimerWhich(w uint32) abi.Errno {
	switch w {
	case 0:
		return 0
	case 1, 2:
		return abi.ENOSYS // ITIMER_VIRTUAL and ITIMER_PROF: not yet
	}
	return abi.EINVAL
}

func sysSetitimer(t *Task, a *Args) (uint32, abi.Errno) {
	if err := itimerWhich(a[0]); err != 0 {
		return 0, err
	}
	var value, interval int64
	if a[1] != 0 {
		var err abi.Errno
		if value, interval, err = t.itimerval(a[1]); err != 0 {
			return 0, err
		}
	}
	oldInterval := t.alarmEvery
	left := t.setAlarm(value, interval)
	if a[2] != 0 {
		return 0, t.putItimerval(a[2], left, oldInterval)
	}
	return 0, 0
}

func sysGetitimer(t *Task, a *Args) (uint32, abi.Errno) {
	if err := itimerWhich(a[0]); err != 0 {
		return 0, err
	}
	var left int64
	if t.alarmAt != 0 {
		if left = t.alarmAt - t.k.clock.monotonicNS(); left <= 0 {
			left = 1
		}
	}
	return 0, t.putItimerval(a[1], left, t.alarmEvery)
}

func fmtItimerval(d *Decoder, v uint32) trace.Arg {
	if v == 0 {
		return trace.P(0)
	}
	w, ok := d.words(v, 4)
	if !ok {
		return trace.P(v)
	}
	tv := func(s, us uint32) trace.Arg {
		return trace.S(0, trace.F("tv_sec", trace.I(int64(int32(s)))), trace.F("tv_usec", trace.I(int64(int32(us)))))
	}
	return trace.S(v, trace.F("it_interval", tv(w[0], w[1])), trace.F("it_value", tv(w[2], w[3])))
}

func (t *Task) clockNanosleep(a *Args, wide bool) (uint32, abi.Errno) {
	now, ok := t.k.clockNS(a[0])
	if !ok || a[0] == abi.CLOCK_THREAD_CPUTIME_ID {
		return 0, abi.EINVAL
	}
	d, err := t.getTimespec(a[2], wide)
	if err != 0 {
		return 0, err
	}
	if a[1]&abi.TIMER_ABSTIME != 0 {
		d -= now
		return t.sleepFor(d, 0, wide) // no remaining time for absolute sleeps
	}
	return t.sleepFor(d, a[3], wide)
}

func sysClockNanosleep32(t *Task, a *Args) (uint32, abi.Errno) { return t.clockNanosleep(a, false) }
func sysClockNanosleep64(t *Task, a *Args) (uint32, abi.Errno) { return t.clockNanosleep(a, true) }

// times reports CPU time in clock ticks (100 Hz) and returns the
// monotonic tick count.
func sysTimes(t *Task, a *Args) (uint32, abi.Errno) {
	if a[0] != 0 {
		b := make(le, 16)
		b.u32(0, uint32(t.k.clock.cpuNS()/1e7))
		if err := t.copyOut(a[0], b); err != 0 {
			return 0, err
		}
	}
	return uint32(t.k.clock.monotonicNS() / 1e7), 0
}

func fmtTimespec(d *Decoder, v uint32, wide, after bool) trace.Arg {
	if v == 0 {
		return trace.P(0)
	}
	if after && d.Failed() {
		return trace.P(v)
	}
	var sec, nsec int64
	if wide {
		w, ok := d.words(v, 4)
		if !ok {
			return trace.P(v)
		}
		sec, nsec = int64(uint64(w[0])|uint64(w[1])<<32), int64(int32(w[2]))
	} else {
		w, ok := d.words(v, 2)
		if !ok {
			return trace.P(v)
		}
		sec, nsec = int64(int32(w[0])), int64(int32(w[1]))
	}
	return trace.S(v, trace.F("tv_sec", trace.I(sec)), trace.F("tv_nsec", trace.I(nsec)))
}

func fmtTimespec32(d *Decoder, v uint32) trace.Arg { return fmtTimespec(d, v, false, true) }
func fmtTimespec64(d *Decoder, v uint32) trace.Arg { return fmtTimespec(d, v, true, true) }

func fmtTimeval(d *Decoder, v uint32) trace.Arg {
	if v == 0 || d.Failed() {
		return trace.P(v)
	}
	w, ok := d.words(v, 2)
	if !ok {
		return trace.P(v)
	}
	return trace.S(v, trace.F("tv_sec", trace.I(int64(int32(w[0])))), trace.F("tv_usec", trace.I(int64(int32(w[1])))))
}
