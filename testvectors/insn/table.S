/* Snippet table for insn/gen.c: one instruction per snippet.
 *
 *   T name, gen, mask, w, a, b, cnt, cfin, instruction...
 *
 * name  mnemonic printed in expect.txt (unique; no spaces)
 * gen   which operand values gen.c tries (G_* below)
 * mask  how gen.c computes the SDM-defined status flags (M_* below)
 * w     width in bits of the varied operands (8, 16 or 32)
 * a, b  register codes of the operands whose values are varied (x86 encoding:
 *       32/16-bit 0 eax 1 ecx 2 edx 3 ebx 6 esi 7 edi; 8-bit 0 al 1 cl 2 dl
 *       3 bl 4 ah 5 ch 6 dh 7 bh; NO = none). `a` is usually the destination.
 * cnt   shift count: an immediate count, or CL when the count is in cl
 * cfin  1: the instruction reads CF, so every case runs with CF=0 and CF=1
 *
 * Each snippet is the instruction between two labels followed by `ret`; the
 * table records the label addresses so gen.c prints the instruction's own
 * bytes and calls it through insn_run with the registers loaded. Only eax,
 * ecx, edx, ebx, esi, edi are used: never esp or ebp.
 */

#define G_BIN   1   /* a x b over edge values */
#define G_ONE   2   /* a over edge + pseudo-random values */
#define G_SHCL  3   /* a over shift values x counts in cl */
#define G_SHI   4   /* a over shift values (count fixed in the instruction) */
#define G_SHD   5   /* a x b over double-shift values (x counts in cl if CL) */
#define G_DIV   6   /* dividend (ax, dx:ax or edx:eax) x divisor b */
#define G_BT    7   /* a values x bit offsets in b */
#define G_CMPX  8   /* eax x a (equal half the time), b = new value */
#define G_FLAGS 9   /* all 32 combinations of CF PF ZF SF OF */
#define G_LAHF  10  /* all 64 combinations of CF PF AF ZF SF OF */
#define G_SAHF  11  /* ah = 0..255 */

#define M_ALL   0   /* every status flag defined (also: flags not touched) */
#define M_LOGIC 1   /* AF undefined */
#define M_MUL   2   /* CF OF defined */
#define M_DIV   3   /* nothing defined */
#define M_BT    4   /* CF defined, ZF unaffected */
#define M_BSF   5   /* ZF defined */
#define M_SHL   6
#define M_SHR   7
#define M_SAR   8
#define M_ROT   9
#define M_RC    10
#define M_SHD   11

#define NO  255
#define CL  256
#define AL 0
#define CL8 1
#define DL 2
#define BL 3
#define AH 4
#define CH 5
#define DH 6
#define BH 7
#define EAX 0
#define ECX 1
#define EDX 2
#define EBX 3
#define ESI 6
#define EDI 7

	.section .rodata.insn_names, "a"
	.section .data.insn_table, "aw"
	.globl insn_table
	.p2align 2
insn_table:
	.text

.macro T name, gen, mask, w, a, b, cnt, cfin, insn:vararg
	.section .rodata.insn_names, "a"
.Ln\@:	.asciz "\name"
	.section .data.insn_table, "aw"
	.long .Ln\@, .Ls\@, .Le\@, \gen, \mask, \w, \a, \b, \cnt, \cfin
	.text
.Ls\@:	\insn
.Le\@:	ret
.endm

/* ---- the runner ----------------------------------------------------------
 * void insn_run(const void *code)
 * Loads eax ecx edx ebx esi edi and EFLAGS from insn_in[0..6], calls the
 * snippet, stores the registers and EFLAGS to insn_out[0..6]. */
	.data
	.globl insn_in, insn_out
	.p2align 2
insn_in:	.space 28
insn_out:	.space 28
insn_target:	.long 0
	.text
	.globl insn_run
	.type insn_run, @function
insn_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl %eax, insn_target
	pushl insn_in+24
	movl insn_in+4, %ecx
	movl insn_in+8, %edx
	movl insn_in+12, %ebx
	movl insn_in+16, %esi
	movl insn_in+20, %edi
	movl insn_in+0, %eax
	popfl
	call *insn_target
	pushfl
	movl %eax, insn_out+0
	movl %ecx, insn_out+4
	movl %edx, insn_out+8
	movl %ebx, insn_out+12
	movl %esi, insn_out+16
	movl %edi, insn_out+20
	popl insn_out+24
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size insn_run, .-insn_run

/* ---- two-operand ALU, register/register --------------------------------- */
.irp op, add, or, and, sub, xor, cmp
T \op\()8_rr,  G_BIN, M_ALL, 8,  AL, CL8, NO, 0, \op\()b %cl, %al
T \op\()16_rr, G_BIN, M_ALL, 16, EBX, EDX, NO, 0, \op\()w %dx, %bx
T \op\()32_rr, G_BIN, M_ALL, 32, EAX, ECX, NO, 0, \op\()l %ecx, %eax
T \op\()32_rr_load, G_BIN, M_ALL, 32, EDI, ESI, NO, 0, {load} \op\()l %esi, %edi
.endr
.irp op, adc, sbb
T \op\()8_rr,  G_BIN, M_ALL, 8,  AL, CL8, NO, 1, \op\()b %cl, %al
T \op\()16_rr, G_BIN, M_ALL, 16, EBX, EDX, NO, 1, \op\()w %dx, %bx
T \op\()32_rr, G_BIN, M_ALL, 32, EAX, ECX, NO, 1, \op\()l %ecx, %eax
T \op\()32_rr_load, G_BIN, M_ALL, 32, EDI, ESI, NO, 1, {load} \op\()l %esi, %edi
.endr
/* high-byte registers, mixed */
T add8_rr_ch_ah, G_BIN, M_ALL, 8, AH, CH, NO, 0, addb %ch, %ah
T or8_rr_bl_dh,  G_BIN, M_ALL, 8, DH, BL, NO, 0, orb %bl, %dh
T adc8_rr_ah_bl, G_BIN, M_ALL, 8, BL, AH, NO, 1, adcb %ah, %bl
T sbb8_rr_dh_cl, G_BIN, M_ALL, 8, CL8, DH, NO, 1, sbbb %dh, %cl
T and8_rr_bh_ch, G_BIN, M_ALL, 8, CH, BH, NO, 0, andb %bh, %ch
T sub8_rr_al_bh, G_BIN, M_ALL, 8, BH, AL, NO, 0, subb %al, %bh
T xor8_rr_dl_ah, G_BIN, M_ALL, 8, AH, DL, NO, 0, xorb %dl, %ah
T cmp8_rr_ah_ch, G_BIN, M_ALL, 8, CH, AH, NO, 0, cmpb %ah, %ch
T add8_rr_ah_al, G_BIN, M_ALL, 8, AL, AH, NO, 0, addb %ah, %al
T sub8_rr_load_bh_dl, G_BIN, M_ALL, 8, DL, BH, NO, 0, {load} subb %bh, %dl
T test8_rr,  G_BIN, M_LOGIC, 8,  AL, BH, NO, 0, testb %bh, %al
T test16_rr, G_BIN, M_LOGIC, 16, ECX, ESI, NO, 0, testw %si, %cx
T test32_rr, G_BIN, M_LOGIC, 32, EDX, EDI, NO, 0, testl %edi, %edx
/* same register twice */
T xor32_rr_same, G_ONE, M_LOGIC, 32, EAX, EAX, NO, 0, xorl %eax, %eax
T sub32_rr_same, G_ONE, M_ALL, 32, EDX, EDX, NO, 0, subl %edx, %edx
T sbb32_rr_same, G_ONE, M_ALL, 32, ESI, ESI, NO, 1, sbbl %esi, %esi
T test32_rr_same, G_ONE, M_LOGIC, 32, EBX, EBX, NO, 0, testl %ebx, %ebx
T add8_rr_same, G_ONE, M_ALL, 8, CH, CH, NO, 0, addb %ch, %ch

/* ---- two-operand ALU, register/immediate ---------------------------------- */
.irp op, add, or, and, sub, xor, cmp
T \op\()8_ri_al,   G_ONE, M_ALL, 8,  AL, NO, NO, 0, \op\()b $0x80, %al
T \op\()8_ri_dh,   G_ONE, M_ALL, 8,  DH, NO, NO, 0, \op\()b $0x01, %dh
T \op\()16_ri_ax,  G_ONE, M_ALL, 16, EAX, NO, NO, 0, \op\()w $0x8000, %ax
T \op\()16_ri8_si, G_ONE, M_ALL, 16, ESI, NO, NO, 0, \op\()w $-1, %si
T \op\()32_ri_eax, G_ONE, M_ALL, 32, EAX, NO, NO, 0, \op\()l $0x7fffffff, %eax
T \op\()32_ri_edi, G_ONE, M_ALL, 32, EDI, NO, NO, 0, \op\()l $0x80000000, %edi
T \op\()32_ri8_ebx, G_ONE, M_ALL, 32, EBX, NO, NO, 0, \op\()l $-2, %ebx
.endr
.irp op, adc, sbb
T \op\()8_ri_al,   G_ONE, M_ALL, 8,  AL, NO, NO, 1, \op\()b $0x7f, %al
T \op\()8_ri_bh,   G_ONE, M_ALL, 8,  BH, NO, NO, 1, \op\()b $0xff, %bh
T \op\()16_ri_ax,  G_ONE, M_ALL, 16, EAX, NO, NO, 1, \op\()w $0x7fff, %ax
T \op\()16_ri8_di, G_ONE, M_ALL, 16, EDI, NO, NO, 1, \op\()w $1, %di
T \op\()32_ri_eax, G_ONE, M_ALL, 32, EAX, NO, NO, 1, \op\()l $0xffffffff, %eax
T \op\()32_ri_ecx, G_ONE, M_ALL, 32, ECX, NO, NO, 1, \op\()l $0x12345678, %ecx
T \op\()32_ri8_edx, G_ONE, M_ALL, 32, EDX, NO, NO, 1, \op\()l $0, %edx
.endr
T test8_ri_al,  G_ONE, M_LOGIC, 8, AL, NO, NO, 0, testb $0x81, %al
T test8_ri_ch,  G_ONE, M_LOGIC, 8, CH, NO, NO, 0, testb $0x40, %ch
T test16_ri_dx, G_ONE, M_LOGIC, 16, EDX, NO, NO, 0, testw $0x8001, %dx
T test32_ri_eax, G_ONE, M_LOGIC, 32, EAX, NO, NO, 0, testl $0x80000001, %eax
T test32_ri_esi, G_ONE, M_LOGIC, 32, ESI, NO, NO, 0, testl $0xff, %esi
/* opcode 82 is an alias of 80 in 32-bit mode: add $5, %al */
T add8_ri_op82, G_ONE, M_ALL, 8, AL, NO, NO, 0, .byte 0x82, 0xc0, 0x05

/* ---- one operand ---------------------------------------------------------- */
T inc8_al,  G_ONE, M_ALL, 8, AL, NO, NO, 1, incb %al
T inc8_bh,  G_ONE, M_ALL, 8, BH, NO, NO, 1, incb %bh
T inc16_cx, G_ONE, M_ALL, 16, ECX, NO, NO, 1, incw %cx
T inc32_edx, G_ONE, M_ALL, 32, EDX, NO, NO, 1, incl %edx
T inc32_esi_ff, G_ONE, M_ALL, 32, ESI, NO, NO, 1, .byte 0xff, 0xc6
T dec8_dl,  G_ONE, M_ALL, 8, DL, NO, NO, 1, decb %dl
T dec8_ah,  G_ONE, M_ALL, 8, AH, NO, NO, 1, decb %ah
T dec16_si, G_ONE, M_ALL, 16, ESI, NO, NO, 1, decw %si
T dec32_edi, G_ONE, M_ALL, 32, EDI, NO, NO, 1, decl %edi
T dec32_ebx_ff, G_ONE, M_ALL, 32, EBX, NO, NO, 1, .byte 0xff, 0xcb
T neg8_cl,  G_ONE, M_ALL, 8, CL8, NO, NO, 1, negb %cl
T neg8_dh,  G_ONE, M_ALL, 8, DH, NO, NO, 1, negb %dh
T neg16_ax, G_ONE, M_ALL, 16, EAX, NO, NO, 1, negw %ax
T neg32_ebx, G_ONE, M_ALL, 32, EBX, NO, NO, 1, negl %ebx
T not8_bl,  G_ONE, M_ALL, 8, BL, NO, NO, 1, notb %bl
T not8_ch,  G_ONE, M_ALL, 8, CH, NO, NO, 1, notb %ch
T not16_di, G_ONE, M_ALL, 16, EDI, NO, NO, 1, notw %di
T not32_eax, G_ONE, M_ALL, 32, EAX, NO, NO, 1, notl %eax

/* ---- shifts and rotates --------------------------------------------------- */
.macro SHIFTS op, m, cf
T \op\()8_1,    G_SHI,  \m, 8,  DL, NO, 1, \cf, \op\()b %dl
T \op\()16_1,   G_SHI,  \m, 16, ESI, NO, 1, \cf, \op\()w %si
T \op\()32_1,   G_SHI,  \m, 32, EDI, NO, 1, \cf, \op\()l %edi
T \op\()8_cl,   G_SHCL, \m, 8,  AL, NO, CL, \cf, \op\()b %cl, %al
T \op\()16_cl,  G_SHCL, \m, 16, EDX, NO, CL, \cf, \op\()w %cl, %dx
T \op\()32_cl,  G_SHCL, \m, 32, ESI, NO, CL, \cf, \op\()l %cl, %esi
T \op\()8_i3,   G_SHI,  \m, 8,  BL, NO, 3, \cf, \op\()b $3, %bl
T \op\()8_i8,   G_SHI,  \m, 8,  BH, NO, 8, \cf, \op\()b $8, %bh
T \op\()8_i9,   G_SHI,  \m, 8,  BL, NO, 9, \cf, \op\()b $9, %bl
T \op\()16_i9,  G_SHI,  \m, 16, EAX, NO, 9, \cf, \op\()w $9, %ax
T \op\()16_i16, G_SHI,  \m, 16, EAX, NO, 16, \cf, \op\()w $16, %ax
T \op\()16_i31, G_SHI,  \m, 16, EBX, NO, 31, \cf, \op\()w $31, %bx
T \op\()32_i0,  G_SHI,  \m, 32, EAX, NO, 0, \cf, \op\()l $0, %eax
T \op\()32_i7,  G_SHI,  \m, 32, ECX, NO, 7, \cf, \op\()l $7, %ecx
T \op\()32_i31, G_SHI,  \m, 32, EDX, NO, 31, \cf, \op\()l $31, %edx
T \op\()32_i32, G_SHI,  \m, 32, EBX, NO, 32, \cf, \op\()l $32, %ebx
.endm
SHIFTS shl, M_SHL, 0
SHIFTS shr, M_SHR, 0
SHIFTS sar, M_SAR, 0
SHIFTS rol, M_ROT, 0
SHIFTS ror, M_ROT, 0
SHIFTS rcl, M_RC, 1
SHIFTS rcr, M_RC, 1
/* C1 /r ib with count 1 (not the D1 short form) */
T shl32_i1_c1, G_SHI, M_SHL, 32, EAX, NO, 1, 0, .byte 0xc1, 0xe0, 0x01
T sar32_i1_c1, G_SHI, M_SAR, 32, EDI, NO, 1, 0, .byte 0xc1, 0xff, 0x01
T rcr32_i1_c1, G_SHI, M_RC, 32, EBX, NO, 1, 1, .byte 0xc1, 0xdb, 0x01
/* high-byte destinations */
T shl8_cl_ah, G_SHCL, M_SHL, 8, AH, NO, CL, 0, shlb %cl, %ah
T sar8_cl_dh, G_SHCL, M_SAR, 8, DH, NO, CL, 0, sarb %cl, %dh
T rcr8_cl_bh, G_SHCL, M_RC, 8, BH, NO, CL, 1, rcrb %cl, %bh
T rol8_1_ch,  G_SHI, M_ROT, 8, CH, NO, 1, 0, rolb %ch

/* ---- double shifts ---------------------------------------------------------- */
T shld32_cl, G_SHD, M_SHD, 32, EAX, EBX, CL, 0, shldl %cl, %ebx, %eax
T shrd32_cl, G_SHD, M_SHD, 32, ESI, EDX, CL, 0, shrdl %cl, %edx, %esi
T shld16_cl, G_SHD, M_SHD, 16, EDI, ESI, CL, 0, shldw %cl, %si, %di
T shrd16_cl, G_SHD, M_SHD, 16, EBX, EAX, CL, 0, shrdw %cl, %ax, %bx
T shld32_i1,  G_SHD, M_SHD, 32, EDX, ECX, 1, 0, shldl $1, %ecx, %edx
T shld32_i8,  G_SHD, M_SHD, 32, EAX, EDI, 8, 0, shldl $8, %edi, %eax
T shld32_i31, G_SHD, M_SHD, 32, EBX, ESI, 31, 0, shldl $31, %esi, %ebx
T shrd32_i1,  G_SHD, M_SHD, 32, ECX, EDX, 1, 0, shrdl $1, %edx, %ecx
T shrd32_i16, G_SHD, M_SHD, 32, EDI, EAX, 16, 0, shrdl $16, %eax, %edi
T shrd32_i31, G_SHD, M_SHD, 32, ESI, EBX, 31, 0, shrdl $31, %ebx, %esi
T shld16_i1,  G_SHD, M_SHD, 16, EAX, ECX, 1, 0, shldw $1, %cx, %ax
T shld16_i4,  G_SHD, M_SHD, 16, EDX, EBX, 4, 0, shldw $4, %bx, %dx
T shld16_i16, G_SHD, M_SHD, 16, ESI, EDI, 16, 0, shldw $16, %di, %si
T shrd16_i1,  G_SHD, M_SHD, 16, EBX, EDX, 1, 0, shrdw $1, %dx, %bx
T shrd16_i15, G_SHD, M_SHD, 16, EDI, ECX, 15, 0, shrdw $15, %cx, %di
T shrd16_i0,  G_SHD, M_SHD, 16, ECX, EAX, 0, 0, shrdw $0, %ax, %cx

/* ---- multiply ---------------------------------------------------------------- */
T mul8_cl,   G_BIN, M_MUL, 8,  AL, CL8, NO, 0, mulb %cl
T mul8_bh,   G_BIN, M_MUL, 8,  AL, BH, NO, 0, mulb %bh
T mul16_bx,  G_BIN, M_MUL, 16, EAX, EBX, NO, 0, mulw %bx
T mul32_esi, G_BIN, M_MUL, 32, EAX, ESI, NO, 0, mull %esi
T imul8_dh,  G_BIN, M_MUL, 8,  AL, DH, NO, 0, imulb %dh
T imul16_cx, G_BIN, M_MUL, 16, EAX, ECX, NO, 0, imulw %cx
T imul32_edi, G_BIN, M_MUL, 32, EAX, EDI, NO, 0, imull %edi
T imul32_eax, G_ONE, M_MUL, 32, EAX, NO, NO, 0, imull %eax
T imul16_rr, G_BIN, M_MUL, 16, EDX, ECX, NO, 0, imulw %cx, %dx
T imul32_rr, G_BIN, M_MUL, 32, ESI, EBX, NO, 0, imull %ebx, %esi
/* three operands: the varied operand `a` is the source */
T imul32_rri8,  G_ONE, M_MUL, 32, ECX, NO, NO, 0, imull $-3, %ecx, %eax
T imul32_rri32, G_ONE, M_MUL, 32, EDX, NO, NO, 0, imull $0x10001, %edx, %edi
T imul16_rri16, G_ONE, M_MUL, 16, EBX, NO, NO, 0, imulw $300, %bx, %si
T imul16_rri8,  G_ONE, M_MUL, 16, EDI, NO, NO, 0, imulw $-128, %di, %ax
T imul32_rri8_same, G_ONE, M_MUL, 32, EBX, NO, NO, 0, imull $127, %ebx, %ebx

/* ---- divide (a = unused, b = divisor) ------------------------------------------ */
T div8_cl,    G_DIV, M_DIV, 8,  NO, CL8, NO, 0, divb %cl
T div8_bh,    G_DIV, M_DIV, 8,  NO, BH, NO, 0, divb %bh
T div16_bx,   G_DIV, M_DIV, 16, NO, EBX, NO, 0, divw %bx
T div32_esi,  G_DIV, M_DIV, 32, NO, ESI, NO, 0, divl %esi
T idiv8_dh,   G_DIV, M_DIV, 8,  NO, DH, NO, 0, idivb %dh
T idiv16_cx,  G_DIV, M_DIV, 16, NO, ECX, NO, 0, idivw %cx
T idiv32_edi, G_DIV, M_DIV, 32, NO, EDI, NO, 0, idivl %edi
T idiv32_ebx, G_DIV, M_DIV, 32, NO, EBX, NO, 0, idivl %ebx

/* ---- bit test ---------------------------------------------------------------- */
T bt32_rr,  G_BT, M_BT, 32, EAX, ECX, NO, 0, btl %ecx, %eax
T bts32_rr, G_BT, M_BT, 32, EBX, EDX, NO, 0, btsl %edx, %ebx
T btr32_rr, G_BT, M_BT, 32, EDI, ESI, NO, 0, btrl %esi, %edi
T btc32_rr, G_BT, M_BT, 32, EDX, EAX, NO, 0, btcl %eax, %edx
T bt16_rr,  G_BT, M_BT, 16, EAX, ECX, NO, 0, btw %cx, %ax
T bts16_rr, G_BT, M_BT, 16, EBX, EDX, NO, 0, btsw %dx, %bx
T btr16_rr, G_BT, M_BT, 16, EDI, ESI, NO, 0, btrw %si, %di
T btc16_rr, G_BT, M_BT, 16, EDX, EAX, NO, 0, btcw %ax, %dx
T bt32_ri5,   G_ONE, M_BT, 32, ESI, NO, NO, 0, btl $5, %esi
T bts32_ri31, G_ONE, M_BT, 32, EAX, NO, NO, 0, btsl $31, %eax
T btr32_ri33, G_ONE, M_BT, 32, ECX, NO, NO, 0, btrl $33, %ecx
T btc32_ri0,  G_ONE, M_BT, 32, EDI, NO, NO, 0, btcl $0, %edi
T bt16_ri15,  G_ONE, M_BT, 16, EBX, NO, NO, 0, btw $15, %bx
T bts16_ri17, G_ONE, M_BT, 16, EDX, NO, NO, 0, btsw $17, %dx
T btr16_ri8,  G_ONE, M_BT, 16, EAX, NO, NO, 0, btrw $8, %ax
T btc16_ri16, G_ONE, M_BT, 16, ESI, NO, NO, 0, btcw $16, %si

/* ---- bit scan (a = source; zero input leaves the destination as it was on
 * the CPUs we know, which the SDM calls undefined) --------------------------- */
T bsf32, G_ONE, M_BSF, 32, ECX, NO, NO, 0, bsfl %ecx, %eax
T bsr32, G_ONE, M_BSF, 32, EDI, NO, NO, 0, bsrl %edi, %esi
T bsf16, G_ONE, M_BSF, 16, EBX, NO, NO, 0, bsfw %bx, %dx
T bsr16, G_ONE, M_BSF, 16, EAX, NO, NO, 0, bsrw %ax, %cx

/* ---- bswap, xadd, cmpxchg ------------------------------------------------------- */
T bswap_eax, G_ONE, M_ALL, 32, EAX, NO, NO, 0, bswap %eax
T bswap_ecx, G_ONE, M_ALL, 32, ECX, NO, NO, 0, bswap %ecx
T bswap_edx, G_ONE, M_ALL, 32, EDX, NO, NO, 0, bswap %edx
T bswap_ebx, G_ONE, M_ALL, 32, EBX, NO, NO, 0, bswap %ebx
T bswap_esi, G_ONE, M_ALL, 32, ESI, NO, NO, 0, bswap %esi
T bswap_edi, G_ONE, M_ALL, 32, EDI, NO, NO, 0, bswap %edi
T xadd8,  G_BIN, M_ALL, 8,  AL, CL8, NO, 0, xaddb %cl, %al
T xadd8_hi, G_BIN, M_ALL, 8, BH, DH, NO, 0, xaddb %dh, %bh
T xadd16, G_BIN, M_ALL, 16, ESI, EDX, NO, 0, xaddw %dx, %si
T xadd32, G_BIN, M_ALL, 32, EBX, EDI, NO, 0, xaddl %edi, %ebx
T cmpxchg8,  G_CMPX, M_ALL, 8,  DH, BL, NO, 0, cmpxchgb %bl, %dh
T cmpxchg16, G_CMPX, M_ALL, 16, ESI, EDX, NO, 0, cmpxchgw %dx, %si
T cmpxchg32, G_CMPX, M_ALL, 32, EBX, ECX, NO, 0, cmpxchgl %ecx, %ebx
T cmpxchg32_eax, G_CMPX, M_ALL, 32, EAX, ESI, NO, 0, cmpxchgl %esi, %eax

/* ---- sign/zero extension ---------------------------------------------------------- */
T cbw,  G_ONE, M_ALL, 32, EAX, NO, NO, 0, cbtw
T cwde, G_ONE, M_ALL, 32, EAX, NO, NO, 0, cwtl
T cwd,  G_ONE, M_ALL, 32, EAX, NO, NO, 0, cwtd
T cdq,  G_ONE, M_ALL, 32, EAX, NO, NO, 0, cltd
T movsx32_8,  G_ONE, M_ALL, 8,  CL8, NO, NO, 0, movsbl %cl, %eax
T movsx16_8,  G_ONE, M_ALL, 8,  DL, NO, NO, 0, movsbw %dl, %bx
T movsx32_16, G_ONE, M_ALL, 16, ESI, NO, NO, 0, movswl %si, %edi
T movsx32_8_ch_same, G_ONE, M_ALL, 8, CH, NO, NO, 0, movsbl %ch, %ecx
T movzx32_8_ah,  G_ONE, M_ALL, 8,  AH, NO, NO, 0, movzbl %ah, %edx
T movzx16_8_bh,  G_ONE, M_ALL, 8,  BH, NO, NO, 0, movzbw %bh, %cx
T movzx32_16, G_ONE, M_ALL, 16, EAX, NO, NO, 0, movzwl %ax, %esi
T movzx32_8_same, G_ONE, M_ALL, 8, BL, NO, NO, 0, movzbl %bl, %ebx

/* ---- setcc, cmovcc, flag ops -------------------------------------------------------- */
T seto,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, seto %al
T setno, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setno %cl
T setb,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setb %dl
T setae, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setae %bl
T sete,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, sete %ah
T setne, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setne %ch
T setbe, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setbe %dh
T seta,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, seta %bh
T sets,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, sets %al
T setns, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setns %ch
T setp,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setp %dl
T setnp, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setnp %bh
T setl,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setl %ah
T setge, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setge %cl
T setle, G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setle %dh
T setg,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, setg %bl
T cmovo,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovol %ecx, %eax
T cmovno, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovnol %edx, %ebx
T cmovb,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovbl %esi, %edi
T cmovae, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovael %edi, %eax
T cmove,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovel %eax, %ecx
T cmovne, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovnel %ebx, %edx
T cmovbe, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovbel %ecx, %esi
T cmova,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmoval %edx, %edi
T cmovs,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovsl %esi, %eax
T cmovns, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovnsl %edi, %ebx
T cmovp,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovpl %eax, %edx
T cmovnp, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovnpl %ebx, %ecx
T cmovl,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovll %ecx, %edi
T cmovge, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovgel %edx, %esi
T cmovle, G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovlel %esi, %ebx
T cmovg,  G_FLAGS, M_ALL, 32, NO, NO, NO, 0, cmovgl %edi, %edx
T cmove16,  G_FLAGS, M_ALL, 16, NO, NO, NO, 0, cmovew %si, %di
T cmovl16,  G_FLAGS, M_ALL, 16, NO, NO, NO, 0, cmovlw %dx, %bx
T cmova16,  G_FLAGS, M_ALL, 16, NO, NO, NO, 0, cmovaw %ax, %cx
T cmovnp16, G_FLAGS, M_ALL, 16, NO, NO, NO, 0, cmovnpw %bx, %si
T lahf, G_LAHF, M_ALL, 8, NO, NO, NO, 0, lahf
T sahf, G_SAHF, M_ALL, 8, AH, NO, NO, 0, sahf
T clc,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, clc
T stc,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, stc
T cmc,  G_FLAGS, M_ALL, 8, NO, NO, NO, 0, cmc

	.section .data.insn_table, "aw"
	.globl insn_table_end
insn_table_end:
	.section .note.GNU-stack, "", @progbits
