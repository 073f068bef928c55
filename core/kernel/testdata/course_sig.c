/* course_sig: the NCTU handout's user side: a SIGUSR1 SA_SIGINFO
 * handler, then kernel_signal(getpid(), SIGUSR1). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <trapdoor.h>

static volatile int code = -1, signo = -1;

static void handler(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	signo = sig;
	code = info->si_code;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	long r = kernel_signal(getpid(), SIGUSR1);
	printf("r=%ld signo=%d si_code=%d SI_KERNEL=%d\n", r, signo, code, SI_KERNEL);
	return 0;
}
