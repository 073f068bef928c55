/* Trapdoor kernel module API: counting semaphores. down() and
 * down_interruptible() put the task to sleep inside module code; it
 * resumes there when up() wakes it. down_interruptible returns -EINTR
 * when a signal is pending. */
#ifndef _TRAPDOOR_LINUX_SEMAPHORE_H
#define _TRAPDOOR_LINUX_SEMAPHORE_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct semaphore {
	raw_spinlock_t lock;
	unsigned int count;
	struct list_head wait_list;
};

#define __SEMAPHORE_INITIALIZER(name, n) { .lock = { 0 }, .count = (n), .wait_list = LIST_HEAD_INIT((name).wait_list) }
/* DEFINE_SEMAPHORE(name) (count 1, Linux up to 6.3) or (name, count). */
#define __DEFINE_SEMAPHORE1(name) struct semaphore name = __SEMAPHORE_INITIALIZER(name, 1)
#define __DEFINE_SEMAPHORE2(name, n) struct semaphore name = __SEMAPHORE_INITIALIZER(name, n)
#define __DEFINE_SEMAPHORE_PICK(_1, _2, name, ...) name
#define DEFINE_SEMAPHORE(...) __DEFINE_SEMAPHORE_PICK(__VA_ARGS__, __DEFINE_SEMAPHORE2, __DEFINE_SEMAPHORE1)(__VA_ARGS__)

static inline void sema_init(struct semaphore *sem, int val)
{
	sem->lock.slock = 0;
	sem->count = val;
	INIT_LIST_HEAD(&sem->wait_list);
}

void down(struct semaphore *sem);
int down_interruptible(struct semaphore *sem);
int down_killable(struct semaphore *sem);
int down_trylock(struct semaphore *sem);
void up(struct semaphore *sem);

#endif
