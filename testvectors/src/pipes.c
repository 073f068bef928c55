/* pipes: pipes between processes. Large writes that must block, EOF when
 * all writers close, EPIPE/SIGPIPE, O_NONBLOCK EAGAIN, a 3-stage pipeline
 * built with dup2, poll and select. Only the parent prints. Exit 0 when all
 * checks passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails;
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}
static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case EPIPE: return "EPIPE";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EINTR: return "EINTR";
    case ESPIPE: return "ESPIPE";
    case EINVAL: return "EINVAL";
    default: return "other";
    }
}
static volatile sig_atomic_t got;
static void on_pipe(int s) { (void)s; got++; }
static unsigned char pat(size_t i) { return (unsigned char)(i * 31 + (i >> 8)); }

int main(void)
{
    int p[2], st;
    pid_t c;
    setvbuf(stdout, NULL, _IONBF, 0);

    /* 1. parent -> child message, child -> parent reply */
    {
        int up[2];
        pipe(p); pipe(up);
        c = fork();
        if (c == 0) {
            char buf[64];
            close(p[1]); close(up[0]);
            int n = read(p[0], buf, sizeof buf);
            for (int i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
            write(up[1], buf, n);
            _exit(0);
        }
        close(p[0]); close(up[1]);
        write(p[1], "hello through a pipe", 20);
        char buf[64];
        int n = read(up[0], buf, sizeof buf);
        printf("reply: %.*s\n", n, buf);
        close(p[1]); close(up[0]);
        waitpid(c, &st, 0);
    }

    /* 2. large write (1 MiB > pipe capacity): the writer blocks until the
     * reader drains; the reader checks every byte and counts; EOF after the
     * writer closes. */
    {
        const size_t total = 1 << 20;
        pipe(p);
        c = fork();
        if (c == 0) {
            close(p[0]);
            unsigned char *b = malloc(total);
            for (size_t i = 0; i < total; i++) b[i] = pat(i);
            ssize_t w = write(p[1], b, total);   /* one call: must block and complete */
            _exit(w == (ssize_t)total ? 0 : 1);
        }
        close(p[1]);
        size_t got = 0, bad = 0;
        unsigned char buf[3001];
        ssize_t n;
        int eofs = 0;
        for (;;) {
            n = read(p[0], buf, sizeof buf);
            if (n < 0) break;
            if (n == 0) { if (++eofs == 2) break; continue; }
            for (ssize_t i = 0; i < n; i++) if (buf[i] != pat(got + i)) bad++;
            got += n;
        }
        close(p[0]);
        waitpid(c, &st, 0);
        printf("large write: got %zu bytes, %zu bad, writer status %d, eof twice %d\n",
               got, bad, WEXITSTATUS(st), eofs == 2);
    }

    /* 3. EOF only when *all* write ends are closed (two writer children) */
    {
        pipe(p);
        for (int i = 0; i < 2; i++) {
            if (fork() == 0) {
                close(p[0]);
                char m = 'A' + i;
                usleep(1000 * (i + 1));
                write(p[1], &m, 1);
                _exit(0);
            }
        }
        close(p[1]);
        char buf[8]; int n, tot = 0;
        while ((n = read(p[0], buf, sizeof buf)) > 0) tot += n;
        printf("two writers: %d bytes before EOF\n", tot);
        close(p[0]);
        while (wait(&st) > 0) {}
    }

    /* 4. EPIPE with SIGPIPE ignored */
    {
        signal(SIGPIPE, SIG_IGN);
        pipe(p);
        close(p[0]);
        errno = 0;
        ssize_t w = write(p[1], "x", 1);
        printf("write to readerless pipe (SIGPIPE ignored): %zd %s\n", w, ename(errno));
        close(p[1]);
        signal(SIGPIPE, SIG_DFL);
    }
    /* 5. SIGPIPE default action kills the writer child */
    {
        pipe(p);
        c = fork();
        if (c == 0) {
            close(p[0]);
            char buf[4096] = {0};
            for (;;) write(p[1], buf, sizeof buf);   /* reader will close */
            _exit(1);
        }
        close(p[1]);
        char buf[100];
        read(p[0], buf, sizeof buf);
        close(p[0]);
        waitpid(c, &st, 0);
        printf("writer after reader closed: %s %d\n",
               WIFSIGNALED(st) ? "signaled" : "exited",
               WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    }
    /* 6. SIGPIPE caught by a handler: write returns EPIPE after handler ran */
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_pipe;
        sigaction(SIGPIPE, &sa, NULL);
        pipe(p);
        close(p[0]);
        errno = 0;
        ssize_t w = write(p[1], "x", 1);
        printf("SIGPIPE handled: write %zd %s, handler ran %d\n", w, ename(errno), (int)got);
        close(p[1]);
        signal(SIGPIPE, SIG_DFL);
    }

    /* 7. O_NONBLOCK: read on empty pipe -> EAGAIN; fill until EAGAIN */
    {
        pipe2(p, O_NONBLOCK);
        char b;
        errno = 0;
        ssize_t r = read(p[0], &b, 1);
        printf("nonblocking read of empty pipe: %zd %s\n", r, ename(errno));
        static char chunk[4096];
        size_t filled = 0;
        for (;;) {
            ssize_t w = write(p[1], chunk, 1024);
            if (w < 0) break;
            filled += w;
        }
        printf("nonblocking fill: stopped with %s after %zu bytes (%s)\n", ename(errno), filled,
               filled == 65536 ? "64 KiB" : "not 64 KiB");
        /* a partial write: with 1 byte free... drain 100 bytes, write 4096 */
        char drain[100];
        read(p[0], drain, sizeof drain);
        ssize_t w = write(p[1], chunk, 4096);
        printf("write 4096 with 100 free: %zd %s\n", w, w < 0 ? ename(errno) : "");
        /* POSIX: writes <= PIPE_BUF are atomic, so a 100-byte write with room fits */
        int fl = fcntl(p[0], F_GETFL);
        printf("F_GETFL has O_NONBLOCK: %d, O_RDONLY: %d\n", !!(fl & O_NONBLOCK), (fl & O_ACCMODE) == O_RDONLY);
        fcntl(p[0], F_SETFL, fl & ~O_NONBLOCK);
        printf("after F_SETFL: %d\n", !!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
        close(p[0]); close(p[1]);
        /* lseek on a pipe */
        pipe(p);
        errno = 0;
        off_t o = lseek(p[0], 0, SEEK_CUR);
        printf("lseek on pipe: %ld %s\n", (long)o, ename(errno));
        errno = 0;
        ssize_t bw = write(p[0], "x", 1);
        printf("write to read end: %zd %s\n", bw, ename(errno));
        close(p[0]); close(p[1]);
    }

    /* 8. 3-stage pipeline with dup2: gen | upcase | count, each a child;
     * the last stage writes its result to the parent through a 4th pipe */
    {
        int a[2], b[2], r[2];
        pipe(a); pipe(b); pipe(r);
        pid_t k[3];
        if ((k[0] = fork()) == 0) {
            dup2(a[1], 1);
            close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(r[0]); close(r[1]);
            for (int i = 0; i < 5000; i++) printf("line %d of the generator\n", i);
            fflush(stdout);
            _exit(0);
        }
        if ((k[1] = fork()) == 0) {
            dup2(a[0], 0); dup2(b[1], 1);
            close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(r[0]); close(r[1]);
            char buf[777]; ssize_t n;
            while ((n = read(0, buf, sizeof buf)) > 0) {
                for (ssize_t i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
                write(1, buf, n);
            }
            _exit(0);
        }
        if ((k[2] = fork()) == 0) {
            dup2(b[0], 0); dup2(r[1], 1);
            close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(r[0]); close(r[1]);
            char buf[512]; ssize_t n;
            unsigned long bytes = 0, lines = 0, upper = 0, sum = 0;
            while ((n = read(0, buf, sizeof buf)) > 0)
                for (ssize_t i = 0; i < n; i++) {
                    bytes++; sum = sum * 33 + (unsigned char)buf[i];
                    if (buf[i] == '\n') lines++;
                    if (buf[i] >= 'A' && buf[i] <= 'Z') upper++;
                }
            printf("%lu bytes %lu lines %lu upper hash %08lx\n", bytes, lines, upper, sum & 0xffffffffUL);
            fflush(stdout);
            _exit(0);
        }
        close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(r[1]);
        char buf[128]; int n = read(r[0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        printf("pipeline: %s", buf);
        close(r[0]);
        for (int i = 0; i < 3; i++) {
            waitpid(k[i], &st, 0);
            printf("stage %d status %d\n", i, WEXITSTATUS(st));
        }
    }

    /* 9. poll and select */
    {
        int q[2];
        pipe(p); pipe(q);
        struct pollfd pf[3] = {{p[0], POLLIN, 0}, {q[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
        int n = poll(pf, 3, 0);
        printf("poll empty: %d revents %x %x %x\n", n, pf[0].revents, pf[1].revents, pf[2].revents);
        c = fork();
        if (c == 0) {
            usleep(20000);
            write(q[1], "q", 1);
            _exit(0);
        }
        pf[2].events = 0;
        n = poll(pf, 2, -1);   /* blocks until the child writes */
        printf("poll after child write: %d revents %x %x\n", n, pf[0].revents, pf[1].revents);
        waitpid(c, &st, 0);
        close(q[1]);
        char ch; read(q[0], &ch, 1);
        n = poll(pf, 2, 0);
        printf("poll after writer closed: %d revents %x %x (POLLHUP=%x)\n", n, pf[0].revents, pf[1].revents, POLLHUP);
        /* reader closed -> POLLERR on the write end */
        int e[2]; pipe(e); close(e[0]);
        struct pollfd pw = {e[1], POLLOUT, 0};
        n = poll(&pw, 1, 0);
        printf("poll write end, reader closed: %d revents %x (POLLERR=%x)\n", n, pw.revents, POLLERR);
        close(e[1]);
        /* poll with timeout on an empty pipe */
        struct pollfd pt = {p[0], POLLIN, 0};
        n = poll(&pt, 1, 30);
        printf("poll timeout: %d\n", n);
        /* invalid fd -> POLLNVAL */
        struct pollfd pn = {999, POLLIN, 0};
        n = poll(&pn, 1, 0);
        printf("poll bad fd: %d revents %x (POLLNVAL=%x)\n", n, pn.revents, POLLNVAL);

        /* select */
        fd_set rs, ws;
        FD_ZERO(&rs); FD_ZERO(&ws);
        FD_SET(p[0], &rs); FD_SET(p[1], &ws);
        struct timeval tv = {0, 0};
        int mx = p[0] > p[1] ? p[0] : p[1];
        n = select(mx + 1, &rs, &ws, NULL, &tv);
        printf("select empty: %d read %d write %d\n", n, FD_ISSET(p[0], &rs), FD_ISSET(p[1], &ws));
        c = fork();
        if (c == 0) { usleep(20000); write(p[1], "abc", 3); _exit(0); }
        FD_ZERO(&rs); FD_SET(p[0], &rs);
        n = select(p[0] + 1, &rs, NULL, NULL, NULL);
        printf("select after child write: %d read %d\n", n, FD_ISSET(p[0], &rs));
        waitpid(c, &st, 0);
        FD_ZERO(&rs); FD_SET(p[0], &rs);
        tv.tv_sec = 0; tv.tv_usec = 30000;
        char buf[8]; read(p[0], buf, 3);
        n = select(p[0] + 1, &rs, NULL, NULL, &tv);
        printf("select timeout: %d read %d\n", n, FD_ISSET(p[0], &rs));
        FD_ZERO(&rs); FD_SET(20, &rs);
        tv.tv_sec = 0; tv.tv_usec = 0;
        errno = 0;
        n = select(21, &rs, NULL, NULL, &tv);
        printf("select bad fd: %d %s\n", n, ename(errno));
        close(p[0]); close(p[1]); close(q[0]);
    }

    /* 10. fd inheritance and close-on-exec flag is per fd */
    {
        pipe2(p, O_CLOEXEC);
        int fdf = fcntl(p[0], F_GETFD);
        int d = dup(p[0]);
        printf("O_CLOEXEC: FD_CLOEXEC %d, dup clears it %d\n", fdf & FD_CLOEXEC, fcntl(d, F_GETFD) & FD_CLOEXEC);
        close(d); close(p[0]); close(p[1]);
    }

    check(1, "done");
    printf("pipes: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
