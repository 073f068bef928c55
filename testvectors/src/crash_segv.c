/* crash_segv: stores to address 0. Expected: killed by SIGSEGV (status 139).
 * stdout is flushed first so the harness sees the line before the crash. */
#include <stdio.h>

int main(void)
{
    printf("about to write to NULL\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
