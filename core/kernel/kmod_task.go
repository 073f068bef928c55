package kernel

import (
	"bytes"
	"encoding/binary"

	"trapdoor/core/abi"
	"trapdoor/core/memory"
)

// task_struct shadows: `current` and find_task_by_vpid hand module code a
// pointer to a struct task_struct in kernel memory (layout in
// testvectors/include/trapdoor/linux/sched.h), written from the Go task
// each time it is asked for. Fields module code may change
// (mm->arg_start..env_end, comm) are read back when the module call
// returns or sleeps, so change_cmdline shows in /proc and ps.

// Shadow block layout.
const (
	shTask      = 0
	shCred      = 80
	shMM        = 112
	shBlockSize = 192
	shVMASize   = 32

	tsState      = 0
	tsStack      = 4
	tsPrio       = 12
	tsPid        = 16
	tsTgid       = 20
	tsRealParent = 24
	tsParent     = 28
	tsMM         = 32
	tsActiveMM   = 36
	tsCred       = 40
	tsRealCred   = 44
	tsExitState  = 48
	tsExitCode   = 52
	tsComm       = 56

	mmMmap     = 0
	mmMapCount = 4
	mmTaskSize = 8
	mmTotalVM  = 12
	mmArgStart = 44 // arg_start, arg_end, env_start, env_end follow
)

// Linux's VM_* flags for vm_flags.
const (
	vmRead      = 0x1
	vmWrite     = 0x2
	vmExec      = 0x4
	vmShared    = 0x8
	vmGrowsDown = 0x100
)

// shadow is one task's task_struct block in kernel memory.
type shadow struct {
	addr    uint32
	vmas    uint32
	vmaCap  int
	written [4]uint32 // arg_start, arg_end, env_start, env_end as last written
	comm    [16]byte
}

// kwrite writes kernel memory through the template directory.
func (ms *modules) kwrite(addr uint32, b []byte) {
	p := ms.k.Phys
	for done := 0; done < len(b); {
		pfn, _, f := p.Walk(ms.dir, addr+uint32(done), memory.AccessWrite)
		if f != nil {
			return
		}
		off := (addr + uint32(done)) & memory.PageMask
		done += copy(p.WritablePage(pfn)[off:], b[done:])
	}
}

// kread reads kernel memory through the template directory.
func (ms *modules) kread(addr uint32, n int) []byte {
	b := make([]byte, n)
	p := ms.k.Phys
	for done := 0; done < n; {
		pfn, _, f := p.Walk(ms.dir, addr+uint32(done), memory.AccessRead)
		if f != nil {
			return b
		}
		off := (addr + uint32(done)) & memory.PageMask
		done += copy(b[done:], p.Page(pfn)[off:])
	}
	return b
}

// shadowFor returns t's task_struct address, written afresh. With
// parent set, the parent's block is brought up to date too.
func (ms *modules) shadowFor(t *Task, parent bool) uint32 {
	if ms.shadowOf == nil {
		ms.shadowOf = map[*Task]*shadow{}
	}
	sh := ms.shadowOf[t]
	if sh == nil {
		addr := ms.heap.alloc(shBlockSize, kalloc{internal: true})
		if addr == 0 {
			return 0
		}
		sh = &shadow{addr: addr}
		ms.shadowOf[t] = sh
		ms.shadows[addr] = t
	} else {
		ms.syncBackOne(t, sh) // what module code wrote, before it is overwritten
	}
	b := make([]byte, shBlockSize)
	w := func(off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
	w(shTask+tsState, linuxTaskState(t))
	if kt := ms.tasks[t]; kt != nil && kt.slot >= 0 {
		w(shTask+tsStack, kt.stackTop-kmodStackSize)
	}
	w(shTask+tsPrio, 120)
	w(shTask+tsPid, uint32(t.Pid))
	w(shTask+tsTgid, uint32(t.Tgid))
	if parent && t.parent != nil {
		p := ms.shadowFor(t.parent, false)
		w(shTask+tsRealParent, p)
		w(shTask+tsParent, p)
	} else if old := ms.kread(sh.addr+tsRealParent, 8); true {
		copy(b[tsRealParent:], old)
	}
	w(shTask+tsCred, sh.addr+shCred)
	w(shTask+tsRealCred, sh.addr+shCred)
	if t.state == taskZombie {
		w(shTask+tsExitState, 32) // EXIT_ZOMBIE
		w(shTask+tsExitCode, uint32(t.exit.Code<<8|t.exit.Signal))
	}
	copy(b[shTask+tsComm:shTask+tsComm+15], t.Comm)
	copy(sh.comm[:], b[shTask+tsComm:shTask+tsComm+16])
	w(shCred, 1)
	c := t.Cred
	for i, v := range []uint32{c.UID, c.GID, c.SUID, c.SGID, c.EUID, c.EGID} {
		w(shCred+4+4*i, v)
	}
	if m := t.MM; m != nil && t.alive() {
		w(shTask+tsMM, sh.addr+shMM)
		w(shTask+tsActiveMM, sh.addr+shMM)
		ms.writeVMAs(t, sh)
		w(shMM+mmMmap, sh.vmas)
		if len(m.VMAs) == 0 {
			w(shMM+mmMmap, 0)
		}
		w(shMM+mmMapCount, uint32(len(m.VMAs)))
		w(shMM+mmTaskSize, 0xC0000000)
		total := uint32(0)
		for _, v := range m.VMAs {
			total += (v.End - v.Start) / memory.PageSize
		}
		w(shMM+mmTotalVM, total)
		for i, v := range []uint32{m.StartCode, m.EndCode, m.StartData, m.EndData, m.StartBrk, m.Brk, m.StartStack,
			m.ArgStart, m.ArgEnd, m.EnvStart, m.EnvEnd} {
			w(shMM+16+4*i, v)
		}
		sh.written = [4]uint32{m.ArgStart, m.ArgEnd, m.EnvStart, m.EnvEnd}
	}
	ms.kwrite(sh.addr, b)
	return sh.addr
}

// writeVMAs writes the mm->mmap list: vm_area_structs linked by vm_next.
func (ms *modules) writeVMAs(t *Task, sh *shadow) {
	n := len(t.MM.VMAs)
	if n > sh.vmaCap {
		if sh.vmas != 0 {
			ms.heap.kfree(sh.vmas)
		}
		sh.vmaCap = n + 8
		sh.vmas = ms.heap.alloc(uint32(sh.vmaCap*shVMASize), kalloc{internal: true})
		if sh.vmas == 0 {
			sh.vmaCap = 0
			return
		}
	}
	b := make([]byte, n*shVMASize)
	for i, v := range t.MM.VMAs {
		e := b[i*shVMASize:]
		at := sh.vmas + uint32(i*shVMASize)
		binary.LittleEndian.PutUint32(e[0:], v.Start)
		binary.LittleEndian.PutUint32(e[4:], v.End)
		if i+1 < n {
			binary.LittleEndian.PutUint32(e[8:], at+shVMASize)
		}
		if i > 0 {
			binary.LittleEndian.PutUint32(e[12:], at-shVMASize)
		}
		binary.LittleEndian.PutUint32(e[16:], sh.addr+shMM)
		f := uint32(0)
		if v.Prot&abi.PROT_READ != 0 {
			f |= vmRead
		}
		if v.Prot&abi.PROT_WRITE != 0 {
			f |= vmWrite
		}
		if v.Prot&abi.PROT_EXEC != 0 {
			f |= vmExec
		}
		if v.Flags&abi.MAP_TYPE == abi.MAP_SHARED {
			f |= vmShared
		}
		if v.Flags&abi.MAP_GROWSDOWN != 0 {
			f |= vmGrowsDown
		}
		binary.LittleEndian.PutUint32(e[20:], f)
		binary.LittleEndian.PutUint32(e[24:], v.Offset/memory.PageSize)
	}
	ms.kwrite(sh.vmas, b)
}

// syncBack applies what module code wrote into task_structs.
func (ms *modules) syncBack() {
	for t, sh := range ms.shadowOf {
		ms.syncBackOne(t, sh)
	}
}

func (ms *modules) syncBackOne(t *Task, sh *shadow) {
	if !t.alive() || t.MM == nil {
		return
	}
	b := ms.kread(sh.addr+shMM+mmArgStart, 16)
	var now [4]uint32
	for i := range now {
		now[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	if now != sh.written {
		m := t.MM
		m.ArgStart, m.ArgEnd, m.EnvStart, m.EnvEnd = now[0], now[1], now[2], now[3]
		sh.written = now
	}
	comm := ms.kread(sh.addr+tsComm, 16)
	if !bytes.Equal(comm, sh.comm[:]) {
		copy(sh.comm[:], comm)
		if i := bytes.IndexByte(comm, 0); i >= 0 {
			comm = comm[:i]
		}
		t.Comm = string(comm[:min(len(comm), 15)])
	}
}

// freeShadow drops the block of a reaped task.
func (ms *modules) freeShadow(t *Task, addr uint32) {
	if sh := ms.shadowOf[t]; sh != nil {
		if sh.vmas != 0 {
			ms.heap.kfree(sh.vmas)
		}
		delete(ms.shadowOf, t)
	}
	ms.heap.kfree(addr)
	delete(ms.shadows, addr)
}

// swapperShadow is `current` for init_module and cleanup_module: pid 0,
// no mm.
func (ms *modules) swapperShadow() uint32 {
	if ms.swapper == 0 {
		ms.swapper = ms.heap.alloc(shBlockSize, kalloc{internal: true})
		b := make([]byte, shBlockSize)
		copy(b[tsComm:], "insmod")
		binary.LittleEndian.PutUint32(b[tsCred:], ms.swapper+shCred)
		binary.LittleEndian.PutUint32(b[tsRealCred:], ms.swapper+shCred)
		binary.LittleEndian.PutUint32(b[shCred:], 1)
		ms.kwrite(ms.swapper, b)
	}
	return ms.swapper
}
