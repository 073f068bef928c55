/*
 * sayhello.c: the NCTU HW4 system calls as a Trapdoor module.
 *   sayhello (502): printk(KERN_DEBUG "Hello !") into the kernel log.
 *   sayhello2 (503): copy_from_user a name, copy_to_user "Hello NAME !";
 *     returns the greeting's length, -EFAULT, -EINVAL (outlen too small).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/slab.h>

MODULE_LICENSE("GPL");

#define NAME_MAX_LEN 4096 /* a page, as the name's kernel buffer */

asmlinkage long sys_sayhello(void)
{
	printk(KERN_DEBUG "Hello !\n");
	return 0;
}

asmlinkage long sys_sayhello2(const char __user *name, char __user *out, long outlen)
{
	char *kname, *greeting;
	long n, ret;
	int len;

	if (!name)
		return -EFAULT;
	kname = kmalloc(NAME_MAX_LEN, GFP_KERNEL);
	greeting = kmalloc(NAME_MAX_LEN + 16, GFP_KERNEL);
	if (!kname || !greeting) {
		ret = -ENOMEM;
		goto out;
	}
	n = strncpy_from_user(kname, name, NAME_MAX_LEN);
	if (n < 0) {
		ret = -EFAULT;
		goto out;
	}
	if (n == NAME_MAX_LEN) { /* no NUL within a page */
		ret = -EINVAL;
		goto out;
	}
	len = snprintf(greeting, NAME_MAX_LEN + 16, "Hello %s !", kname);
	if (outlen < len + 1) {
		ret = -EINVAL;
		goto out;
	}
	ret = copy_to_user(out, greeting, len + 1) ? -EFAULT : len;
out:
	kfree(kname);
	kfree(greeting);
	return ret;
}

TRAPDOOR_SYSCALL(502, sys_sayhello, 0);
TRAPDOOR_SYSCALL(503, sys_sayhello2, 3);
