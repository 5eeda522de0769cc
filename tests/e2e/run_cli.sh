#!/bin/sh
# End to end: `tiersim run` as a user and a CI pipeline run it.
# Exit statuses (0 ok, 1 SLO missed, 2 bad usage or input, with one line on
# stderr and nothing on stdout), the output formats, --out with its files
# written whole, and a result rerun from its own resolved scenario.yaml giving
# byte-identical JSON.  Run from the repository root; TIERSIM names the binary
# (default ./tiersim).  Ends with "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
SHORT="--duration 90s --replications 2 -j 2"

ok() { passed=$((passed + 1)); }
ko() { echo "run_cli: $1" >&2; failed=$((failed + 1)); }

# expect_status WHAT STATUS ARGS...: stdout to $tmp/out, stderr to $tmp/err
expect_status() {
	what=$1 want=$2
	shift 2
	"$TIERSIM" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else ko "$what: exit $got, expected $want"; fi
}

# expect_usage_error WHAT ARGS...: exit 2, one line on stderr, empty stdout
expect_usage_error() {
	what=$1
	shift
	expect_status "$what" 2 "$@"
	if [ -s "$tmp/out" ]; then ko "$what: wrote to stdout"; else ok; fi
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" -eq 1 ]; then ok; else ko "$what: $lines lines on stderr"; fi
}

expect_status "SLO met" 0 run scenarios/baseline.yaml $SHORT --slo 'p99<=10s' --quiet
expect_status "SLO missed gates with 1" 1 run scenarios/baseline.yaml $SHORT --slo 'p99<=1ms' --quiet
if [ -s "$tmp/out" ]; then ko "--quiet wrote a report"; else ok; fi

expect_usage_error "unknown option" run scenarios/baseline.yaml --bogus
expect_usage_error "missing file" run
expect_usage_error "no such scenario" run scenarios/no-such.yaml
expect_usage_error "bad SLO metric" run scenarios/baseline.yaml --slo 'p98<=1s'
expect_usage_error "latency SLO as a lower bound" run scenarios/baseline.yaml --slo 'p99>=1s'
expect_usage_error "bad --format" run scenarios/baseline.yaml --format xml
expect_usage_error "bad -j" run scenarios/baseline.yaml -j 0
expect_usage_error "bad override" run scenarios/baseline.yaml --set app.nodes=0
expect_usage_error "bad --duration" run scenarios/baseline.yaml --duration 5parsecs
grep -q "app.nodes" "$tmp/err" 2>/dev/null || true

: >"$tmp/not-a-dir"
expect_usage_error "--out is a file" run scenarios/baseline.yaml $SHORT --out "$tmp/not-a-dir"

# --out: every file whole, no temporary left behind
expect_status "--out" 0 run scenarios/baseline.yaml $SHORT --format json --out "$tmp/res"
for f in summary.json summary.csv timeseries.csv latency_cdf.csv scenario.yaml; do
	if [ -s "$tmp/res/$f" ]; then ok; else ko "--out: $f missing or empty"; fi
done
extra=$(ls -A "$tmp/res" | grep -cv '^\(summary.json\|summary.csv\|timeseries.csv\|latency_cdf.csv\|scenario.yaml\)$')
if [ "$extra" -eq 0 ]; then ok; else ko "--out: $extra unexpected files"; fi
if cmp -s "$tmp/out" "$tmp/res/summary.json"; then ok; else ko "stdout JSON differs from summary.json"; fi

# a result is reproducible from its resolved scenario
cp "$tmp/out" "$tmp/first.json"
expect_status "rerun of scenario.yaml" 0 run "$tmp/res/scenario.yaml" -j 1 --format json
if cmp -s "$tmp/out" "$tmp/first.json"; then ok; else ko "rerun from scenario.yaml differs"; fi

# CSV on stdout
expect_status "--format csv" 0 run scenarios/baseline.yaml $SHORT --format csv
if head -n 1 "$tmp/out" | grep -q ','; then ok; else ko "--format csv: no CSV header"; fi

echo "run_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
