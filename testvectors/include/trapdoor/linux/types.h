/* Trapdoor kernel module API: basic kernel types (i386). */
#ifndef _TRAPDOOR_LINUX_TYPES_H
#define _TRAPDOOR_LINUX_TYPES_H

#include <stddef.h>
#include <linux/compiler.h>

typedef unsigned char u8, __u8, uint8_t;
typedef unsigned short u16, __u16, uint16_t;
typedef unsigned int u32, __u32, uint32_t;
typedef unsigned long long u64, __u64, uint64_t;
typedef signed char s8, __s8, int8_t;
typedef short s16, __s16, int16_t;
typedef int s32, __s32, int32_t;
typedef long long s64, __s64, int64_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef long ssize_t;
typedef long long loff_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned short umode_t;
typedef unsigned int gfp_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;

struct list_head {
	struct list_head *next, *prev;
};

#endif
