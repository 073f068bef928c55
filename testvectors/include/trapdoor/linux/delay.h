/* Trapdoor kernel module API: sleeping. msleep puts the task to sleep
 * inside module code (on the virtual clock unless the machine runs on
 * wall-clock time); udelay and mdelay return at once. */
#ifndef _TRAPDOOR_LINUX_DELAY_H
#define _TRAPDOOR_LINUX_DELAY_H
void msleep(unsigned int msecs);
void ssleep(unsigned int seconds);
void usleep_range(unsigned long min, unsigned long max);
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);
#endif
