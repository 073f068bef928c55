/* alu: integer ALU and flags torture test, end to end through a libc.
 *
 * Every operation runs with EFLAGS loaded by popf (CF both ways, other status
 * flags set or clear) and its result and EFLAGS captured by pushf. Flags that
 * the Intel SDM leaves undefined for that instruction and operands are masked
 * out before printing (AF after logic ops, OF after multi-bit shifts, SF ZF AF
 * PF after MUL/IMUL, everything after DIV, ...), so the output is the same on
 * every x86. Registers are printed in full 32 bits so that 8/16-bit operations
 * are also checked for preserving the upper bits.
 *
 * Covered: add adc sub sbb and or xor cmp test inc dec neg not, shl shr sar
 * rol ror rcl rcr (by 1, by cl, by immediate), shld shrd, mul imul (1, 2 and 3
 * operands), div idiv (non-faulting operands only), bt bts btr btc, bsf bsr,
 * bswap, xadd, cmpxchg, cmpxchg8b, setcc, cmovcc, cbw cwde cwd cdq, movsx
 * movzx, in 8/16/32-bit widths where they exist, plus high-byte registers.
 *
 * Output format, one line per (operation, width, first operand):
 *   OP WIDTH A: R/F R/F ...      (one R/F per second operand or count)
 * R = result register(s), F = masked EFLAGS (status bits only).
 */
#include <stdio.h>
#include <stdint.h>

typedef uint32_t u32;
static int nfail;

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define ALL (CF | PF | AF | ZF | SF | OF)

static const u32 vals[] = {
    0x00000000, 0x00000001, 0x00000002, 0x0000007f, 0x00000080, 0x000000ff, 0x00007fff,
    0x00008000, 0x0000ffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
    0x12345678, 0x9abcdef0,
};
#define NV (sizeof vals / sizeof vals[0])

/* input EFLAGS: bit 1 always set; "others" are PF AF ZF SF OF all set or all clear */
static u32 fin(int cf, int others)
{
    return 0x202u | (cf ? CF : 0) | (others ? (ALL & ~CF) : 0);
}

#define PRE  "pushl %[fi]\n\tpopfl\n\t"
#define POST "\n\tpushfl\n\tpopl %[fo]"

/* ---- two-operand ALU ops: dst op= src ---------------------------------- */
#define BIN(name, mn)                                                                 \
    static u32 name##8(u32 *d, u32 s, u32 fi) {                                       \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "b %b[s], %b[x]" POST                                 \
                         : [x] "+q"(x), [fo] "=&r"(fo) : [s] "q"(s), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##16(u32 *d, u32 s, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "w %w[s], %w[x]" POST                                 \
                         : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##32(u32 *d, u32 s, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "l %[s], %[x]" POST                                   \
                         : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }

BIN(add, "add") BIN(adc, "adc") BIN(sub, "sub") BIN(sbb, "sbb") BIN(and, "and")
BIN(or, "or") BIN(xor, "xor") BIN(cmp, "cmp") BIN(test, "test")
#define BIN1632(name, mn)                                                             \
    static u32 name##16(u32 *d, u32 s, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "w %w[s], %w[x]" POST                                 \
                         : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##32(u32 *d, u32 s, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "l %[s], %[x]" POST                                   \
                         : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }
BIN1632(bt, "bt") BIN1632(bts, "bts") BIN1632(btr, "btr") BIN1632(btc, "btc")

typedef u32 (*binfn)(u32 *, u32, u32);
struct binop { const char *name; binfn f[3]; u32 mask; int cfin; };
#define B3(n) { n##8, n##16, n##32 }
#define B2(n) { NULL, n##16, n##32 }
static const struct binop binops[] = {
    { "add", B3(add), ALL, 0 },        { "adc", B3(adc), ALL, 1 },
    { "sub", B3(sub), ALL, 0 },        { "sbb", B3(sbb), ALL, 1 },
    { "and", B3(and), ALL & ~AF, 0 },  { "or", B3(or), ALL & ~AF, 0 },
    { "xor", B3(xor), ALL & ~AF, 0 },  { "cmp", B3(cmp), ALL, 0 },
    { "test", B3(test), ALL & ~AF, 0 },
    /* bt*: CF defined, ZF unaffected (so defined), OF SF AF PF undefined */
    { "bt", B2(bt), CF | ZF, 0 },      { "bts", B2(bts), CF | ZF, 0 },
    { "btr", B2(btr), CF | ZF, 0 },    { "btc", B2(btc), CF | ZF, 0 },
};

/* ---- one-operand ops ----------------------------------------------------- */
#define UN(name, mn)                                                                  \
    static u32 name##8(u32 *d, u32 fi) {                                              \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "b %b[x]" POST : [x] "+q"(x), [fo] "=&r"(fo) : [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##16(u32 *d, u32 fi) {                                             \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "w %w[x]" POST : [x] "+r"(x), [fo] "=&r"(fo) : [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##32(u32 *d, u32 fi) {                                             \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "l %[x]" POST : [x] "+r"(x), [fo] "=&r"(fo) : [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }

UN(inc, "inc") UN(dec, "dec") UN(neg, "neg") UN(not, "not")
UN(shl1, "shl") UN(shr1, "shr") UN(sar1, "sar") UN(rol1, "rol") UN(ror1, "ror")
UN(rcl1, "rcl") UN(rcr1, "rcr")

typedef u32 (*unfn)(u32 *, u32);
struct unop { const char *name; unfn f[3]; u32 mask; };
static const struct unop unops[] = {
    { "inc", B3(inc), ALL }, { "dec", B3(dec), ALL }, { "neg", B3(neg), ALL },
    { "not", B3(not), ALL },
    /* shifts/rotates by 1: OF defined; AF undefined for shifts; rotates leave
     * SF ZF AF PF alone */
    { "shl1", B3(shl1), ALL & ~AF }, { "shr1", B3(shr1), ALL & ~AF },
    { "sar1", B3(sar1), ALL & ~AF }, { "rol1", B3(rol1), ALL }, { "ror1", B3(ror1), ALL },
    { "rcl1", B3(rcl1), ALL },       { "rcr1", B3(rcr1), ALL },
};

/* ---- shifts and rotates by cl --------------------------------------------- */
#define SHC(name, mn)                                                                 \
    static u32 name##8(u32 *d, u32 c, u32 fi) {                                       \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "b %%cl, %b[x]" POST                                  \
                         : [x] "+q"(x), [fo] "=&r"(fo) : "c"(c), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##16(u32 *d, u32 c, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "w %%cl, %w[x]" POST                                  \
                         : [x] "+r"(x), [fo] "=&r"(fo) : "c"(c), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }                                                          \
    static u32 name##32(u32 *d, u32 c, u32 fi) {                                      \
        u32 x = *d, fo;                                                               \
        __asm__ volatile(PRE mn "l %%cl, %[x]" POST                                   \
                         : [x] "+r"(x), [fo] "=&r"(fo) : "c"(c), [fi] "r"(fi) : "cc"); \
        *d = x; return fo; }

SHC(shl, "shl") SHC(shr, "shr") SHC(sar, "sar") SHC(rol, "rol") SHC(ror, "ror")
SHC(rcl, "rcl") SHC(rcr, "rcr")

enum { K_SHL, K_SHR, K_SAR, K_ROT, K_RC, K_SHD };
struct shop { const char *name; binfn f[3]; int kind; };
static const struct shop shops[] = {
    { "shl", B3(shl), K_SHL }, { "shr", B3(shr), K_SHR }, { "sar", B3(sar), K_SAR },
    { "rol", B3(rol), K_ROT }, { "ror", B3(ror), K_ROT }, { "rcl", B3(rcl), K_RC },
    { "rcr", B3(rcr), K_RC },
};

/* The SDM's defined-flags mask for a shift/rotate of a `bits`-wide operand
 * by count (the raw count; the CPU masks it to 5 bits). */
static u32 shift_mask(int kind, int bits, u32 count)
{
    u32 c = count & 31;
    if (c == 0)
        return ALL;                        /* flags unaffected */
    switch (kind) {
    case K_SHL: case K_SHR: {
        u32 m = SF | ZF | PF | CF;         /* AF undefined for count != 0 */
        if ((int)c >= bits) m &= ~CF;      /* CF undefined when count >= size */
        if (c == 1) m |= OF;
        return m;
    }
    case K_SAR:
        return SF | ZF | PF | CF | (c == 1 ? OF : 0);
    case K_ROT:                            /* SF ZF AF PF never affected */
        return SF | ZF | AF | PF | CF | (c == 1 ? OF : 0);
    case K_RC:
        return SF | ZF | AF | PF | CF | (c == 1 ? OF : 0);
    case K_SHD: {
        if ((int)c > bits) return 0;       /* result and flags undefined */
        return SF | ZF | PF | CF | (c == 1 ? OF : 0);
    }
    }
    return 0;
}

/* ---- shld / shrd --------------------------------------------------------- */
static u32 shld16(u32 *d, u32 s, u32 c, u32 fi) {
    u32 x = *d, fo;
    __asm__ volatile(PRE "shldw %%cl, %w[s], %w[x]" POST
                     : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), "c"(c), [fi] "r"(fi) : "cc");
    *d = x; return fo; }
static u32 shld32(u32 *d, u32 s, u32 c, u32 fi) {
    u32 x = *d, fo;
    __asm__ volatile(PRE "shldl %%cl, %[s], %[x]" POST
                     : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), "c"(c), [fi] "r"(fi) : "cc");
    *d = x; return fo; }
static u32 shrd16(u32 *d, u32 s, u32 c, u32 fi) {
    u32 x = *d, fo;
    __asm__ volatile(PRE "shrdw %%cl, %w[s], %w[x]" POST
                     : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), "c"(c), [fi] "r"(fi) : "cc");
    *d = x; return fo; }
static u32 shrd32(u32 *d, u32 s, u32 c, u32 fi) {
    u32 x = *d, fo;
    __asm__ volatile(PRE "shrdl %%cl, %[s], %[x]" POST
                     : [x] "+r"(x), [fo] "=&r"(fo) : [s] "r"(s), "c"(c), [fi] "r"(fi) : "cc");
    *d = x; return fo; }


static void pr_begin(const char *op, int bits, u32 a) { printf("%s %d %08x:", op, bits, a); }
static void pr_item(u32 r, u32 f) { printf(" %08x/%03x", r, f); }

/* print the low `bits` of r; the bits above must equal those of orig (an 8 or
 * 16-bit operation must not touch them): a '!' marks and counts a violation */
static void pr_itemw(int bits, u32 orig, u32 r, u32 f)
{
    u32 hi = bits == 32 ? 0 : ~((1u << bits) - 1);
    if ((r & hi) != (orig & hi)) {
        nfail++;
        printf(" !%08x/%03x", r, f);
        return;
    }
    printf(" %0*x/%03x", bits / 4, r & ~hi, f);
}
static void pr_end(void) { putchar('\n'); }

static const u32 counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 255 };
#define NC (sizeof counts / sizeof counts[0])

int main(void)
{
    unsigned i, j, w, k;
    const int widths[3] = { 8, 16, 32 };

    /* two-operand ALU ops and bt* with a register bit offset */
    for (k = 0; k < sizeof binops / sizeof binops[0]; k++) {
        const struct binop *op = &binops[k];
        for (w = 0; w < 3; w++) {
            if (!op->f[w])
                continue;
            for (int cf = 0; cf <= op->cfin; cf++) {
                for (i = 0; i < NV; i++) {
                    pr_begin(op->name, widths[w], vals[i]);
                    if (op->cfin)
                        printf(" cf=%d", cf);
                    for (j = 0; j < NV; j++) {
                        u32 d = vals[i];
                        int cfi = op->cfin ? cf : (int)((i + j) & 1);
                        u32 f = op->f[w](&d, vals[j], fin(cfi, (int)(j & 1)));
                        pr_itemw(widths[w], vals[i], d, f & op->mask);
                    }
                    pr_end();
                }
            }
        }
    }

    /* one-operand ops, each value with CF and other flags both ways */
    for (k = 0; k < sizeof unops / sizeof unops[0]; k++) {
        const struct unop *op = &unops[k];
        for (w = 0; w < 3; w++) {
            for (int fl = 0; fl < 4; fl++) {
                printf("%s %d fin=%03x:", op->name, widths[w], fin(fl & 1, fl >> 1));
                for (i = 0; i < NV; i++) {
                    u32 d = vals[i];
                    u32 f = op->f[w](&d, fin(fl & 1, fl >> 1));
                    pr_itemw(widths[w], vals[i], d, f & op->mask);
                }
                pr_end();
            }
        }
    }

    /* shifts and rotates by cl */
    for (k = 0; k < sizeof shops / sizeof shops[0]; k++) {
        const struct shop *op = &shops[k];
        for (w = 0; w < 3; w++) {
            /* CF in matters to every op when the count is 0, and to rcl/rcr
             * always: rcl/rcr get both CF values, the others alternate */
            int ncf = op->kind == K_RC ? 2 : 1;
            for (int cf = 0; cf < ncf; cf++) {
                for (i = 0; i < NV; i++) {
                    pr_begin(op->name, widths[w], vals[i]);
                    if (ncf == 2)
                        printf(" cf=%d", cf);
                    for (j = 0; j < NC; j++) {
                        u32 d = vals[i];
                        int cfi = ncf == 2 ? cf : (int)((i ^ j) & 1);
                        /* upper bits of ecx are garbage: only cl counts */
                        u32 f = op->f[w](&d, counts[j] | 0xabcd1200u, fin(cfi, (int)(j & 1)));
                        pr_itemw(widths[w], vals[i], d, f & shift_mask(op->kind, widths[w], counts[j]));
                    }
                    pr_end();
                }
            }
        }
    }

    /* shifts by immediate (a few counts) */
    for (i = 0; i < NV; i++) {
        u32 v = vals[i], x, f, fi = fin((int)(i & 1), 1);
        printf("imm %08x:", v);
#define SHI(mn, CNT, kind, bits, sfx, mod)                                                      \
        x = v;                                                                             \
        __asm__ volatile(PRE mn sfx " %[n], %" mod "[x]" POST                                \
                         : [x] "+q"(x), [fo] "=&r"(f) : [n] "i"(CNT), [fi] "r"(fi) : "cc");    \
        pr_itemw(bits, v, x, f & shift_mask(kind, bits, CNT));
        SHI("shl", 4, K_SHL, 32, "l", "") SHI("shr", 31, K_SHR, 32, "l", "")
        SHI("sar", 17, K_SAR, 32, "l", "") SHI("rol", 8, K_ROT, 32, "l", "")
        SHI("ror", 1, K_ROT, 32, "l", "") SHI("rcl", 5, K_RC, 32, "l", "")
        SHI("rcr", 30, K_RC, 32, "l", "") SHI("shl", 9, K_SHL, 16, "w", "w")
        SHI("sar", 15, K_SAR, 16, "w", "w") SHI("rcr", 16, K_RC, 16, "w", "w")
        SHI("shr", 3, K_SHR, 8, "b", "b") SHI("rol", 7, K_ROT, 8, "b", "b")
        SHI("rcl", 8, K_RC, 8, "b", "b") SHI("sar", 8, K_SAR, 8, "b", "b")
        pr_end();
    }

    /* shld / shrd by cl */
    static const u32 shdcounts[] = { 0, 1, 2, 4, 8, 15, 16, 17, 31, 32, 33 };
    for (int op = 0; op < 4; op++) {
        static const char *names[] = { "shld", "shld", "shrd", "shrd" };
        static u32 (*const fns[])(u32 *, u32, u32, u32) = { shld16, shld32, shrd16, shrd32 };
        int bits = (op & 1) ? 32 : 16;
        for (i = 0; i < NV; i += 2) {
            for (j = 1; j < NV; j += 3) {
                printf("%s %d %08x %08x:", names[op], bits, vals[i], vals[j]);
                for (k = 0; k < sizeof shdcounts / sizeof shdcounts[0]; k++) {
                    u32 c = shdcounts[k], m = shift_mask(K_SHD, bits, c), d = vals[i];
                    u32 f = fns[op](&d, vals[j], c, fin((int)(k & 1), (int)(i & 1)));
                    if (bits == 16 && (c & 31) > 16)
                        printf(" undefined");   /* result undefined too */
                    else
                        pr_itemw(bits, vals[i], d, f & m);
                }
                pr_end();
            }
        }
    }

    /* mul / imul one operand: edx:eax (or ax, dx:ax) = eax * src */
    for (i = 0; i < NV; i++) {
        for (int sg = 0; sg < 2; sg++) {
            for (w = 0; w < 3; w++) {
                printf("%s %d %08x:", sg ? "imul1" : "mul", widths[w], vals[i]);
                for (j = 0; j < NV; j++) {
                    u32 a = vals[i], d = 0x5a5a5a5a, s = vals[j], f, fi = fin((int)(j & 1), 0);
                    if (w == 0 && !sg)
                        __asm__ volatile(PRE "mulb %b[s]" POST : "+a"(a), [fo] "=&r"(f) : [s] "q"(s), [fi] "r"(fi) : "cc");
                    else if (w == 0)
                        __asm__ volatile(PRE "imulb %b[s]" POST : "+a"(a), [fo] "=&r"(f) : [s] "q"(s), [fi] "r"(fi) : "cc");
                    else if (w == 1 && !sg)
                        __asm__ volatile(PRE "mulw %w[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else if (w == 1)
                        __asm__ volatile(PRE "imulw %w[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else if (!sg)
                        __asm__ volatile(PRE "mull %[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else
                        __asm__ volatile(PRE "imull %[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    printf(" %08x:%08x/%03x", d, a, f & (CF | OF));
                }
                pr_end();
            }
        }
    }

    /* imul two and three operands */
    for (i = 0; i < NV; i++) {
        printf("imul2/3 %08x:", vals[i]);
        for (j = 0; j < NV; j++) {
            u32 x = vals[i], y = vals[i], s = vals[j], f1, f2, fi = fin(0, 1);
            __asm__ volatile(PRE "imulw %w[s], %w[x]" POST : [x] "+r"(x), [fo] "=&r"(f1) : [s] "r"(s), [fi] "r"(fi) : "cc");
            __asm__ volatile(PRE "imull %[s], %[x]" POST : [x] "+r"(y), [fo] "=&r"(f2) : [s] "r"(s), [fi] "r"(fi) : "cc");
            printf(" %08x/%03x %08x/%03x", x, f1 & (CF | OF), y, f2 & (CF | OF));
        }
        u32 r1, r2, r3, f1, f2, f3, s = vals[i], fi = fin(1, 0);
        r1 = r2 = r3 = 0x11111111;
        __asm__ volatile(PRE "imull $-3, %[s], %[x]" POST : [x] "+r"(r1), [fo] "=&r"(f1) : [s] "r"(s), [fi] "r"(fi) : "cc");
        __asm__ volatile(PRE "imull $0x10001, %[s], %[x]" POST : [x] "+r"(r2), [fo] "=&r"(f2) : [s] "r"(s), [fi] "r"(fi) : "cc");
        __asm__ volatile(PRE "imulw $300, %w[s], %w[x]" POST : [x] "+r"(r3), [fo] "=&r"(f3) : [s] "r"(s), [fi] "r"(fi) : "cc");
        printf(" | %08x/%03x %08x/%03x %08x/%03x\n", r1, f1 & (CF | OF), r2, f2 & (CF | OF), r3, f3 & (CF | OF));
    }

    /* div / idiv, only operand pairs whose quotient fits (no #DE) */
    for (i = 0; i < NV; i++) {
        for (j = 0; j < NV; j++) {
            u32 hi = vals[i], lo = vals[(i * 7 + j * 3 + 5) % NV], s = vals[j];
            int printed = 0;
            if (s == 0)
                continue;
            for (w = 0; w < 3; w++) {
                for (int sg = 0; sg < 2; sg++) {
                    u32 a = lo, d = hi, f, fi = fin(1, 1);
                    int ok;
                    if (w == 0) {
                        uint16_t n = (uint16_t)lo; uint8_t v = (uint8_t)s;
                        if (v == 0) continue;
                        ok = sg ? ((int16_t)n / (int8_t)v >= -128 && (int16_t)n / (int8_t)v <= 127)
                                : (n / v <= 0xff);
                    } else if (w == 1) {
                        u32 n = (hi & 0xffff) << 16 | (lo & 0xffff); uint16_t v = (uint16_t)s;
                        if (v == 0) continue;
                        ok = sg ? (!((int32_t)n == INT32_MIN && (int16_t)v == -1) &&
                                   (int32_t)n / (int16_t)v >= -32768 && (int32_t)n / (int16_t)v <= 32767)
                                : (n / v <= 0xffff);
                    } else {
                        uint64_t n = (uint64_t)hi << 32 | lo;
                        if (sg) {
                            int64_t sn = (int64_t)n, sv = (int32_t)s;
                            ok = !(sn == INT64_MIN && sv == -1) && sn / sv >= INT32_MIN && sn / sv <= INT32_MAX;
                        } else {
                            ok = n / s <= 0xffffffffu;
                        }
                    }
                    if (!ok)
                        continue;
                    if (!printed) {
                        printf("div %08x:%08x / %08x:", hi, lo, s);
                        printed = 1;
                    }
                    if (w == 0 && !sg)
                        __asm__ volatile(PRE "divb %b[s]" POST : "+a"(a), [fo] "=&r"(f) : [s] "q"(s), [fi] "r"(fi) : "cc");
                    else if (w == 0)
                        __asm__ volatile(PRE "idivb %b[s]" POST : "+a"(a), [fo] "=&r"(f) : [s] "q"(s), [fi] "r"(fi) : "cc");
                    else if (w == 1 && !sg)
                        __asm__ volatile(PRE "divw %w[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else if (w == 1)
                        __asm__ volatile(PRE "idivw %w[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else if (!sg)
                        __asm__ volatile(PRE "divl %[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    else
                        __asm__ volatile(PRE "idivl %[s]" POST : "+a"(a), "+d"(d), [fo] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc");
                    printf(" %s%d=%08x:%08x", sg ? "i" : "u", widths[w], d, a);
                }
            }
            if (printed)
                pr_end();
        }
    }

    /* bt* with immediate offsets */
    for (i = 0; i < NV; i++) {
        u32 x, f, fi = fin((int)(i & 1), (int)(i & 2));
        printf("btimm %08x:", vals[i]);
#define BTI(mn, CNT, sfx, mod)                                                                 \
        x = vals[i];                                                                       \
        __asm__ volatile(PRE mn sfx " %[n], %" mod "[x]" POST                                \
                         : [x] "+r"(x), [fo] "=&r"(f) : [n] "i"(CNT), [fi] "r"(fi) : "cc");    \
        pr_itemw(sfx[0] == 'w' ? 16 : 32, vals[i], x, f & (CF | ZF));
        BTI("bt", 0, "l", "") BTI("bts", 31, "l", "") BTI("btr", 7, "l", "")
        BTI("btc", 16, "l", "") BTI("bts", 33, "l", "") BTI("btr", 15, "w", "w")
        BTI("btc", 17, "w", "w") BTI("bt", 3, "w", "w")
        pr_end();
    }

    /* bsf / bsr (zero input: only ZF is defined; the destination is not printed) */
    for (i = 0; i < NV; i++) {
        printf("bsf/bsr %08x:", vals[i]);
        for (w = 1; w < 3; w++) {
            u32 x1 = 0x77777777, x2 = 0x77777777, f1, f2, s = vals[i], fi = fin(1, 1);
            if (w == 1) {
                __asm__ volatile(PRE "bsfw %w[s], %w[x]" POST : [x] "+r"(x1), [fo] "=&r"(f1) : [s] "r"(s), [fi] "r"(fi) : "cc");
                __asm__ volatile(PRE "bsrw %w[s], %w[x]" POST : [x] "+r"(x2), [fo] "=&r"(f2) : [s] "r"(s), [fi] "r"(fi) : "cc");
                s &= 0xffff;
            } else {
                __asm__ volatile(PRE "bsfl %[s], %[x]" POST : [x] "+r"(x1), [fo] "=&r"(f1) : [s] "r"(s), [fi] "r"(fi) : "cc");
                __asm__ volatile(PRE "bsrl %[s], %[x]" POST : [x] "+r"(x2), [fo] "=&r"(f2) : [s] "r"(s), [fi] "r"(fi) : "cc");
            }
            if (s == 0)
                printf(" zero/%03x zero/%03x", f1 & ZF, f2 & ZF);
            else
                printf(" %08x/%03x %08x/%03x", x1, f1 & ZF, x2, f2 & ZF);
        }
        pr_end();
    }

    /* bswap, cbw cwde cwd cdq, movsx movzx */
    for (i = 0; i < NV; i++) {
        u32 v = vals[i], x = v, a, d;
        printf("ext %08x:", v);
        __asm__ volatile("bswap %0" : "+r"(x));
        printf(" bswap=%08x", x);
        a = v; __asm__ volatile("cbtw" : "+a"(a)); printf(" cbw=%08x", a);
        a = v; __asm__ volatile("cwtl" : "+a"(a)); printf(" cwde=%08x", a);
        a = v; d = 0x33333333; __asm__ volatile("cwtd" : "+a"(a), "+d"(d)); printf(" cwd=%08x:%08x", d, a);
        a = v; d = 0x33333333; __asm__ volatile("cltd" : "+a"(a), "+d"(d)); printf(" cdq=%08x:%08x", d, a);
        x = 0x44444444; __asm__ volatile("movsbw %b1, %w0" : "+r"(x) : "q"(v)); printf(" movsbw=%08x", x);
        x = 0x44444444; __asm__ volatile("movsbl %b1, %0" : "=r"(x) : "q"(v)); printf(" movsbl=%08x", x);
        x = 0x44444444; __asm__ volatile("movswl %w1, %0" : "=r"(x) : "r"(v)); printf(" movswl=%08x", x);
        x = 0x44444444; __asm__ volatile("movzbw %b1, %w0" : "+r"(x) : "q"(v)); printf(" movzbw=%08x", x);
        x = 0x44444444; __asm__ volatile("movzbl %b1, %0" : "=r"(x) : "q"(v)); printf(" movzbl=%08x", x);
        x = 0x44444444; __asm__ volatile("movzwl %w1, %0" : "=r"(x) : "r"(v)); printf(" movzwl=%08x", x);
        x = 0x44444444; __asm__ volatile("movsbl %%ah, %0" : "=r"(x) : "a"(v)); printf(" movsbl_ah=%08x", x);
        x = 0x44444444; __asm__ volatile("movzbl %%ch, %0" : "=r"(x) : "c"(v)); printf(" movzbl_ch=%08x", x);
        pr_end();
    }

    /* high-byte registers */
    for (i = 0; i < NV; i++) {
        printf("hi8 %08x:", vals[i]);
        for (j = 0; j < NV; j += 3) {
            u32 a = vals[i], c = vals[j] ^ 0x00ff0000, f, fi = fin((int)(j & 1), 0);
            __asm__ volatile(PRE "addb %%ch, %%ah" POST : "+a"(a), [fo] "=&r"(f) : "c"(c), [fi] "r"(fi) : "cc");
            pr_item(a, f & ALL);
            a = vals[i];
            __asm__ volatile(PRE "sbbb %%al, %%ch" POST : "+c"(c), [fo] "=&r"(f) : "a"(a), [fi] "r"(fi) : "cc");
            pr_item(c, f & ALL);
            a = vals[i];
            __asm__ volatile(PRE "xorb %%ah, %%al" POST : "+a"(a), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");
            pr_item(a, f & (ALL & ~AF));
            a = vals[i]; c = vals[j];
            __asm__ volatile(PRE "shlb %%cl, %%ah" POST : "+a"(a), [fo] "=&r"(f) : "c"(c), [fi] "r"(fi) : "cc");
            pr_item(a, f & shift_mask(K_SHL, 8, c));
            a = vals[i];
            __asm__ volatile(PRE "negb %%ah" POST : "+a"(a), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");
            pr_item(a, f & ALL);
        }
        pr_end();
    }

    /* xadd, cmpxchg */
    for (i = 0; i < NV; i++) {
        printf("xadd/cmpxchg %08x:", vals[i]);
        for (j = 0; j < NV; j += 2) {
            u32 x = vals[i], s = vals[j], f, fi = fin((int)(j & 2), 1);
            __asm__ volatile(PRE "xaddl %[s], %[x]" POST : [x] "+r"(x), [s] "+r"(s), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");
            printf(" %08x,%08x/%03x", x, s, f & ALL);
            x = vals[i]; s = vals[j];
            __asm__ volatile(PRE "xaddb %b[s], %b[x]" POST : [x] "+q"(x), [s] "+q"(s), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");
            printf(" %08x,%08x/%03x", x, s, f & ALL);
            /* cmpxchg: eax == dst in half the cases */
            u32 a = (j & 2) ? vals[i] : vals[j], d = vals[i], n = 0xc0ffee00 | j;
            __asm__ volatile(PRE "cmpxchgl %[n], %[d]" POST : "+a"(a), [d] "+r"(d), [fo] "=&r"(f) : [n] "r"(n), [fi] "r"(fi) : "cc");
            printf(" %08x,%08x/%03x", a, d, f & ALL);
            a = (j & 2) ? vals[i] : vals[j]; d = vals[i];
            __asm__ volatile(PRE "cmpxchgw %w[n], %w[d]" POST : "+a"(a), [d] "+r"(d), [fo] "=&r"(f) : [n] "r"(n), [fi] "r"(fi) : "cc");
            printf(" %08x,%08x/%03x", a, d, f & ALL);
        }
        pr_end();
    }

    /* cmpxchg8b (memory operand): ZF only is affected */
    for (i = 0; i < NV; i++) {
        printf("cmpxchg8b %08x:", vals[i]);
        for (j = 0; j < 4; j++) {
            volatile uint64_t mem = (uint64_t)vals[i] << 32 | vals[(i + 5) % NV];
            uint64_t old = (j & 1) ? mem : mem ^ ((uint64_t)1 << (j * 20));
            u32 lo = (u32)old, hi = (u32)(old >> 32), f, fi = fin(1, (int)(j & 2));
            u32 nb = 0x89abcdef, nc = vals[j * 3];
            __asm__ volatile(PRE "cmpxchg8b %[m]" POST
                             : "+a"(lo), "+d"(hi), [m] "+m"(mem), [fo] "=&r"(f)
                             : "b"(nb), "c"(nc), [fi] "r"(fi) : "cc", "memory");
            printf(" %08x:%08x mem=%08x:%08x/%03x", hi, lo, (u32)(mem >> 32), (u32)mem, f & ALL);
        }
        pr_end();
    }

    /* setcc / cmovcc over every combination of CF PF ZF SF OF */
    for (unsigned fl = 0; fl < 32; fl++) {
        u32 fi = 0x202 | ((fl & 1) ? CF : 0) | ((fl & 2) ? PF : 0) | ((fl & 4) ? ZF : 0) |
                 ((fl & 8) ? SF : 0) | ((fl & 16) ? OF : 0);
        u32 s = 0;
        u32 x = 0x12345678, y = 0x9abcdef0;
#define SETC(cc, bit)                                                                  \
        { u32 r = 0xfefefefe;                                                          \
          __asm__ volatile("pushl %[fi]\n\tpopfl\n\tset" cc " %b[r]" : [r] "+q"(r) : [fi] "r"(fi) : "cc"); \
          s |= (r & 0xff) << (bit); if ((r & 0xffffff00) != 0xfefefe00) s |= 0x80000000; }
        SETC("o", 0) SETC("no", 1) SETC("b", 2) SETC("ae", 3) SETC("e", 4) SETC("ne", 5)
        SETC("be", 6) SETC("a", 7) SETC("s", 8) SETC("ns", 9) SETC("p", 10) SETC("np", 11)
        SETC("l", 12) SETC("ge", 13) SETC("le", 14) SETC("g", 15)
        printf("setcc fin=%03x: %04x", fi, s);
        u32 c = 0;
#define CMOV(cc, bit)                                                                  \
        { u32 r = x;                                                                   \
          __asm__ volatile("pushl %[fi]\n\tpopfl\n\tcmov" cc "l %[y], %[r]" : [r] "+r"(r) : [y] "r"(y), [fi] "r"(fi) : "cc"); \
          if (r == y) c |= 1u << (bit); else if (r != x) c |= 0x80000000; }
        CMOV("o", 0) CMOV("no", 1) CMOV("b", 2) CMOV("ae", 3) CMOV("e", 4) CMOV("ne", 5)
        CMOV("be", 6) CMOV("a", 7) CMOV("s", 8) CMOV("ns", 9) CMOV("p", 10) CMOV("np", 11)
        CMOV("l", 12) CMOV("ge", 13) CMOV("le", 14) CMOV("g", 15)
        u32 r16 = x;
        __asm__ volatile("pushl %[fi]\n\tpopfl\n\tcmovlw %w[y], %w[r]" : [r] "+r"(r16) : [y] "r"(y), [fi] "r"(fi) : "cc");
        printf(" cmovcc=%08x cmovlw=%08x\n", c, r16);
    }

    /* lahf / sahf */
    for (unsigned fl = 0; fl < 64; fl += 5) {
        u32 fi = 0x202 | ((fl & 1) ? CF : 0) | ((fl & 2) ? PF : 0) | ((fl & 4) ? AF : 0) |
                 ((fl & 8) ? ZF : 0) | ((fl & 16) ? SF : 0) | ((fl & 32) ? OF : 0);
        u32 a = 0x11111111, f, ah = ((fl * 37) & 0xff) << 8;
        __asm__ volatile("pushl %[fi]\n\tpopfl\n\tlahf" : "+a"(a) : [fi] "r"(fi) : "cc");
        printf("lahf fin=%03x: %08x", fi, a);
        __asm__ volatile(PRE "sahf" POST : "+a"(ah), [fo] "=&r"(f) : [fi] "r"(fi) : "cc");
        printf(" sahf(%02x)=%03x\n", (ah >> 8) & 0xff, f & ALL);
    }

    if (nfail)
        printf("failures: %d\n", nfail);
    printf("done\n");
    return 0;
}
