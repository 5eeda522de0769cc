#!/bin/sh
# Run a program under valgrind memcheck for `make check VALGRIND=1`: any
# invalid access, use of uninitialised memory or definite leak fails it
# (exit 99).  The suppressions cover libraries' own leaks only, each with
# its reason (tests/fuzz/lsan.supp says the same for LeakSanitizer).
# usage: valgrind-run.sh PROGRAM ARGS...
# It runs with any PATH, even an empty one (a test hiding gnuplot): it needs
# no command from PATH when VALGRIND_PROGRAM names valgrind.
here=${0%/*}
exec "${VALGRIND_PROGRAM:-valgrind}" --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions="$here/valgrind.supp" "$@"
