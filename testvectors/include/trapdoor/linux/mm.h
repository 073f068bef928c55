#ifndef _TRAPDOOR_LINUX_MM_H
#define _TRAPDOOR_LINUX_MM_H
#include <linux/mm_types.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/* The first VMA that ends above addr, or NULL (Linux's find_vma). */
static inline struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	for (vma = mm ? mm->mmap : NULL; vma; vma = vma->vm_next)
		if (addr < vma->vm_end)
			return vma;
	return NULL;
}
#endif
