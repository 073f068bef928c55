/*
 * x87 instruction vectors: runs x87 instructions natively on chosen
 * operands and prints inputs and outputs as hex, one case per line.
 * Build and run with `make` in this directory (gcc -m32 -static).
 *
 * Line format (fields separated by one space):
 *
 *   NAME OP MODRM CW DEPTH EFLIN A B MEM : SW TW S0 S1 S2 S3 S4 S5 S6 S7 EFLOUT AX MEMOUT
 *
 *   NAME    mnemonic, for people
 *   OP      opcode byte minus 0xD8 (0-7), hex
 *   MODRM   ModRM byte, hex; memory forms use (%ecx), i.e. mod 0 rm 1
 *   CW      control word loaded before the instruction (4 hex digits)
 *   DEPTH   registers pushed before: 0, 1 (A), 2 (B then A), 8 (six
 *           copies of 1.0, then B, then A)
 *   EFLIN   EFLAGS status bits set before the instruction (hex)
 *   A, B    80-bit register images, 20 hex digits: exponent word, then
 *           significand (ST0 = A, ST1 = B)
 *   MEM     the memory operand before: 10 hex bytes in address order, or
 *           "-" for register forms
 *   SW TW   status word (TOP included) and full tag word, after
 *   S0..S7  ST(0)..ST(7) after, 20 hex digits, or "-" when tagged empty
 *   EFLOUT  EFLAGS & 0x8D5 after (OF SF ZF AF PF CF)
 *   AX      AX after (EAX is zeroed before; only fnstsw ax writes it)
 *   MEMOUT  the 10 memory bytes after, or "-"
 *
 * Lines starting with '#' are comments. Deterministic: a fixed seed.
 * Usage: gen [SCALE [SEED]] multiplies the case counts and changes the
 * seed (the committed file is `gen` with no arguments).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint8_t b[10];
} f80;

struct io {
	f80 a, b;
	uint16_t cw;
	uint32_t eflin, eflout, eax;
	int depth;
	uint8_t mem[16];
	uint8_t save[108];
};

static const f80 one80 = {{0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x3F}};

/* setup loads the stack; the instruction block follows in the same asm
 * statement so the compiler cannot touch the FPU in between. */
#define SETUP                                                                 \
	"fninit\n"                                                            \
	"fldcw 0(%%esi)\n"                                                    \
	"movl 4(%%esi), %%eax\n"                                              \
	"cmpl $8, %%eax\n"                                                    \
	"jne 1f\n"                                                            \
	"fldt 8(%%esi)\nfldt 8(%%esi)\nfldt 8(%%esi)\n"                       \
	"fldt 8(%%esi)\nfldt 8(%%esi)\nfldt 8(%%esi)\n"                       \
	"1:\n"                                                                \
	"cmpl $2, %%eax\n"                                                    \
	"jb 2f\n"                                                             \
	"fldt 28(%%esi)\n"                                                    \
	"2:\n"                                                                \
	"cmpl $1, %%eax\n"                                                    \
	"jb 3f\n"                                                             \
	"fldt 18(%%esi)\n"                                                    \
	"3:\n"                                                                \
	"fnclex\n"                                                            \
	"xorl %%eax, %%eax\n"                                                 \
	"pushl 40(%%esi)\n"                                                   \
	"popfl\n"

#define FINISH                                                                \
	"\npushfl\n"                                                          \
	"popl 44(%%esi)\n"                                                    \
	"movl %%eax, 48(%%esi)\n"                                             \
	"fnsave 52(%%esi)\n"

/* The block the asm reads: fixed offsets from esi. */
struct blk {
	uint16_t cw;     /* 0 */
	uint16_t pad;    /* 2 */
	uint32_t depth;  /* 4 */
	f80 fill;        /* 8 */
	f80 a;           /* 18 */
	f80 b;           /* 28 */
	uint16_t pad2;   /* 38 */
	uint32_t eflin;  /* 40 */
	uint32_t eflout; /* 44 */
	uint32_t eax;    /* 48 */
	uint8_t save[108]; /* 52 */
} __attribute__((packed));

#define INSN(fn, op, modrm)                                                   \
	static void fn(struct blk *k, uint8_t *mem)                           \
	{                                                                     \
		asm volatile(SETUP ".byte 0xD8+" #op ", " #modrm FINISH       \
			     :                                                \
			     : "S"(k), "c"(mem)                               \
			     : "eax", "memory", "cc");                        \
	}

/* Operand kinds: what the memory operand holds. */
enum { MNONE, MR32, MR64, MR80, MI16, MI32, MI64, MBCD, MOUT };
/* Operand value classes for register inputs. */
enum { VANY, VTRIG, VF2XM1, VLOG, VLOGP1, VSCALE, VREM, VINT, VCMP };

struct insn {
	const char *name;
	int op, modrm;
	void (*fn)(struct blk *, uint8_t *);
	int mem;   /* memory operand kind (input) */
	int vals;  /* value class for A and B */
	int count; /* cases */
};

#define X(name, op, modrm, mem, vals, count) INSN(run_##name, op, modrm)
#include "insns.h"
#undef X

static struct insn insns[] = {
#define X(name, op, modrm, mem, vals, count) {#name, op, modrm, run_##name, mem, vals, count},
#include "insns.h"
#undef X
};

/* --- deterministic random numbers --- */
static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}
static int rn(int n) { return (int)(rnd() % (uint64_t)n); }

static f80 mk(uint16_t se, uint64_t sig)
{
	f80 r;
	memcpy(r.b, &sig, 8);
	memcpy(r.b + 8, &se, 2);
	return r;
}
static uint16_t se_of(f80 x) { uint16_t s; memcpy(&s, x.b + 8, 2); return s; }
static uint64_t sig_of(f80 x) { uint64_t s; memcpy(&s, x.b, 8); return s; }

static const struct { uint16_t se; uint64_t sig; } specials[] = {
	{0x0000, 0}, {0x8000, 0},                                   /* zeros */
	{0x3FFF, 0x8000000000000000ull}, {0xBFFF, 0x8000000000000000ull}, /* 1 */
	{0x0000, 1}, {0x0000, 0x7FFFFFFFFFFFFFFFull},                /* denormals */
	{0x8000, 0x0000000012345678ull},
	{0x0000, 0x8000000000000000ull},                             /* pseudo-denormal */
	{0x0001, 0x8000000000000000ull}, {0x8001, 0xFFFFFFFFFFFFFFFFull}, /* min normal */
	{0x7FFE, 0xFFFFFFFFFFFFFFFFull}, {0xFFFE, 0x8000000000000000ull}, /* huge */
	{0x7FFF, 0x8000000000000000ull}, {0xFFFF, 0x8000000000000000ull}, /* inf */
	{0x7FFF, 0xC000000000000000ull}, {0xFFFF, 0xC000000000001234ull}, /* QNaN */
	{0x7FFF, 0xA000000000000000ull}, {0xFFFF, 0x8000000000000001ull}, /* SNaN */
	{0x3FFF, 0x4000000000000000ull},                             /* unnormal */
	{0x7FFF, 0x0000000000000000ull},                             /* pseudo-inf */
	{0x4000, 0xC90FDAA22168C235ull}, {0x3FFF, 0xC90FDAA22168C235ull}, /* pi, pi/2 */
	{0x3FFF, 0x8000000000000400ull}, {0x3FFF, 0x80000000000003FFull}, /* 53-bit ties */
	{0x3FFF, 0x8000000000000C00ull}, {0x3FFF, 0x8000008000000000ull}, /* 24-bit tie */
	{0x3FFF, 0xFFFFFFFFFFFFFFFFull}, {0x403E, 0x8000000000000000ull}, /* 2^63 */
	{0x3C01, 0x8000000000000000ull}, {0x3BCD, 0x8000000000000000ull}, /* f64 min normal / denormal */
	{0x3F81, 0x8000000000000000ull}, {0x3F6A, 0xC000000000000000ull}, /* f32 */
	{0x43FE, 0xFFFFFFFFFFFFF800ull}, {0x407E, 0xFFFFFF8000000000ull}, /* f64/f32 max */
	{0x43FF, 0x8000000000000000ull},
};
#define NSPEC (sizeof specials / sizeof specials[0])

static f80 special(void)
{
	int i = rn(NSPEC);
	return mk(specials[i].se, specials[i].sig);
}

/* A significand with interesting low bits around rounding points. */
static uint64_t edgy_sig(void)
{
	uint64_t s = rnd() | 0x8000000000000000ull;
	static const uint64_t lows[] = {0x400, 0x3FF, 0x401, 0x7FF, 0x800, 0xC00, 0x0, 0x1,
					0x8000000000ull, 0x7FFFFFFFFFull, 0x8000000001ull, 0xFFFFFFFFFFull};
	switch (rn(3)) {
	case 0: /* low 11 bits */
		return (s & ~0x7FFull) | (lows[rn(6)] & 0x7FF) | ((lows[rn(6)] & 0x800));
	case 1: /* low 40 bits */
		return (s & ~0xFFFFFFFFFFull) | lows[6 + rn(6)];
	}
	return s;
}

static f80 any80(void)
{
	uint16_t sign = rn(2) ? 0x8000 : 0;
	switch (rn(10)) {
	case 0: case 1: case 2:
		return special();
	case 3: case 4: case 5: case 6:
		return mk(sign | (0x3FFF - 70 + rn(140)), rnd() | 0x8000000000000000ull);
	case 7:
		return mk(sign | (1 + rn(0x7FFE)), rnd() | 0x8000000000000000ull);
	case 8:
		return mk(sign | (0x3FFF - 20 + rn(40)), edgy_sig());
	}
	/* near the bottom of the exponent range (denormal results) */
	if (rn(2))
		return mk(sign, rnd() >> rn(64));
	return mk(sign | rn(70), rnd() | 0x8000000000000000ull);
}

static f80 fromd(double d)
{
	f80 r;
	long double x = d;
	memcpy(r.b, &x, 10);
	return r;
}

static f80 val(int cls, int which, f80 a)
{
	uint16_t sign = rn(2) ? 0x8000 : 0;
	switch (cls) {
	case VTRIG:
		if (which == 1 || rn(8) == 0)
			return any80();
		switch (rn(4)) {
		case 0:
			return mk(sign | (0x3FFF - 3 + rn(8)), rnd() | 0x8000000000000000ull);
		case 1:
			return mk(sign | (0x3FFF + rn(64)), rnd() | 0x8000000000000000ull);
		case 2: /* near multiples of pi/2 */
			return mk(sign | (0x3FFF + rn(4)), 0xC90FDAA22168C234ull + rn(5) - 2);
		}
		return mk(sign | (0x3FFF - 64 + rn(60)), rnd() | 0x8000000000000000ull);
	case VF2XM1:
		if (which == 1 || rn(10) == 0)
			return any80();
		return mk(sign | (0x3FFF - 1 - rn(rn(2) ? 4 : 70)), rnd() | 0x8000000000000000ull);
	case VLOG:
		if (rn(10) == 0)
			return any80();
		if (which == 0)
			return mk(0x3FFF - 40 + rn(80), rnd() | 0x8000000000000000ull);
		return mk(sign | (0x3FFF - 4 + rn(8)), rnd() | 0x8000000000000000ull);
	case VLOGP1:
		if (rn(10) == 0)
			return any80();
		if (which == 0)
			return mk(sign | (0x3FFF - 2 - rn(rn(2) ? 4 : 70)), rnd() | 0x8000000000000000ull);
		return mk(sign | (0x3FFF - 4 + rn(8)), rnd() | 0x8000000000000000ull);
	case VSCALE:
		if (which == 0 || rn(8) == 0)
			return any80();
		if (rn(2))
			return fromd((double)(rn(2) ? 1 : -1) * (rn(40000) / 2.0));
		return fromd((double)(rn(2) ? 1 : -1) * rn(70));
	case VREM:
		if (rn(8) == 0)
			return any80();
		if (which == 0)
			return mk(sign | (0x3FFF + rn(200)), rnd() | 0x8000000000000000ull);
		return mk(sign | (0x3FFF - 5 + rn(20)), rnd() | 0x8000000000000000ull);
	case VINT: {
		if (rn(6) == 0)
			return any80();
		static const double lims[] = {32767.0, 32768.0, 2147483647.0, 2147483648.0,
					      9223372036854775807.0, 999999999999999999.0, 1e18, 0.0, 1.0, 2.0};
		int i = rn(10);
		double base = lims[i] * (rn(2) ? -1 : 1);
		if (i == 4 || i == 5 || i == 6) {
			/* big values: tweak the significand */
			f80 r = fromd(base);
			uint64_t s = sig_of(r) + rn(2049) - 1024;
			return mk(se_of(r), s | 0x8000000000000000ull);
		}
		static const double offs[] = {0, 0.5, -0.5, 0.25, 0.75, -0.75, 1, -1, 0.4999999, 1.5};
		long double x = (long double)base + offs[rn(10)];
		f80 r;
		memcpy(r.b, &x, 10);
		return r;
	}
	case VCMP:
		if (which == 1 && rn(3) == 0)
			return a; /* equal operands */
		return any80();
	}
	/* VANY: b is sometimes close to a (cancellation) */
	if (which == 1 && rn(5) == 0) {
		uint64_t s = sig_of(a);
		int sh = rn(64);
		s ^= (rnd() >> 1) >> sh;
		s |= 0x8000000000000000ull;
		return mk(se_of(a) ^ (rn(2) ? 0x8000 : 0), s);
	}
	return any80();
}

static void memval(int kind, uint8_t *m)
{
	uint64_t v = rnd();
	memset(m, 0, 16);
	switch (kind) {
	case MR32: {
		static const uint32_t sp[] = {0, 0x80000000, 0x3F800000, 0x00000001, 0x007FFFFF, 0x80400000,
					      0x7F800000, 0xFF800000, 0x7FC00000, 0x7FA00000, 0xFF800001, 0x7F7FFFFF,
					      0x00800000, 0x3F800001, 0x4B000000};
		uint32_t x = rn(3) ? (uint32_t)v : sp[rn(15)];
		if (rn(4) == 0)
			x = (x & 0x807FFFFF) | (uint32_t)(127 - 30 + rn(60)) << 23;
		memcpy(m, &x, 4);
		return;
	}
	case MR64: {
		static const uint64_t sp[] = {0, 0x8000000000000000ull, 0x3FF0000000000000ull, 1, 0x000FFFFFFFFFFFFFull,
					      0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x7FF8000000000000ull,
					      0x7FF4000000000000ull, 0xFFF0000000000001ull, 0x7FEFFFFFFFFFFFFFull,
					      0x0010000000000000ull, 0x3FF0000000000001ull, 0x8008000000000000ull};
		uint64_t x = rn(3) ? v : sp[rn(14)];
		if (rn(4) == 0)
			x = (x & 0x800FFFFFFFFFFFFFull) | (uint64_t)(1023 - 30 + rn(60)) << 52;
		memcpy(m, &x, 8);
		return;
	}
	case MR80: {
		f80 x = any80();
		memcpy(m, x.b, 10);
		return;
	}
	case MI16: case MI32: case MI64: {
		static const int64_t sp[] = {0, 1, -1, 32767, -32768, 2147483647, -2147483647 - 1,
					     INT64_MAX, INT64_MIN, 12345};
		int64_t x = rn(2) ? (int64_t)v >> rn(64) : sp[rn(10)];
		memcpy(m, &x, 8);
		return;
	}
	case MBCD: {
		int i;
		for (i = 0; i < 9; i++)
			m[i] = (uint8_t)(rn(10) | rn(10) << 4);
		if (rn(3) == 0)
			for (i = 9 - rn(9); i < 9; i++)
				m[i] = 0;
		m[9] = rn(2) ? 0x80 : 0;
		return;
	}
	case MOUT:
		memset(m, 0xEE, 16);
		return;
	}
}

static void hex80(f80 x) { printf("%04x%016llx", se_of(x), (unsigned long long)sig_of(x)); }

static void run_case(struct insn *in, struct blk *k, uint8_t *mem)
{
	uint8_t m0[16];
	int i;
	memcpy(m0, mem, 16);
	in->fn(k, mem);
	printf("%s %x %02x %04x %u %x ", in->name, in->op, in->modrm, k->cw, k->depth, k->eflin);
	hex80(k->a);
	putchar(' ');
	hex80(k->b);
	putchar(' ');
	if (in->mem == MNONE)
		putchar('-');
	else
		for (i = 0; i < 10; i++)
			printf("%02x", m0[i]);
	uint16_t sw, tw;
	memcpy(&sw, k->save + 4, 2);
	memcpy(&tw, k->save + 8, 2);
	printf(" : %04x %04x", sw, tw);
	int top = (sw >> 11) & 7;
	for (i = 0; i < 8; i++) {
		if (((tw >> (2 * ((top + i) & 7))) & 3) == 3) {
			printf(" -");
			continue;
		}
		f80 x;
		memcpy(x.b, k->save + 28 + 10 * i, 10);
		putchar(' ');
		hex80(x);
	}
	printf(" %x %04x ", k->eflout & 0x8D5, k->eax & 0xFFFF);
	if (in->mem == MNONE)
		putchar('-');
	else
		for (i = 0; i < 10; i++)
			printf("%02x", mem[i]);
	putchar('\n');
}

int main(int argc, char **argv)
{
	static const uint32_t efls[] = {0, 0x1, 0x4, 0x40, 0x45, 0x41, 0x8D5};
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	if (argc > 2) /* another seed for local runs */
		rs ^= (strtoull(argv[2], 0, 0) + 1) * 0xD1B54A32D192ED03ull;
	if (rs == 0)
		rs = 1; /* xorshift must not start at 0 */
	unsigned n;
	printf("# x87 instruction vectors; see gen.c for the format\n");
	for (n = 0; n < sizeof insns / sizeof insns[0]; n++) {
		struct insn *in = &insns[n];
		int i;
		for (i = 0; i < in->count * scale * 7 / 10; i++) {
			struct blk k;
			uint8_t mem[16];
			memset(&k, 0, sizeof k);
			int rc = rn(4), pc = (int[]){0, 2, 3, 3}[rn(4)];
			int masks = 0x3F;
			if (rn(20) == 0) /* unmasked: suppressed or bias-adjusted results */
				masks = (int[]){0x38, 0x1F, 0x2F, 0x37, 0x00}[rn(5)];
			k.cw = (uint16_t)(0x40 | masks | pc << 8 | rc << 10);
			k.depth = 2;
			switch (rn(40)) {
			case 0: k.depth = 0; break;
			case 1: k.depth = 1; break;
			case 2: k.depth = 8; break;
			}
			k.fill = one80;
			k.a = val(in->vals, 0, k.a);
			k.b = val(in->vals, 1, k.a);
			k.eflin = efls[rn(7)];
			memval(in->mem, mem);
			run_case(in, &k, mem);
		}
	}
	return 0;
}
