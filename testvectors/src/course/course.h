/* course.h: small helpers shared by the course programs (not part of the
 * ABI; that is include/trapdoor.h). */
#ifndef COURSE_H
#define COURSE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* errname: the symbolic name of an errno value, as strace prints it.
 * Only the values the course syscalls and these programs can meet. */
static inline const char *errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{0, "0"}, {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},
		{EINTR, "EINTR"}, {E2BIG, "E2BIG"}, {EBADF, "EBADF"},
		{ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"},
		{EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},
		{EEXIST, "EEXIST"}, {EINVAL, "EINVAL"}, {ENOSPC, "ENOSPC"},
		{ERANGE, "ERANGE"}, {ENAMETOOLONG, "ENAMETOOLONG"},
		{ENOSYS, "ENOSYS"}, {ENOMSG, "ENOMSG"}, {ENODATA, "ENODATA"},
		{EMSGSIZE, "EMSGSIZE"}, {EOVERFLOW, "EOVERFLOW"},
	};
	static char other[24];
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

/* A kernel address: the first byte above i386 Linux's 3 GiB user space. */
#define KERNEL_ADDR ((void *)0xC0000000UL)

#endif /* COURSE_H */
