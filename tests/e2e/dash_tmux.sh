#!/bin/sh
# End to end: `tiersim dash` driven in tmux (send-keys, capture-pane), as a
# person uses it, with TERM=xterm-256color and with TERM=vt100 (no colour).
# It starts at 80x24 and shows every node; lb1 is selected first and k on it
# is logged (crashed or refused with the reason); web1 crashed from the keys
# shows in the event log and the LB's checks mark it down; pause shows; the
# screen is redrawn when the terminal grows; q prints the report, and the
# --record scenario replayed by `tiersim run` prints the very same report.
# The a key switches scenarios/autoscale.yaml's autoscaler off (and starts
# the default one where a scenario has none), and that replays too.
# Run from the repository root; TIERSIM names the binary (default ./tiersim).
# A private tmux server (-L) so no other tmux session is touched.
TIERSIM=${TIERSIM:-./tiersim}
case $TIERSIM in /*) ;; *) TIERSIM=$(pwd)/$TIERSIM ;; esac
if ! command -v tmux >/dev/null 2>&1; then
	echo "dash_tmux: tmux is missing (make deps installs it)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_dash.XXXXXX") || exit 1
SOCK="tiersim-e2e-$$"
T="tmux -L $SOCK"
trap '$T kill-server 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
ok() { passed=$((passed + 1)); }
ko() { echo "dash_tmux ($term): $1" >&2; failed=$((failed + 1)); }

screen() { $T capture-pane -p -t dash; }

# wait_for TEXT SECONDS: until the screen shows TEXT (fixed string)
wait_for() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		if screen | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_gone TEXT SECONDS: until the first line no longer shows TEXT
wait_gone() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		if ! screen | head -1 | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

check() { # check WHAT TEXT SECONDS
	if wait_for "$2" "$3"; then ok; else ko "$1: '$2' not on screen"; screen >&2; fi
}

# After q: the exit status, a quiet stderr and the report.
wait_status() {
	i=0
	while [ ! -s "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	status=$(cat "$tmp/status" 2>/dev/null)
	if [ "$status" = 0 ] || [ "$status" = 1 ]; then ok; else ko "exit status '$status'"; fi
	if [ -s "$tmp/err.txt" ]; then ko "stderr: $(cat "$tmp/err.txt")"; else ok; fi
	if grep -q "^availability" "$tmp/report.txt"; then ok; else ko "no report on quit"; fi
}

# `tiersim run` on the recording prints the dashboard's report, byte for byte.
replays_the_same() {
	"$TIERSIM" run "$tmp/rec.yaml" >"$tmp/replay.txt" 2>"$tmp/replay.err"
	if cmp -s "$tmp/report.txt" "$tmp/replay.txt"; then
		ok
	else
		ko "tiersim run of the recording differs from the dashboard's report"
		diff "$tmp/report.txt" "$tmp/replay.txt" | head -20 >&2
	fi
}

# Bad usage: exit 2 with one line on stderr, before any screen.
term=usage
"$TIERSIM" dash scenarios/baseline.yaml --speed 3 </dev/null >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then ok; else ko "--speed 3"; fi
if command -v setsid >/dev/null 2>&1; then
	setsid "$TIERSIM" dash scenarios/baseline.yaml </dev/null >"$tmp/out" 2>"$tmp/err"
	if [ $? -eq 2 ] && grep -q "needs a terminal" "$tmp/err"; then ok; else ko "no terminal"; fi
fi

for term in xterm-256color vt100; do
	rm -f "$tmp/status" "$tmp/report.txt" "$tmp/rec.yaml" "$tmp/err.txt"
	$T new-session -d -s dash -x 80 -y 24 \
		"cd '$(pwd)' && TERM=$term '$TIERSIM' dash scenarios/web-crash.yaml --speed 10 \
		--duration 10m --record '$tmp/rec.yaml' >'$tmp/report.txt' 2>'$tmp/err.txt'; \
		echo \$? >'$tmp/status'; sleep 600"
	check "starts" "VIP -> lb1" 10
	for n in lb1 lb2 web1 web2 web3 app1 app2 app3 app4 db1 db2 db3; do
		if screen | grep -q "^$n \| $n "; then ok; else ko "node $n not shown"; fi
	done
	check "lb1 is selected first" "node lb1" 2
	$T send-keys -t dash k
	check "k on lb1 is logged" "crash lb1" 5
	# keepalived: lb2 takes the VIP 3 x advert_int + skew after lb1's last advert
	check "the VIP moves to lb2" "lb2 takes the VIP" 10
	$T send-keys -t dash Tab Tab
	check "Tab selects web1" "node web1" 2
	$T send-keys -t dash k
	check "k crashes web1" "operator: crash web1" 5
	check "web1's failure is in the log" "web1 crashed" 5
	check "the LB's checks mark web1 down" "marks web1 DOWN" 10
	check "web1 shows DOWN" "web1 DOWN" 5
	# colour on xterm-256color only
	colours=$($T capture-pane -p -e -t dash | grep -c '\[3[1-6]m\|\[38;5;' )
	if [ "$term" = vt100 ]; then
		if [ "$colours" -eq 0 ]; then ok; else ko "colour on a vt100"; fi
	else
		if [ "$colours" -gt 0 ]; then ok; else ko "no colour on xterm-256color"; fi
	fi
	# redrawn at a new size
	$T resize-window -t dash -x 100 -y 30 2>/dev/null || $T resize-pane -t dash -x 100 -y 30
	sleep 0.5
	if [ "$(screen | wc -l)" -ge 29 ] && screen | sed -n '30p' | grep -qF "spc pause"; then
		ok
	else
		ko "not redrawn at 100x30"
		screen >&2
	fi
	# past the warm-up, pause, then quit with a report
	if wait_gone "warm-up" 30; then ok; else ko "the warm-up never ends"; fi
	$T send-keys -t dash Space
	check "space pauses" "PAUSED" 2
	$T send-keys -t dash q
	wait_status
	if grep -q "node: web1" "$tmp/rec.yaml" && grep -q "replications: 1" "$tmp/rec.yaml"; then
		ok
	else
		ko "the recording lacks the crash of web1"
	fi
	replays_the_same
	$T kill-session -t dash 2>/dev/null
done

# The a key: on scenarios/autoscale.yaml it switches the scenario's
# autoscaler off; on web-crash.yaml (no autoscaler) it starts the default
# one.  Either way the recording carries autoscale.schedule and replays to
# the dashboard's very report.
term=xterm-256color
for case in "autoscale.yaml|autoscaler: on (app)|operator: autoscaler off|autoscaler: off (app)|false" \
	    "web-crash.yaml|autoscaler: none|operator: autoscaler on (new, app|autoscaler: on (app)|true"; do
	file=${case%%|*}; rest=${case#*|}
	before=${rest%%|*}; rest=${rest#*|}
	action=${rest%%|*}; rest=${rest#*|}
	after=${rest%%|*}; entry=${rest#*|}
	rm -f "$tmp/status" "$tmp/report.txt" "$tmp/rec.yaml" "$tmp/err.txt"
	$T new-session -d -s dash -x 80 -y 24 \
		"cd '$(pwd)' && TERM=$term '$TIERSIM' dash scenarios/$file --speed 100 \
		--duration 3m --record '$tmp/rec.yaml' >'$tmp/report.txt' 2>'$tmp/err.txt'; \
		echo \$? >'$tmp/status'; sleep 600"
	check "$file: the autoscaler's state shows" "$before" 10
	if wait_gone "warm-up" 30; then ok; else ko "$file: the warm-up never ends"; fi
	$T send-keys -t dash a
	check "$file: a is logged" "$action" 5
	check "$file: the new state shows" "$after" 5
	$T send-keys -t dash q
	wait_status
	if grep -q "^  schedule:" "$tmp/rec.yaml" && grep -q "^    enabled: $entry" "$tmp/rec.yaml"; then
		ok
	else
		ko "$file: the recording lacks the autoscaler's switch (enabled: $entry)"
	fi
	replays_the_same
	$T kill-session -t dash 2>/dev/null
done

echo "dash_tmux: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
