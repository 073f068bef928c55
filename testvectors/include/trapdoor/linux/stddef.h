#ifndef _TRAPDOOR_LINUX_STDDEF_H
#define _TRAPDOOR_LINUX_STDDEF_H
#include <linux/types.h>
#endif
