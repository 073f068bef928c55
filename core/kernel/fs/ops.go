package fs

import "trapdoor/core/abi"

// Inode operations behind mkdir, rmdir, unlink, rename, link, symlink
// and truncate. Callers resolve paths (ResolveParent) and pass the
// parent directory, the last component and the inode found there, if
// any; these check what Linux's VFS checks after the lookup, in the
// same order, so the errno is the one Linux returns.

// dotName reports "." and "..", the components that are not names
// (LAST_DOT, LAST_DOTDOT).
func dotName(name string) bool { return name == "." || name == ".." }

// writableDir reports whether entries can be added to or removed from
// dir (dynamic directories like /proc cannot be changed).
func writableDir(dir *Inode) abi.Errno {
	if dir.Lookup != nil || dir.Children == nil {
		return abi.EPERM
	}
	return 0
}

// Mkdir creates directory name in dir (n is what is there already).
func (f *FS) Mkdir(dir *Inode, name string, n *Inode, mode uint32) (*Inode, abi.Errno) {
	if n != nil || dotName(name) {
		return nil, abi.EEXIST
	}
	if len(name) > 255 {
		return nil, abi.ENAMETOOLONG
	}
	if e := writableDir(dir); e != 0 {
		return nil, e
	}
	d := f.NewInode(abi.S_IFDIR | mode&07777)
	f.Link(dir, name, d)
	return d, 0
}

// unlink removes dir's entry name, which is n.
func (f *FS) unlink(dir *Inode, name string, n *Inode) {
	delete(dir.Children, name)
	if n.IsDir() {
		dir.Nlink--
		n.Nlink = 0
	} else if n.Nlink > 0 {
		n.Nlink--
	}
	now := f.Now()
	dir.Mtime = now
}

// Rmdir removes the empty directory n, entry name of dir.
func (f *FS) Rmdir(dir *Inode, name string, n *Inode) abi.Errno {
	switch {
	case name == ".":
		return abi.EINVAL
	case name == "..":
		return abi.ENOTEMPTY
	case n == nil:
		return abi.ENOENT
	case !n.IsDir():
		return abi.ENOTDIR
	case n == f.Root || n.Lookup != nil:
		return abi.EBUSY
	case len(n.Children) != 0:
		return abi.ENOTEMPTY
	}
	if e := writableDir(dir); e != 0 {
		return e
	}
	f.unlink(dir, name, n)
	return 0
}

// Unlink removes the non-directory n, entry name of dir.
func (f *FS) Unlink(dir *Inode, name string, n *Inode) abi.Errno {
	switch {
	case dotName(name):
		return abi.EISDIR
	case n == nil:
		return abi.ENOENT
	case n.IsDir():
		return abi.EISDIR
	}
	if e := writableDir(dir); e != 0 {
		return e
	}
	f.unlink(dir, name, n)
	return 0
}

// HardLink adds entry name in dir for the existing inode old (link).
func (f *FS) HardLink(old, dir *Inode, name string, n *Inode) abi.Errno {
	if n != nil || dotName(name) {
		return abi.EEXIST
	}
	if len(name) > 255 {
		return abi.ENAMETOOLONG
	}
	if old.IsDir() {
		return abi.EPERM
	}
	if e := writableDir(dir); e != 0 {
		return e
	}
	dir.Children[name] = old
	old.Nlink++
	dir.Mtime = f.Now()
	return 0
}

// SymlinkAt creates a symbolic link name in dir pointing at target.
func (f *FS) SymlinkAt(dir *Inode, name string, n *Inode, target string) (*Inode, abi.Errno) {
	if n != nil || dotName(name) {
		return nil, abi.EEXIST
	}
	if len(name) > 255 {
		return nil, abi.ENAMETOOLONG
	}
	if e := writableDir(dir); e != 0 {
		return nil, e
	}
	l := f.NewInode(abi.S_IFLNK | 0777)
	l.Target = target
	f.Link(dir, name, l)
	return l, 0
}

// isAncestor reports whether a is d or one of d's ancestors.
func (f *FS) isAncestor(a, d *Inode) bool {
	for {
		if d == a {
			return true
		}
		if d == f.Root || d.Parent == nil || d.Parent == d {
			return false
		}
		d = d.Parent
	}
}

// Rename flags.
const (
	RenameNoreplace = 1
	RenameExchange  = 2
	RenameWhiteout  = 4
)

// Rename moves entry oldName of oldDir (inode old) to newName of newDir
// (inode n, replaced, if it exists). The trailing-slash checks on the
// paths are the caller's (they need the paths).
func (f *FS) Rename(oldDir *Inode, oldName string, old *Inode, newDir *Inode, newName string, n *Inode, flags uint32) abi.Errno {
	if dotName(oldName) {
		return abi.EBUSY
	}
	if old == nil {
		return abi.ENOENT
	}
	if dotName(newName) {
		if flags&RenameNoreplace != 0 {
			return abi.EEXIST
		}
		return abi.EBUSY
	}
	if n != nil && flags&RenameNoreplace != 0 {
		return abi.EEXIST
	}
	if len(newName) > 255 {
		return abi.ENAMETOOLONG
	}
	// Moving a directory under itself.
	if old.IsDir() && f.isAncestor(old, newDir) {
		return abi.EINVAL
	}
	// Replacing an ancestor of the source.
	if n != nil && n.IsDir() && f.isAncestor(n, oldDir) {
		return abi.ENOTEMPTY
	}
	if n == old {
		return 0 // the same file (or hard links of it): nothing to do
	}
	if n != nil {
		if old.IsDir() && !n.IsDir() {
			return abi.ENOTDIR
		}
		if !old.IsDir() && n.IsDir() {
			return abi.EISDIR
		}
	}
	if e := writableDir(oldDir); e != 0 {
		return e
	}
	if e := writableDir(newDir); e != 0 {
		return e
	}
	if old == f.Root || old.Lookup != nil || (n != nil && (n == f.Root || n.Lookup != nil)) {
		return abi.EBUSY
	}
	if n != nil && n.IsDir() && len(n.Children) != 0 {
		return abi.ENOTEMPTY
	}
	if n != nil {
		f.unlink(newDir, newName, n)
	}
	delete(oldDir.Children, oldName)
	newDir.Children[newName] = old
	if old.IsDir() {
		oldDir.Nlink--
		newDir.Nlink++
		old.Parent = newDir
	}
	now := f.Now()
	oldDir.Mtime, newDir.Mtime = now, now
	return 0
}

// MaxFileSize is the largest regular file (in memory).
const MaxFileSize = maxFileSize

// Truncate sets a regular file's size, zero-filling growth.
func (f *FS) Truncate(n *Inode, size int64) abi.Errno {
	if n.IsDir() {
		return abi.EISDIR
	}
	if !n.IsReg() || n.Generate != nil {
		return abi.EINVAL
	}
	if size > maxFileSize {
		return abi.EFBIG
	}
	if size <= int64(len(n.Data)) {
		// Clear the cut part so that growing again reads zeros.
		tail := n.Data[size:]
		for i := range tail {
			tail[i] = 0
		}
		n.Data = n.Data[:size]
	} else if size <= int64(cap(n.Data)) {
		n.Data = n.Data[:size]
	} else {
		nd := make([]byte, size)
		copy(nd, n.Data)
		n.Data = nd
	}
	n.Mtime = f.Now()
	return 0
}
