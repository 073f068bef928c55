package fs

import (
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/abi"
)

func TestResolve(t *testing.T) {
	f := New()
	hello := f.WriteFile("/bin/hello", []byte("ELF"), 0755)
	f.Symlink("/usr/bin", "/bin")
	f.Symlink("/loop", "/loop")
	f.Symlink("/rel/link", "../bin/hello")
	f.Mknod("/dev/null", 0666, 1<<8|3, Null{})

	for _, p := range []string{"/bin/hello", "//bin/./hello", "/usr/bin/hello", "/bin/../bin/hello", "/rel/link", "/../bin/hello"} {
		n, err := f.Resolve(nil, p, true)
		require.Zero(t, err, p)
		require.Same(t, hello, n, p)
	}
	bin, _ := f.Resolve(nil, "/bin", true)
	n, err := f.Resolve(bin, "hello", true)
	require.Zero(t, err)
	require.Same(t, hello, n)

	link, err := f.Resolve(nil, "/rel/link", false)
	require.Zero(t, err)
	require.True(t, link.IsSymlink())
	require.Equal(t, "../bin/hello", link.LinkTarget())

	// lstat("/usr/bin/.") and lstat("/usr/bin/") name the directory the
	// link points to, as on Linux; "/bin/hello/." needs a directory.
	for _, p := range []string{"/usr/bin/.", "/usr/bin/"} {
		n, err := f.Resolve(nil, p, false)
		require.Zero(t, err, p)
		require.Same(t, bin, n, p)
	}
	_, err = f.Resolve(nil, "/bin/hello/.", false)
	require.Equal(t, abi.ENOTDIR, err)

	cases := map[string]abi.Errno{
		"/nope":         abi.ENOENT,
		"/nope/x":       abi.ENOENT,
		"/bin/hello/x":  abi.ENOTDIR,
		"/bin/hello/":   abi.ENOTDIR,
		"/loop":         abi.ELOOP,
		"":              abi.ENOENT,
		"/dev/null/../": abi.ENOTDIR,
	}
	for p, want := range cases {
		_, err := f.Resolve(nil, p, true)
		require.Equal(t, want, err, p)
	}
	dir, name, existing, err := f.ResolveParent(nil, "/bin/new")
	require.Equal(t, abi.ENOENT, err)
	require.Same(t, bin, dir)
	require.Equal(t, "new", name)
	require.Nil(t, existing)
}

func TestFileIO(t *testing.T) {
	f := New()
	dir := f.MkdirAll("/tmp", 01777)
	n, err := f.Create(dir, "a", 0644)
	require.Zero(t, err)
	w := &File{Inode: n, Flags: abi.O_WRONLY}
	c, err := w.Write([]byte("hello"))
	require.Zero(t, err)
	require.Equal(t, 5, c)
	off, err := w.Lseek(10, abi.SEEK_SET)
	require.Zero(t, err)
	require.Equal(t, int64(10), off)
	w.Write([]byte("!"))
	require.Equal(t, "hello\x00\x00\x00\x00\x00!", string(n.Data), "a hole reads as zeros")
	_, err = w.Read(make([]byte, 1))
	require.Equal(t, abi.EBADF, err)

	r := &File{Inode: n, Flags: abi.O_RDONLY}
	buf := make([]byte, 4)
	c, _ = r.Read(buf)
	require.Equal(t, "hell", string(buf[:c]))
	c, _ = r.Pread(buf, 9)
	require.Equal(t, "\x00!", string(buf[:c]))
	require.Equal(t, int64(4), r.Off, "pread leaves the offset")
	_, err = r.Write([]byte("x"))
	require.Equal(t, abi.EBADF, err)
	_, err = r.Lseek(-100, abi.SEEK_CUR)
	require.Equal(t, abi.EINVAL, err)
	off, _ = r.Lseek(-1, abi.SEEK_END)
	require.Equal(t, int64(10), off)

	a := &File{Inode: n, Flags: abi.O_WRONLY | abi.O_APPEND}
	a.Write([]byte("?"))
	require.Equal(t, byte('?'), n.Data[11])
	a.Truncate()
	require.Zero(t, n.Size())

	null := &File{Inode: f.Mknod("/dev/null", 0666, 0x103, Null{}), Flags: abi.O_RDWR}
	c, _ = null.Read(buf)
	require.Zero(t, c)
	c, _ = null.Write(buf)
	require.Equal(t, 4, c)
	zero := &File{Inode: f.Mknod("/dev/zero", 0666, 0x105, Zero{}), Flags: abi.O_RDONLY}
	buf[0] = 1
	c, _ = zero.Read(buf)
	require.Equal(t, []byte{0, 0, 0, 0}, buf[:c])
	d := &File{Inode: dir, Flags: abi.O_RDONLY}
	_, err = d.Read(buf)
	require.Equal(t, abi.EISDIR, err)
}
