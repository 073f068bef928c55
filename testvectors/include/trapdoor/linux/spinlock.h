/* Trapdoor kernel module API: spinlocks. On Trapdoor's single CPU a
 * spinlock disables preemption while held, as on a uniprocessor Linux;
 * the lock word also records the owner, so recursion is reported
 * ("BUG: spinlock recursion") instead of hanging. */
#ifndef _TRAPDOOR_LINUX_SPINLOCK_H
#define _TRAPDOOR_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>

typedef struct spinlock {
	volatile unsigned int slock; /* 0: free; else the owner's pid + 1 */
} spinlock_t;
typedef spinlock_t raw_spinlock_t;
typedef spinlock_t rwlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define __RAW_SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)
#define DEFINE_RAW_SPINLOCK(name) raw_spinlock_t name = __RAW_SPIN_LOCK_UNLOCKED(name)
#define DEFINE_RWLOCK(name) rwlock_t name = { 0 }

static inline void spin_lock_init(spinlock_t *lock) { lock->slock = 0; }
#define raw_spin_lock_init spin_lock_init
#define rwlock_init spin_lock_init

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
static inline int spin_is_locked(spinlock_t *lock) { return lock->slock != 0; }

#define spin_lock_irqsave(lock, flags) do { local_irq_save(flags); spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) do { spin_unlock(lock); local_irq_restore(flags); } while (0)
#define spin_lock_irq(lock) do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock) do { spin_unlock(lock); local_irq_enable(); } while (0)
#define spin_lock_bh spin_lock
#define spin_unlock_bh spin_unlock
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
#define read_lock spin_lock
#define read_unlock spin_unlock
#define write_lock spin_lock
#define write_unlock spin_unlock

#endif
