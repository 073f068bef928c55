/* kmod_kstr_user: kstrtoint through testdata/kmod_fmt.c's syscall 541. */
#include <stdio.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	static const struct { const char *s; long base; } cases[] = {
		{"42", 10}, {"-42", 10}, {"+7", 10}, {"42\n", 10}, {"0x1f", 16}, {"1f", 16}, {"0x1f", 0},
		{"017", 0}, {"0", 0}, {"12abc", 10}, {"", 10}, {"2147483647", 10}, {"2147483648", 10},
		{"-2147483648", 10}, {"99999999999999999999", 10},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long r = syscall(541, cases[i].s, cases[i].base);
		if (r == -1)
			printf("%d\n", -errno);
		else
			printf("%ld\n", r);
	}
	return 0;
}
