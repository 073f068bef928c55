package kernel

import (
	"sort"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/trace"
)

// Files: descriptors, reading and writing, paths, stat, ioctl.
var fileCalls = []Syscall{
	{Nr: 3, Name: "read", Fn: sysRead, Args: []ArgSpec{aFD, aBufOut(), aUint}},
	{Nr: 4, Name: "write", Fn: sysWrite, Args: []ArgSpec{aFD, aBufIn(2), aUint}},
	{Nr: 180, Name: "pread64", Fn: sysPread, Args: []ArgSpec{aFD, aBufOut(), aUint, in(fmtOff64)}},
	{Nr: 181, Name: "pwrite64", Fn: sysPwrite, Args: []ArgSpec{aFD, aBufIn(2), aUint, in(fmtOff64)}},
	{Nr: 145, Name: "readv", Fn: sysReadv, Args: []ArgSpec{aFD, out(fmtIovecOut), aInt}},
	{Nr: 146, Name: "writev", Fn: sysWritev, Args: []ArgSpec{aFD, in(fmtIovecIn), aInt}},
	{Nr: 5, Name: "open", Fn: sysOpen, Args: []ArgSpec{aPath, aOpen, aOct}, Trim: trimMode(1)},
	{Nr: 295, Name: "openat", Fn: sysOpenat, Args: []ArgSpec{aDir, aPath, aOpen, aOct}, Trim: trimMode(2)},
	{Nr: 8, Name: "creat", Fn: sysCreat, Args: []ArgSpec{aPath, aOct}},
	{Nr: 6, Name: "close", Fn: sysClose, Args: []ArgSpec{aFD}},
	{Nr: 19, Name: "lseek", Fn: sysLseek, Args: []ArgSpec{aFD, aInt, enum(abi.Whence)}},
	{Nr: 140, Name: "_llseek", Fn: sysLlseek, Decode: decodeLlseek},
	{Nr: 54, Name: "ioctl", Fn: sysIoctl, Args: []ArgSpec{aFD, enum(abi.Ioctls), out(ifDone(fmtIoctlArg))}},
	{Nr: 195, Name: "stat64", Fn: sysStat64, Args: []ArgSpec{aPath, out(ifDone(fmtStat64))}},
	{Nr: 196, Name: "lstat64", Fn: sysLstat64, Args: []ArgSpec{aPath, out(ifDone(fmtStat64))}},
	{Nr: 197, Name: "fstat64", Fn: sysFstat64, Args: []ArgSpec{aFD, out(ifDone(fmtStat64))}},
	{Nr: 300, Name: "fstatat64", Fn: sysFstatat64, Args: []ArgSpec{aDir, aPath, out(ifDone(fmtStat64)), aAt}},
	{Nr: 383, Name: "statx", Fn: sysStatx, Args: []ArgSpec{aDir, aPath, in(fmtStatxFlags), flags(&abi.StatxMask), out(ifDone(fmtStatx))}},
	{Nr: 85, Name: "readlink", Fn: sysReadlink, Args: []ArgSpec{aPath, aBufOut(), aUint}},
	{Nr: 305, Name: "readlinkat", Fn: sysReadlinkat, Args: []ArgSpec{aDir, aPath, aBufOut(), aUint}},
	{Nr: 33, Name: "access", Fn: sysAccess, Args: []ArgSpec{aPath, flags(&accessModes)}},
	{Nr: 307, Name: "faccessat", Fn: sysFaccessat, Args: []ArgSpec{aDir, aPath, flags(&accessModes)}},
	{Nr: 439, Name: "faccessat2", Fn: sysFaccessat, Args: []ArgSpec{aDir, aPath, flags(&accessModes), aAt}},
	{Nr: 41, Name: "dup", Fn: sysDup, Args: []ArgSpec{aFD}},
	{Nr: 63, Name: "dup2", Fn: sysDup2, Args: []ArgSpec{aFD, aFD}},
	{Nr: 330, Name: "dup3", Fn: sysDup3, Args: []ArgSpec{aFD, aFD, aOpen}},
	{Nr: 55, Name: "fcntl", Fn: sysFcntl, Args: []ArgSpec{aFD, enum(fcntlCmds), in(fmtFcntlArg)}, Trim: trimFcntl},
	{Nr: 221, Name: "fcntl64", Fn: sysFcntl, Args: []ArgSpec{aFD, enum(fcntlCmds), in(fmtFcntlArg)}, Trim: trimFcntl},
	{Nr: 183, Name: "getcwd", Fn: sysGetcwd, Args: []ArgSpec{out(ifDone(fmtCwd)), aUint}},
	{Nr: 12, Name: "chdir", Fn: sysChdir, Args: []ArgSpec{aPath}},
	{Nr: 220, Name: "getdents64", Fn: sysGetdents64, Args: []ArgSpec{aFD, out(ifDone(fmtDirents)), aUint}},
}

// trimMode drops open's mode argument unless the flags (argument i)
// create a file, as strace shows it.
func trimMode(i int) func(d *Decoder, args []trace.Arg) []trace.Arg {
	return func(d *Decoder, args []trace.Arg) []trace.Arg {
		if d.a[i]&abi.O_CREAT == 0 && d.a[i]&abi.O_TMPFILE != abi.O_TMPFILE {
			return args[:i+1]
		}
		return args
	}
}

var accessModes = abi.FlagSet{Zero: "F_OK", Flags: []abi.Flag{{Name: "R_OK", Value: 4}, {Name: "W_OK", Value: 2}, {Name: "X_OK", Value: 1}}}

// maxRW is MAX_RW_COUNT: the most one read or write transfers.
const maxRW = 0x7ffff000

// ioChunk bounds the kernel buffer used per step of a transfer.
const ioChunk = 64 << 10

func (t *Task) file(fd uint32) (*fs.File, abi.Errno) { return t.Files.Get(int32(fd)) }

// inChunks moves count bytes (at most MAX_RW_COUNT) through kernel
// buffers of up to ioChunk bytes: step moves one chunk, the one at off,
// and says how many bytes moved and whether to go on. A failure after
// some bytes moved reports the bytes, as read(2) and write(2) do.
func inChunks(count uint32, step func(off uint32, buf []byte) (moved int, more bool, err abi.Errno)) (uint32, abi.Errno) {
	count = min(count, maxRW)
	var done uint32
	for done < count {
		moved, more, err := step(done, make([]byte, min(count-done, ioChunk)))
		if err != 0 {
			return partial(done, err)
		}
		done += uint32(moved)
		if !more {
			break
		}
	}
	return done, 0
}

// partial is the result of a transfer that failed after done bytes: the
// bytes if there were any, else the error.
func partial(done uint32, err abi.Errno) (uint32, abi.Errno) {
	if done > 0 {
		return done, 0
	}
	return 0, err
}

// transfer is readTo or writeFrom: count bytes between f (at *pos, or
// at its offset when pos is nil) and guest memory at addr.
type transfer func(f *fs.File, addr, count uint32, pos *int64) (uint32, abi.Errno)

// readTo reads from f into guest memory at addr, like read(2).
func (t *Task) readTo(f *fs.File, addr, count uint32, pos *int64) (uint32, abi.Errno) {
	return inChunks(count, func(off uint32, buf []byte) (int, bool, abi.Errno) {
		var got int
		var err abi.Errno
		if pos != nil {
			got, err = f.Pread(buf, *pos)
			*pos += int64(got)
		} else {
			got, err = f.Read(buf)
		}
		if err == 0 {
			err = t.copyOut(addr+off, buf[:got])
		}
		if err != 0 {
			return 0, false, err
		}
		// A short read (end of file, a pipe or terminal with less data)
		// ends the call, as Linux returns what one read produced.
		return got, got == len(buf) && f.Inode.Dev == nil, 0
	})
}

// writeFrom writes guest memory at addr to f, like write(2).
func (t *Task) writeFrom(f *fs.File, addr, count uint32, pos *int64) (uint32, abi.Errno) {
	return inChunks(count, func(off uint32, buf []byte) (int, bool, abi.Errno) {
		if err := t.copyIn(addr+off, buf); err != 0 {
			return 0, false, err
		}
		var put int
		var err abi.Errno
		if pos != nil {
			save := f.Off
			f.Off = *pos
			put, err = f.Write(buf)
			f.Off = save
			*pos += int64(put)
		} else {
			put, err = f.Write(buf)
		}
		if err != 0 {
			return 0, false, err
		}
		return put, put == len(buf), 0
	})
}

// The checks of an open file before a transfer, whatever the count
// (vfs_read, vfs_write): its mode (EBADF); read and pread also refuse a
// directory (generic_read_dir's EISDIR), while readv asks only when it
// has bytes to read.
func openForReading(f *fs.File) abi.Errno {
	if !f.Readable() {
		return abi.EBADF
	}
	return 0
}

func openForWriting(f *fs.File) abi.Errno {
	if !f.Writable() {
		return abi.EBADF
	}
	return 0
}

func readsAsFile(f *fs.File) abi.Errno {
	if err := openForReading(f); err != 0 {
		return err
	}
	if f.Inode.IsDir() {
		return abi.EISDIR
	}
	return 0
}

// checkedFile is the open file behind fd if check lets the transfer go on.
func (t *Task) checkedFile(fd uint32, check func(*fs.File) abi.Errno) (*fs.File, abi.Errno) {
	f, err := t.file(fd)
	if err != 0 {
		return nil, err
	}
	if err := check(f); err != 0 {
		return nil, err
	}
	return f, 0
}

func sysRead(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.checkedFile(a[0], readsAsFile)
	if err != 0 {
		return 0, err
	}
	return t.readTo(f, a[1], a[2], nil)
}

func sysWrite(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.checkedFile(a[0], openForWriting)
	if err != 0 {
		return 0, err
	}
	if e, ok := f.Inode.Dev.(*pipeEnd); ok {
		return e.writeFromUser(t, f, a[1], min(a[2], maxRW))
	}
	return t.writeFrom(f, a[1], a[2], nil)
}

func posArg(lo, hi uint32) int64 { return int64(uint64(hi)<<32 | uint64(lo)) }

func fmtOff64(d *Decoder, v uint32) trace.Arg { return trace.I(posArg(d.a[3], d.a[4])) }

func positional(f *fs.File) abi.Errno {
	if f.Inode.Dev != nil {
		if _, ok := f.Inode.Dev.(fs.Seeker); ok {
			return abi.ESPIPE
		}
	}
	return 0
}

func sysPread(t *Task, a *Args) (uint32, abi.Errno) {
	return t.positionalIO(a, readsAsFile, t.readTo)
}

func sysPwrite(t *Task, a *Args) (uint32, abi.Errno) {
	return t.positionalIO(a, openForWriting, t.writeFrom)
}

// positionalIO is pread64 and pwrite64: a transfer at the 64-bit
// position in arguments 3 and 4, leaving the file offset alone. Linux
// checks the position first, then the descriptor, then that the file
// has positions (ESPIPE), then its mode.
func (t *Task) positionalIO(a *Args, check func(*fs.File) abi.Errno, xfer transfer) (uint32, abi.Errno) {
	pos := posArg(a[3], a[4])
	if pos < 0 {
		return 0, abi.EINVAL
	}
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	if err := positional(f); err != 0 {
		return 0, err
	}
	if err := check(f); err != 0 {
		return 0, err
	}
	return xfer(f, a[1], a[2], &pos)
}

// iovecs reads an iovec array (UIO_MAXIOV is 1024).
func (t *Task) iovecs(addr, cnt uint32) ([][2]uint32, abi.Errno) {
	if int32(cnt) < 0 || cnt > 1024 {
		return nil, abi.EINVAL
	}
	b := make(le, 8*cnt)
	if err := t.copyIn(addr, b); err != 0 {
		return nil, err
	}
	v := make([][2]uint32, cnt)
	var total uint64
	for i := range v {
		v[i] = [2]uint32{uint32(b[8*i]) | uint32(b[8*i+1])<<8 | uint32(b[8*i+2])<<16 | uint32(b[8*i+3])<<24,
			uint32(b[8*i+4]) | uint32(b[8*i+5])<<8 | uint32(b[8*i+6])<<16 | uint32(b[8*i+7])<<24}
		if int32(v[i][1]) < 0 {
			return nil, abi.EINVAL
		}
		total += uint64(v[i][1])
	}
	if total > 0x7fffffff {
		return nil, abi.EINVAL
	}
	return v, 0
}

func sysReadv(t *Task, a *Args) (uint32, abi.Errno) {
	return t.vectorIO(a, openForReading, t.readTo)
}

func sysWritev(t *Task, a *Args) (uint32, abi.Errno) {
	return t.vectorIO(a, openForWriting, t.writeFrom)
}

// vectorIO is readv and writev: the buffers in order, stopping at the
// first short transfer; an error after some bytes moved reports the bytes.
func (t *Task) vectorIO(a *Args, check func(*fs.File) abi.Errno, xfer transfer) (uint32, abi.Errno) {
	f, err := t.checkedFile(a[0], check)
	if err != 0 {
		return 0, err
	}
	iov, err := t.iovecs(a[1], a[2])
	if err != 0 {
		return 0, err
	}
	var done uint32
	for _, v := range iov {
		n, err := xfer(f, v[0], v[1], nil)
		if err != 0 {
			return partial(done, err)
		}
		done += n
		if n < v[1] {
			break
		}
	}
	return done, 0
}

// fmtIovec shows an iovec array; out shows only the bytes the call
// produced (the result), spread over the buffers in order.
func fmtIovec(d *Decoder, v uint32, outp bool) trace.Arg {
	cnt := d.a[2]
	if cnt > 1024 {
		return trace.P(v)
	}
	w, ok := d.words(v, int(2*cnt))
	if !ok {
		return trace.P(v)
	}
	left := uint64(1) << 62
	if outp {
		if d.Failed() {
			return trace.P(v)
		}
		left = uint64(d.ret)
	}
	arr := trace.Arg{Kind: trace.Array, Value: int64(v)}
	for i := uint32(0); i < cnt; i++ {
		base, n := w[2*i], w[2*i+1]
		show := uint64(n)
		if show > left {
			show = left
		}
		left -= show
		var b trace.Arg
		if base == 0 {
			b = trace.P(0)
		} else {
			b = d.buf(base, uint32(show), false)
		}
		arr.Elems = append(arr.Elems, trace.S(0, trace.F("iov_base", b), trace.F("iov_len", trace.U(uint64(n)))))
	}
	return arr
}

func fmtIovecIn(d *Decoder, v uint32) trace.Arg  { return fmtIovec(d, v, false) }
func fmtIovecOut(d *Decoder, v uint32) trace.Arg { return fmtIovec(d, v, true) }

// at resolves the directory a *at call starts from.
func (t *Task) at(dirfd uint32, path string) (*fs.Inode, abi.Errno) {
	if len(path) > 0 && path[0] == '/' || int32(dirfd) == abi.AT_FDCWD {
		return t.Cwd, 0
	}
	f, err := t.file(dirfd)
	if err != 0 {
		return nil, err
	}
	if !f.Inode.IsDir() {
		return nil, abi.ENOTDIR
	}
	return f.Inode, 0
}

// pathAt reads a path argument and the directory a relative one starts
// from (dirfd, as the *at calls take it).
func (t *Task) pathAt(dirfd, pathAddr uint32) (start *fs.Inode, path string, err abi.Errno) {
	if path, err = t.readPath(pathAddr, false); err != 0 {
		return nil, "", err
	}
	start, err = t.at(dirfd, path)
	return start, path, err
}

func sysOpen(t *Task, a *Args) (uint32, abi.Errno) {
	return t.openat(abi.AT_FDCWD&0xffffffff, a[0], a[1], a[2])
}

func sysOpenat(t *Task, a *Args) (uint32, abi.Errno) { return t.openat(a[0], a[1], a[2], a[3]) }

func sysCreat(t *Task, a *Args) (uint32, abi.Errno) {
	return t.openat(abi.AT_FDCWD&0xffffffff, a[0], abi.O_CREAT|abi.O_WRONLY|abi.O_TRUNC, a[1])
}

func (t *Task) openat(dirfd, pathAddr, flags, mode uint32) (uint32, abi.Errno) {
	dir, path, err := t.pathAt(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	fsys := t.k.FS
	follow := flags&abi.O_NOFOLLOW == 0
	if flags&abi.O_TMPFILE == abi.O_TMPFILE {
		return 0, abi.EOPNOTSUPP
	}
	var n *fs.Inode
	if flags&abi.O_CREAT != 0 {
		parent, name, existing, e := fsys.ResolveParent(dir, path)
		if existing != nil && existing.IsSymlink() && follow {
			existing, e = fsys.Resolve(dir, path, true)
			if e == abi.ENOENT {
				return 0, abi.ENOENT // dangling link: Linux creates the target; not supported
			}
		}
		switch {
		case existing != nil:
			if flags&abi.O_EXCL != 0 {
				return 0, abi.EEXIST
			}
			n = existing
		case e == abi.ENOENT && parent != nil:
			if name == "." || name == ".." || path[len(path)-1] == '/' {
				return 0, abi.EISDIR
			}
			n, e = fsys.Create(parent, name, mode&^t.umask)
			if e != 0 {
				return 0, e
			}
			n.UID, n.GID = t.Cred.EUID, t.Cred.EGID
		default:
			return 0, e
		}
	} else {
		var e abi.Errno
		n, e = fsys.Resolve(dir, path, follow)
		if e != 0 {
			return 0, e
		}
	}
	if n.IsSymlink() {
		return 0, abi.ELOOP // O_NOFOLLOW on a link
	}
	acc := flags & abi.O_ACCMODE
	if flags&abi.O_DIRECTORY != 0 && !n.IsDir() {
		return 0, abi.ENOTDIR
	}
	if n.IsDir() && (acc != abi.O_RDONLY || flags&abi.O_CREAT != 0) {
		return 0, abi.EISDIR
	}
	if acc == abi.O_ACCMODE {
		return 0, abi.EINVAL
	}
	if e := t.permit(n, acc); e != 0 {
		return 0, e
	}
	f := &fs.File{Inode: n, Flags: flags &^ (abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_CLOEXEC), Path: path}
	if flags&abi.O_TRUNC != 0 && acc != abi.O_RDONLY {
		f.Truncate()
	}
	fd, e := t.Files.Alloc(f, 0, flags&abi.O_CLOEXEC != 0)
	if e != 0 {
		return 0, e
	}
	return uint32(fd), 0
}

// permit checks the permission bits for an open (root passes, except
// that nobody writes a read-only file system object like /proc).
func (t *Task) permit(n *fs.Inode, acc uint32) abi.Errno {
	if t.Cred.EUID == 0 {
		return 0
	}
	var need uint32
	if acc != abi.O_WRONLY {
		need |= 4
	}
	if acc != abi.O_RDONLY {
		need |= 2
	}
	perm := n.Mode & 7
	switch {
	case n.UID == t.Cred.EUID:
		perm = n.Mode >> 6 & 7
	case n.GID == t.Cred.EGID:
		perm = n.Mode >> 3 & 7
	}
	if perm&need != need {
		return abi.EACCES
	}
	return 0
}

func sysClose(t *Task, a *Args) (uint32, abi.Errno) { return 0, t.Files.Close(int32(a[0])) }

func sysLseek(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	off, err := f.Lseek(int64(int32(a[1])), int(a[2]))
	if err != 0 {
		return 0, err
	}
	if off > 0x7fffffff {
		return 0, abi.EOVERFLOW
	}
	return uint32(off), 0
}

// _llseek(fd, offset_high, offset_low, &result, whence)
func sysLlseek(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	off, err := f.Lseek(posArg(a[2], a[1]), int(a[4]))
	if err != 0 {
		return 0, err
	}
	return 0, t.writeU64(a[3], uint64(off))
}

func decodeLlseek(d *Decoder) []trace.Arg {
	res := trace.P(d.a[3])
	if !d.Failed() {
		if w, ok := d.words(d.a[3], 2); ok {
			res = trace.Arg{Kind: trace.Array, Value: int64(d.a[3]), Elems: []trace.Arg{trace.I(int64(uint64(w[1])<<32 | uint64(w[0])))}}
		}
	}
	return []trace.Arg{trace.I(int64(int32(d.a[0]))), trace.I(posArg(d.a[2], d.a[1])), res,
		trace.Sym(uint64(d.a[4]), abi.Whence.Format(uint64(d.a[4])))}
}

// Terminal state: the console's termios, as a fresh Linux tty has it.
var defaultTermios = func() [36]byte {
	var b [36]byte
	w := le(b[:])
	w.u32(0, 0x500)   // ICRNL|IXON
	w.u32(4, 0x5)     // OPOST|ONLCR
	w.u32(8, 0x4bf)   // B38400|CS8|CREAD|HUPCL
	w.u32(12, 0x8a3b) // ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE
	copy(b[17:], []byte{3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0xf, 0x17, 0x16, 0})
	return b
}()

func sysIoctl(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	if p, ok := f.Inode.Dev.(*ttyPort); ok {
		if r, err, handled := p.ioctl(t, f, a[1], a[2]); handled {
			return r, err
		}
	}
	tty := f.IsTerminal()
	con, _ := f.Inode.Dev.(*console)
	switch a[1] {
	case abi.TCGETS:
		if !tty {
			return 0, abi.ENOTTY
		}
		tio := con.termios()
		return 0, t.copyOut(a[2], tio[:])
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		if !tty {
			return 0, abi.ENOTTY
		}
		var b [36]byte
		if err := t.copyIn(a[2], b[:]); err != 0 {
			return 0, err
		}
		con.tio, con.tioSet = b, true
		return 0, 0
	case abi.TIOCGWINSZ:
		if !tty {
			return 0, abi.ENOTTY
		}
		b := make(le, 8)
		b.u16(0, uint16(t.k.cfg.Rows))
		b.u16(2, uint16(t.k.cfg.Cols))
		return 0, t.copyOut(a[2], b)
	case abi.TIOCSWINSZ:
		if !tty {
			return 0, abi.ENOTTY
		}
		var b [8]byte
		return 0, t.copyIn(a[2], b[:])
	case abi.TIOCGPGRP:
		if !tty {
			return 0, abi.ENOTTY
		}
		return 0, t.writeU32(a[2], uint32(t.Tgid))
	case abi.TIOCSPGRP:
		if !tty {
			return 0, abi.ENOTTY
		}
		_, err := t.readU32(a[2])
		return 0, err
	case abi.FIONREAD:
		if f.Inode.IsReg() {
			n := f.Inode.Size() - f.Off
			if n < 0 {
				n = 0
			}
			return 0, t.writeU32(a[2], uint32(n))
		}
		if con != nil {
			return 0, t.writeU32(a[2], 0)
		}
		return 0, abi.ENOTTY
	case abi.FIONBIO:
		v, err := t.readU32(a[2])
		if err != 0 {
			return 0, err
		}
		if v != 0 {
			f.Flags |= abi.O_NONBLOCK
		} else {
			f.Flags &^= abi.O_NONBLOCK
		}
		return 0, 0
	}
	return 0, abi.ENOTTY
}

func fmtIoctlArg(d *Decoder, v uint32) trace.Arg {
	switch d.a[1] {
	case abi.TIOCGWINSZ, abi.TIOCSWINSZ:
		if w, ok := d.words(v, 2); ok {
			return trace.S(v, trace.F("ws_row", trace.U(uint64(w[0]&0xffff))), trace.F("ws_col", trace.U(uint64(w[0]>>16))),
				trace.F("ws_xpixel", trace.U(uint64(w[1]&0xffff))), trace.F("ws_ypixel", trace.U(uint64(w[1]>>16))))
		}
	case abi.TCGETS, abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		if w, ok := d.words(v, 4); ok {
			return trace.S(v, trace.F("c_iflag", trace.X(uint64(w[0]))), trace.F("c_oflag", trace.X(uint64(w[1]))),
				trace.F("c_cflag", trace.X(uint64(w[2]))), trace.F("c_lflag", trace.X(uint64(w[3]))), trace.R("..."))
		}
	case abi.TIOCGPGRP, abi.TIOCSPGRP, abi.FIONREAD, abi.FIONBIO:
		if w, ok := d.words(v, 1); ok {
			return trace.Arg{Kind: trace.Array, Value: int64(v), Elems: []trace.Arg{trace.I(int64(int32(w[0])))}}
		}
	}
	return trace.P(v)
}

// Stat.

// fsDev is the device number of the in-memory file system (an anonymous
// block device, as tmpfs has).
const fsDev = 0x1a

func encodeDev(d uint32) uint64 {
	major, minor := uint64(d>>8), uint64(d&0xff)
	return minor&0xff | major<<8 | (minor&^0xff)<<12
}

func (k *Kernel) stat64(n *fs.Inode) []byte {
	b := make(le, 96)
	b.u64(0, fsDev)
	b.u32(12, uint32(n.Ino))
	b.u32(16, n.Mode)
	b.u32(20, n.Nlink)
	b.u32(24, n.UID)
	b.u32(28, n.GID)
	b.u64(32, encodeDev(n.Rdev))
	size := n.Size()
	b.u64(44, uint64(size))
	b.u32(52, 4096)
	b.u64(56, uint64((size+4095)/4096*8))
	for _, off := range []int{64, 72, 80} {
		b.u32(off, uint32(n.Mtime/1e9))
		b.u32(off+4, uint32(n.Mtime%1e9))
	}
	b.u64(88, n.Ino)
	return b
}

func (t *Task) statPath(dirfd, pathAddr uint32, follow, emptyPath bool) (*fs.Inode, abi.Errno) {
	path, err := t.readPath(pathAddr, emptyPath)
	if err != 0 {
		return nil, err
	}
	if path == "" {
		if int32(dirfd) == abi.AT_FDCWD {
			return t.Cwd, 0
		}
		f, err := t.file(dirfd)
		if err != 0 {
			return nil, err
		}
		return f.Inode, 0
	}
	dir, err := t.at(dirfd, path)
	if err != 0 {
		return nil, err
	}
	return t.k.FS.Resolve(dir, path, follow)
}

func sysStat64(t *Task, a *Args) (uint32, abi.Errno) {
	n, err := t.statPath(abi.AT_FDCWD&0xffffffff, a[0], true, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.copyOut(a[1], t.k.stat64(n))
}

func sysLstat64(t *Task, a *Args) (uint32, abi.Errno) {
	n, err := t.statPath(abi.AT_FDCWD&0xffffffff, a[0], false, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.copyOut(a[1], t.k.stat64(n))
}

func sysFstat64(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	return 0, t.copyOut(a[1], t.k.stat64(f.Inode))
}

func sysFstatat64(t *Task, a *Args) (uint32, abi.Errno) {
	if a[3]&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT) != 0 {
		return 0, abi.EINVAL
	}
	n, err := t.statPath(a[0], a[1], a[3]&abi.AT_SYMLINK_NOFOLLOW == 0, a[3]&abi.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	return 0, t.copyOut(a[2], t.k.stat64(n))
}

func sysStatx(t *Task, a *Args) (uint32, abi.Errno) {
	fl := a[2]
	if fl&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT|abi.AT_STATX_FORCE_SYNC|abi.AT_STATX_DONT_SYNC) != 0 ||
		fl&(abi.AT_STATX_FORCE_SYNC|abi.AT_STATX_DONT_SYNC) == abi.AT_STATX_FORCE_SYNC|abi.AT_STATX_DONT_SYNC {
		return 0, abi.EINVAL
	}
	if a[3]&0x80000000 != 0 { // STATX__RESERVED
		return 0, abi.EINVAL
	}
	n, err := t.statPath(a[0], a[1], fl&abi.AT_SYMLINK_NOFOLLOW == 0, fl&abi.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	b := make(le, 256)
	b.u32(0, abi.STATX_BASIC_STATS|abi.STATX_MNT_ID)
	b.u32(4, 4096)
	b.u32(16, n.Nlink)
	b.u32(20, n.UID)
	b.u32(24, n.GID)
	b.u16(28, uint16(n.Mode))
	b.u64(32, n.Ino)
	size := n.Size()
	b.u64(40, uint64(size))
	b.u64(48, uint64((size+4095)/4096*8))
	for _, off := range []int{64, 80, 96, 112} {
		b.u64(off, uint64(n.Mtime/1e9))
		b.u32(off+8, uint32(n.Mtime%1e9))
	}
	b.u32(128, n.Rdev>>8)
	b.u32(132, n.Rdev&0xff)
	b.u32(136, fsDev>>8)
	b.u32(140, fsDev&0xff)
	b.u64(144, 1)                 // mount id
	b.u64(56, statxAttrMountRoot) // stx_attributes_mask: what this fs reports
	if n == t.k.FS.Root {
		b.u64(8, statxAttrMountRoot)
	}
	return 0, t.copyOut(a[4], b)
}

// statxAttrMountRoot marks the root of a mount in stx_attributes.
const statxAttrMountRoot = 0x2000

func fmtStatxFlags(d *Decoder, v uint32) trace.Arg {
	s := "AT_STATX_SYNC_AS_STAT"
	if v&(abi.AT_STATX_FORCE_SYNC|abi.AT_STATX_DONT_SYNC) != 0 {
		s = ""
	}
	if rest := abi.AtFlags.Format(uint64(v)); v != 0 {
		if s != "" {
			s += "|"
		}
		s += rest
	}
	return trace.Sym(uint64(v), s)
}

func modeArg(m uint32) trace.Arg { return trace.Sym(uint64(m), abi.FileMode(m)) }

func devArg(rdev uint64) trace.Arg {
	major := rdev >> 8 & 0xfff
	minor := rdev&0xff | rdev>>12&^0xff
	return trace.Sym(rdev, "makedev(0x"+hexU(major)+", 0x"+hexU(minor)+")")
}

func hexU(v uint64) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&15]}, b...)
		v >>= 4
	}
	return string(b)
}

func fmtStat64(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 24)
	if !ok {
		return trace.P(v)
	}
	mode := w[4]
	fields := []trace.Arg{trace.F("st_mode", modeArg(mode))}
	if t := mode & abi.S_IFMT; t == abi.S_IFCHR || t == abi.S_IFBLK {
		fields = append(fields, trace.F("st_rdev", devArg(uint64(w[8]))))
	} else {
		fields = append(fields, trace.F("st_size", trace.I(int64(uint64(w[11])|uint64(w[12])<<32))))
	}
	return trace.S(v, append(fields, trace.R("..."))...)
}

func fmtStatx(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 48)
	if !ok {
		return trace.P(v)
	}
	mode := w[7] & 0xffff
	fields := []trace.Arg{
		trace.F("stx_mask", trace.Sym(uint64(w[0]), abi.StatxMask.Format(uint64(w[0])))),
		trace.F("stx_attributes", trace.X(uint64(w[2])|uint64(w[3])<<32)),
		trace.F("stx_mode", modeArg(mode)),
	}
	// strace's short statx summary shows the size for every file type.
	fields = append(fields, trace.F("stx_size", trace.U(uint64(w[10])|uint64(w[11])<<32)))
	switch fields[1].Value {
	case 0:
		fields[1] = trace.F("stx_attributes", trace.I(0))
	case statxAttrMountRoot:
		fields[1] = trace.F("stx_attributes", trace.Sym(statxAttrMountRoot, "STATX_ATTR_MOUNT_ROOT"))
	}
	return trace.S(v, append(fields, trace.R("..."))...)
}

func (t *Task) readlink(dirfd, pathAddr, buf, size uint32) (uint32, abi.Errno) {
	if int32(size) <= 0 {
		return 0, abi.EINVAL
	}
	dir, path, err := t.pathAt(dirfd, pathAddr)
	if err != 0 {
		return 0, err
	}
	n, err := t.k.FS.Resolve(dir, path, false)
	if err != 0 {
		return 0, err
	}
	if !n.IsSymlink() {
		return 0, abi.EINVAL
	}
	target := n.LinkTarget()
	if uint32(len(target)) > size {
		target = target[:size]
	}
	return uint32(len(target)), t.copyOut(buf, []byte(target))
}

func sysReadlink(t *Task, a *Args) (uint32, abi.Errno) {
	return t.readlink(abi.AT_FDCWD&0xffffffff, a[0], a[1], a[2])
}

func sysReadlinkat(t *Task, a *Args) (uint32, abi.Errno) { return t.readlink(a[0], a[1], a[2], a[3]) }

func (t *Task) access(dirfd, pathAddr, mode, flags uint32) (uint32, abi.Errno) {
	if mode&^7 != 0 {
		return 0, abi.EINVAL
	}
	n, err := t.statPath(dirfd, pathAddr, flags&abi.AT_SYMLINK_NOFOLLOW == 0, flags&abi.AT_EMPTY_PATH != 0)
	if err != 0 {
		return 0, err
	}
	if mode&1 != 0 && n.Mode&0111 == 0 && !n.IsDir() {
		return 0, abi.EACCES // even root needs an x bit somewhere
	}
	if t.Cred.UID != 0 {
		acc := uint32(abi.O_RDONLY)
		switch {
		case mode&6 == 6:
			acc = abi.O_RDWR
		case mode&2 != 0:
			acc = abi.O_WRONLY
		}
		if mode&6 != 0 {
			if e := t.permit(n, acc); e != 0 {
				return 0, e
			}
		}
	}
	return 0, 0
}

func sysAccess(t *Task, a *Args) (uint32, abi.Errno) {
	return t.access(abi.AT_FDCWD&0xffffffff, a[0], a[1], 0)
}

func sysFaccessat(t *Task, a *Args) (uint32, abi.Errno) { return t.access(a[0], a[1], a[2], a[3]) }

func sysDup(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	fd, err := t.Files.Alloc(f, 0, false)
	return uint32(fd), err
}

func (t *Task) dup3(oldfd, newfd uint32, cloexec bool) (uint32, abi.Errno) {
	f, err := t.file(oldfd)
	if err != 0 {
		return 0, err
	}
	if newfd >= maxFDs {
		return 0, abi.EBADF
	}
	t.Files.install(int(newfd), f, cloexec)
	return newfd, 0
}

func sysDup2(t *Task, a *Args) (uint32, abi.Errno) {
	if a[0] == a[1] {
		_, err := t.file(a[0])
		return a[0], err
	}
	return t.dup3(a[0], a[1], false)
}

func sysDup3(t *Task, a *Args) (uint32, abi.Errno) {
	if a[2]&^abi.O_CLOEXEC != 0 || a[0] == a[1] {
		return 0, abi.EINVAL
	}
	return t.dup3(a[0], a[1], a[2] != 0)
}

// fcntl commands.
const (
	fDupFD        = 0
	fGetFD        = 1
	fSetFD        = 2
	fGetFL        = 3
	fSetFL        = 4
	fDupFDCloexec = 1030
)

var fcntlCmds = abi.Enum{fDupFD: "F_DUPFD", fGetFD: "F_GETFD", fSetFD: "F_SETFD", fGetFL: "F_GETFL", fSetFL: "F_SETFL",
	5: "F_GETLK", 6: "F_SETLK", 7: "F_SETLKW", fDupFDCloexec: "F_DUPFD_CLOEXEC", 12: "F_GETLK64", 13: "F_SETLK64", 14: "F_SETLKW64"}

// fmtFcntlArg shows fcntl's third argument as its command reads it.
func fmtFcntlArg(d *Decoder, v uint32) trace.Arg {
	switch d.a[1] {
	case fSetFD:
		if v == 1 {
			return trace.Sym(1, "FD_CLOEXEC")
		}
		return trace.I(int64(v))
	case fSetFL:
		return trace.Sym(uint64(v), abi.OpenFlags(uint64(v)))
	case fDupFD, fDupFDCloexec:
		return trace.I(int64(int32(v)))
	}
	return trace.X(uint64(v))
}

// trimFcntl drops the argument of the commands that take none.
func trimFcntl(d *Decoder, args []trace.Arg) []trace.Arg {
	if d.a[1] == fGetFD || d.a[1] == fGetFL {
		return args[:2]
	}
	return args
}

func sysFcntl(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	switch a[1] {
	case fDupFD, fDupFDCloexec:
		if a[2] >= maxFDs {
			return 0, abi.EINVAL
		}
		fd, err := t.Files.Alloc(f, int(a[2]), a[1] == fDupFDCloexec)
		return uint32(fd), err
	case fGetFD:
		if t.Files.fds[a[0]].CloExec {
			return 1, 0
		}
		return 0, 0
	case fSetFD:
		t.Files.fds[a[0]].CloExec = a[2]&1 != 0
		return 0, 0
	case fGetFL:
		return f.Flags, 0
	case fSetFL:
		const settable = abi.O_APPEND | abi.O_NONBLOCK | abi.O_ASYNC | abi.O_DIRECT | abi.O_NOATIME
		f.Flags = f.Flags&^settable | a[2]&settable
		return 0, 0
	}
	return 0, abi.EINVAL
}

func sysGetcwd(t *Task, a *Args) (uint32, abi.Errno) {
	p := t.k.pathOf(t.Cwd) + "\x00"
	if uint32(len(p)) > a[1] {
		return 0, abi.ERANGE
	}
	return uint32(len(p)), t.copyOut(a[0], []byte(p))
}

func fmtCwd(d *Decoder, v uint32) trace.Arg { return d.str(v) }

func sysChdir(t *Task, a *Args) (uint32, abi.Errno) {
	path, err := t.readPath(a[0], false)
	if err != 0 {
		return 0, err
	}
	n, err := t.k.FS.Resolve(t.Cwd, path, true)
	if err != 0 {
		return 0, err
	}
	if !n.IsDir() {
		return 0, abi.ENOTDIR
	}
	t.Cwd = n
	t.syncFS()
	return 0, 0
}

// getdents64 lists a directory: ".", "..", then the entries by name.
// The file offset counts entries.
func sysGetdents64(t *Task, a *Args) (uint32, abi.Errno) {
	f, err := t.file(a[0])
	if err != 0 {
		return 0, err
	}
	n := f.Inode
	if !n.IsDir() {
		return 0, abi.ENOTDIR
	}
	type ent struct {
		name string
		n    *fs.Inode
	}
	ents := []ent{{".", n}, {"..", n.Parent}}
	names := make([]string, 0, len(n.Children))
	for name := range n.Children {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ents = append(ents, ent{name, n.Children[name]})
	}
	if n.List != nil {
		for _, name := range n.List() {
			if c := n.Lookup(name); c != nil && n.Children[name] == nil {
				ents = append(ents, ent{name, c})
			}
		}
	}
	var out []byte
	for f.Off < int64(len(ents)) {
		e := ents[f.Off]
		reclen := (19 + len(e.name) + 1 + 7) &^ 7
		if uint32(len(out)+reclen) > a[2] {
			if len(out) == 0 {
				return 0, abi.EINVAL
			}
			break
		}
		rec := make(le, reclen)
		rec.u64(0, e.n.Ino)
		rec.u64(8, uint64(f.Off+1))
		rec.u16(16, uint16(reclen))
		rec[18] = byte(e.n.Mode >> 12 & 0xf) // DT_* is S_IFMT >> 12
		copy(rec[19:], e.name)
		out = append(out, rec...)
		f.Off++
	}
	return uint32(len(out)), t.copyOut(a[1], out)
}

// fmtDirents shows a getdents64 buffer as strace does without -v:
// the address and the number of entries.
func fmtDirents(d *Decoder, v uint32) trace.Arg {
	b := make([]byte, d.ret)
	if d.t.copyIn(v, b) != 0 {
		return trace.P(v)
	}
	n := 0
	for off := 0; off+18 < len(b); n++ {
		rl := int(b[off+16]) | int(b[off+17])<<8
		if rl == 0 {
			break
		}
		off += rl
	}
	return trace.Arg{Kind: trace.Raw, Value: int64(v), Text: "0x" + hexU(uint64(v)) + " /* " + itoa(uint64(n)) + " entries */"}
}
