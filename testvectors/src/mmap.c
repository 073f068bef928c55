/* mmap: mmap/munmap/mprotect/mremap behaviour checked by access, never by
 * printing addresses or /proc/self/maps: a SIGSEGV handler with siglongjmp
 * reports whether each probe faulted and with which si_code. Exit 0 when
 * every check passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/syscall.h>

#define PG 4096
static int fails;
static sigjmp_buf jb;
static volatile int f_code;
static void *volatile f_addr;
static void on_segv(int s, siginfo_t *si, void *uc)
{
    (void)s; (void)uc;
    f_code = si->si_code;
    f_addr = si->si_addr;
    siglongjmp(jb, 1);
}
/* probe: returns "ok", "MAPERR" or "ACCERR" (and checks si_addr) */
static const char *probe(volatile char *p, int write)
{
    f_code = 0;
    if (sigsetjmp(jb, 1) == 0) {
        if (write) *p = 'w'; else (void)*p;
        return "ok";
    }
    if (f_addr != (void *)p) { fails++; return "BADADDR"; }
    return f_code == SEGV_MAPERR ? "MAPERR" : f_code == SEGV_ACCERR ? "ACCERR" : "other";
}
static void show(const char *what, char *base, int npages, int write)
{
    printf("%-34s", what);
    for (int i = 0; i < npages; i++) printf(" %s", probe(base + i * PG + 1, write));
    printf("\n");
}
static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) fails++;
}
static const char *ename(int e)
{
    switch (e) { case 0: return "0"; case EINVAL: return "EINVAL"; case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES"; case EBADF: return "EBADF"; default: return "other"; }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    /* 8 pages; a guard: reserve 10 and unmap the first and last */
    char *r = mmap(NULL, 10 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *m = r + PG;
    munmap(r, PG);
    munmap(r + 9 * PG, PG);
    check(mmap(m, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == m,
          "MAP_FIXED over PROT_NONE reservation");
    int zero = 1;
    for (int i = 0; i < 8 * PG; i++) if (m[i]) zero = 0;
    check(zero, "anonymous pages read as zero");
    for (int i = 0; i < 8; i++) memset(m + i * PG, 'a' + i, PG);
    show("8 pages rw, write:", m - PG, 10, 1);

    /* split: unmap pages 2 and 5 */
    munmap(m + 2 * PG, PG);
    munmap(m + 5 * PG, PG);
    show("unmap 2 and 5, read:", m, 8, 0);
    /* mprotect a middle page read-only, another PROT_NONE */
    check(mprotect(m + 3 * PG, PG, PROT_READ) == 0, "mprotect page 3 read-only");
    check(mprotect(m + 4 * PG, PG, PROT_NONE) == 0, "mprotect page 4 PROT_NONE");
    show("read:", m, 8, 0);
    show("write:", m, 8, 1);
    printf("page 3 content kept: %c, page 6: %c\n", m[3 * PG + 100], m[6 * PG + 100]);
    /* mprotect over a hole fails with ENOMEM but protects what precedes it? */
    errno = 0;
    int rc = mprotect(m + 1 * PG, 3 * PG, PROT_READ | PROT_WRITE);
    printf("mprotect over unmapped page: %d %s\n", rc, ename(errno));
    /* merge back: map the holes again with MAP_FIXED, all rw */
    mmap(m + 2 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mmap(m + 5 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check(mprotect(m, 8 * PG, PROT_READ | PROT_WRITE) == 0, "mprotect whole range rw again");
    show("after refill, write:", m, 8, 1);
    printf("contents:");
    for (int i = 0; i < 8; i++) printf(" %c", m[i * PG + 5] ? m[i * PG + 5] : '0');
    printf("\n");
    /* MAP_FIXED replacement discards old contents */
    m[7 * PG + 9] = 'q';
    mmap(m + 6 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("after MAP_FIXED replace: %d %d\n", m[6 * PG + 9], m[7 * PG + 9]);

    /* mremap grow in place / move; contents kept */
    for (int i = 0; i < 8 * PG; i++) m[i] = (char)(i * 7);
    char *g = mremap(m, 8 * PG, 64 * PG, MREMAP_MAYMOVE);
    int same = g != MAP_FAILED;
    for (int i = 0; same && i < 8 * PG; i++) if (g[i] != (char)(i * 7)) same = 0;
    check(same, "mremap grow keeps contents");
    int z = 1;
    for (int i = 8 * PG; i < 64 * PG; i++) if (g[i]) z = 0;
    check(z, "mremap grown part is zero");
    g[64 * PG - 1] = 1;
    show("grown last page, write:", g + 63 * PG, 1, 1);
    /* shrink */
    char *s = mremap(g, 64 * PG, 4 * PG, 0);
    check(s == g, "mremap shrink in place");
    show("after shrink, read pages 3..5:", g + 3 * PG, 3, 0);
    /* forced move */
    char *dst = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *mv = mremap(g, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    check(mv == dst, "mremap MREMAP_FIXED moves to target");
    same = 1;
    for (int i = 0; i < 4 * PG; i++) if (mv[i] != (char)(i * 7)) same = 0;
    check(same, "moved contents kept");
    show("old place after move, read:", g, 1, 0);
    /* grow without MREMAP_MAYMOVE into a mapped neighbour: ENOMEM */
    munmap(mv + 2 * PG, 2 * PG);
    errno = 0;
    void *bad = mremap(mv, 2 * PG, 3 * PG, 0);   /* page 2 is free: fits */
    printf("mremap grow in place into free page: %s\n", bad == mv ? "in place" : "failed");
    mmap(mv + 3 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    errno = 0;
    bad = mremap(mv, 3 * PG, 4 * PG, 0);           /* page 3 is taken */
    printf("mremap grow without MAYMOVE into a mapping: %s %s\n", bad == MAP_FAILED ? "MAP_FAILED" : "ok", ename(errno));
    munmap(mv, 4 * PG);

    /* error paths */
    errno = 0; void *e1 = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap len 0: %s %s\n", e1 == MAP_FAILED ? "MAP_FAILED" : "ok", ename(errno));
    errno = 0; void *e2 = mmap((void *)(PG + 1), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap MAP_FIXED unaligned: %s %s\n", e2 == MAP_FAILED ? "MAP_FAILED" : "ok", ename(errno));
    errno = 0; void *e3 = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0);
    printf("mmap bad fd: %s %s\n", e3 == MAP_FAILED ? "MAP_FAILED" : "ok", ename(errno));
    errno = 0; void *e4 = mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);
    printf("mmap neither private nor shared: %s %s\n", e4 == MAP_FAILED ? "MAP_FAILED" : "ok", ename(errno));
    errno = 0; int e5 = munmap((void *)(PG + 3), PG);
    printf("munmap unaligned: %d %s\n", e5, ename(errno));
    errno = 0; int e6 = munmap(dst + 100 * PG, PG);
    printf("munmap of unmapped range: %d %s\n", e6, ename(errno));
    errno = 0; int e7 = mprotect((void *)(PG + 3), PG, PROT_READ);
    printf("mprotect unaligned: %d %s\n", e7, ename(errno));

    /* program break */
    /* raw brk syscall (musl's sbrk only supports sbrk(0)) */
    char *b0 = (char *)syscall(SYS_brk, 0);
    char *b1 = (char *)syscall(SYS_brk, b0 + 3 * PG);
    check(b1 == b0 + 3 * PG, "brk grows");
    memset(b0, 'h', 3 * PG);
    check((char *)syscall(SYS_brk, b0) == b0, "brk shrinks back");
    show("above shrunk break, read:", (char *)(((unsigned long)b0 + 2 * PG) & ~(PG - 1UL)), 1, 0);

    printf("mmap: %s\n", fails ? "FAILED" : "all ok");
    return fails ? 1 : 0;
}
