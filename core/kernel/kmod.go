package kernel

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"trapdoor/core/abi"
	"trapdoor/core/cpu"
	"trapdoor/core/kernel/mm"
	"trapdoor/core/kernel/module"
	"trapdoor/core/memory"
)

// Kernel modules: students' own system calls, compiled with an ordinary
// gcc -m32 -c, linked into the kernel half of the address space (package
// module) and run on the emulated CPU at CPL 0, on the calling task's
// kernel stack, in the caller's address space.
//
// The kernel half (0xC0000000 and up) is built in a template page
// directory whose page tables are supervisor-only; every address space
// gets the template's kernel PDEs before module code runs, as i386 Linux
// syncs its kernel mappings. Module code reaches the Go kernel through
// stubs on a kernel page: each API function is `int 0x81; ret`, and the
// kernel, seeing the trap from CPL 0 at a known stub, carries out the call
// on the guest's cdecl arguments and lets the `ret` return to the module.
//
// A module's syscall replaces the table's row at its number (keeping the
// row's name and argument formatters, so the trace shows it like the
// built-in call). Running it is a nested CPU loop inside the syscall
// handler (kmod_run.go); when module code must wait (a semaphore, msleep,
// schedule, preemption at the end of a time slice) its kernel registers
// are saved and the task takes the ordinary restart path, so the call
// resumes inside the module when the task runs again.

// Kernel-half layout.
const (
	kmodStubs     = 0xC0100000 // API stubs, one 8-byte slot each (kernel only, read-only)
	kmodStubSlot  = 8
	kmodArea      = 0xC0800000 // module images, one after another
	kmodAreaEnd   = 0xC4000000
	kmodHeap      = 0xC4000000 // kmalloc
	kmodHeapEnd   = 0xC8000000
	kmodStacks    = 0xC8000000 // kernel stacks: a guard page then 8 KiB per slot
	kmodStackSlot = 3 * memory.PageSize
	kmodStackSize = 2 * memory.PageSize
	kmodMaxStacks = 1024
)

// DefaultLockupInstructions is how many instructions module code may run
// in one call without sleeping or returning before the soft-lockup
// watchdog reports it and kills the task.
const DefaultLockupInstructions = 200_000_000

// modules is a kernel's module state: the loaded modules, the kernel half
// of the address space, the heap, and per-task kernel contexts.
type modules struct {
	k    *Kernel
	dir  uint32 // template page directory holding the kernel half
	list []*loadedModule
	next uint32 // where the next module image goes

	// orig are the rows module syscalls replaced, restored on unload.
	orig map[uint32]*Syscall

	heap   kheap
	tasks  map[*Task]*ktask
	stacks []bool // kernel stack slots in use
	waits  map[uint32]*waitQueue
	// shadows maps task_struct shadow addresses back to tasks, shadowOf
	// tasks to their blocks (kmod_task.go); swapper is init's `current`.
	shadows  map[uint32]*Task
	shadowOf map[*Task]*shadow
	swapper  uint32
	// lockup is the soft-lockup threshold in instructions.
	lockup uint64
	// faultSleeps makes a kernel-mode page fault on a user page that is
	// not present a point where the task sleeps, as swapping in would.
	faultSleeps bool
	oopses      int
	stats       ModuleStats
	// partial is a printk line still waiting for its newline.
	partial *partialLine
	// insmod is the context init_module and cleanup_module run in.
	insmod *ktask
}

// loadedModule is one module in the kernel.
type loadedModule struct {
	Name     string
	Image    *module.Image
	Syscalls []module.SyscallDecl
	exit     uint32 // cleanup_module, 0 if none
}

// ModuleInfo describes a loaded module for listings.
type ModuleInfo struct {
	Name     string
	Base     uint32
	Size     uint32
	Syscalls []module.SyscallDecl
}

// mods returns the kernel's module state, creating it (and giving the
// kernel its own copy of the syscall table) on first use.
func (k *Kernel) mods() (*modules, error) {
	if k.table.mods != nil {
		return k.table.mods, nil
	}
	ms := &modules{k: k, next: kmodArea, orig: map[uint32]*Syscall{}, tasks: map[*Task]*ktask{},
		waits: map[uint32]*waitQueue{}, shadows: map[uint32]*Task{}, lockup: DefaultLockupInstructions}
	dir, err := k.Phys.NewDirectory(0)
	if err != nil {
		return nil, fmt.Errorf("module: no memory for the kernel page tables: %w", err)
	}
	ms.dir = dir
	ms.heap = kheap{ms: ms, start: kmodHeap, end: kmodHeap, limit: kmodHeapEnd, live: map[uint32]kalloc{}}
	if err := ms.mapStubs(); err != nil {
		return nil, err
	}
	own := &Table{calls: map[uint32]*Syscall{}, mods: ms}
	for nr, s := range k.table.calls {
		own.calls[nr] = s
	}
	k.table = own
	return ms, nil
}

// mapStubs writes the API stub page: `int 0x81; ret` in every slot.
func (ms *modules) mapStubs() error {
	n := (len(kapi) + 1) * kmodStubSlot
	for off := 0; off < n; off += memory.PageSize {
		pfn, err := ms.k.Phys.Alloc()
		if err != nil {
			return fmt.Errorf("module: no memory for the API stubs: %w", err)
		}
		page := ms.k.Phys.WritablePage(pfn)
		for i := 0; i < memory.PageSize; i += kmodStubSlot {
			copy(page[i:], []byte{0xCD, cpu.VecKernelEntry, 0xC3, 0x90, 0x90, 0x90, 0x90, 0x90})
		}
		if err := ms.k.Phys.Map(ms.dir, kmodStubs+uint32(off), pfn, 0); err != nil {
			return err
		}
	}
	return nil
}

// resolve gives the address of a kernel API symbol.
func (ms *modules) resolve(name string) (uint32, bool) {
	i, ok := kapiIndex[name]
	if !ok {
		return 0, false
	}
	return kmodStubs + uint32(i)*kmodStubSlot, true
}

// LoadModule links an ELF32 relocatable object into the kernel, runs its
// init_module, and binds its declared syscalls in place of the table's
// rows at their numbers.
func (k *Kernel) LoadModule(name string, obj []byte) (*ModuleInfo, error) {
	ms, err := k.mods()
	if err != nil {
		return nil, err
	}
	for _, m := range ms.list {
		if m.Name == name {
			return nil, fmt.Errorf("module %s: already loaded", name)
		}
	}
	base := ms.next
	im, err := module.Link(name, obj, base, ms.resolve)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if uint64(base)+uint64(len(im.Mem)) > kmodAreaEnd {
		return nil, fmt.Errorf("module %s: no room left in the module area", name)
	}
	decls, err := im.Syscalls()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, d := range decls {
		for _, m := range ms.list {
			for _, o := range m.Syscalls {
				if o.Nr == d.Nr {
					return nil, fmt.Errorf("module %s: syscall %d (%s) is already provided by module %s", name, d.Nr, d.Name, m.Name)
				}
			}
		}
	}
	if err := ms.mapImage(im); err != nil {
		return nil, fmt.Errorf("module %s: %w", name, err)
	}
	m := &loadedModule{Name: name, Image: im, Syscalls: decls}
	ms.list = append(ms.list, m)
	ms.next = base + uint32(len(im.Mem)) + memory.PageSize // a guard page between modules
	if s, ok := im.Lookup("cleanup_module"); ok && s.Global {
		m.exit = s.Addr
	}
	if s, ok := im.Lookup("init_module"); ok && s.Global {
		ret, err := ms.runInsmod(m, s.Addr)
		if err != nil || ret != 0 {
			ms.unmap(m)
			ms.list = ms.list[:len(ms.list)-1]
			if err != nil {
				return nil, fmt.Errorf("module %s: init_module: %w", name, err)
			}
			return nil, fmt.Errorf("module %s: init_module returned %d (%s)", name, int32(ret), abi.Errno(-int32(ret)).Name())
		}
	}
	for _, d := range decls {
		ms.bind(m, d)
	}
	var calls []string
	for _, d := range decls {
		calls = append(calls, fmt.Sprintf("%s(%d)", strings.TrimPrefix(d.Name, "sys_"), d.Nr))
	}
	k.Log.Printf(LogInfo, "%s: loaded at %#x, %d bytes; syscalls: %s", name, base, len(im.Mem), strings.Join(calls, " "))
	return &ModuleInfo{Name: name, Base: base, Size: uint32(len(im.Mem)), Syscalls: decls}, nil
}

// mapImage maps a linked image into the kernel half: text and constants
// read-only, data writable, all supervisor-only.
func (ms *modules) mapImage(im *module.Image) error {
	p := ms.k.Phys
	for off := uint32(0); off < uint32(len(im.Mem)); off += memory.PageSize {
		pfn, err := p.Alloc()
		if err != nil {
			ms.unmapRange(im.Base, off)
			return fmt.Errorf("out of memory mapping the image")
		}
		copy(p.WritablePage(pfn)[:], im.Mem[off:])
		flags := uint32(0)
		if off >= im.ROSize {
			flags = memory.PTEWrite
		}
		if err := p.Map(ms.dir, im.Base+off, pfn, flags); err != nil {
			p.Unref(pfn)
			ms.unmapRange(im.Base, off)
			return err
		}
	}
	ms.syncKernelHalf()
	return nil
}

// unmapRange frees the frames of [base, base+n) in the kernel half.
func (ms *modules) unmapRange(base, n uint32) {
	p := ms.k.Phys
	for a := base; a < base+n; a += memory.PageSize {
		pte, ok := p.PTE(ms.dir, a)
		if ok && pte&memory.PTEPresent != 0 {
			p.SetPTE(ms.dir, a, 0)
			p.Unref(memory.PFN(pte))
		}
	}
	ms.k.CPU.FlushTLB()
}

func (ms *modules) unmap(m *loadedModule) { ms.unmapRange(m.Image.Base, uint32(len(m.Image.Mem))) }

// bind puts a module syscall in the table: the reference row's name and
// formatters with the module's handler.
func (ms *modules) bind(m *loadedModule, d module.SyscallDecl) {
	tab := ms.k.table
	old := tab.calls[d.Nr]
	if _, saved := ms.orig[d.Nr]; !saved {
		ms.orig[d.Nr] = old
	}
	row := &Syscall{Nr: d.Nr, Name: strings.TrimPrefix(d.Name, "sys_")}
	if old != nil {
		*row = *old
	} else {
		for i := 0; i < d.NArgs; i++ {
			row.Args = append(row.Args, aHex)
		}
	}
	decl := d
	row.Fn = func(t *Task, a *Args) (uint32, abi.Errno) { return ms.syscall(t, m, decl, a) }
	tab.calls[d.Nr] = row
}

// UnloadModule runs the module's cleanup_module, restores the rows its
// syscalls replaced, reports memory it still holds (a leak) and frees it.
func (k *Kernel) UnloadModule(name string) error {
	ms := k.table.mods
	if ms == nil {
		return fmt.Errorf("module %s: not loaded", name)
	}
	idx := -1
	for i, m := range ms.list {
		if m.Name == name {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("module %s: not loaded", name)
	}
	m := ms.list[idx]
	for _, kt := range ms.tasks {
		for _, c := range kt.ctxs {
			if c.mod == m {
				return fmt.Errorf("module %s: in use (pid %d is inside it)", name, kt.t.Pid)
			}
		}
	}
	if m.exit != 0 {
		if _, err := ms.runInsmod(m, m.exit); err != nil {
			k.Log.Printf(LogErr, "%s: cleanup_module: %v", name, err)
		}
	}
	for _, d := range m.Syscalls {
		if old := ms.orig[d.Nr]; old != nil {
			k.table.calls[d.Nr] = old
		} else {
			delete(k.table.calls, d.Nr)
		}
		delete(ms.orig, d.Nr)
	}
	if n, bytes := ms.heap.leaks(m); n > 0 {
		k.Log.Printf(LogWarning, "%s: unloaded with %d allocations (%d bytes) never freed:%s", name, n, bytes, ms.heap.leakList(m))
		ms.heap.freeModule(m)
	}
	ms.unmap(m)
	ms.list = append(ms.list[:idx], ms.list[idx+1:]...)
	k.Log.Printf(LogInfo, "%s: unloaded", name)
	return nil
}

// Modules lists the loaded modules.
func (k *Kernel) Modules() []ModuleInfo {
	ms := k.table.mods
	if ms == nil {
		return nil
	}
	var out []ModuleInfo
	for _, m := range ms.list {
		out = append(out, ModuleInfo{Name: m.Name, Base: m.Image.Base, Size: uint32(len(m.Image.Mem)), Syscalls: m.Syscalls})
	}
	return out
}

// ModuleHeap reports the bytes and allocations module code holds in
// kmalloc memory.
func (k *Kernel) ModuleHeap() (bytes, allocations int) {
	ms := k.table.mods
	if ms == nil {
		return 0, 0
	}
	for _, a := range ms.heap.live {
		if !a.internal {
			bytes += int(a.size)
			allocations++
		}
	}
	return
}

// ModuleStats counts what module code did.
type ModuleStats struct {
	Calls     int // module syscalls started
	Preempted int // times module code was preempted at a time-slice end
	Slept     int // times module code slept (semaphore, mutex, msleep, fault)
	Yielded   int // schedule(), a spinlock spin, a page fault that sleeps
	Oopses    int
	Lockups   int
}

// ModuleStats reports the counters of module activity.
func (k *Kernel) ModuleStats() ModuleStats {
	if ms := k.table.mods; ms != nil {
		s := ms.stats
		s.Oopses = ms.oopses
		return s
	}
	return ModuleStats{}
}

// SetModuleLockup sets the soft-lockup watchdog's threshold in
// instructions (0 keeps the default).
func (k *Kernel) SetModuleLockup(n uint64) error {
	ms, err := k.mods()
	if err != nil {
		return err
	}
	if n == 0 {
		n = DefaultLockupInstructions
	}
	ms.lockup = n
	return nil
}

// SetModuleFaultSleeps makes kernel-mode page faults on user pages that
// are not yet present (and copy_to_user/copy_from_user on them) points
// where the task sleeps and others run, as if the page were swapped in
// from disk. The 2019 DM510 report's race needs it.
func (k *Kernel) SetModuleFaultSleeps(on bool) error {
	ms, err := k.mods()
	if err != nil {
		return err
	}
	ms.faultSleeps = on
	return nil
}

// syncKernelHalf copies the template's kernel PDEs into dir (when they
// differ), as Linux's vmalloc_sync does; it reports whether it changed
// anything.
func (ms *modules) syncDir(dir uint32) bool {
	if dir == 0 || dir == ms.dir {
		return false
	}
	src, dst := ms.k.Phys.Page(ms.dir), ms.k.Phys.Page(dir)
	changed := false
	for off := 768 * 4; off < memory.PageSize; off += 4 {
		want := binary.LittleEndian.Uint32(src[off:])
		// The CPU sets accessed bits in the directory it walks: those
		// are no difference.
		if want&^memory.PTEAccessed != binary.LittleEndian.Uint32(dst[off:])&^memory.PTEAccessed {
			binary.LittleEndian.PutUint32(ms.k.Phys.WritablePage(dir)[off:], want)
			changed = true
		}
	}
	return changed
}

// syncKernelHalf brings the CPU's current directory up to date.
func (ms *modules) syncKernelHalf() {
	if ms.syncDir(ms.k.CPU.CR3) {
		ms.k.CPU.FlushTLB()
	}
}

// symbolize names a kernel address: "name+0xoff/0xsize [module]", a
// stub "copy_to_user+0x2/0x8", or the bare address.
func (ms *modules) symbolize(addr uint32) string {
	if addr >= kmodStubs && addr < kmodStubs+uint32(len(kapi))*kmodStubSlot {
		i := (addr - kmodStubs) / kmodStubSlot
		return fmt.Sprintf("%s+%#x/%#x", kapi[i].name, (addr-kmodStubs)%kmodStubSlot, kmodStubSlot)
	}
	if addr == kmodStubs+uint32(len(kapi))*kmodStubSlot {
		return "ret_from_module_call"
	}
	for _, m := range ms.list {
		if m.Image.Contains(addr) {
			if s, off, ok := m.Image.SymbolAt(addr); ok {
				return fmt.Sprintf("%s+%#x/%#x [%s]", s.Name, off, max(s.Size, 1), m.Name)
			}
			return fmt.Sprintf("%#x [%s]", addr, m.Name)
		}
	}
	return fmt.Sprintf("%#08x", addr)
}

// moduleAt is the module whose image holds addr.
func (ms *modules) moduleAt(addr uint32) *loadedModule {
	for _, m := range ms.list {
		if m.Image.Contains(addr) {
			return m
		}
	}
	return nil
}

// inModuleText reports whether addr is code of some module.
func (ms *modules) inModuleText(addr uint32) bool {
	for _, m := range ms.list {
		if m.Image.InText(addr) {
			return true
		}
	}
	return false
}

// moduleNames lists loaded modules as Linux's "Modules linked in:".
func (ms *modules) moduleNames() string {
	var names []string
	for _, m := range ms.list {
		names = append(names, m.Name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// retStub is the address module syscalls return to: the slot after the
// API's, whose int 0x81 tells the kernel the call is complete.
func retStub() uint32 { return kmodStubs + uint32(len(kapi))*kmodStubSlot }

// le32 reads a little-endian word.
func leWord(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// KernelSymbol names a kernel-half address for debuggers and
// disassembly: "copy_to_user+0x2/0x8" for an API stub,
// "sys_msgbox_get+0x1b/0x6c [msgbox]" in a module.
func (k *Kernel) KernelSymbol(addr uint32) (string, bool) {
	ms := k.table.mods
	if ms == nil || addr < mm.TaskSize {
		return "", false
	}
	s := ms.symbolize(addr)
	if strings.HasPrefix(s, "0x") {
		return "", false
	}
	return s, true
}

// ModuleContext returns the kernel-mode registers of the innermost
// module call task pid is sleeping (or was preempted) in, for a debugger
// that shows where in the module the task waits.
func (k *Kernel) ModuleContext(pid int) (regs cpu.State, where string, ok bool) {
	ms := k.table.mods
	t := k.Tasks[pid]
	if ms == nil || t == nil {
		return cpu.State{}, "", false
	}
	kt := ms.tasks[t]
	if kt == nil || len(kt.ctxs) == 0 {
		return cpu.State{}, "", false
	}
	c := kt.ctxs[len(kt.ctxs)-1]
	return c.regs, ms.symbolize(c.regs.EIP), true
}

// KmallocBlock is one live kmalloc allocation of module code.
type KmallocBlock struct {
	Addr, Size uint32
	Module     string // the module whose code allocated it
	Caller     string // where: "sys_msgbox_put+0x2a/0x90 [msgbox]"
}

// ModuleAllocations lists the live kmalloc allocations of module code by
// address, for a viewer of the kernel heap (the messages a msgbox module
// keeps, the list they form).
func (k *Kernel) ModuleAllocations() []KmallocBlock {
	ms := k.table.mods
	if ms == nil {
		return nil
	}
	var out []KmallocBlock
	for addr, a := range ms.heap.live {
		if a.internal {
			continue
		}
		b := KmallocBlock{Addr: addr, Size: a.size, Caller: ms.symbolize(a.caller)}
		if a.mod != nil {
			b.Module = a.mod.Name
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// ReadKernel reads kernel-half memory (module images, the kmalloc heap,
// kernel stacks) for viewers; false where nothing is mapped.
func (k *Kernel) ReadKernel(addr uint32, n int) ([]byte, bool) {
	ms := k.table.mods
	if ms == nil || addr < mm.TaskSize || uint64(addr)+uint64(n) > 1<<32 {
		return nil, false
	}
	b := make([]byte, n)
	for done := 0; done < n; {
		pfn, _, f := k.Phys.Walk(ms.dir, addr+uint32(done), memory.AccessRead)
		if f != nil {
			return nil, false
		}
		off := (addr + uint32(done)) & memory.PageMask
		done += copy(b[done:], k.Phys.Page(pfn)[off:])
	}
	return b, true
}
