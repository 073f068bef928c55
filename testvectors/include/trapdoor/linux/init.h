#ifndef _TRAPDOOR_LINUX_INIT_H
#define _TRAPDOOR_LINUX_INIT_H

#define __init
#define __exit
#define __initdata
#define __exitdata

/* init_module runs when the module is loaded (a non-zero result refuses
 * the load), cleanup_module when it is unloaded. */
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
#define module_exit(fn) void cleanup_module(void) __attribute__((alias(#fn)))

#endif
