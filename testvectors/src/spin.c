/* spin [MILLIONS [STATUS]]: a CPU-bound loop for limit tests. Without
 * arguments it never ends (natively it must be killed). With MILLIONS it runs
 * about that many million loop iterations, prints nothing and exits with
 * STATUS (default 0) if the loop's checksum is right, 99 if not. */
#include <stdlib.h>

int main(int argc, char **argv)
{
    long m = argc > 1 ? atol(argv[1]) : -1;
    int status = argc > 2 ? atoi(argv[2]) : 0;
    volatile unsigned x = 1;
    unsigned long long n = 0;
    for (long k = 0; m < 0 || k < m; k++) {
        for (int i = 0; i < 1000000; i++) x = x * 1103515245u + 12345u;
        n += 1000000;
    }
    /* x after n LCG steps from 1 is deterministic; check it against a
     * second computation using the same recurrence */
    unsigned y = 1;
    for (unsigned long long i = 0; i < n; i++) y = y * 1103515245u + 12345u;
    return y == x ? status : 99;
}
