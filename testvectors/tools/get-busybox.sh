#!/bin/sh
# get-busybox.sh DEST OUT: fetch Debian's busybox-static:i386 package, unpack it
# with dpkg -x into DEST (default .cache/busybox) and copy the static binary
# to OUT (default bin/thirdparty/busybox). Records the package file name in
# DEST/PACKAGES. Needs the i386 architecture in dpkg (added here if missing).
set -eu
DEST=${1:-.cache/busybox}
OUT=${2:-bin/thirdparty/busybox}
if [ ! -f "$DEST/bin/busybox" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        dpkg --add-architecture i386
        apt-get update
    fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    ( cd "$tmp" && { apt-get download busybox-static:i386 ||
                     { apt-get update && apt-get download busybox-static:i386; }; } )
    mkdir -p "$DEST"
    dpkg -x "$tmp"/*.deb "$DEST"
    ls "$tmp"/*.deb | sed 's,.*/,,' > "$DEST/PACKAGES"
fi
file "$DEST/bin/busybox" | grep -q 'ELF 32-bit LSB executable, Intel 80386.*statically linked' ||
    { echo "get-busybox: $DEST/bin/busybox is not a static i386 executable" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
cp "$DEST/bin/busybox" "$OUT"
chmod 755 "$OUT"
