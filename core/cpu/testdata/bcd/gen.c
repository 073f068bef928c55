/* gen: records how this CPU executes the BCD adjustments (daa das aaa aas
 * aam aad), which testvectors/insn does not cover. Same line format as
 * testvectors/insn/expect.txt (see its README.md); run natively:
 *
 *   gcc -m32 -static -no-pie -O2 -o /tmp/bcdgen gen.c snippets.S && /tmp/bcdgen > ../bcd_expect.txt
 *
 * Every AL value (every fifth for aam/aad) runs with each combination of CF
 * and AF, AH and the other registers pseudo-random. MASK holds the flags the Intel SDM defines.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint32_t u32;
struct snip {
    const char *name;
    const unsigned char *start, *end;
    u32 mask;
};
extern struct snip bcd_table[], bcd_table_end[];
extern u32 bcd_in[7], bcd_out[7];
void bcd_run(const void *code);

static u32 rs = 12345;
static u32 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

int main(void)
{
    for (struct snip *s = bcd_table; s < bcd_table_end; s++) {
        char hex[64];
        int n = 0;
        for (const unsigned char *p = s->start; p < s->end; p++)
            n += sprintf(hex + n, "%02x", *p);
        int step = !strncmp(s->name, "aam", 3) || !strncmp(s->name, "aad", 3) ? 5 : 1;
        for (u32 al = 0; al < 256; al += step)
            for (u32 fl = 0; fl < 4; fl++) {
                u32 r[6];
                for (int i = 0; i < 6; i++)
                    r[i] = rnd();
                r[0] = (r[0] & ~0xffu) | al;
                u32 f = 0x202 | (fl & 1 ? 0x1 : 0) | (fl & 2 ? 0x10 : 0) | (rnd() & 0x8c4);
                memcpy(bcd_in, r, sizeof r);
                bcd_in[6] = f;
                bcd_run(s->start);
                printf("%s %s %08x %08x %08x %08x %08x %08x %08x -> %08x %08x %08x %08x %08x %08x %08x %08x\n",
                       s->name, hex, r[0], r[1], r[2], r[3], r[4], r[5], f, bcd_out[0], bcd_out[1],
                       bcd_out[2], bcd_out[3], bcd_out[4], bcd_out[5], bcd_out[6], s->mask);
            }
    }
    return 0;
}
