/* kmod_bad_user: calls one misbehaving module syscall (argv[1] is its
 * number, argv[2] its argument) in a child and reports how the child
 * ended; the parent itself carries on. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long nr = atol(argv[1]), arg = argc > 2 ? atol(argv[2]) : 0;
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		long r = syscall(nr, arg);
		printf("child: syscall %ld returned %ld\n", nr, r);
		return 0;
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("parent: child killed by signal %d\n", WTERMSIG(status));
	else
		printf("parent: child exited %d\n", WEXITSTATUS(status));
	printf("parent: still running, syscall %ld again: %ld\n", nr, nr == 524 ? syscall(524, 3L) : 0L);
	return 0;
}
