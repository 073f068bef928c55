/* crash_ill: executes ud2. Expected: killed by SIGILL (status 132). */
#include <stdio.h>

int main(void)
{
    printf("about to execute ud2\n");
    fflush(stdout);
    __asm__ volatile("ud2");
    printf("not reached\n");
    return 0;
}
