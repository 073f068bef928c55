/* Trapdoor: nothing needed from <linux/fs.h>. */
#include <linux/kernel.h>
