#!/bin/sh
# End to end: Ctrl-C.  A long `tiersim run` sent SIGINT (or SIGTERM) stops at
# the next event, prints the report of the time simulated marked partial
# (JSON "partial": true, text "PARTIAL:"), exits 130 (143), and --out holds
# the four complete files and no temporary file.  Two signals in a row abort
# at once with no temporary file left.  A sweep writes the points that ran
# to the end, marked partial (a partial shard does not merge); a plan
# reports the bounds its search had established, marked partial; both exit
# 130 (143).  Run from the repository root; TIERSIM names the binary.
# Ends with "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_int.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
LONG="--duration 24h --replications 2 -j 2"

ok() { passed=$((passed + 1)); }
ko() { echo "interrupt_cli: $1" >&2; failed=$((failed + 1)); }

# interrupt WHAT SIGNALS WANT ARGS...: start tiersim ARGS in the background,
# let it simulate for a moment, send each of SIGNALS (space separated), and
# expect exit status WANT.  stdout in $tmp/out, stderr in $tmp/err.
interrupt() {
	what=$1 sigs=$2 want=$3
	shift 3
	"$TIERSIM" "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep "${WAIT:-2}"
	for s in $sigs; do
		kill -s "$s" "$pid" 2>/dev/null
		sleep 0.05
	done
	# Stopping is at the next event: a few seconds at most, even under
	# the sanitizers or valgrind.
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		ko "$what: still running 60 s after the signal"
		kill -s KILL "$pid"
	fi
	wait "$pid"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else ko "$what: exit $got, expected $want"; fi
}

# only_complete_files WHAT DIR: nothing but the five outputs, each whole
only_complete_files() {
	extra=$(ls -A "$2" | grep -cv '^\(summary.json\|summary.csv\|timeseries.csv\|latency_cdf.csv\|scenario.yaml\)$')
	if [ "$extra" -eq 0 ]; then ok; else ko "$1: stray files in --out: $(ls -A "$2")"; fi
}

# SIGINT: a JSON report marked partial, on stdout and in --out.
interrupt "SIGINT" INT 130 run scenarios/baseline.yaml $LONG --format json --out "$tmp/int"
if grep -q '"partial": true' "$tmp/out"; then ok; else ko "SIGINT: no \"partial\": true"; fi
if grep -q '"partial_reason": "interrupted by SIGINT"' "$tmp/out"; then ok; else ko "SIGINT: no reason"; fi
if [ "$(tail -c 2 "$tmp/out")" = "}" ]; then ok; else ko "SIGINT: the JSON is not whole"; fi
if grep -q 'interrupted by SIGINT; the report covers' "$tmp/err"; then ok; else ko "SIGINT: no message"; fi
for f in summary.json summary.csv timeseries.csv scenario.yaml; do
	if [ -s "$tmp/int/$f" ]; then ok; else ko "SIGINT: $f missing"; fi
done
only_complete_files "SIGINT" "$tmp/int"
if cmp -s "$tmp/out" "$tmp/int/summary.json"; then ok; else ko "SIGINT: stdout differs from summary.json"; fi
if grep -qi 'nan\|inf' "$tmp/int/summary.json" "$tmp/int/summary.csv" "$tmp/int/timeseries.csv"; then
	ko "SIGINT: nan or inf in the partial outputs"
else
	ok
fi
# The time series ends where the simulation stopped, not at 24 h.
rows=$(wc -l <"$tmp/int/timeseries.csv")
if [ "$rows" -lt 86400 ]; then ok; else ko "SIGINT: $rows time-series rows, the full duration"; fi

# SIGTERM: the text report says PARTIAL, exit 143.
interrupt "SIGTERM" TERM 143 run scenarios/baseline.yaml $LONG
if grep -q '^PARTIAL: interrupted by SIGTERM' "$tmp/out"; then ok; else ko "SIGTERM: no PARTIAL line"; fi

# Two signals: exit 130 either way, no temporary file left behind.
interrupt "second SIGINT" "INT INT" 130 run scenarios/baseline.yaml $LONG --format json --out "$tmp/twice"
# (The second may land while a report is written, or after: either way no
# temporary file may stay, as the file is registered for removal from the
# instant it exists; test_interrupt pins the abort itself.)
if [ -z "$(ls -A "$tmp/twice" | grep '^\.')" ]; then ok; else ko "second SIGINT: a temporary file is left"; fi

# A sweep: the points that ran to the end, marked partial, exit 130.  With
# -j 1 the first point (70 s simulated) ends at once and the second (24 h)
# is cut short: it must not appear.
# At 200/s the first point is 14000 requests, the second 17 million; under
# valgrind the first needs longer than 2 s.
GRID="scenarios/baseline.yaml --vary duration=70s,24h --set workload.rate=200/s
      --set workload.schedule=[] --replications 1 -j 1"
case $TIERSIM in *valgrind*) WAIT=30 ;; *) WAIT=2 ;; esac
interrupt "sweep" INT 130 sweep $GRID --out "$tmp/sweep"
if grep -q '"partial": true' "$tmp/sweep/sweep.json"; then ok; else ko "sweep: sweep.json not partial"; fi
if grep -q '"partial_reason": "interrupted by SIGINT"' "$tmp/sweep/sweep.json"; then ok; else ko "sweep: no reason"; fi
if [ "$(grep -c '"index"' "$tmp/sweep/sweep.json")" -eq 1 ] && grep -q '"index": 0' "$tmp/sweep/sweep.json"; then
	ok
else
	ko "sweep: sweep.json should hold point 0 only"
fi
# sweep.csv: the header and the complete point, no marker (sweep.json has it)
if [ "$(wc -l <"$tmp/sweep/sweep.csv")" -eq 2 ] && grep -q '^0,70s,' "$tmp/sweep/sweep.csv"; then
	ok
else
	ko "sweep: sweep.csv should hold point 0 only: $(cat "$tmp/sweep/sweep.csv")"
fi
only_sweep_files() {
	extra=$(ls -A "$2" | grep -cv '^\(sweep.json\|sweep.csv\)$')
	if [ "$extra" -eq 0 ]; then ok; else ko "$1: stray files in --out: $(ls -A "$2")"; fi
}
only_sweep_files "sweep" "$tmp/sweep"
if grep -q '^PARTIAL: interrupted by SIGINT; 1 of 2 points ran to the end' "$tmp/out"; then ok; else ko "sweep: no PARTIAL line"; fi
if grep -q '^70s ' "$tmp/out" && ! grep -q '^24h ' "$tmp/out"; then ok; else ko "sweep: the table should list 70s only"; fi
if grep -q 'interrupted by SIGINT after 1 of 2 points' "$tmp/err"; then ok; else ko "sweep: no message"; fi

# A partial shard does not merge: run it again.
"$TIERSIM" sweep $GRID --shard 1/2 --quiet --out "$tmp/shard1" >/dev/null 2>&1
interrupt "sweep shard" TERM 143 sweep $GRID --shard 2/2 --quiet --out "$tmp/shard2"
WAIT=2
if grep -q '"partial": true' "$tmp/shard2/sweep.json"; then ok; else ko "shard: not partial"; fi
"$TIERSIM" merge "$tmp/shard1" "$tmp/shard2" --out "$tmp/merged" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" -eq 2 ] && grep -q 'is partial (interrupted by SIGTERM)' "$tmp/err"; then ok; else ko "merge of a partial shard: exit $st, $(cat "$tmp/err")"; fi
if [ -e "$tmp/merged/sweep.json" ]; then ko "merge of a partial shard wrote sweep.json"; else ok; fi

# A plan: what the search had established, marked partial, exit 130.
interrupt "plan" INT 130 plan scenarios/baseline.yaml --load 2000/s $LONG --out "$tmp/plan"
if grep -q '^PARTIAL: interrupted by SIGINT' "$tmp/out"; then ok; else ko "plan: no PARTIAL line"; fi
if grep -q '^answer: unknown: interrupted by SIGINT before the search finished' "$tmp/out"; then ok; else ko "plan: no answer line"; fi
if grep -q '^established: at least web [0-9]*, app [0-9]*, db [0-9]* nodes' "$tmp/out"; then ok; else ko "plan: no bounds"; fi
if grep -q '"partial": true' "$tmp/plan/plan.json" && grep -q '"established"' "$tmp/plan/plan.json"; then
	ok
else
	ko "plan: plan.json not partial"
fi
if [ "$(ls -A "$tmp/plan")" = "plan.json" ]; then ok; else ko "plan: stray files: $(ls -A "$tmp/plan")"; fi
if grep -q 'tiersim plan: interrupted by SIGINT after' "$tmp/err"; then ok; else ko "plan: no message"; fi

echo "interrupt_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
