package machine

import (
	"cmp"
	"fmt"
	"math/bits"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/wasm/protocol"
)

// pagesShown bounds the page-table entries one snapshot lists.
const pagesShown = 512

// Inspect implements session.Inspector: snapshots of the kernel's state
// (core/kernel/inspect.go) while the kernel is parked.
func (m *Machine) Inspect(pid int, vma uint32) protocol.KernelState {
	var ks protocol.KernelState
	running, live := 0, 0
	for _, p := range m.k.Processes() {
		ks.Procs = append(ks.Procs, protocol.Proc{Pid: p.Pid, PPid: p.PPid, Tgid: p.Tgid, State: p.State,
			Comm: p.Comm, Cmdline: p.Cmdline, OnCPU: p.OnCPU, VSizeKB: p.VSize >> 10})
		if p.OnCPU {
			running = p.Pid
		}
		if live == 0 && p.State != "Z" {
			live = p.Pid
		}
	}
	if pid == 0 || m.k.Tasks[pid] == nil {
		// None asked for, or it is gone: the one on the CPU, else the
		// first still alive, else the first.
		pid = cmp.Or(running, live)
		if pid == 0 && len(ks.Procs) > 0 {
			pid = ks.Procs[0].Pid
		}
	}
	ks.Pid = pid
	if as, ok := m.k.AddressSpace(pid); ok {
		sp := &protocol.Space{MinorFaults: as.MinorFaults, CoWFaults: as.CoWFaults}
		for _, v := range as.VMAs {
			sp.VMAs = append(sp.VMAs, protocol.VMA{Start: v.Start, End: v.End, Perms: v.Perms, Kind: v.Kind,
				Name: v.Name, CoWFaults: v.CoWFaults, Pages: v.Pages, Present: v.Present, Shared: v.Shared})
		}
		ks.Space = sp
	}
	if vma != 0 {
		if pages, more, ok := m.k.Pages(pid, vma, pagesShown); ok {
			ks.PagesOf, ks.PagesMore = vma, more
			for _, p := range pages {
				ks.Pages = append(ks.Pages, protocol.Page{Addr: p.Addr, Present: p.Present, Frame: p.Frame,
					Refs: p.Refs, Writable: p.Writable, Dirty: p.Dirty})
			}
		}
	}
	if s, ok := m.k.Signals(pid); ok {
		sg := &protocol.Signals{Blocked: blockedNames(s.Blocked)}
		for _, a := range s.Actions {
			act := protocol.SigAction{Name: a.Name, Ignored: a.Ignored, Handler: a.Handler,
				Mask: sigNames(a.Mask)}
			if a.Flags != 0 {
				act.Flags = strings.Split(abi.SigactionFlags.Format(uint64(a.Flags)), "|")
			}
			sg.Actions = append(sg.Actions, act)
		}
		for _, p := range s.Pending {
			sg.Pending = append(sg.Pending, protocol.Pending{Name: p.Name, Blocked: p.Blocked})
		}
		ks.Signals = sg
	}
	mb := m.k.Msgbox()
	ks.Msgbox = &protocol.Msgbox{Policy: string(mb.Policy), Depth: mb.Depth, Used: mb.BytesUsed, Limit: mb.Limit}
	for _, msg := range mb.Messages {
		ks.Msgbox.Messages = append(ks.Msgbox.Messages, quoteBytes(msg, 64))
	}
	ks.Modules = m.Modules()
	return ks
}

// blockedNames lists a blocked mask; one that blocks most signals (libc
// does around fork and thread creation) is shown by what it lets through.
func blockedNames(mask uint64) []string {
	if bits.OnesCount64(mask) <= abi.NSIG/2 {
		return sigNames(mask)
	}
	return append([]string{"all but"}, sigNames(^mask)...)
}

// sigNames lists the signals of a mask (bit N-1 is signal N).
func sigNames(mask uint64) []string {
	var out []string
	for sig := 1; sig <= abi.NSIG; sig++ {
		if mask&(1<<(sig-1)) != 0 {
			out = append(out, abi.SignalName(sig))
		}
	}
	return out
}

// quoteBytes shows a message as strace shows a buffer: quoted, escaped,
// cut after limit bytes with "...".
func quoteBytes(b []byte, limit int) string {
	more := len(b) > limit
	if more {
		b = b[:limit]
	}
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	s.WriteByte('"')
	if more {
		s.WriteString("...")
	}
	return s.String()
}
