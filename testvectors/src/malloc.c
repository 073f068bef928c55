/* malloc: many malloc/calloc/realloc/free of varied sizes, from a few bytes to
 * several MB (mmap-backed in both libcs), with every block filled with a
 * pattern derived from its id and checked before it is freed or resized.
 * Exercises brk growth, mmap/munmap and mremap (glibc realloc of large
 * blocks). Prints only counts and checksums, never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define SLOTS 512
static unsigned char *blk[SLOTS];
static size_t len[SLOTS];
static unsigned tag[SLOTS];
static unsigned seed = 777;

static unsigned rnd(void)
{
    seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
    return seed;
}

static void fill(int i)
{
    for (size_t k = 0; k < len[i]; k++)
        blk[i][k] = (unsigned char)(tag[i] + k * 7 + (k >> 8));
}

static int check(int i, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (blk[i][k] != (unsigned char)(tag[i] + k * 7 + (k >> 8)))
            return 0;
    return 1;
}

static size_t pick_size(void)
{
    unsigned r = rnd();
    switch (r % 16) {
    case 0: return 0;
    case 1: case 2: case 3: case 4: case 5: return 1 + (r >> 8) % 64;
    case 6: case 7: case 8: case 9: return 64 + (r >> 8) % 1024;
    case 10: case 11: case 12: return 1024 + (r >> 8) % 32768;
    case 13: case 14: return 100000 + (r >> 8) % 200000;   /* around the mmap threshold */
    default: return 1000000 + (r >> 8) % 3000000;           /* mmap-backed */
    }
}

int main(void)
{
    unsigned ops = 0, bad = 0, reallocs = 0, callocs = 0;
    unsigned long long total = 0;

    for (int round = 0; round < 6000; round++) {
        int i = (int)(rnd() % SLOTS);
        unsigned what = rnd() % 10;
        if (blk[i] == NULL) {
            len[i] = pick_size();
            tag[i] = rnd();
            if (what < 2) {
                blk[i] = calloc(1, len[i] ? len[i] : 1);
                callocs++;
                for (size_t k = 0; k < len[i]; k++)
                    if (blk[i][k] != 0) { bad++; break; }
            } else {
                blk[i] = malloc(len[i] ? len[i] : 1);
            }
            if (blk[i] == NULL) { printf("allocation failed\n"); return 1; }
            if (((uintptr_t)blk[i] & 7) != 0) bad++;   /* 8-byte alignment at least */
            fill(i);
            total += len[i];
        } else if (what < 4) {
            size_t old = len[i], nl = pick_size();
            unsigned char *p = realloc(blk[i], nl ? nl : 1);
            if (p == NULL) { printf("realloc failed\n"); return 1; }
            blk[i] = p;
            if (!check(i, old < nl ? old : nl)) bad++;
            len[i] = nl;
            fill(i);
            reallocs++;
            total += nl;
        } else {
            if (!check(i, len[i])) bad++;
            free(blk[i]);
            blk[i] = NULL;
        }
        ops++;
    }
    unsigned live = 0;
    for (int i = 0; i < SLOTS; i++) {
        if (blk[i]) {
            if (!check(i, len[i])) bad++;
            free(blk[i]);
            live++;
        }
    }
    /* one big block touched page by page, then shrunk and grown */
    size_t big = 16u << 20;
    unsigned char *p = malloc(big);
    unsigned sum = 0;
    if (p) {
        for (size_t k = 0; k < big; k += 4096) p[k] = (unsigned char)(k >> 12);
        p = realloc(p, 4096 * 10);
        for (size_t k = 0; k < 4096 * 10; k += 4096) sum += p[k];
        p = realloc(p, 32u << 20);
        for (size_t k = 0; k < 4096 * 10; k += 4096) sum += p[k];
        free(p);
    }
    printf("ops=%u reallocs=%u callocs=%u live_at_end=%u total_bytes=%llu bad=%u big_sum=%u\n",
           ops, reallocs, callocs, live, total, bad, sum);
    return bad != 0;
}
