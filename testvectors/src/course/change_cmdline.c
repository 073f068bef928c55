/* change_cmdline: the NCTU HW4 program. Asks the kernel for its command
 * line and replaces it, then sleeps so `ps` can show the new one.
 *
 *   change_cmdline [-s SECONDS] [-l LENGTH | NEW WORDS...]
 *
 * NEW WORDS (default: Yen-Chun Hsu 0056021, the handout's example)
 * become the command line, one NUL-terminated argument each, so
 * /proc/PID/cmdline lists them and ps shows them joined by spaces. Sleeps
 * SECONDS (default 1) before the change and again after it, as the
 * handout asks (ps before, ps after). -l makes the new command line one
 * argument of LENGTH bytes with its NUL (letters a-z repeated), longer than
 * the original so the kernel must move it to a fresh mapping. Prints the original command line
 * the kernel returned (it must equal what /proc/self/cmdline said before)
 * and the new one read back from /proc/self/cmdline, and checks the
 * error paths (EINVAL, EFAULT) change nothing. "change_cmdline: all ok"
 * and status 0 when every check held. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

#define MAX_CMDLINE 8192

static int bad;

static long read_cmdline(char *buf, long size)
{
	int fd = open("/proc/self/cmdline", O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while (n < size && (r = read(fd, buf + n, size - n)) > 0)
		n += r;
	close(fd);
	return n;
}

/* show prints a command line as ps does: NULs between arguments become
 * spaces, the final NUL goes. */
static void show(const char *what, const char *s, long n)
{
	printf("%s: ", what);
	for (long i = 0; i < n; i++) {
		if (s[i] == 0 && i == n - 1)
			break;
		putchar(s[i] ? s[i] : ' ');
	}
	printf(" (%ld bytes)\n", n);
}

static void expect_error(const char *call, long r, int want)
{
	if (r != -1 || errno != want) {
		printf("%s = %ld %s (want -1 %s): FAILED\n", call, r, r < 0 ? errname(errno) : "", errname(want));
		bad++;
	}
}

int main(int argc, char **argv)
{
	int seconds = 1, first = 1;
	long length = 0;
	if (argc > first + 1 && strcmp(argv[first], "-s") == 0) {
		seconds = atoi(argv[first + 1]);
		first += 2;
	}
	if (argc > first + 1 && strcmp(argv[first], "-l") == 0) {
		length = atol(argv[first + 1]);
		first += 2;
		if (length < 1 || length > 4096) {
			fprintf(stderr, "change_cmdline: -l wants 1..4096\n");
			return 2;
		}
	}
	static char new[MAX_CMDLINE], before[MAX_CMDLINE], old[MAX_CMDLINE], after[MAX_CMDLINE];
	long newlen = 0;
	if (length > 0) {
		for (long i = 0; i < length - 1; i++)
			new[i] = 'a' + i % 26;
		new[length - 1] = 0;
		newlen = length;
	} else if (first < argc) {
		for (int i = first; i < argc; i++) {
			long len = strlen(argv[i]) + 1;
			if (newlen + len > (long)sizeof new) {
				fprintf(stderr, "change_cmdline: new command line too long\n");
				return 2;
			}
			memcpy(new + newlen, argv[i], len);
			newlen += len;
		}
	} else {
		static const char example[] = "Yen-Chun\0Hsu\0" "0056021";
		newlen = sizeof example;
		memcpy(new, example, newlen);
	}
	setvbuf(stdout, NULL, _IONBF, 0);

	long nbefore = read_cmdline(before, sizeof before);
	printf("change_cmdline: pid %d, sleeping %d s before the change (ps shows the original)\n", getpid(), seconds);
	sleep(seconds);

	/* Error paths first: each must fail and change nothing. */
	char *kernel = KERNEL_ADDR;
	expect_error("change_cmdline(old, -1, new, newlen)", change_cmdline(old, -1, new, newlen), EINVAL);
	expect_error("change_cmdline(old, len, new, 0)", change_cmdline(old, sizeof old, new, 0), EINVAL);
	expect_error("change_cmdline(old, len, new, 4097)", change_cmdline(old, sizeof old, new, 4097), EINVAL);
	expect_error("change_cmdline(NULL, len, new, newlen)", change_cmdline(NULL, sizeof old, new, newlen), EFAULT);
	expect_error("change_cmdline(0xC0000000, len, new, newlen)", change_cmdline(kernel, sizeof old, new, newlen), EFAULT);
	expect_error("change_cmdline(old, len, NULL, newlen)", change_cmdline(old, sizeof old, NULL, newlen), EFAULT);
	expect_error("change_cmdline(old, len, 0xC0000000, newlen)", change_cmdline(old, sizeof old, kernel, newlen), EFAULT);
	long nsame = read_cmdline(after, sizeof after);
	if (nsame != nbefore || memcmp(after, before, nbefore) != 0) {
		printf("a failed call changed /proc/self/cmdline: FAILED\n");
		bad++;
	}

	long r = change_cmdline(old, sizeof old, new, newlen);
	if (r < 0) {
		printf("change_cmdline() = -1 %s\n", errname(errno));
		return 1;
	}
	show("original command line", old, r < (long)sizeof old ? r : (long)sizeof old);
	if (r != nbefore || memcmp(old, before, nbefore) != 0) {
		show("but /proc/self/cmdline said", before, nbefore);
		printf("FAILED\n");
		bad++;
	}
	/* A short buffer gets a truncated copy and the full length. */
	char four[4];
	long r2 = change_cmdline(four, sizeof four, new, newlen);
	if (r2 != newlen + (new[newlen - 1] != 0) || memcmp(four, new, sizeof four) != 0) {
		printf("change_cmdline(four, 4, ...) = %ld, \"%.4s\" (want %ld and the first 4 bytes): FAILED\n",
		       r2, four, newlen);
		bad++;
	}
	long nafter = read_cmdline(after, sizeof after);
	show("new command line", after, nafter);
	int want = newlen + (new[newlen - 1] != 0); /* the kernel adds a missing NUL */
	if (nafter != want || memcmp(after, new, newlen) != 0) {
		printf("/proc/self/cmdline is not the new command line: FAILED\n");
		bad++;
	}
	printf("change_cmdline: sleeping %d s after the change (ps shows the new one)\n", seconds);
	sleep(seconds);
	printf("change_cmdline: %s\n", bad ? "FAILED" : "all ok");
	return bad != 0;
}
