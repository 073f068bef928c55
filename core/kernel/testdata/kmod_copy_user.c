/* kmod_copy_user: partial copies across the end of a mapping. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long call(void *u, long n, long dir)
{
	long r = syscall(542, u, n, dir);
	return r == -1 ? -errno : r;
}

int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	char *u = p + 4096 - 100;
	memset(p, 'u', 4096);
	long r = call(u, 300, 0);
	printf("copy_to_user 300 over the end: %ld not copied, last byte %c\n", r, p[4095]);
	printf("copy_from_user 300 over the end: %ld\n", call(u, 300, 1));
	printf("copy_from_user kernel address: %ld\n", call((void *)0xC0100000, 16, 1));
	printf("copy_to_user NULL: %ld\n", call(NULL, 8, 0));
	*(int *)p = 1234;
	printf("get_user: %ld, at the hole: %ld\n", call(p, 0, 2), call(p + 4096, 0, 2));
	r = call(p + 8, 77, 3);
	printf("put_user: %ld -> %d, at the hole: %ld\n", r, *(int *)(p + 8), call(p + 4096, 1, 3));
	printf("access_ok user: %ld, across 0xC0000000: %ld, kernel: %ld\n", call(p, 4096, 4),
	       call((void *)0xBFFFFFF0, 32, 4), call((void *)0xC0000000, 1, 4));
	return 0;
}
