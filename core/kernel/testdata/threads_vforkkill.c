// A vfork child kills its parent while it still runs on the parent's
// memory, then keeps using that memory (its stack) and execs or exits:
// the address space must outlive the killed parent (it is shared, not
// owned by the parent alone).
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }

int main(int argc, char **argv) {
	if (argc > 1) {
		say("exec'd after the parent died\n");
		return 4;
	}
	setvbuf(stdout, 0, _IONBF, 0);
	for (int round = 0; round < 2; round++) {
		pid_t p = fork();
		if (p == 0) {
			pid_t c = vfork();
			if (c == 0) {
				kill(getppid(), SIGKILL);
				usleep(10000); // the parent dies meanwhile
				char buf[4096]; // the borrowed stack stays usable
				memset(buf, 'x', sizeof buf);
				say(buf[4095] == 'x' ? "child runs on after killing its parent\n" : "bad\n");
				if (round == 0)
					_exit(3);
				execl("/proc/self/exe", "again", "exec", (char *)0);
				_exit(9);
			}
			say("parent survived\n");
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		printf("round %d: parent killed by signal %d\n", round, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		sleep(1); // let the orphan finish
	}
	return 0;
}
