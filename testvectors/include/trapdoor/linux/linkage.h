#ifndef _TRAPDOOR_LINUX_LINKAGE_H
#define _TRAPDOOR_LINUX_LINKAGE_H
/* i386 system calls take their arguments on the stack (cdecl). */
#define asmlinkage __attribute__((regparm(0)))
#endif
