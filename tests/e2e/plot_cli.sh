#!/bin/sh
# End to end: the figures, as a user draws them.
# Every shipped scenario run with --out DIR --plot gets its scripts and data
# in DIR/plots (and, when gnuplot is installed, each PNG and SVG, non-empty,
# with not a word from gnuplot); `tiersim plot DIR` draws them again; with
# gnuplot out of PATH the scripts and data are still written, one line says
# so and the exit status is 0; bad usage exits 2 with one line.  A small
# sweep and a plan with --plot get their figures, and `tiersim plot` draws
# their folders again.  Run from the
# repository root; TIERSIM names the binary (default ./tiersim).  Ends with
# "N passed, N failed".
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_plot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); }
ko() { echo "plot_cli: $1" >&2; failed=$((failed + 1)); }

have_gnuplot=0
if command -v gnuplot >/dev/null 2>&1; then have_gnuplot=1; fi

# expect_status WHAT STATUS ARGS...: stdout to $tmp/out, stderr to $tmp/err
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
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" -eq 1 ]; then ok; else ko "$what: $lines lines on stderr"; fi
}

# check_figures WHAT DIR NAMES...: scripts and data, and the pictures with gnuplot
check_figures() {
	what=$1 dir=$2
	shift 2
	for fig in "$@"; do
		for ext in gp dat; do
			if [ -s "$dir/plots/$fig.$ext" ]; then ok; else ko "$what: no $fig.$ext"; fi
		done
		if [ "$have_gnuplot" -eq 1 ]; then
			for ext in png svg; do
				if [ -s "$dir/plots/$fig.$ext" ]; then ok; else ko "$what: no $fig.$ext"; fi
			done
		fi
	done
	if ls -A "$dir/plots" | grep -q '^\.'; then ko "$what: a temporary file left"; else ok; fi
}

RUN_FIGURES="latency traffic utilization queues cdf"

# every shipped scenario, short, as the golden tests run them
for yaml in scenarios/*.yaml; do
	name=$(basename "$yaml" .yaml)
	extra="--duration 2m"
	[ -f "tests/golden/$name.args" ] && extra=$(cat "tests/golden/$name.args")
	# shellcheck disable=SC2086
	"$TIERSIM" run "$yaml" $extra --replications 1 -j 2 --quiet --out "$tmp/$name" --plot \
		>"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -le 1 ]; then ok; else ko "$name: run --plot exit $got"; cat "$tmp/err" >&2; fi
	if [ -s "$tmp/err" ]; then ko "$name: run --plot said: $(head -n 1 "$tmp/err")"; else ok; fi
	if [ -s "$tmp/out" ]; then ko "$name: --quiet printed"; else ok; fi
	# shellcheck disable=SC2086
	check_figures "$name" "$tmp/$name" $RUN_FIGURES
done

# tiersim plot draws an existing folder again, the same data
cp "$tmp/baseline/plots/latency.dat" "$tmp/latency.before"
rm -rf "$tmp/baseline/plots"
expect_status "plot DIR" 0 plot "$tmp/baseline"
# shellcheck disable=SC2086
check_figures "plot DIR" "$tmp/baseline" $RUN_FIGURES
if cmp -s "$tmp/latency.before" "$tmp/baseline/plots/latency.dat"; then ok; else
	ko "plot DIR: latency.dat differs from run --plot's"; fi
if grep -q "latency" "$tmp/out"; then ok; else ko "plot DIR: no list of figures"; fi
if [ -s "$tmp/err" ]; then ko "plot DIR: said $(head -n 1 "$tmp/err")"; else ok; fi
expect_status "plot --quiet" 0 plot "$tmp/baseline" --quiet
if [ -s "$tmp/out" ]; then ko "plot --quiet printed"; else ok; fi

# without gnuplot: one line, the scripts and data, exit 0
mkdir "$tmp/empty-path"
rm -rf "$tmp/baseline/plots"
PATH="$tmp/empty-path" "$TIERSIM" plot "$tmp/baseline" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -eq 0 ]; then ok; else ko "no gnuplot: exit $got, expected 0"; fi
if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "gnuplot not found" "$tmp/err"; then ok; else
	ko "no gnuplot: expected one line saying so, got: $(cat "$tmp/err")"; fi
for fig in $RUN_FIGURES; do
	if [ -s "$tmp/baseline/plots/$fig.gp" ] && [ -s "$tmp/baseline/plots/$fig.dat" ]; then ok; else
		ko "no gnuplot: $fig.gp or $fig.dat missing"; fi
	if [ -e "$tmp/baseline/plots/$fig.png" ]; then ko "no gnuplot: $fig.png drawn"; else ok; fi
done
PATH="$tmp/empty-path" "$TIERSIM" run scenarios/baseline.yaml --duration 90s --replications 1 \
	--quiet --out "$tmp/nogp" --plot >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -le 1 ]; then ok; else ko "run --plot without gnuplot: exit $got"; fi
if [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok; else ko "run --plot without gnuplot: $(cat "$tmp/err")"; fi
if [ -s "$tmp/nogp/plots/latency.gp" ]; then ok; else ko "run --plot without gnuplot: no script"; fi

# the scripts render as they are, from their folder, as docs/plots.md says
if [ "$have_gnuplot" -eq 1 ]; then
	(cd "$tmp/baseline/plots" && rm -f latency.png && gnuplot latency.gp) 2>"$tmp/err"
	if [ -s "$tmp/baseline/plots/latency.png" ] && [ ! -s "$tmp/err" ]; then ok; else
		ko "gnuplot latency.gp by hand: $(cat "$tmp/err")"; fi
fi

# a sweep and a plan draw their figures with --plot; tiersim plot knows their folders
TINY="--duration 10s --set warmup=2s --replications 2 -j 2 --quiet"
# shellcheck disable=SC2086
expect_status "sweep --plot" 0 sweep scenarios/baseline.yaml --vary app.nodes=2,3 \
	--vary workload.rate=1000/s,2000/s,3000/s $TINY --out "$tmp/sweep" --plot
if [ -s "$tmp/err" ]; then ko "sweep --plot said: $(head -n 1 "$tmp/err")"; else ok; fi
check_figures "sweep --plot" "$tmp/sweep" capacity sweep_availability heatmap
rm -rf "$tmp/sweep/plots"
expect_status "plot DIR of a sweep" 0 plot "$tmp/sweep"
check_figures "plot DIR of a sweep" "$tmp/sweep" capacity sweep_availability heatmap
if grep -q "capacity sweep_availability heatmap" "$tmp/out"; then ok; else
	ko "plot DIR of a sweep: listed $(cat "$tmp/out")"; fi
# shellcheck disable=SC2086
expect_status "plan --plot" 0 plan scenarios/baseline.yaml --load 2000/s --slo 'p99<=250ms' \
	$TINY --out "$tmp/plan" --plot
if [ -s "$tmp/err" ]; then ko "plan --plot said: $(head -n 1 "$tmp/err")"; else ok; fi
check_figures "plan --plot" "$tmp/plan" plan
rm -rf "$tmp/plan/plots"
expect_status "plot DIR of a plan" 0 plot "$tmp/plan" --quiet
check_figures "plot DIR of a plan" "$tmp/plan" plan

# availability draws downtime by cause, whose data are availability.json's
expect_status "availability --plot" 0 availability scenarios/year-of-failures.yaml \
	--horizon 30d --replications 2 --state-duration 10s --out "$tmp/avail" --plot
check_figures "availability --plot" "$tmp/avail" availability
json_total=$(sed -n '/"downtime_by_cause"/,/"nodes"/p' "$tmp/avail/availability.json" |
	grep -c '"cause"')
dat_rows=$(($(wc -l <"$tmp/avail/plots/availability.dat") - 1))
# one row per cause but "none" (every node up), which never costs downtime
if [ "$dat_rows" -eq $((json_total - 1)) ]; then ok; else
	ko "availability.dat has $dat_rows causes, availability.json $json_total"; fi
rm -rf "$tmp/avail/plots"
expect_status "plot DIR of an availability estimate" 0 plot "$tmp/avail" --quiet
check_figures "plot DIR of an availability estimate" "$tmp/avail" availability

# bad usage
expect_usage_error "--plot without --out" run scenarios/baseline.yaml --plot
expect_usage_error "sweep --plot without --out" sweep scenarios/baseline.yaml --vary app.nodes=2,3 --plot
expect_usage_error "plan --plot without --out" plan scenarios/baseline.yaml --load 2000/s --plot
expect_usage_error "availability --plot without --out" availability \
	scenarios/year-of-failures.yaml --plot
expect_usage_error "plot without DIR" plot
expect_usage_error "plot of a missing folder" plot "$tmp/no-such-folder"
mkdir "$tmp/not-a-result"
expect_usage_error "plot of a folder without summary.json" plot "$tmp/not-a-result"
expect_usage_error "plot with an unknown option" plot "$tmp/baseline" --bogus
expect_usage_error "plot with two folders" plot "$tmp/baseline" "$tmp/baseline"

echo "plot_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
