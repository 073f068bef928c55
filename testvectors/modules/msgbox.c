/*
 * msgbox.c: the DM510 message box as a loadable Trapdoor module, in the
 * style of the 2019 report: a stack of messages in a list, stack
 * operations under a spinlock, and a semaphore serialising msgbox_get so
 * a message is copied to user space *before* it is popped (a copy that
 * faults, or a buffer that is too small, leaves the message on the
 * stack). The same semantics as Trapdoor's built-in "keep" policy:
 *
 *   put: -EINVAL size < 0, -EFAULT NULL or bad buffer, -ENOMEM past 1 MiB
 *   get: -EINVAL size < 0, -ENOMSG empty, -EFAULT NULL or bad buffer,
 *        -EMSGSIZE buffer too small; else the message's length
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/semaphore.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DM510 message box (2019 report design)");

#define MSGBOX_MEMORY (1 << 20) /* bytes the messages may hold */
#define MSG_HEADER 16           /* what a message costs beyond its bytes */

typedef struct dm510_msg {
	char *buf;
	long size;
	struct list_head stack_entry;
} dm510_msg_t;

static LIST_HEAD(msg_stack);
static DEFINE_SPINLOCK(list_lock);
static DEFINE_SEMAPHORE(dm510_sem);
static long memory_used;

#define dm510_msg_of(entry) list_entry(entry, dm510_msg_t, stack_entry)

static dm510_msg_t *dm510_msg_init(long size)
{
	dm510_msg_t *msg = kmalloc(sizeof(*msg), GFP_KERNEL);

	if (!msg)
		return NULL;
	msg->size = size;
	msg->buf = kmalloc(size, GFP_KERNEL);
	if (!msg->buf) {
		kfree(msg);
		return NULL;
	}
	return msg;
}

static void dm510_msg_destroy(dm510_msg_t *msg)
{
	kfree(msg->buf);
	kfree(msg);
}

static inline void dm510_list_atomic_push(dm510_msg_t *msg)
{
	spin_lock(&list_lock);
	list_add(&msg->stack_entry, &msg_stack);
	spin_unlock(&list_lock);
}

static inline void dm510_list_atomic_remove(dm510_msg_t *msg)
{
	spin_lock(&list_lock);
	list_del(&msg->stack_entry);
	spin_unlock(&list_lock);
}

static inline dm510_msg_t *dm510_list_peek(void)
{
	/* Only msgbox_get removes, and it holds dm510_sem. */
	return dm510_msg_of(msg_stack.next);
}

/* Charge (or with a negative n, refund) message memory; 0 or -ENOMEM. */
static long charge(long n)
{
	unsigned long flags;
	long ret = 0;

	spin_lock_irqsave(&list_lock, flags);
	if (n > 0 && memory_used + n > MSGBOX_MEMORY)
		ret = -ENOMEM;
	else
		memory_used += n;
	spin_unlock_irqrestore(&list_lock, flags);
	return ret;
}

SYSCALL_DEFINE2(dm510_msgbox_put, const char __user *, buf, long, size)
{
	dm510_msg_t *msg;

	if (size < 0)
		return -EINVAL;
	if (buf == NULL)
		return -EFAULT;
	if (charge(size + MSG_HEADER))
		return -ENOMEM;
	msg = dm510_msg_init(size);
	if (!msg) {
		charge(-(size + MSG_HEADER));
		return -ENOMEM;
	}
	if (copy_from_user(msg->buf, buf, size)) {
		dm510_msg_destroy(msg);
		charge(-(size + MSG_HEADER));
		return -EFAULT;
	}
	dm510_list_atomic_push(msg);
	return 0;
}

SYSCALL_DEFINE2(dm510_msgbox_get, char __user *, buf, long, size)
{
	dm510_msg_t *msg;
	long ret;

	if (size < 0)
		return -EINVAL;
	if (down_interruptible(&dm510_sem))
		return -EINTR;
	if (list_empty(&msg_stack)) {
		up(&dm510_sem);
		return -ENOMSG;
	}
	if (buf == NULL) {
		up(&dm510_sem);
		return -EFAULT;
	}
	msg = dm510_list_peek();
	if (msg->size > size) {
		up(&dm510_sem);
		return -EMSGSIZE;
	}
	if (copy_to_user(buf, msg->buf, msg->size)) {
		up(&dm510_sem);
		return -EFAULT;
	}
	dm510_list_atomic_remove(msg);
	up(&dm510_sem);

	ret = msg->size;
	charge(-(msg->size + MSG_HEADER));
	dm510_msg_destroy(msg);
	return ret;
}

TRAPDOOR_SYSCALL(500, sys_dm510_msgbox_put, 2);
TRAPDOOR_SYSCALL(501, sys_dm510_msgbox_get, 2);

static void __exit msgbox_exit(void)
{
	dm510_msg_t *msg, *next;

	list_for_each_entry_safe(msg, next, &msg_stack, stack_entry) {
		list_del(&msg->stack_entry);
		dm510_msg_destroy(msg);
	}
	memory_used = 0;
}
module_exit(msgbox_exit);
