/* rw_errors: the checks the read and write families make before moving
 * a byte, and their order: a negative pread/pwrite position (EINVAL)
 * before the descriptor (EBADF), a pipe (ESPIPE) before the file's mode
 * (EBADF), the mode even for a count of 0, and a directory (EISDIR) to
 * read and pread but not to an empty readv. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%-34s %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

static long pread_at(int fd, void *buf, long n, long long pos)
{
	return syscall(SYS_pread64, fd, buf, n, (long)pos, (long)(pos >> 32));
}

static long pwrite_at(int fd, const void *buf, long n, long long pos)
{
	return syscall(SYS_pwrite64, fd, buf, n, (long)pos, (long)(pos >> 32));
}

int main(void)
{
	char name[64], buf[8] = "data";
	snprintf(name, sizeof name, "/tmp/rw_errors.%d", (int)getpid());
	int w = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int r = open(name, O_RDONLY);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	int p[2];
	pipe(p);
	struct iovec none = {buf, 0}, one = {buf, 1};

	show("pread bad fd, position -1", pread_at(99, buf, 1, -1));
	show("pwrite bad fd, position -1", pwrite_at(99, buf, 1, -1));
	show("pread bad fd", pread_at(99, buf, 1, 0));
	show("pread pipe, position -1", pread_at(p[0], buf, 1, -1));
	show("pread pipe write end", pread_at(p[1], buf, 1, 0));
	show("pwrite pipe read end", pwrite_at(p[0], buf, 1, 0));
	show("pread write-only, count 0", pread_at(w, buf, 0, 0));
	show("pread write-only, count 1", pread_at(w, buf, 1, 0));
	show("pwrite read-only, count 0", pwrite_at(r, buf, 0, 0));
	show("read write-only, count 0", read(w, buf, 0));
	show("write read-only, count 0", write(r, buf, 0));
	show("readv write-only", readv(w, &one, 1));
	show("writev read-only", writev(r, &one, 1));
	show("read directory, count 0", read(dir, buf, 0));
	show("pread directory, count 0", pread_at(dir, buf, 0, 0));
	show("pread directory, count 1", pread_at(dir, buf, 1, 0));
	show("readv directory, nothing asked", readv(dir, &none, 1));
	show("readv directory, one byte", readv(dir, &one, 1));
	show("pwrite 4 at 2", pwrite_at(w, buf, 4, 2));
	show("pread 8 at 0", pread_at(r, buf, 8, 0));
	printf("file: %c%c|%.4s\n", buf[0] ? '?' : '0', buf[1] ? '?' : '0', buf + 2);
	unlink(name);
	return 0;
}
