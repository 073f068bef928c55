/* fork500: the DM510 2019 report's 500 processes. Forks 500 children
 * that each put one message ("child N") in the kernel's message box and
 * exit; the parent reaps them all, then empties the box and checks that
 * it holds exactly one message from each child.
 *
 *   fork500 [N]      (default 500)
 *
 * Prints a verdict; status 0 on PASS, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	if (n < 1 || n > 5000) {
		fprintf(stderr, "usage: fork500 [N]  (1..5000)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	char buf[64];
	while (msgbox_get(buf, sizeof buf) >= 0)
		;
	int forked = 0, forkfail = 0, failed = 0, reaped = 0, status;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			int len = sprintf(buf, "child %d", i);
			_exit(msgbox_put(buf, len) == 0 ? 0 : 1);
		}
		if (p < 0)
			forkfail++;
		else
			forked++;
	}
	while (wait(&status) > 0) {
		reaped++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	unsigned char *seen = calloc(n, 1);
	int messages = 0, distinct = 0, bad = 0;
	long r;
	while ((r = msgbox_get(buf, sizeof buf - 1)) >= 0) {
		int i;
		char extra;
		messages++;
		buf[r] = 0;
		if (sscanf(buf, "child %d%c", &i, &extra) != 1 || i < 0 || i >= n) {
			bad++;
			continue;
		}
		if (!seen[i])
			distinct++;
		seen[i] = 1;
	}
	int pass = forked == n && reaped == n && failed == 0 && messages == n && distinct == n && bad == 0;
	printf("fork500: forked %d of %d (failed forks %d), reaped %d, children failed %d, "
	       "messages %d, distinct %d, malformed %d: %s\n",
	       forked, n, forkfail, reaped, failed, messages, distinct, bad, pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
