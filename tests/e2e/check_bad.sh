#!/bin/sh
# End to end: `tiersim check` as a user runs it on the bad-input catalogue.
# Each tests/bad/NAME.yaml must exit 2 with nothing on stdout and exactly the
# first line of NAME.err as the first line on stderr; a generated file over
# 1 MiB must be refused the same way; the shipped baseline must pass (exit 0,
# YAML on stdout, nothing on stderr).  Run from the repository root;
# TIERSIM names the binary (default ./tiersim).
TIERSIM=${TIERSIM:-./tiersim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiersim_e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

# expect_bad FILE EXPECTED-FIRST-LINE
expect_bad() {
	"$TIERSIM" check "$1" >"$tmp/out" 2>"$tmp/err"
	status=$?
	got=$(head -n 1 "$tmp/err")
	if [ "$status" -ne 2 ]; then
		echo "check_bad: $1: exit status $status, expected 2" >&2
		fail=1
	elif [ -s "$tmp/out" ]; then
		echo "check_bad: $1: wrote to stdout" >&2
		fail=1
	elif [ "$got" != "$2" ]; then
		echo "check_bad: $1:" >&2
		echo "  expected $2" >&2
		echo "  got      $got" >&2
		fail=1
	fi
	count=$((count + 1))
}

for yaml in tests/bad/*.yaml; do
	expect_bad "$yaml" "$(head -n 1 "${yaml%.yaml}.err")"
done

huge="$tmp/huge.yaml"
printf 'name: huge\ndescription: ' >"$huge"
head -c 1100000 /dev/zero | tr '\0' 'x' >>"$huge"
expect_bad "$huge" "$huge:1:1: error: scenario is larger than 1 MiB ($((1024 * 1024 + 1)) bytes); a scenario is a page of keys, not data"

if ! "$TIERSIM" check scenarios/baseline.yaml >"$tmp/out" 2>"$tmp/err"; then
	echo "check_bad: scenarios/baseline.yaml does not pass 'tiersim check':" >&2
	cat "$tmp/err" >&2
	fail=1
elif [ -s "$tmp/err" ] || ! grep -q '^name: baseline$' "$tmp/out"; then
	echo "check_bad: scenarios/baseline.yaml: unexpected output" >&2
	fail=1
fi

# The resolved scenario is itself a valid scenario that resolves to itself.
if [ $fail -eq 0 ]; then
	cp "$tmp/out" "$tmp/resolved.yaml"
	if ! "$TIERSIM" check "$tmp/resolved.yaml" >"$tmp/again" 2>"$tmp/err" ||
		! cmp -s "$tmp/out" "$tmp/again"; then
		echo "check_bad: the resolved baseline does not resolve to itself" >&2
		fail=1
	fi
fi

if [ $fail -eq 0 ]; then
	echo "check_bad: $count bad scenarios refused with their messages; baseline passes"
fi
exit $fail
