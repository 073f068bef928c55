package kernel

import (
	"trapdoor/core/abi"
)

// The DM510 message box: one stack of messages in kernel memory shared
// by every process. msgbox_put pushes a copy of a user buffer, msgbox_get
// pops the top one into a user buffer. A system call runs to completion
// before any other task runs, so each call is atomic, as the reports'
// locks make it on Linux.
//
// Two policies for msgbox_get (Config.Msgbox):
//   - keep (DM510 2019): the message is copied before it is popped, so
//     -EMSGSIZE (buffer too small) and -EFAULT (bad buffer) leave it on
//     the stack; an empty box is -ENOMSG.
//   - truncate (DM510 2023): min(size, len) bytes are copied and the
//     message is gone even when the copy faults; a NULL buffer is
//     refused before the pop; an empty box is -ENODATA.
//
// The messages' memory (each message's bytes plus msgHeader for its
// bookkeeping, as kmalloc'd msg_t) is capped by Config.MsgboxMemory:
// msgbox_put past the cap is -ENOMEM.

// DefaultMsgboxMemory is the message memory cap when none is given.
const DefaultMsgboxMemory = 1 << 20

// msgHeader is what a message costs beyond its bytes (DM510's msg_t: a
// pointer, a length and a list link), so empty messages are not free.
const msgHeader = 16

type msgbox struct {
	policy MsgboxPolicy
	limit  int
	used   int      // bytes charged for the messages held
	stack  [][]byte // bottom first; the top is the last
}

func (b *msgbox) push(msg []byte) {
	b.stack = append(b.stack, msg)
	b.used += len(msg) + msgHeader
}

func (b *msgbox) pop() {
	n := len(b.stack) - 1
	b.used -= len(b.stack[n]) + msgHeader
	b.stack[n] = nil
	b.stack = b.stack[:n]
}

// msgbox_put(buf, size).
func sysMsgboxPut(t *Task, a *Args) (uint32, abi.Errno) {
	b := &t.k.course.msgbox
	buf, size := a[0], int32(a[1])
	switch {
	case size < 0:
		return 0, abi.EINVAL
	case buf == 0:
		return 0, abi.EFAULT
	case int64(b.used)+int64(size)+msgHeader > int64(b.limit):
		return 0, abi.ENOMEM
	}
	msg := make([]byte, size)
	if err := t.copyIn(buf, msg); err != 0 {
		return 0, err
	}
	b.push(msg)
	return 0, 0
}

// msgbox_get(buf, size): the popped message's length.
func sysMsgboxGet(t *Task, a *Args) (uint32, abi.Errno) {
	b := &t.k.course.msgbox
	buf, size := a[0], int32(a[1])
	if size < 0 {
		return 0, abi.EINVAL
	}
	if len(b.stack) == 0 {
		if b.policy == MsgboxTruncate {
			return 0, abi.ENODATA
		}
		return 0, abi.ENOMSG
	}
	if buf == 0 {
		return 0, abi.EFAULT
	}
	top := b.stack[len(b.stack)-1]
	if b.policy == MsgboxTruncate {
		b.pop()
		if err := t.copyOut(buf, top[:min(len(top), int(size))]); err != 0 {
			return 0, err
		}
		return uint32(len(top)), 0
	}
	if len(top) > int(size) {
		return 0, abi.EMSGSIZE
	}
	if err := t.copyOut(buf, top); err != 0 {
		return 0, err
	}
	b.pop()
	return uint32(len(top)), 0
}

// MsgboxState is a copy of the message box for display and checks.
type MsgboxState struct {
	Policy MsgboxPolicy
	// Depth is the number of messages; Messages holds copies of them,
	// top of the stack first.
	Depth    int
	Messages [][]byte
	// BytesUsed is the kernel memory the messages hold (bytes plus
	// per-message bookkeeping): 0 when the box is empty. Limit is the
	// cap msgbox_put enforces.
	BytesUsed, Limit int
}

// Msgbox returns a copy of the message box's state; changing it changes
// nothing in the kernel.
func (k *Kernel) Msgbox() MsgboxState {
	b := &k.course.msgbox
	s := MsgboxState{Policy: b.policy, Depth: len(b.stack), BytesUsed: b.used, Limit: b.limit}
	for i := len(b.stack) - 1; i >= 0; i-- {
		s.Messages = append(s.Messages, append([]byte{}, b.stack[i]...))
	}
	return s
}
