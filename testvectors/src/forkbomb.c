/* forkbomb [N]: tries to have N child processes alive at once (each blocks on
 * a pipe until the parent closes it), counts fork failures by errno, then
 * releases and reaps them all. Prints one line:
 *   forkbomb: wanted N, created C, EAGAIN A, ENOMEM M, other O, reaped R
 * and exits 0 when C == N, 1 otherwise (a process limit was hit). With a
 * process limit L (counting this process) an emulator should print
 * created L-1 and EAGAIN N-L+1. Without an argument N is unbounded: it forks
 * until fork fails 100 times (do not run that natively without a ulimit -u). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : -1;
    int p[2];
    if (pipe(p) != 0) return 2;
    long created = 0, eagain = 0, enomem = 0, other = 0, reaped = 0;
    for (long i = 0; want < 0 || i < want; i++) {
        pid_t c = fork();
        if (c == 0) {
            char b;
            close(p[1]);
            read(p[0], &b, 1);   /* EOF when the parent closes the write end */
            _exit(0);
        }
        if (c > 0) created++;
        else if (errno == EAGAIN) eagain++;
        else if (errno == ENOMEM) enomem++;
        else other++;
        if (want < 0 && eagain + enomem + other >= 100) break;
    }
    close(p[1]);
    close(p[0]);
    int st;
    while (wait(&st) > 0) reaped++;
    printf("forkbomb: wanted %ld, created %ld, EAGAIN %ld, ENOMEM %ld, other %ld, reaped %ld\n",
           want, created, eagain, enomem, other, reaped);
    return want >= 0 && created == want ? 0 : 1;
}
