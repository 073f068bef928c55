package protocol

// ModuleState is what the kernel modules panel shows: the modules loaded
// (insmod'ed before the program started), the syscall table rows each
// replaces, and the kmalloc memory their code holds.
type ModuleState struct {
	Modules     []Module       `json:"modules,omitempty"`
	Allocations []KmallocBlock `json:"allocations,omitempty"`
	HeapBytes   int            `json:"heapBytes,omitempty"`
	HeapCount   int            `json:"heapCount,omitempty"`
	Calls       int            `json:"calls,omitempty"`  // module syscalls started
	Oopses      int            `json:"oopses,omitempty"` // oopses in module code
	// In is where in a module the task on the CPU is (its symbol), InEIP
	// the address, while it is inside a module's system call.
	In    string `json:"in,omitempty"`
	InEIP uint32 `json:"inEIP,omitempty"`
}

// Module is one loaded module: where its image is, and the system calls
// it binds in place of the kernel's rows at their numbers.
type Module struct {
	Name     string          `json:"name"`
	Base     uint32          `json:"base"`
	Size     uint32          `json:"size"`
	Syscalls []ModuleSyscall `json:"syscalls,omitempty"`
}

// ModuleSyscall is one syscall table row a module replaces.
type ModuleSyscall struct {
	Nr   int    `json:"nr"`
	Name string `json:"name"` // the module's function: sys_dm510_msgbox_put
	Args int    `json:"args"`
}

// KmallocBlock is one live kmalloc allocation of module code.
type KmallocBlock struct {
	Addr   uint32 `json:"addr"`
	Size   uint32 `json:"size"`
	Module string `json:"module,omitempty"`
	Caller string `json:"caller,omitempty"` // where it was allocated
}

// ModuleEntry is an example kernel module the site ships (from
// testvectors/modules): Name is the file ("msgbox.o"), URL as
// Request.URL, Purpose the first sentence of its source's header.
type ModuleEntry struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	Purpose string `json:"purpose,omitempty"`
}
