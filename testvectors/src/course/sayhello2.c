/* sayhello2: the NCTU handout's copy_from_user/copy_to_user example. The
 * kernel reads a NUL-terminated name and writes back a NUL-terminated
 * greeting containing it, returning the greeting's length.
 *
 *   sayhello2 [NAME]     (default "student")
 *
 * Prints the greeting, then checks the error paths: a NULL or kernel
 * name (EFAULT), a NULL or kernel output buffer (EFAULT), an output
 * buffer too small for the greeting (EINVAL). Ends with "sayhello2: all
 * ok" and status 0 when every check held. */
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"
#include "course.h"

static int bad;

static void expect_error(const char *call, long r, int want)
{
	int ok = r == -1 && errno == want;
	printf("%s = %ld %s (want -1 %s) %s\n", call, r, r < 0 ? errname(errno) : "", errname(want),
	       ok ? "ok" : "FAILED");
	if (!ok)
		bad++;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "student";
	char out[256];
	memset(out, 'X', sizeof out);
	long r = sayhello2(name, out, sizeof out);
	if (r < 0) {
		printf("sayhello2(\"%s\") = -1 %s\n", name, errname(errno));
		return 1;
	}
	int terminated = memchr(out, 0, sizeof out) != NULL;
	printf("sayhello2(\"%s\") = %ld: \"%s\"\n", name, r, terminated ? out : "(no NUL!)");
	if (!terminated || (long)strlen(out) != r || strstr(out, name) == NULL) {
		printf("the greeting must be NUL-terminated, %ld bytes long and contain the name: FAILED\n", r);
		bad++;
	}
	char small[4];
	char *kernel = KERNEL_ADDR;
	expect_error("sayhello2(NULL, out, 256)", sayhello2(NULL, out, sizeof out), EFAULT);
	expect_error("sayhello2(0xC0000000, out, 256)", sayhello2(kernel, out, sizeof out), EFAULT);
	expect_error("sayhello2(name, NULL, 256)", sayhello2(name, NULL, sizeof out), EFAULT);
	expect_error("sayhello2(name, 0xC0000000, 256)", sayhello2(name, kernel, sizeof out), EFAULT);
	expect_error("sayhello2(name, small, 4)", sayhello2(name, small, sizeof small), EINVAL);
	expect_error("sayhello2(name, out, -1)", sayhello2(name, out, -1), EINVAL);
	printf("sayhello2: %s\n", bad ? "FAILED" : "all ok");
	return bad != 0;
}
