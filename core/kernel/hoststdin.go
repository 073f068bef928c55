package kernel

import (
	"io"
	"sync"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
)

// A live host pipe on stdin (Config.LiveStdin, the CLI's `producer |
// trapdoor run ...`): a goroutine copies it into a buffer, and a read
// that finds the buffer empty sleeps on a wait queue, so only the reader
// waits for the host while other processes run. The scheduler takes
// what arrived at each scheduling point, as for the terminal.
type hostStream struct {
	k *Kernel

	mu  sync.Mutex
	in  []byte
	end bool // the host stream ended (EOF or an error)

	// Kernel side.
	buf  []byte
	eof  bool
	wait waitQueue
}

// hostNotify is the kernel's doorbell for host input (terminal keys,
// pipe data): the scheduler waits on it when only input can help.
func (k *Kernel) hostBell() chan struct{} {
	if k.hostNotify == nil {
		k.hostNotify = make(chan struct{}, 1)
	}
	return k.hostNotify
}

func (k *Kernel) ring() {
	select {
	case k.hostBell() <- struct{}{}:
	default:
	}
}

func (k *Kernel) startHostStream(r io.Reader) *hostStream {
	h := &hostStream{k: k}
	bell := k.hostBell()
	go func() {
		b := make([]byte, 64<<10)
		for {
			n, err := r.Read(b)
			h.mu.Lock()
			h.in = append(h.in, b[:n]...)
			h.end = err != nil
			h.mu.Unlock()
			select {
			case bell <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return h
}

// pull takes what arrived; it reports whether anything did.
func (h *hostStream) pull() bool {
	h.mu.Lock()
	in, end := h.in, h.end
	h.in = nil
	h.mu.Unlock()
	got := len(in) > 0 || end && !h.eof
	h.buf = append(h.buf, in...)
	h.eof = end
	if got {
		h.wait.wakeAll(h.k)
		h.k.pollWait.wakeAll(h.k)
	}
	return got
}

// open says whether more may arrive.
func (h *hostStream) open() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.end || len(h.in) > 0
}

func (h *hostStream) Read(f *fs.File, p []byte) (int, abi.Errno) {
	h.pull()
	if len(p) == 0 {
		return 0, 0
	}
	if len(h.buf) > 0 {
		n := copy(p, h.buf)
		h.buf = h.buf[n:]
		if len(h.buf) == 0 {
			h.buf = nil
		}
		return n, 0
	}
	if h.eof {
		return 0, 0
	}
	if f.Flags&abi.O_NONBLOCK != 0 {
		return 0, abi.EAGAIN
	}
	return 0, h.k.cur.sleepOn(&h.wait, 0, errRestartSys)
}

func (h *hostStream) Write(f *fs.File, p []byte) (int, abi.Errno) { return 0, abi.EBADF }

func (h *hostStream) Lseek(f *fs.File, off int64, whence int) (int64, abi.Errno) {
	return 0, abi.ESPIPE
}

// pollEvents: readable with data, POLLHUP once the writer is gone.
func (h *hostStream) pollEvents() uint32 {
	h.pull()
	var ev uint32
	if len(h.buf) > 0 {
		ev |= pollIn
	}
	if h.eof {
		ev |= pollHup
	}
	return ev
}
