package kernel

import (
	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
)

// pipeSize is a pipe's capacity (Linux's default, 16 pages) and
// pipeBuf the size up to which writes are atomic (PIPE_BUF).
const (
	pipeSize = 64 << 10
	pipeBuf  = 4096
)

// pipe is the buffer both ends share.
type pipe struct {
	k                 *Kernel
	buf               []byte
	readers, writers  int // open descriptions of each end
	readWait, wrWait  waitQueue
	inode             *fs.Inode
	readEnd, writeEnd *pipeEnd
}

// pipeEnd is the device behind one end's open description.
type pipeEnd struct {
	p     *pipe
	write bool
}

func (k *Kernel) newPipe() *pipe {
	p := &pipe{k: k, readers: 1, writers: 1}
	p.readEnd, p.writeEnd = &pipeEnd{p: p}, &pipeEnd{p: p, write: true}
	return p
}

// changed wakes everyone who may now make progress, including poll.
func (p *pipe) changed() {
	p.readWait.wakeAll(p.k)
	p.wrWait.wakeAll(p.k)
	p.k.pollWait.wakeAll(p.k)
}

func (e *pipeEnd) Read(f *fs.File, b []byte) (int, abi.Errno) {
	p := e.p
	if e.write {
		return 0, abi.EBADF
	}
	if len(b) == 0 {
		return 0, 0
	}
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		if len(p.buf) == 0 {
			p.buf = nil
		}
		p.changed()
		return n, 0
	}
	if p.writers == 0 {
		return 0, 0 // end of file
	}
	if f.Flags&abi.O_NONBLOCK != 0 {
		return 0, abi.EAGAIN
	}
	return 0, p.k.cur.sleepOn(&p.readWait, 0, errRestartSys)
}

// Write is for writes that do not come from write(2) (writev pieces):
// it stores what fits, all or nothing up to PIPE_BUF.
func (e *pipeEnd) Write(f *fs.File, b []byte) (int, abi.Errno) {
	p := e.p
	t := p.k.cur
	if !e.write {
		return 0, abi.EBADF
	}
	if p.readers == 0 {
		p.k.signalFrom(t, t, abi.SIGPIPE, 0, "SI_USER")
		return 0, abi.EPIPE
	}
	if len(b) == 0 {
		return 0, 0
	}
	room := pipeSize - len(p.buf)
	if room < len(b) && (len(b) <= pipeBuf || room == 0) {
		if f.Flags&abi.O_NONBLOCK != 0 {
			return 0, abi.EAGAIN
		}
		return 0, t.sleepOn(&p.wrWait, 0, errRestartSys)
	}
	n := min(room, len(b))
	p.buf = append(p.buf, b[:n]...)
	p.changed()
	return n, 0
}

// writeFromUser is write(2) on a pipe: a blocking write returns only
// when every byte is in the pipe, waiting for readers as often as
// needed (the bytes already stored are counted in t.rs across
// restarts); writes up to PIPE_BUF are atomic. A handler interrupting a
// partly done write makes it return the count so far.
func (e *pipeEnd) writeFromUser(t *Task, f *fs.File, addr, count uint32) (uint32, abi.Errno) {
	p := e.p
	if p.readers == 0 {
		t.k.signalFrom(t, t, abi.SIGPIPE, 0, "SI_USER")
		if t.rs.progress > 0 {
			return t.rs.progress, 0
		}
		return 0, abi.EPIPE
	}
	done := t.rs.progress
	for done < count {
		room := uint32(pipeSize - len(p.buf))
		left := count - done
		if room == 0 || count <= pipeBuf && room < left {
			if f.Flags&abi.O_NONBLOCK != 0 {
				if done > 0 {
					return done, 0
				}
				return 0, abi.EAGAIN
			}
			t.rs.progress = done
			return 0, t.sleepOn(&p.wrWait, 0, errRestartSys)
		}
		n := min(room, left)
		b := make([]byte, n)
		if err := t.copyIn(addr+done, b); err != 0 {
			if done > 0 {
				return done, 0
			}
			return 0, err
		}
		p.buf = append(p.buf, b...)
		done += n
		p.changed()
	}
	return done, 0
}

func (e *pipeEnd) Lseek(f *fs.File, off int64, whence int) (int64, abi.Errno) {
	return 0, abi.ESPIPE
}

// Release: the last descriptor of an end is closed.
func (e *pipeEnd) Release(f *fs.File) {
	if e.write {
		e.p.writers--
	} else {
		e.p.readers--
	}
	e.p.changed()
}

// poll readiness of an end.
func (e *pipeEnd) poll() uint32 {
	p := e.p
	var ev uint32
	if !e.write {
		if len(p.buf) > 0 {
			ev |= pollIn
		}
		if p.writers == 0 {
			ev |= pollHup
		}
	} else {
		if len(p.buf) < pipeSize {
			ev |= pollOut
		}
		if p.readers == 0 {
			ev |= pollErr
		}
	}
	return ev
}
