#ifndef _TRAPDOOR_LINUX_GFP_H
#define _TRAPDOOR_LINUX_GFP_H

#include <linux/types.h>

/* Linux 4.15's values. Trapdoor never sleeps in kmalloc, so every flag
 * behaves as GFP_ATOMIC; __GFP_ZERO zeroes. */
#define __GFP_ZERO 0x8000u
#define GFP_ATOMIC 0x1480020u
#define GFP_KERNEL 0x14000c0u
#define GFP_NOWAIT 0x1400000u
#define GFP_NOIO 0x1400000u
#define GFP_NOFS 0x1400040u
#define GFP_USER 0x16000c0u

#endif
