/* ls: a small ls for the NCTU HW4 strace exercise (`strace ls`): lists
 * directories with getdents64 (readdir) and, with -l, lstat's each
 * entry. Names sorted bytewise, as `LC_ALL=C ls`.
 *
 *   ls [-a] [-l] [PATH...]     (default .)
 *
 * -a includes names starting with '.'; -l prints "MODE LINKS UID GID
 * SIZE NAME" with numeric ids and no time (as `ls -n` without the date),
 * "-> TARGET" for symbolic links and "MAJOR, MINOR" instead of the size
 * for devices. Several paths: each directory under a "PATH:" heading.
 * Status 0, or 2 if a path could not be listed (the error on stderr). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int all, lng, status;

static void mode_string(mode_t m, char *s)
{
	const char *types = "?pc?d?b?-?l?s???";
	s[0] = types[(m >> 12) & 15];
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		s[1 + i] = m & (0400 >> i) ? rwx[i] : '-';
	if (m & S_ISUID) s[3] = m & S_IXUSR ? 's' : 'S';
	if (m & S_ISGID) s[6] = m & S_IXGRP ? 's' : 'S';
	if (m & S_ISVTX) s[9] = m & S_IXOTH ? 't' : 'T';
	s[10] = 0;
}

static void entry(const char *path, const char *name)
{
	if (!lng) {
		printf("%s\n", name);
		return;
	}
	struct stat st;
	if (lstat(path, &st) != 0) {
		fprintf(stderr, "ls: cannot access '%s': ", path);
		perror(NULL);
		status = 2;
		return;
	}
	char mode[11];
	mode_string(st.st_mode, mode);
	printf("%s %lu %u %u ", mode, (unsigned long)st.st_nlink, (unsigned)st.st_uid, (unsigned)st.st_gid);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		printf("%u, %u", major(st.st_rdev), minor(st.st_rdev));
	else
		printf("%lld", (long long)st.st_size);
	printf(" %s", name);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = 0;
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

static int bytewise(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "ls: cannot open directory '%s': ", dir);
		perror(NULL);
		status = 2;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && !all)
			continue;
		if (n == cap)
			names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, bytewise);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		entry(path, names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "al")) != -1) {
		if (opt == 'a') all = 1;
		else if (opt == 'l') lng = 1;
		else {
			fprintf(stderr, "usage: ls [-a] [-l] [PATH...]\n");
			return 2;
		}
	}
	int npaths = argc - optind;
	if (npaths == 0) {
		list(".");
		return status;
	}
	/* Files first, then directories, as ls does. */
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "ls: cannot access '%s': ", argv[i]);
			perror(NULL);
			status = 2;
		} else if (!S_ISDIR(st.st_mode)) {
			entry(argv[i], argv[i]);
		}
	}
	int first = 1;
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (npaths > 1)
			printf("%s%s:\n", first ? "" : "\n", argv[i]);
		first = 0;
		list(argv[i]);
	}
	return status;
}
