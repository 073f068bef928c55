/* Trapdoor kernel module API: mutexes (sleeping locks with an owner). */
#ifndef _TRAPDOOR_LINUX_MUTEX_H
#define _TRAPDOOR_LINUX_MUTEX_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct mutex {
	volatile unsigned long owner; /* 0: free; else the owner's pid + 1 */
	spinlock_t wait_lock;
	struct list_head wait_list;
};

#define __MUTEX_INITIALIZER(name) { .owner = 0, .wait_lock = { 0 }, .wait_list = LIST_HEAD_INIT((name).wait_list) }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)

static inline void mutex_init(struct mutex *lock)
{
	lock->owner = 0;
	lock->wait_lock.slock = 0;
	INIT_LIST_HEAD(&lock->wait_list);
}

static inline int mutex_is_locked(struct mutex *lock) { return lock->owner != 0; }
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_lock_killable(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#endif
