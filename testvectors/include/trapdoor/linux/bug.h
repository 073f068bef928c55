#ifndef _TRAPDOOR_LINUX_BUG_H
#define _TRAPDOOR_LINUX_BUG_H

/* BUG() oopses ("kernel BUG at file:line!") and kills the caller;
 * WARN_ON logs a warning and goes on. */
void __trapdoor_bug(const char *file, int line) __attribute__((noreturn));
void __trapdoor_warn(const char *file, int line);

#define BUG() __trapdoor_bug(__FILE__, __LINE__)
#define BUG_ON(cond) do { if (unlikely(cond)) BUG(); } while (0)
#define WARN_ON(cond) ({ int __ret_warn = !!(cond); if (unlikely(__ret_warn)) __trapdoor_warn(__FILE__, __LINE__); unlikely(__ret_warn); })
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define WARN(cond, fmt, ...) ({ int __ret_warn = !!(cond); if (unlikely(__ret_warn)) { printk(KERN_WARNING fmt, ##__VA_ARGS__); __trapdoor_warn(__FILE__, __LINE__); } unlikely(__ret_warn); })
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))

#endif
