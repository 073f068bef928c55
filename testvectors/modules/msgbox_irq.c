/*
 * msgbox_irq.c: the message box with the locking the 2019 DM510 report
 * shows to be WRONG, kept as an example of the bug:
 *
 *   1. disable interrupts
 *   2. retrieve the message from the top of the stack without removing it
 *   3. copy_to_user
 *   4. pop it, 5. enable interrupts
 *
 * Disabling interrupts stops preemption, but copy_to_user may take a page
 * fault that sleeps while the page is swapped in; another process then
 * runs msgbox_get and gets the SAME message. Run it on a machine where
 * kernel page faults may sleep (trapdoor run --fault-sleeps) with
 * several readers (fork_test) to see duplicated messages. It also skips
 * the size checks: a negative size reaches kmalloc (-ENOMEM instead of
 * -EINVAL) and msgbox_get copies the whole message whatever the buffer's
 * size.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/irqflags.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DM510 message box with the 2019 report's interrupt-only locking (buggy)");

struct msg {
	struct msg *next;
	long size;
	char *buf;
};

static struct msg *top;

SYSCALL_DEFINE2(msgbox_put, const char __user *, buf, long, size)
{
	unsigned long flags;
	struct msg *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	m->size = size;
	m->buf = kmalloc(size, GFP_KERNEL); /* no check that size >= 0 */
	if (!m->buf) {
		kfree(m);
		return -ENOMEM;
	}
	if (copy_from_user(m->buf, buf, size)) {
		kfree(m->buf);
		kfree(m);
		return -EFAULT;
	}
	local_irq_save(flags);
	m->next = top;
	top = m;
	local_irq_restore(flags);
	return 0;
}

SYSCALL_DEFINE2(msgbox_get, char __user *, buf, long, size)
{
	unsigned long flags;
	struct msg *m;
	long ret;

	local_irq_save(flags);
	m = top;
	if (!m) {
		local_irq_restore(flags);
		return -ENOMSG;
	}
	/* No check of size against m->size. The copy may sleep on a page
	 * fault even though interrupts are off. */
	if (copy_to_user(buf, m->buf, m->size)) {
		local_irq_restore(flags);
		return -EFAULT;
	}
	if (top == m)
		top = m->next;
	else
		printk(KERN_WARNING "msgbox_irq: message %p was taken while we copied it\n", m);
	local_irq_restore(flags);
	ret = m->size;
	kfree(m->buf); /* a second reader of the same message frees it again: oops */
	kfree(m);
	return ret;
}

TRAPDOOR_SYSCALL(500, sys_msgbox_put, 2);
TRAPDOOR_SYSCALL(501, sys_msgbox_get, 2);
