#ifndef _TRAPDOOR_LINUX_PREEMPT_H
#define _TRAPDOOR_LINUX_PREEMPT_H
/* While the preemption count is above zero (a spinlock is held) the
 * scheduler does not preempt module code. */
void preempt_disable(void);
void preempt_enable(void);
#define preempt_enable_no_resched() preempt_enable()
#endif
