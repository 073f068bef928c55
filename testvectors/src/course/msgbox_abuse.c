/* msgbox_abuse: the DM510 2023 report's abuse sequence, checked.
 *
 *   msgbox_abuse keep|truncate
 *
 * Empties the box, gets from the empty box, fills it with 20 copies of
 * "dummy message", then calls msgbox_put and msgbox_get with NULL, wild,
 * kernel (0xC0000000), half-unmapped and read-only buffers, negative and
 * zero sizes, a too-small buffer, and messages until the kernel's message
 * memory runs out; then checks that everything still works and that the
 * box holds exactly the dummies the policy says must be left. Every
 * result is checked against the table for the policy named on
 * the command line (the program cannot ask the kernel which one it has).
 *
 * Prints one line per call, "ok" or "FAILED", and exits with the number
 * of failed checks (0: all ok; 2: bad usage). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

#define BUF_LEN 42
#define DUMMY "dummy message"
#define DUMMY_LEN 13
#define DUMMY_N 20
#define BIG 65536

static int keep;       /* policy: 1 keep, 0 truncate */
static int checks, failures;
static int dummies = DUMMY_N; /* dummies the policy says are still in the box */

/* check compares one call's result with what the table wants: a return
 * value (>= 0) or -1 with an errno. */
static void check(const char *call, long got, int err, long want, int want_errno)
{
	int ok = got == want && (want >= 0 || err == want_errno);
	checks++;
	if (!ok)
		failures++;
	printf("%2d. %s = %ld", checks, call, got);
	if (got < 0)
		printf(" %s", errname(err));
	printf(" (want %ld", want);
	if (want < 0)
		printf(" %s", errname(want_errno));
	printf(") %s\n", ok ? "ok" : "FAILED");
}

#define PUT(buf, len, want, want_errno) do { \
	long r_ = msgbox_put(buf, len); \
	check("msgbox_put(" #buf ", " #len ")", r_, errno, want, want_errno); \
} while (0)

#define GET(buf, len, want, want_errno) do { \
	long r_ = msgbox_get(buf, len); \
	check("msgbox_get(" #buf ", " #len ")", r_, errno, want, want_errno); \
} while (0)

/* A get with a bad buffer on a box full of dummies: keep leaves the
 * message on the stack; truncate pops it (it is lost). */
#define GET_BAD(buf, len) do { \
	GET(buf, len, -1, EFAULT); \
	if (!keep) dummies--; \
} while (0)

static void section(const char *s)
{
	printf("--- %s\n", s);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "keep") && strcmp(argv[1], "truncate"))) {
		fprintf(stderr, "usage: msgbox_abuse keep|truncate  (the kernel's msgbox policy)\n");
		return 2;
	}
	keep = strcmp(argv[1], "keep") == 0;
	int empty_errno = keep ? ENOMSG : ENODATA;
	setvbuf(stdout, NULL, _IONBF, 0);
	static char buffer[BIG];

	while (msgbox_get(buffer, sizeof buffer) >= 0)
		;
	section("(cleared msgbox)");
	section("msgbox_get from empty msgbox?");
	GET(buffer, BUF_LEN, -1, empty_errno);
	GET(NULL, BUF_LEN, -1, empty_errno); /* emptiness is checked first */

	for (int i = 0; i < DUMMY_N; i++)
		if (msgbox_put(DUMMY, DUMMY_LEN) != 0)
			check("msgbox_put(DUMMY, DUMMY_LEN)", -1, errno, 0, 0);
	printf("--- (filled msgbox with %dx%d bytes \"%s\")\n", DUMMY_N, DUMMY_LEN, DUMMY);

	section("Nulls and stuff?");
	PUT(NULL, 42, -1, EFAULT);
	GET(NULL, 42, -1, EFAULT); /* refused before the pop in both policies */

	section("Invalid addresses?");
	PUT((char *)-42, 42, -1, EFAULT);
	PUT((char *)42, 42, -1, EFAULT);
	GET_BAD((char *)-42, 42);
	GET_BAD((char *)42, 42);

	section("Kernel addresses (0xC0000000, and 8 bytes below it)?");
	char *kernel = KERNEL_ADDR;
	PUT(kernel, 42, -1, EFAULT);
	PUT(kernel - 8, 42, -1, EFAULT);
	GET_BAD(kernel, 42);
	GET_BAD(kernel - 8, 42);

	section("Buffers running into an unmapped page, a read-only page?");
	char *pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED) { perror("mmap"); return 2; }
	munmap(pages + 4096, 4096);
	char *edge = pages + 4096 - 8; /* 8 mapped bytes, then a hole */
	memcpy(edge, "12345678", 8);
	PUT(edge, 42, -1, EFAULT);
	GET_BAD(edge, 42);
	mprotect(pages, 4096, PROT_READ);
	char *readonly = pages;
	GET_BAD(readonly, 42);

	section("Negative numbers?");
	PUT(buffer, -42, -1, EINVAL);
	GET(buffer, -42, -1, EINVAL);
	PUT(buffer, -1, -1, EINVAL);
	GET(buffer, (long)0x80000000, -1, EINVAL);

	section("A buffer too small for the message?");
	memset(buffer, 0, BUF_LEN);
	if (keep) {
		GET(buffer, 5, -1, EMSGSIZE); /* stays on the stack */
	} else {
		GET(buffer, 5, DUMMY_LEN, 0); /* truncated, and gone */
		dummies--;
		checks++;
		int ok = memcmp(buffer, "dummy\0", 6) == 0;
		if (!ok) failures++;
		printf("%2d. the truncated copy is \"%s\" (want \"dummy\") %s\n", checks, buffer, ok ? "ok" : "FAILED");
	}

	section("An empty message?");
	PUT(buffer, 0, 0, 0);
	GET(buffer, BUF_LEN, 0, 0);

	section("Until the kernel's message memory runs out?");
	int n = 0, last = 0, lasterr = 0;
	for (; n < 4096; n++) {
		memset(buffer, 'A' + n % 26, BIG);
		last = msgbox_put(buffer, BIG);
		lasterr = errno;
		if (last != 0)
			break;
	}
	check("msgbox_put(buffer, 65536) until it fails", last, lasterr, -1, ENOMEM);
	printf("    (%d messages of %d bytes fitted)\n", n, BIG);
	int intact = 1;
	for (int i = n - 1; i >= 0; i--) {
		long r = msgbox_get(buffer, BIG);
		if (r != BIG || buffer[0] != 'A' + i % 26 || buffer[BIG - 1] != 'A' + i % 26)
			intact = 0;
	}
	checks++;
	if (!intact || n == 0) failures++;
	printf("%2d. all %d came back intact, last in first out %s\n", checks, n, intact && n ? "ok" : "FAILED");

	section("And everything should still work after all of that!");
	GET(buffer, BUF_LEN, DUMMY_LEN, 0);
	dummies--;
	PUT("hello", 5, 0, 0);
	memset(buffer, 0, BUF_LEN);
	GET(buffer, BUF_LEN, 5, 0);
	checks++;
	int hello = memcmp(buffer, "hello", 6) == 0;
	if (!hello) failures++;
	printf("%2d. got \"%s\" (want \"hello\") %s\n", checks, buffer, hello ? "ok" : "FAILED");

	section("Nothing lost, nothing extra?");
	int left = 0, wrong = 0;
	long r;
	while ((r = msgbox_get(buffer, BUF_LEN)) >= 0) {
		left++;
		if (r != DUMMY_LEN || memcmp(buffer, DUMMY, DUMMY_LEN))
			wrong++;
	}
	checks++;
	int ok = left == dummies && wrong == 0 && errno == empty_errno;
	if (!ok) failures++;
	printf("%2d. %d dummies left, %d not dummies, then %s (want %d, 0, %s) %s\n", checks, left, wrong,
	       errname(errno), dummies, errname(empty_errno), ok ? "ok" : "FAILED");

	printf("msgbox_abuse (policy %s): %d checks, %d failed\n", argv[1], checks, failures);
	return failures > 100 ? 100 : failures;
}
