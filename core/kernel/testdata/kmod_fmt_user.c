/* kmod_fmt_user: prints each case of kmod_fmt_cases.h as the C library
 * formats it (argv[1] "native") or as the kernel module does. */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int native = argc > 1 && strcmp(argv[1], "native") == 0;
	char buf[256];
	long i = 0;
	(void)native;
#define CASE(...) \
	if (native) \
		printf("%ld: %d [%s]\n", i, snprintf(buf, sizeof buf, __VA_ARGS__), buf); \
	else { \
		long n = syscall(540, i, buf, (long)sizeof buf); \
		printf("%ld: %ld [%s]\n", i, n, n >= 0 ? buf : "error"); \
	} \
	i++;
#include "kmod_fmt_cases.h"
	return 0;
}
