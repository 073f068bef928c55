/* kmod_sync: a test module whose calls sleep: msleep, a mutex held across
 * schedule(), the same update without the mutex, a semaphore nobody
 * ups (down_interruptible until a signal), a gate (down, opened by up)
 * and killable waits. */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/semaphore.h>
#include <linux/sched.h>
#include <linux/wait.h>

static DEFINE_MUTEX(lock);
static struct semaphore never, gate;
static long counter, racy;

static int __init sync_init(void)
{
	sema_init(&never, 0);
	sema_init(&gate, 0);
	return 0;
}
module_init(sync_init);

SYSCALL_DEFINE1(sync_sleep, long, ms)
{
	msleep(ms);
	return 0;
}

SYSCALL_DEFINE0(locked_inc)
{
	long v;

	mutex_lock(&lock);
	v = counter;
	schedule();
	counter = v + 1;
	mutex_unlock(&lock);
	return v + 1;
}

SYSCALL_DEFINE0(racy_inc)
{
	long v = racy;

	schedule();
	racy = v + 1;
	return v + 1;
}

SYSCALL_DEFINE0(wait_forever)
{
	return down_interruptible(&never) ? -EINTR : 0;
}

SYSCALL_DEFINE1(get_counter, long, which)
{
	return which ? racy : counter;
}

static DECLARE_WAIT_QUEUE_HEAD(value_wq);
static long value;

SYSCALL_DEFINE0(wait_value)
{
	long err = wait_event_interruptible(value_wq, value != 0);

	return err ? err : value;
}

SYSCALL_DEFINE1(set_value, long, v)
{
	value = v;
	wake_up(&value_wq);
	return 0;
}

SYSCALL_DEFINE0(wait_value_killable)
{
	long err = wait_event_killable(value_wq, value != 0);

	return err ? err : value;
}

SYSCALL_DEFINE0(gate_wait)
{
	down(&gate);
	return 0;
}

SYSCALL_DEFINE0(gate_open)
{
	up(&gate);
	return 0;
}

TRAPDOOR_SYSCALL(537, sys_wait_value_killable, 0);
TRAPDOOR_SYSCALL(538, sys_gate_wait, 0);
TRAPDOOR_SYSCALL(539, sys_gate_open, 0);
TRAPDOOR_SYSCALL(535, sys_wait_value, 0);
TRAPDOOR_SYSCALL(536, sys_set_value, 1);
TRAPDOOR_SYSCALL(530, sys_sync_sleep, 1);
TRAPDOOR_SYSCALL(531, sys_locked_inc, 0);
TRAPDOOR_SYSCALL(532, sys_racy_inc, 0);
TRAPDOOR_SYSCALL(533, sys_wait_forever, 0);
TRAPDOOR_SYSCALL(534, sys_get_counter, 1);
