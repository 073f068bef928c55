/* fork_test: a stress test of the message box with many processes.
 *
 *   fork_test [-w WRITERS] [-r READERS] [-m MESSAGES] [-p keep|truncate]
 *
 * WRITERS processes each put MESSAGES distinct messages (each names its
 * writer and number and carries a filler whose length and letters follow
 * from them) while READERS processes get messages until the writers are
 * done and the box is empty. Readers check every message's content and
 * report it to the parent through a pipe; the parent checks that every
 * message arrived exactly once, intact, and that the box ends empty.
 *
 * With -p the empty box must answer that policy's errno (keep: ENOMSG,
 * truncate: ENODATA); without it either is accepted. Under -p keep the odd
 * readers first try an 8-byte buffer, too small for any message: each
 * such get must fail with EMSGSIZE and leave the message on the stack for
 * the next get (copy before pop), so nothing may be lost.
 *
 * Prints one verdict line and exits 0 on PASS, 1 on any loss, duplicate,
 * corruption, unexpected error or leftover message. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "trapdoor.h"
#include "course.h"

enum { POLICY_ANY, POLICY_KEEP, POLICY_TRUNCATE };

/* What a reader reports per message: writer and number, or an error. */
struct record {
	short writer; /* >= 0: a message; REC_CORRUPT or REC_ERRNO otherwise */
	short value;  /* message number, or the errno */
};
#define REC_CORRUPT (-1)
#define REC_ERRNO   (-2)

struct shared {
	volatile int writers_done; /* writers that have put all they will */
};

static int writers = 8, readers = 6, per_writer = 50, policy = POLICY_ANY;

static int format_message(char *buf, int w, int m)
{
	int n = sprintf(buf, "w%03d m%05d ", w, m);
	int fill = (w * 7 + m) % 23;
	for (int i = 0; i < fill; i++)
		buf[n++] = 'a' + (w + m + i) % 26;
	return n; /* no NUL: the message is exactly these bytes */
}

static int empty_errno_ok(int e)
{
	switch (policy) {
	case POLICY_KEEP: return e == ENOMSG;
	case POLICY_TRUNCATE: return e == ENODATA;
	default: return e == ENOMSG || e == ENODATA;
	}
}

static void writer(int w, struct shared *sh)
{
	char buf[64];
	int failed = 0;
	for (int m = 0; m < per_writer; m++) {
		int n = format_message(buf, w, m);
		while (msgbox_put(buf, n) != 0) {
			if (errno != ENOMEM) { failed++; break; }
			sched_yield(); /* the box is full: let readers drain it */
		}
		if ((w + m) % 5 == 0)
			sched_yield();
	}
	__sync_add_and_fetch(&sh->writers_done, 1);
	_exit(failed ? 1 : 0);
}

static void report(int fd, short writer, short value)
{
	struct record r = {writer, value};
	if (write(fd, &r, sizeof r) != sizeof r)
		_exit(3);
}

static void reader(int id, struct shared *sh, int fd)
{
	char buf[256], want[64];
	int small_first = policy == POLICY_KEEP && id % 2 == 1;
	for (;;) {
		int done = sh->writers_done; /* read before the get, see below */
		long r;
		if (small_first) {
			r = msgbox_get(buf, 8);
			if (r >= 0) {
				report(fd, REC_CORRUPT, (short)r); /* every message is longer */
				continue;
			}
			if (errno != EMSGSIZE && !empty_errno_ok(errno)) {
				report(fd, REC_ERRNO, (short)errno);
				_exit(1);
			}
			if (errno != EMSGSIZE)
				goto empty;
		}
		r = msgbox_get(buf, sizeof buf);
		if (r >= 0) {
			int w, m;
			if (r >= (long)sizeof buf) {
				report(fd, REC_CORRUPT, (short)r); /* longer than any message put */
				continue;
			}
			buf[r] = 0;
			if (r < 12 || sscanf(buf, "w%3d m%5d ", &w, &m) != 2 || w < 0 || w >= writers ||
			    m < 0 || m >= per_writer || format_message(want, w, m) != r || memcmp(want, buf, r)) {
				report(fd, REC_CORRUPT, (short)r);
				continue;
			}
			report(fd, (short)w, (short)m);
			continue;
		}
		if (!empty_errno_ok(errno)) {
			report(fd, REC_ERRNO, (short)errno);
			_exit(1); /* retrying could spin forever (ENOSYS) */
		}
	empty:
		/* Empty, and every writer had finished before this get began:
		 * nothing more will come. */
		if (done == writers)
			_exit(0);
		sched_yield();
	}
}

static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == 0 || *end != 0 || v < lo || v > hi) {
		fprintf(stderr, "fork_test: bad number %s (want %d..%d)\n", s, lo, hi);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "w:r:m:p:")) != -1) {
		switch (opt) {
		case 'w': writers = parse_int(optarg, 1, 500); break;
		case 'r': readers = parse_int(optarg, 1, 500); break;
		case 'm': per_writer = parse_int(optarg, 1, 10000); break;
		case 'p':
			if (strcmp(optarg, "keep") == 0) policy = POLICY_KEEP;
			else if (strcmp(optarg, "truncate") == 0) policy = POLICY_TRUNCATE;
			else { fprintf(stderr, "fork_test: policy must be keep or truncate\n"); return 2; }
			break;
		default:
			fprintf(stderr, "usage: fork_test [-w WRITERS] [-r READERS] [-m MESSAGES] [-p keep|truncate]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IONBF, 0);

	/* Start from an empty box; give up at once on a kernel without one. */
	char buf[256];
	while (msgbox_get(buf, sizeof buf) >= 0)
		;
	if (!empty_errno_ok(errno)) {
		fprintf(stderr, "fork_test: msgbox_get on a box being emptied: %s\n", errname(errno));
		return 2;
	}

	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) { perror("fork_test: mmap"); return 2; }
	int pfd[2];
	if (pipe(pfd) != 0) { perror("fork_test: pipe"); return 2; }

	int nproc = 0, forkfail = 0;
	/* Interleave readers and writers so both start early. */
	for (int i = 0; i < writers || i < readers; i++) {
		if (i < readers) {
			pid_t p = fork();
			if (p == 0) { close(pfd[0]); reader(i, sh, pfd[1]); }
			if (p < 0) forkfail++; else nproc++;
		}
		if (i < writers) {
			pid_t p = fork();
			if (p == 0) { close(pfd[0]); close(pfd[1]); writer(i, sh); }
			if (p < 0) { forkfail++; __sync_add_and_fetch(&sh->writers_done, 1); }
			else nproc++;
		}
	}
	close(pfd[1]);

	/* The readers' reports until every reader has closed the pipe. */
	unsigned char *seen = calloc((size_t)writers * per_writer, 1);
	long delivered = 0, duplicated = 0, corrupt = 0, errors = 0, lost = 0, left = 0;
	struct record rec[128];
	ssize_t n;
	while ((n = read(pfd[0], rec, sizeof rec)) > 0) {
		for (ssize_t i = 0; i < n / (ssize_t)sizeof rec[0]; i++) {
			if (rec[i].writer >= 0) {
				unsigned char *s = &seen[rec[i].writer * per_writer + rec[i].value];
				if (*s)
					duplicated++;
				else
					delivered++;
				*s = 1;
			} else if (rec[i].writer == REC_CORRUPT) {
				corrupt++;
			} else {
				fprintf(stderr, "fork_test: a reader got errno %s\n", errname(rec[i].value));
				errors++;
			}
		}
	}
	int failed_children = 0, status;
	while (nproc > 0 && wait(&status) > 0) {
		nproc--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed_children++;
	}
	while (msgbox_get(buf, sizeof buf) >= 0)
		left++;
	for (long i = 0; i < (long)writers * per_writer; i++)
		if (!seen[i])
			lost++;
	int pass = lost == 0 && duplicated == 0 && corrupt == 0 && errors == 0 && left == 0 &&
		   failed_children == 0 && forkfail == 0;
	printf("fork_test: %d writers x %d messages, %d readers%s%s: delivered %ld, lost %ld, "
	       "duplicated %ld, corrupt %ld, errors %ld, left in box %ld, failed processes %d, "
	       "failed forks %d: %s\n",
	       writers, per_writer, readers, policy == POLICY_ANY ? "" : ", policy ",
	       policy == POLICY_KEEP ? "keep" : policy == POLICY_TRUNCATE ? "truncate" : "",
	       delivered, lost, duplicated, corrupt, errors, left, failed_children, forkfail,
	       pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
