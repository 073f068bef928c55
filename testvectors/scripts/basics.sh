# basics: variables, loops, functions, test, arithmetic, case, here-documents
# (busybox ash). Never prints $0, pids or times.
set -u
x=3
y=$((x * 7 + 2))
echo "arith: $y $((y % 5)) $((1 << 10)) $(( (y > 20) && (x != 3) ))"
i=0
while [ $i -lt 5 ]; do
    i=$((i + 1))
    [ $((i % 2)) -eq 0 ] && continue
    printf 'odd %d\n' "$i"
done
for w in alpha "beta gamma" delta; do echo "word: $w"; done
n=0
until [ $n -ge 3 ]; do n=$((n + 1)); done
echo "until: $n"
fact() {
    if [ "$1" -le 1 ]; then echo 1; return; fi
    local sub
    sub=$(fact $(($1 - 1)))
    echo $(($1 * sub))
}
echo "fact 10 = $(fact 10)"
greet() { echo "hello, ${1:-nobody} (${#} args)"; return 3; }
greet world two
echo "status $?"
greet
for v in 5 12 abc ""; do
    case "$v" in
        [0-9]) echo "$v: one digit" ;;
        [0-9]*) echo "$v: number" ;;
        "") echo "empty" ;;
        *) echo "$v: other" ;;
    esac
done
if test -z ""; then echo "test -z ok"; fi
if [ "abc" = "abc" ] && [ ! "a" = "b" ] || false; then echo "and/or ok"; fi
[ 10 -gt 9 ] && echo "10 > 9"
[ -d / ] && echo "/ is a dir"
[ -e /nonexistent ] || echo "/nonexistent missing"
s="Hello, World"
echo "length ${#s}, prefix-strip ${s#Hello, }, suffix-strip ${s%, World}, default ${unset_var:-dflt}"
cat <<END
here-doc with expansion: x=$x y=$y
  indented line kept
END
cat <<'END'
quoted here-doc: $x is not expanded
END
cat <<-END
	tab-stripped here-doc
	END
set -- a b c
echo "positional: $# $1 $3 $*"
shift
echo "after shift: $# $@"
false
echo "false status: $?"
(exit 42)
echo "subshell exit: $?"
echo "done"
