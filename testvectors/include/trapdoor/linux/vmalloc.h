#ifndef _TRAPDOOR_LINUX_VMALLOC_H
#define _TRAPDOOR_LINUX_VMALLOC_H
#include <linux/types.h>
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void vfree(const void *p);
#endif
