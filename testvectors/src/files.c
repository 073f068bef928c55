/* files: file and directory syscalls on a private directory it creates under
 * /tmp (named after the pid, never printed, removed at the end). Prints only
 * stable fields and errno names. Exit 0 when every check passed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static int fails;
static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case ESPIPE: return "ESPIPE";
    case EFAULT: return "EFAULT";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EMFILE: return "EMFILE";
    case ELOOP: return "ELOOP";
    case ERANGE: return "ERANGE";
    default: return "other";
    }
}
#define TRY(expr) do { errno = 0; long _r = (long)(expr); printf("%-44s = %ld %s\n", #expr, _r, _r < 0 ? ename(errno) : ""); } while (0)
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}
static const char *ftype(mode_t m)
{
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISCHR(m) ? "chr" : S_ISFIFO(m) ? "fifo" : S_ISLNK(m) ? "lnk" : "other";
}
static void st(const char *path)
{
    struct stat s;
    errno = 0;
    if (stat(path, &s) != 0) { printf("stat %s: %s\n", path, ename(errno)); return; }
    if (S_ISDIR(s.st_mode))   /* directory sizes and link counts depend on the file system */
        printf("stat %s: %s mode %04o\n", path, ftype(s.st_mode), (unsigned)(s.st_mode & 07777));
    else
        printf("stat %s: %s mode %04o size %lld nlink %ld\n", path, ftype(s.st_mode), (unsigned)(s.st_mode & 07777),
               (long long)s.st_size, (long)s.st_nlink);
}
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void list(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    char buf[512];
    char *names[64];
    int n = 0;
    long r;
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < r;) {
            struct { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
            if (n < 64) {
                char *e = malloc(300);
                snprintf(e, 300, "%s(%s)", d->name, d->type == DT_DIR ? "d" : d->type == DT_REG ? "f" : "?");
                names[n++] = e;
            }
            off += d->reclen;
        }
    }
    close(fd);
    qsort(names, n, sizeof *names, cmp);
    printf("ls %s:", dir);
    for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char top[64], buf[256];
    snprintf(top, sizeof top, "/tmp/tv-files.%d", (int)getpid());
    umask(022);
    if (mkdir(top, 0755) != 0) { perror("mkdir"); return 2; }
    if (chdir(top) != 0) return 2;
    char *cwd = getcwd(buf, sizeof buf);
    check(cwd && strcmp(cwd, top) == 0, "getcwd after chdir");

    /* create, write, read, lseek */
    int fd = open("a.txt", O_CREAT | O_RDWR | O_EXCL, 0666);
    check(fd >= 0, "open O_CREAT|O_EXCL");
    TRY(write(fd, "hello, world\n", 13));
    TRY(lseek(fd, 0, SEEK_CUR));
    TRY(lseek(fd, 7, SEEK_SET));
    memset(buf, 0, sizeof buf);
    TRY(read(fd, buf, 100));
    printf("read: %s", buf);
    TRY(read(fd, buf, 100));
    TRY(lseek(fd, -6, SEEK_END));
    TRY(lseek(fd, 100, SEEK_SET));
    TRY(write(fd, "X", 1));              /* a hole from 13 to 100 */
    TRY(lseek(fd, -1, SEEK_SET));
    TRY(lseek(fd, 0, 7));
    st("a.txt");
    TRY(pread(fd, buf, 5, 50));
    printf("hole bytes zero: %d\n", buf[0] == 0 && buf[4] == 0);
    TRY(pwrite(fd, "HELLO", 5, 0));
    TRY(lseek(fd, 0, SEEK_CUR));       /* pread/pwrite do not move the offset */
    TRY(pread(fd, buf, 12, 0));
    printf("pread: %.12s\n", buf);
    TRY(ftruncate(fd, 5));
    st("a.txt");
    TRY(ftruncate(fd, 8192));
    struct stat s;
    fstat(fd, &s);
    printf("fstat: %s size %lld mode %04o\n", ftype(s.st_mode), (long long)s.st_size, (unsigned)(s.st_mode & 07777));
    TRY(ftruncate(fd, -1));
    close(fd);

    /* O_EXCL, O_TRUNC, O_APPEND, creat */
    TRY(open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0600));
    fd = open("a.txt", O_WRONLY | O_TRUNC);
    st("a.txt");
    close(fd);
    fd = open("a.txt", O_WRONLY | O_APPEND);
    write(fd, "one\n", 4);
    lseek(fd, 0, SEEK_SET);
    write(fd, "two\n", 4);           /* O_APPEND: still at the end */
    TRY(lseek(fd, 0, SEEK_CUR));
    close(fd);
    fd = open("a.txt", O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd, buf, sizeof buf - 1);
    printf("append result: %s", buf);
    TRY(write(fd, "x", 1));          /* EBADF: read-only */
    close(fd);
    fd = creat("b.txt", 0777);       /* umask 022 -> 0755 */
    TRY(read(fd, buf, 1));           /* creat is write-only: EBADF */
    close(fd);
    st("b.txt");
    umask(077);
    close(open("c.txt", O_CREAT | O_WRONLY, 0666));
    st("c.txt");
    printf("umask returns old: %03o\n", (unsigned)umask(022));

    /* directories */
    TRY(mkdir("d", 0777));
    TRY(mkdir("d", 0777));
    TRY(mkdir("d/e", 0700));
    TRY(mkdir("nope/x", 0700));
    TRY(mkdir("a.txt/x", 0700));
    st("d");
    st("d/e");
    close(open("d/f1", O_CREAT | O_WRONLY, 0644));
    close(open("d/f2", O_CREAT | O_WRONLY, 0644));
    list(".");
    list("d");
    TRY(rmdir("d"));
    TRY(rmdir("a.txt"));
    TRY(rmdir("missing"));
    TRY(unlink("d"));
    TRY(unlink("missing"));
    TRY(open("d", O_WRONLY));
    TRY(open("a.txt/", O_RDONLY));
    TRY(open("missing", O_RDONLY));
    TRY(open("a.txt", O_RDONLY | O_DIRECTORY));
    TRY(rename("d/f1", "d/e/g1"));
    TRY(rename("d/f2", "top-level"));
    TRY(rename("missing", "x"));
    TRY(rename("d", "a.txt"));         /* dir over file: ENOTDIR */
    TRY(rename("a.txt", "d"));         /* file over dir: EISDIR */
    TRY(rename("b.txt", "c.txt"));     /* replaces */
    list(".");
    list("d/e");
    TRY(chdir("d/e"));
    getcwd(buf, sizeof buf);
    printf("cwd ends with /d/e: %d\n", strlen(buf) >= 4 && strcmp(buf + strlen(buf) - 4, "/d/e") == 0);
    TRY(chdir("../.."));
    TRY(chdir("a.txt"));
    TRY(chdir("missing"));
    char small[4];
    TRY(getcwd(small, sizeof small) == NULL ? -1 : 0);
    printf("getcwd small buffer errno: %s\n", errno == ERANGE ? "ERANGE" : ename(errno));

    /* access / faccessat */
    TRY(access("a.txt", F_OK));
    TRY(access("a.txt", R_OK | W_OK));
    TRY(access("a.txt", X_OK) == 0 || errno == EACCES ? 0 : -1);
    TRY(access("missing", F_OK));
    TRY(faccessat(AT_FDCWD, "d", X_OK, 0));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    TRY(faccessat(dfd, "e/g1", F_OK, 0));
    TRY(openat(dfd, "e/g1", O_RDONLY) >= 0);
    TRY(fstatat(dfd, "e", &s, 0));
    printf("fstatat e: %s\n", ftype(s.st_mode));
    TRY(access("a.txt", 99));
    close(dfd);

    /* dup, dup2, fcntl */
    fd = open("a.txt", O_RDONLY);
    int d1 = dup(fd);
    check(d1 > fd, "dup returns the lowest free fd above");
    lseek(fd, 4, SEEK_SET);
    TRY(lseek(d1, 0, SEEK_CUR));       /* shared offset */
    TRY(dup2(fd, 50));
    TRY(dup2(fd, fd));
    TRY(dup2(fd, -1));
    TRY(dup2(999, 51));
    TRY(fcntl(fd, F_DUPFD, 60));
    TRY(fcntl(fd, F_GETFD));
    TRY(fcntl(fd, F_SETFD, FD_CLOEXEC));
    TRY(fcntl(fd, F_GETFD));
    TRY(fcntl(fd, F_DUPFD_CLOEXEC, 0) > 0);
    TRY(fcntl(fd, F_GETFL) & O_ACCMODE);
    TRY(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    TRY((fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK));
    TRY(fcntl(999, F_GETFD));
    TRY(fcntl(fd, 9999));
    TRY(close(50));
    TRY(close(50));
    TRY(close(-1));
    TRY(read(999, buf, 1));
    close(60); close(d1); close(fd);
    /* lots of fds: the lowest free is always chosen */
    int fds[10];
    for (int i = 0; i < 10; i++) fds[i] = open("a.txt", O_RDONLY);
    close(fds[3]); close(fds[7]);
    int x1 = open("a.txt", O_RDONLY), x2 = open("a.txt", O_RDONLY);
    printf("reuse lowest: %d %d\n", x1 == fds[3], x2 == fds[7]);
    for (int i = 0; i < 10; i++) close(fds[i]);

    /* /dev files */
    fd = open("/dev/null", O_RDWR);
    TRY(write(fd, "gone", 4));
    TRY(read(fd, buf, 10));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    buf[0] = 1;
    TRY(read(fd, buf, 10));
    printf("/dev/zero byte: %d\n", buf[0]);
    close(fd);
    st("/dev/null");
    st("/");
    st("/tmp");

    /* symlink basics */
    TRY(symlink("a.txt", "link"));
    TRY(readlink("link", buf, sizeof buf));
    struct stat ls;
    lstat("link", &ls);
    stat("link", &s);
    printf("lstat link: %s, stat link: %s size %lld\n", ftype(ls.st_mode), ftype(s.st_mode), (long long)s.st_size);
    TRY(symlink("loop", "loop"));
    TRY(open("loop", O_RDONLY));
    TRY(link("a.txt", "hard"));
    stat("a.txt", &s);
    printf("nlink after link: %ld\n", (long)s.st_nlink);

    /* clean up and check it is gone */
    unlink("hard"); unlink("loop"); unlink("link");
    unlink("a.txt"); unlink("c.txt"); unlink("top-level");
    unlink("d/e/g1");
    TRY(rmdir("d"));
    rmdir("d/e");
    TRY(rmdir("d"));
    list(".");
    TRY(chdir("/"));
    TRY(rmdir(top));
    TRY(access(top, F_OK));
    printf("files: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
