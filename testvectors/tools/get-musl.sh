#!/bin/sh
# Fetch the Debian musl i386 packages and unpack them into DEST (default .cache/musl).
# Needs: dpkg with the i386 architecture added (done here if missing), apt-get.
set -eu
DEST=${1:-.cache/musl}
if [ -f "$DEST/usr/lib/i386-linux-musl/libc.a" ]; then
    exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    apt-get update
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && { apt-get download musl-dev:i386 musl:i386 ||
                 { apt-get update && apt-get download musl-dev:i386 musl:i386; }; } )
mkdir -p "$DEST"
for deb in "$tmp"/*.deb; do
    dpkg -x "$deb" "$DEST"
done
ls "$tmp"/*.deb | sed 's,.*/,,' > "$DEST/PACKAGES"
test -f "$DEST/usr/lib/i386-linux-musl/libc.a"
