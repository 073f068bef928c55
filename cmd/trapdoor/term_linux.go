package main

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminal asks the host kernel whether f is a terminal (TCGETS).
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return e == 0
}

// winsize reads the host terminal's size.
func winsize(f *os.File) (rows, cols int, ok bool) {
	var ws [4]uint16
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	if e != 0 || ws[0] == 0 {
		return 0, 0, false
	}
	return int(ws[0]), int(ws[1]), true
}

// makeRaw puts the host terminal in raw mode so the guest's line
// discipline does the echo, editing and ^C/^Z (the console is a tty in
// the guest). Output processing goes off too: the guest's terminal
// already turns "\n" into "\r\n" (ONLCR) when the guest asks for it,
// and the host doing it again showed "\r\r\n". The emulator's own
// messages go through crlfWriter meanwhile. The returned function
// restores the terminal.
func makeRaw(f *os.File) (restore func()) {
	var saved syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&saved))); e != 0 {
		return func() {}
	}
	raw := saved
	raw.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	raw.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	raw.Oflag &^= syscall.OPOST
	raw.Cc[syscall.VMIN], raw.Cc[syscall.VTIME] = 1, 0
	syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCSETS, uintptr(unsafe.Pointer(&raw)))
	return func() {
		syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCSETS, uintptr(unsafe.Pointer(&saved)))
	}
}
