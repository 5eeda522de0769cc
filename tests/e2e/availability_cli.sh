#!/bin/sh
# End to end: `tiersim availability` as a user runs it.  Bad options and
# scenarios it cannot estimate are one line on stderr, nothing on stdout,
# exit 2; a run prints the report (text or JSON with its keys), writes
# availability.json and availability.txt with --out, and gives the same
# bytes for -j 1 and -j 2.  Run from the repository root; TIERSIM names the
# binary (default ./tiersim).  Ends with "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_avail.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
Y=scenarios/year-of-failures.yaml
FAST="--horizon 30d --replications 2 --state-replications 1 --state-duration 5s --set workload.rate=200/s"

ok() { passed=$((passed + 1)); }
ko() { echo "availability_cli: $1" >&2; failed=$((failed + 1)); }

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

# --help lists the command; the command has its own help
"$TIERSIM" --help >"$tmp/help"
if grep -q "^  availability " "$tmp/help"; then ok; else ko "--help does not list availability"; fi
expect_status "availability --help" 0 availability --help
if grep -q -- "--horizon" "$tmp/out"; then ok; else ko "availability --help: no --horizon"; fi

# bad input: exit 2, one line
expect_usage_error "--horizon not a duration" availability $Y --horizon forever
expect_usage_error "--horizon without unit" availability $Y --horizon 12
expect_usage_error "--horizon zero" availability $Y --horizon 0s
expect_usage_error "--horizon shorter than a day" availability $Y --horizon 1h
expect_usage_error "--horizon negative" availability $Y --horizon -1y
expect_usage_error "--horizon over a century" availability $Y --horizon 101y
if grep -q -- "--horizon" "$tmp/err"; then ok; else ko "--horizon: the message does not name the option"; fi
expect_usage_error "--replications 1" availability $Y --replications 1
expect_usage_error "--replications x" availability $Y --replications x
expect_usage_error "--format csv" availability $Y --format csv
expect_usage_error "no FILE" availability
expect_usage_error "missing FILE" availability "$tmp/nope.yaml"
expect_usage_error "unknown option" availability $Y --frobnicate
expect_usage_error "no random failures" availability scenarios/baseline.yaml
if grep -q "random" "$tmp/err"; then ok; else ko "no random failures: the message does not say so"; fi

# a run: text
expect_status "availability text" 0 availability $Y $FAST -j 2
for k in "availability " "downtime " "nines " "downtime by cause" "states measured"; do
	if grep -q "$k" "$tmp/out"; then ok; else ko "text report: no '$k'"; fi
done
if [ -s "$tmp/err" ]; then ko "availability wrote to stderr"; else ok; fi

# JSON keys, --out, and the same bytes for -j 1 and -j 2
expect_status "availability json -j 2" 0 availability $Y $FAST --format json -j 2 --out "$tmp/o2"
cp "$tmp/out" "$tmp/j2.json"
for k in scenario seed horizon_s replications availability unavailability \
	downtime_min_per_year nines failures_per_year failovers_per_year downtime_by_cause \
	nodes states success_ratio time_share window_s ci95 mean cause; do
	if grep -q "\"$k\":" "$tmp/j2.json"; then ok; else ko "JSON: no key $k"; fi
done
if grep -qi "nan\|inf" "$tmp/j2.json"; then ko "JSON has NaN or inf"; else ok; fi
for f in availability.json availability.txt; do
	if [ -s "$tmp/o2/$f" ]; then ok; else ko "--out: no $f"; fi
done
if cmp -s "$tmp/j2.json" "$tmp/o2/availability.json"; then ok; else ko "--out json differs from stdout"; fi
expect_status "availability json -j 1" 0 availability $Y $FAST --format json -j 1
if cmp -s "$tmp/j2.json" "$tmp/out"; then ok; else ko "-j 1 and -j 2 differ"; fi
expect_status "another seed" 0 availability $Y $FAST --format json --seed 2
if cmp -s "$tmp/j2.json" "$tmp/out"; then ko "--seed 2 gives the same output"; else ok; fi

echo "availability_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
