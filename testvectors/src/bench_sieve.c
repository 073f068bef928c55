/* bench_sieve: CPU-bound benchmark. Sieve of Eratosthenes over a byte array,
 * repeated; prints the prime count and a checksum of the primes found. */
#include <stdio.h>
#include <string.h>

#define LIMIT 4000000
static unsigned char composite[LIMIT + 1];

int main(void)
{
    unsigned count = 0, sum = 0;
    for (int rep = 0; rep < 40; rep++) {
        memset(composite, 0, sizeof composite);
        count = 0;
        sum = 0;
        for (unsigned i = 2; i <= LIMIT; i++) {
            if (composite[i])
                continue;
            count++;
            sum = sum * 31 + i;
            if ((unsigned long long)i * i <= LIMIT)
                for (unsigned j = i * i; j <= LIMIT; j += i)
                    composite[j] = 1;
        }
    }
    printf("primes below %d: %u checksum %08x\n", LIMIT, count, sum);
    return 0;
}
