/* Trapdoor kernel module API: kmalloc and friends. Every allocation is
 * tracked: unloading a module reports what it never freed, and kfree of
 * a pointer kmalloc did not return (a double free) oopses. Freed memory
 * is poisoned with 0x6b. */
#ifndef _TRAPDOOR_LINUX_SLAB_H
#define _TRAPDOOR_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define KMALLOC_MAX_SIZE (4UL << 20)

void *kmalloc(size_t size, gfp_t flags);
void *__kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *krealloc(const void *p, size_t size, gfp_t flags);
void kfree(const void *p);
void kzfree(const void *p);
void kfree_sensitive(const void *p);
size_t ksize(const void *p);
void *kvmalloc(size_t size, gfp_t flags);
void kvfree(const void *p);

#endif
