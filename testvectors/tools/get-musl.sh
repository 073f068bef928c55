#!/bin/sh
# Fetch the Debian musl i386 packages and unpack them into DEST (default .cache/musl).
# Needs: dpkg with the i386 architecture added (done here if missing), apt-get.
set -eu
DEST=${1:-.cache/musl}
if [ -f "$DEST/usr/lib/i386-linux-musl/libc.a" ]; then
    exit 0
fi
# apt-get update fails as a whole when any one index is caught mid-sync
# (seen: bookworm-security's i386 list), though the lists that musl comes
# from arrived; so an update's status is not trusted, the download is, and
# it is retried after a pause for the mirror.
update() { apt-get update || echo "get-musl: apt-get update reported an error; trying the download anyway" >&2; }
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    update
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
download() { ( cd "$tmp" && apt-get download musl-dev:i386 musl:i386 ); }
download || { update; download; } || { sleep 20; update; download; }
mkdir -p "$DEST"
for deb in "$tmp"/*.deb; do
    dpkg -x "$deb" "$DEST"
done
ls "$tmp"/*.deb | sed 's,.*/,,' > "$DEST/PACKAGES"
test -f "$DEST/usr/lib/i386-linux-musl/libc.a"
