/* course_cow N: fork, let the child exit, then write to N pages the
 * parent shared with it: N copy-on-write faults in buf's VMA (the page
 * is reused, the child being gone, which Linux counts as one too). */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 64
static volatile char buf[PAGES * 4096]; /* volatile: the stores must happen */

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	if (n > PAGES)
		n = PAGES;
	for (int i = 0; i < PAGES; i++)
		buf[i * 4096] = 1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < n; i++)
		buf[i * 4096] = 2;
	return 0;
}
