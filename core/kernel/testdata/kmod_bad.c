/* kmod_bad: test modules that go wrong, one syscall each (built with
 * -DWHICH=...): a NULL dereference, a spin with a spinlock held, a
 * preemptible spin, a double kfree, a BUG_ON, a kmalloc that is never
 * freed, a recursion that overflows the 8 KiB kernel stack. */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(lock);
static volatile int forever = 1;

struct thing {
	int a, b;
};

static noinline int deref(struct thing *t)
{
	return t->b;
}

SYSCALL_DEFINE1(kmod_null, long, x)
{
	struct thing *t = x ? kmalloc(sizeof(*t), GFP_KERNEL) : NULL;
	return deref(t);
}

SYSCALL_DEFINE0(kmod_spin_locked)
{
	spin_lock(&lock);
	while (forever)
		;
	spin_unlock(&lock);
	return 0;
}

SYSCALL_DEFINE0(kmod_spin)
{
	while (forever)
		;
	return 0;
}

SYSCALL_DEFINE0(kmod_double_free)
{
	void *p = kmalloc(32, GFP_KERNEL);
	kfree(p);
	kfree(p);
	return 0;
}

SYSCALL_DEFINE1(kmod_bug, long, x)
{
	BUG_ON(x == 7);
	return x;
}

SYSCALL_DEFINE1(kmod_leak, long, n)
{
	return kmalloc(n, GFP_KERNEL) ? 0 : -ENOMEM;
}

static noinline long recurse(long n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	return n ? recurse(n - 1) + pad[0] : 0;
}

SYSCALL_DEFINE1(kmod_recurse, long, n)
{
	return recurse(n);
}

TRAPDOOR_SYSCALL(526, sys_kmod_recurse, 1);
TRAPDOOR_SYSCALL(520, sys_kmod_null, 1);
TRAPDOOR_SYSCALL(521, sys_kmod_spin_locked, 0);
TRAPDOOR_SYSCALL(522, sys_kmod_spin, 0);
TRAPDOOR_SYSCALL(523, sys_kmod_double_free, 0);
TRAPDOOR_SYSCALL(524, sys_kmod_bug, 1);
TRAPDOOR_SYSCALL(525, sys_kmod_leak, 1);
