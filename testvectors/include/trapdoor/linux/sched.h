/* Trapdoor kernel module API: tasks. `current` is the calling task;
 * the fields below are filled from the kernel's task each time it is
 * asked for (comm and mm->arg_* writes are taken back). */
#ifndef _TRAPDOOR_LINUX_SCHED_H
#define _TRAPDOOR_LINUX_SCHED_H

#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/cred.h>
#include <linux/signal.h>

#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define __TASK_STOPPED 4
#define __TASK_TRACED 8
#define EXIT_DEAD 16
#define EXIT_ZOMBIE 32
#define TASK_PARKED 64
#define TASK_DEAD 128 /* Linux 4.14 on; a zombie's state (EXIT_ZOMBIE is in exit_state) */
#define TASK_WAKEKILL 256
#define TASK_WAKING 512
#define TASK_NOLOAD 1024
#define TASK_NEW 2048
#define TASK_STATE_MAX 4096
/* Linux 4.15's convenience states: what a stopped task (do_signal_stop),
 * a killable sleep (a vfork parent, mutex_lock_killable) and a traced
 * task hold. */
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE) /* 258 */
#define TASK_STOPPED (TASK_WAKEKILL | __TASK_STOPPED)        /* 260 */
#define TASK_TRACED (TASK_WAKEKILL | __TASK_TRACED)          /* 264 */
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_COMM_LEN 16

struct task_struct {
	volatile long state; /* TASK_RUNNING, TASK_INTERRUPTIBLE (sleeping)... */
	void *stack;         /* the kernel stack */
	unsigned int flags;
	int prio;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct mm_struct *mm; /* NULL for kernel threads (and module init) */
	struct mm_struct *active_mm;
	const struct cred *real_cred;
	const struct cred *cred;
	int exit_state;
	int exit_code;
	char comm[TASK_COMM_LEN];
};

struct task_struct *get_current(void);
#define current get_current()

struct task_struct *find_task_by_vpid(pid_t nr);
struct pid;
static inline struct pid *find_vpid(int nr) { return (struct pid *)(unsigned long)nr; }
static inline struct pid *find_get_pid(int nr) { return find_vpid(nr); }
static inline void put_pid(struct pid *pid) { (void)pid; }
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID };
static inline struct task_struct *pid_task(struct pid *pid, enum pid_type type)
{
	(void)type;
	return find_task_by_vpid((pid_t)(unsigned long)pid);
}
static inline pid_t task_pid_nr(struct task_struct *t) { return t->pid; }
static inline pid_t task_tgid_nr(struct task_struct *t) { return t->tgid; }
static inline void get_task_struct(struct task_struct *t) { (void)t; }
static inline void put_task_struct(struct task_struct *t) { (void)t; }
#define get_task_comm(buf, tsk) strncpy(buf, (tsk)->comm, sizeof(buf))

/* for_each_process(p): every process (thread group leader), in pid
 * order, zombies included. */
struct task_struct *__trapdoor_next_task(struct task_struct *prev);
#define for_each_process(p) for (p = __trapdoor_next_task(NULL); p; p = __trapdoor_next_task(p))

/* force_sig(sig) (Linux 5.3+) or force_sig(sig, task): the signal from
 * the kernel (SI_KERNEL). */
int __trapdoor_force_sig(int sig, struct task_struct *p);
#define __force_sig1(sig) __trapdoor_force_sig(sig, NULL)
#define __force_sig2(sig, p) __trapdoor_force_sig(sig, p)
#define __force_sig_pick(_1, _2, name, ...) name
#define force_sig(...) __force_sig_pick(__VA_ARGS__, __force_sig2, __force_sig1)(__VA_ARGS__)

/* schedule() gives the CPU to other tasks once; module code resumes
 * where it called it. */
void schedule(void);
int cond_resched(void);
void yield(void);
int signal_pending(struct task_struct *p);

#endif
