/* msgbox_get: gets (at most N bytes of) the top message of the kernel's
 * message box, as the DM510 2023 report's tool:
 *
 *   msgbox_get N
 *
 * prints "msgbox_get got L bytes:" and the bytes it received. L is what
 * the call returned: under the "truncate" policy a message longer than N
 * gives L > N and only N bytes are shown; under "keep" it fails with
 * EMSGSIZE and stays in the box. Status 1 with perror's message on
 * failure. */
#include <stdio.h>
#include <stdlib.h>
#include "trapdoor.h"

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: msgbox_get N\n");
		return 1;
	}
	char *end;
	long size = strtol(argv[1], &end, 10);
	if (size < 0 || end == argv[1] || *end != 0) {
		fprintf(stderr, "msgbox_get: N must be a number >= 0\n");
		return 1;
	}
	char *buffer = malloc(size ? size : 1);
	long got = msgbox_get(buffer, size);
	if (got < 0) {
		perror(argv[0]);
		return 1;
	}
	printf("msgbox_get got %ld bytes:\n%.*s\n", got, (int)(got < size ? got : size), buffer);
	free(buffer);
	return 0;
}
