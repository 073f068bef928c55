/* Trapdoor kernel module API: mapping memory into the calling process
 * (anonymous mappings only). */
#ifndef _TRAPDOOR_LINUX_MMAN_H
#define _TRAPDOOR_LINUX_MMAN_H

#include <linux/types.h>

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

struct file;
/* The address of the new mapping, or -errno (test with IS_ERR_VALUE). */
unsigned long vm_mmap(struct file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flag, unsigned long offset);
int vm_munmap(unsigned long start, size_t len);

#endif
