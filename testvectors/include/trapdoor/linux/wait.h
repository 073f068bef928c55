/* Trapdoor kernel module API: wait queues. wait_event(wq, condition)
 * sleeps until the condition holds, re-checking it after every
 * wake_up(wq); the _interruptible form returns -ERESTARTSYS when a
 * signal interrupts the wait (the caller returns it; user space sees
 * EINTR). A wake-up between the check and the sleep is not lost: the
 * queue's generation count changes and the sleep does not happen. */
#ifndef _TRAPDOOR_LINUX_WAIT_H
#define _TRAPDOOR_LINUX_WAIT_H

#include <linux/list.h>
#include <linux/spinlock.h>

typedef struct wait_queue_head {
	spinlock_t lock;
	volatile unsigned int __gen; /* bumped by every wake_up */
	struct list_head head;
} wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { .lock = { 0 }, .__gen = 0, .head = LIST_HEAD_INIT((name).head) }
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	wq->lock.slock = 0;
	wq->__gen = 0;
	INIT_LIST_HEAD(&wq->head);
}

/* Sleeps unless wq was woken since generation gen; 0, or -ERESTARTSYS
 * when a signal ended an interruptible wait. kind: 0 wait_event
 * (TASK_UNINTERRUPTIBLE), 1 wait_event_interruptible
 * (TASK_INTERRUPTIBLE), 2 wait_event_killable (TASK_KILLABLE). */
long __trapdoor_wait(wait_queue_head_t *wq, unsigned int gen, int kind);
void wake_up(wait_queue_head_t *wq);
#define wake_up_interruptible wake_up
#define wake_up_all wake_up
#define wake_up_interruptible_all wake_up

#define __trapdoor_wait_event(wq, condition, intr) ({ \
	long __ret = 0; \
	for (;;) { \
		unsigned int __gen = READ_ONCE((wq).__gen); \
		if (condition) \
			break; \
		if (__trapdoor_wait(&(wq), __gen, intr)) { \
			__ret = -ERESTARTSYS; \
			break; \
		} \
	} \
	__ret; })
#define wait_event(wq, condition) ((void)__trapdoor_wait_event(wq, condition, 0))
#define wait_event_interruptible(wq, condition) __trapdoor_wait_event(wq, condition, 1)
#define wait_event_killable(wq, condition) __trapdoor_wait_event(wq, condition, 2)

#endif
