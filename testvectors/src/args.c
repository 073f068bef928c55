/* args: process start. Prints argc, every argv string, the whole environment
 * (it is run with a fixed, tiny environment) and a few getenv() look-ups,
 * then a few auxiliary-vector values that are the same on every Linux/i386
 * (page size, phent, secure, clock ticks) and checks the stack alignment and
 * the layout of argv/envp around the initial stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    int i;

    printf("argc=%d\n", argc);
    for (i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\" len=%u\n", i, argv[i], (unsigned)strlen(argv[i]));
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "not NULL");
    printf("envp==argv+argc+1: %s\n", envp == argv + argc + 1 ? "yes" : "no");
    printf("environ==envp: %s\n", environ == envp ? "yes" : "no");
    for (i = 0; envp[i] != NULL; i++)
        printf("envp[%d]=\"%s\"\n", i, envp[i]);
    printf("envc=%d\n", i);

    static const char *names[] = { "A", "B", "HOME", "PATH", "EMPTY", NULL };
    for (i = 0; names[i] != NULL; i++) {
        const char *v = getenv(names[i]);
        printf("getenv(%s)=%s%s%s\n", names[i], v ? "\"" : "", v ? v : "(unset)",
               v ? "\"" : "");
    }

    /* argv strings are contiguous, NUL-separated, and envp strings follow. */
    int contiguous = 1;
    for (i = 0; i + 1 < argc; i++)
        if (argv[i] + strlen(argv[i]) + 1 != argv[i + 1])
            contiguous = 0;
    printf("argv strings contiguous: %s\n", contiguous ? "yes" : "no");
    if (envp[0] != NULL)
        printf("env strings follow argv strings: %s\n",
               argv[argc - 1] + strlen(argv[argc - 1]) + 1 == envp[0] ? "yes" : "no");

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    printf("AT_RANDOM present: %s\n", getauxval(AT_RANDOM) != 0 ? "yes" : "no");
    printf("AT_PHDR present: %s\n", getauxval(AT_PHDR) != 0 ? "yes" : "no");
    printf("AT_ENTRY present: %s\n", getauxval(AT_ENTRY) != 0 ? "yes" : "no");
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN present: %s\n", execfn != NULL && execfn[0] != 0 ? "yes" : "no");
    return argc;
}
