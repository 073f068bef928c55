// The console terminal's line discipline, driven by a test that types
// each input after the prompt "[N]> " appears: canonical reads with
// erase, kill, werase and ^D, short reads of a line, echo off, raw
// reads with VMIN/VTIME, ^C/^Z/^\ signalling the foreground group, and
// job control (tcgetpgrp/tcsetpgrp, SIGTTIN stopping a background
// reader, EIO when it ignores SIGTTIN).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int step;

static void prompt(void) {
	printf("[%d]> ", ++step);
	fflush(stdout);
}

static void show(const char *what, const char *b, int n) {
	printf("%s: %d \"", what, n);
	for (int i = 0; i < n; i++) {
		unsigned char c = b[i];
		if (c == '\n')
			printf("\\n");
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\"\n");
}

static int rd(const char *what, int size) {
	char b[256];
	int n = read(0, b, size);
	if (n < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		show(what, b, n);
	return n;
}

static volatile int got;
static void on_sig(int s) { got = s; }

int main(void) {
	struct termios saved, t;
	tcgetattr(0, &saved);
	printf("isatty %d %d %d, foreground is us %d\n", isatty(0), isatty(1), isatty(2), tcgetpgrp(0) == getpgrp());
	printf("lflag ICANON %d ECHO %d ISIG %d, VERASE %d VKILL %d VEOF %d\n", !!(saved.c_lflag & ICANON),
	       !!(saved.c_lflag & ECHO), !!(saved.c_lflag & ISIG), saved.c_cc[VERASE], saved.c_cc[VKILL], saved.c_cc[VEOF]);

	prompt(); // erase
	rd("erase", 256);
	prompt(); // kill
	rd("kill", 256);
	prompt(); // word erase
	rd("werase", 256);
	prompt(); // ^D in mid-line ends the read without a newline
	rd("eof-mid", 256);
	prompt();
	rd("rest", 256);
	prompt(); // ^D on an empty line is end of file
	rd("eof", 256);
	prompt(); // a line read in pieces
	rd("piece1", 3);
	rd("piece2", 256);
	prompt(); // a literal ^C with ^V
	rd("lnext", 256);

	t = saved;
	t.c_lflag &= ~ECHO;
	tcsetattr(0, TCSANOW, &t);
	prompt(); // no echo
	rd("noecho", 256);

	t = saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	prompt(); // raw: bytes as typed, no editing
	rd("raw", 256);
	t.c_cc[VMIN] = 0;
	tcsetattr(0, TCSANOW, &t);
	rd("vmin0", 256);
	t.c_cc[VTIME] = 2;
	tcsetattr(0, TCSANOW, &t);
	rd("vtime", 256);
	tcsetattr(0, TCSAFLUSH, &saved);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig; // no SA_RESTART: the read is interrupted
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTSTP, &sa, 0);
	sigaction(SIGQUIT, &sa, 0);
	for (int i = 0; i < 3; i++) {
		prompt(); // ^C, ^Z, ^\ with a line half typed (it is discarded)
		got = 0;
		rd("intr", 256);
		printf("signal %d\n", got);
	}
	prompt();
	rd("after", 256);

	// A background process group reading the terminal is stopped by
	// SIGTTIN; one ignoring SIGTTIN gets EIO.
	for (int ign = 0; ign < 2; ign++) {
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			if (ign)
				signal(SIGTTIN, SIG_IGN);
			rd("background", 256);
			_exit(0);
		}
		setpgid(c, c);
		int st;
		waitpid(c, &st, WUNTRACED);
		if (WIFSTOPPED(st)) {
			printf("background reader stopped by %s\n", WSTOPSIG(st) == SIGTTIN ? "SIGTTIN" : "?");
			kill(c, SIGKILL);
			waitpid(c, &st, 0);
		}
		printf("background reader: signaled %d exited %d\n", WIFSIGNALED(st), WIFEXITED(st));
	}

	// Giving the terminal to another group: it reads; we get it back.
	signal(SIGTTOU, SIG_IGN);
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		while (tcgetpgrp(0) != getpgrp())
			usleep(1000);
		prompt();
		rd("foreground child", 256);
		_exit(0);
	}
	setpgid(c, c);
	printf("tcsetpgrp %d\n", tcsetpgrp(0, c));
	int st;
	waitpid(c, &st, 0);
	step++; // the child's prompt
	int r = tcsetpgrp(0, getpgrp());
	printf("tcsetpgrp back %d, foreground is us %d\n", r, tcgetpgrp(0) == getpgrp());
	r = tcsetpgrp(0, 99999);
	printf("tcsetpgrp to a missing group: %d %s\n", r, strerror(errno));
	// The window size: set it, and SIGWINCH comes to the foreground.
	struct winsize ws;
	ioctl(0, TIOCGWINSZ, &ws);
	printf("size %dx%d\n", ws.ws_row, ws.ws_col);
	signal(SIGWINCH, on_sig);
	got = 0;
	ws.ws_row = 40, ws.ws_col = 100;
	ioctl(0, TIOCSWINSZ, &ws);
	ioctl(0, TIOCGWINSZ, &ws);
	printf("size %dx%d, SIGWINCH %d\n", ws.ws_row, ws.ws_col, got == SIGWINCH);
	prompt();
	rd("last", 256);
	return 0;
}
