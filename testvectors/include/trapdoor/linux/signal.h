/* Trapdoor kernel module API: sending signals from the kernel. */
#ifndef _TRAPDOOR_LINUX_SIGNAL_H
#define _TRAPDOOR_LINUX_SIGNAL_H

#include <linux/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19

#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE -1

struct siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	union {
		int _pad[29];
		struct {
			pid_t _pid;
			uid_t _uid;
		} _kill;
		struct {
			pid_t _pid;
			uid_t _uid;
			int _int;
		} _rt;
	} _sifields;
};
typedef struct siginfo siginfo_t;
#define kernel_siginfo siginfo
typedef struct siginfo kernel_siginfo_t;
#define si_pid _sifields._kill._pid
#define si_uid _sifields._kill._uid
#define si_int _sifields._rt._int

#define SEND_SIG_NOINFO ((struct siginfo *)0)
#define SEND_SIG_PRIV ((struct siginfo *)1)

struct task_struct;
int send_sig_info(int sig, struct siginfo *info, struct task_struct *p);
int send_sig(int sig, struct task_struct *p, int priv);

#endif
