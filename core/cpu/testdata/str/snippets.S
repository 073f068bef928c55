/* String and bit-test snippets for gen.c: name, mode (see gen.c), [mask,] insn. */
	.data
	.globl str_in, str_out
str_in:	.space 28
str_out:	.space 28
target:	.long 0
	.text
	.globl str_run
str_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl %eax, target
	pushl str_in+24
	movl str_in+4, %ecx
	movl str_in+8, %edx
	movl str_in+12, %ebx
	movl str_in+16, %esi
	movl str_in+20, %edi
	movl str_in+0, %eax
	popfl
	call *target
	pushfl
	cld
	movl %eax, str_out+0
	movl %ecx, str_out+4
	movl %edx, str_out+8
	movl %ebx, str_out+12
	movl %esi, str_out+16
	movl %edi, str_out+20
	popl str_out+24
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .data.table, "aw"
	.globl str_table
str_table:
	.text
.macro S name, dst, insn:vararg
	M \name, \dst, 0x8d5, \insn
.endm
.macro M name, dst, mask, insn:vararg
	.section .rodata.names, "a"
.Ln\@:	.asciz "\name"
	.section .data.table, "aw"
	.long .Ln\@, .Ls\@, .Le\@, \dst, \mask
	.text
.Ls\@:	\insn
.Le\@:	ret
.endm
/* B: a bit test, then a load that shows the memory it changed. */
.macro B name, dst, insn, load
	.section .rodata.names, "a"
.Ln\@:	.asciz "\name"
	.section .data.table, "aw"
	.long .Ln\@, .Ls\@, .Le\@, \dst, 0x41
	.text
.Ls\@:	\insn
	\load
.Le\@:	ret
.endm

S cmpsb, 1, cmpsb
S cmpsw, 1, cmpsw
S cmpsl, 1, cmpsl
S repe_cmpsb, 1, repe cmpsb
S repne_cmpsb, 1, repne cmpsb
S repe_cmpsw, 1, repe cmpsw
S repe_cmpsl, 1, repe cmpsl
S repne_cmpsl, 1, repne cmpsl
S scasb, 1, scasb
S scasl, 1, scasl
S repne_scasb, 1, repne scasb
S repe_scasb, 1, repe scasb
S repne_scasw, 1, repne scasw
S repne_scasl, 1, repne scasl
S lodsb, 1, lodsb
S lodsw, 1, lodsw
S lodsl, 1, lodsl
S rep_lodsb, 1, rep lodsb
S rep_lodsl, 1, rep lodsl
S movsb, 2, movsb
S movsl, 2, movsl
S rep_movsb, 2, rep movsb
S rep_movsw, 2, rep movsw
S rep_movsl, 2, rep movsl
S stosb, 2, stosb
S rep_stosb, 2, rep stosb
S rep_stosw, 2, rep stosw
S rep_stosl, 2, rep stosl
S repne_movsb, 2, repne movsb
S repe_cmpsb_cs, 1, .byte 0x2e, 0xf3, 0xa6
B btl_m, 3, "btl %ecx, (%ebx)", "movl (%esi), %eax"
B btsl_m, 3, "btsl %ecx, (%ebx)", "movl (%esi), %eax"
B btrl_m, 3, "btrl %ecx, (%ebx)", "movl (%esi), %eax"
B btcl_m, 3, "btcl %ecx, (%ebx)", "movl (%esi), %eax"
B btw_m, 4, "btw %cx, (%ebx)", "movzwl (%esi), %eax"
B btsw_m, 4, "btsw %cx, (%ebx)", "movzwl (%esi), %eax"
B btcw_m, 4, "btcw %cx, (%ebx)", "movzwl (%esi), %eax"
B btsl_mi, 3, "btsl $45, 4(%ebx)", "movl 4(%ebx), %eax"

	.section .data.table, "aw"
	.globl str_table_end
str_table_end:
	.section .note.GNU-stack, "", @progbits
