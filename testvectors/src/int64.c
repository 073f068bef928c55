/* int64: 64-bit integer arithmetic on i386. Multiplication, division, modulo
 * (signed and unsigned: __divdi3 __udivdi3 __moddi3 __umoddi3 __udivmoddi4),
 * shifts by variable counts (shld/shrd sequences), comparisons, conversions
 * between 64-bit integers and double / long double / float (x87 fild/fistp
 * and the __fixunsdfdi / __floatundidf style helpers), and a 64-bit LCG. All
 * operands are routed through volatile storage so the compiler cannot fold. */
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

static const uint64_t vals[] = {
    0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
    0x7fffffffULL, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL,
    0x123456789abcdefULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
    0x8000000000000001ULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL,
    0xfedcba9876543210ULL, 0x00000003ffffffffULL, 0xdeadbeefcafebabeULL,
    1000000007ULL, 0x0000000100000000ULL - 3, 12345678901234567ULL,
};
#define NV (sizeof vals / sizeof vals[0])

volatile uint64_t va, vb;
volatile int vs;

static uint64_t ld(volatile uint64_t *p) { return *p; }

int main(void)
{
    unsigned i, j;
    uint64_t acc = 0;

    printf("== mul / udiv / umod\n");
    for (i = 0; i < NV; i++) {
        for (j = 0; j < NV; j++) {
            va = vals[i]; vb = vals[j];
            uint64_t a = ld(&va), b = ld(&vb);
            uint64_t m = a * b;
            printf("%016" PRIx64 " %016" PRIx64 " mul=%016" PRIx64, a, b, m);
            if (b != 0)
                printf(" udiv=%016" PRIx64 " umod=%016" PRIx64, a / b, a % b);
            int64_t sa = (int64_t)a, sb = (int64_t)b;
            if (sb != 0 && !(sa == INT64_MIN && sb == -1))
                printf(" sdiv=%" PRId64 " smod=%" PRId64, sa / sb, sa % sb);
            printf(" cmp=%d%d%d%d\n", a < b, sa < sb, a == b, a >= b);
            acc = acc * 31 + m;
        }
    }

    printf("== shifts\n");
    for (i = 0; i < NV; i++) {
        for (vs = 0; vs < 64; vs += (vs < 4 || vs > 59 || (vs > 28 && vs < 36)) ? 1 : 7) {
            va = vals[i];
            uint64_t a = ld(&va);
            int s = vs;
            printf("%016" PRIx64 " <<%2d=%016" PRIx64 " >>=%016" PRIx64 " sar=%016" PRIx64 "\n",
                   a, s, a << s, a >> s, (uint64_t)((int64_t)a >> s));
        }
    }

    printf("== conversions\n");
    for (i = 0; i < NV; i++) {
        va = vals[i];
        uint64_t a = ld(&va);
        int64_t sa = (int64_t)a;
        double du = (double)a, ds = (double)sa;
        long double lu = (long double)a, ls = (long double)sa;
        float fu = (float)a;
        printf("%016" PRIx64 " du=%.17g ds=%.17g lu=%.21Lg ls=%.21Lg fu=%.9g\n",
               a, du, ds, lu, ls, (double)fu);
        /* back: double -> int64 / uint64 */
        uint64_t bu = (du < 18446744073709551616.0) ? (uint64_t)du : 0;
        int64_t bs = (int64_t)ds;
        uint64_t blu = (uint64_t)lu;
        int64_t bls = (int64_t)ls;
        printf("  back u=%016" PRIx64 " s=%016" PRIx64 " lu=%016" PRIx64 " ls=%016" PRIx64 "\n",
               bu, (uint64_t)bs, blu, (uint64_t)bls);
        /* 32 <-> 64 */
        int32_t lo = (int32_t)a;
        printf("  sext=%016" PRIx64 " zext=%016" PRIx64 " hi=%08x\n",
               (uint64_t)(int64_t)lo, (uint64_t)(uint32_t)lo, (unsigned)(a >> 32));
    }
    static const double dv[] = { 0.0, 0.5, 1.5, -1.5, 2.5, -2.5, 1e18, -1e18, 9.2e18,
                                 -9.2e18, 4294967296.0, 4294967295.5, -4294967296.0,
                                 1.8e19, 123456789.987654321 };
    for (i = 0; i < sizeof dv / sizeof dv[0]; i++) {
        volatile double d = dv[i];
        int64_t s = (int64_t)d;
        uint64_t u = d >= 0 ? (uint64_t)d : 0;
        printf("d=%.17g s=%" PRId64 " u=%" PRIu64 "\n", d, s, u);
    }

    printf("== lcg\n");
    uint64_t x = 0x853c49e6748fea9bULL;
    for (i = 0; i < 2000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t q = x / ((x >> 40) | 1);
        uint64_t r = x % ((x >> 23) | 1);
        int64_t sq = (int64_t)x / (int64_t)((x >> 50) - 0x2000);
        acc ^= q + r + (uint64_t)sq;
        acc = (acc << 13) | (acc >> 51);
        if (i % 250 == 0)
            printf("i=%u x=%016" PRIx64 " q=%016" PRIx64 " r=%016" PRIx64 " sq=%" PRId64 "\n",
                   i, x, q, r, sq);
    }
    printf("acc=%016" PRIx64 "\n", acc);
    return 0;
}
