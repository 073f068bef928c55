/* msgbox_put: puts its first argument (without the NUL) in the kernel's
 * message box, as the DM510 2023 report's tool. Status 0, or 1 with
 * perror's message when the call fails. */
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: msgbox_put MESSAGE\n");
		return 1;
	}
	if (msgbox_put(argv[1], (long)strlen(argv[1])) != 0) {
		perror(argv[0]);
		return 1;
	}
	return 0;
}
