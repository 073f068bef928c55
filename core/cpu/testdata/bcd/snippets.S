/* BCD snippets for gen.c: name, defined-flags mask, instruction. */
	.data
	.globl bcd_in, bcd_out
bcd_in:	.space 28
bcd_out:	.space 28
target:	.long 0
	.text
	.globl bcd_run
bcd_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl %eax, target
	pushl bcd_in+24
	movl bcd_in+4, %ecx
	movl bcd_in+8, %edx
	movl bcd_in+12, %ebx
	movl bcd_in+16, %esi
	movl bcd_in+20, %edi
	movl bcd_in+0, %eax
	popfl
	call *target
	pushfl
	movl %eax, bcd_out+0
	movl %ecx, bcd_out+4
	movl %edx, bcd_out+8
	movl %ebx, bcd_out+12
	movl %esi, bcd_out+16
	movl %edi, bcd_out+20
	popl bcd_out+24
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .data.table, "aw"
	.globl bcd_table
bcd_table:
	.text
.macro S name, mask, insn:vararg
	.section .rodata.names, "a"
.Ln\@:	.asciz "\name"
	.section .data.table, "aw"
	.long .Ln\@, .Ls\@, .Le\@, \mask
	.text
.Ls\@:	\insn
.Le\@:	ret
.endm

/* CF=0x1 PF=0x4 AF=0x10 ZF=0x40 SF=0x80 OF=0x800 */
S daa, 0x0d5, daa		/* OF undefined */
S das, 0x0d5, das
S aaa, 0x011, aaa		/* only AF CF defined */
S aas, 0x011, aas
S aam10, 0x0c4, aam		/* SF ZF PF */
S aam16, 0x0c4, aam $16
S aam7, 0x0c4, aam $7
S aad10, 0x0c4, aad
S aad16, 0x0c4, aad $16
S aad7, 0x0c4, aad $7

	.section .data.table, "aw"
	.globl bcd_table_end
bcd_table_end:
	.section .note.GNU-stack, "", @progbits
