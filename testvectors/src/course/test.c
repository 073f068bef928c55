/* test: INFO0940's helper program for the CoW fault statistics calls.
 *
 *   test -o set_param -p NAME     track processes named NAME
 *   test -o get_info -p NAME      print NAME's VMAs and CoW faults
 *   test -o cleanup               forget every tracked name
 *
 * Output as in the handout's appendix. By default it calls the numbers
 * every Trapdoor profile answers (507-509); -N uses the handout's own
 * numbers 385-387, which only the linux-4.15 profile has. On failure it
 * prints the call and the error to stderr and exits 1; bad usage is 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

static long nr_set = __NR_pf_set_param, nr_get = __NR_pf_get_info, nr_cleanup = __NR_pf_cleanup;

static int usage(void)
{
	fprintf(stderr, "usage: test [-N] -o set_param|get_info|cleanup [-p NAME]\n"
			"  -N  use the handout's syscall numbers 385-387 (linux-4.15 profile)\n");
	return 2;
}

static int fail(const char *call)
{
	int e = errno;
	fprintf(stderr, "%s: %s (%s)\n", call, strerror(e), errname(e));
	return 1;
}

int main(int argc, char **argv)
{
	const char *op = NULL, *name = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "o:p:N")) != -1) {
		switch (opt) {
		case 'o': op = optarg; break;
		case 'p': name = optarg; break;
		case 'N':
			nr_set = __NR_pf_set_param_4_15;
			nr_get = __NR_pf_get_info_4_15;
			nr_cleanup = __NR_pf_cleanup_4_15;
			break;
		default: return usage();
		}
	}
	if (op == NULL || optind != argc)
		return usage();

	if (strcmp(op, "set_param") == 0) {
		if (name == NULL)
			return usage();
		if (syscall(nr_set, name, strlen(name)) != 0)
			return fail("pf_set_param");
		printf("pf_set_param performed successfully.\n");
	} else if (strcmp(op, "get_info") == 0) {
		if (name == NULL)
			return usage();
		static struct pf_stat pf;
		if (syscall(nr_get, name, strlen(name), &pf) != 0)
			return fail("pf_get_info");
		printf("Number of VMA      : %d\n", pf.nb_vma);
		printf("Number of COW faults: %ld\n", pf.cow_page_faults);
		printf("All VMA:\n");
		for (int i = 0; i < pf.nb_vma && i < MAX_SIZE_PF; i++)
			printf("[%2d]: 0x%lx - 0x%lx (size: 0x%lx): %ld cow faults\n", i, pf.vma_list_start[i],
			       pf.vma_list_end[i], pf.vma_list_end[i] - pf.vma_list_start[i], pf.vma_fault[i]);
	} else if (strcmp(op, "cleanup") == 0) {
		if (syscall(nr_cleanup) != 0)
			return fail("pf_cleanup");
		printf("pf_cleanup performed successfully.\n");
	} else {
		return usage();
	}
	return 0;
}
