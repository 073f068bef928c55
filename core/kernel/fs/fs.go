// Package fs is the kernel's in-memory file system: an inode tree with
// directories, regular files held in memory, symbolic links (static or
// computed, for /proc), and character devices. Open files are shared
// descriptions with an offset and status flags, as Linux's struct file,
// so dup and fork can share them later.
package fs

import (
	"strings"
	"sync/atomic"

	"trapdoor/core/abi"
)

// Device is the driver behind a character-device inode.
type Device interface {
	Read(f *File, p []byte) (int, abi.Errno)
	Write(f *File, p []byte) (int, abi.Errno)
}

// Seeker is implemented by devices with their own lseek (pipes and
// terminals refuse it with ESPIPE).
type Seeker interface {
	Lseek(f *File, off int64, whence int) (int64, abi.Errno)
}

// Terminal is implemented by devices that are terminals (ioctl TCGETS).
type Terminal interface {
	IsTerminal() bool
}

// Inode is a file of any type.
type Inode struct {
	Ino   uint64
	Mode  uint32 // S_IF* | permissions
	Nlink uint32
	UID   uint32
	GID   uint32
	Rdev  uint32 // device number (major<<8 | minor, old encoding)
	Mtime int64  // nanoseconds since the epoch

	Data []byte // regular files
	// Generate computes a regular file's contents when it is opened
	// (/proc files); the open file reads that snapshot.
	Generate func() []byte
	Target   string            // symbolic links
	Readlink func() string     // computed symbolic links (/proc/self)
	Children map[string]*Inode // directories
	Parent   *Inode            // directories
	// Lookup resolves names not in Children (dynamic directories such
	// as /proc).
	Lookup func(name string) *Inode
	// List names the entries Lookup resolves, so that getdents shows
	// them (the pid directories of /proc).
	List func() []string
	Dev  Device
}

// IsDir and friends test the file type.
func (n *Inode) IsDir() bool     { return n.Mode&abi.S_IFMT == abi.S_IFDIR }
func (n *Inode) IsReg() bool     { return n.Mode&abi.S_IFMT == abi.S_IFREG }
func (n *Inode) IsSymlink() bool { return n.Mode&abi.S_IFMT == abi.S_IFLNK }

// Size is st_size.
func (n *Inode) Size() int64 {
	switch {
	case n.IsReg():
		return int64(len(n.Data))
	case n.IsSymlink():
		return int64(len(n.LinkTarget()))
	case n.IsDir():
		return 4096
	}
	return 0
}

// LinkTarget is a symbolic link's contents.
func (n *Inode) LinkTarget() string {
	if n.Readlink != nil {
		return n.Readlink()
	}
	return n.Target
}

// FS is one file system tree.
type FS struct {
	Root *Inode
	ino  atomic.Uint64
	// Now gives the time stamped on changed files (the kernel's clock).
	Now func() int64
}

// New returns a file system with an empty root directory.
func New() *FS {
	f := &FS{Now: func() int64 { return 0 }}
	f.Root = f.NewInode(abi.S_IFDIR | 0755)
	f.Root.Parent = f.Root
	return f
}

// NewInode makes an unattached inode.
func (f *FS) NewInode(mode uint32) *Inode {
	n := &Inode{Ino: f.ino.Add(1), Mode: mode, Nlink: 1, Mtime: f.Now()}
	if n.IsDir() {
		n.Children = map[string]*Inode{}
		n.Nlink = 2
	}
	return n
}

// Link puts n into directory dir under name.
func (f *FS) Link(dir *Inode, name string, n *Inode) {
	dir.Children[name] = n
	if n.IsDir() {
		n.Parent = dir
		dir.Nlink++
	}
	dir.Mtime = f.Now()
}

const maxSymlinks = 40

// Resolve walks path from cwd (absolute paths from the root), following
// symbolic links, the last one only if follow is set.
func (f *FS) Resolve(cwd *Inode, path string, follow bool) (*Inode, abi.Errno) {
	n, _, _, err := f.resolve(cwd, path, follow, 0)
	return n, err
}

// ResolveParent returns the directory that would hold path's last
// component, the component, and the inode if it exists (nil otherwise).
func (f *FS) ResolveParent(cwd *Inode, path string) (dir *Inode, name string, n *Inode, err abi.Errno) {
	n, dir, name, err = f.resolve(cwd, path, false, 0)
	return dir, name, n, err
}

func (f *FS) resolve(cwd *Inode, path string, follow bool, depth int) (*Inode, *Inode, string, abi.Errno) {
	if path == "" {
		return nil, nil, "", abi.ENOENT
	}
	if len(path) >= 4096 {
		return nil, nil, "", abi.ENAMETOOLONG
	}
	dir := cwd
	if strings.HasPrefix(path, "/") || dir == nil {
		dir = f.Root
	}
	parts := strings.Split(path, "/")
	// Drop empty components but remember a trailing slash: it requires a
	// directory and follows a final symlink.
	// A final "." works the same way: "link/." names the directory the
	// link points to, even for lstat.
	trailing := strings.HasSuffix(path, "/") || path == "." || strings.HasSuffix(path, "/.")
	var comps []string
	for _, p := range parts {
		if p != "" && p != "." {
			comps = append(comps, p)
		}
	}
	if len(comps) == 0 {
		return dir, dir, ".", 0
	}
	for i, c := range comps {
		last := i == len(comps)-1
		if !dir.IsDir() {
			return nil, nil, "", abi.ENOTDIR
		}
		if len(c) > 255 {
			return nil, nil, "", abi.ENAMETOOLONG
		}
		var next *Inode
		if c == ".." {
			next = dir.Parent
		} else {
			next = dir.Children[c]
			if next == nil && dir.Lookup != nil {
				next = dir.Lookup(c)
			}
		}
		if next == nil {
			if last {
				return nil, dir, c, abi.ENOENT
			}
			return nil, nil, "", abi.ENOENT
		}
		if next.IsSymlink() && (!last || follow || trailing) {
			if depth >= maxSymlinks {
				return nil, nil, "", abi.ELOOP
			}
			rest := strings.Join(comps[i+1:], "/")
			target := next.LinkTarget()
			if rest != "" {
				target += "/" + rest
			} else if trailing {
				target += "/"
			}
			return f.resolve(dir, target, follow, depth+1)
		}
		if last {
			if trailing && !next.IsDir() {
				return nil, nil, "", abi.ENOTDIR
			}
			return next, dir, c, 0
		}
		dir = next
	}
	return nil, nil, "", abi.ENOENT
}

// MkdirAll creates a directory and its parents (for building the tree).
func (f *FS) MkdirAll(path string, mode uint32) *Inode {
	dir := f.Root
	for _, c := range strings.Split(path, "/") {
		if c == "" {
			continue
		}
		next := dir.Children[c]
		if next == nil {
			next = f.NewInode(abi.S_IFDIR | mode)
			f.Link(dir, c, next)
		}
		dir = next
	}
	return dir
}

// split returns the directory part and the last component of a path.
func split(path string) (string, string) {
	i := strings.LastIndex(path, "/")
	return path[:i+1], path[i+1:]
}

// WriteFile creates (or replaces) a regular file with the given contents.
func (f *FS) WriteFile(path string, data []byte, mode uint32) *Inode {
	d, name := split(path)
	dir := f.MkdirAll(d, 0755)
	n := f.NewInode(abi.S_IFREG | mode&07777)
	n.Data = data
	f.Link(dir, name, n)
	return n
}

// Symlink creates a symbolic link.
func (f *FS) Symlink(path, target string) *Inode {
	d, name := split(path)
	dir := f.MkdirAll(d, 0755)
	n := f.NewInode(abi.S_IFLNK | 0777)
	n.Target = target
	f.Link(dir, name, n)
	return n
}

// Mknod creates a character device.
func (f *FS) Mknod(path string, mode, rdev uint32, dev Device) *Inode {
	d, name := split(path)
	dir := f.MkdirAll(d, 0755)
	n := f.NewInode(abi.S_IFCHR | mode&07777)
	n.Rdev, n.Dev = rdev, dev
	f.Link(dir, name, n)
	return n
}

// Create makes an empty regular file in dir (open with O_CREAT).
func (f *FS) Create(dir *Inode, name string, mode uint32) (*Inode, abi.Errno) {
	if len(name) > 255 {
		return nil, abi.ENAMETOOLONG
	}
	n := f.NewInode(abi.S_IFREG | mode&07777)
	f.Link(dir, name, n)
	return n, 0
}
