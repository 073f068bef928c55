/* sh_launcher: a tiny script runner. Reads its whole stdin first, then runs
 * one command per line: `PROG ARGS...` (split on spaces; no quoting) runs
 * $BIN/PROG with fork+execve and prints its status; a trailing `&` runs it in
 * the background; `wait` waits for the background jobs in the order they
 * were started and prints their statuses; `#` starts a comment line.
 * BIN comes from the environment (default /bin) and is removed from the
 * environment the children get, so they see exactly what the launcher got
 * minus BIN. Children inherit stdin at EOF (the launcher has read it all),
 * stdout and stderr. Exit status: the number of commands that did not exit 0
 * (crashes included), or 100 on a launcher error. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int nonzero;

static void report(const char *tag, const char *name, int st)
{
    if (WIFEXITED(st)) printf("%s%s: exit %d\n", tag, name, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s%s: signal %d\n", tag, name, WTERMSIG(st));
    else printf("%s%s: status 0x%x\n", tag, name, st);
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) nonzero++;
    fflush(stdout);
}

int main(void)
{
    const char *bin = getenv("BIN");
    char bindir[4096];
    snprintf(bindir, sizeof bindir, "%s", bin && *bin ? bin : "/bin");
    unsetenv("BIN");

    static char script[65536];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof script - 1 && (r = read(0, script + len, sizeof script - 1 - len)) > 0) len += r;
    script[len] = 0;

    pid_t jobs[64];
    char *jobname[64];
    int njobs = 0;
    for (char *line = strtok(script, "\n"); line; line = strtok(NULL, "\n")) {
        char *argv[64];
        int argc = 0;
        char *save;
        for (char *w = strtok_r(line, " \t", &save); w && argc < 63; w = strtok_r(NULL, " \t", &save)) argv[argc++] = w;
        argv[argc] = NULL;
        if (argc == 0 || argv[0][0] == '#') continue;
        if (strcmp(argv[0], "wait") == 0) {
            for (int i = 0; i < njobs; i++) {
                int st;
                if (waitpid(jobs[i], &st, 0) == jobs[i]) report("[bg] ", jobname[i], st);
            }
            njobs = 0;
            continue;
        }
        int bg = strcmp(argv[argc - 1], "&") == 0;
        if (bg) argv[--argc] = NULL;
        if (argc == 0) continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", bindir, argv[0]);
        printf("$ ");
        for (int i = 0; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "");
        printf("%s\n", bg ? " &" : "");
        fflush(stdout);
        pid_t p = fork();
        if (p < 0) { printf("fork failed: %s\n", strerror(errno)); return 100; }
        if (p == 0) {
            execve(path, argv, environ);
            _exit(errno == ENOENT ? 127 : 126);
        }
        if (bg) {
            if (njobs < 64) { jobs[njobs] = p; jobname[njobs++] = argv[0]; }
        } else {
            int st;
            waitpid(p, &st, 0);
            report("", argv[0], st);
        }
    }
    for (int i = 0; i < njobs; i++) {
        int st;
        if (waitpid(jobs[i], &st, 0) == jobs[i]) report("[bg] ", jobname[i], st);
    }
    printf("launcher: %d nonzero\n", nonzero);
    return nonzero;
}
