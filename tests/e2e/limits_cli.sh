#!/bin/sh
# End to end: the memory budget (--max-memory, models/limits.h).  The
# baseline with one app core at 20 times its capacity and nothing that
# would bound what is in flight (no time-out, no connection limit), for an
# hour under a 2 MiB budget: the run completes with the SLO verdict (exit 1),
# the text report has the WARNING line and the memory_limit error, the JSON
# has dropped_memory_limit and a warning, and memory is flat: the peak RSS
# of the hour is within 25% of the peak of 5 minutes, while 5 minutes
# without the budget already need more (ratios, so that it holds under the
# sanitizers too).  A normal run says nothing of it.  Bad --max-memory values: one message,
# exit 2.  Run from the repository root; TIERSIM names the binary.  Ends with
# "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_lim.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
ko() { echo "limits_cli: $1" >&2; failed=$((failed + 1)); }

# One app core (about 80 requests/s), 1600/s offered, nobody gives up and
# nothing refuses a connection: without a budget, requests pile up.
OVER="scenarios/baseline.yaml --set workload.schedule=[] --set app.nodes=1 --set app.cores=1
      --set workload.timeout=0 --set workload.rate=1600/s --set window=1m --replications 1 -j 1
      --set lb.timeout_queue=0 --set lb.timeout_server=0 --set lb.maxconn=1000000
      --set web.worker_connections=1000000 --set app.workers=1000000"

# peak_kb DURATION FORMAT BUDGET: run the overload, leave stdout in
# $tmp/out, the exit status in $st and the peak RSS (kB) in $kb.
peak_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$tmp/time" "$TIERSIM" run $OVER --duration "$1" \
			--max-memory "$3" --format "$2" >"$tmp/out" 2>"$tmp/err"
		st=$?
		kb=$(tail -n 1 "$tmp/time")
	else
		"$TIERSIM" run $OVER --duration "$1" --max-memory "$3" --format "$2" \
			>"$tmp/out" 2>"$tmp/err"
		st=$?
		kb=
	fi
}

peak_kb 5m text 2M
short_kb=$kb
if [ "$st" -eq 1 ]; then ok; else ko "text: exit $st, expected 1 (the SLO missed)"; fi
if grep -q '^WARNING: [0-9]* requests dropped: the memory budget of 2 MiB caps requests in flight at [0-9]* per replication; the system is far beyond capacity$' "$tmp/out"; then
	ok
else
	ko "text: no WARNING line"
fi
if grep -q '^memory_limit ' "$tmp/out"; then ok; else ko "text: no memory_limit error row"; fi

peak_kb 1h json 2M
long_kb=$kb
if [ "$st" -eq 1 ]; then ok; else ko "json: exit $st, expected 1"; fi
if grep -q '"dropped_memory_limit": [1-9][0-9]*' "$tmp/out"; then ok; else ko "json: no dropped_memory_limit"; fi
if grep -q '"max_memory_bytes": 2097152' "$tmp/out"; then ok; else ko "json: no max_memory_bytes"; fi
if grep -q '"memory_limit": [1-9]' "$tmp/out"; then ok; else ko "json: no errors.memory_limit"; fi
if grep -q 'requests dropped: the memory budget of 2 MiB' "$tmp/out"; then ok; else ko "json: no warning"; fi
peak_kb 5m text 1G
free_kb=$kb
if [ -n "$short_kb" ] && [ -n "$long_kb" ]; then
	if [ "$long_kb" -le $((short_kb + short_kb / 4)) ]; then
		ok
	else
		ko "memory grew: peak RSS $short_kb kB at 5 min, $long_kb kB at 1 h"
	fi
	# Without the budget (1G is never reached here) 5 minutes hold more
	# than the budgeted hour: the budget is what bounds it.
	if [ "$free_kb" -gt "$long_kb" ]; then
		ok
	else
		ko "no growth to bound: $free_kb kB in 5 min without a budget, $long_kb kB in 1 h with"
	fi
	if grep -q WARNING "$tmp/out"; then ko "1G: a warning"; else ok; fi
fi

# A run within the budget: no warning, no memory_limit anywhere.
"$TIERSIM" run scenarios/baseline.yaml --duration 2m --replications 1 --format json >"$tmp/out" 2>"$tmp/err"
if grep -q 'memory_limit\|warnings' "$tmp/out"; then ko "normal run: mentions the budget"; else ok; fi

# Bad values: one clear message, exit 2, nothing on stdout.
bad() {
	"$TIERSIM" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		ok
	else
		ko "'$*': exit $st, $(wc -l <"$tmp/err") lines on stderr"
	fi
}
bad run scenarios/baseline.yaml --max-memory lots
bad run scenarios/baseline.yaml --max-memory 512X
bad run scenarios/baseline.yaml --max-memory 100K
bad run scenarios/baseline.yaml --max-memory -1G
bad run scenarios/baseline.yaml --max-memory
bad sweep scenarios/baseline.yaml --vary app.nodes=3,4 --max-memory 0
bad plan scenarios/baseline.yaml --load 2000/s --slo 'p99<=300ms' --max-memory 1Q
if grep -q "tiersim plan: --max-memory '1Q': unknown size unit 'Q'" "$tmp/err"; then ok; else ko "plan: $(cat "$tmp/err")"; fi

echo "limits_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
