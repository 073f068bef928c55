/* signals: handlers, siginfo, masks, pending, timers, EINTR/SA_RESTART,
 * sigaltstack, fault signals recovered with siglongjmp, stop/continue.
 * Never prints pids or addresses: equalities are checked and printed as
 * 0/1. Exit 0 when every check passed, 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
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
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    case EPERM: return "EPERM";
    default: return "other";
    }
}

static volatile sig_atomic_t raised, count, last_sig, last_code, pid_ok, blocked_inside, depth, max_depth;
static volatile int uid_ok;
static volatile pid_t expect_pid;

static void on_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    count++;
    last_sig = si->si_signo == sig ? sig : -1;
    last_code = si->si_code;
    pid_ok = si->si_pid == expect_pid;
    uid_ok = si->si_uid == getuid();
}
static void on_plain(int sig) { (void)sig; count++; }
static void on_nest(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    blocked_inside = sigismember(&cur, sig);
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (raised < 2) { raised++; raise(sig); }   /* nests only with SA_NODEFER */
    depth--;
    count++;
}

static void set(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}
static void set_info(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* fault recovery */
static sigjmp_buf jb;
static volatile int f_sig, f_code;
static void *volatile f_addr;
static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    f_sig = sig;
    f_code = si->si_code;
    f_addr = si->si_addr;
    siglongjmp(jb, 1);
}
extern char ud2_insn[];
static void do_ud2(void)
{
    __asm__ volatile(".globl ud2_insn\nud2_insn: ud2");
}

/* sigaltstack */
static char *alt_base;
static size_t alt_size;
static volatile int on_alt, ss_onstack;
static void on_alt_handler(int sig)
{
    (void)sig;
    char local;
    on_alt = &local >= alt_base && &local < alt_base + alt_size;
    stack_t cur;
    sigaltstack(NULL, &cur);
    ss_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

/* SIGCHLD */
static volatile sig_atomic_t chld_count, chld_code, chld_status;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    chld_count++;
    chld_code = si->si_code;
    chld_status = si->si_status;
}

static volatile sig_atomic_t rt_count, std_count, order_idx;
static volatile int order[8];
static void on_rt(int sig) { rt_count++; if (order_idx < 8) order[order_idx++] = sig; }
static void on_std(int sig) { std_count++; if (order_idx < 8) order[order_idx++] = sig; }

int main(void)
{
    sigset_t set_, old, pend;
    int st;
    pid_t c;
    setvbuf(stdout, NULL, _IONBF, 0);

    /* 1. SA_SIGINFO with raise and kill */
    expect_pid = getpid();
    set_info(SIGUSR1, on_info, 0);
    raise(SIGUSR1);
    printf("raise: count %d signo ok %d code %s pid ok %d\n", (int)count, last_sig == SIGUSR1,
           last_code == SI_TKILL ? "SI_TKILL" : last_code == SI_USER ? "SI_USER" : "other", (int)pid_ok);
    kill(getpid(), SIGUSR1);
    printf("kill self: count %d signo ok %d code %s pid ok %d uid ok %d\n", (int)count, last_sig == SIGUSR1,
           last_code == SI_USER ? "SI_USER" : "other", (int)pid_ok, uid_ok);
    union sigval sv = {.sival_int = 7};
    sigqueue(getpid(), SIGUSR1, sv);
    printf("sigqueue self: count %d code %s\n", (int)count, last_code == SI_QUEUE ? "SI_QUEUE" : "other");

    /* 2. SA_RESETHAND: one delivery, then default */
    count = 0;
    set(SIGUSR2, on_plain, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction q;
    sigaction(SIGUSR2, NULL, &q);
    printf("SA_RESETHAND: count %d, handler now SIG_DFL %d\n", (int)count, q.sa_handler == SIG_DFL);

    /* 3. SA_NODEFER vs default deferral */
    count = 0; max_depth = 0; raised = 0;
    set(SIGUSR2, on_nest, 0);
    raise(SIGUSR2);
    printf("default: blocked inside %d, max depth %d, count %d\n", (int)blocked_inside, (int)max_depth, (int)count);
    count = 0; max_depth = 0; raised = 0;
    set(SIGUSR2, on_nest, SA_NODEFER);
    raise(SIGUSR2);
    printf("SA_NODEFER: blocked inside %d, max depth %d, count %d\n", (int)blocked_inside, (int)max_depth, (int)count);
    /* sa_mask: handler for USR1 blocks USR2 while running */
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_nest;
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGTERM);
        sigaction(SIGUSR2, &sa, NULL);
    }

    /* 4. sigprocmask and sigpending */
    count = 0;
    set(SIGUSR1, on_plain, 0);
    sigemptyset(&set_);
    sigaddset(&set_, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set_, &old);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: count %d, pending USR1 %d, pending USR2 %d\n", (int)count,
           sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_SETMASK, &old, NULL);
    sigpending(&pend);
    printf("unblocked: count %d (standard signals do not queue), pending %d\n", (int)count,
           sigismember(&pend, SIGUSR1));
    /* SIGKILL and SIGSTOP cannot be blocked or caught */
    sigfillset(&set_);
    sigprocmask(SIG_SETMASK, &set_, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("block all: KILL blocked %d STOP blocked %d TERM blocked %d\n",
           sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP), sigismember(&old, SIGTERM));
    sigemptyset(&set_);
    sigprocmask(SIG_SETMASK, &set_, NULL);
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_plain;
        errno = 0;
        int r1 = sigaction(SIGKILL, &sa, NULL);
        int e1 = errno;
        errno = 0;
        int r2 = sigaction(SIGSTOP, &sa, NULL);
        printf("sigaction KILL: %d %s, STOP: %d %s\n", r1, ename(e1), r2, ename(errno));
        errno = 0;
        int r3 = kill(getpid(), 99);
        printf("kill with signal 99: %d %s\n", r3, ename(errno));
    }

    /* 5. real-time signals queue, and are delivered lowest first */
    {
        set(SIGRTMIN, on_rt, 0);
        set(SIGRTMIN + 1, on_rt, 0);
        set(SIGUSR1, on_std, 0);
        sigemptyset(&set_);
        sigaddset(&set_, SIGRTMIN);
        sigaddset(&set_, SIGRTMIN + 1);
        sigaddset(&set_, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set_, &old);
        union sigval v = {0};
        sigqueue(getpid(), SIGRTMIN + 1, v);
        sigqueue(getpid(), SIGRTMIN, v);
        sigqueue(getpid(), SIGRTMIN, v);
        sigqueue(getpid(), SIGRTMIN, v);
        kill(getpid(), SIGUSR1);
        kill(getpid(), SIGUSR1);
        sigprocmask(SIG_SETMASK, &old, NULL);
        printf("rt queued: rt %d std %d order:", (int)rt_count, (int)std_count);
        for (int i = 0; i < order_idx; i++)
            printf(" %s", order[i] == SIGUSR1 ? "USR1" : order[i] == SIGRTMIN ? "RTMIN" : "RTMIN+1");
        printf("\n");
    }

    /* 6. kill to a child with a handler; the child reports through its exit status */
    {
        int pfd[2];
        pipe(pfd);
        pid_t parent = getpid();
        c = fork();
        if (c == 0) {
            count = 0;
            expect_pid = parent;
            set_info(SIGUSR1, on_info, 0);
            sigset_t none;
            sigemptyset(&none);
            sigemptyset(&set_); sigaddset(&set_, SIGUSR1);
            sigprocmask(SIG_BLOCK, &set_, NULL);
            write(pfd[1], "r", 1);
            int r = sigsuspend(&none);     /* returns -1 EINTR after the handler ran */
            _exit(r == -1 && errno == EINTR && count == 1 && last_code == SI_USER && pid_ok ? 20 : 21);
        }
        char ch;
        read(pfd[0], &ch, 1);
        close(pfd[0]); close(pfd[1]);
        kill(c, SIGUSR1);
        waitpid(c, &st, 0);
        printf("child handled kill from parent (si_pid ok, SI_USER, sigsuspend EINTR): exit %d\n", WEXITSTATUS(st));
        /* a child with SIGUSR1 ignored survives it */
        pipe(pfd);
        c = fork();
        if (c == 0) {
            signal(SIGUSR1, SIG_IGN);
            close(pfd[0]);
            write(pfd[1], "r", 1);
            for (;;) pause();     /* the parent kills it with SIGTERM */
        }
        close(pfd[1]);
        read(pfd[0], &ch, 1);
        kill(c, SIGUSR1);
        kill(c, SIGURG);     /* default action: ignore */
        kill(c, SIGWINCH);   /* default action: ignore */
        kill(c, SIGTERM);
        waitpid(c, &st, 0);
        close(pfd[0]);
        printf("ignored USR1/URG/WINCH then TERM: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    }

    /* 7. SIGCHLD handler with siginfo */
    {
        set_info(SIGCHLD, on_chld, SA_RESTART);
        c = fork();
        if (c == 0) _exit(77);
        while (chld_count == 0) {
            sigset_t none; sigemptyset(&none);
            sigemptyset(&set_); sigaddset(&set_, SIGCHLD);
            sigprocmask(SIG_BLOCK, &set_, &old);
            if (chld_count == 0) sigsuspend(&old);
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        waitpid(c, &st, 0);
        printf("SIGCHLD: count %d code %s status %d\n", (int)chld_count,
               chld_code == CLD_EXITED ? "CLD_EXITED" : "other", (int)chld_status);
        /* killed child: CLD_KILLED */
        chld_count = 0;
        c = fork();
        if (c == 0) { for (;;) pause(); }
        kill(c, SIGKILL);
        waitpid(c, &st, 0);
        /* the SIGCHLD may be delivered before or at waitpid's return */
        for (int i = 0; i < 1000 && chld_count == 0; i++) usleep(1000);
        printf("SIGCHLD killed: count %d code %s status %d\n", (int)chld_count,
               chld_code == CLD_KILLED ? "CLD_KILLED" : "other", (int)chld_status);
        signal(SIGCHLD, SIG_DFL);
    }

    /* 8. stop and continue: WUNTRACED / WCONTINUED */
    {
        int pfd[2];
        pipe(pfd);
        c = fork();
        if (c == 0) {
            close(pfd[1]);
            char b;
            read(pfd[0], &b, 1);
            _exit(b);
        }
        close(pfd[0]);
        kill(c, SIGSTOP);
        waitpid(c, &st, WUNTRACED);
        printf("stopped: WIFSTOPPED %d sig %d\n", WIFSTOPPED(st), WSTOPSIG(st));
        kill(c, SIGCONT);
        waitpid(c, &st, WCONTINUED);
        printf("continued: WIFCONTINUED %d\n", WIFCONTINUED(st));
        write(pfd[1], "\x05", 1);
        close(pfd[1]);
        waitpid(c, &st, 0);
        printf("then exited %d\n", WEXITSTATUS(st));
    }

    /* 9. alarm + pause */
    {
        count = 0;
        set(SIGALRM, on_plain, 0);
        alarm(1);
        unsigned left = alarm(1);      /* re-arm: returns the old remaining seconds */
        errno = 0;
        int r = pause();
        printf("alarm: old remaining %u, pause %d %s, count %d\n", left, r, ename(errno), (int)count);
        printf("alarm(0) after firing: %u\n", alarm(0));
    }

    /* 10. setitimer ITIMER_REAL with an interval: three ticks */
    {
        count = 0;
        set(SIGALRM, on_plain, 0);
        struct itimerval it = {{0, 20000}, {0, 20000}};
        setitimer(ITIMER_REAL, &it, NULL);
        while (count < 3) pause();
        struct itimerval stop = {{0, 0}, {0, 0}}, was;
        setitimer(ITIMER_REAL, &stop, &was);
        printf("setitimer: %d ticks, interval kept %d\n", (int)count,
               was.it_interval.tv_sec == 0 && was.it_interval.tv_usec == 20000);
        getitimer(ITIMER_REAL, &was);
        printf("after stop: %ld %ld\n", (long)was.it_value.tv_sec, (long)was.it_value.tv_usec);
    }

    /* 11. sigsuspend: block USR1, send it, sigsuspend with it unblocked */
    {
        count = 0;
        set(SIGUSR1, on_plain, 0);
        sigemptyset(&set_); sigaddset(&set_, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set_, &old);
        raise(SIGUSR1);
        sigset_t wait_mask;
        sigemptyset(&wait_mask);
        errno = 0;
        int r = sigsuspend(&wait_mask);
        sigset_t now;
        sigprocmask(SIG_BLOCK, NULL, &now);
        printf("sigsuspend: %d %s count %d, mask restored %d\n", r, ename(errno), (int)count,
               sigismember(&now, SIGUSR1));
        sigprocmask(SIG_SETMASK, &old, NULL);
    }

    /* 12. EINTR without SA_RESTART, restart with SA_RESTART: a read from an
     * empty pipe; a timer fires after 20 ms; a child writes after 100 ms */
    {
        int pfd[2];
        char buf[16];
        pipe(pfd);
        count = 0;
        set(SIGALRM, on_plain, 0);
        struct itimerval it = {{0, 0}, {0, 20000}};
        setitimer(ITIMER_REAL, &it, NULL);
        errno = 0;
        ssize_t r = read(pfd[0], buf, sizeof buf);
        printf("read interrupted (no SA_RESTART): %zd %s count %d\n", r, ename(errno), (int)count);

        count = 0;
        set(SIGALRM, on_plain, SA_RESTART);
        c = fork();
        if (c == 0) { usleep(100000); write(pfd[1], "late", 4); _exit(0); }
        setitimer(ITIMER_REAL, &it, NULL);
        errno = 0;
        r = read(pfd[0], buf, sizeof buf);
        printf("read restarted (SA_RESTART): %zd \"%.*s\" count %d\n", r, r > 0 ? (int)r : 0, buf, (int)count);
        waitpid(c, &st, 0);
        /* nanosleep is never restarted: EINTR */
        count = 0;
        setitimer(ITIMER_REAL, &it, NULL);
        struct timespec ts = {2, 0}, rem;
        errno = 0;
        int n = nanosleep(&ts, &rem);
        printf("nanosleep interrupted even with SA_RESTART: %d %s, remaining > 1s %d\n", n, ename(errno),
               rem.tv_sec >= 1);
        close(pfd[0]); close(pfd[1]);
        signal(SIGALRM, SIG_DFL);
    }

    /* 13. sigaltstack */
    {
        alt_size = 65536;
        alt_base = malloc(alt_size);
        stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0}, o;
        sigaltstack(&ss, &o);
        printf("old altstack disabled: %d\n", (o.ss_flags & SS_DISABLE) != 0);
        set(SIGUSR2, on_alt_handler, SA_ONSTACK);
        raise(SIGUSR2);
        printf("SA_ONSTACK handler: on alt stack %d, SS_ONSTACK %d\n", on_alt, ss_onstack);
        on_alt = -1;
        set(SIGUSR2, on_alt_handler, 0);
        raise(SIGUSR2);
        printf("handler without SA_ONSTACK: on alt stack %d, SS_ONSTACK %d\n", on_alt, ss_onstack);
        stack_t cur;
        sigaltstack(NULL, &cur);
        printf("outside handler: SS_ONSTACK %d size ok %d\n", (cur.ss_flags & SS_ONSTACK) != 0, cur.ss_size == alt_size);
        stack_t small = {.ss_sp = alt_base, .ss_size = 100, .ss_flags = 0};
        errno = 0;
        int r = sigaltstack(&small, NULL);
        printf("altstack too small: %d %s\n", r, errno == ENOMEM ? "ENOMEM" : ename(errno));
    }

    /* 14. stack overflow caught on the alternate stack */
    {
        set_info(SIGSEGV, on_fault, SA_ONSTACK | SA_NODEFER);
        f_sig = 0;
        pid_t k = fork();
        if (k == 0) {
            /* in a child: recursion until the stack limit, handler on altstack */
            if (sigsetjmp(jb, 1) == 0) {
                volatile char big[4096];
                void rec(volatile char *p) { volatile char b[4096]; b[0] = p[0]; if (b[0] != 2) rec(b); b[1] = 0; }
                big[0] = 1;
                rec(big);
            }
            _exit(f_sig == SIGSEGV ? 50 : 51);
        }
        waitpid(k, &st, 0);
        printf("stack overflow handled on altstack: %s %d\n", WIFEXITED(st) ? "exit" : "signal",
               WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    }

    /* 15. SIGSEGV: MAPERR and ACCERR with si_addr */
    {
        set_info(SIGSEGV, on_fault, SA_NODEFER);
        volatile int *bad = (volatile int *)0x10;
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { (void)*bad; }
        printf("read 0x10: sig %d code %s addr ok %d\n", f_sig,
               f_code == SEGV_MAPERR ? "SEGV_MAPERR" : f_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
               f_addr == (void *)bad);
        char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { ((volatile char *)ro)[123] = 1; }
        printf("write read-only page: sig %d code %s addr ok %d\n", f_sig,
               f_code == SEGV_MAPERR ? "SEGV_MAPERR" : f_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
               f_addr == (void *)(ro + 123));
        munmap(ro, 4096);
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { (void)((volatile char *)ro)[5]; }
        printf("read unmapped page: sig %d code %s addr ok %d\n", f_sig,
               f_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", f_addr == (void *)(ro + 5));
        /* the signal mask was restored by siglongjmp(…, 1) */
        sigset_t now;
        sigprocmask(SIG_BLOCK, NULL, &now);
        printf("SIGSEGV blocked after siglongjmp: %d\n", sigismember(&now, SIGSEGV));
        /* kernel-space address */
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { (void)*(volatile int *)0xc0001000; }
        printf("read 0xc0001000: sig %d addr ok %d\n", f_sig, f_addr == (void *)0xc0001000);
    }

    /* 16. SIGFPE: divide by zero and INT_MIN / -1 */
    {
        set_info(SIGFPE, on_fault, SA_NODEFER);
        volatile int a = 5, z = 0, m = INT_MIN, n1 = -1, r = 0;
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { r = a / z; }
        printf("5/0: sig %d code %s\n", f_sig, f_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) { r = m / n1; }
        printf("INT_MIN/-1: sig %d code %s\n", f_sig, f_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
        (void)r;
    }

    /* 17. SIGILL: ud2 */
    {
        set_info(SIGILL, on_fault, SA_NODEFER);
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) do_ud2();
        printf("ud2: sig %d code %s addr ok %d\n", f_sig, f_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other",
               f_addr == (void *)ud2_insn);
    }

    /* 18. SIGTRAP from int3 */
    {
        set_info(SIGTRAP, on_fault, SA_NODEFER);
        f_sig = 0;
        if (sigsetjmp(jb, 1) == 0) __asm__ volatile("int3");
        printf("int3: sig %d code %s\n", f_sig, f_code == SI_KERNEL ? "SI_KERNEL" : f_code == TRAP_BRKPT ? "TRAP_BRKPT" : "other");
    }

    /* 19. signal(2) semantics and SIG_IGN of a pending signal discards it */
    {
        count = 0;
        set(SIGUSR1, on_plain, 0);
        sigemptyset(&set_); sigaddset(&set_, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set_, &old);
        raise(SIGUSR1);
        signal(SIGUSR1, SIG_IGN);
        sigpending(&pend);
        printf("pending discarded by SIG_IGN: %d\n", !sigismember(&pend, SIGUSR1));
        sigprocmask(SIG_SETMASK, &old, NULL);
        signal(SIGUSR1, on_plain);
        raise(SIGUSR1);
        printf("signal() handler runs: count %d\n", (int)count);
    }

    check(1, "done");
    printf("signals: %s\n", fails ? "FAILED" : "all ok");
    /* last: die by a signal with a handler reset to default */
    signal(SIGTERM, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    return 3;
}
