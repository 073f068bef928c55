/* kmod_nctu: change_cmdline, task_info and kernel_signal, printed so the
 * built-in calls and testvectors/modules/nctu.o can be compared. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sched.h>
#include "trapdoor.h"

static void show_cmdline(const char *when)
{
	char buf[512];
	int fd = open("/proc/self/cmdline", O_RDONLY);
	int n = read(fd, buf, sizeof buf);
	close(fd);
	printf("%s: /proc/self/cmdline (%d bytes):", when, n);
	for (int i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : ' ');
	putchar('\n');
}

static volatile int got_code = -1, got_sig;

static void handler(int sig, siginfo_t *info, void *ctx)
{
	got_sig = sig;
	got_code = info->si_code;
}

int main(int argc, char **argv)
{
	char old[256];
	long r;
	struct task_info ti;

	show_cmdline("start");
	memset(old, 0, sizeof old);
	r = change_cmdline(old, sizeof old, "tiny", 5);
	printf("change_cmdline in place: %ld, old \"%s\"\n", r, old);
	show_cmdline("after");
	const char *big = "a much longer command line than the one this program started with";
	r = change_cmdline(old, sizeof old, big, strlen(big) + 1);
	printf("change_cmdline moved: %ld, old \"%s\"\n", r, old);
	show_cmdline("moved");
	r = change_cmdline(old, 3, "x", 2);
	printf("change_cmdline truncated old: %ld, old starts \"%.3s\"\n", r, old);
	printf("change_cmdline errors: %ld/%d %ld/%d %ld/%d\n", change_cmdline(old, 5, NULL, 4), errno,
	       change_cmdline(old, -1, "y", 2), errno, change_cmdline(old, 5, "y", 0), errno);

	memset(&ti, 0, sizeof ti);
	r = task_info(0, &ti);
	printf("task_info(0): %ld pid=%d ppid=%d state=%d uid=%d comm=%s\n", r, ti.pid == getpid(), ti.ppid, ti.state, ti.uid, ti.comm);
	printf("task_info errors: %ld/%d %ld/%d %ld/%d\n", task_info(9999, &ti), errno, task_info(0, NULL), errno,
	       task_info(-3, &ti), errno);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	sched_yield();
	memset(&ti, 0, sizeof ti);
	r = task_info(child, &ti);
	printf("task_info(child): %ld pid=%d ppid=%d comm=%s\n", r, ti.pid == child, ti.ppid == getpid(), ti.comm);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	r = kernel_signal(0, SIGUSR1);
	printf("kernel_signal(self, SIGUSR1): %ld, handler saw sig %d code %#x\n", r, got_sig, got_code);
	printf("kernel_signal errors: %ld/%d %ld/%d %ld\n", kernel_signal(9999, SIGUSR1), errno, kernel_signal(0, 99), errno,
	       kernel_signal(0, 0));
	r = kernel_signal(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	printf("kernel_signal(child, SIGKILL): %ld, child killed by %d\n", r, WIFSIGNALED(status) ? WTERMSIG(status) : 0);

	/* An exited, unreaped child: task->state is TASK_DEAD (128). */
	pid_t zombie = fork();
	if (zombie == 0)
		_exit(5);
	memset(&ti, 0, sizeof ti);
	for (int i = 0; i < 1000 && ti.state != 128; i++) {
		sched_yield();
		task_info(zombie, &ti);
	}
	printf("task_info(zombie): state=%d\n", ti.state);
	waitpid(zombie, &status, 0);
	r = task_info(zombie, &ti);
	printf("task_info(reaped): %ld/%d\n", r, errno);
	return 0;
}
