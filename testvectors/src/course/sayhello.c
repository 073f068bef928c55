/* sayhello: calls the NCTU handout's sayhello system call, which writes
 * "Hello !" into the kernel log at KERN_DEBUG (see it with dmesg). */
#include <stdio.h>
#include "trapdoor.h"
#include "course.h"

int main(void)
{
	long r = sayhello();
	if (r != 0) {
		printf("sayhello() = %ld %s\n", r, errname(errno));
		return 1;
	}
	printf("sayhello() = 0: the kernel log has \"Hello !\" (run dmesg)\n");
	return 0;
}
