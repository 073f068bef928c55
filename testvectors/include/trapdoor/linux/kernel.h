/* Trapdoor kernel module API: printk, formatting, min/max, BUG and
 * friends. printk goes to the kernel log (dmesg) with its KERN_* level. */
#ifndef _TRAPDOOR_LINUX_KERNEL_H
#define _TRAPDOOR_LINUX_KERNEL_H

#include <stdarg.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/linkage.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/printk.h>
#include <linux/minmax.h>
#include <linux/bug.h>
/* As <linux/kernel.h> and <linux/uaccess.h> bring them in on Linux
 * (through sched.h and friends), so the 2023 report's includes build. */
#include <linux/irqflags.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ({ \
	const __typeof__(((type *)0)->member) *__mptr = (ptr); \
	(type *)((char *)__mptr - offsetof(type, member)); })
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define U32_MAX ((u32)~0U)
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define ULONG_MAX (~0UL)
#define SIZE_MAX (~(size_t)0)
#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kstrtoint(const char *s, unsigned int base, int *res);
int kstrtol(const char *s, unsigned int base, long *res);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void dump_stack(void);

#define might_sleep() do { } while (0)

#endif
