package kernel

import (
	"encoding/binary"
	"io"
	"sync"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
)

// The console terminal. When the host's stdin is a terminal (or the host
// drives the console itself, as the browser does), descriptors 0-2 that
// are terminals share one tty with a line discipline in the spirit of
// Linux's n_tty: canonical mode with echo and line editing (erase, kill,
// werase, ^D), noncanonical reads with VMIN/VTIME, ISIG characters that
// signal the foreground process group (^C SIGINT, ^\ SIGQUIT, ^Z
// SIGTSTP), a foreground process group and session (tcsetpgrp) and
// SIGTTIN/SIGTTOU for background jobs. A read with no input blocks only
// the reading task.
//
// Input comes from the host through Kernel.ConsoleInput (any goroutine)
// or, for the CLI, from a goroutine reading Config.Stdin.R; the kernel
// takes it at scheduling points. Output (program writes and echo) goes to
// the stream's writer through the output processing (OPOST/ONLCR).

// termios field offsets and flags (asm-generic/termbits.h, i386).
const (
	tioIflag = 0
	tioOflag = 4
	tioLflag = 12
	tioCC    = 17

	iISTRIP = 0x20
	iINLCR  = 0x40
	iIGNCR  = 0x80
	iICRNL  = 0x100

	oOPOST = 0x1
	oONLCR = 0x4

	lISIG    = 0x1
	lICANON  = 0x2
	lECHO    = 0x8
	lECHOE   = 0x10
	lECHOK   = 0x20
	lECHONL  = 0x40
	lNOFLSH  = 0x80
	lTOSTOP  = 0x100
	lECHOCTL = 0x200
	lECHOKE  = 0x800
	lIEXTEN  = 0x8000

	vINTR   = 0
	vQUIT   = 1
	vERASE  = 2
	vKILL   = 3
	vEOF    = 4
	vTIME   = 5
	vMIN    = 6
	vSUSP   = 10
	vEOL    = 11
	vWERASE = 14
	vLNEXT  = 15
	vEOL2   = 16

	ttyLineMax = 4095 // N_TTY_BUF_SIZE - 1: longer canonical lines are cut
)

// More terminal ioctls than core/abi names.
const (
	ioTCSBRK    = 0x5409
	ioTCXONC    = 0x540A
	ioTCFLSH    = 0x540B
	ioTIOCSCTTY = 0x540E
	ioTIOCOUTQ  = 0x5411
	ioTIOCNOTTY = 0x5422
	ioTIOCGSID  = 0x5429
)

// tty is the console terminal's state.
type tty struct {
	k    *Kernel
	tio  [36]byte
	echo io.Writer // where echo goes: the terminal's screen

	// Host input, appended by any goroutine.
	mu     sync.Mutex
	in     []byte
	hungup bool          // no more input will come
	resize [2]int        // a new size (rows, cols) from the host, 0 for none
	notify chan struct{} // a token when input or a hang-up arrives
	reader bool          // a goroutine copies Config.Stdin.R in

	// The line discipline, touched by the kernel only.
	edit  []byte // the canonical line being typed
	buf   []byte // input a read can take
	ends  []int  // canonical line ends in buf (^D makes one with no byte)
	lnext bool   // the next byte is literal (^V)
	// echoes are held until the end of a batch of input, as n_tty
	// commits them; a signal character's flush drops them.
	echoes []byte
	eof    bool // hung up and taken: reads return 0
	wait   waitQueue
	pgrp   int // foreground process group
	sid    int // session the terminal controls (0: none)
	opened bool
}

func newTTY(k *Kernel) *tty {
	return &tty{k: k, tio: defaultTermios, notify: k.hostBell()}
}

func (tt *tty) iflag() uint32 { return binary.LittleEndian.Uint32(tt.tio[tioIflag:]) }
func (tt *tty) oflag() uint32 { return binary.LittleEndian.Uint32(tt.tio[tioOflag:]) }
func (tt *tty) lflag() uint32 { return binary.LittleEndian.Uint32(tt.tio[tioLflag:]) }
func (tt *tty) cc(i int) byte { return tt.tio[tioCC+i] }

// isCC reports whether c is the (enabled) control character i.
func (tt *tty) isCC(c byte, i int) bool { return c != 0 && tt.cc(i) == c }

// ConsoleInput types bytes on the console terminal, as keys pressed on
// it (safe from any goroutine). Without a terminal console it does
// nothing and reports false.
func (k *Kernel) ConsoleInput(b []byte) bool {
	tt := k.tty
	if tt == nil {
		return false
	}
	tt.mu.Lock()
	tt.in = append(tt.in, b...)
	tt.mu.Unlock()
	tt.poke()
	return true
}

// ConsoleHangup ends the console's input: once what was typed is read,
// reads return 0 (safe from any goroutine).
func (k *Kernel) ConsoleHangup() {
	if tt := k.tty; tt != nil {
		tt.mu.Lock()
		tt.hungup = true
		tt.mu.Unlock()
		tt.poke()
	}
}

// ConsoleResize gives the console terminal a new size (safe from any
// goroutine): TIOCGWINSZ reports it and the foreground process group
// gets SIGWINCH, as when a terminal window is resized.
func (k *Kernel) ConsoleResize(rows, cols int) {
	if tt := k.tty; tt != nil && rows > 0 && cols > 0 && rows < 1<<16 && cols < 1<<16 {
		tt.mu.Lock()
		tt.resize = [2]int{rows, cols}
		tt.mu.Unlock()
		tt.poke()
	}
}

// AwaitingInput reports that every live task is blocked and only console
// input (or a signal it sends) can make progress, or, with
// Config.HostClock, the passing of time (NextTimer): RunFor returns early
// then, and a host should call it again after ConsoleInput or once
// AdvanceClock has made a task runnable (AwaitingInput turns false).
func (k *Kernel) AwaitingInput() bool { return k.idle }

func (tt *tty) poke() {
	select {
	case tt.notify <- struct{}{}:
	default:
	}
}

// readHost copies a host stream into the input (the CLI's terminal).
func (tt *tty) readHost(r io.Reader) {
	tt.reader = true
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			if n > 0 {
				tt.k.ConsoleInput(b[:n])
			}
			if err != nil {
				tt.k.ConsoleHangup()
				return
			}
		}
	}()
}

// open says whether input may still arrive.
func (tt *tty) open() bool {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return !tt.hungup || len(tt.in) > 0
}

// pull runs the line discipline over the input that has arrived. It
// reports whether anything came.
func (tt *tty) pull() bool {
	tt.mu.Lock()
	in, hung, size := tt.in, tt.hungup, tt.resize
	tt.in, tt.resize = nil, [2]int{}
	tt.mu.Unlock()
	if size[0] != 0 {
		tt.setSize(size[0], size[1])
	}
	for _, c := range in {
		tt.receive(c)
	}
	if len(tt.echoes) > 0 && tt.echo != nil {
		tt.echo.Write(tt.opost(tt.echoes))
	}
	tt.echoes = nil
	got := len(in) > 0
	if hung && !tt.eof {
		tt.eof, got = true, true
	}
	if got {
		tt.wakeReaders()
	}
	return got
}

func (tt *tty) wakeReaders() {
	tt.wait.wakeAll(tt.k)
	tt.k.pollWait.wakeAll(tt.k)
}

// setSize changes the window size; a change signals the foreground
// group with SIGWINCH (tty_do_resize).
func (tt *tty) setSize(rows, cols int) {
	k := tt.k
	if k.cfg.Rows == rows && k.cfg.Cols == cols {
		return
	}
	k.cfg.Rows, k.cfg.Cols = rows, cols
	tt.signalPgrp(tt.pgrp, abi.SIGWINCH)
}

// receive is n_tty's per-character input processing.
func (tt *tty) receive(c byte) {
	ifl, lfl := tt.iflag(), tt.lflag()
	if ifl&iISTRIP != 0 {
		c &= 0x7f
	}
	if tt.lnext {
		tt.lnext = false
		tt.store(c, lfl)
		return
	}
	switch {
	case c == '\r' && ifl&iIGNCR != 0:
		return
	case c == '\r' && ifl&iICRNL != 0:
		c = '\n'
	case c == '\n' && ifl&iINLCR != 0:
		c = '\r'
	}
	if lfl&lISIG != 0 {
		for _, s := range []struct {
			cc, sig int
		}{{vINTR, abi.SIGINT}, {vQUIT, abi.SIGQUIT}, {vSUSP, abi.SIGTSTP}} {
			if tt.isCC(c, s.cc) {
				if lfl&lNOFLSH == 0 {
					tt.edit, tt.buf, tt.ends, tt.echoes = nil, nil, nil, nil
				}
				tt.echoCtl(c, lfl)
				tt.signalPgrp(tt.pgrp, s.sig)
				return
			}
		}
	}
	if lfl&lIEXTEN != 0 && tt.isCC(c, vLNEXT) {
		tt.lnext = true
		if lfl&lECHO != 0 && lfl&lECHOCTL != 0 {
			tt.output([]byte("^\b"))
		}
		return
	}
	if lfl&lICANON != 0 {
		switch {
		case tt.isCC(c, vERASE):
			tt.erase(1, lfl)
			return
		case lfl&lIEXTEN != 0 && tt.isCC(c, vWERASE):
			n := len(tt.edit)
			for n > 0 && (tt.edit[n-1] == ' ' || tt.edit[n-1] == '\t') {
				n--
			}
			for n > 0 && tt.edit[n-1] != ' ' && tt.edit[n-1] != '\t' {
				n--
			}
			tt.erase(len(tt.edit)-n, lfl)
			return
		case tt.isCC(c, vKILL):
			if lfl&lECHOK != 0 && lfl&lECHOKE == 0 && lfl&lECHO != 0 {
				tt.echoCtl(c, lfl)
				tt.output([]byte{'\n'})
				tt.edit = nil
				return
			}
			tt.erase(len(tt.edit), lfl)
			return
		case tt.isCC(c, vEOF):
			tt.endLine()
			return
		case c == '\n' || tt.isCC(c, vEOL) || tt.isCC(c, vEOL2):
			if lfl&lECHO != 0 || c == '\n' && lfl&lECHONL != 0 {
				tt.output([]byte{c})
			}
			tt.edit = append(tt.edit, c)
			tt.endLine()
			return
		}
	}
	tt.store(c, lfl)
}

// store keeps an ordinary character (in the line, or ready to read).
func (tt *tty) store(c byte, lfl uint32) {
	if lfl&lICANON != 0 {
		if len(tt.edit) >= ttyLineMax {
			return
		}
		tt.edit = append(tt.edit, c)
	} else {
		tt.buf = append(tt.buf, c)
	}
	if lfl&lECHO != 0 {
		tt.echoCtl(c, lfl)
	}
}

// endLine makes the edited line readable.
func (tt *tty) endLine() {
	tt.buf = append(tt.buf, tt.edit...)
	tt.ends = append(tt.ends, len(tt.buf))
	tt.edit = nil
}

// erase removes n characters from the line being edited, rubbing them
// out on the screen with ECHOE (or ECHOKE for the whole line).
func (tt *tty) erase(n int, lfl uint32) {
	for ; n > 0 && len(tt.edit) > 0; n-- {
		c := tt.edit[len(tt.edit)-1]
		tt.edit = tt.edit[:len(tt.edit)-1]
		if lfl&lECHO == 0 {
			continue
		}
		if lfl&lECHOE == 0 {
			tt.echoCtl(tt.cc(vERASE), lfl)
			continue
		}
		w := 1
		if c < 0x20 && c != '\t' && lfl&lECHOCTL != 0 || c == 0x7f {
			w = 2 // it was echoed as ^X
		}
		for ; w > 0; w-- {
			tt.output([]byte("\b \b"))
		}
	}
}

// echoCtl echoes c, control characters as ^X with ECHOCTL.
func (tt *tty) echoCtl(c byte, lfl uint32) {
	if lfl&lECHO == 0 {
		return
	}
	if lfl&lECHOCTL != 0 && (c < 0x20 && c != '\t' && c != '\n' || c == 0x7f) {
		tt.output([]byte{'^', c ^ 0x40})
		return
	}
	tt.output([]byte{c})
}

// output echoes to the screen (at the end of the input batch).
func (tt *tty) output(b []byte) {
	tt.echoes = append(tt.echoes, b...)
}

// opost applies OPOST|ONLCR (newline becomes CR LF).
func (tt *tty) opost(b []byte) []byte {
	of := tt.oflag()
	if of&oOPOST == 0 || of&oONLCR == 0 {
		return b
	}
	var out []byte
	last := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, b[last:i]...)
			out = append(out, '\r', '\n')
			last = i + 1
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// signalPgrp sends sig to every process of group pgrp, as kill_pgrp
// (si_code SI_KERNEL).
func (tt *tty) signalPgrp(pgrp, sig int) {
	if pgrp <= 0 {
		return
	}
	for _, x := range tt.k.taskList() {
		if x == x.group.leader && x.processAlive() && x.Pgid == pgrp {
			tt.k.signalFromKernel(x, sig)
		}
	}
}

// ignores reports whether t blocks or ignores sig (is_ignored).
func (t *Task) ignores(sig int) bool {
	return t.sig.blocked&sigbit(sig) != 0 || t.sig.actions[sig-1].Handler == sigIGN
}

// checkJob is tty_check_change: a background process of the terminal's
// session that reads (SIGTTIN) or changes it or writes with TOSTOP
// (SIGTTOU) stops its group, unless it ignores the signal (EIO for
// reads, allowed otherwise) or its group is orphaned (EIO).
func (tt *tty) checkJob(t *Task, sig int) abi.Errno {
	if tt.sid == 0 || t.Sid != tt.sid || t.Pgid == tt.pgrp || tt.pgrp == 0 {
		return 0
	}
	if t.ignores(sig) {
		if sig == abi.SIGTTIN {
			return abi.EIO
		}
		return 0
	}
	if tt.k.orphanedPgrp(t.Pgid) {
		return abi.EIO
	}
	tt.signalPgrp(t.Pgid, sig)
	return errRestartSys
}

// orphanedPgrp: no member has a parent in another group of the same
// session (such a group cannot be resumed by job control).
func (k *Kernel) orphanedPgrp(pgrp int) bool {
	for _, x := range k.taskList() {
		if x.alive() && x.Pgid == pgrp {
			if p := x.parent; p != nil && p.alive() && p.Pgid != pgrp && p.Sid == x.Sid {
				return false
			}
		}
	}
	return true
}

// read is a terminal read by the running task.
func (tt *tty) read(f *fs.File, p []byte) (int, abi.Errno) {
	t := tt.k.cur
	if err := tt.checkJob(t, abi.SIGTTIN); err != 0 {
		return 0, err
	}
	tt.pull()
	if len(p) == 0 {
		return 0, 0
	}
	lfl := tt.lflag()
	if lfl&lICANON != 0 {
		if len(tt.ends) > 0 {
			end := tt.ends[0]
			n := copy(p, tt.buf[:end])
			tt.consume(n)
			if n == end {
				tt.ends = tt.ends[1:]
			}
			return n, 0
		}
		if tt.eof {
			return 0, 0
		}
		return 0, tt.block(t, f, 0)
	}
	// Noncanonical: what a line being edited holds becomes readable.
	if len(tt.edit) > 0 {
		tt.buf = append(tt.buf, tt.edit...)
		tt.edit = nil
	}
	vmin, vtime := int(tt.cc(vMIN)), int64(tt.cc(vTIME))*1e8
	now := tt.k.clock.monotonicNS()
	have := len(tt.buf)
	enough := have > 0 && (have >= vmin || have >= len(p))
	switch {
	case vmin == 0 && vtime == 0:
		enough = true
	case vmin == 0 && have > 0:
		enough = true
	case vtime > 0 && have > 0 && t.rs.deadline == 0:
		t.rs.deadline = now + vtime // the inter-byte timer starts
	case vtime > 0 && vmin == 0 && t.rs.deadline == 0:
		t.rs.deadline = now + vtime
	}
	if !enough && (tt.eof || t.rs.deadline != 0 && now >= t.rs.deadline) {
		enough = true
	}
	if !enough {
		return 0, tt.block(t, f, t.rs.deadline)
	}
	n := copy(p, tt.buf)
	tt.consume(n)
	tt.ends = nil
	return n, 0
}

// block waits for input (EAGAIN for O_NONBLOCK).
func (tt *tty) block(t *Task, f *fs.File, deadline int64) abi.Errno {
	if f.Flags&abi.O_NONBLOCK != 0 {
		return abi.EAGAIN
	}
	return t.sleepOn(&tt.wait, deadline, errRestartSys)
}

// consume drops n bytes from the front of buf.
func (tt *tty) consume(n int) {
	tt.buf = tt.buf[n:]
	for i := range tt.ends {
		tt.ends[i] -= n
	}
	if len(tt.buf) == 0 {
		tt.buf = nil
	}
}

// readable is how many bytes a read could take now (FIONREAD, poll).
func (tt *tty) readable() int {
	tt.pull()
	if tt.lflag()&lICANON != 0 {
		if len(tt.ends) == 0 {
			return 0
		}
		return tt.ends[len(tt.ends)-1]
	}
	return len(tt.buf) + len(tt.edit)
}

// ttyPort is one console descriptor's view of the terminal: input is
// shared, output goes to the stream's own writer.
type ttyPort struct {
	tt *tty
	w  io.Writer
}

func (p *ttyPort) Read(f *fs.File, b []byte) (int, abi.Errno) { return p.tt.read(f, b) }

func (p *ttyPort) Write(f *fs.File, b []byte) (int, abi.Errno) {
	tt := p.tt
	if t := tt.k.cur; t != nil && tt.lflag()&lTOSTOP != 0 {
		if err := tt.checkJob(t, abi.SIGTTOU); err != 0 {
			return 0, err
		}
	}
	if p.w != nil {
		if _, err := p.w.Write(tt.opost(b)); err != nil {
			return 0, abi.EIO
		}
	}
	return len(b), 0
}

func (p *ttyPort) IsTerminal() bool { return true }

func (p *ttyPort) Lseek(f *fs.File, off int64, whence int) (int64, abi.Errno) {
	return 0, abi.ESPIPE
}

// pollEvents is poll's view of the terminal.
func (p *ttyPort) pollEvents() uint32 {
	ev := uint32(pollOut)
	if p.tt.readable() > 0 || p.tt.eof {
		ev |= pollIn
	}
	return ev
}

// ioctl handles the terminal ioctls; handled is false for the others.
func (p *ttyPort) ioctl(t *Task, f *fs.File, req, arg uint32) (ret uint32, err abi.Errno, handled bool) {
	tt := p.tt
	switch req {
	case abi.TCGETS:
		return 0, t.copyOut(arg, tt.tio[:]), true
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		var b [36]byte
		if err := t.copyIn(arg, b[:]); err != 0 {
			return 0, err, true
		}
		if err := tt.checkJob(t, abi.SIGTTOU); err != 0 {
			return 0, err, true
		}
		if req == abi.TCSETSF {
			tt.edit, tt.buf, tt.ends = nil, nil, nil
		}
		wasCanon := tt.lflag()&lICANON != 0
		tt.tio = b
		if wasCanon && tt.lflag()&lICANON == 0 {
			tt.ends = nil
		}
		tt.wakeReaders()
		return 0, 0, true
	case abi.TIOCGPGRP:
		if t.Sid != tt.sid {
			return 0, abi.ENOTTY, true
		}
		return 0, t.writeU32(arg, uint32(tt.pgrp)), true
	case abi.TIOCSPGRP:
		v, err := t.readU32(arg)
		if err != 0 {
			return 0, err, true
		}
		if t.Sid != tt.sid || tt.sid == 0 {
			return 0, abi.ENOTTY, true
		}
		if err := tt.checkJob(t, abi.SIGTTOU); err != 0 {
			return 0, err, true
		}
		pgrp := int(int32(v))
		if pgrp < 0 {
			return 0, abi.EINVAL, true
		}
		found := false
		for _, x := range t.k.taskList() {
			if x.alive() && x.Pgid == pgrp {
				if x.Sid != t.Sid {
					return 0, abi.EPERM, true
				}
				found = true
			}
		}
		if !found {
			return 0, abi.ESRCH, true
		}
		tt.pgrp = pgrp
		return 0, 0, true
	case ioTIOCGSID:
		if t.Sid != tt.sid || tt.sid == 0 {
			return 0, abi.ENOTTY, true
		}
		return 0, t.writeU32(arg, uint32(tt.sid)), true
	case ioTIOCSCTTY:
		if t.Sid == tt.sid {
			return 0, 0, true
		}
		if t.Sid != t.Tgid {
			return 0, abi.EPERM, true // not a session leader
		}
		if tt.sid != 0 && arg != 1 {
			return 0, abi.EPERM, true // another session has it
		}
		tt.sid, tt.pgrp = t.Sid, t.Pgid
		return 0, 0, true
	case ioTIOCNOTTY:
		if t.Sid != tt.sid {
			return 0, abi.ENOTTY, true
		}
		if t.Sid == t.Tgid {
			// The session leader gives the terminal up: its foreground
			// group is hung up, as disassociate_ctty.
			tt.signalPgrp(tt.pgrp, abi.SIGHUP)
			tt.signalPgrp(tt.pgrp, abi.SIGCONT)
			tt.sid, tt.pgrp = 0, 0
		}
		return 0, 0, true
	case abi.FIONREAD:
		return 0, t.writeU32(arg, uint32(tt.readable())), true
	case abi.TIOCSWINSZ:
		var b [8]byte
		if err := t.copyIn(arg, b[:]); err != 0 {
			return 0, err, true
		}
		tt.setSize(int(binary.LittleEndian.Uint16(b[:])), int(binary.LittleEndian.Uint16(b[2:])))
		return 0, 0, true
	case ioTIOCOUTQ:
		return 0, t.writeU32(arg, 0), true
	case ioTCFLSH:
		switch arg {
		case 0, 2: // TCIFLUSH, TCIOFLUSH
			tt.pull()
			tt.edit, tt.buf, tt.ends = nil, nil, nil
		case 1:
		default:
			return 0, abi.EINVAL, true
		}
		return 0, 0, true
	case ioTCSBRK, ioTCXONC:
		return 0, 0, true
	}
	return 0, 0, false
}

// consoleIdle is called by the scheduler when no task can run and no
// timer is pending. It reports whether console input may still come:
// Run then waits for it, RunFor returns (AwaitingInput).
func (k *Kernel) consoleIdle() (wait bool) {
	keys := k.tty != nil && k.tty.open()
	pipe := k.stdinPipe != nil && k.stdinPipe.open()
	if !keys && !pipe {
		return false
	}
	if k.yield.active {
		k.idle = true
		return true
	}
	if !pipe && !k.tty.reader {
		return false // nobody can type: a deadlock after all
	}
	<-k.hostBell()
	k.pullHost()
	return true
}

// pullHost takes the host input that has arrived (keys, pipe data).
func (k *Kernel) pullHost() {
	if k.tty != nil {
		k.tty.pull()
	}
	if k.stdinPipe != nil {
		k.stdinPipe.pull()
	}
}

// setupTTY makes the console terminal when stdin is one and the host
// asked for it (Config.Terminal).
func (k *Kernel) setupTTY() {
	cfg := k.cfg
	if cfg.LiveStdin && cfg.Stdin.Kind == StdioPipe && cfg.Stdin.R != nil {
		k.stdinPipe = k.startHostStream(cfg.Stdin.R)
	}
	if !cfg.Terminal || cfg.Stdin.Kind != StdioTTY {
		return
	}
	tt := newTTY(k)
	switch {
	case cfg.Stdout.Kind == StdioTTY:
		tt.echo = cfg.Stdout.W
	case cfg.Stderr.Kind == StdioTTY:
		tt.echo = cfg.Stderr.W
	}
	k.tty = tt
	if cfg.Stdin.R != nil {
		tt.readHost(cfg.Stdin.R)
	}
	k.FS.Mknod("/dev/tty", 0666, 5<<8, &ttyPort{tt: tt, w: tt.echo})
}

// ttyPort is the device for a console stream that is the terminal (or
// the live host pipe on stdin); nil leaves the plain console.
func (k *Kernel) ttyPort(s Stdio) fs.Device {
	if k.stdinPipe != nil && s.Kind == StdioPipe && s.R != nil {
		return k.stdinPipe
	}
	if k.tty == nil || s.Kind != StdioTTY {
		return nil
	}
	w := s.W
	if w == nil {
		w = k.tty.echo // stdin: writing to fd 0 reaches the screen
	}
	return &ttyPort{tt: k.tty, w: w}
}

// ttyAttach makes the terminal the controlling terminal of a process
// Start made (its session and foreground group), unless the session
// holding it is still alive.
func (k *Kernel) ttyAttach(t *Task) {
	tt := k.tty
	if tt == nil {
		return
	}
	if tt.sid != 0 {
		if x := k.Tasks[tt.sid]; x != nil && x.processAlive() {
			return
		}
	}
	tt.sid, tt.pgrp = t.Sid, t.Pgid
}
