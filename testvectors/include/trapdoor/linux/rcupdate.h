#ifndef _TRAPDOOR_LINUX_RCUPDATE_H
#define _TRAPDOOR_LINUX_RCUPDATE_H
/* One CPU, and tasks are never freed under module code: no-ops. */
#define rcu_read_lock() do { } while (0)
#define rcu_read_unlock() do { } while (0)
#endif
