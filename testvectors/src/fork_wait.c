/* fork_wait: fork/waitpid, exit codes and signal deaths, WNOHANG, zombie
 * reaping, orphan reparenting, vfork+_exit. Only the parent prints, except
 * where a child prints while the parent is blocked waiting for it.
 * Never prints pids. Exit status 0 when every check passed, 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails;
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}

static void describe(const char *tag, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", tag, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: signaled %d (%s) core %d\n", tag, WTERMSIG(st),
               strsignal(WTERMSIG(st)), WCOREDUMP(st) ? 1 : 0);
    else
        printf("%s: other 0x%x\n", tag, st);
}

static void nocore(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);   /* no core even with a piped core_pattern */
}

int main(void)
{
    int st;
    pid_t p, me = getpid();
    setvbuf(stdout, NULL, _IONBF, 0);

    /* 1. exit codes */
    static const int codes[] = {0, 1, 7, 42, 255, 256, 300};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        p = fork();
        if (p == 0) _exit(codes[i]);
        pid_t w = waitpid(p, &st, 0);
        char tag[32];
        snprintf(tag, sizeof tag, "exit(%d)", codes[i]);
        describe(tag, st);
        if (w != p) check(0, "waitpid returns child pid");
    }
    /* exit() from a child runs atexit handlers in the child only; a return
     * from a child function works too */
    p = fork();
    if (p == 0) { printf("child: getppid()==parent %d\n", getppid() == me); exit(3); }
    waitpid(p, &st, 0);
    describe("child exit(3)", st);

    /* 2. signal deaths */
    static const int sigs[] = {SIGTERM, SIGKILL, SIGINT, SIGUSR1, SIGSEGV, SIGABRT, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int pfd[2];
        if (pipe(pfd) != 0) return 2;
        p = fork();
        if (p == 0) {
            nocore();
            close(pfd[0]);
            write(pfd[1], "r", 1);   /* ready */
            for (;;) pause();
        }
        close(pfd[1]);
        char c;
        read(pfd[0], &c, 1);
        close(pfd[0]);
        kill(p, sigs[i]);
        waitpid(p, &st, 0);
        char tag[32];
        snprintf(tag, sizeof tag, "kill %d", sigs[i]);
        describe(tag, st);
    }
    /* a child that faults by itself */
    p = fork();
    if (p == 0) { nocore(); *(volatile int *)0 = 1; _exit(99); }
    waitpid(p, &st, 0);
    describe("null store", st);
    p = fork();
    if (p == 0) { nocore(); abort(); }
    waitpid(p, &st, 0);
    describe("abort()", st);

    /* 3. WNOHANG polling: the child waits for a byte on a pipe */
    {
        int pfd[2];
        pipe(pfd);
        p = fork();
        if (p == 0) {
            char c;
            close(pfd[1]);
            read(pfd[0], &c, 1);
            _exit(c);
        }
        close(pfd[0]);
        pid_t w = waitpid(p, &st, WNOHANG);
        check(w == 0, "WNOHANG on running child returns 0");
        write(pfd[1], "\x11", 1);
        close(pfd[1]);
        int polls = 0;
        while ((w = waitpid(p, &st, WNOHANG)) == 0) {
            polls++;
            usleep(1000);
        }
        check(w == p, "WNOHANG eventually returns the child");
        describe("polled child", st);
        w = waitpid(p, &st, WNOHANG);
        check(w == -1 && errno == ECHILD, "waitpid after reaping: ECHILD");
        w = waitpid(-1, &st, WNOHANG);
        check(w == -1 && errno == ECHILD, "waitpid(-1) with no children: ECHILD");
        w = wait(&st);
        check(w == -1 && errno == ECHILD, "wait with no children: ECHILD");
    }

    /* 4. zombie reaping order: five children exit in a known order (each
     * waits for its turn on a pipe, then signals the parent it is done);
     * all are zombies when the parent reaps them with waitpid(-1). The
     * order waitpid(-1) returns them in is not specified by POSIX, so the
     * parent maps pids to indices and prints the set, then reaps specific
     * pids in reverse order to test waitpid(pid) on zombies. */
    {
        pid_t kids[5];
        int done[2];
        pipe(done);
        for (int i = 0; i < 5; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                close(done[0]);
                write(done[1], "x", 1);
                close(done[1]);
                _exit(10 + i);
            }
        }
        close(done[1]);
        char buf[8];
        int n = 0, r;
        while ((r = read(done[0], buf, sizeof buf)) > 0) n += r;
        close(done[0]);
        printf("children reported: %d\n", n);
        /* all five have at least closed their pipe end; now reap pids in
         * reverse order of creation */
        for (int i = 4; i >= 0; i--) {
            pid_t w = waitpid(kids[i], &st, 0);
            printf("reap child %d: %s status %d\n", i, w == kids[i] ? "pid ok" : "pid WRONG",
                   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
        /* waitpid(-1) collects any: sum of statuses is order independent */
        int sum = 0, cnt = 0;
        for (int i = 0; i < 4; i++) {
            p = fork();
            if (p == 0) _exit(1 << i);
        }
        while ((p = waitpid(-1, &st, 0)) > 0) { sum += WEXITSTATUS(st); cnt++; }
        printf("waitpid(-1): %d children, status sum %d, then %s\n", cnt, sum,
               errno == ECHILD ? "ECHILD" : strerror(errno));
    }

    /* 5. orphan reparenting: middle forks a grandchild and exits; the
     * grandchild waits until getppid() no longer returns the middle's pid
     * (it becomes init, a subreaper, or -- under an emulator whose init is
     * this program -- us), then reports over a pipe. */
    {
        int pfd[2], go[2];
        pipe(pfd);
        pipe(go);
        pid_t middle = fork();
        if (middle == 0) {
            pid_t mid = getpid();
            pid_t g = fork();
            if (g == 0) {
                char c;
                close(go[1]);
                read(go[0], &c, 1);          /* wait until the middle exited */
                int ok_before = 1;           /* reported via the pipe below */
                int tries = 0;
                while (getppid() == mid && tries < 5000) { usleep(1000); tries++; }
                char msg[64];
                int len = snprintf(msg, sizeof msg, "%s %s\n",
                                   getppid() != mid ? "reparented" : "not-reparented",
                                   getppid() == 0 ? "ppid0" : "ppid-nonzero");
                (void)ok_before;
                write(pfd[1], msg, len);
                _exit(0);
            }
            _exit(5);
        }
        close(pfd[1]);
        close(go[0]);
        waitpid(middle, &st, 0);
        describe("middle", st);
        write(go[1], "g", 1);
        close(go[1]);
        char buf[64];
        int n = read(pfd[0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        printf("grandchild: %s", buf);
        close(pfd[0]);
        /* read() returned before the grandchild exited; wait for EOF (all
         * writers gone) so it is gone before we continue */
        while (read(pfd[0], buf, 1) > 0) {}
        /* if we are its new parent (an emulator's pid 1), reap it quietly */
        while (waitpid(-1, &st, WNOHANG) > 0) {}
    }

    /* 6. vfork + _exit: the child borrows the parent's memory; the parent is
     * suspended until the child exits */
    {
        volatile int shared = 1;
        p = vfork();
        if (p == 0) {
            shared = 2;
            _exit(33);
        }
        waitpid(p, &st, 0);
        describe("vfork child", st);
        check(shared == 2, "vfork child wrote parent's memory");
    }

    /* 7. vfork + execve of a missing file: child _exits 127 */
    {
        p = vfork();
        if (p == 0) {
            char *argv[] = {"nonexistent", NULL};
            char *envp[] = {NULL};
            execve("/nonexistent/program", argv, envp);
            _exit(errno == ENOENT ? 127 : 126);
        }
        waitpid(p, &st, 0);
        describe("vfork+execve missing", st);
    }

    /* 8. nested fork depth 5: statuses propagate up */
    {
        int depth = 0;
        for (;;) {
            if (depth == 5) _exit(depth);
            p = fork();
            if (p != 0) break;
            depth++;
        }
        waitpid(p, &st, 0);
        if (depth > 0) _exit(WEXITSTATUS(st) + 1);
        printf("nested fork depth 5: status %d\n", WEXITSTATUS(st));
    }

    /* 9. SIGCHLD default is ignore-but-reap-on-wait; with SIG_IGN, children
     * are auto-reaped and wait fails with ECHILD */
    {
        signal(SIGCHLD, SIG_IGN);
        p = fork();
        if (p == 0) _exit(1);
        pid_t w = waitpid(p, &st, 0);
        check(w == -1 && errno == ECHILD, "SIGCHLD SIG_IGN: auto-reaped, ECHILD");
        signal(SIGCHLD, SIG_DFL);
    }

    printf("fork_wait: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
