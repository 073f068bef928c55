/* Trapdoor kernel module API: the address space as module code sees it.
 * The kernel writes these from its own structures each time `current`
 * or find_task_by_vpid is asked for; writes to arg_start, arg_end,
 * env_start and env_end are taken back when the module call returns, so
 * a moved command line shows in /proc/PID/cmdline and ps. */
#ifndef _TRAPDOOR_LINUX_MM_TYPES_H
#define _TRAPDOOR_LINUX_MM_TYPES_H

#include <linux/types.h>

#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_GROWSDOWN 0x00000100UL

struct mm_struct;
struct file;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct vm_area_struct *vm_next, *vm_prev;
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
};

struct mm_struct {
	struct vm_area_struct *mmap; /* the VMAs, sorted, linked by vm_next */
	int map_count;
	unsigned long task_size;
	unsigned long total_vm;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
};

#endif
