package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
)

// rt_sigtimedwait (sigwait, sigwaitinfo, sigtimedwait): take a pending
// signal of the set instead of delivering it. The signals waited for
// stay blocked (as the caller must have them): while the task sleeps a
// signal of the set wakes it (post) and, sent to the process, goes to it
// rather than to another thread that blocks it too (signalTarget), so
// the restarted call finds it held in blockedPending.

func sysRtSigtimedwait(t *Task, a *Args) (uint32, abi.Errno)   { return t.sigtimedwait(a, false) }
func sysRtSigtimedwait64(t *Task, a *Args) (uint32, abi.Errno) { return t.sigtimedwait(a, true) }

func (t *Task) sigtimedwait(a *Args, wide bool) (uint32, abi.Errno) {
	t.sigwaitSet = 0
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	var b [8]byte
	if err := t.copyIn(a[0], b[:]); err != 0 {
		return 0, err
	}
	set := binary.LittleEndian.Uint64(b[:]) &^ unblockable
	if p, ok := t.takeSignal(set); ok {
		if a[1] != 0 {
			if err := t.copyOut(a[1], p.fields.bytes(p.sig)); err != 0 {
				return 0, err
			}
		}
		return uint32(p.sig), 0
	}
	now := t.k.clock.monotonicNS()
	if a[2] != 0 && t.rs.deadline == 0 {
		d, err := t.getTimespec(a[2], wide)
		if err != 0 {
			return 0, err
		}
		t.rs.deadline = now + d
		if t.rs.deadline <= now {
			return 0, abi.EAGAIN
		}
	}
	if t.rs.deadline != 0 && now >= t.rs.deadline {
		return 0, abi.EAGAIN
	}
	t.sigwaitSet = set
	return 0, t.sleepOn(nil, t.rs.deadline, errRestartNoHand)
}

// takeSignal removes a pending signal of set: the caller's own first
// (lowest number), then one sent to the process and held by another
// thread that blocks it.
func (t *Task) takeSignal(set uint64) (pendingSignal, bool) {
	take := func(list *[]pendingSignal, procOnly bool) (pendingSignal, bool) {
		best := -1
		for i, p := range *list {
			if set&sigbit(p.sig) != 0 && !(procOnly && p.fields.code == siTkill) &&
				(best < 0 || p.sig < (*list)[best].sig) {
				best = i
			}
		}
		if best < 0 {
			return pendingSignal{}, false
		}
		p := (*list)[best]
		*list = append((*list)[:best], (*list)[best+1:]...)
		return p, true
	}
	if p, ok := take(&t.blockedPending, false); ok {
		return p, true
	}
	if p, ok := take(&t.pending, false); ok {
		return p, true
	}
	for _, x := range t.group.threads {
		if x != t {
			if p, ok := take(&x.blockedPending, true); ok {
				return p, true
			}
		}
	}
	return pendingSignal{}, false
}
