/* kmod_race: the 2019 DM510 report's race. Writers fill the message box;
 * then readers get messages into fresh pages (never touched, so the
 * kernel's copy_to_user takes a page fault on each). Where a kernel page
 * fault may sleep, a msgbox_get that only disables interrupts lets
 * another reader take the same message. Prints how many messages arrived
 * once, not at all, more than once, or garbled. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"

#define WRITERS 2
#define READERS 3
#define PER 20
#include "kmod_tally.h"

int main(void)
{
	int *seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char drain[64];
	while (msgbox_get(drain, sizeof drain) >= 0)
		;
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			for (int i = 0; i < PER; i++) {
				char m[16];
				msgbox_put(m, snprintf(m, sizeof m, "%d:%d", w, i));
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++)
		wait(NULL);
	for (int r = 0; r < READERS; r++) {
		if (fork() == 0) {
			char *pages = mmap(NULL, 4096 * WRITERS * PER, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			for (int i = 0; i < WRITERS * PER; i++) {
				char *buf = pages + 4096 * i; /* a page never touched */
				long n = msgbox_get(buf, 15);
				if (n < 0)
					break;
				buf[n] = 0;
				tally(seen, buf);
			}
			_exit(0);
		}
	}
	int killed = 0, status;
	for (int r = 0; r < READERS; r++) {
		wait(&status);
		if (WIFSIGNALED(status))
			killed++;
	}
	int once, lost, dup;
	count_seen(seen, &once, &lost, &dup);
	printf("race: %d once, %d lost, %d duplicated, %d garbled, %d readers killed\n", once, lost, dup, seen[WRITERS * PER], killed);
	return once == WRITERS * PER && !killed ? 0 : 1;
}
