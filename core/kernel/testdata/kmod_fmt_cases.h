/* printf cases shared by a module (the kernel's snprintf) and a native
 * program (the C library's): the outputs must match. */
CASE("%d|%i|%u", -42, -42, 42u)
CASE("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42)
CASE("%x|%X|%#x|%#X|%08x|%#010x", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu)
CASE("%o|%#o|%c%c", 8u, 8u, 'o', 'k')
CASE("%s|%10s|%-10s|%.3s|%.*s", "abc", "abc", "abc", "abcdef", 2, "xyz")
CASE("%ld|%lu|%lx|%lld|%llu|%llx", -7L, 7UL, 255UL, -1234567890123LL, 1234567890123ULL, 0x123456789abULL)
CASE("%zu|%zd|%hhd|%hd", (size_t)9, (ssize_t)-9, 300, 70000)
CASE("%.5d|%8.3d|%-8.3d|%%|%s", 42, 7, 7, "end")
CASE("%hhu|%hx|%hhx", 300, 70000, -1)
CASE("%s", (char *)0)
