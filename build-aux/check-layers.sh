#!/bin/sh
# The dependency rule of DESIGN.md §1, read from the #include lines:
#   sim/ includes nothing of ours above it; models/ only sim/;
#   scenarios/ sim/ and models/; report/ sim/ and models/ (results only).
# cli/ and tests/ may include everything.  The linker enforces calls.
status=0
check() { # folder, forbidden prefixes...
	dir=$1; shift
	for bad in "$@"; do
		hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"($bad)/" "$dir"/*.[ch] 2>/dev/null)
		if [ -n "$hits" ]; then
			echo "check-layers: $dir/ must not include $bad/:" >&2
			echo "$hits" >&2
			status=1
		fi
	done
}
check sim models scenarios report cli
check models scenarios report cli
check scenarios report cli
check report scenarios cli
[ $status -eq 0 ] && echo "check-layers: includes point down the layers"
exit $status
