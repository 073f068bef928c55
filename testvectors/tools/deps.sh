#!/bin/sh
# Installs what the testvectors Makefile needs on Debian 12, if missing:
# gcc-multilib (gcc -m32, glibc i386 static libs), strace, make, file (used by
# get-busybox.sh to check the binary), perl (perl-base is
# Essential anyway). qemu-user is optional (only for `make qemu-check`).
set -eu
need=""
for p in gcc-multilib strace make file; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ "${WITH_QEMU:-0}" = 1 ]; then
    dpkg -s qemu-user >/dev/null 2>&1 || need="$need qemu-user"
fi
if [ -n "$need" ]; then
    echo "installing:$need" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
fi
