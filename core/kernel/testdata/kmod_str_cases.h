/* String and memory cases run by the kernel's API (kmod_str.c) and by
 * the C library (kmod_str_user.c built natively): the outputs must
 * match. Only signs of comparisons are printed (their magnitude is not
 * specified). */
#define SIGN(x) (((x) > 0) - ((x) < 0))

static int run_cases(char *out, size_t size)
{
	char a[32], b[32];
	int n = 0;
#define P(...) n += snprintf(out + n, size - n, __VA_ARGS__)
	memset(a, 'x', sizeof a);
	a[31] = 0;
	P("memset %s\n", a);
	strcpy(a, "hello");
	strcpy(b, "help");
	P("strcmp %d %d %d\n", SIGN(strcmp(a, b)), SIGN(strcmp(b, a)), strcmp(a, a));
	P("strncmp %d %d %d\n", strncmp(a, b, 3), SIGN(strncmp(a, b, 4)), strncmp("ab", "ab\0x", 4));
	P("strlen %d strnlen %d %d\n", (int)strlen(a), (int)strnlen(a, 3), (int)strnlen(a, 10));
	memcpy(b, "0123456789", 11);
	memmove(b + 2, b, 5);
	P("memmove up %s\n", b);
	memcpy(b, "0123456789", 11);
	memmove(b, b + 3, 5);
	P("memmove down %s\n", b);
	P("memcmp %d %d %d\n", SIGN(memcmp("abc", "abd", 3)), memcmp("abc", "abc", 3), SIGN(memcmp("\xff", "\x01", 1)));
	strcpy(a, "ab");
	strcat(a, "cd");
	P("strcat %s\n", a);
	P("strchr %s strrchr %s end %d\n", strchr("a/b/c", '/'), strrchr("a/b/c", '/'), *strchr("abc", '\0'));
	P("strchr none %d strstr %s none %d\n", strchr("abc", 'z') == NULL, strstr("hello world", "o w"), strstr("abc", "x") == NULL);
	memset(b, 'z', sizeof b);
	strncpy(b, "ab", 5);
	P("strncpy %d %d %d %c\n", b[2], b[3], b[4], b[5]);
	return n;
#undef P
}
