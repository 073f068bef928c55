/* kmod_fmt: the kernel's snprintf on kmod_fmt_cases.h, copied out one
 * case per call (syscall 540: case index, buffer, size). */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

SYSCALL_DEFINE3(fmt_case, long, which, char __user *, out, long, size)
{
	char buf[256];
	long n = -1, i = 0;

#define CASE(...) if (i++ == which) n = snprintf(buf, sizeof(buf), __VA_ARGS__);
#include "kmod_fmt_cases.h"
#undef CASE
	if (n < 0)
		return -EINVAL;
	if (copy_to_user(out, buf, min_t(long, size, n + 1)))
		return -EFAULT;
	return n;
}
TRAPDOOR_SYSCALL(540, sys_fmt_case, 3);

/* kstrtoint on a user string: the value, or -errno. */
SYSCALL_DEFINE2(kstr, const char __user *, us, long, base)
{
	char s[64];
	int v, err;

	if (strncpy_from_user(s, us, sizeof(s)) < 0)
		return -EFAULT;
	s[sizeof(s) - 1] = '\0';
	err = kstrtoint(s, base, &v);
	return err ? err : v;
}
TRAPDOOR_SYSCALL(541, sys_kstr, 2);

/* Partial user copies: dir 0 copy_to_user, 1 copy_from_user (then 1000 x
 * uncopied + 1 if the uncopied tail of the kernel buffer is zero), 2
 * get_user, 3 put_user of n, 4 access_ok(u, n). */
SYSCALL_DEFINE3(copy_test, char __user *, u, long, n, long, dir)
{
	static char kbuf[1024];
	unsigned long left;
	int v, i, zero = 1;

	switch (dir) {
	case 0:
		memset(kbuf, 'k', sizeof(kbuf));
		return copy_to_user(u, kbuf, n);
	case 1:
		memset(kbuf, 'x', sizeof(kbuf));
		left = copy_from_user(kbuf, u, n);
		for (i = n - left; i < n; i++)
			if (kbuf[i])
				zero = 0;
		return left * 1000 + zero;
	case 2:
		return get_user(v, (int __user *)u) ? -EFAULT : v;
	case 3:
		return put_user((int)n, (int __user *)u);
	case 4:
		return access_ok(u, n);
	}
	return -EINVAL;
}
TRAPDOOR_SYSCALL(542, sys_copy_test, 3);

/* printk continuation lines. */
SYSCALL_DEFINE0(cont_test)
{
	printk(KERN_INFO "a");
	pr_cont("b");
	pr_cont("c\n");
	printk(KERN_ERR "x");
	printk(KERN_INFO "y\n");
	printk(KERN_DEBUG "two\nlines\n");
	printk("tail without newline");
	return 0;
}
TRAPDOOR_SYSCALL(543, sys_cont_test, 0);

/* for_each_process, find_vma and force_sig. */
#include <linux/sched.h>
#include <linux/mm.h>
SYSCALL_DEFINE1(walk_test, long, addr)
{
	struct task_struct *p;
	struct vm_area_struct *vma;
	int n = 0, found = 0;

	for_each_process(p) {
		n++;
		if (p == current)
			found = 1;
	}
	vma = find_vma(current->mm, addr);
	printk(KERN_INFO "walk: %d processes, current among them: %d, vma %s\n", n, found,
	       vma && vma->vm_start <= (unsigned long)addr ? "found" : "none");
	if (addr == 0)
		force_sig(SIGUSR2);
	return n;
}
TRAPDOOR_SYSCALL(544, sys_walk_test, 1);
