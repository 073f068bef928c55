/* bench_matrix: CPU-bound integer matrix multiply (naive i-k-j order) of
 * 300x300 matrices, repeated with the product fed back; prints a checksum. */
#include <stdio.h>
#include <stdint.h>

#define N 300
static int32_t A[N][N], B[N][N], C[N][N];

int main(void)
{
    uint32_t s = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            s = s * 1664525u + 1013904223u;
            A[i][j] = (int32_t)(s >> 20) - 2048;
            s = s * 1664525u + 1013904223u;
            B[i][j] = (int32_t)(s >> 22) - 512;
        }
    uint32_t sum = 0;
    for (int rep = 0; rep < 20; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                C[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                int32_t a = A[i][k];
                for (int j = 0; j < N; j++)
                    C[i][j] += a * B[k][j];
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                sum = sum * 33 + (uint32_t)C[i][j];
                A[i][j] = (C[i][j] >> 12) ^ (i - j);   /* feed back, keep magnitudes small */
                A[i][j] = A[i][j] % 4096;
            }
        printf("rep %2d C[0][0]=%d C[%d][%d]=%d sum=%08x\n", rep, C[0][0], N - 1, N - 1,
               C[N - 1][N - 1], sum);
    }
    return 0;
}
