package kernel

import (
	"encoding/binary"
	"errors"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
)

// User memory access for system calls: copy_from_user and friends. Any
// fault the address space cannot fix becomes EFAULT.

func memErr(err error) abi.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, mm.ErrNoMemory):
		return abi.ENOMEM
	}
	return abi.EFAULT
}

func (t *Task) copyIn(addr uint32, b []byte) abi.Errno  { return memErr(t.MM.CopyIn(addr, b)) }
func (t *Task) copyOut(addr uint32, b []byte) abi.Errno { return memErr(t.MM.CopyOut(addr, b)) }

func (t *Task) readU32(addr uint32) (uint32, abi.Errno) {
	var b [4]byte
	if err := t.copyIn(addr, b[:]); err != 0 {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), 0
}

func (t *Task) writeU32(addr, v uint32) abi.Errno {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return t.copyOut(addr, b[:])
}

func (t *Task) writeU64(addr uint32, v uint64) abi.Errno {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return t.copyOut(addr, b[:])
}

// pathMax is PATH_MAX.
const pathMax = 4096

// readPath reads a path argument: EFAULT for a bad pointer, ENAMETOOLONG
// past PATH_MAX, ENOENT for "".
func (t *Task) readPath(addr uint32, emptyOK bool) (string, abi.Errno) {
	s, ok, err := t.MM.ReadString(addr, pathMax)
	if err != nil {
		return "", abi.EFAULT
	}
	if !ok {
		return "", abi.ENAMETOOLONG
	}
	if s == "" && !emptyOK {
		return "", abi.ENOENT
	}
	return s, 0
}

// le is a little builder for the structures syscalls copy out.
type le []byte

func (b le) u16(off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }
func (b le) u32(off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
func (b le) u64(off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }
