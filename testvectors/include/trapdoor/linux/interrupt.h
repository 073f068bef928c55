/* Trapdoor: nothing needed from <linux/interrupt.h>. */
#include <linux/kernel.h>
