#!/bin/bash
# strace.sh LIBC/NAME OUTFILE
# Records the syscalls of bin/LIBC/NAME: `strace -f -qq`, run with the fixed
# environment (expected/environ), stdin /dev/null and stdout a pipe (as a
# harness capturing output would see it), address randomization off
# (setarch -R) so pointer values are stable. Keeps syscall lines only, drops
# strace's own pid prefix and the initial execve (made by strace, not by the
# program). Values such as the pid, getrandom bytes and the readlink path of
# /proc/self/exe depend on the machine and run; compare syscall names/order.
set -eu
t=$1 out=$2
mapfile -t envv < expected/environ
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
env -i "${envv[@]}" setarch -R strace -f -qq -o "$tmp" "bin/$t" < /dev/null | cat > /dev/null
sed -E 's/^[0-9]+ +//' "$tmp" | grep -E '^[a-z_0-9]+\(' | grep -v '^execve(' > "$out"
