package fs

import "trapdoor/core/abi"

// File is an open file description: shared by every descriptor that
// dup or fork makes from it.
type File struct {
	Inode *Inode
	Flags uint32 // O_* status flags and access mode
	Off   int64
	Path  string // the path it was opened by (for /proc/PID/fd)
	// Refs counts the descriptors pointing at this description (dup and
	// fork share it); when the last one closes, a Releaser device is told.
	Refs int

	gen []byte // snapshot of a generated file, taken at the first read
	got bool
}

// data is what a regular file holds for this description.
func (f *File) data() []byte {
	if f.Inode.Generate == nil {
		return f.Inode.Data
	}
	if !f.got {
		f.gen, f.got = f.Inode.Generate(), true
	}
	return f.gen
}

// Readable and Writable check the access mode.
func (f *File) Readable() bool { return f.Flags&abi.O_ACCMODE != abi.O_WRONLY }
func (f *File) Writable() bool { return f.Flags&abi.O_ACCMODE != abi.O_RDONLY }

// ReadAt reads without moving the offset (pread), or at the offset.
func (f *File) readAt(p []byte, off int64) (int, abi.Errno) {
	n := f.Inode
	switch {
	case n.Dev != nil:
		return n.Dev.Read(f, p)
	case n.IsDir():
		return 0, abi.EISDIR
	case n.IsReg():
		d := f.data()
		if off >= int64(len(d)) {
			return 0, 0
		}
		return copy(p, d[off:]), 0
	}
	return 0, abi.EINVAL
}

// Read is read(2) on this description.
func (f *File) Read(p []byte) (int, abi.Errno) {
	if !f.Readable() {
		return 0, abi.EBADF
	}
	c, err := f.readAt(p, f.Off)
	if err == 0 && f.Inode.Dev == nil {
		f.Off += int64(c)
	}
	return c, err
}

// Pread is pread64(2).
func (f *File) Pread(p []byte, off int64) (int, abi.Errno) {
	if !f.Readable() {
		return 0, abi.EBADF
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	return f.readAt(p, off)
}

// maxFileSize bounds in-memory files (the memory cap applies to guest
// frames, not to the kernel's own data).
const maxFileSize = 64 << 20

// Write is write(2) on this description.
func (f *File) Write(p []byte) (int, abi.Errno) {
	if !f.Writable() {
		return 0, abi.EBADF
	}
	n := f.Inode
	switch {
	case n.Dev != nil:
		return n.Dev.Write(f, p)
	case n.IsReg() && n.Generate != nil:
		return 0, abi.EACCES
	case n.IsReg():
		if f.Flags&abi.O_APPEND != 0 {
			f.Off = int64(len(n.Data))
		}
		end := f.Off + int64(len(p))
		if end > maxFileSize {
			return 0, abi.EFBIG
		}
		if end > int64(len(n.Data)) {
			if end > int64(cap(n.Data)) {
				nd := make([]byte, end, end*2)
				copy(nd, n.Data)
				n.Data = nd
			} else {
				n.Data = n.Data[:end]
			}
		}
		copy(n.Data[f.Off:], p)
		f.Off = end
		return len(p), 0
	}
	return 0, abi.EINVAL
}

// Lseek is lseek(2).
func (f *File) Lseek(off int64, whence int) (int64, abi.Errno) {
	n := f.Inode
	if s, ok := n.Dev.(Seeker); ok {
		return s.Lseek(f, off, whence)
	}
	if n.Dev != nil {
		// Character devices such as /dev/null accept any seek and stay at 0.
		return 0, 0
	}
	var base int64
	switch whence {
	case abi.SEEK_SET:
	case abi.SEEK_CUR:
		base = f.Off
	case abi.SEEK_END:
		base = n.Size()
		if n.Generate != nil {
			base = int64(len(f.data()))
		}
	default:
		return 0, abi.EINVAL
	}
	if base+off < 0 {
		return 0, abi.EINVAL
	}
	f.Off = base + off
	return f.Off, 0
}

// Truncate empties a regular file (O_TRUNC).
func (f *File) Truncate() {
	if f.Inode.IsReg() {
		f.Inode.Data = nil
	}
}

// IsTerminal reports whether the file is a terminal.
func (f *File) IsTerminal() bool {
	t, ok := f.Inode.Dev.(Terminal)
	return ok && t.IsTerminal()
}

// Releaser is a device that must know when an open description is
// closed for the last time (a pipe end: EOF and EPIPE depend on it).
type Releaser interface {
	Release(f *File)
}

// Devices.

// Null is /dev/null.
type Null struct{}

func (Null) Read(f *File, p []byte) (int, abi.Errno)  { return 0, 0 }
func (Null) Write(f *File, p []byte) (int, abi.Errno) { return len(p), 0 }

// Zero is /dev/zero.
type Zero struct{}

func (Zero) Read(f *File, p []byte) (int, abi.Errno) {
	clear(p)
	return len(p), 0
}
func (Zero) Write(f *File, p []byte) (int, abi.Errno) { return len(p), 0 }
