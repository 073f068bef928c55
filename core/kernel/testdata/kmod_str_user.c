/* kmod_str_user: "native" prints kmod_str_cases.h as the C library
 * computes it; otherwise it prints the kernel module's results. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kmod_str_cases.h"

int main(int argc, char **argv)
{
	static char buf[1024], scratch[64] = "xxxxxxxxhello";
	if (argc > 1 && strcmp(argv[1], "native") == 0) {
		run_cases(buf, sizeof buf);
		fputs(buf, stdout);
		return 0;
	}
	if (syscall(550, buf, (long)sizeof buf) < 0)
		return 1;
	fputs(buf, stdout);
	if (argc > 1 && strcmp(argv[1], "kernel") == 0) {
		if (syscall(551, buf, (long)sizeof buf, scratch) < 0)
			return 2;
		fputs(buf, stdout);
		printf("scratch %d%d%d%d%c\n", scratch[0], scratch[1], scratch[2], scratch[3], scratch[4]);
		fflush(stdout);
		syscall(552);
		printf("not reached\n");
	}
	return 0;
}
