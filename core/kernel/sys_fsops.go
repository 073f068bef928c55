package kernel

import (
	"encoding/binary"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/trace"
)

// File-system changes: mkdir, rmdir, unlink, rename, link, symlink,
// truncate, and their *at forms.
var fsopsCalls = []Syscall{
	{Nr: 39, Name: "mkdir", Fn: sysMkdir, Args: []ArgSpec{aPath, aOct}},
	{Nr: 296, Name: "mkdirat", Fn: sysMkdirat, Args: []ArgSpec{aDir, aPath, aOct}},
	{Nr: 40, Name: "rmdir", Fn: sysRmdir, Args: []ArgSpec{aPath}},
	{Nr: 10, Name: "unlink", Fn: sysUnlink, Args: []ArgSpec{aPath}},
	{Nr: 301, Name: "unlinkat", Fn: sysUnlinkat, Args: []ArgSpec{aDir, aPath, aAt}},
	{Nr: 38, Name: "rename", Fn: sysRename, Args: []ArgSpec{aPath, aPath}},
	{Nr: 302, Name: "renameat", Fn: sysRenameat, Args: []ArgSpec{aDir, aPath, aDir, aPath}},
	{Nr: 353, Name: "renameat2", Fn: sysRenameat2, Args: []ArgSpec{aDir, aPath, aDir, aPath, flags(&renameFlags)}},
	{Nr: 9, Name: "link", Fn: sysLink, Args: []ArgSpec{aPath, aPath}},
	{Nr: 303, Name: "linkat", Fn: sysLinkat, Args: []ArgSpec{aDir, aPath, aDir, aPath, aAt}},
	{Nr: 83, Name: "symlink", Fn: sysSymlink, Args: []ArgSpec{aPath, aPath}},
	{Nr: 304, Name: "symlinkat", Fn: sysSymlinkat, Args: []ArgSpec{aPath, aDir, aPath}},
	{Nr: 92, Name: "truncate", Fn: sysTruncate, Args: []ArgSpec{aPath, aUint}},
	{Nr: 93, Name: "ftruncate", Fn: sysFtruncate, Args: []ArgSpec{aFD, aUint}},
	{Nr: 193, Name: "truncate64", Fn: sysTruncate64, Decode: decodeTruncate64(true)},
	{Nr: 194, Name: "ftruncate64", Fn: sysFtruncate64, Decode: decodeTruncate64(false)},
	{Nr: 320, Name: "utimensat", Fn: sysUtimensat, Args: []ArgSpec{aDir, aPath, in(fmtTimespecPair(false)), aAt}},
	{Nr: 412, Name: "utimensat_time64", Fn: sysUtimensat64, Args: []ArgSpec{aDir, aPath, in(fmtTimespecPair(true)), aAt}},
	{Nr: 271, Name: "utimes", Fn: sysUtimes, Args: []ArgSpec{aPath, aPtr}},
	{Nr: 30, Name: "utime", Fn: sysUtime, Args: []ArgSpec{aPath, aPtr}},
}

var renameFlags = abi.FlagSet{Flags: []abi.Flag{{Name: "RENAME_NOREPLACE", Value: fs.RenameNoreplace},
	{Name: "RENAME_EXCHANGE", Value: fs.RenameExchange}, {Name: "RENAME_WHITEOUT", Value: fs.RenameWhiteout}}}

const atCWD = abi.AT_FDCWD & 0xffffffff

// parentOf reads a path argument and looks up the directory holding its
// last component: the directory, the component, the inode there (nil if
// none), and whether the path ends in a slash.
func (t *Task) parentOf(dirfd, pathAddr uint32) (dir *fs.Inode, name string, n *fs.Inode, trailing bool, err abi.Errno) {
	path, err := t.readPath(pathAddr, false)
	if err != 0 {
		return nil, "", nil, false, err
	}
	start, err := t.at(dirfd, path)
	if err != 0 {
		return nil, "", nil, false, err
	}
	trailing = strings.HasSuffix(path, "/")
	dir, name, n, err = t.k.FS.ResolveParent(start, path)
	if err == abi.ENOENT && dir != nil {
		err = 0 // only the last component is missing
	}
	if err != 0 {
		return nil, "", nil, false, err
	}
	return dir, name, n, trailing, 0
}

func (t *Task) mkdirat(dirfd, pathAddr, mode uint32) (uint32, abi.Errno) {
	dir, name, n, _, err := t.parentOf(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	d, err := t.k.FS.Mkdir(dir, name, n, mode&^t.umask&0777|mode&abi.S_ISVTX)
	if err != 0 {
		return 0, err
	}
	d.UID, d.GID = t.Cred.EUID, t.Cred.EGID
	return 0, 0
}

func sysMkdir(t *Task, a *Args) (uint32, abi.Errno)   { return t.mkdirat(atCWD, a[0], a[1]) }
func sysMkdirat(t *Task, a *Args) (uint32, abi.Errno) { return t.mkdirat(a[0], a[1], a[2]) }

func (t *Task) rmdir(dirfd, pathAddr uint32) (uint32, abi.Errno) {
	dir, name, n, _, err := t.parentOf(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	return 0, t.k.FS.Rmdir(dir, name, n)
}

func (t *Task) unlink(dirfd, pathAddr uint32) (uint32, abi.Errno) {
	dir, name, n, trailing, err := t.parentOf(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	if trailing && n != nil && !n.IsDir() {
		return 0, abi.ENOTDIR
	}
	return 0, t.k.FS.Unlink(dir, name, n)
}

func sysRmdir(t *Task, a *Args) (uint32, abi.Errno)  { return t.rmdir(atCWD, a[0]) }
func sysUnlink(t *Task, a *Args) (uint32, abi.Errno) { return t.unlink(atCWD, a[0]) }

func sysUnlinkat(t *Task, a *Args) (uint32, abi.Errno) {
	if a[2]&^abi.AT_REMOVEDIR != 0 {
		return 0, abi.EINVAL
	}
	if a[2]&abi.AT_REMOVEDIR != 0 {
		return t.rmdir(a[0], a[1])
	}
	return t.unlink(a[0], a[1])
}

func (t *Task) renameat2(olddirfd, oldAddr, newdirfd, newAddr, flags uint32) (uint32, abi.Errno) {
	if flags&^(fs.RenameNoreplace|fs.RenameExchange|fs.RenameWhiteout) != 0 {
		return 0, abi.EINVAL
	}
	if flags&fs.RenameNoreplace != 0 && flags&(fs.RenameExchange|fs.RenameWhiteout) != 0 {
		return 0, abi.EINVAL
	}
	if flags&(fs.RenameExchange|fs.RenameWhiteout) != 0 {
		return 0, abi.EINVAL // not supported by this file system
	}
	oldDir, oldName, old, oldSlash, err := t.parentOf(olddirfd, oldAddr)
	if err != 0 {
		return 0, err
	}
	newDir, newName, n, newSlash, err := t.parentOf(newdirfd, newAddr)
	if err != 0 {
		return 0, err
	}
	if old != nil && !old.IsDir() && (oldSlash || newSlash) && !(oldName == "." || oldName == "..") {
		return 0, abi.ENOTDIR
	}
	return 0, t.k.FS.Rename(oldDir, oldName, old, newDir, newName, n, flags)
}

func sysRename(t *Task, a *Args) (uint32, abi.Errno) { return t.renameat2(atCWD, a[0], atCWD, a[1], 0) }
func sysRenameat(t *Task, a *Args) (uint32, abi.Errno) {
	return t.renameat2(a[0], a[1], a[2], a[3], 0)
}
func sysRenameat2(t *Task, a *Args) (uint32, abi.Errno) {
	return t.renameat2(a[0], a[1], a[2], a[3], a[4])
}

func (t *Task) linkat(olddirfd, oldAddr, newdirfd, newAddr, flags uint32) (uint32, abi.Errno) {
	if flags&^(abi.AT_SYMLINK_FOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	old, err := t.statPath(olddirfd, oldAddr, flags&abi.AT_SYMLINK_FOLLOW != 0, flags&abi.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	dir, name, n, trailing, err := t.parentOf(newdirfd, newAddr)
	if err != 0 {
		return 0, err
	}
	if n == nil && trailing {
		return 0, abi.ENOENT
	}
	return 0, t.k.FS.HardLink(old, dir, name, n)
}

func sysLink(t *Task, a *Args) (uint32, abi.Errno)   { return t.linkat(atCWD, a[0], atCWD, a[1], 0) }
func sysLinkat(t *Task, a *Args) (uint32, abi.Errno) { return t.linkat(a[0], a[1], a[2], a[3], a[4]) }

func (t *Task) symlinkat(targetAddr, dirfd, pathAddr uint32) (uint32, abi.Errno) {
	target, err := t.readPath(targetAddr, false)
	if err != 0 {
		return 0, err
	}
	dir, name, n, trailing, err := t.parentOf(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	if n == nil && trailing {
		return 0, abi.ENOENT
	}
	l, err := t.k.FS.SymlinkAt(dir, name, n, target)
	if err != 0 {
		return 0, err
	}
	l.UID, l.GID = t.Cred.EUID, t.Cred.EGID
	return 0, 0
}

func sysSymlink(t *Task, a *Args) (uint32, abi.Errno) { return t.symlinkat(a[0], atCWD, a[1]) }
func sysSymlinkat(t *Task, a *Args) (uint32, abi.Errno) {
	return t.symlinkat(a[0], a[1], a[2])
}

// truncate(path, length): the path is followed; a directory is EISDIR,
// other non-regular files EINVAL.
func (t *Task) truncate(pathAddr uint32, length int64) (uint32, abi.Errno) {
	if length < 0 {
		return 0, abi.EINVAL
	}
	n, err := t.statPath(atCWD, pathAddr, true, false)
	if err != 0 {
		return 0, err
	}
	if n.IsDir() {
		return 0, abi.EISDIR
	}
	if !n.IsReg() {
		return 0, abi.EINVAL
	}
	if e := t.permit(n, abi.O_WRONLY); e != 0 {
		return 0, e
	}
	return 0, t.k.FS.Truncate(n, length)
}

// ftruncate(fd, length): the descriptor must be open for writing on a
// regular file, else EINVAL.
func (t *Task) ftruncate(fd uint32, length int64) (uint32, abi.Errno) {
	if length < 0 {
		return 0, abi.EINVAL
	}
	f, err := t.file(fd)
	if err != 0 {
		return 0, err
	}
	if !f.Inode.IsReg() || !f.Writable() {
		return 0, abi.EINVAL
	}
	return 0, t.k.FS.Truncate(f.Inode, length)
}

func sysTruncate(t *Task, a *Args) (uint32, abi.Errno) {
	return t.truncate(a[0], int64(int32(a[1])))
}
func sysFtruncate(t *Task, a *Args) (uint32, abi.Errno) {
	return t.ftruncate(a[0], int64(int32(a[1])))
}
func sysTruncate64(t *Task, a *Args) (uint32, abi.Errno) {
	return t.truncate(a[0], posArg(a[1], a[2]))
}
func sysFtruncate64(t *Task, a *Args) (uint32, abi.Errno) {
	return t.ftruncate(a[0], posArg(a[1], a[2]))
}

// decodeTruncate64 shows the 64-bit length (two registers) as one
// unsigned number, as strace does.
func decodeTruncate64(path bool) func(d *Decoder) []trace.Arg {
	return func(d *Decoder) []trace.Arg {
		first := trace.I(int64(int32(d.a[0])))
		if path {
			first = d.str(d.a[0])
		}
		return []trace.Arg{first, trace.U(uint64(d.a[2])<<32 | uint64(d.a[1]))}
	}
}

// Timestamps. The file system keeps one time per inode (stat shows it
// as atime, mtime and ctime), so these set the modification time; an
// access time alone changes nothing visible.
const (
	utimeNow  = 1<<30 - 1
	utimeOmit = 1<<30 - 2
)

// utimes sets n's mtime: now (mtime < 0), or the given ns. Explicit
// times need ownership (EPERM); "now" needs ownership or write access
// (EACCES), as Linux's utimes_common.
func (t *Task) utimes(n *fs.Inode, mtime int64, omit bool, explicit bool) abi.Errno {
	if n.Generate != nil || n.Readlink != nil || n.Lookup != nil {
		return abi.EROFS // /proc
	}
	owner := t.Cred.EUID == 0 || t.Cred.EUID == n.UID
	if explicit && !owner {
		return abi.EPERM
	}
	if !explicit && !owner && t.permit(n, abi.O_WRONLY) != 0 {
		return abi.EACCES
	}
	if omit {
		return 0
	}
	if mtime < 0 {
		mtime = t.k.FS.Now()
	}
	n.Mtime = mtime
	return 0
}

func (t *Task) utimensat(a *Args, wide bool) (uint32, abi.Errno) {
	dirfd, pathAddr, timesAddr, fl := a[0], a[1], a[2], a[3]
	if fl&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	var ts [2]struct{ sec, nsec int64 }
	explicit, omitAll, omitM := false, false, false
	if timesAddr != 0 {
		for i := range ts {
			if wide {
				var b [16]byte
				if err := t.copyIn(timesAddr+uint32(16*i), b[:]); err != 0 {
					return 0, err
				}
				ts[i].sec, ts[i].nsec = int64(binary.LittleEndian.Uint64(b[:])), int64(int32(binary.LittleEndian.Uint32(b[8:])))
			} else {
				var b [8]byte
				if err := t.copyIn(timesAddr+uint32(8*i), b[:]); err != 0 {
					return 0, err
				}
				ts[i].sec, ts[i].nsec = int64(int32(binary.LittleEndian.Uint32(b[:]))), int64(int32(binary.LittleEndian.Uint32(b[4:])))
			}
			if n := ts[i].nsec; n != utimeNow && n != utimeOmit && (n < 0 || n >= 1e9) {
				return 0, abi.EINVAL
			}
			if ts[i].nsec != utimeNow && ts[i].nsec != utimeOmit {
				explicit = true
			}
		}
		omitM = ts[1].nsec == utimeOmit
		omitAll = omitM && ts[0].nsec == utimeOmit
	}
	var n *fs.Inode
	var err abi.Errno
	if pathAddr == 0 {
		// futimens: the descriptor itself.
		if int32(dirfd) == abi.AT_FDCWD {
			return 0, abi.EFAULT
		}
		f, e := t.file(dirfd)
		if e != 0 {
			return 0, e
		}
		n = f.Inode
	} else if n, err = t.statPath(dirfd, pathAddr, fl&abi.AT_SYMLINK_NOFOLLOW == 0, fl&abi.AT_EMPTY_PATH != 0); err != 0 {
		return 0, err
	}
	if omitAll {
		return 0, 0
	}
	m := int64(-1)
	if timesAddr != 0 && ts[1].nsec != utimeNow && !omitM {
		m = ts[1].sec*1e9 + ts[1].nsec
	}
	return 0, t.utimes(n, m, omitM, explicit)
}

func sysUtimensat(t *Task, a *Args) (uint32, abi.Errno)   { return t.utimensat(a, false) }
func sysUtimensat64(t *Task, a *Args) (uint32, abi.Errno) { return t.utimensat(a, true) }

// utimes(path, struct timeval[2]) and utime(path, struct utimbuf).
func sysUtimes(t *Task, a *Args) (uint32, abi.Errno) {
	n, err := t.statPath(atFDCWD, a[0], true, false)
	if err != 0 {
		return 0, err
	}
	if a[1] == 0 {
		return 0, t.utimes(n, -1, false, false)
	}
	var b [16]byte
	if err := t.copyIn(a[1], b[:]); err != 0 {
		return 0, err
	}
	for i := 0; i < 2; i++ {
		if us := int32(binary.LittleEndian.Uint32(b[8*i+4:])); us < 0 || us >= 1e6 {
			return 0, abi.EINVAL
		}
	}
	sec, usec := int64(int32(binary.LittleEndian.Uint32(b[8:]))), int64(int32(binary.LittleEndian.Uint32(b[12:])))
	return 0, t.utimes(n, sec*1e9+usec*1e3, false, true)
}

func sysUtime(t *Task, a *Args) (uint32, abi.Errno) {
	n, err := t.statPath(atFDCWD, a[0], true, false)
	if err != 0 {
		return 0, err
	}
	if a[1] == 0 {
		return 0, t.utimes(n, -1, false, false)
	}
	var b [8]byte
	if err := t.copyIn(a[1], b[:]); err != 0 {
		return 0, err
	}
	return 0, t.utimes(n, int64(int32(binary.LittleEndian.Uint32(b[4:])))*1e9, false, true)
}

// fmtTimespecPair shows utimensat's times as strace: [UTIME_NOW,
// {tv_sec=..., tv_nsec=...}].
func fmtTimespecPair(wide bool) func(d *Decoder, v uint32) trace.Arg {
	return func(d *Decoder, v uint32) trace.Arg {
		var elems []trace.Arg
		for i := 0; i < 2; i++ {
			var sec, nsec int64
			if wide {
				w, ok := d.structAt(v+uint32(16*i), 3)
				if !ok {
					return trace.P(v)
				}
				sec, nsec = int64(uint64(w[0])|uint64(w[1])<<32), int64(int32(w[2]))
			} else {
				w, ok := d.structAt(v+uint32(8*i), 2)
				if !ok {
					return trace.P(v)
				}
				sec, nsec = int64(int32(w[0])), int64(int32(w[1]))
			}
			switch nsec {
			case utimeNow:
				elems = append(elems, trace.Sym(uint64(nsec), "UTIME_NOW"))
			case utimeOmit:
				elems = append(elems, trace.Sym(uint64(nsec), "UTIME_OMIT"))
			default:
				elems = append(elems, trace.S(0, trace.F("tv_sec", trace.I(sec)), trace.F("tv_nsec", trace.I(nsec))))
			}
		}
		return trace.Arg{Kind: trace.Array, Elems: elems}
	}
}

// atFDCWD is AT_FDCWD as the register holds it.
const atFDCWD = uint32(0xffffff9c)
