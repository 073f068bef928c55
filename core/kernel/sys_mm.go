package kernel

import (
	"errors"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/memory"
	"trapdoor/core/trace"
)

// Memory management: brk, mmap, munmap, mprotect, madvise.
var memoryCalls = []Syscall{
	{Nr: 45, Name: "brk", Fn: sysBrk, Args: []ArgSpec{aPtr}, Ret: RetHex},
	{Nr: 192, Name: "mmap2", Fn: sysMmap2, Args: []ArgSpec{aPtr, aUint, aProt, aMap, aFD, aHex}, Ret: RetHex},
	{Nr: 90, Name: "mmap", Fn: sysOldMmap, Decode: decodeOldMmap, Ret: RetHex},
	{Nr: 91, Name: "munmap", Fn: sysMunmap, Args: []ArgSpec{aPtr, aUint}},
	{Nr: 125, Name: "mprotect", Fn: sysMprotect, Args: []ArgSpec{aPtr, aUint, aProt}},
	{Nr: 163, Name: "mremap", Fn: sysMremap, Args: []ArgSpec{aPtr, aUint, aUint, flags(&mremapFlags), aPtr}, Ret: RetHex,
		Trim: func(d *Decoder, args []trace.Arg) []trace.Arg {
			if d.a[3]&2 == 0 { // the new address only matters with MREMAP_FIXED
				return args[:4]
			}
			return args
		}},
	{Nr: 219, Name: "madvise", Fn: sysMadvise, Args: []ArgSpec{aPtr, aUint, enum(abi.Madvise)}},
}

func sysBrk(t *Task, a *Args) (uint32, abi.Errno) {
	return t.MM.SetBrk(a[0]), 0
}

func mmErr(err error) abi.Errno {
	switch {
	case errors.Is(err, mm.ErrNoMemory):
		return abi.ENOMEM
	case errors.Is(err, mm.ErrFault):
		return abi.EFAULT
	case errors.Is(err, mm.ErrExists):
		return abi.EEXIST
	}
	return abi.EINVAL
}

func sysMmap2(t *Task, a *Args) (uint32, abi.Errno) {
	return t.mmap(a[0], a[1], a[2], a[3], int32(a[4]), uint64(a[5])*memory.PageSize)
}

// Old mmap (90) takes a pointer to its six arguments; the offset is in
// bytes and must be page aligned.
func sysOldMmap(t *Task, a *Args) (uint32, abi.Errno) {
	var b [24]byte
	if err := t.copyIn(a[0], b[:]); err != 0 {
		return 0, err
	}
	w := le(b[:])
	get := func(i int) uint32 {
		return uint32(w[i*4]) | uint32(w[i*4+1])<<8 | uint32(w[i*4+2])<<16 | uint32(w[i*4+3])<<24
	}
	if get(5)&memory.PageMask != 0 {
		return 0, abi.EINVAL
	}
	return t.mmap(get(0), get(1), get(2), get(3), int32(get(4)), uint64(get(5)))
}

func decodeOldMmap(d *Decoder) []trace.Arg {
	w, ok := d.words(d.a[0], 6)
	if !ok {
		return []trace.Arg{trace.P(d.a[0])}
	}
	return []trace.Arg{trace.P(w[0]), trace.U(uint64(w[1])), trace.Sym(uint64(w[2]), abi.Prot.Format(uint64(w[2]))),
		trace.Sym(uint64(w[3]), abi.MapFlags.Format(uint64(w[3]))), trace.I(int64(int32(w[4]))), trace.X(uint64(w[5]))}
}

const protMask = abi.PROT_READ | abi.PROT_WRITE | abi.PROT_EXEC | abi.PROT_GROWSDOWN | abi.PROT_GROWSUP

func (t *Task) mmap(addr, length, prot, flags uint32, fd int32, off uint64) (uint32, abi.Errno) {
	if length == 0 || prot&^protMask != 0 {
		return 0, abi.EINVAL
	}
	if uint64(length)+memory.PageMask > mm.TaskSize {
		return 0, abi.ENOMEM
	}
	typ := flags & abi.MAP_TYPE
	if typ != abi.MAP_PRIVATE && typ != abi.MAP_SHARED && typ != abi.MAP_SHARED_VALIDATE {
		return 0, abi.EINVAL
	}
	fixed := flags&(abi.MAP_FIXED|abi.MAP_FIXED_NOREPLACE) != 0
	if fixed && addr&memory.PageMask != 0 {
		return 0, abi.EINVAL
	}
	if fixed && addr < mm.MinAddr {
		return 0, abi.EPERM // below mmap_min_addr
	}
	if flags&abi.MAP_FIXED_NOREPLACE != 0 && flags&abi.MAP_FIXED == 0 {
		end := addr + uint32((uint64(length)+memory.PageMask)&^memory.PageMask)
		for a := addr; a < end; a += memory.PageSize {
			if t.MM.Find(a) != nil {
				return 0, abi.EEXIST
			}
		}
	}
	var data []byte
	name := ""
	kind := mm.KindAnon
	if flags&abi.MAP_ANONYMOUS == 0 {
		f, err := t.Files.Get(fd)
		if err != 0 {
			return 0, err
		}
		if !f.Inode.IsReg() {
			return 0, abi.ENODEV
		}
		if !f.Readable() || typ != abi.MAP_PRIVATE && prot&abi.PROT_WRITE != 0 && !f.Writable() {
			return 0, abi.EACCES
		}
		if typ != abi.MAP_PRIVATE && prot&abi.PROT_WRITE != 0 {
			// Writing through to the file is not implemented.
			return 0, abi.ENOSYS
		}
		if off&memory.PageMask != 0 {
			return 0, abi.EINVAL
		}
		if size := uint64(len(f.Inode.Data)); off < size {
			data = f.Inode.Data[off:]
			if uint64(len(data)) > uint64(length) {
				data = data[:length]
			}
		}
		name, kind = f.Path, mm.KindFile
	}
	vf := flags & (abi.MAP_TYPE | abi.MAP_ANONYMOUS | abi.MAP_GROWSDOWN)
	start, err := t.MM.Map(addr, length, prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC), vf, kind, name, fixed)
	if err != nil {
		return 0, mmErr(err)
	}
	if kind == mm.KindFile {
		if v := t.MM.Find(start); v != nil {
			v.Offset = uint32(off)
		}
		// A private file mapping starts as a copy of the file's pages.
		if err := t.MM.Poke(start, data); err != nil {
			t.MM.Unmap(start, length)
			return 0, mmErr(err)
		}
	}
	return start, 0
}

func sysMunmap(t *Task, a *Args) (uint32, abi.Errno) {
	if err := t.MM.Unmap(a[0], a[1]); err != nil {
		return 0, mmErr(err)
	}
	return 0, 0
}

func sysMprotect(t *Task, a *Args) (uint32, abi.Errno) {
	if a[2]&^protMask != 0 || a[0]&memory.PageMask != 0 {
		return 0, abi.EINVAL
	}
	if err := t.MM.Protect(a[0], a[1], a[2]&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC)); err != nil {
		return 0, mmErr(err)
	}
	return 0, 0
}

// madvise: MADV_DONTNEED drops private anonymous pages (they read back
// as zeros); other advice is accepted and ignored, as hints may be.
func sysMadvise(t *Task, a *Args) (uint32, abi.Errno) {
	if a[0]&memory.PageMask != 0 {
		return 0, abi.EINVAL
	}
	switch a[2] {
	case 0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 100, 101:
		return 0, 0
	case 4: // MADV_DONTNEED
		end := uint64(a[0]) + (uint64(a[1])+memory.PageMask)&^memory.PageMask
		if end > mm.TaskSize {
			return 0, abi.EINVAL
		}
		for addr := a[0]; uint64(addr) < end; addr += memory.PageSize {
			if t.MM.Find(addr) == nil {
				return 0, abi.ENOMEM
			}
		}
		t.MM.DropRange(a[0], uint32(end-uint64(a[0])))
		return 0, 0
	}
	return 0, abi.EINVAL
}

var mremapFlags = abi.FlagSet{Flags: []abi.Flag{{Name: "MREMAP_MAYMOVE", Value: 1}, {Name: "MREMAP_FIXED", Value: 2}, {Name: "MREMAP_DONTUNMAP", Value: 4}}}

func sysMremap(t *Task, a *Args) (uint32, abi.Errno) {
	fl := a[3]
	if fl&^1 != 0 {
		if fl&^7 != 0 || fl&2 != 0 && fl&1 == 0 {
			return 0, abi.EINVAL
		}
		if fl&4 != 0 {
			return 0, abi.ENOSYS // MREMAP_DONTUNMAP is not implemented
		}
		addr, err := t.MM.RemapFixed(a[0], a[1], a[2], a[4])
		if err != nil {
			return 0, mmErr(err)
		}
		return addr, 0
	}
	addr, err := t.MM.Remap(a[0], a[1], a[2], fl&1 != 0)
	if err != nil {
		return 0, mmErr(err)
	}
	return addr, 0
}
