package kernel

import (
	"fmt"

	"trapdoor/core/abi"
	"trapdoor/core/trace"
)

// syslog(2) (glibc's klogctl): the kernel log as dmesg reads it. Each
// record comes out as Linux's syslog format, "<L>[    s.micros] text\n",
// L being the record's level (KERN_DEBUG is <7>, KERN_ERR <3>; kernel
// messages have facility 0). As with dmesg_restrict=0, anyone may
// READ_ALL and SIZE_BUFFER; the other actions need root (CAP_SYSLOG),
// else EPERM.
//
// The log keeps no sequence numbers, so the read and clear positions
// are marks by timestamp: the last record passed and how many records
// with that same timestamp came before it (records are in time order).

// SYSLOG_ACTION_*.
const (
	syslogClose        = 0
	syslogOpen         = 1
	syslogRead         = 2
	syslogReadAll      = 3
	syslogReadClear    = 4
	syslogClear        = 5
	syslogConsoleOff   = 6
	syslogConsoleOn    = 7
	syslogConsoleLevel = 8
	syslogSizeUnread   = 9
	syslogSizeBuffer   = 10
)

var syslogActions = abi.Enum{
	syslogClose: "SYSLOG_ACTION_CLOSE", syslogOpen: "SYSLOG_ACTION_OPEN", syslogRead: "SYSLOG_ACTION_READ",
	syslogReadAll: "SYSLOG_ACTION_READ_ALL", syslogReadClear: "SYSLOG_ACTION_READ_CLEAR", syslogClear: "SYSLOG_ACTION_CLEAR",
	syslogConsoleOff: "SYSLOG_ACTION_CONSOLE_OFF", syslogConsoleOn: "SYSLOG_ACTION_CONSOLE_ON",
	syslogConsoleLevel: "SYSLOG_ACTION_CONSOLE_LEVEL", syslogSizeUnread: "SYSLOG_ACTION_SIZE_UNREAD",
	syslogSizeBuffer: "SYSLOG_ACTION_SIZE_BUFFER",
}

// logBufLen is what SIZE_BUFFER reports: 1 << CONFIG_LOG_BUF_SHIFT (17).
const logBufLen = 1 << 17

var syslogCalls = []Syscall{
	{Nr: 103, Name: "syslog", Fn: sysSyslog, Args: []ArgSpec{enum(syslogActions), out(fmtSyslogBuf), aInt}},
}

// logMark is a position in the log: just after the n-th record stamped
// time (n 0: before every record).
type logMark struct {
	time int64
	n    int
}

// klogState is syslog's read and clear positions, the console level and
// the readers waiting for new records.
type klogState struct {
	read, clear  logMark
	consoleLevel int
	wait         waitQueue
	// seenLen and seenLast describe the log when the readers slept.
	seenLen  int
	seenLast int64
}

// after returns the index of the first record past the mark.
func (m logMark) after(lines []LogLine) int {
	i := 0
	for i < len(lines) && lines[i].Time < m.time {
		i++
	}
	for n := m.n; n > 0 && i < len(lines) && lines[i].Time == m.time; n-- {
		i++
	}
	return i
}

// markAt is the mark just past lines[:i].
func markAt(lines []LogLine, i int) logMark {
	if i == 0 {
		return logMark{}
	}
	m := logMark{time: lines[i-1].Time}
	for j := i - 1; j >= 0 && lines[j].Time == m.time; j-- {
		m.n++
	}
	return m
}

// syslogText is a record as syslog(2) returns it.
func syslogText(l LogLine) string { return fmt.Sprintf("<%d>%s\n", l.Level, l) }

func sysSyslog(t *Task, a *Args) (uint32, abi.Errno) {
	k := t.k
	kl := &k.course.klog
	action, buf, n := int32(a[0]), a[1], int32(a[2])
	if action != syslogReadAll && action != syslogSizeBuffer && t.Cred.EUID != 0 {
		if action < syslogClose || action > syslogSizeBuffer {
			return 0, abi.EINVAL
		}
		return 0, abi.EPERM
	}
	lines := k.Log.Lines
	switch action {
	case syslogClose, syslogOpen, syslogConsoleOff, syslogConsoleOn:
		return 0, 0
	case syslogRead:
		if buf == 0 || n < 0 {
			return 0, abi.EINVAL
		}
		if n == 0 {
			return 0, 0
		}
		from := kl.read.after(lines)
		if from == len(lines) {
			kl.seenLen, kl.seenLast = len(lines), lastTime(lines)
			return 0, t.sleepOn(&kl.wait, 0, errRestartSys)
		}
		var out []byte
		i := from
		for ; i < len(lines); i++ {
			s := syslogText(lines[i])
			if len(out)+len(s) > int(n) {
				if i == from {
					out, i = []byte(s[:n]), i+1 // a record longer than the buffer: its start
				}
				break
			}
			out = append(out, s...)
		}
		if e := t.copyOut(buf, out); e != 0 {
			return 0, e
		}
		kl.read = markAt(lines, i)
		return uint32(len(out)), 0
	case syslogReadAll, syslogReadClear:
		if buf == 0 || n < 0 {
			return 0, abi.EINVAL
		}
		if n == 0 {
			return 0, 0
		}
		// The newest records that fit, oldest first.
		from := kl.clear.after(lines)
		size, start := 0, len(lines)
		for start > from {
			l := len(syslogText(lines[start-1]))
			if size+l > int(n) {
				break
			}
			size += l
			start--
		}
		out := make([]byte, 0, size)
		for _, l := range lines[start:] {
			out = append(out, syslogText(l)...)
		}
		if e := t.copyOut(buf, out); e != 0 {
			return 0, e
		}
		if action == syslogReadClear {
			kl.clear = markAt(lines, len(lines))
		}
		return uint32(len(out)), 0
	case syslogClear:
		kl.clear = markAt(lines, len(lines))
		return 0, 0
	case syslogConsoleLevel:
		if n < 1 || n > 8 {
			return 0, abi.EINVAL
		}
		kl.consoleLevel = int(n)
		return 0, 0
	case syslogSizeUnread:
		size := 0
		for _, l := range lines[kl.read.after(lines):] {
			size += len(syslogText(l))
		}
		return uint32(size), 0
	case syslogSizeBuffer:
		return logBufLen, 0
	}
	return 0, abi.EINVAL
}

func lastTime(lines []LogLine) int64 {
	if len(lines) == 0 {
		return 0
	}
	return lines[len(lines)-1].Time
}

// klogPoll wakes syslog readers when records arrived since they slept;
// the dispatcher calls it after each system call while some wait.
func (k *Kernel) klogPoll() {
	kl := &k.course.klog
	if len(kl.wait.tasks) == 0 {
		return
	}
	lines := k.Log.Lines
	if len(lines) != kl.seenLen || lastTime(lines) != kl.seenLast {
		kl.wait.wakeAll(k)
	}
}

// fmtSyslogBuf shows what the read actions copied out; other actions'
// buffers are just pointers.
func fmtSyslogBuf(d *Decoder, v uint32) trace.Arg {
	switch int32(d.a[0]) {
	case syslogRead, syslogReadAll, syslogReadClear:
		if !d.Failed() && d.ret >= 0 {
			return d.buf(v, uint32(d.ret), false)
		}
	}
	return trace.P(v)
}
