#!/bin/sh
# End to end: numbers and determinism.
#
# Numbers: every shipped scenario (short: tests/golden/NAME.args or
# --duration 2m, as the golden test runs them) and three edge cases (a class
# with share 0%, a tier with no live node for the whole run, windows with no
# load) print no nan or inf in the text report, summary.json, summary.csv or
# timeseries.csv; an empty class's percentiles are null in JSON and '-' in
# text.
#
# Determinism: the same scenario and seed give byte-identical stdout JSON and
# --out files (summary.json, summary.csv, timeseries.csv) for -j 1, -j 2 and
# a repeated -j 2, for a scenario with a failure and retries (web-crash).
#
# Run from the repository root; TIERSIM names the binary.  Ends with
# "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_num.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); }
ko() { echo "numbers_cli: $1" >&2; failed=$((failed + 1)); }

# A number that is not one, as C's printf and the JSON/CSV writers would
# spell it: nan, -nan, inf, -inf, infinity, in any case, as a whole word.
no_nonfinite() {
	what=$1
	shift
	if grep -Eiwn -- 'nan|inf|infinity' "$@" >"$tmp/hits"; then
		ko "$what: non-finite numbers: $(head -3 "$tmp/hits")"
	else
		ok
	fi
}

# run_scan WHAT FILE ARGS...: text report and --out files, exit 0 or 1 (SLO)
run_scan() {
	what=$1 file=$2
	shift 2
	rm -rf "$tmp/o"
	"$TIERSIM" run "$file" --replications 2 -j 2 --out "$tmp/o" "$@" >"$tmp/text" 2>"$tmp/err"
	st=$?
	if [ "$st" -le 1 ]; then ok; else ko "$what: exit $st: $(head -2 "$tmp/err")"; return; fi
	no_nonfinite "$what" "$tmp/text" "$tmp/o/summary.json" "$tmp/o/summary.csv" \
		"$tmp/o/timeseries.csv"
}

for f in scenarios/*.yaml; do
	name=$(basename "$f" .yaml)
	if [ -f "tests/golden/$name.args" ]; then
		args=$(cat "tests/golden/$name.args")
	else
		args="--duration 2m"
	fi
	# shellcheck disable=SC2086
	run_scan "$name" "$f" $args
done

# The edge cases, in one scenario: a class nobody sends (share 0%), the only
# app server dead from the first instant to the end, and no load at all after
# 60 s (whole windows without a request).
cat >"$tmp/edge.yaml" <<'YAML'
name: edge
duration: 2m
warmup: 10s
seed: 3
app: {nodes: 1}
workload:
  rate: 500/s
  classes:
    static: {share: 60%}
    page:   {share: 40%, app: gamma(mean=25ms, cv=1), db_reads: 1}
    empty:  {share: 0%, app: exp(10ms)}
  schedule:
    - {at: 60s, rate: 0/s}
failures:
  - {at: 0s, node: app1, kind: crash}
YAML
run_scan "edge cases" "$tmp/edge.yaml"
if grep -Eq '^empty +- +- +- +- +- +-' "$tmp/text"; then ok; else ko "edge: the empty class is not '-' in text"; fi
"$TIERSIM" run "$tmp/edge.yaml" --replications 2 -j 2 --format json >"$tmp/edge.json" 2>/dev/null
# The empty class's latency block: every percentile null.
awk '/"empty"/ {on = 1} on && /"p99"/ {print; exit}' "$tmp/edge.json" >"$tmp/p99"
if grep -q '"p99": null' "$tmp/p99"; then ok; else ko "edge: the empty class's p99 is not null: $(cat "$tmp/p99")"; fi
# Determinism: a failure scenario with retries, -j 1 against -j 2, twice.
D="scenarios/web-crash.yaml --duration 4m --replications 3 --format json"
for j in 1 2 2b; do
	jobs=${j%b}
	# shellcheck disable=SC2086
	"$TIERSIM" run $D -j "$jobs" --out "$tmp/d$j" >"$tmp/d$j.json" 2>/dev/null
	st=$?
	if [ "$st" -le 1 ]; then ok; else ko "determinism -j $j: exit $st"; fi
done
for other in 2 2b; do
	if cmp -s "$tmp/d1.json" "$tmp/d$other.json"; then ok; else ko "stdout JSON differs: -j 1 and -j $other"; fi
	for f in summary.json summary.csv timeseries.csv; do
		if cmp -s "$tmp/d1/$f" "$tmp/d$other/$f"; then ok; else ko "$f differs: -j 1 and -j $other"; fi
	done
done

echo "numbers_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
