/* bench_sort: CPU-bound sorting. libc qsort with a comparison callback and
 * an own recursive quicksort (median of three, insertion sort for small
 * ranges) on the same pseudo-random arrays; checks both agree and prints a
 * checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define N 200000
static uint32_t a[N], b[N];

static int cmp(const void *x, const void *y)
{
    uint32_t p = *(const uint32_t *)x, q = *(const uint32_t *)y;
    return (p > q) - (p < q);
}

static void isort(uint32_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t t = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > t) { v[j + 1] = v[j]; j--; }
        v[j + 1] = t;
    }
}

static void qs(uint32_t *v, int n)
{
    while (n > 16) {
        uint32_t x = v[0], y = v[n / 2], z = v[n - 1], p;
        p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = 0, j = n - 1;
        for (;;) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i >= j) break;
            uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
            i++; j--;
        }
        if (j + 1 < n - j - 1) { qs(v, j + 1); v += j + 1; n -= j + 1; }
        else { qs(v + j + 1, n - j - 1); n = j + 1; }
    }
    isort(v, n);
}

int main(void)
{
    uint32_t s = 2463534242u, sum = 0;
    for (int rep = 0; rep < 14; rep++) {
        for (int i = 0; i < N; i++) {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            a[i] = rep % 5 == 3 ? (uint32_t)i * 7 % 1000 : s;   /* one run with many duplicates */
        }
        memcpy(b, a, sizeof a);
        qsort(a, N, sizeof a[0], cmp);
        qs(b, N);
        int same = memcmp(a, b, sizeof a) == 0;
        for (int i = 0; i < N; i += 97) sum = sum * 31 + a[i];
        printf("rep %d same=%d min=%08x max=%08x median=%08x sum=%08x\n", rep, same, a[0],
               a[N - 1], a[N / 2], sum);
    }
    return 0;
}
