/* sigkernel: the NCTU handout's "send a signal from kernel space". Installs
 * a SIGUSR1 handler with SA_SIGINFO and asks the kernel (kernel_signal)
 * to send SIGUSR1 to itself, then to a child waiting in sigsuspend, and
 * prints si_signo and si_code: SI_KERNEL (0x80), where kill(2) gives
 * SI_USER (0). Also: a child with SIGTERM's default action dies of it,
 * and the error paths ESRCH (no such pid) and EINVAL (bad signal).
 * "sigkernel: all ok" and status 0 when every check held. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

static volatile sig_atomic_t got_signo, got_code, got_count;

static void receive(int signo, siginfo_t *info, void *ctx)
{
	(void)ctx;
	got_signo = info->si_signo;
	got_code = info->si_code;
	got_count++;
	(void)signo;
}

static const char *codename(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	default: return "?";
	}
}

static int bad;

static void expect(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		bad++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sig;
	memset(&sig, 0, sizeof sig);
	sig.sa_sigaction = receive;
	sig.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sig, NULL);

	long r = kernel_signal(getpid(), SIGUSR1);
	printf("kernel_signal(getpid(), SIGUSR1) = %ld%s%s\n", r, r ? " " : "", r ? errname(errno) : "");
	printf("handler: si_signo %d (%s), si_code %d (%s)\n", (int)got_signo,
	       got_signo == SIGUSR1 ? "SIGUSR1" : "?", (int)got_code, codename(got_code));
	expect("signal from the kernel has si_code SI_KERNEL", r == 0 && got_count == 1 && got_signo == SIGUSR1 && got_code == SI_KERNEL);

	kill(getpid(), SIGUSR1);
	printf("kill(getpid(), SIGUSR1): si_code %d (%s)\n", (int)got_code, codename(got_code));
	expect("signal from kill has si_code SI_USER", got_count == 2 && got_code == SI_USER);

	/* A child waiting in sigsuspend, SIGUSR1 blocked until then. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	got_count = 0;
	pid_t child = fork();
	if (child == 0) {
		while (got_count == 0)
			sigsuspend(&old);
		_exit(got_code == SI_KERNEL ? 0 : 1);
	}
	r = kernel_signal(child, SIGUSR1);
	int status = 0;
	waitpid(child, &status, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	expect("a child waiting in sigsuspend got SIGUSR1 with SI_KERNEL",
	       r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Default action: SIGTERM kills. */
	int pipefd[2];
	pipe(pipefd);
	child = fork();
	if (child == 0) {
		char c;
		close(pipefd[1]);
		read(pipefd[0], &c, 1); /* blocks until killed */
		_exit(0);
	}
	close(pipefd[0]);
	r = kernel_signal(child, SIGTERM);
	waitpid(child, &status, 0);
	close(pipefd[1]);
	expect("kernel_signal(child, SIGTERM) kills a child with the default action",
	       r == 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

	r = kernel_signal(999999, SIGUSR1);
	printf("kernel_signal(999999, SIGUSR1) = %ld %s\n", r, r < 0 ? errname(errno) : "");
	expect("no such process is ESRCH", r == -1 && errno == ESRCH);
	r = kernel_signal(getpid(), 99);
	printf("kernel_signal(getpid(), 99) = %ld %s\n", r, r < 0 ? errname(errno) : "");
	expect("signal 99 is EINVAL", r == -1 && errno == EINVAL);
	r = kernel_signal(getpid(), -1);
	expect("signal -1 is EINVAL", r == -1 && errno == EINVAL);
	printf("sigkernel: %s\n", bad ? "FAILED" : "all ok");
	return bad != 0;
}
