/* Trapdoor kernel module API: module declarations.
 *
 * A module tells the kernel which system calls it implements with
 * TRAPDOOR_SYSCALL(number, function, argument count); while the module
 * is loaded it replaces the kernel's implementation at that number:
 *
 *	SYSCALL_DEFINE2(msgbox_put, const char __user *, buf, long, size) { ... }
 *	TRAPDOOR_SYSCALL(500, sys_msgbox_put, 2);
 *
 * Build: gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -O2
 *        -I testvectors/include/trapdoor -c mod.c
 * Load:  trapdoor run --module mod.o PROGRAM
 */
#ifndef _TRAPDOOR_LINUX_MODULE_H
#define _TRAPDOOR_LINUX_MODULE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/kernel.h>

struct module;
#define THIS_MODULE ((struct module *)0)

struct trapdoor_syscall {
	unsigned int nr;
	unsigned int nargs;
	void *fn;
	const char *name;
};

#define TRAPDOOR_SYSCALL(nr, fn, nargs) \
	static const struct trapdoor_syscall __PASTE(__trapdoor_syscall_, fn) \
	__attribute__((used, section(".trapdoor.syscalls"), aligned(4))) = { (nr), (nargs), (void *)(fn), #fn }

#define __MODULE_INFO(tag, info) \
	static const char __UNIQUE_ID(tag)[] __attribute__((used, section(".modinfo"), aligned(1))) = #tag "=" info
#define MODULE_LICENSE(x) __MODULE_INFO(license, x)
#define MODULE_AUTHOR(x) __MODULE_INFO(author, x)
#define MODULE_DESCRIPTION(x) __MODULE_INFO(description, x)
#define MODULE_VERSION(x) __MODULE_INFO(version, x)
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif
