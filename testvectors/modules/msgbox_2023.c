/*
 * msgbox_2023.c: the 2023 DM510 report's message box as its listing A.1
 * has it (truncate policy: a message that does not fit is cut, and it is
 * gone either way; -ENODATA when empty), push and pop under
 * local_irq_save/restore. On Trapdoor's single CPU that is enough for
 * fork_test -p truncate. Its own design choices show in msgbox_abuse
 * truncate: no check of negative sizes (size_t), so they fail with
 * ENOMEM instead of EINVAL.
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
	unsigned long flags;

	local_irq_save(flags);
	msg->previous = top;
	top = msg;
	local_irq_restore(flags);
}

static struct msg_t *pop(void)
{
	unsigned long flags;
	struct msg_t *msg;

	local_irq_save(flags);
	msg = top;
	top = msg->previous;
	local_irq_restore(flags);

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
