package kernel

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"trapdoor/core/abi"
	"trapdoor/core/kernel/fs"
	"trapdoor/core/kernel/mm"
)

const hostname = "trapdoor"

// console is one host stream behind a standard descriptor.
type console struct {
	r      io.Reader
	w      io.Writer
	tty    bool
	file   bool     // a regular host file: seekable
	tio    [36]byte // termios set by TCSETS
	tioSet bool
}

func (c *console) termios() [36]byte {
	if c.tioSet {
		return c.tio
	}
	return defaultTermios
}

func (c *console) Read(f *fs.File, p []byte) (int, abi.Errno) {
	if c.r == nil {
		return 0, 0
	}
	n, err := c.r.Read(p)
	if err != nil && n == 0 && !errors.Is(err, io.EOF) {
		return 0, abi.EIO
	}
	return n, 0
}

func (c *console) Write(f *fs.File, p []byte) (int, abi.Errno) {
	if c.w == nil {
		return len(p), 0
	}
	n, err := c.w.Write(p)
	if err != nil && n == 0 {
		return 0, abi.EIO
	}
	return n, 0
}

func (c *console) IsTerminal() bool { return c.tty }

// Lseek: terminals and pipes cannot seek; a host file given as a
// stream can, when it is seekable.
func (c *console) Lseek(f *fs.File, off int64, whence int) (int64, abi.Errno) {
	if !c.file {
		return 0, abi.ESPIPE
	}
	var s io.Seeker
	if r, ok := c.r.(io.Seeker); ok {
		s = r
	} else if w, ok := c.w.(io.Seeker); ok {
		s = w
	}
	if s == nil || whence > abi.SEEK_END {
		return 0, abi.EINVAL
	}
	pos, err := s.Seek(off, whence)
	if err != nil {
		return 0, abi.EINVAL
	}
	return pos, 0
}

// procLookup resolves /proc entries: "self" and the pid directories.
// Each pid directory holds "exe" (a link to the program) and "cwd".
func (k *Kernel) procLookup(name string) *fs.Inode {
	if name == "self" {
		n := k.FS.NewInode(abi.S_IFLNK | 0777)
		n.Readlink = func() string {
			if k.cur == nil {
				return ""
			}
			return strconv.Itoa(k.cur.Tgid)
		}
		return n
	}
	if gen := k.procGlobal(name); gen != nil {
		n := k.FS.NewInode(abi.S_IFREG | 0444)
		n.Generate = gen
		return n
	}
	pid, err := strconv.Atoi(name)
	if err != nil {
		return nil
	}
	t := k.Tasks[pid]
	if t == nil {
		return nil
	}
	dir := k.procPidDir(t)
	// task/ holds a directory per live thread of the process.
	tasks := k.FS.NewInode(abi.S_IFDIR | 0555)
	for _, th := range t.group.threads {
		k.FS.Link(tasks, strconv.Itoa(th.Pid), k.procPidDir(th))
	}
	k.FS.Link(dir, "task", tasks)
	return dir
}

// procNames lists /proc's dynamic entries as Linux orders them: the
// global files, "self", then a directory per process (thread group).
func (k *Kernel) procNames() []string {
	names := []string{"meminfo", "self", "uptime"}
	for _, t := range k.taskList() {
		if t.Pid == t.Tgid {
			names = append(names, strconv.Itoa(t.Pid))
		}
	}
	return names
}

// procPidDir is /proc/PID (or /proc/PID/task/TID) without task/.
func (k *Kernel) procPidDir(t *Task) *fs.Inode {
	dir := k.FS.NewInode(abi.S_IFDIR | 0555)
	dir.UID, dir.GID = t.Cred.EUID, t.Cred.EGID
	exe := k.FS.NewInode(abi.S_IFLNK | 0777)
	exe.Readlink = func() string { return t.Exe }
	k.FS.Link(dir, "exe", exe)
	cwd := k.FS.NewInode(abi.S_IFLNK | 0777)
	cwd.Readlink = func() string { return k.pathOf(t.Cwd) }
	k.FS.Link(dir, "cwd", cwd)
	file := func(name string, gen func() []byte) {
		n := k.FS.NewInode(abi.S_IFREG | 0444)
		n.UID, n.GID = t.Cred.EUID, t.Cred.EGID
		n.Generate = gen
		k.FS.Link(dir, name, n)
	}
	file("cmdline", t.cmdline)
	file("comm", func() []byte { return []byte(t.Comm + "\n") })
	file("maps", t.maps)
	file("stat", t.stat)
	file("status", t.status)
	dir.Parent = k.FS.Root.Children["proc"]
	return dir
}

// pathOf returns the absolute path of a directory.
func (k *Kernel) pathOf(n *fs.Inode) string {
	if n == nil || n == k.FS.Root {
		return "/"
	}
	p := ""
	for n != k.FS.Root && n.Parent != nil {
		name := ""
		for nm, c := range n.Parent.Children {
			if c == n {
				name = nm
				break
			}
		}
		if name == "" {
			return "/"
		}
		p = "/" + name + p
		n = n.Parent
	}
	return p
}

// cmdline reads the argument area live from the process's memory, as
// Linux does: if the last byte is not NUL (the program overwrote its
// argv), the string from arg_start up to the first NUL within a page.
func (t *Task) cmdline() []byte {
	if !t.alive() || t.MM == nil || t.MM.ArgEnd <= t.MM.ArgStart {
		return nil
	}
	m := t.MM
	b := make([]byte, m.ArgEnd-m.ArgStart)
	if m.CopyIn(m.ArgStart, b) != nil {
		return nil
	}
	if len(b) > 0 && b[len(b)-1] != 0 {
		more := make([]byte, 4096)
		n := 0
		for n < len(more) && m.CopyIn(m.ArgStart+uint32(n), more[n:n+1]) == nil && more[n] != 0 {
			n++
		}
		return more[:n]
	}
	return b
}

// maps prints the VMAs in /proc/PID/maps format.
func (t *Task) maps() []byte {
	if !t.alive() || t.MM == nil {
		return nil
	}
	var b []byte
	for _, v := range t.MM.VMAs {
		line := v.String()
		dev, ino := "00:00", uint64(0)
		name := ""
		switch v.Kind {
		case mm.KindFile:
			dev = fmt.Sprintf("00:%02x", fsDev)
			if n, err := t.k.FS.Resolve(nil, v.Name, true); err == 0 {
				ino = n.Ino
			}
			name = v.Name
		case mm.KindHeap, mm.KindStack:
			name = v.Name
		}
		line = fmt.Sprintf("%08x-%08x %s %08x %s %d ", v.Start, v.End, line[18:22], v.Offset, dev, ino)
		if name != "" {
			// Linux pads the fixed part to 48 columns on 32-bit, then
			// adds a space (seq_pad).
			for len(line) < 48 {
				line += " "
			}
			line += " " + name
		}
		b = append(b, line+"\n"...)
	}
	return b
}

// procGlobal generates the machine-wide /proc files.
func (k *Kernel) procGlobal(name string) func() []byte {
	switch name {
	case "meminfo":
		return func() []byte {
			used, limit := k.Phys.InUse()
			total, free := limit*4, (limit-used)*4 // pages of 4 KiB
			return fmt.Appendf(nil, "MemTotal:       %8d kB\nMemFree:        %8d kB\nMemAvailable:   %8d kB\n"+
				"Buffers:               0 kB\nCached:                0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n",
				total, free, free)
		}
	case "uptime":
		return func() []byte {
			up := (k.clock.monotonicNS() - bootUptime + int64(1e9)) / 1e7 // centiseconds since boot
			return fmt.Appendf(nil, "%d.%02d %d.%02d\n", up/100, up%100, up/100, up%100)
		}
	}
	return nil
}

// stateLetter is the task state as /proc shows it (fs/proc/array.c's
// get_task_state: a killable or uninterruptible sleep is D).
func (t *Task) stateLetter() (byte, string) {
	s := linuxTaskState(t)
	switch {
	case !t.alive():
		return 'Z', "zombie"
	case s&linuxTaskStoppedBit != 0:
		return 'T', "stopped"
	case s&linuxTaskUninterruptible != 0:
		return 'D', "disk sleep"
	case s&linuxTaskInterruptible != 0:
		return 'S', "sleeping"
	}
	return 'R', "running"
}

// stat is /proc/PID/stat: do_task_stat's 52 fields.
func (t *Task) stat() []byte {
	st, _ := t.stateLetter()
	var m mmFields
	if t.alive() && t.MM != nil {
		mm := t.MM
		m = mmFields{vsize: t.vsize(), rss: uint64(mm.Resident()), startCode: mm.StartCode, endCode: mm.EndCode,
			startStack: mm.StartStack, startData: mm.StartData, endData: mm.EndData, startBrk: mm.StartBrk,
			argStart: mm.ArgStart, argEnd: mm.ArgEnd, envStart: mm.EnvStart, envEnd: mm.EnvEnd,
			minflt: mm.MinorFaults + mm.CoWFaults}
	}
	var ign, catch uint64
	for i, a := range t.sig.actions {
		if a.Handler == sigIGN {
			ign |= 1 << i
		} else if a.Handler > sigIGN {
			catch |= 1 << i
		}
	}
	exitCode := 0
	if !t.alive() {
		exitCode = t.exit.Code << 8
		if !t.exit.Exited {
			exitCode = t.exit.Signal
		}
	}
	return fmt.Appendf(nil, "%d (%s) %c %d %d %d 0 -1 4194560 %d 0 0 0 0 0 0 0 20 0 1 0 0 %d %d %d %d %d %d 0 0 "+
		"0 %d %d %d 0 0 0 %d 0 0 0 0 0 0 %d %d %d %d %d %d %d %d\n",
		t.Pid, t.Comm, st, t.PPid, t.Pgid, t.Sid, m.minflt, m.vsize, m.rss, uint64(abi.RLIM_INFINITY),
		m.startCode, m.endCode, m.startStack, t.sig.blocked, ign, catch, t.exitSignal,
		m.startData, m.endData, m.startBrk, m.argStart, m.argEnd, m.envStart, m.envEnd, exitCode)
}

type mmFields struct {
	vsize, rss, minflt                 uint64
	startCode, endCode, startStack     uint32
	startData, endData, startBrk       uint32
	argStart, argEnd, envStart, envEnd uint32
}

func (t *Task) vsize() uint64 {
	var n uint64
	for _, v := range t.MM.VMAs {
		n += uint64(v.End - v.Start)
	}
	return n
}

// status is /proc/PID/status (the commonly read fields).
func (t *Task) status() []byte {
	_, name := t.stateLetter()
	st, _ := t.stateLetter()
	c := t.Cred
	var vm, rss uint64
	if t.alive() && t.MM != nil {
		vm, rss = t.vsize()/1024, uint64(t.MM.Resident())*4
	}
	var pend uint64
	for _, p := range t.pending {
		pend |= sigbit(p.sig)
	}
	for _, p := range t.blockedPending {
		pend |= sigbit(p.sig)
	}
	var ign, catch uint64
	for i, a := range t.sig.actions {
		if a.Handler == sigIGN {
			ign |= 1 << i
		} else if a.Handler > sigIGN {
			catch |= 1 << i
		}
	}
	return fmt.Appendf(nil, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"+
		"TracerPid:\t0\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t64\nGroups:\t\n"+
		"VmSize:\t%8d kB\nVmRSS:\t%8d kB\nThreads:\t%d\nSigQ:\t0/4096\nSigPnd:\t%016x\nShdPnd:\t0000000000000000\n"+
		"SigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		t.Comm, t.umask, st, name, t.Tgid, t.Pid, t.PPid, c.UID, c.EUID, c.SUID, c.EUID, c.GID, c.EGID, c.SGID, c.EGID,
		vm, rss, max(len(t.group.threads), 1), pend, t.sig.blocked, ign, catch)
}
