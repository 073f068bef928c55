package kernel

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
)

// The thread-related calls' argument checks and one-CPU answers, made
// directly (the pthread programs in threads_test.go cover the rest
// against native runs).
func TestThreadCallErrors(t *testing.T) {
	m := boot(t, nil)
	buf := m.params + 0x100
	// clone: CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM.
	require.Equal(t, -int32(abi.EINVAL), m.call(120, cloneThread|cloneVM, 0, 0, 0, 0))
	require.Equal(t, -int32(abi.EINVAL), m.call(120, cloneSighand, 0, 0, 0, 0))
	require.Equal(t, -int32(abi.EINVAL), m.call(120, 0x80000000, 0, 0, 0, 0), "an unknown flag")
	// clone3: size below CLONE_ARGS_SIZE_VER0, over a page, bad memory,
	// exit_signal with CLONE_THREAD.
	require.Equal(t, -int32(abi.EINVAL), m.call(435, buf, 63))
	require.Equal(t, -int32(abi.E2BIG), m.call(435, buf, 4097))
	require.Equal(t, -int32(abi.EFAULT), m.call(435, wild, 64))
	ca := make(le, 64)
	ca.u64(0, cloneThread|cloneSighand|cloneVM)
	ca.u64(32, abi.SIGCHLD)
	require.Equal(t, -int32(abi.EINVAL), m.call(435, m.put(t, 0x100, ca), 64))
	// futex: misaligned, an unknown op, CLOCK_REALTIME on a wake, a
	// zero bitset, a timeout already passed.
	require.Equal(t, -int32(abi.EINVAL), m.call(240, buf+1, abi.FUTEX_WAKE, 1))
	require.Equal(t, -int32(abi.ENOSYS), m.call(240, buf, 6, 0))
	require.Equal(t, -int32(abi.ENOSYS), m.call(240, buf, abi.FUTEX_WAKE|abi.FUTEX_CLOCK_RT, 1))
	require.Equal(t, -int32(abi.EINVAL), m.call(240, buf, futexWaitBitset, 0, 0, 0, 0))
	require.Equal(t, -int32(abi.EFAULT), m.call(240, wild, abi.FUTEX_WAIT, 0))
	m.put(t, 0x100, make([]byte, 8))
	ts := m.put(t, 0x200, make([]byte, 8)) // {0, 0}
	require.Equal(t, -int32(abi.ETIMEDOUT), m.call(240, buf, abi.FUTEX_WAIT, 0, ts))
	// FUTEX_WAKE_OP: *uaddr2 = 5 (SET), nobody to wake; then ADD 1.
	require.Equal(t, int32(0), m.call(240, buf, futexWakeOp, 1, 1, buf+4, 0x00005000))
	require.Equal(t, uint32(5), binary.LittleEndian.Uint32(m.get(t, buf+4, 4)))
	require.Equal(t, int32(0), m.call(240, buf, futexWakeOp, 1, 1, buf+4, 0x10001000))
	require.Equal(t, uint32(6), binary.LittleEndian.Uint32(m.get(t, buf+4, 4)))
	// CMP_REQUEUE checks the value.
	require.Equal(t, -int32(abi.EAGAIN), m.call(240, buf, futexCmpRequeue, 1, 1, buf+4, 99))
	// One CPU: affinity is CPU 0, getcpu says 0.
	require.Equal(t, int32(cpumaskBytes), m.call(242, 0, 128, buf))
	require.Equal(t, uint32(1), binary.LittleEndian.Uint32(m.get(t, buf, 4)))
	require.Equal(t, -int32(abi.EINVAL), m.call(242, 0, 3, buf))
	require.Equal(t, -int32(abi.ESRCH), m.call(242, 999, 128, buf))
	m.put(t, 0x100, []byte{2, 0, 0, 0})
	require.Equal(t, -int32(abi.EINVAL), m.call(241, 0, 4, buf), "no CPU 1")
	m.put(t, 0x100, []byte{3, 0, 0, 0})
	require.Equal(t, int32(0), m.call(241, 0, 4, buf))
	m.put(t, 0x100, []byte{9, 9, 9, 9})
	require.Equal(t, int32(0), m.call(318, buf, 0, 0))
	require.Equal(t, uint32(0), binary.LittleEndian.Uint32(m.get(t, buf, 4)))
	// get_robust_list reports what set_robust_list stored.
	require.Equal(t, int32(0), m.call(311, m.params+0x300, 12))
	require.Equal(t, int32(0), m.call(312, 0, buf, buf+4))
	require.Equal(t, m.params+0x300, binary.LittleEndian.Uint32(m.get(t, buf, 4)))
	require.Equal(t, uint32(12), binary.LittleEndian.Uint32(m.get(t, buf+4, 4)))
	// rt_sigtimedwait: bad size, nothing pending with a zero timeout.
	require.Equal(t, -int32(abi.EINVAL), m.call(177, buf, 0, ts, 4))
	require.Equal(t, -int32(abi.EAGAIN), m.call(177, buf, 0, ts, 8))
	// utimensat: bad flags, a bad nanosecond field, and a time set.
	path := m.put(t, 0x400, []byte("/tmp\x00"))
	require.Equal(t, -int32(abi.EINVAL), m.call(320, atFDCWD, path, 0, 0x4))
	times := make(le, 16)
	times.u32(4, 1e9)
	require.Equal(t, -int32(abi.EINVAL), m.call(320, atFDCWD, path, m.put(t, 0x500, times), 0))
	times.u32(4, utimeOmit)
	times.u32(8, 1234)
	times.u32(12, 5)
	require.Equal(t, int32(0), m.call(320, atFDCWD, path, m.put(t, 0x500, times), 0))
	n, _ := m.k.FS.Resolve(nil, "/tmp", true)
	require.Equal(t, int64(1234e9+5), n.Mtime)
	require.Equal(t, -int32(abi.EROFS), m.call(320, atFDCWD, m.put(t, 0x400, []byte("/proc/self/maps\x00")), 0, 0))
}

// prctl names threads: PR_SET_NAME cuts at 15 bytes, PR_GET_NAME and
// /proc/PID/task/TID/comm read it back.
func TestPrctlName(t *testing.T) {
	m := boot(t, nil)
	require.Equal(t, int32(0), m.call(172, 15, m.put(t, 0, []byte("a-very-long-thread-name\x00"))))
	require.Equal(t, int32(0), m.call(172, 16, m.params+0x100))
	require.Equal(t, "a-very-long-thr\x00", string(m.get(t, m.params+0x100, 16)))
	require.Equal(t, "a-very-long-thr", m.t.Comm)
	require.Equal(t, -int32(abi.EFAULT), m.call(172, 15, wild))
	require.Equal(t, -int32(abi.EINVAL), m.call(172, 9999, 0))
}

// Futex calls read as strace prints them.
func TestFutexTrace(t *testing.T) {
	m := boot(t, nil)
	buf := m.params + 0x100
	m.call(240, buf, abi.FUTEX_WAKE|abi.FUTEX_PRIVATE_FLAG, 1)
	require.Equal(t, "futex(0x804a100, FUTEX_WAKE_PRIVATE, 1) = 0", m.last())
	ts := m.put(t, 0x200, make([]byte, 8))
	m.call(240, buf, futexWaitBitset|abi.FUTEX_PRIVATE_FLAG|futexClockRealtime, 0, ts, 0, futexBitsetAny)
	require.Equal(t, "futex(0x804a100, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=0}, FUTEX_BITSET_MATCH_ANY) = -1 ETIMEDOUT (Connection timed out)", m.last())
	m.call(240, buf, futexWakeOp|abi.FUTEX_PRIVATE_FLAG, 1, 1, buf+4, 0x04000001)
	require.Equal(t, "futex(0x804a100, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x804a104, FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1) = 0", m.last())
	m.call(240, buf, futexCmpRequeue|abi.FUTEX_PRIVATE_FLAG, 1, 2147483647, buf+4, 0)
	require.Equal(t, "futex(0x804a100, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2147483647, 0x804a104, 0) = 0", m.last())
}
