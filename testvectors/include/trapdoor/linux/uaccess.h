/* Trapdoor kernel module API: user memory access with Linux's
 * semantics. User space ends at TASK_SIZE (0xC0000000); access_ok checks
 * only the range, as on Linux, so a copy may still fault: copy_from_user
 * and copy_to_user then return the number of bytes NOT copied
 * (copy_from_user zero-fills what it could not read), get_user/put_user
 * and strncpy_from_user return -EFAULT. None of them kills the machine. */
#ifndef _TRAPDOOR_LINUX_UACCESS_H
#define _TRAPDOOR_LINUX_UACCESS_H

#include <linux/types.h>
#include <linux/errno.h>

#define TASK_SIZE 0xC0000000UL
#define VERIFY_READ 0
#define VERIFY_WRITE 1

static inline int __trapdoor_range_ok(unsigned long addr, unsigned long size)
{
	return size <= TASK_SIZE && addr <= TASK_SIZE - size;
}

/* access_ok(addr, size) as Linux 5.0+, or access_ok(type, addr, size)
 * as the kernels of the 2019 report. */
#define __access_ok2(addr, size) __trapdoor_range_ok((unsigned long)(addr), (unsigned long)(size))
#define __access_ok3(type, addr, size) ((void)(type), __access_ok2(addr, size))
#define __access_ok_pick(_1, _2, _3, name, ...) name
#define access_ok(...) __access_ok_pick(__VA_ARGS__, __access_ok3, __access_ok2, __access_ok_bad)(__VA_ARGS__)

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
#define __copy_from_user copy_from_user
#define __copy_to_user copy_to_user
#define raw_copy_from_user copy_from_user
#define raw_copy_to_user copy_to_user
unsigned long clear_user(void __user *to, unsigned long n);
long strncpy_from_user(char *dst, const char __user *src, long count);
long strnlen_user(const char __user *src, long n);
#define strlen_user(s) strnlen_user(s, 0x7fffffff)

long __trapdoor_get_user(void *kdst, const void __user *usrc, unsigned long size);
long __trapdoor_put_user(const void *ksrc, void __user *udst, unsigned long size);

#define get_user(x, ptr) ({ \
	unsigned long long __gu_val = 0; \
	long __gu_err = __trapdoor_get_user(&__gu_val, (ptr), sizeof(*(ptr))); \
	(x) = (__typeof__(*(ptr)))__builtin_choose_expr(sizeof(*(ptr)) > 4, __gu_val, (unsigned long)__gu_val); \
	__gu_err; })
#define put_user(x, ptr) ({ \
	__typeof__(*(ptr)) __pu_val = (x); \
	__trapdoor_put_user(&__pu_val, (ptr), sizeof(*(ptr))); })
#define __get_user get_user
#define __put_user put_user

#endif
