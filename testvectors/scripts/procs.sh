# procs: background jobs, wait, exit statuses, kill, traps, subshell trees.
set -u
sleep 0.05 &
p1=$!
(exit 7) &
p2=$!
wait $p1; echo "sleep: $?"
wait $p2; echo "bg exit: $?"
( echo "sub A"; ( echo "sub B"; ( echo "sub C" ) ) )
for i in 1 2 3 4 5; do (exit $i) & done
wait
echo "all waited"
sh -c 'exit 9'; echo "sh -c: $?"
sh -c 'kill -TERM $$'; echo "killed: $?"
sh -c 'echo "child shell, arg $1"' sh one
trap 'echo "trap USR1"' USR1
kill -USR1 $$
trap - USR1
trap 'echo "exit trap"' EXIT
r=$( (echo out; echo err >&2) 2>&1 | sort | tr '\n' ' ')
echo "merged: $r"
n=0
for i in $(seq 1 20); do
    ( : ) &
    n=$((n + 1))
done
wait
echo "spawned $n"
result=$(for i in 3 1 2; do echo $i & wait; done | sort | tr -d '\n')
echo "ordered: $result"
exit 4
