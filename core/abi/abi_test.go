package abi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrno(t *testing.T) {
	require.Equal(t, "ENOENT", ENOENT.Name())
	require.Equal(t, "No such file or directory", ENOENT.Error())
	require.Equal(t, "EAGAIN", EAGAIN.Name())
	require.Equal(t, "E999", Errno(999).Name())
	require.Equal(t, "Unknown error 999", Errno(999).Error())
}

func TestFlags(t *testing.T) {
	require.Equal(t, "PROT_NONE", Prot.Format(0))
	require.Equal(t, "PROT_READ|PROT_WRITE", Prot.Format(3))
	require.Equal(t, "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS", MapFlags.Format(0x32))
	require.Equal(t, "MAP_SHARED|0x80000000", MapFlags.Format(0x80000001))
	require.Equal(t, "O_RDONLY", OpenFlags(0))
	require.Equal(t, "O_WRONLY|O_CREAT|O_TRUNC", OpenFlags(01101))
	require.Equal(t, "O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_CLOEXEC|O_DIRECTORY", OpenFlags(O_NONBLOCK|O_LARGEFILE|O_CLOEXEC|O_DIRECTORY))
	require.Equal(t, "SEEK_END", Whence.Format(2))
	require.Equal(t, "7", Whence.Format(7))
	require.Equal(t, "S_IFCHR|0620", FileMode(S_IFCHR|0620))
	require.Equal(t, "S_IFDIR|01777", FileMode(S_IFDIR|01777))
	require.Equal(t, "S_IFREG|000", FileMode(S_IFREG))
	require.Equal(t, "SIGSEGV", SignalName(11))
	require.Equal(t, "SIGRT_2", SignalName(34))
}
