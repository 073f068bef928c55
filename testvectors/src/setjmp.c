/* setjmp: setjmp/longjmp, including nested jump buffers, longjmp out of deep
 * recursion, longjmp with value 0 (setjmp returns 1), sigsetjmp/siglongjmp
 * with and without the signal mask, and that callee-saved locals declared
 * volatile survive. */
#include <stdio.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static jmp_buf outer, inner;
static sigjmp_buf sjb;
static int depth_reached;

static void recurse(int n, int target)
{
    volatile char pad[64];
    memset((char *)pad, n & 0xff, sizeof pad);
    depth_reached = n;
    if (n == target)
        longjmp(outer, n);
    recurse(n + 1, target);
    pad[0]++;   /* keep the frame */
}

static int nested(int v)
{
    int r = setjmp(inner);
    if (r == 0) {
        if (v & 1)
            longjmp(inner, v * 10);
        longjmp(outer, v * 100);
    }
    return r;
}

int main(void)
{
    volatile int counter = 0;
    int r;

    r = setjmp(outer);
    printf("first setjmp returned %d\n", r);
    counter++;
    if (counter < 4)
        longjmp(outer, counter * 7);
    printf("counter=%d\n", counter);

    int targets[] = { 1, 10, 100, 1000, 5000 };
    for (int i = 0; i < 5; i++) {
        r = setjmp(outer);
        if (r == 0) {
            recurse(1, targets[i]);
            printf("not reached\n");
        }
        printf("recursion longjmp returned %d depth=%d\n", r, depth_reached);
    }

    r = setjmp(outer);
    if (r == 0)
        longjmp(outer, 0);
    printf("longjmp(..., 0) made setjmp return %d\n", r);

    for (int v = 1; v <= 4; v++) {
        r = setjmp(outer);
        if (r == 0) {
            int n = nested(v);
            printf("nested(%d) returned normally with %d\n", v, n);
        } else {
            printf("nested(%d) jumped out with %d\n", v, r);
        }
    }

    /* sigsetjmp: with savemask=1 the blocked set is restored, with 0 not. */
    sigset_t set, cur;
    for (int save = 0; save <= 1; save++) {
        sigemptyset(&set);
        sigprocmask(SIG_SETMASK, &set, NULL);
        r = sigsetjmp(sjb, save);
        if (r == 0) {
            sigaddset(&set, SIGUSR1);
            sigprocmask(SIG_BLOCK, &set, NULL);
            siglongjmp(sjb, 5 + save);
        }
        sigprocmask(SIG_SETMASK, NULL, &cur);
        printf("sigsetjmp(save=%d) returned %d, SIGUSR1 blocked after: %d\n",
               save, r, sigismember(&cur, SIGUSR1));
    }
    return 0;
}
