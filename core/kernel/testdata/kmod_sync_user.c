/* kmod_sync_user: drives testdata/kmod_sync.c's calls. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

static const struct timespec ten = {0, 10000000};

/* interrupt_child runs syscall nr in a child that has a SIGUSR1
 * handler, interrupts it with SIGUSR1 10 ms later and returns its wait
 * status; the child prints the result with fmt (the value, then the
 * errno's text or "-"). */
static int interrupt_child(long nr, const char *fmt)
{
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		signal(SIGUSR1, on_usr1);
		long r = syscall(nr);
		printf(fmt, r, r < 0 ? strerror(errno) : "-");
		fflush(stdout);
		_exit(0);
	}
	nanosleep(&ten, NULL);
	kill(child, SIGUSR1);
	int status;
	waitpid(child, &status, 0);
	return status;
}

int main(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	long r = syscall(530, 100L);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("msleep(100): %ld, slept at least 100 ms: %s\n", r, ms >= 100 ? "yes" : "no");

	fflush(stdout);
	for (int phase = 531; phase <= 532; phase++) {
		for (int c = 0; c < 4; c++) {
			if (fork() == 0) {
				for (int i = 0; i < 25; i++)
					syscall(phase);
				_exit(0);
			}
		}
		for (int c = 0; c < 4; c++)
			wait(NULL);
	}
	long locked = syscall(534, 0L), racy = syscall(534, 1L);
	printf("mutex: %ld of 100 increments\n", locked);
	printf("no mutex: %s\n", racy < 100 ? "updates lost" : "no update lost");

	int status = interrupt_child(533, "child: wait_forever returned %ld errno %s\n");
	printf("interrupted child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		syscall(533);
		_exit(0);
	}
	nanosleep(&ten, NULL);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	printf("killed child: signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);

	/* wait_event_interruptible: two waiters woken by set_value, one
	 * interrupted by a signal. */
	fflush(stdout);
	for (int c = 0; c < 2; c++) {
		if (fork() == 0) {
			long v = syscall(535);
			printf("waiter: value %ld\n", v);
			fflush(stdout);
			_exit(0);
		}
	}
	nanosleep(&ten, NULL);
	syscall(536, 7L);
	wait(NULL);
	wait(NULL);
	syscall(536, 0L);
	interrupt_child(535, "interrupted waiter: %ld %s\n");
	return 0;
}
