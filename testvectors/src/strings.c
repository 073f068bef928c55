/* strings: <string.h> and friends over many sizes and alignments: memcpy
 * memmove (both directions, overlapping) memset memcmp memchr strlen strcpy
 * strcat strcmp strncmp strchr strrchr strstr strtok strtol strtoul snprintf
 * sscanf qsort. Results are folded into checksums per function plus a few
 * readable lines. These routines are the libcs' optimized (rep movs/stos,
 * word-at-a-time) code paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 1024
static unsigned char src[N + 64], dst[N + 64], ref[N + 64];
static unsigned seed = 12345;

static unsigned rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
}

static unsigned hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    unsigned h = 2166136261u;
    while (n--)
        h = (h ^ *s++) * 16777619u;
    return h;
}

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rnd();
}

static void naive_move(unsigned char *d, const unsigned char *s, size_t n)
{
    unsigned char tmp[N + 64];
    for (size_t i = 0; i < n; i++) tmp[i] = s[i];
    for (size_t i = 0; i < n; i++) d[i] = tmp[i];
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64,
                                65, 100, 127, 128, 129, 255, 256, 257, 511, 512, 777, 1000 };
#define NS (sizeof sizes / sizeof sizes[0])

int main(void)
{
    unsigned h, bad;

    /* memcpy / memset / memcmp / memchr over sizes x alignments */
    h = 0; bad = 0;
    for (size_t si = 0; si < NS; si++) {
        size_t n = sizes[si];
        for (int sa = 0; sa < 8; sa++) {
            for (int da = 0; da < 8; da++) {
                fill(src, sizeof src);
                memset(dst, 0xa5, sizeof dst);
                memcpy(ref, dst, sizeof dst);
                for (size_t i = 0; i < n; i++) ref[da + i] = src[sa + i];
                memcpy(dst + da, src + sa, n);
                if (memcmp(dst, ref, sizeof dst) != 0) bad++;
                h = h * 33 + hash(dst, n + 16);
            }
        }
    }
    printf("memcpy hash=%08x bad=%u\n", h, bad);

    h = 0; bad = 0;
    for (size_t si = 0; si < NS; si++) {
        size_t n = sizes[si];
        for (int a = 0; a < 8; a++) {
            int c = (int)(rnd() & 0xff);
            memset(dst, 0x11, sizeof dst);
            memset(dst + a, c, n);
            for (size_t i = 0; i < sizeof dst; i++) {
                int want = (i >= (size_t)a && i < a + n) ? c : 0x11;
                if (dst[i] != want) bad++;
            }
            h = h * 33 + hash(dst, sizeof dst);
        }
    }
    printf("memset hash=%08x bad=%u\n", h, bad);

    /* memmove, overlapping both ways */
    h = 0; bad = 0;
    for (size_t si = 0; si < NS; si++) {
        size_t n = sizes[si];
        if (n + 40 > N) continue;
        for (int off = -17; off <= 17; off += 3) {
            fill(dst, sizeof dst);
            memcpy(ref, dst, sizeof dst);
            int s = 20, d = 20 + off;
            naive_move(ref + d, ref + s, n);
            memmove(dst + d, dst + s, n);
            if (memcmp(dst, ref, sizeof dst) != 0) bad++;
            h = h * 33 + hash(dst, sizeof dst);
        }
    }
    printf("memmove hash=%08x bad=%u\n", h, bad);

    /* memcmp sign and memchr */
    int signs = 0;
    for (int k = 0; k < 200; k++) {
        size_t n = 1 + rnd() % 300;
        fill(src, n);
        memcpy(dst, src, n);
        size_t p = rnd() % n;
        dst[p] = (unsigned char)(dst[p] + 1 + rnd() % 255);
        int r = memcmp(src, dst, n);
        int want = src[p] < dst[p] ? -1 : 1;
        signs += ((r < 0 ? -1 : r > 0) == want);
        unsigned char *q = memchr(dst, dst[p], n);
        signs += q != NULL && q <= dst + p;
    }
    printf("memcmp/memchr ok=%d of 400\n", signs);

    /* str* */
    char a[300], b[300], c[700];
    h = 0;
    for (int len = 0; len < 260; len += 1 + len / 16) {
        for (int al = 0; al < 4; al++) {
            for (int i = 0; i < len; i++) a[al + i] = (char)('a' + (i * 7 + al) % 26);
            a[al + len] = 0;
            strcpy(b, a + al);
            strcpy(c, "prefix:");
            strcat(c, b);
            strcat(c, ":suffix");
            h = h * 33 + (unsigned)strlen(a + al) + (unsigned)strlen(c) * 7;
            h = h * 33 + hash(c, strlen(c));
            h = h * 33 + (unsigned)(strcmp(b, a + al) == 0);
            char *x = strchr(c, 'q'), *y = strrchr(c, 'q');
            h = h * 33 + (x ? (unsigned)(x - c) : 999) + (y ? (unsigned)(y - c) : 999);
        }
    }
    printf("strcpy/strcat/strlen/strchr hash=%08x\n", h);

    static const char *words[] = { "", "a", "ab", "abc", "abd", "b", "ba", "abcdefgh",
                                   "abcdefgi", "ABC", "zz", "z", "\x80x", "\x7fx" };
    int nw = sizeof words / sizeof words[0];
    for (int i = 0; i < nw; i++) {
        for (int j = 0; j < nw; j++) {
            int r1 = strcmp(words[i], words[j]);
            int r2 = strncmp(words[i], words[j], 2);
            printf("%d%d", r1 < 0 ? 0 : r1 == 0 ? 1 : 2, r2 < 0 ? 0 : r2 == 0 ? 1 : 2);
        }
        printf("\n");
    }

    const char *hay = "the quick brown fox jumps over the lazy dog; the end";
    const char *needles[] = { "the", "fox", "dog;", "end", "xyz", "", "e e", "lazy dog; the end!" };
    for (int i = 0; i < 8; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("strstr(\"%s\")=%d\n", needles[i], p ? (int)(p - hay) : -1);
    }

    char tok[] = "  alpha,beta;;gamma , delta,,epsilon;  ";
    for (char *t = strtok(tok, " ,;"); t; t = strtok(NULL, " ,;"))
        printf("tok[%s]\n", t);

    static const char *nums[] = { "0", "42", "-42", "+7", "0x1f", "0777", "  123abc",
                                  "2147483647", "2147483648", "-2147483648", "-2147483649",
                                  "4294967295", "4294967296", "zzz", "-0", "0x", "1e5" };
    for (int base = 0; base <= 16; base += 8) {
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
            char *end;
            long l = strtol(nums[i], &end, base);
            unsigned long ul = strtoul(nums[i], NULL, base);
            printf("strtol(\"%s\",%d)=%ld end=%d ul=%lu\n", nums[i], base, l,
                   (int)(end - nums[i]), ul);
        }
    }

    /* snprintf truncation and formats */
    char sbuf[64];
    for (int lim = 0; lim < 24; lim += 5) {
        int r = snprintf(sbuf, lim, "%d|%5s|%-6x|%08.3f|%c", -12345, "ab", 0xabcu, 3.14159, '!');
        printf("snprintf(%d)=%d \"%s\"\n", lim, r, lim ? sbuf : "");
    }
    snprintf(sbuf, sizeof sbuf, "%hhd %hd %ld %lld %llu %#o %#x %+d % d %%", (signed char)200,
             (short)70000, -5L, -1234567890123LL, 18446744073709551615ULL, 8, 255, 5, 5);
    printf("%s\n", sbuf);
    snprintf(sbuf, sizeof sbuf, "[%10.4s][%-10s][%*d][%.*d]", "abcdefg", "hi", 6, 42, 5, 42);
    printf("%s\n", sbuf);

    /* sscanf */
    int i1, i2; unsigned x1; char w1[16]; double d1; long long ll;
    int n = sscanf("  17 -33 ff word 2.5e3 -9876543210", "%d %d %x %15s %lf %lld",
                   &i1, &i2, &x1, w1, &d1, &ll);
    printf("sscanf n=%d %d %d %u %s %.1f %lld\n", n, i1, i2, x1, w1, d1, ll);
    n = sscanf("12:34:56", "%d:%d:%d", &i1, &i2, (int *)&x1);
    printf("sscanf n=%d %d %d %d\n", n, i1, i2, (int)x1);
    n = sscanf("abc", "%d", &i1);
    printf("sscanf no match n=%d\n", n);

    /* qsort ints of various sizes, and strings */
    static int arr[5000];
    for (int sz = 1; sz <= 5000; sz *= 3) {
        for (int i = 0; i < sz; i++) arr[i] = (int)(rnd() % 1000) - 500;
        qsort(arr, sz, sizeof arr[0], cmp_int);
        int sorted = 1;
        for (int i = 1; i < sz; i++) if (arr[i - 1] > arr[i]) sorted = 0;
        printf("qsort n=%d sorted=%d first=%d last=%d hash=%08x\n", sz, sorted, arr[0],
               arr[sz - 1], hash(arr, sz * sizeof arr[0]));
    }
    const char *sw[] = { "pear", "apple", "fig", "banana", "kiwi", "apple pie", "Zebra", "cherry" };
    qsort(sw, 8, sizeof sw[0], cmp_str);
    for (int i = 0; i < 8; i++) printf("%s%s", sw[i], i < 7 ? "," : "\n");
    return 0;
}
