/* kmod_str: kmod_str_cases.h on the kernel API (syscall 550), and the
 * kernel-only helpers (syscall 551). */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/semaphore.h>
#include <linux/mutex.h>

#include "kmod_str_cases.h"

SYSCALL_DEFINE2(str_cases, char __user *, out, long, size)
{
	char buf[1024];
	int n = run_cases(buf, sizeof(buf));

	return copy_to_user(out, buf, min_t(long, size, n + 1)) ? -EFAULT : n;
}

static DEFINE_SPINLOCK(lock);
static DEFINE_SEMAPHORE(sem);
static DEFINE_MUTEX(mtx);

static void vlog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

SYSCALL_DEFINE3(kernel_only, char __user *, out, long, size, char __user *, scratch)
{
	char buf[512], s[8];
	int n = 0;
	char *p, *q;
	int *arr, r1, r2;

#define P(...) n += snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__)
	P("strlcpy %d %s\n", (int)strlcpy(s, "truncated", sizeof(s)), s);
	P("strscpy %d %s %d\n", (int)strscpy(s, "toolongstring", sizeof(s)), s, (int)strscpy(s, "ok", sizeof(s)));
	p = kstrdup("dup", GFP_KERNEL);
	q = kmemdup("mem\0dup", 8, GFP_KERNEL);
	P("kstrdup %s kmemdup %s/%s ksize %d\n", p, q, q + 4, (int)ksize(q));
	p = krealloc(p, 64, GFP_KERNEL);
	P("krealloc kept %s\n", p);
	arr = kcalloc(4, sizeof(int), GFP_KERNEL);
	P("kcalloc %d%d%d%d overflow %d\n", arr[0], arr[1], arr[2], arr[3], kmalloc_array(0x40000000, 8, GFP_KERNEL) == NULL);
	kfree(p);
	kfree(q);
	kfree(arr);
	P("kmalloc0 %d kfree(NULL) ok\n", ZERO_OR_NULL_PTR(kmalloc(0, GFP_KERNEL)));
	kfree(NULL);
	/* Each pair in order (argument evaluation order is unspecified). */
	r1 = spin_trylock(&lock);
	r2 = spin_trylock(&lock);
	P("spin_trylock %d %d\n", r1, r2);
	spin_unlock(&lock);
	r1 = down_trylock(&sem);
	r2 = down_trylock(&sem);
	P("down_trylock %d %d\n", r1, r2);
	up(&sem);
	r1 = mutex_trylock(&mtx);
	r2 = mutex_trylock(&mtx);
	P("mutex_trylock %d %d locked %d\n", r1, r2, mutex_is_locked(&mtx));
	mutex_unlock(&mtx);
	P("clear_user %lu strnlen_user %ld %ld\n", clear_user(scratch, 4), strnlen_user(scratch + 8, 100), strnlen_user((char __user *)0xC0000000, 10));
	vlog(KERN_INFO "vprintk %d %s\n", 42, "works");
	dump_stack();
#undef P
	return copy_to_user(out, buf, min_t(long, size, n + 1)) ? -EFAULT : n;
}

SYSCALL_DEFINE0(panic_test)
{
	panic("giving up: %d", 7);
}

TRAPDOOR_SYSCALL(550, sys_str_cases, 2);
TRAPDOOR_SYSCALL(551, sys_kernel_only, 3);
TRAPDOOR_SYSCALL(552, sys_panic_test, 0);
