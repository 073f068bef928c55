/* Trapdoor: nothing needed from <linux/highmem.h>. */
#include <linux/kernel.h>
