/* procfs: reads /proc/self/{cmdline,comm,stat,status,exe}, /proc/meminfo and
 * /proc/uptime, printing only stable fields, then overwrites its own argv
 * strings in memory and shows that /proc/self/cmdline changed (Linux reads
 * it live from the process's memory). Run with argv: procfs alpha "beta gamma".
 * comm and exe come from the executed file's name, which must be "procfs". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fails;
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}
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
static void show_cmdline(const char *tag)
{
    char buf[512];
    int n = slurp("/proc/self/cmdline", buf, sizeof buf);
    printf("%s: %d bytes:", tag, n);
    for (int i = 0; i < n; i++) {
        if (buf[i] == 0) printf("\\0");
        else putchar(buf[i]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    char buf[4096];
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("argc %d\n", argc);
    show_cmdline("cmdline");
    int n = slurp("/proc/self/comm", buf, sizeof buf);
    printf("comm: %d bytes: %s", n, buf);

    n = slurp("/proc/self/stat", buf, sizeof buf);
    {
        char *l = strchr(buf, '('), *r = strrchr(buf, ')');
        int pid_ok = atoi(buf) == getpid();
        if (l && r) {
            char state = r[2];
            int ppid = atoi(r + 4);
            printf("stat: pid ok %d comm (%.*s) state %c ppid ok %d\n", pid_ok, (int)(r - l - 1), l + 1, state,
                   ppid == getppid());
            /* count the fields after ")": Linux 5.x/6.x has 50 after comm */
            int fields = 0;
            for (char *p = r + 1; *p; p++) if (*p == ' ') fields++;
            printf("stat: at least 44 fields after comm: %d\n", fields >= 44);
        } else check(0, "stat format");
    }
    n = slurp("/proc/self/status", buf, sizeof buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "Name:", 5) || !strncmp(line, "State:", 6)) printf("status: %s\n", line);
        if (!strncmp(line, "Pid:", 4)) printf("status: Pid ok %d\n", atoi(line + 4) == getpid());
        if (!strncmp(line, "PPid:", 5)) printf("status: PPid ok %d\n", atoi(line + 5) == getppid());
    }
    char link[512];
    ssize_t ln = readlink("/proc/self/exe", link, sizeof link - 1);
    if (ln > 0) {
        link[ln] = 0;
        char *base = strrchr(link, '/');
        printf("exe basename: %s, absolute %d\n", base ? base + 1 : link, link[0] == '/');
    } else check(0, "readlink /proc/self/exe");
    n = slurp("/proc/meminfo", buf, sizeof buf);
    printf("meminfo starts with MemTotal: %d, has kB %d\n", strncmp(buf, "MemTotal:", 9) == 0, strstr(buf, " kB\n") != NULL);
    n = slurp("/proc/uptime", buf, sizeof buf);
    {
        double a = -1, b = -1;
        char nl = 0;
        int k = sscanf(buf, "%lf %lf%c", &a, &b, &nl);
        printf("uptime: two numbers %d, newline %d, nonnegative %d\n", k >= 2, nl == '\n', a >= 0 && b >= 0);
    }
    n = slurp("/proc/self/maps", buf, sizeof buf);
    printf("maps readable and nonempty: %d\n", n > 0);
    struct { const char *path; } dirs[] = {{"/proc/self"}, {"/proc/1"}};
    for (unsigned i = 0; i < 2; i++) printf("%s exists: %d\n", dirs[i].path, access(dirs[i].path, F_OK) == 0);

    /* rewrite argv in place: same lengths, so the NULs stay where they were */
    for (int i = 0; i < argc; i++)
        for (char *p = argv[i]; *p; p++) *p = (*p >= 'a' && *p <= 'z') ? *p - 32 : '_';
    show_cmdline("cmdline after upcasing argv");
    /* shorten argv[0] by writing a NUL early: cmdline still spans to arg_end */
    if (argv[0][0] && argv[0][1]) argv[0][2] = 0;
    show_cmdline("cmdline after truncating argv[0]");
    n = slurp("/proc/self/comm", buf, sizeof buf);
    printf("comm unchanged: %s", buf);
    printf("procfs: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
