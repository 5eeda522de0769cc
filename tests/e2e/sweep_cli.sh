#!/bin/sh
# End to end: `tiersim sweep`, `tiersim merge` and `tiersim plan` as a user
# and a batch scheduler run them.  A sweep writes the same sweep.json and
# sweep.csv for -j 1 and -j 2, and its shards merge into those very bytes;
# merge refuses shards of different sweeps; bad --vary, --shard and --cost
# are one line on stderr and exit 2.  Run from the repository root; TIERSIM
# names the binary (default ./tiersim).  Ends with "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_sweep.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
B=scenarios/baseline.yaml
SHORT="--duration 40s --set warmup=10s --replications 2"
GRID="--vary app.nodes=3..4 --vary workload.rate=1000/s,1500/s,2000/s"

ok() { passed=$((passed + 1)); }
ko() { echo "sweep_cli: $1" >&2; failed=$((failed + 1)); }

expect_status() {
	what=$1 want=$2
	shift 2
	"$TIERSIM" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else ko "$what: exit $got, expected $want"; cat "$tmp/err" >&2; fi
}

expect_usage_error() {
	what=$1
	shift
	expect_status "$what" 2 "$@"
	if [ -s "$tmp/out" ]; then ko "$what: wrote to stdout"; else ok; fi
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" -eq 1 ]; then ok; else ko "$what: $lines lines on stderr"; fi
}

same() { # WHAT FILE1 FILE2
	if cmp -s "$2" "$3"; then ok; else ko "$1: $2 and $3 differ"; fi
}

# --help lists the new commands
"$TIERSIM" --help >"$tmp/help"
for c in sweep merge plan; do
	if grep -q "^  $c " "$tmp/help"; then ok; else ko "--help does not list $c"; fi
done

# -j 1 and -j 2 write the same bytes; the table on stdout, nothing on stderr
expect_status "sweep -j 2" 0 sweep $B $GRID $SHORT -j 2 --out "$tmp/j2"
if [ -s "$tmp/err" ]; then ko "sweep wrote to stderr without a terminal"; else ok; fi
if grep -q "^app.nodes" "$tmp/out"; then ok; else ko "sweep: no table on stdout"; fi
expect_status "sweep -j 1" 0 sweep $B $GRID $SHORT -j 1 --out "$tmp/j1" --quiet
if [ -s "$tmp/out" ]; then ko "--quiet printed a table"; else ok; fi
same "-j 1 vs -j 2" "$tmp/j1/sweep.json" "$tmp/j2/sweep.json"
same "-j 1 vs -j 2" "$tmp/j1/sweep.csv" "$tmp/j2/sweep.csv"
rows=$(($(wc -l <"$tmp/j2/sweep.csv") - 1))
if [ "$rows" -eq 6 ]; then ok; else ko "sweep.csv: $rows rows, expected 6"; fi
extra=$(ls -A "$tmp/j2" | grep -cv '^sweep\.\(json\|csv\)$')
if [ "$extra" -eq 0 ]; then ok; else ko "--out: $extra unexpected files"; fi

# shards (more shards than some get points) merge into the same bytes
for i in 1 2 3 4; do
	expect_status "shard $i/4" 0 sweep $B $GRID $SHORT -j 2 --shard $i/4 --out "$tmp/s$i" --quiet
done
expect_status "merge" 0 merge "$tmp/s3" "$tmp/s1" "$tmp/s4" "$tmp/s2" --out "$tmp/m" --quiet
same "merged shards" "$tmp/m/sweep.json" "$tmp/j2/sweep.json"
same "merged shards" "$tmp/m/sweep.csv" "$tmp/j2/sweep.csv"

# merge refuses what is not one whole sweep
expect_usage_error "merge: a shard missing" merge "$tmp/s1" "$tmp/s2" "$tmp/s3" --out "$tmp/bad"
expect_usage_error "merge: a shard twice" merge "$tmp/s1" "$tmp/s2" "$tmp/s3" "$tmp/s3" "$tmp/s4" --out "$tmp/bad"
expect_usage_error "merge: not a shard" merge "$tmp/j1" --out "$tmp/bad"
expect_status "another grid" 0 sweep $B --vary app.nodes=3..5 $SHORT --shard 1/4 --out "$tmp/g1" --quiet
expect_usage_error "merge: another grid" merge "$tmp/g1" "$tmp/s2" "$tmp/s3" "$tmp/s4" --out "$tmp/bad"
if grep -q "grid" "$tmp/err"; then ok; else ko "merge: the message does not name the grid"; fi
expect_status "another scenario" 0 sweep $B $GRID --duration 30s --set warmup=10s --replications 2 --shard 1/4 --out "$tmp/o1" --quiet
expect_usage_error "merge: another scenario" merge "$tmp/o1" "$tmp/s2" "$tmp/s3" "$tmp/s4" --out "$tmp/bad"
if [ -e "$tmp/bad" ]; then ko "a refused merge wrote files"; else ok; fi
expect_usage_error "merge: no folder" merge

# bad --vary and --shard
expect_usage_error "--vary without values" sweep $B --vary app.nodes
expect_usage_error "--vary invalid value" sweep $B --vary app.nodes=0..2
if grep -q "app.nodes" "$tmp/err"; then ok; else ko "--vary: the message does not name the key"; fi
expect_usage_error "--vary unknown key" sweep $B --vary app.nodez=1,2
expect_usage_error "--vary mixed units" sweep $B --vary workload.rate=1000/s..2s
expect_usage_error "--vary zero step" sweep $B --vary app.nodes=1..3:0
expect_usage_error "--vary empty item" sweep $B --vary app.nodes=1,,3
expect_usage_error "--vary twice" sweep $B --vary app.nodes=1 --vary app.nodes=2
expect_usage_error "no --vary" sweep $B
expect_usage_error "--shard 0/3" sweep $B --vary app.nodes=2 --shard 0/3
expect_usage_error "--shard 4/3" sweep $B --vary app.nodes=2 --shard 4/3
expect_usage_error "--shard x" sweep $B --vary app.nodes=2 --shard x

# plan: bad input
expect_usage_error "plan: bad --cost tier" plan $B --load 2000/s --cost lb=1
expect_usage_error "plan: bad --cost value" plan $B --load 2000/s --cost app=-1
expect_usage_error "plan: bad --cost form" plan $B --load 2000/s --cost app
expect_usage_error "plan: no load" plan $B --slo 'p99<=1s'
expect_usage_error "plan: both modes" plan $B --load 2000/s --max-load
expect_usage_error "plan: bad --load" plan $B --load fast
expect_usage_error "plan: bad --slo" plan $B --load 2000/s --slo 'p98<=1s'

# plan: an answer, plan.json, reproducible
expect_status "plan --load" 0 plan $B --load 2000/s --slo 'p99<=250ms' $SHORT -j 2 --out "$tmp/p1"
if grep -q "^answer: web" "$tmp/out"; then ok; else ko "plan: no answer line"; fi
expect_status "plan again" 0 plan $B --load 2000/s --slo 'p99<=250ms' $SHORT -j 1 --out "$tmp/p2" --quiet
same "plan -j 1 vs -j 2" "$tmp/p1/plan.json" "$tmp/p2/plan.json"
expect_status "plan unreachable SLO" 1 plan $B --load 2000/s --slo 'p99<=1ms' $SHORT -j 2 --quiet

echo "sweep_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
