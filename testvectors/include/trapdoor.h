/*
 * trapdoor.h: the course system calls of Trapdoor's kernel (i386).
 *
 * The numbers are fixed: programs, scenarios and graders depend on them.
 * They are the same in every kernel profile; the "linux-4.15" profile
 * additionally answers pf_set_param, pf_get_info and pf_cleanup at 385,
 * 386 and 387, the numbers the INFO0940 handout uses.
 *
 * Each wrapper returns what syscall(2) returns: the result, or -1 with
 * errno set.
 */
#ifndef TRAPDOOR_H
#define TRAPDOOR_H

#include <stddef.h>
#include <unistd.h>
#include <sys/syscall.h>

#define __NR_msgbox_put      500
#define __NR_msgbox_get      501
#define __NR_sayhello        502
#define __NR_sayhello2       503
#define __NR_change_cmdline  504
#define __NR_task_info       505
#define __NR_kernel_signal   506
#define __NR_pf_set_param    507
#define __NR_pf_get_info     508
#define __NR_pf_cleanup      509

/* INFO0940's numbers, answered by the linux-4.15 profile only. */
#define __NR_pf_set_param_4_15 385
#define __NR_pf_get_info_4_15  386
#define __NR_pf_cleanup_4_15   387

/* task_info: state holds Linux 4.15's task->state (include/linux/sched.h):
 * 0 running, 1 sleeping in an interruptible wait (wait4, nanosleep, read
 * of an empty pipe, futex...), 2 uninterruptible (a module's down() or
 * msleep), TASK_KILLABLE 258 (a vfork parent waiting for its child),
 * TASK_STOPPED 260 (SIGSTOP), TASK_DEAD 128 (a zombie: EXIT_ZOMBIE is
 * exit_state, not state). */
#ifndef _TRAPDOOR_LINUX_SCHED_H
#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define __TASK_STOPPED 4
#define __TASK_TRACED 8
#define TASK_DEAD 128
#define TASK_WAKEKILL 256
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE) /* 258 */
#define TASK_STOPPED (TASK_WAKEKILL | __TASK_STOPPED)        /* 260 */
#define TASK_TRACED (TASK_WAKEKILL | __TASK_TRACED)          /* 264 */
#endif
struct task_info {
	int pid;
	int ppid;
	int state;
	int uid;
	char comm[16];
};

/* pf_stat exactly as the INFO0940 handout defines it. */
#define MAX_SIZE_PF 128
struct pf_stat {
	int nb_vma;                                /* VMAs of the process */
	long cow_page_faults;                      /* CoW faults in all of them */
	long vma_fault[MAX_SIZE_PF];               /* CoW faults per VMA */
	unsigned long vma_list_start[MAX_SIZE_PF]; /* start address per VMA */
	unsigned long vma_list_end[MAX_SIZE_PF];   /* end address per VMA */
};

static inline long msgbox_put(const char *buf, long size)
{
	return syscall(__NR_msgbox_put, buf, size);
}

static inline long msgbox_get(char *buf, long size)
{
	return syscall(__NR_msgbox_get, buf, size);
}

static inline long sayhello(void)
{
	return syscall(__NR_sayhello);
}

static inline long sayhello2(const char *name, char *out, long outlen)
{
	return syscall(__NR_sayhello2, name, out, outlen);
}

static inline long change_cmdline(char *old, long oldlen, const char *new_, long newlen)
{
	return syscall(__NR_change_cmdline, old, oldlen, new_, newlen);
}

static inline long task_info(int pid, struct task_info *out)
{
	return syscall(__NR_task_info, pid, out);
}

static inline long kernel_signal(int pid, int sig)
{
	return syscall(__NR_kernel_signal, pid, sig);
}

static inline long pf_set_param(const char *name, size_t len)
{
	return syscall(__NR_pf_set_param, name, len);
}

static inline long pf_get_info(const char *name, size_t len, struct pf_stat *pf)
{
	return syscall(__NR_pf_get_info, name, len, pf);
}

static inline long pf_cleanup(void)
{
	return syscall(__NR_pf_cleanup);
}

#endif /* TRAPDOOR_H */
