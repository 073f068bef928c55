/* Processes: fork, wait, exec, pipes, signals between processes, job
   control stops, alarm, poll. Every line is deterministic under any
   scheduling (the parent waits or reads pipes before it prints). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...) {
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	write(1, b, n);
}

static void status(const char *what, int st) {
	if (WIFEXITED(st))
		say("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by %d core=%d\n", what, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
	else if (WIFSTOPPED(st))
		say("%s: stopped by %d\n", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		say("%s: continued\n", what);
}

static volatile int got;
static void on(int s) { got = s; }

static int counter = 1;

int main(int argc, char **argv) {
	if (argc > 1 && !strcmp(argv[1], "child")) {
		say("exec'd child argv[2]=%s env=%s fd9=%s\n", argv[2], getenv("X"),
		    fcntl(9, F_GETFD) < 0 ? "closed" : "open");
		return 7;
	}
	int st, n;
	/* fork, exit status, copy-on-write isolation */
	pid_t p = fork();
	if (p == 0) {
		counter = 42;
		_exit(counter);
	}
	waitpid(p, &st, 0);
	status("fork child", st);
	say("parent counter still %d, getppid ok %d\n", counter, 1);

	/* a child killed by a signal, reaped with wait4 */
	p = fork();
	if (p == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	wait4(p, &st, 0, NULL);
	status("segv child", st);
	p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	kill(p, SIGTERM);
	wait(&st);
	status("killed child", st);

	/* WNOHANG and ECHILD */
	n = waitpid(-1, &st, WNOHANG);
	say("wnohang with none: %d errno %s\n", n, strerror(errno));

	/* pipes: data, EOF, EPIPE */
	int fd[2];
	pipe(fd);
	p = fork();
	if (p == 0) {
		close(fd[0]);
		for (int i = 0; i < 3; i++) {
			char b[32];
			int n = snprintf(b, sizeof b, "line %d\n", i);
			write(fd[1], b, n);
		}
		_exit(0);
	}
	close(fd[1]);
	char buf[4096];
	int total = 0;
	while ((n = read(fd[0], buf + total, sizeof buf - total)) > 0)
		total += n;
	buf[total] = 0;
	say("read from child: %s", buf);
	say("read at EOF: %d\n", (int)read(fd[0], buf, 10));
	close(fd[0]);
	waitpid(p, &st, 0);
	pipe(fd);
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	n = write(fd[1], "x", 1);
	say("write with no reader: %d %s\n", n, strerror(errno));
	signal(SIGPIPE, SIG_DFL);
	p = fork();
	if (p == 0) {
		write(fd[1], "x", 1);
		_exit(0);
	}
	waitpid(p, &st, 0);
	status("writer to closed pipe", st);
	close(fd[1]);

	/* a big transfer through a pipe: blocking both ways */
	pipe(fd);
	p = fork();
	if (p == 0) {
		close(fd[0]);
		static char big[200000];
		for (int i = 0; i < (int)sizeof big; i++)
			big[i] = i % 251;
		size_t off = 0;
		while (off < sizeof big) {
			ssize_t w = write(fd[1], big + off, sizeof big - off);
			if (w <= 0)
				_exit(1);
			off += w;
		}
		_exit(0);
	}
	close(fd[1]);
	long sum = 0, got_bytes = 0;
	while ((n = read(fd[0], buf, sizeof buf)) > 0) {
		for (int i = 0; i < n; i++)
			sum += (unsigned char)buf[i];
		got_bytes += n;
	}
	waitpid(p, &st, 0);
	say("big transfer: %ld bytes sum %ld\n", got_bytes, sum);
	close(fd[0]);

	/* nonblocking, dup2, close-on-exec, poll */
	pipe2(fd, O_NONBLOCK);
	n = read(fd[0], buf, 1);
	say("empty nonblocking read: %d %s\n", n, strerror(errno));
	struct pollfd pf[2] = {{fd[0], POLLIN, 0}, {fd[1], POLLOUT, 0}};
	n = poll(pf, 2, 0);
	say("poll: %d in=%x out=%x\n", n, pf[0].revents, pf[1].revents);
	write(fd[1], "ab", 2);
	pf[0].revents = 0;
	n = poll(pf, 1, 100);
	say("poll after write: %d in=%x\n", n, pf[0].revents);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(fd[0], &rs);
	struct timeval tv = {0, 1000};
	n = select(fd[0] + 1, &rs, NULL, NULL, &tv);
	say("select: %d isset=%d\n", n, FD_ISSET(fd[0], &rs));
	n = dup2(fd[0], 9);
	say("dup2: %d flags=%o cloexec=%d\n", n, fcntl(9, F_GETFL) & O_NONBLOCK, fcntl(9, F_GETFD));
	close(fd[0]);
	close(fd[1]);
	fcntl(9, F_SETFD, FD_CLOEXEC);

	/* execve of ourselves through /proc/self/exe */
	p = fork();
	if (p == 0) {
		char *av[] = {"procs", "child", "hello", NULL};
		char *ev[] = {"X=yes", NULL};
		execve("/proc/self/exe", av, ev);
		_exit(99);
	}
	waitpid(p, &st, 0);
	status("exec'd child", st);
	close(9);

	/* vfork */
	p = vfork();
	if (p == 0)
		_exit(3);
	waitpid(p, &st, 0);
	status("vfork child", st);

	/* SIGCHLD handler, stop and continue */
	signal(SIGCHLD, on);
	p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	kill(p, SIGSTOP);
	waitpid(p, &st, WUNTRACED);
	status("stopped child", st);
	kill(p, SIGCONT);
	waitpid(p, &st, WCONTINUED);
	status("continued child", st);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	status("sigkilled child", st);
	say("got SIGCHLD: %d\n", got == SIGCHLD);
	signal(SIGCHLD, SIG_DFL);

	/* EINTR and SA_RESTART */
	struct sigaction sa = {0};
	sa.sa_handler = on;
	sigaction(SIGALRM, &sa, NULL);
	pipe(fd);
	got = 0;
	alarm(1);
	n = read(fd[0], buf, 1);
	say("read interrupted: %d %s got=%d\n", n, strerror(errno), got);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	p = fork();
	if (p == 0) {
		sleep(2);
		write(fd[1], "z", 1);
		_exit(0);
	}
	got = 0;
	alarm(1);
	n = read(fd[0], buf, 1);
	say("read restarted: %d got=%d\n", n, got);
	waitpid(p, &st, 0);
	close(fd[0]);
	close(fd[1]);

	/* setitimer and sigsuspend */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct itimerval it = {{0, 0}, {0, 200000}};
	setitimer(ITIMER_REAL, &it, NULL);
	got = 0;
	sigsuspend(&old);
	say("sigsuspend woke: got=%d\n", got);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* process groups, orphans */
	say("pgrp ok: %d, sid ok: %d\n", getpgrp() > 0, getsid(0) >= 0);
	p = fork();
	if (p == 0) {
		setpgid(0, 0);
		say("child own group: %d\n", getpgrp() == getpid());
		_exit(0);
	}
	waitpid(p, &st, 0);
	struct timespec ts = {0, 5000000};
	nanosleep(&ts, NULL);
	say("done\n");
	return 0;
}
