/* testit: puts three messages (one with NUL bytes inside) in the kernel's
 * message box and gets them back. The box is a stack, so they must come
 * back last in, first out, byte for byte, with their lengths. Ends with a
 * get from the empty box: ENOMSG under the "keep" policy, ENODATA under
 * "truncate". Prints "testit: all ok" and exits 0 when every check held. */
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"
#include "course.h"

static const struct { const char *data; long len; } msgs[] = {
	{"first message", 13},
	{"two\0nul\0bytes", 13},
	{"third, the last one in", 22},
};
#define NMSGS (int)(sizeof msgs / sizeof msgs[0])

static void show(const char *data, long len)
{
	putchar('"');
	for (long i = 0; i < len; i++) {
		if (data[i] == 0)
			fputs("\\0", stdout);
		else
			putchar(data[i]);
	}
	putchar('"');
}

int main(void)
{
	int bad = 0;
	char buf[256];

	/* Start from an empty box: another program may have left messages. */
	while (msgbox_get(buf, sizeof buf) >= 0)
		;
	for (int i = 0; i < NMSGS; i++) {
		long r = msgbox_put(msgs[i].data, msgs[i].len);
		printf("put ");
		show(msgs[i].data, msgs[i].len);
		printf(" (%ld bytes): %ld%s%s\n", msgs[i].len, r, r ? " " : "", r ? errname(errno) : "");
		if (r != 0)
			bad++;
	}
	for (int i = NMSGS - 1; i >= 0; i--) {
		memset(buf, 'X', sizeof buf);
		long r = msgbox_get(buf, sizeof buf);
		if (r < 0) {
			printf("get: -1 %s\n", errname(errno));
			bad++;
			continue;
		}
		printf("get: %ld bytes ", r);
		show(buf, r);
		int same = r == msgs[i].len && memcmp(buf, msgs[i].data, r) == 0;
		printf("%s\n", same ? "" : " (WRONG: expected the message put last)");
		if (!same)
			bad++;
	}
	long r = msgbox_get(buf, sizeof buf);
	int e = errno;
	printf("get from the empty box: %ld %s\n", r, r < 0 ? errname(e) : "(a message!)");
	if (r >= 0 || (e != ENOMSG && e != ENODATA))
		bad++;
	printf("testit: %s\n", bad ? "FAILED" : "all ok");
	return bad != 0;
}
