/* fork: INFO0940's workload for the CoW fault statistics. Forks, and
 * then parent and child both write to .data, .bss, the heap, the stack
 * and every page of a private anonymous mapping, so each write to a
 * page shared since the fork is a copy-on-write fault in the writer.
 * The parent prints where the mapping is and how many of its pages it
 * wrote: pf_get_info must count exactly that many CoW faults in the VMA
 * holding it (the parent is the process executed as "fork"; its child
 * was forked, not executed, and is not tracked).
 *
 *   fork [PAGES]     (default 37)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static int data_word = 1;             /* .data */
static char bss_pages[3 * PAGE];      /* .bss */

static void scribble(char *region, int pages, char *heap, int who)
{
	volatile char stack_bytes[2 * PAGE];
	data_word += who;
	for (int i = 0; i < 3; i++)
		bss_pages[i * PAGE] = (char)who;
	heap[0] = (char)who;
	stack_bytes[0] = stack_bytes[PAGE] = (char)who;
	for (int i = 0; i < pages; i++)
		region[i * PAGE] = (char)(who + i);
}

int main(int argc, char **argv)
{
	int pages = argc > 1 ? atoi(argv[1]) : 37;
	if (pages < 1 || pages > 4096) {
		fprintf(stderr, "usage: fork [PAGES]  (1..4096)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	char *region = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *heap = malloc(64);
	if (region == MAP_FAILED || heap == NULL) {
		perror("fork: mmap/malloc");
		return 1;
	}
	/* Touch everything before the fork, so the pages are present and
	 * become shared, write-protected copies-on-write. */
	scribble(region, pages, heap, 1);

	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	scribble(region, pages, heap, child == 0 ? 3 : 2);
	if (child == 0)
		_exit(region[0] == 3 && region[(pages - 1) * PAGE] == (char)(3 + pages - 1) ? 0 : 1);
	int status;
	waitpid(child, &status, 0);
	int ok = region[0] == 2 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("fork: the parent wrote %d pages of a private mapping at 0x%lx after fork\n", pages,
	       (unsigned long)region);
	printf("fork: parent and child each saw their own copies: %s\n", ok ? "ok" : "FAILED");
	return !ok;
}
