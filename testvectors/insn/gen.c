/* gen: records how this CPU executes single integer instructions.
 *
 * For every snippet in table.S and every input case: load eax ecx edx ebx
 * esi edi and EFLAGS (popf), execute the one instruction, capture the six
 * registers and EFLAGS (pushf), print one line:
 *
 *   MNEMONIC HEXBYTES EAX ECX EDX EBX ESI EDI EFLAGS_IN -> EAX ECX EDX EBX ESI EDI EFLAGS_OUT MASK
 *
 * MASK = the status flags the Intel SDM defines for that instruction with
 * those operands (see mask() below). A division that faults prints
 * "-> #DE" instead of the outputs. See README.md for the format. Output is
 * deterministic: the pseudo-random values come from a generator seeded by
 * the snippet's name.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint32_t u32;

struct entry {
    const char *name;
    const unsigned char *start, *end;
    u32 gen, mask, w, a, b, cnt, cfin;
};
extern struct entry insn_table[], insn_table_end[];
extern u32 insn_in[7], insn_out[7];
void insn_run(const void *code);

enum { G_BIN = 1, G_ONE, G_SHCL, G_SHI, G_SHD, G_DIV, G_BT, G_CMPX, G_FLAGS, G_LAHF, G_SAHF };
enum { M_ALL, M_LOGIC, M_MUL, M_DIV, M_BT, M_BSF, M_SHL, M_SHR, M_SAR, M_ROT, M_RC, M_SHD };
#define NO 255
#define CL 256

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define STATUS (CF | PF | AF | ZF | SF | OF)

/* ---- deterministic pseudo-random numbers (xorshift32) ---------------------- */
static u32 rs;
static u32 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}
static void seed(const char *name)
{
    rs = 2166136261u;
    for (; *name; name++)
        rs = (rs ^ (unsigned char)*name) * 16777619u;
    if (rs == 0)
        rs = 1;
    rnd();
}

/* ---- operand placement ----------------------------------------------------- */
/* x86 register code -> index in our eax ecx edx ebx esi edi array */
static int idx32(u32 code)
{
    static const int map[8] = { 0, 1, 2, 3, -1, -1, 4, 5 };
    return map[code & 7];
}
static void place(u32 *r, u32 w, u32 code, u32 v)
{
    if (code == NO)
        return;
    if (w == 8) {
        int i = (int)(code & 3), sh = code >= 4 ? 8 : 0;
        r[i] = (r[i] & ~(0xffu << sh)) | ((v & 0xff) << sh);
    } else if (w == 16) {
        int i = idx32(code);
        r[i] = (r[i] & 0xffff0000u) | (v & 0xffff);
    } else {
        r[idx32(code)] = v;
    }
}
static u32 wmask(u32 w) { return w == 32 ? 0xffffffffu : (1u << w) - 1; }
static u32 sign(u32 w) { return 1u << (w - 1); }

/* ---- defined-flags mask (Intel SDM) --------------------------------------- */
static u32 shift_mask(u32 m, u32 w, u32 count)
{
    u32 c = count & 31;          /* the CPU masks counts to 5 bits */
    if (c == 0)
        return STATUS;           /* count 0: flags not affected */
    switch (m) {
    case M_SHL: case M_SHR: {    /* AF undefined; OF only for 1-bit shifts */
        u32 r = SF | ZF | PF | CF | (c == 1 ? OF : 0);
        if (c >= w)
            r &= ~CF;            /* CF undefined when count >= operand size */
        return r;
    }
    case M_SAR:
        return SF | ZF | PF | CF | (c == 1 ? OF : 0);
    case M_ROT:                  /* SF ZF AF PF never affected */
    case M_RC:
        return SF | ZF | AF | PF | CF | (c == 1 ? OF : 0);
    case M_SHD:                  /* count > size: result and flags undefined */
        if (c > w)
            return 0;
        return SF | ZF | PF | CF | (c == 1 ? OF : 0);
    }
    return 0;
}
static u32 mask(const struct entry *e, const u32 *in)
{
    switch (e->mask) {
    case M_ALL:   return STATUS;
    case M_LOGIC: return STATUS & ~AF;           /* and or xor test: AF undefined */
    case M_MUL:   return CF | OF;                /* mul imul: SF ZF AF PF undefined */
    case M_DIV:   return 0;                      /* div idiv: all undefined */
    case M_BT:    return CF | ZF;                /* bt*: OF SF AF PF undefined, ZF kept */
    case M_BSF:   return ZF;                     /* bsf bsr: only ZF defined */
    default:      return shift_mask(e->mask, e->w, e->cnt == CL ? (in[1] & 0xff) : e->cnt);
    }
}

/* ---- running one case ------------------------------------------------------- */
static sigjmp_buf jb;
static const struct entry *cur;
static char hexbytes[64];

static void on_fpe(int sig)
{
    (void)sig;
    siglongjmp(jb, 1);
}

static unsigned long nlines;

static void run(const u32 *r, u32 fl)
{
    memcpy(insn_in, r, 6 * sizeof(u32));
    insn_in[6] = fl;
    printf("%s %s %08x %08x %08x %08x %08x %08x %08x -> ", cur->name, hexbytes, r[0], r[1],
           r[2], r[3], r[4], r[5], fl);
    nlines++;
    if (sigsetjmp(jb, 1)) {
        printf("#DE\n");
        return;
    }
    insn_run(cur->start);
    printf("%08x %08x %08x %08x %08x %08x %08x %08x\n", insn_out[0], insn_out[1], insn_out[2],
           insn_out[3], insn_out[4], insn_out[5], insn_out[6], mask(cur, insn_in));
}

/* fresh random registers; input EFLAGS = bit 1 | IF | CF as given | random
 * other status flags (PF AF ZF SF OF) */
static void fresh(u32 *r)
{
    for (int i = 0; i < 6; i++)
        r[i] = rnd();
}
static u32 flags_in(int cf)
{
    return 0x202u | (cf ? CF : 0) | (rnd() & (STATUS & ~CF));
}

/* ---- operand value sets ------------------------------------------------------- */
/* edge values for two-operand cases: 6 fixed + 2 pseudo-random */
static int edge(u32 w, u32 *v)
{
    int n = 0;
    u32 m = wmask(w), s = sign(w);
    v[n++] = 0;
    v[n++] = 1;
    v[n++] = s - 1;               /* 0x7f.. */
    v[n++] = s;                   /* 0x80.. */
    v[n++] = m;                   /* 0xff.. */
    v[n++] = w == 8 ? 0x81 : w == 16 ? 0x00ff : 0x0000ffff;
    v[n++] = rnd() & m;
    v[n++] = rnd() & m;
    return n;
}
/* one-operand cases: 16 values */
static int single(u32 w, u32 *v)
{
    int n = edge(w, v);
    u32 m = wmask(w), s = sign(w);
    v[n++] = s | 1;               /* 0x80..01 */
    v[n++] = m - 1;               /* 0xff..fe */
    v[n++] = s >> 1;              /* 0x40.. */
    v[n++] = 0x55555555u & m;
    v[n++] = 0xaaaaaaaau & m;
    v[n++] = 2;
    v[n++] = rnd() & m;
    v[n++] = (rnd() & rnd()) & m; /* sparse */
    return n;
}
/* shift operands: 8 values */
static int shiftvals(u32 w, u32 *v)
{
    int n = 0;
    u32 m = wmask(w), s = sign(w);
    v[n++] = 0;
    v[n++] = 1;
    v[n++] = s;
    v[n++] = m;
    v[n++] = s | 1;
    v[n++] = s >> 1;
    v[n++] = rnd() & m;
    v[n++] = rnd() & m;
    return n;
}
static const u32 counts[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255 };
#define NCOUNTS (sizeof counts / sizeof counts[0])

/* ---- generators ------------------------------------------------------------------ */
static void gen_bin(const struct entry *e)
{
    u32 va[16], vb[16], r[6];
    int na = edge(e->w, va), nb = edge(e->w, vb);
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            for (int cf = 0; cf <= (int)e->cfin; cf++) {
                fresh(r);
                place(r, e->w, e->b, vb[j]);
                place(r, e->w, e->a, va[i]);
                run(r, flags_in(e->cfin ? cf : (int)(rnd() & 1)));
            }
}

static void gen_one(const struct entry *e, int shifts)
{
    u32 v[16], r[6];
    int n = shifts ? shiftvals(e->w, v) : single(e->w, v);
    int both = e->cfin || shifts;     /* CF matters: try both */
    for (int i = 0; i < n; i++)
        for (int cf = 0; cf <= both; cf++) {
            fresh(r);
            place(r, e->w, e->a, v[i]);
            run(r, flags_in(both ? cf : (int)(rnd() & 1)));
        }
}

static void gen_shcl(const struct entry *e)
{
    u32 v[16], r[6];
    int n = shiftvals(e->w, v);
    for (int i = 0; i < n; i++)
        for (unsigned k = 0; k < NCOUNTS; k++)
            for (int cf = 0; cf <= (int)e->cfin; cf++) {
                fresh(r);
                place(r, 8, 1, counts[k]);            /* cl */
                place(r, e->w, e->a, v[i]);
                run(r, flags_in(e->cfin ? cf : (int)(rnd() & 1)));
            }
}

static void gen_shd(const struct entry *e)
{
    u32 m = wmask(e->w), s = sign(e->w), r[6];
    u32 v[4] = { 0, s | 1, m, rnd() & m };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            u32 v2 = j == 3 ? rnd() & m : v[j];
            if (e->cnt != CL) {
                fresh(r);
                place(r, e->w, e->b, v2);
                place(r, e->w, e->a, v[i]);
                run(r, flags_in((int)(rnd() & 1)));
                continue;
            }
            for (unsigned k = 0; k < NCOUNTS; k++) {
                if (e->w == 16 && (counts[k] & 31) > 16)
                    continue;                          /* result undefined */
                fresh(r);
                place(r, 8, 1, counts[k]);
                place(r, e->w, e->b, v2);
                place(r, e->w, e->a, v[i]);
                run(r, flags_in((int)(rnd() & 1)));
            }
        }
}

static void gen_div(const struct entry *e)
{
    u32 r[6], hi[10], lo[10], d[10];
    int nd = 0, nv = 0;
    u32 w = e->w, m = wmask(w), s = sign(w);
    /* dividends: (hi, lo) halves of width w each; for 8 bits the dividend is ax */
    static const u32 h32[] = { 0, 0, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff };
    static const u32 l32[] = { 0, 1, 0xffffffff, 0, 0xffffffff, 0, 0xffffffff, 0x80000000 };
    for (int i = 0; i < 8; i++) {
        hi[nv] = h32[i] & m;
        lo[nv] = l32[i] & m;
        nv++;
    }
    hi[nv] = 0; lo[nv] = rnd() & m; nv++;                   /* small positive */
    hi[nv] = m; lo[nv] = (rnd() | s) & m; nv++;             /* small negative */
    d[nd++] = 0; d[nd++] = 1; d[nd++] = 2; d[nd++] = s - 1; d[nd++] = s; d[nd++] = m;
    d[nd++] = m - 1; d[nd++] = rnd() & m; d[nd++] = (rnd() & 0xff) | 3;
    for (int i = 0; i < nv; i++)
        for (int j = 0; j < nd; j++) {
            fresh(r);
            if (w == 8) {
                place(r, 16, 0, (hi[i] << 8) | lo[i]);          /* ax */
            } else {
                place(r, w, 2, hi[i]);                          /* dx / edx */
                place(r, w, 0, lo[i]);                          /* ax / eax */
            }
            place(r, w, e->b, d[j]);
            run(r, flags_in((int)(rnd() & 1)));
        }
}

static void gen_bt(const struct entry *e)
{
    u32 m = wmask(e->w), r[6];
    u32 v[4] = { 0, m, sign(e->w) | 1, rnd() & m };
    static const u32 offs[] = { 0, 1, 7, 15, 16, 17, 31, 32, 33, 0xffffffff, 0x80000000,
                                0x7fffffff, 0xfff0 };
    for (int i = 0; i < 4; i++)
        for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
            fresh(r);
            place(r, e->w, e->b, offs[k]);
            place(r, e->w, e->a, v[i]);
            run(r, flags_in((int)(rnd() & 1)));
        }
}

static void gen_cmpx(const struct entry *e)
{
    u32 v[16], r[6];
    int n = edge(e->w, v);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 5; j++) {
            u32 acc = j == 4 ? v[i] : v[(i + 3 * j + 1) % n];
            fresh(r);
            place(r, e->w, e->a, v[i]);
            place(r, e->w, 0, acc);                 /* al / ax / eax */
            if (e->a == 0 && e->w == 32 && j != 4)
                continue;                           /* eax vs eax: always equal */
            run(r, flags_in((int)(rnd() & 1)));
        }
}

static void gen_flags(const struct entry *e, int nflags)
{
    static const u32 bits[6] = { CF, PF, ZF, SF, OF, AF };
    u32 r[6];
    for (int c = 0; c < (1 << nflags); c++) {
        u32 fl = 0x202;
        for (int b = 0; b < nflags; b++)
            if (c & (1 << b))
                fl |= bits[b];
        if (nflags == 5)
            fl |= rnd() & AF;
        fresh(r);
        (void)e;
        run(r, fl);
    }
}

static void gen_sahf(const struct entry *e)
{
    u32 r[6];
    for (u32 ah = 0; ah < 256; ah++) {
        fresh(r);
        place(r, 8, e->a, ah);
        run(r, flags_in((int)(rnd() & 1)));
    }
}

/* gen [NAME...] runs only the named snippets; gen -x NAME... all but those */
static int selected(const char *name, int argc, char **argv)
{
    int exclude = argc > 1 && strcmp(argv[1], "-x") == 0;
    if (argc < 2)
        return 1;
    for (int i = exclude ? 2 : 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return !exclude;
    return exclude;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fpe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, NULL);

    for (const struct entry *e = insn_table; e < insn_table_end; e++) {
        if (!selected(e->name, argc, argv))
            continue;
        cur = e;
        int n = 0;
        for (const unsigned char *p = e->start; p < e->end && n < 60; p++)
            n += sprintf(hexbytes + n, "%02x", *p);
        seed(e->name);
        switch (e->gen) {
        case G_BIN:   gen_bin(e); break;
        case G_ONE:   gen_one(e, 0); break;
        case G_SHI:   gen_one(e, 1); break;
        case G_SHCL:  gen_shcl(e); break;
        case G_SHD:   gen_shd(e); break;
        case G_DIV:   gen_div(e); break;
        case G_BT:    gen_bt(e); break;
        case G_CMPX:  gen_cmpx(e); break;
        case G_FLAGS: gen_flags(e, 5); break;
        case G_LAHF:  gen_flags(e, 6); break;
        case G_SAHF:  gen_sahf(e); break;
        default:
            fprintf(stderr, "%s: unknown generator %u\n", e->name, e->gen);
            return 1;
        }
    }
    fflush(stdout);
    fprintf(stderr, "%lu lines, %ld snippets\n", nlines, (long)(insn_table_end - insn_table));
    return 0;
}
