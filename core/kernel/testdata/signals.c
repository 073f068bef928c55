/* Signal delivery: an SA_SIGINFO SIGSEGV handler leaving by siglongjmp,
 * signal() handlers using the FPU, a signal held while blocked, SIG_IGN,
 * and a SIGFPE handler that exits. Compared with a native run. */
#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int count;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    printf("SIGSEGV at %p code %d\n", si->si_addr, si->si_code);
    siglongjmp(jb, 1);
}
static void on_usr1(int sig) { count++; double x = 1.5; printf("usr1 %d %.2f\n", count, x * count); }
static void on_fpe(int sig) { printf("fpe\n"); _exit(9); }

int main(void) {
    struct sigaction sa; memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) { *(volatile int *)16 = 1; }
    printf("recovered\n");
    if (sigsetjmp(jb, 1) == 0) { *(volatile int *)32 = 1; }
    printf("recovered again\n");
    signal(SIGUSR1, on_usr1);
    double y = 2.25;
    raise(SIGUSR1); raise(SIGUSR1);
    printf("y=%.3f count=%d\n", y, count);
    sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    printf("blocked, count=%d\n", count);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("unblocked, count=%d\n", count);
    signal(SIGINT, SIG_IGN); raise(SIGINT); printf("ignored SIGINT\n");
    signal(SIGFPE, on_fpe);
    volatile int z = 0; printf("%d\n", 5 / z);
    return 0;
}
