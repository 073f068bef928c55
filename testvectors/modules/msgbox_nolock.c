/*
 * msgbox_nolock.c: the 2023 DM510 report's message box (truncate policy:
 * a message that does not fit is cut, and it is gone either way) with
 * its local_irq_save/restore taken out: push and pop are unprotected, so
 * a task preempted between reading `top` and writing it back races with
 * another. Under some scheduler seeds fork_test -p truncate then sees
 * lost messages (a push overwritten by a stale pop) or the same message
 * popped twice (a double kfree, which oopses).
 */
#include <linux/syscalls.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/minmax.h>

MODULE_LICENSE("GPL");

struct msg_t {
	struct msg_t *previous;
	size_t length;
	char *message;
};

static struct msg_t *top = NULL;

static void destroy(struct msg_t *msg)
{
	kfree(msg->message);
	kfree(msg);
}

static void push(struct msg_t *msg)
{
	msg->previous = top;
	top = msg;
}

static struct msg_t *pop(void)
{
	struct msg_t *msg;

	msg = top;
	top = msg->previous;
	return msg;
}

SYSCALL_DEFINE2(dm510_msgbox_put, char __user *, buf, size_t, len)
{
	struct msg_t *msg;

	if (!buf)
		return -EFAULT;
	msg = kmalloc(sizeof(struct msg_t), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	msg->length = len;
	msg->message = kmalloc(len, GFP_KERNEL);
	if (!msg->message) {
		kfree(msg);
		return -ENOMEM;
	}
	if (copy_from_user(msg->message, buf, len)) {
		destroy(msg);
		return -EFAULT;
	}
	push(msg);
	return 0;
}

SYSCALL_DEFINE2(dm510_msgbox_get, char __user *, buf, size_t, len)
{
	struct msg_t *msg;
	size_t mlen;
	long ret;

	if (!top)
		return -ENODATA;
	if (!buf)
		return -EFAULT;
	msg = pop();
	mlen = msg->length;
	ret = mlen;
	if (copy_to_user(buf, msg->message, min(mlen, len)))
		ret = -EFAULT;
	destroy(msg);
	return ret;
}

TRAPDOOR_SYSCALL(500, sys_dm510_msgbox_put, 2);
TRAPDOOR_SYSCALL(501, sys_dm510_msgbox_get, 2);
