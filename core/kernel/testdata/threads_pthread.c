// Threads as glibc and musl make them (clone with CLONE_THREAD and
// friends): create and join, a mutex-protected counter, condition
// variables, timed waits, thread ids, signals to one thread and to the
// process, exit versus exit_group, fork from a thread. Everything printed
// is independent of the interleaving, so native and emulated runs agree
// under every scheduler seed.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

static pid_t gettid_(void) { return syscall(SYS_gettid); }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int iters = 20000;

static void *adder(void *arg) {
	for (int i = 0; i < iters; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return (void *)((long)arg * 10);
}

// A bounded buffer with two condition variables.
#define CAP 4
static int buf[CAP], head, count, done;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
	int base = (int)(long)arg;
	for (int i = 1; i <= 500; i++) {
		pthread_mutex_lock(&mu);
		while (count == CAP)
			pthread_cond_wait(&notfull, &mu);
		buf[(head + count++) % CAP] = base + i;
		pthread_cond_signal(&notempty);
		pthread_mutex_unlock(&mu);
	}
	return 0;
}

static void *consumer(void *arg) {
	long sum = 0;
	int n = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (count == 0 && done < 2)
			pthread_cond_wait(&notempty, &mu);
		if (count == 0) {
			pthread_mutex_unlock(&mu);
			break;
		}
		sum += buf[head];
		head = (head + 1) % CAP;
		count--;
		n++;
		pthread_cond_signal(&notfull);
		pthread_mutex_unlock(&mu);
	}
	*(long *)arg = sum;
	return (void *)(long)n;
}

struct ids {
	pid_t pid, tid, ppid;
	char name[16], comm[32];
};

static void *ids(void *arg) {
	struct ids *r = arg;
	r->pid = getpid();
	r->tid = gettid_();
	r->ppid = getppid();
	// A thread's own name (prctl PR_SET_NAME), read back two ways.
	pthread_setname_np(pthread_self(), "worker-thread-long");
	pthread_setname_np(pthread_self(), "worker");
	pthread_getname_np(pthread_self(), r->name, sizeof r->name);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", r->tid);
	FILE *f = fopen(path, "r");
	if (f) {
		fgets(r->comm, sizeof r->comm, f);
		fclose(f);
	}
	return 0;
}

static volatile pid_t handled_by;
static volatile int ready;
static void on_usr(int sig) { handled_by = gettid_(); }

static void *waiter(void *arg) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	*(pid_t *)arg = gettid_();
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	while (!handled_by)
		usleep(100); // not pause: the signal may come between the test and the call
	return 0;
}

static pthread_barrier_t bar;

static void *parked(void *arg) {
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	return 0;
}

// Threads: in /proc/self/status and one directory each in /proc/self/task.
static void proc_threads(void) {
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Threads:", 8))
			printf("status %s", line);
	if (f)
		fclose(f);
	int n = 0, self = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			n++;
			self += atoi(e->d_name) == getpid();
		}
	if (d)
		closedir(d);
	printf("task entries %d, the main thread among them %d\n", n, self);
}

static void *spinner(void *arg) {
	for (;;)
		sched_yield();
	return 0;
}

static volatile long *spins;

static void *counting(void *arg) {
	for (;;)
		__atomic_add_fetch(spins, 1, __ATOMIC_SEQ_CST);
	return 0;
}

// A signal-handling thread: sigwait for signals every thread blocks.
static volatile int acks, from_us;
static void *sigwaiter(void *arg) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&s, &si);
		from_us += si.si_pid == getpid();
		__atomic_add_fetch(&acks, 1, __ATOMIC_SEQ_CST);
		if (sig == SIGUSR2)
			return 0;
	}
}

static void *late_exit(void *arg) {
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, 0);
	printf("thread outlived main's exit\n");
	fflush(stdout);
	exit(3);
}

static void *forker(void *arg) {
	pid_t c = fork();
	if (c == 0) {
		// Only the forking thread exists in the child.
		printf("child of a thread: pid is tid %d\n", getpid() == gettid_());
		fflush(stdout);
		_exit(7);
	}
	return (void *)(long)c;
}

static void *execer(void *arg) {
	char pid[16];
	snprintf(pid, sizeof pid, "%d", getpid());
	execl("/proc/self/exe", "threads_pthread", pid, (char *)0);
	return 0;
}

int main(int argc, char **argv) {
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc > 1) {
		// exec'd from a thread: the process keeps its pid and is alone.
		printf("after exec from a thread: same pid %d, tid is pid %d\n", atoi(argv[1]) == getpid(), gettid_() == getpid());
		return 6;
	}
	pthread_t th[8];
	// Create and join, with a shared counter.
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], 0, adder, (void *)i);
	long rets = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		rets += (long)r;
	}
	printf("counter %ld, returns %ld\n", counter, rets);

	// Producers and a consumer with condition variables.
	long sum = 0;
	pthread_create(&th[0], 0, producer, (void *)0);
	pthread_create(&th[1], 0, producer, (void *)1000);
	pthread_create(&th[2], 0, consumer, &sum);
	pthread_join(th[0], 0);
	pthread_join(th[1], 0);
	pthread_mutex_lock(&mu);
	done = 2;
	pthread_cond_broadcast(&notempty);
	pthread_mutex_unlock(&mu);
	void *got;
	pthread_join(th[2], &got);
	printf("consumed %ld items, sum %ld\n", (long)got, sum);

	// A timed wait that times out.
	pthread_mutex_lock(&mu);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_nsec += 30 * 1000 * 1000;
	if (dl.tv_nsec >= 1000000000)
		dl.tv_sec++, dl.tv_nsec -= 1000000000;
	int e = pthread_cond_timedwait(&notempty, &mu, &dl);
	pthread_mutex_unlock(&mu);
	printf("timedwait: %s\n", e == ETIMEDOUT ? "ETIMEDOUT" : strerror(e));

	// Thread ids: same pid and parent, its own tid.
	struct ids r;
	pthread_create(&th[0], 0, ids, &r);
	pthread_join(th[0], 0);
	printf("thread pid same %d, tid differs %d, ppid same %d, main tid is pid %d\n", r.pid == getpid(),
	       r.tid != getpid(), r.ppid == getppid(), gettid_() == getpid());
	printf("thread name %s, comm %s", r.name, r.comm);

	// A signal to one thread (pthread_kill is tgkill) and one to the
	// process, which only the waiting thread does not block.
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	pid_t wtid = 0;
	pthread_create(&th[0], 0, waiter, &wtid);
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		sched_yield();
	kill(getpid(), SIGUSR2);
	pthread_join(th[0], 0);
	printf("process signal handled by the unblocking thread: %d\n", handled_by == wtid);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	handled_by = 0;
	ready = 0;
	pthread_create(&th[0], 0, waiter, &wtid);
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		sched_yield();
	pthread_kill(th[0], SIGUSR1);
	pthread_join(th[0], 0);
	printf("pthread_kill handled by the target: %d\n", handled_by == wtid);
	printf("tgkill to a wrong tgid: %d\n", syscall(SYS_tgkill, getpid() + 1000, gettid_(), 0) == -1 && errno == ESRCH);

	// sigwait in a dedicated thread, the signals blocked everywhere.
	sigset_t both;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &both, 0);
	pthread_create(&th[0], 0, sigwaiter, 0);
	for (int i = 0; i < 3; i++) {
		kill(getpid(), SIGUSR1);
		while (__atomic_load_n(&acks, __ATOMIC_SEQ_CST) <= i)
			sched_yield();
	}
	kill(getpid(), SIGUSR2);
	pthread_join(th[0], 0);
	struct timespec zero = {0, 1000000};
	int tw = sigtimedwait(&both, 0, &zero);
	printf("sigwait thread took %d signals, from us %d; sigtimedwait with nothing pending: %d %s\n", acks, from_us, tw,
	       errno == EAGAIN ? "EAGAIN" : "?");
	pthread_sigmask(SIG_UNBLOCK, &both, 0);

	// A robust process-shared mutex whose owner dies holding it: the
	// kernel walks the dead owner's robust list, the next locker gets
	// EOWNERDEAD.
	pthread_mutex_t *robust = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ra;
	pthread_mutexattr_init(&ra);
	pthread_mutexattr_setrobust(&ra, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(robust, &ra);
	pid_t rc = fork();
	if (rc == 0) {
		pthread_mutex_lock(robust);
		_exit(0);
	}
	waitpid(rc, 0, 0);
	e = pthread_mutex_lock(robust);
	printf("robust mutex after its owner died: %s", e == EOWNERDEAD ? "EOWNERDEAD" : strerror(e));
	if (e == EOWNERDEAD)
		pthread_mutex_consistent(robust);
	pthread_mutex_unlock(robust);
	e = pthread_mutex_lock(robust);
	printf(", then %s\n", e ? strerror(e) : "locked");
	pthread_mutex_unlock(robust);

	// exit_group from main ends a spinning thread; exit of main alone
	// leaves the process running until another thread ends it.
	pid_t c = fork();
	if (c == 0) {
		pthread_create(&th[0], 0, spinner, 0);
		_exit(5);
	}
	int st;
	waitpid(c, &st, 0);
	printf("exit_group with a spinning thread: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
	c = fork();
	if (c == 0) {
		pthread_create(&th[0], 0, late_exit, 0);
		syscall(SYS_exit, 0);
	}
	waitpid(c, &st, 0);
	printf("main thread exit, then exit(3) in a thread: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));

	// SIGSTOP stops every thread (a counting one too); SIGCONT resumes.
	spins = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	c = fork();
	if (c == 0) {
		pthread_create(&th[0], 0, counting, 0);
		pthread_join(th[0], 0);
		_exit(0);
	}
	while (*spins < 1000)
		sched_yield();
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	long before = *spins;
	usleep(20000);
	printf("group stop: stopped by SIGSTOP %d, counting thread still %d\n", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	       *spins == before);
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	while (*spins == before)
		sched_yield();
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("continued %d, then killed by %d\n", 1, WTERMSIG(st));

	// execve from a thread ends the others and takes the leader's pid.
	c = fork();
	if (c == 0) {
		pthread_create(&th[0], 0, execer, 0);
		for (;;)
			pause();
	}
	waitpid(c, &st, 0);
	printf("exec from a thread: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));

	// fork from a thread: the main thread reaps the child.
	pthread_create(&th[0], 0, forker, 0);
	pthread_join(th[0], &got);
	pid_t w = waitpid(-1, &st, 0);
	printf("main reaped the thread's child: %d status %d\n", w == (pid_t)(long)got, WEXITSTATUS(st));

	pthread_barrier_init(&bar, 0, 4);
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], 0, parked, 0);
	pthread_barrier_wait(&bar);
	proc_threads();
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], 0);

	// Many short threads, one after another.
	counter = 0;
	iters = 500;
	for (int round = 0; round < 10; round++) {
		for (long i = 0; i < 8; i++)
			pthread_create(&th[i], 0, adder, (void *)i);
		for (int i = 0; i < 8; i++)
			pthread_join(th[i], 0);
	}
	printf("80 threads: counter %ld\n", counter);
	return 0;
}
