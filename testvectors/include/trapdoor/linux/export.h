/* Trapdoor: nothing needed from <linux/export.h>. */
#include <linux/kernel.h>
