/* gen: records how this CPU executes the string instructions (register
 * and flag effects), which testvectors/insn does not cover. Same line
 * format as testvectors/insn/expect.txt; run natively:
 *
 *   gcc -m32 -static -no-pie -O2 -o /tmp/strgen gen.c snippets.S && /tmp/strgen > ../str_expect.txt
 *
 * Memory: four pages at 0x20000000 (STR_BASE). Page 0 holds pattern(i),
 * page 1 the same pattern with a few bytes changed (so compares stop at
 * known places), pages 2-3 are scratch for stores. insn_test.go builds
 * the same memory. ESI points into page 0, EDI into page 1 for compares
 * and scans or page 2 for stores; ECX is 0-40; DF is set in a third of
 * the cases. MASK: all six status flags (string instructions define them
 * all, or leave them unchanged).
 *
 * The bt/bts/btr/btc memory forms with a register bit offset (which
 * addresses memory beyond the operand) run with EBX in page 2 and a
 * signed offset reaching pages 0-3; ESI is the word holding the bit,
 * which the snippet loads into EAX after the instruction so the memory
 * effect shows. MASK: CF and ZF (OF SF AF PF are undefined).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef uint32_t u32;
#define STR_BASE 0x20000000u
struct snip {
    const char *name;
    const unsigned char *start, *end;
    u32 dst;  /* page of EDI: 1 compare, 2 store; 3/4: bit test, 32/16-bit */
    u32 mask; /* defined status flags */
};
extern struct snip str_table[], str_table_end[];
extern u32 str_in[7], str_out[7];
void str_run(const void *code);

static u32 rs = 777;
static u32 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static unsigned char pattern(u32 i) { return (unsigned char)((i * 7 + 3) ^ (i >> 5)); }

static void fill(unsigned char *m)
{
    for (u32 i = 0; i < 4096; i++)
        m[i] = m[4096 + i] = pattern(i);
    for (u32 i = 5; i < 4096; i += 37) /* differences every 37 bytes */
        m[4096 + i] ^= 0x40;
    memset(m + 8192, 0, 8192);
}

int main(void)
{
    unsigned char *m = mmap((void *)STR_BASE, 16384, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (m != (void *)STR_BASE) {
        perror("mmap");
        return 1;
    }
    for (struct snip *s = str_table; s < str_table_end; s++) {
        char hex[64];
        int n = 0;
        for (const unsigned char *p = s->start; p < s->end; p++)
            n += sprintf(hex + n, "%02x", *p);
        for (int k = 0; k < 48; k++) {
            fill(m);
            u32 r[6];
            for (int i = 0; i < 6; i++)
                r[i] = rnd();
            u32 off = 256 + rnd() % 3584;
            u32 df = k % 3 == 2;
            r[1] = k % 8 == 0 ? 0 : rnd() % 41;                    /* ecx */
            r[4] = STR_BASE + off;                                  /* esi */
            r[5] = STR_BASE + s->dst * 4096 + (k % 4 == 1 ? off : 256 + rnd() % 3584);
            if (k % 2)
                r[0] = (r[0] & ~0xffu) | pattern((r[5] - STR_BASE + rnd() % 20) & 4095);
            u32 f = 0x202 | (df ? 0x400 : 0) | (rnd() & 0x8d5);
            if (s->dst >= 3) {
                /* bt* m,r: EBX in page 2, a signed bit offset reaching
                 * pages 0-3, ESI = the word holding the bit, DF clear. */
                int32_t bit = (int32_t)(rnd() % (0x3000 * 8)) - 0x2000 * 8;
                if (k % 4 == 0)
                    bit = (int32_t)(rnd() % 64) - 32;
                r[3] = STR_BASE + 0x2800;
                r[1] = (u32)bit;
                if (s->dst == 3) {
                    r[4] = r[3] + (u32)((bit >> 5) * 4);
                } else {
                    int16_t b16 = (int16_t)bit;
                    r[1] = (r[1] & 0xffff0000u) | (uint16_t)b16;
                    r[4] = r[3] + (u32)((b16 >> 4) * 2);
                }
                f &= ~0x400u;
            }
            memcpy(str_in, r, sizeof r);
            str_in[6] = f;
            str_run(s->start);
            printf("%s %s %08x %08x %08x %08x %08x %08x %08x -> %08x %08x %08x %08x %08x %08x %08x %08x\n",
                   s->name, hex, r[0], r[1], r[2], r[3], r[4], r[5], f, str_out[0], str_out[1],
                   str_out[2], str_out[3], str_out[4], str_out[5], str_out[6], s->mask);
        }
    }
    return 0;
}
