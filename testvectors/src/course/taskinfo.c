/* taskinfo: the NCTU handout's task_struct exercise. Asks the kernel
 * (task_info) for pid, ppid, state, uid and comm of itself and of
 * children in known states, and checks them against what getpid,
 * getppid, getuid and /proc/self/comm say.
 *
 *   taskinfo [PID]    also prints PID's task_info
 *
 * States are Linux 4.15's task->state numbers (trapdoor.h): 0 running,
 * 1 TASK_INTERRUPTIBLE (blocked in read), 258 TASK_KILLABLE (a vfork
 * parent waiting for its child), 260 TASK_STOPPED (SIGSTOP), 128
 * TASK_DEAD (a zombie). "taskinfo: all ok" and status 0 when every
 * check held. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

static int bad;

static void expect(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		bad++;
}

static void show(const char *who, struct task_info *ti)
{
	printf("%s: pid %d ppid %d state %d uid %d comm \"%.16s\"\n", who, ti->pid, ti->ppid, ti->state,
	       ti->uid, ti->comm);
}

/* wait_state polls until the child reaches a state (it may not have run
 * yet): the scheduler decides when. */
static int wait_state(pid_t pid, int state, struct task_info *ti)
{
	for (int i = 0; i < 1000; i++) {
		if (task_info(pid, ti) == 0 && ti->state == state)
			return 1;
		usleep(1000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct task_info ti, self;
	char comm[32] = "";
	int fd = open("/proc/self/comm", O_RDONLY);
	if (fd >= 0) {
		int n = read(fd, comm, sizeof comm - 1);
		close(fd);
		comm[n > 0 ? n - 1 : 0] = 0; /* drop the newline */
	}

	if (argc > 1) {
		long r = task_info(atoi(argv[1]), &ti);
		if (r != 0) {
			printf("task_info(%s) = -1 %s\n", argv[1], errname(errno));
			return 1;
		}
		show(argv[1], &ti);
	}

	long r = task_info(0, &self);
	expect("task_info(0) succeeds", r == 0);
	printf("self: pid %s ppid %s state %d uid %d comm \"%.16s\"\n", self.pid == getpid() ? "= getpid()" : "WRONG",
	       self.ppid == getppid() ? "= getppid()" : "WRONG", self.state, self.uid, self.comm);
	expect("pid 0 means the caller: pid, ppid, uid and comm match, state 0 (running)",
	       self.pid == getpid() && self.ppid == getppid() && self.uid == (int)getuid() &&
	       strcmp(self.comm, comm) == 0 && self.state == 0);
	r = task_info(getpid(), &ti);
	expect("task_info(getpid()) is the same", r == 0 && memcmp(&ti, &self, sizeof ti) == 0);

	/* A child blocked in read: sleeping (1). */
	int p[2];
	pipe(p);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	int ok = wait_state(child, TASK_INTERRUPTIBLE, &ti);
	printf("child blocked in read: state %d\n", ti.state);
	expect("a child blocked in read is TASK_INTERRUPTIBLE (1), its ppid is us, comm ours",
	       ok && ti.pid == child && ti.ppid == getpid() && strcmp(ti.comm, self.comm) == 0);
	kill(child, SIGSTOP);
	ok = wait_state(child, TASK_STOPPED, &ti);
	printf("child after SIGSTOP: state %d\n", ti.state);
	expect("a stopped child is TASK_STOPPED (260 = TASK_WAKEKILL|__TASK_STOPPED)", ok);
	kill(child, SIGKILL);
	ok = wait_state(child, TASK_DEAD, &ti);
	printf("child killed, not yet reaped: state %d\n", ti.state);
	expect("a zombie is TASK_DEAD (128)", ok);
	waitpid(child, NULL, 0);
	close(p[1]);

	/* A child that vforks: it waits (killable) until its own child, on
	 * its memory, exits; that one blocks in read meanwhile. */
	pipe(p);
	child = fork();
	if (child == 0) {
		close(p[1]);
		pid_t v = vfork();
		if (v == 0) {
			char c;
			read(p[0], &c, 1);
			_exit(0);
		}
		waitpid(v, NULL, 0);
		_exit(0);
	}
	close(p[0]);
	ok = wait_state(child, TASK_KILLABLE, &ti);
	printf("vfork parent waiting for its child: state %d\n", ti.state);
	expect("a vfork parent is TASK_KILLABLE (258 = TASK_WAKEKILL|TASK_UNINTERRUPTIBLE)", ok);
	close(p[1]);
	ok = wait_state(child, TASK_DEAD, &ti);
	expect("it goes on once its child exits", ok);
	waitpid(child, NULL, 0);

	r = task_info(child, &ti);
	printf("task_info(reaped child) = %ld %s\n", r, r < 0 ? errname(errno) : "");
	expect("a reaped child is ESRCH", r == -1 && errno == ESRCH);
	r = task_info(999999, &ti);
	expect("task_info(999999) is ESRCH", r == -1 && errno == ESRCH);
	r = task_info(0, NULL);
	expect("task_info(0, NULL) is EFAULT", r == -1 && errno == EFAULT);
	r = task_info(0, KERNEL_ADDR);
	expect("task_info(0, 0xC0000000) is EFAULT", r == -1 && errno == EFAULT);
	printf("taskinfo: %s\n", bad ? "FAILED" : "all ok");
	return bad != 0;
}
