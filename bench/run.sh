#!/bin/sh
# `make bench`: tiersim's engine next to the hand-written reference programs,
# built and run in the same bench so the comparison is a ratio measured on one
# machine at one time (these machines are noisy; absolute numbers drift).
# A comparison with a reference program runs the two alternately, seed by
# seed (5 pairs), and reports the median of the five ratios, so that a
# change in the machine's load between the two halves cannot tip the
# result; the baseline, judged against an absolute target, keeps the
# fastest of three runs of each of seeds 1..3 (see there).
# usage: bench/run.sh BUILD_DIR
set -eu
B=${1:-build}

median3() { sort -g | sed -n 2p; }
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p"; }

# paired OURS_JSON LIMIT_JSON OURS_CMD LIMIT_CMD: runs the two commands
# (sh -c strings taking the seed as $0) alternately for seeds 1..5, appends
# their JSON lines to the two files, and prints the median of limit/ours.
paired() {
	: > "$1"; : > "$2"
	for seed in 1 2 3 4 5; do
		o=$(sh -c "$3" "$seed"); echo "$o" >> "$1"
		l=$(sh -c "$4" "$seed"); echo "$l" >> "$2"
		echo "$o" | field customers_per_s | awk -v l="$(echo "$l" | field customers_per_s)" \
			'{ printf "%.4f\n", l / $1 }'
	done | sort -g | sed -n 3p
}

echo "== hold model: 10,000 pending events, exponential increments (target >= 15e6 events/s)"
"$B/bench/bench_hold" 20000000 | tee "$B/bench/hold.json"

echo
echo "== M/M/c (lambda 3.2/s, c=4, rho 0.8): tiersim vs ../shared/bench/limit_mmc.c heap loop"
ratio=$(paired "$B/bench/mmc.json" "$B/bench/limit_mmc.json" \
	"\"$B/bench/bench_mmc\" 10000000 \"\$0\"" "\"$B/bench/limit_mmc\" 10000000 \"\$0\" heap")
cat "$B/bench/mmc.json" "$B/bench/limit_mmc.json"
ours=$(field customers_per_s < "$B/bench/mmc.json" | sort -g | sed -n 3p)
limit=$(field customers_per_s < "$B/bench/limit_mmc.json" | sort -g | sed -n 3p)
awk -v o="$ours" -v l="$limit" -v r="$ratio" 'BEGIN {
	printf "median customers/s: tiersim %.3g, limit %.3g; median of paired limit/tiersim = %.2f (target <= 3)\n", o, l, r }'

echo
echo "== baseline scenario, one replication on one core (target >= 1e6 simulated requests/s)"
# Seeds 1..3, each run three times.  Other work on the machine only ever
# slows a run down (this host's runs of one binary and seed spread from
# 0.65x to 1x of the fastest), so the fastest run of a seed is the least
# disturbed measure of the code, the argument of Python's timeit
# documentation for its min(); the figure judged is the median over the
# seeds of their fastest runs.  The median of all nine runs is printed too.
: > "$B/bench/baseline.json"
for seed in 1 2 3; do
	for try in 1 2 3; do
		"$B/bench/bench_scenario" scenarios/baseline.yaml --set seed=$seed
	done | tee -a "$B/bench/baseline.json" | field requests_per_s | sort -g | tail -1
done > "$B/bench/baseline.best"
cat "$B/bench/baseline.json"
best=$(median3 < "$B/bench/baseline.best")
all=$(field requests_per_s < "$B/bench/baseline.json" | sort -g | sed -n 5p)
awk -v b="$best" -v a="$all" 'BEGIN {
	printf "simulated requests/s: %.3g (median over seeds 1-3 of the fastest of three runs each); median of all nine runs %.3g\n", b, a }'

echo
echo "== tandem of four M/M/c tiers as a scenario vs ../shared/bench/limit_tandem.c heap loop"
ratio=$(paired "$B/bench/tandem.json" "$B/bench/limit_tandem.json" \
	"\"$B/bench/bench_scenario\" bench/tandem.yaml --set seed=\$0 --set duration=20000s" \
	"\"$B/bench/limit_tandem\" 2000000 \"\$0\" heap")
cat "$B/bench/tandem.json" "$B/bench/limit_tandem.json"
ours=$(field customers_per_s < "$B/bench/tandem.json" | sort -g | sed -n 3p)
limit=$(field customers_per_s < "$B/bench/limit_tandem.json" | sort -g | sed -n 3p)
awk -v o="$ours" -v l="$limit" -v r="$ratio" 'BEGIN {
	printf "median customers/s: tiersim %.3g, limit %.3g; median of paired limit/tiersim = %.2f (target <= 2.5)\n", o, l, r }'

# The capacity commands (issue 6): wall-clock seconds of whole CLI runs, one
# run each (they take tens of seconds).  TIERSIM names the binary.
T=${TIERSIM:-./tiersim}
elapsed() { # command... -> prints seconds
	t0=$(date +%s.%N)
	"$@" >/dev/null || echo "bench: '$*' failed" >&2
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}
ONE_MINUTE="--duration 1m --set warmup=10s --replications 3 -j 2"

echo
echo "== sweep: 100 points of baseline, 1 simulated minute and 3 replications each, -j 2 (target <= 60 s)"
s=$(elapsed "$T" sweep scenarios/baseline.yaml --vary app.nodes=3..7 \
	--vary workload.rate=1000/s..2900/s:100/s $ONE_MINUTE --quiet --out "$B/bench/sweep")
echo "sweep of 100 points: $s s"

echo
echo "== plan on baseline, 1 simulated minute and 3 replications per simulation, -j 2 (target <= 60 s)"
s=$(elapsed "$T" plan scenarios/baseline.yaml --load 8000/s --slo 'p99<=250ms' --n-plus-one \
	--cost web=1,app=2,db=8 $ONE_MINUTE --out "$B/bench/plan")
echo "plan --load 8000/s --n-plus-one: $s s"
s=$(elapsed "$T" plan scenarios/baseline.yaml --max-load --slo 'p99<=250ms' $ONE_MINUTE)
echo "plan --max-load: $s s"

# Soak (issue 9): memory stays flat while the number of events grows, 1e9
# events against 1e7.  Takes about ten minutes, so only with SOAK=1.
if [ "${SOAK:-0}" = 1 ]; then
	echo
	echo "== soak: hold model at 1e7 and 1e9 events; the peak RSS must be the same"
	"$B/bench/bench_hold" 10000000 | head -1 > "$B/bench/soak_short.json"
	"$B/bench/bench_hold" 1000000000 | head -1 > "$B/bench/soak_long.json"
	cat "$B/bench/soak_short.json" "$B/bench/soak_long.json"
	short=$(field peak_rss_kb < "$B/bench/soak_short.json")
	long=$(field peak_rss_kb < "$B/bench/soak_long.json")
	awk -v s="$short" -v l="$long" 'BEGIN {
		printf "peak RSS: %d kB at 1e7 events, %d kB at 1e9 (%+.1f%%; flat means within 10%%)\n",
			s, l, 100 * (l - s) / s
		if (l > 1.1 * s) { print "soak: memory grew with the run"; exit 1 } }'
	echo "== soak: baseline scenario, 1 and 8 simulated hours (the time series grows with the"
	echo "   run, a few bytes per window and node; everything else must stay flat)"
	"$B/bench/bench_scenario" scenarios/baseline.yaml --set duration=1h
	"$B/bench/bench_scenario" scenarios/baseline.yaml --set duration=8h
fi
