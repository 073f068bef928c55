/* course_pf [-4] set|get|cleanup [NAME]: the pf_* calls, at 507-509 or,
 * with -4, at INFO0940's 385-387. get prints the counts and each VMA. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <trapdoor.h>

int main(int argc, char **argv)
{
	int set = __NR_pf_set_param, get = __NR_pf_get_info, clean = __NR_pf_cleanup;
	int i = 1;
	if (i < argc && strcmp(argv[i], "-4") == 0) {
		set = __NR_pf_set_param_4_15, get = __NR_pf_get_info_4_15, clean = __NR_pf_cleanup_4_15;
		i++;
	}
	if (i >= argc)
		return 2;
	const char *op = argv[i], *name = i + 1 < argc ? argv[i + 1] : "";
	static struct pf_stat st;
	long r;
	if (strcmp(op, "set") == 0)
		r = syscall(set, name, strlen(name));
	else if (strcmp(op, "get") == 0)
		r = syscall(get, name, strlen(name), &st);
	else
		r = syscall(clean);
	if (r < 0) {
		printf("%s: errno %d\n", op, errno);
		return 1;
	}
	if (strcmp(op, "get") == 0) {
		printf("nb_vma=%d cow=%ld\n", st.nb_vma, st.cow_page_faults);
		for (int v = 0; v < st.nb_vma; v++)
			printf("%lx-%lx %ld\n", st.vma_list_start[v], st.vma_list_end[v], st.vma_fault[v]);
	}
	return 0;
}
