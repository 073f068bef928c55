/* stdin_wc: reads all of stdin with read(2) in odd-sized chunks until read()
 * has returned 0 (EOF) twice, counts bytes, lines and words, prints a
 * checksum, then prints each line reversed with its number. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];

int main(void)
{
    size_t len = 0;
    ssize_t n;
    int eofs = 0;

    for (;;) {
        size_t want = 7 + len % 13;            /* odd chunk sizes */
        if (len + want > sizeof buf)
            want = sizeof buf - len;
        if (want == 0)
            break;
        n = read(0, buf + len, want);
        if (n < 0) {
            printf("read error\n");
            return 1;
        }
        if (n == 0) {
            if (++eofs == 2)
                break;
            continue;
        }
        len += (size_t)n;
    }

    unsigned lines = 0, words = 0, sum = 0;
    int inword = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        sum = sum * 31 + c;
        if (c == '\n')
            lines++;
        if (c == ' ' || c == '\n' || c == '\t') {
            inword = 0;
        } else if (!inword) {
            inword = 1;
            words++;
        }
    }
    printf("bytes=%u lines=%u words=%u sum=%08x\n", (unsigned)len, lines, words, sum);

    size_t start = 0;
    unsigned lineno = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\n') {
            if (i == len && start == len)
                break;
            printf("%3u: ", ++lineno);
            for (size_t j = i; j > start; j--)
                putchar(buf[j - 1]);
            putchar('\n');
            start = i + 1;
        }
    }
    return 0;
}
