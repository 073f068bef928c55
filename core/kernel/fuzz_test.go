package kernel

import (
	"encoding/binary"
	"testing"
)

// FuzzSyscalls makes random system calls with random arguments, some
// pointing into mapped memory and some wild: the kernel must answer each
// with a result or an errno, never panic.
func FuzzSyscalls(f *testing.F) {
	f.Add([]byte{4, 0, 1, 0, 0, 0, 0, 0xa0, 0x04, 0x08, 6, 0, 0, 0})
	f.Add([]byte{192, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 3, 0, 0, 0, 0x22, 0, 0, 0})
	f.Add([]byte{243, 0, 0, 0xa0, 0x04, 0x08})
	f.Add([]byte{0x7f, 1, 0xff, 0xff, 0xff, 0xff})
	// The course calls: msgbox_put then msgbox_get, change_cmdline,
	// pf_set_param then pf_get_info (odd bytes point into the page),
	// syslog READ_ALL; an odd first byte picks the linux-4.15 profile.
	f.Add([]byte{0xf4, 1, 1, 0, 0, 0, 8, 0, 0, 0, 0xf5, 1, 0x41, 0, 0, 0, 4, 0, 0, 0})
	f.Add([]byte{0xf8, 1, 0x21, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0x30, 0x10, 0, 0})
	f.Add([]byte{0x81, 1, 1, 0, 0, 0, 4, 0, 0, 0, 0x82, 1, 1, 0, 0, 0, 4, 0, 0, 0, 0x81, 0, 0, 0})
	f.Add([]byte{0x67, 0, 3, 0, 0, 0, 0x81, 0, 0, 0, 0, 4, 0, 0})
	// Threads: clone with glibc's thread flags, then futex wait and
	// wake on the scratch page from either task, exit of one thread.
	f.Add([]byte{0x78, 0, 0x00, 0x0f, 0x3d, 0x00, 0, 0, 0, 0, 0x11, 0, 0, 0, 0x21, 0, 0, 0, 0x31, 0, 0, 0,
		0xf0, 2, 0x41, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xf0, 0, 0x41, 0, 0, 0, 0x81, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		1, 0, 3, 0, 0, 0})
	// clone3 with a struct in the page; futex requeue and wake_op.
	f.Add([]byte{0xb3, 1, 0x01, 0, 0, 0, 0x58, 0, 0, 0, 0xf0, 0, 0x41, 0, 0, 0, 0x84, 0, 0, 0, 1, 0, 0, 0,
		1, 0, 0, 0, 0x51, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0, 0x41, 0, 0, 0, 0x85, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
		0x51, 0, 0, 0, 0x01, 0x10, 0, 0x12})
	// The console terminal (bit 1 of the first byte): typed keys, then
	// TCGETS, TCSETS, TIOCSPGRP, FIONREAD and a read.
	f.Add([]byte{0x36, 0, 0, 0, 0, 0, 0x01, 0x54, 0, 0, 0x11, 0, 0, 0, 0x36, 0, 0, 0, 0, 0, 0x02, 0x54, 0, 0,
		0x11, 0, 0, 0, 0x36, 0, 0, 0, 0, 0, 0x10, 0x54, 0, 0, 0x21, 0, 0, 0, 0x36, 0, 0, 0, 0, 0, 0x1b, 0x54, 0, 0,
		0x21, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0x31, 0, 0, 0, 0x10, 0, 0, 0})
	// utimensat with UTIME_NOW/OMIT and a path in the page.
	f.Add([]byte{0x40, 1, 0x9c, 0xff, 0xff, 0xff, 0x21, 0, 0, 0, 0x31, 0, 0, 0, 0, 0, 0, 0, '/', 't', 'm', 'p', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m *machine
		if len(data) > 0 && data[0]&2 == 2 {
			m = bootTTY(t, data)
		} else {
			m = boot(t, nil)
		}
		if len(data) > 0 && data[0]&1 == 1 {
			m.k.table = profileTable(ProfileLinux415)
		}
		// Fill the scratch page with the input so pointers into it find
		// plausible structures.
		m.t.MM.CopyOut(m.params, data)
		for len(data) >= 2 {
			// Linux's numbers and the course calls at 500-509; the
			// high bits pick which runnable task (threads, children
			// clone made) makes the call.
			v := binary.LittleEndian.Uint16(data)
			nr := uint32(v) % 512
			data = data[2:]
			if !m.pickTask(int(v >> 9)) {
				break
			}
			var args [6]uint32
			for i := range args {
				if len(data) >= 4 {
					args[i] = binary.LittleEndian.Uint32(data)
					data = data[4:]
				}
				// Small values become pointers into the scratch page.
				if args[i] < 4096 && args[i]&1 == 1 {
					args[i] = m.params + args[i]
				}
			}
			m.call(nr, args[:]...)
		}
		if len(m.rec.Events) > 0 {
			_ = m.last()
		}
	})
}

// bootTTY boots the machine with the console as a terminal and types
// the input's first bytes on it.
func bootTTY(t *testing.T, data []byte) *machine {
	m := &machine{}
	m.k = New(Config{Stdin: Stdio{Kind: StdioTTY}, Terminal: true, Stdout: Stdio{W: &m.out, Kind: StdioTTY},
		Stderr: Stdio{W: &m.out, Kind: StdioTTY}, Trace: &m.rec})
	m.k.Install("/bin/prog", tinyELF(nil))
	task, err := m.k.Start("/bin/prog", []string{"prog"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.t, m.params = task, 0x0804a000
	m.k.ConsoleInput(data[:min(len(data), 24)])
	return m
}

// pickTask makes the n-th runnable task (in pid order) the caller, as
// the scheduler would switch to it; false when none can run.
func (m *machine) pickTask(n int) bool {
	var run []*Task
	for _, x := range m.k.taskList() {
		if x.state == taskRunning && x.MM != nil {
			run = append(run, x)
		}
	}
	if len(run) == 0 {
		return false
	}
	x := run[n%len(run)]
	if x != m.k.cur {
		m.k.switchTo(x)
	}
	m.t = x
	return true
}
