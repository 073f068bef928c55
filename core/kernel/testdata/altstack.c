/* Stack overflow caught on an alternate signal stack (sigaltstack and
 * SA_ONSTACK), then sigaltstack queried. Compared with a native run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char altstack[65536];

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    stack_t cur;
    sigaltstack(NULL, &cur);
    char local;
    int on = &local >= altstack && &local < altstack + sizeof altstack;
    printf("caught %d on the alternate stack: %d, flags %d\n", sig, on, cur.ss_flags);
    fflush(stdout);
    _exit(3);
}

static int depth(int n) {
    volatile char buf[1024];
    buf[0] = (char)n;
    return depth(n + 1) + buf[0];
}

int main(void) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) { perror("sigaltstack"); return 1; }
    stack_t q;
    sigaltstack(NULL, &q);
    printf("size %zu flags %d\n", q.ss_size, q.ss_flags);
    ss.ss_size = 100;
    printf("too small: %d\n", sigaltstack(&ss, NULL));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    fflush(stdout);
    return depth(0);
}
