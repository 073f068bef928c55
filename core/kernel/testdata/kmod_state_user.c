/* kmod_state_user: task_info (505) of children asleep in
 * testdata/kmod_sync.c's calls, each in the state Linux 4.15 sleeps in
 * there. Prints "CALL: state N" for each. */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"

/* asleep starts a child making call nr (with arg), waits until
 * task_info shows it asleep (not running) and prints its state. */
static pid_t asleep(const char *name, long nr, long arg)
{
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		syscall(nr, arg);
		_exit(0);
	}
	struct task_info ti = {0};
	for (int i = 0; i < 1000; i++) {
		if (syscall(__NR_task_info, child, &ti) == 0 && ti.state != TASK_RUNNING)
			break;
		usleep(1000);
	}
	printf("%s: state %d\n", name, ti.state);
	return child;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	waitpid(asleep("msleep", 530, 1000), NULL, 0);
	pid_t c = asleep("down", 538, 0);
	syscall(539);
	waitpid(c, NULL, 0);
	c = asleep("down_interruptible", 533, 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	c = asleep("wait_event_interruptible", 535, 0);
	pid_t k = asleep("wait_event_killable", 537, 0);
	syscall(536, 7L);
	waitpid(c, NULL, 0);
	waitpid(k, NULL, 0);
	return 0;
}
