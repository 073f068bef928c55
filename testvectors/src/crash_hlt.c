/* crash_hlt: executes hlt, a privileged instruction in user mode (#GP).
 * Expected: killed by SIGSEGV (status 139). */
#include <stdio.h>

int main(void)
{
    printf("about to execute hlt\n");
    fflush(stdout);
    __asm__ volatile("hlt");
    printf("not reached\n");
    return 0;
}
