# pipes: pipelines, subshells, command substitution, redirections, and the
# applets echo cat wc sort uniq head tail tr seq expr sed grep awk cut.
set -u
d=/tmp/bbtest.$$
mkdir -p "$d"
cd "$d" || exit 1
seq 1 10 | tr '\n' ' '; echo
seq 20 | sort -rn | head -3 | tr '\n' ','; echo
printf 'pear\napple\npear\nfig\napple\npear\n' > fruit.txt
sort fruit.txt | uniq -c | sort -rn | sed 's/^ *//'
wc -l < fruit.txt
grep -c pear fruit.txt
grep -n '^f' fruit.txt
cut -c1-3 fruit.txt | sort -u | tr '\n' ' '; echo
awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' fruit.txt | sort
seq 1 100 | awk '{ s += $1 } END { print "sum", s }'
echo "expr: $(expr 6 \* 7) $(expr length hello) $(expr 10 / 3)"
echo "nested: $(echo "inner $(echo deepest)")"
count=$(seq 5 | wc -l)
echo "count=$count"
(cd / && pwd)
pwd | sed "s,$d,DIR,"
{ echo one; echo two; } > group.txt
cat group.txt
echo three >> group.txt
tail -n 2 group.txt
echo "to stderr" >&2
echo "both" > out.txt 2>&1
ls /nonexistent 2> err.txt; echo "ls status $?"
[ -s err.txt ] && echo "stderr captured"
exec 3> fd3.txt
echo "via fd 3" >&3
exec 3>&-
cat fd3.txt
x=outer
(x=inner; echo "subshell sees $x")
echo "parent keeps $x"
echo "a b c" | { read p q r; echo "read: $r $q $p"; }
seq 3 | while read n; do echo "line $n"; done
printf 'x\ny\n' | cat - fruit.txt | head -n 3
echo hello | tee tee.txt | tr a-z A-Z
cat tee.txt
yes | head -n 2
seq 1000 | tail -n 1
seq 5 | sed -n '2,4p' | tr '\n' ' '; echo
echo "a:b:c" | awk -F: '{ print $3 $2 $1 }'
true | false; echo "pipeline status $?"
false | true; echo "pipeline status $?"
cd /
rm -rf "$d"
[ -d "$d" ] || echo "cleaned up"
