/* exitcode: writes to stderr and stdout, then exits with status 42 through
 * exit() (so stdio buffers are flushed by atexit handling). */
#include <stdio.h>
#include <stdlib.h>

static void bye(void)
{
    printf("atexit handler ran\n");
}

int main(void)
{
    atexit(bye);
    fprintf(stderr, "this goes to stderr\n");
    printf("this goes to stdout\n");
    exit(42);
}
