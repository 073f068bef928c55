package kernel

import "fmt"

// Kernel log levels (KERN_*).
const (
	LogEmerg = iota
	LogAlert
	LogCrit
	LogErr
	LogWarning
	LogNotice
	LogInfo
	LogDebug
)

// LogLine is one printk record.
type LogLine struct {
	Level int
	Time  int64 // monotonic nanoseconds
	Text  string
}

// Log is the kernel's message ring (dmesg).
type Log struct {
	Lines []LogLine
	now   func() int64
	// OnLine, when set, sees every line as it is logged.
	OnLine func(LogLine)
}

// maxLogLines bounds the ring as Linux's log buffer is bounded.
const maxLogLines = 4096

// Printf logs a line at a level, as printk.
func (l *Log) Printf(level int, format string, args ...any) {
	line := LogLine{Level: level, Text: fmt.Sprintf(format, args...)}
	if l.now != nil {
		line.Time = l.now()
	}
	if len(l.Lines) >= maxLogLines {
		l.Lines = l.Lines[1:]
	}
	l.Lines = append(l.Lines, line)
	if l.OnLine != nil {
		l.OnLine(line)
	}
}

// String formats a line as dmesg does: "[   12.345678] text".
func (l LogLine) String() string {
	return fmt.Sprintf("[%5d.%06d] %s", l.Time/1e9, l.Time%1e9/1e3, l.Text)
}
