/* dmesg: prints the kernel log as util-linux's `dmesg -S` does (the
 * syslog(2) interface, klogctl in libc), one record per line:
 * "[    1.000009] Hello !".
 *
 *   dmesg [-r] [-c | -C]
 *
 * -r prints the raw records with their <level> prefixes ("<7>[...] ...",
 * as `dmesg -S -r`); -c clears the log after printing it (READ_CLEAR);
 * -C clears it without printing. Errors (EPERM without the privilege)
 * go to stderr with status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

/* syslog(2) actions. */
enum { READ_ALL = 3, READ_CLEAR = 4, CLEAR = 5, SIZE_BUFFER = 10 };

int main(int argc, char **argv)
{
	int raw = 0, action = READ_ALL, opt;
	while ((opt = getopt(argc, argv, "rcC")) != -1) {
		switch (opt) {
		case 'r': raw = 1; break;
		case 'c': action = READ_CLEAR; break;
		case 'C': action = CLEAR; break;
		default:
			fprintf(stderr, "usage: dmesg [-r] [-c | -C]\n");
			return 2;
		}
	}
	if (action == CLEAR) {
		if (klogctl(CLEAR, NULL, 0) < 0) {
			perror("dmesg: klogctl(SYSLOG_ACTION_CLEAR)");
			return 1;
		}
		return 0;
	}
	int size = klogctl(SIZE_BUFFER, NULL, 0);
	if (size < 0) {
		perror("dmesg: klogctl(SYSLOG_ACTION_SIZE_BUFFER)");
		return 1;
	}
	if (size < 4096)
		size = 4096;
	char *buf = malloc(size);
	int n = klogctl(action, buf, size);
	if (n < 0) {
		perror("dmesg: klogctl(SYSLOG_ACTION_READ_ALL)");
		return 1;
	}
	/* Records are "<level>text\n"; without -r the prefix goes. */
	for (int i = 0; i < n;) {
		char *line = buf + i, *nl = memchr(line, '\n', n - i);
		int len = nl ? (int)(nl - line) : n - i;
		int skip = 0;
		if (!raw && len > 2 && line[0] == '<') {
			char *gt = memchr(line, '>', len);
			if (gt && gt - line <= 4)
				skip = (int)(gt - line) + 1;
		}
		fwrite(line + skip, 1, len - skip, stdout);
		putchar('\n');
		i += len + 1;
	}
	free(buf);
	return 0;
}
