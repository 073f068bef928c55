/* Trapdoor kernel module API: SYSCALL_DEFINEn(name, type, arg, ...)
 * defines asmlinkage long sys_name(type arg, ...), as in Linux. Declare
 * the number with TRAPDOOR_SYSCALL (linux/module.h). */
#ifndef _TRAPDOOR_LINUX_SYSCALLS_H
#define _TRAPDOOR_LINUX_SYSCALLS_H

#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/module.h>

#define SYSCALL_DEFINE0(name) asmlinkage long sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1) asmlinkage long sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2) asmlinkage long sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3) asmlinkage long sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4) \
	asmlinkage long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5) \
	asmlinkage long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	asmlinkage long sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

#endif
