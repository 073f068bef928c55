/* kmod_msgbox: the message box's semantics (put/get, every error path,
 * copy-before-pop) and a fork test (writers and readers in many
 * processes, each message delivered exactly once). Run against the
 * built-in msgbox and against testvectors/modules/msgbox.o: the output
 * must be the same. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>
#include "trapdoor.h"

static void show(const char *what, long r, const char *buf)
{
	if (r < 0)
		printf("%s: -1 errno=%d\n", what, errno);
	else if (buf)
		printf("%s: %ld \"%.*s\"\n", what, r, (int)r, buf);
	else
		printf("%s: %ld\n", what, r);
}

#define WRITERS 3
#define READERS 3
#define PER 40
#include "kmod_tally.h"

int main(int argc, char **argv)
{
	char buf[64];
	long r;

	while (msgbox_get(buf, sizeof buf) >= 0)
		;
	show("get empty", msgbox_get(buf, sizeof buf), NULL);
	show("put hello", msgbox_put("hello", 5), NULL);
	show("put world!", msgbox_put("world!", 6), NULL);
	show("get small", msgbox_get(buf, 3), NULL);
	show("get NULL", msgbox_get(NULL, 42), NULL);
	show("get wild", msgbox_get((char *)42, 42), NULL);
	show("get kernel", msgbox_get((char *)0xC0001000, 42), NULL);
	show("get negative", msgbox_get(buf, -42), NULL);
	r = msgbox_get(buf, sizeof buf);
	show("get", r, buf);
	r = msgbox_get(buf, sizeof buf);
	show("get", r, buf);
	show("put NULL", msgbox_put(NULL, 42), NULL);
	show("put minus 42", msgbox_put((char *)-42, 42), NULL);
	show("put 42", msgbox_put((char *)42, 42), NULL);
	show("put negative", msgbox_put(buf, -42), NULL);
	show("put empty", msgbox_put("", 0), NULL);
	r = msgbox_get(buf, sizeof buf);
	show("get", r, buf);
	show("put after abuse", msgbox_put("still works", 11), NULL);
	r = msgbox_get(buf, sizeof buf);
	show("get", r, buf);

	/* Fork test: every message arrives exactly once. */
	int *seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			for (int i = 0; i < PER; i++) {
				char m[16];
				int n = snprintf(m, sizeof m, "%d:%d", w, i);
				while (msgbox_put(m, n) != 0)
					sched_yield();
			}
			_exit(0);
		}
	}
	for (int rd = 0; rd < READERS; rd++) {
		if (fork() == 0) {
			int got = 0;
			for (int spins = 0; got < WRITERS * PER / READERS && spins < 100000; spins++) {
				char m[16];
				long n = msgbox_get(m, sizeof m - 1);
				if (n < 0) {
					sched_yield();
					continue;
				}
				m[n] = 0;
				tally(seen, m);
				got++;
			}
			_exit(0);
		}
	}
	for (int i = 0; i < WRITERS + READERS; i++)
		wait(NULL);
	int once, lost, dup;
	count_seen(seen, &once, &lost, &dup);
	printf("fork test: %d once, %d lost, %d duplicated, %d garbled\n", once, lost, dup, seen[WRITERS * PER]);
	return lost || dup ? 1 : 0;
}
