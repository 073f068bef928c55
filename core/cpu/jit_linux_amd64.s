#include "textflag.h"

// func jitCall(enter, code, cpu uintptr)
// The compiled code saves and restores every register it uses besides
// the scratch ones, and uses no more than 64 bytes of stack.
TEXT ·jitCall(SB), NOSPLIT, $0-24
	MOVQ enter+0(FP), AX
	MOVQ code+8(FP), SI
	MOVQ cpu+16(FP), DI
	CALL AX
	RET
