#!/bin/bash
# run-script.sh NAME OUTDIR [qemu]
#
# Runs scripts/NAME.sh with the static busybox (bin/thirdparty/busybox) the
# way the harness is expected to, and writes OUTDIR/NAME.stdout, NAME.stderr
# and NAME.status:
#   executable: bin/thirdparty/busybox (in the guest: /bin/busybox, /bin/sh)
#   argv      : sh scripts/NAME.sh  (in the guest: sh /scripts/NAME.sh; the
#               scripts never print $0, so the path does not matter)
#   environ   : exactly the lines of expected/environ (no PATH: busybox sh
#               then uses its default /sbin:/usr/sbin:/bin:/usr/bin, and this
#               busybox prefers its own applets for every command name, so
#               host tools are never run)
#   stdin     : /dev/null;   status: exit status or 128+N
# Must be run from the testvectors directory.
set -u
name=$1 out=$2 mode=${3:-native}
bb=bin/thirdparty/busybox
mapfile -t envv < expected/environ
ulimit -c 0
if [ "$mode" = qemu ]; then
    env -i "${envv[@]}" qemu-i386 -0 sh "$bb" "scripts/$name.sh" \
        < /dev/null > "$out/$name.stdout" 2> "$out/$name.stderr"
else
    env -i "${envv[@]}" perl -e 'my $p = shift; exec {$p} @ARGV or die "exec $p: $!\n"' \
        "$bb" sh "scripts/$name.sh" < /dev/null > "$out/$name.stdout" 2> "$out/$name.stderr"
fi
echo $? > "$out/$name.status"
