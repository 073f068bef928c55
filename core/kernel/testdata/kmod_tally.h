/* kmod_tally.h: counting the messages "W:I" that WRITERS writers send,
 * PER each, in seen[WRITERS * PER + 1] (shared memory; the last slot
 * counts garbled messages). Define WRITERS and PER before including. */
#include <stdio.h>

/* tally counts one message received. */
static void tally(int *seen, const char *m)
{
	int w, i;
	if (sscanf(m, "%d:%d", &w, &i) == 2 && w >= 0 && w < WRITERS && i >= 0 && i < PER)
		__sync_fetch_and_add(&seen[w * PER + i], 1);
	else
		__sync_fetch_and_add(&seen[WRITERS * PER], 1);
}

/* count_seen sorts the messages sent: received once, lost, duplicated. */
static void count_seen(const int *seen, int *once, int *lost, int *dup)
{
	*once = *lost = *dup = 0;
	for (int i = 0; i < WRITERS * PER; i++) {
		if (seen[i] == 1)
			(*once)++;
		else if (seen[i] == 0)
			(*lost)++;
		else
			(*dup)++;
	}
}
