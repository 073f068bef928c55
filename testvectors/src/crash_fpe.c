/* crash_fpe: integer division by zero (div instruction). Expected: killed by
 * SIGFPE (status 136). */
#include <stdio.h>

volatile unsigned int zero = 0;

int main(void)
{
    printf("about to divide by zero\n");
    fflush(stdout);
    volatile unsigned int r = 1000u / zero;
    printf("not reached %u\n", r);
    return 0;
}
