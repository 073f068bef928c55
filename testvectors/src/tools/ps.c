/* ps: a tiny `ps aux`. Scans /proc with getdents64, and for every numeric
 * entry reads stat (state), status (Uid) and cmdline (NULs to spaces; [comm]
 * when empty, as for kernel threads). Prints USER PID STAT COMMAND, sorted
 * by pid. A tool, not a test vector: its output depends on the machine.
 *
 *   ps                 every process
 *   ps -p PID[,PID...] only these (as procps' ps -p; they are looked up
 *                      directly, /proc is not listed); status 1 if none
 *                      of them exists */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int slurp(const char *path, char *buf, int size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = 0, r;
    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}
static int cmpint(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv)
{
    static int pids[32768];
    int np = 0;
    if (argc == 3 && strcmp(argv[1], "-p") == 0) {
        for (char *s = argv[2], *e; *s && np < 32768; s = *e ? e + 1 : e) {
            long pid = strtol(s, &e, 10);
            if (e == s || (*e && *e != ',') || pid <= 0) {
                fprintf(stderr, "ps: bad pid list %s\n", argv[2]);
                return 2;
            }
            pids[np++] = (int)pid;
        }
        goto show;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: ps [-p PID[,PID...]]\n");
        return 2;
    }
    int fd = open("/proc", O_RDONLY | O_DIRECTORY);
    if (fd < 0) { perror("ps: /proc"); return 1; }
    char dbuf[4096];
    long r;
    while ((r = syscall(SYS_getdents64, fd, dbuf, sizeof dbuf)) > 0) {
        for (long off = 0; off < r;) {
            struct { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(dbuf + off);
            char *e;
            long pid = strtol(d->name, &e, 10);
            if (*e == 0 && pid > 0 && np < 32768) pids[np++] = (int)pid;
            off += d->reclen;
        }
    }
    close(fd);
show:
    qsort(pids, np, sizeof *pids, cmpint);
    int shown = 0;
    printf("%-8s %5s %-4s %s\n", "USER", "PID", "STAT", "COMMAND");
    for (int i = 0; i < np; i++) {
        char path[64], stat[1024], status[4096], cmd[4096];
        snprintf(path, sizeof path, "/proc/%d/stat", pids[i]);
        if (slurp(path, stat, sizeof stat) <= 0) continue;   /* gone meanwhile */
        char *l = strchr(stat, '('), *rp = strrchr(stat, ')');
        if (!l || !rp) continue;
        char comm[64];
        snprintf(comm, sizeof comm, "%.*s", (int)(rp - l - 1), l + 1);
        char state = rp[2];
        snprintf(path, sizeof path, "/proc/%d/status", pids[i]);
        long uid = -1;
        if (slurp(path, status, sizeof status) > 0) {
            char *u = strstr(status, "\nUid:");
            if (u) uid = strtol(u + 5, NULL, 10);
        }
        snprintf(path, sizeof path, "/proc/%d/cmdline", pids[i]);
        int n = slurp(path, cmd, sizeof cmd);
        while (n > 0 && cmd[n - 1] == 0) n--;
        for (int k = 0; k < n; k++) if (cmd[k] == 0) cmd[k] = ' ';
        if (n <= 0) snprintf(cmd, sizeof cmd, "[%s]", comm);
        else cmd[n] = 0;
        char user[16];
        if (uid == 0) strcpy(user, "root");
        else snprintf(user, sizeof user, "%ld", uid);
        printf("%-8s %5d %-4c %s\n", user, pids[i], state, cmd);
        shown++;
    }
    return argc == 3 && shown == 0;
}
