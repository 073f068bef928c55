#!/bin/bash
# run.sh LIBC NAME OUTDIR [qemu]
#
# Runs bin/LIBC/NAME exactly the way the Go test harness is expected to, and
# writes OUTDIR/NAME.stdout, NAME.stderr and NAME.status:
#   argv     : the lines of src/NAME.args (argv[0] first) if that file exists,
#              otherwise the single argument NAME (the bare program name).
#   environ  : exactly the lines of expected/environ, in order, nothing else.
#   stdin    : src/NAME.stdin if it exists, otherwise /dev/null (empty).
#   native-only environment: the lines of src/NAME.native-env, if it exists,
#              are appended, with @BIN@ replaced by the absolute path of
#              bin/LIBC (sh_launcher's BIN). The emulator harness does NOT add
#              them: under the emulator the defaults (BIN=/bin) apply.
#   status   : exit status, or 128+N when killed by signal N.
# With a fourth argument "qemu" the program runs under qemu-i386 instead (for
# comparing; never used to record expected results).
# Must be run from the testvectors directory.
set -u
libc=$1 name=$2 out=$3 mode=${4:-native}
bin=bin/$libc/$name
src=src/${name%-pie}          # hello-pie takes hello's inputs (it has none)
[ -f "$bin" ] || { echo "run.sh: no $bin" >&2; exit 1; }

if [ -f "$src.args" ]; then
    mapfile -t argv < "$src.args"
else
    argv=("$name")
fi
stdin=/dev/null
[ -f "$src.stdin" ] && stdin=$src.stdin
mapfile -t envv < expected/environ
if [ -f "$src.native-env" ]; then
    while IFS= read -r l; do envv+=("${l//@BIN@/$PWD/bin/$libc}"); done < "$src.native-env"
fi

ulimit -c 0
if [ "$mode" = qemu ]; then
    env -i "${envv[@]}" qemu-i386 -0 "${argv[0]}" "$bin" "${argv[@]:1}" \
        < "$stdin" > "$out/$name.stdout" 2> "$out/$name.stderr"
else
    # perl (perl-base is Essential in Debian) does a bare execve with our argv[0].
    env -i "${envv[@]}" perl -e 'my $p = shift; exec {$p} @ARGV or die "exec $p: $!\n"' \
        "$bin" "${argv[@]}" < "$stdin" > "$out/$name.stdout" 2> "$out/$name.stderr"
fi
echo $? > "$out/$name.status"
