/* hello: the smallest useful program. printf through stdio (buffered, one
 * write at exit for a pipe), puts, and an explicit fflush in between so the
 * output arrives in two writes. */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    printf("%s %d %u %x %c\n", "i386", -42, 42u, 0xbeefu, 'Z');
    fflush(stdout);
    puts("goodbye");
    return 0;
}
