package abi

import (
	"fmt"
	"strings"
)

// Flag is one named bit pattern of a flag set: Value is set when
// v&Mask == Value (Mask 0 means Mask = Value).
type Flag struct {
	Name  string
	Value uint64
	Mask  uint64
}

// FlagSet prints a bit set symbolically, the way strace does:
// "PROT_READ|PROT_WRITE", unknown bits in hex at the end.
type FlagSet struct {
	Flags []Flag
	Zero  string // printed for 0; "0" when empty
}

// Format renders v.
func (s *FlagSet) Format(v uint64) string {
	if v == 0 {
		if s.Zero != "" {
			return s.Zero
		}
		return "0"
	}
	var parts []string
	left := v
	for _, f := range s.Flags {
		m := f.Mask
		if m == 0 {
			m = f.Value
		}
		if f.Value == 0 && m != 0 {
			continue // zero-valued fields (O_RDONLY) are handled by callers
		}
		if v&m == f.Value && left&m != 0 {
			parts = append(parts, f.Name)
			left &^= m
		}
	}
	if left != 0 {
		parts = append(parts, fmt.Sprintf("%#x", left))
	}
	return strings.Join(parts, "|")
}

// Enum maps values to names; Format prints unknown values in decimal.
type Enum map[uint64]string

// Format renders v.
func (e Enum) Format(v uint64) string {
	if n, ok := e[v]; ok {
		return n
	}
	return fmt.Sprintf("%d", int64(int32(v)))
}

// OpenFlags prints open(2) flags: the access mode first, as strace.
func OpenFlags(v uint64) string {
	acc := [...]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[v&O_ACCMODE]
	rest := v &^ O_ACCMODE
	if rest == 0 {
		return acc
	}
	return acc + "|" + openBits.Format(rest)
}

var openBits = FlagSet{Flags: []Flag{
	{"O_CREAT", O_CREAT, 0}, {"O_EXCL", O_EXCL, 0}, {"O_NOCTTY", O_NOCTTY, 0},
	{"O_TRUNC", O_TRUNC, 0}, {"O_APPEND", O_APPEND, 0}, {"O_NONBLOCK", O_NONBLOCK, 0},
	{"O_SYNC", O_SYNC, 0}, {"O_DSYNC", O_DSYNC, 0}, {"O_ASYNC", O_ASYNC, 0}, {"O_DIRECT", O_DIRECT, 0},
	{"O_LARGEFILE", O_LARGEFILE, 0}, {"O_NOFOLLOW", O_NOFOLLOW, 0},
	{"O_NOATIME", O_NOATIME, 0}, {"O_CLOEXEC", O_CLOEXEC, 0}, {"O_TMPFILE", O_TMPFILE, 0}, {"O_PATH", O_PATH, 0},
	{"O_DIRECTORY", O_DIRECTORY, 0},
}}

// Named flag sets, for the tracer.
var (
	Prot = FlagSet{Zero: "PROT_NONE", Flags: []Flag{
		{"PROT_READ", PROT_READ, 0}, {"PROT_WRITE", PROT_WRITE, 0}, {"PROT_EXEC", PROT_EXEC, 0},
		{"PROT_GROWSDOWN", PROT_GROWSDOWN, 0}, {"PROT_GROWSUP", PROT_GROWSUP, 0}}}
	MapFlags = FlagSet{Flags: []Flag{
		{"MAP_SHARED_VALIDATE", MAP_SHARED_VALIDATE, MAP_TYPE}, {"MAP_SHARED", MAP_SHARED, MAP_TYPE},
		{"MAP_PRIVATE", MAP_PRIVATE, MAP_TYPE}, {"MAP_FIXED", MAP_FIXED, 0}, {"MAP_ANONYMOUS", MAP_ANONYMOUS, 0},
		{"MAP_32BIT", MAP_32BIT, 0}, {"MAP_GROWSDOWN", MAP_GROWSDOWN, 0}, {"MAP_DENYWRITE", MAP_DENYWRITE, 0},
		{"MAP_EXECUTABLE", MAP_EXECUTABLE, 0}, {"MAP_LOCKED", MAP_LOCKED, 0}, {"MAP_NORESERVE", MAP_NORESERVE, 0},
		{"MAP_POPULATE", MAP_POPULATE, 0}, {"MAP_NONBLOCK", MAP_NONBLOCK, 0}, {"MAP_STACK", MAP_STACK, 0},
		{"MAP_HUGETLB", MAP_HUGETLB, 0}, {"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE, 0}}}
	AtFlags = FlagSet{Flags: []Flag{
		{"AT_STATX_FORCE_SYNC", AT_STATX_FORCE_SYNC, 0}, {"AT_STATX_DONT_SYNC", AT_STATX_DONT_SYNC, 0},
		{"AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW, 0}, {"AT_REMOVEDIR", AT_REMOVEDIR, 0},
		{"AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW, 0}, {"AT_NO_AUTOMOUNT", AT_NO_AUTOMOUNT, 0},
		{"AT_EMPTY_PATH", AT_EMPTY_PATH, 0}}}
	StatxMask = FlagSet{Flags: []Flag{
		{"STATX_BASIC_STATS", STATX_BASIC_STATS, 0}, {"STATX_TYPE", STATX_TYPE, 0}, {"STATX_MODE", STATX_MODE, 0},
		{"STATX_NLINK", STATX_NLINK, 0}, {"STATX_UID", STATX_UID, 0}, {"STATX_GID", STATX_GID, 0},
		{"STATX_ATIME", STATX_ATIME, 0}, {"STATX_MTIME", STATX_MTIME, 0}, {"STATX_CTIME", STATX_CTIME, 0},
		{"STATX_INO", STATX_INO, 0}, {"STATX_SIZE", STATX_SIZE, 0}, {"STATX_BLOCKS", STATX_BLOCKS, 0},
		{"STATX_BTIME", STATX_BTIME, 0}, {"STATX_MNT_ID", STATX_MNT_ID, 0}}}
	CloneFlags = FlagSet{Flags: []Flag{
		{"CLONE_VM", 0x100, 0}, {"CLONE_FS", 0x200, 0}, {"CLONE_FILES", 0x400, 0}, {"CLONE_SIGHAND", 0x800, 0},
		{"CLONE_PIDFD", 0x1000, 0}, {"CLONE_PTRACE", 0x2000, 0}, {"CLONE_VFORK", 0x4000, 0},
		{"CLONE_PARENT", 0x8000, 0}, {"CLONE_THREAD", 0x10000, 0}, {"CLONE_NEWNS", 0x20000, 0},
		{"CLONE_SYSVSEM", 0x40000, 0}, {"CLONE_SETTLS", 0x80000, 0}, {"CLONE_PARENT_SETTID", 0x100000, 0},
		{"CLONE_CHILD_CLEARTID", 0x200000, 0}, {"CLONE_DETACHED", 0x400000, 0}, {"CLONE_UNTRACED", 0x800000, 0},
		{"CLONE_CHILD_SETTID", 0x1000000, 0}}}
	GrndFlags = FlagSet{Flags: []Flag{
		{"GRND_NONBLOCK", GRND_NONBLOCK, 0}, {"GRND_RANDOM", GRND_RANDOM, 0}, {"GRND_INSECURE", GRND_INSECURE, 0}}}
	SigactionFlags = FlagSet{Flags: []Flag{
		{"SA_NOCLDSTOP", 1, 0}, {"SA_NOCLDWAIT", 2, 0}, {"SA_SIGINFO", 4, 0}, {"SA_RESTORER", 0x04000000, 0},
		{"SA_ONSTACK", 0x08000000, 0}, {"SA_RESTART", 0x10000000, 0}, {"SA_NODEFER", 0x40000000, 0},
		{"SA_RESETHAND", 0x80000000, 0}}}
	FutexOps = Enum{0: "FUTEX_WAIT", 1: "FUTEX_WAKE", 128: "FUTEX_WAIT_PRIVATE", 129: "FUTEX_WAKE_PRIVATE",
		9: "FUTEX_WAIT_BITSET", 10: "FUTEX_WAKE_BITSET", 137: "FUTEX_WAIT_BITSET_PRIVATE", 138: "FUTEX_WAKE_BITSET_PRIVATE",
		393: "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"}
	Whence  = Enum{0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}
	Clocks  = Enum{0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID", 3: "CLOCK_THREAD_CPUTIME_ID", 4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE", 6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME"}
	SigHow  = Enum{0: "SIG_BLOCK", 1: "SIG_UNBLOCK", 2: "SIG_SETMASK"}
	Rlimits = Enum{0: "RLIMIT_CPU", 1: "RLIMIT_FSIZE", 2: "RLIMIT_DATA", 3: "RLIMIT_STACK", 4: "RLIMIT_CORE", 5: "RLIMIT_RSS",
		6: "RLIMIT_NPROC", 7: "RLIMIT_NOFILE", 8: "RLIMIT_MEMLOCK", 9: "RLIMIT_AS", 10: "RLIMIT_LOCKS", 11: "RLIMIT_SIGPENDING",
		12: "RLIMIT_MSGQUEUE", 13: "RLIMIT_NICE", 14: "RLIMIT_RTPRIO", 15: "RLIMIT_RTTIME"}
	Ioctls = Enum{TCGETS: "TCGETS", TCSETS: "TCSETS", TCSETSW: "TCSETSW", TCSETSF: "TCSETSF", TIOCGPGRP: "TIOCGPGRP",
		TIOCSPGRP: "TIOCSPGRP", TIOCGWINSZ: "TIOCGWINSZ", TIOCSWINSZ: "TIOCSWINSZ", FIONREAD: "FIONREAD", FIONBIO: "FIONBIO"}
	Madvise = Enum{0: "MADV_NORMAL", 1: "MADV_RANDOM", 2: "MADV_SEQUENTIAL", 3: "MADV_WILLNEED", 4: "MADV_DONTNEED", 8: "MADV_FREE"}
)

// FileMode prints st_mode as strace does: S_IFCHR|0620.
func FileMode(m uint32) string {
	t := map[uint32]string{S_IFSOCK: "S_IFSOCK", S_IFLNK: "S_IFLNK", S_IFREG: "S_IFREG", S_IFBLK: "S_IFBLK",
		S_IFDIR: "S_IFDIR", S_IFCHR: "S_IFCHR", S_IFIFO: "S_IFIFO"}[m&S_IFMT]
	perm := m &^ S_IFMT
	s := fmt.Sprintf("%#o", perm)
	if perm == 0 {
		s = "000"
	} else if perm < 01000 {
		s = fmt.Sprintf("%04o", perm)
	}
	if t == "" {
		return s
	}
	return t + "|" + s
}
