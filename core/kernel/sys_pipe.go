package kernel

import (
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/trace"
)

// Pipes and I/O multiplexing: pipe, pipe2, poll, ppoll, select, pselect6.
var pipeCalls = []Syscall{
	{Nr: 42, Name: "pipe", Fn: sysPipe, Args: []ArgSpec{out(ifDone(fmtFDPair))}},
	{Nr: 331, Name: "pipe2", Fn: sysPipe2, Args: []ArgSpec{out(ifDone(fmtFDPair)), aOpen}},
	{Nr: 168, Name: "poll", Fn: sysPoll, Args: []ArgSpec{aPtr, aUint, aInt}},
	{Nr: 309, Name: "ppoll", Fn: sysPpoll32, Args: []ArgSpec{aPtr, aUint, in(fmtTimespec32), aPtr, aUint}},
	{Nr: 414, Name: "ppoll_time64", Fn: sysPpoll64, Args: []ArgSpec{aPtr, aUint, in(fmtTimespec64), aPtr, aUint}},
	{Nr: 142, Name: "_newselect", Fn: sysSelect, Args: []ArgSpec{aInt, aPtr, aPtr, aPtr, in(fmtTimeval)}},
	{Nr: 308, Name: "pselect6", Fn: sysPselect32, Args: []ArgSpec{aInt, aPtr, aPtr, aPtr, in(fmtTimespec32), aPtr}},
	{Nr: 413, Name: "pselect6_time64", Fn: sysPselect64, Args: []ArgSpec{aInt, aPtr, aPtr, aPtr, in(fmtTimespec64), aPtr}},
}

// poll events.
const (
	pollIn     = 0x1
	pollPri    = 0x2
	pollOut    = 0x4
	pollErr    = 0x8
	pollHup    = 0x10
	pollNval   = 0x20
	pollRdnorm = 0x40
	pollWrnorm = 0x100
)

func fmtFDPair(d *Decoder, v uint32) trace.Arg {
	w, ok := d.structAt(v, 2)
	if !ok {
		return trace.P(v)
	}
	return trace.Arg{Kind: trace.Array, Elems: []trace.Arg{trace.I(int64(int32(w[0]))), trace.I(int64(int32(w[1])))}}
}

func sysPipe(t *Task, a *Args) (uint32, abi.Errno) { return t.pipe(a[0], 0) }

func sysPipe2(t *Task, a *Args) (uint32, abi.Errno) {
	if a[1]&^(abi.O_CLOEXEC|abi.O_NONBLOCK|abi.O_DIRECT) != 0 {
		return 0, abi.EINVAL
	}
	return t.pipe(a[0], a[1])
}

func (t *Task) pipe(addr, fl uint32) (uint32, abi.Errno) {
	k := t.k
	p := k.newPipe()
	rn := k.FS.NewInode(abi.S_IFIFO | 0600)
	wn := k.FS.NewInode(abi.S_IFIFO | 0600)
	wn.Ino = rn.Ino // one pipe inode, as fstat shows on Linux
	rn.UID, wn.UID = t.Cred.EUID, t.Cred.EUID
	rn.GID, wn.GID = t.Cred.EGID, t.Cred.EGID
	rn.Dev, wn.Dev = p.readEnd, p.writeEnd
	status := fl & abi.O_NONBLOCK
	r := &fs.File{Inode: rn, Flags: abi.O_RDONLY | status}
	w := &fs.File{Inode: wn, Flags: abi.O_WRONLY | status}
	cloexec := fl&abi.O_CLOEXEC != 0
	rfd, err := t.Files.Alloc(r, 0, cloexec)
	if err != 0 {
		return 0, err
	}
	wfd, err := t.Files.Alloc(w, 0, cloexec)
	if err != 0 {
		t.Files.Close(int32(rfd))
		return 0, err
	}
	b := make(le, 8)
	b.u32(0, uint32(rfd))
	b.u32(4, uint32(wfd))
	if err := t.copyOut(addr, b); err != 0 {
		t.Files.Close(int32(rfd))
		t.Files.Close(int32(wfd))
		return 0, err
	}
	return 0, 0
}

// readiness is what poll reports for an open file. Pipes know; the
// console and files are always ready (a console read may still wait for
// the host).
func readiness(f *fs.File) uint32 {
	if e, ok := f.Inode.Dev.(*pipeEnd); ok {
		ev := e.poll()
		if ev&pollIn != 0 {
			ev |= pollRdnorm
		}
		if ev&pollOut != 0 {
			ev |= pollWrnorm
		}
		return ev
	}
	if p, ok := f.Inode.Dev.(interface{ pollEvents() uint32 }); ok {
		// The terminal and a live host pipe know too.
		ev := p.pollEvents()
		if ev&pollIn != 0 {
			ev |= pollRdnorm
		}
		if ev&pollOut != 0 {
			ev |= pollWrnorm
		}
		return ev
	}
	var ev uint32
	if f.Readable() {
		ev |= pollIn | pollRdnorm
	}
	if f.Writable() {
		ev |= pollOut | pollWrnorm
	}
	return ev
}

// waitReady blocks a poll or select that found nothing ready: until a
// pipe changes or the timeout (ns, -1 for none, kept across restarts)
// passes. done reports that the timeout has expired.
func (t *Task) waitReady(timeout int64) (done bool, err abi.Errno) {
	if timeout == 0 {
		return true, 0
	}
	now := t.k.clock.monotonicNS()
	if timeout > 0 && t.rs.deadline == 0 {
		t.rs.deadline = now + timeout
	}
	if t.rs.deadline != 0 && now >= t.rs.deadline {
		return true, 0
	}
	return false, t.sleepOn(&t.k.pollWait, t.rs.deadline, errRestartNoHand)
}

func (t *Task) poll(fdsAddr, nfds uint32, timeout int64) (uint32, abi.Errno) {
	if uint64(nfds) > t.rlimits[abi.RLIMIT_NOFILE].cur {
		return 0, abi.EINVAL
	}
	b := make(le, 8*nfds)
	if err := t.copyIn(fdsAddr, b); err != 0 {
		return 0, err
	}
	count := uint32(0)
	for i := uint32(0); i < nfds; i++ {
		e := b[8*i:]
		fd := int32(binary.LittleEndian.Uint32(e))
		events := uint32(binary.LittleEndian.Uint16(e[4:]))
		var rev uint32
		if fd >= 0 {
			if f, err := t.Files.Get(fd); err != 0 {
				rev = pollNval
			} else {
				rev = readiness(f) & (events | pollErr | pollHup)
			}
		}
		b.u16(8*int(i)+6, uint16(rev))
		if rev != 0 {
			count++
		}
	}
	if count == 0 {
		done, err := t.waitReady(timeout)
		if !done {
			return 0, err
		}
	}
	return count, t.copyOut(fdsAddr, b)
}

func sysPoll(t *Task, a *Args) (uint32, abi.Errno) {
	timeout := int64(int32(a[2]))
	if timeout > 0 {
		timeout *= 1e6
	}
	return t.poll(a[0], a[1], timeout)
}

// sigmaskArg refuses a temporary signal mask (ppoll's and pselect6's):
// not implemented yet.
func sigmaskArg(ptr uint32) abi.Errno {
	if ptr != 0 {
		return abi.ENOSYS
	}
	return 0
}

func (t *Task) ppoll(a *Args, wide bool) (uint32, abi.Errno) {
	if err := sigmaskArg(a[3]); err != 0 {
		return 0, err
	}
	timeout := int64(-1)
	if a[2] != 0 {
		var err abi.Errno
		if timeout, err = t.getTimespec(a[2], wide); err != 0 {
			return 0, err
		}
	}
	return t.poll(a[0], a[1], timeout)
}

func sysPpoll32(t *Task, a *Args) (uint32, abi.Errno) { return t.ppoll(a, false) }
func sysPpoll64(t *Task, a *Args) (uint32, abi.Errno) { return t.ppoll(a, true) }

// sel implements select on fd_set bitmaps.
func (t *Task) sel(n int32, sets [3]uint32, timeout int64) (uint32, abi.Errno) {
	if n < 0 || int64(n) > int64(t.rlimits[abi.RLIMIT_NOFILE].cur) {
		return 0, abi.EINVAL
	}
	words := (uint32(n) + 31) / 32
	var in, out [3]le
	for i, addr := range sets {
		if addr == 0 {
			continue
		}
		in[i] = make(le, 4*words)
		if err := t.copyIn(addr, in[i]); err != 0 {
			return 0, err
		}
		out[i] = make(le, 4*words)
	}
	want := [3]uint32{pollIn | pollHup | pollErr, pollOut | pollErr, pollPri}
	count := uint32(0)
	for fd := int32(0); fd < n; fd++ {
		w, bit := fd/32, uint32(1)<<(fd%32)
		var asked bool
		for i := range in {
			if in[i] != nil && binary.LittleEndian.Uint32(in[i][4*w:])&bit != 0 {
				asked = true
			}
		}
		if !asked {
			continue
		}
		f, err := t.Files.Get(fd)
		if err != 0 {
			return 0, abi.EBADF
		}
		ready := readiness(f)
		for i := range in {
			if in[i] == nil || binary.LittleEndian.Uint32(in[i][4*w:])&bit == 0 || ready&want[i] == 0 {
				continue
			}
			out[i].u32(int(4*w), binary.LittleEndian.Uint32(out[i][4*w:])|bit)
			count++
		}
	}
	if count == 0 {
		done, err := t.waitReady(timeout)
		if !done {
			return 0, err
		}
	}
	for i, addr := range sets {
		if addr != 0 {
			if err := t.copyOut(addr, out[i]); err != 0 {
				return 0, err
			}
		}
	}
	return count, 0
}

func sysSelect(t *Task, a *Args) (uint32, abi.Errno) {
	timeout := int64(-1)
	if a[4] != 0 {
		var b [8]byte
		if err := t.copyIn(a[4], b[:]); err != 0 {
			return 0, err
		}
		s, us := int64(int32(binary.LittleEndian.Uint32(b[:]))), int64(int32(binary.LittleEndian.Uint32(b[4:])))
		if s < 0 || us < 0 {
			return 0, abi.EINVAL
		}
		timeout = s*1e9 + us*1e3
	}
	return t.sel(int32(a[0]), [3]uint32{a[1], a[2], a[3]}, timeout)
}

func (t *Task) pselect(a *Args, wide bool) (uint32, abi.Errno) {
	if a[5] != 0 {
		mask, err := t.readU32(a[5])
		if err != 0 {
			return 0, err
		}
		if err := sigmaskArg(mask); err != 0 {
			return 0, err
		}
	}
	timeout := int64(-1)
	if a[4] != 0 {
		var err abi.Errno
		if timeout, err = t.getTimespec(a[4], wide); err != 0 {
			return 0, err
		}
	}
	return t.sel(int32(a[0]), [3]uint32{a[1], a[2], a[3]}, timeout)
}

func sysPselect32(t *Task, a *Args) (uint32, abi.Errno) { return t.pselect(a, false) }
func sysPselect64(t *Task, a *Args) (uint32, abi.Errno) { return t.pselect(a, true) }
