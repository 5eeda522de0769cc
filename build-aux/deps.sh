#!/bin/sh
# Check that the libraries and tools tiersim needs are installed; when they are
# not, install Debian's packages with apt-get (as root, or through sudo without
# a password), or stop with one line saying what to run.
# Inputs (environment): DEB_PACKAGES, PKG_MODULES.
set -u

missing() {
	for m in $PKG_MODULES; do
		pkg-config --exists "$m" 2>/dev/null || return 0
	done
	[ -f /usr/include/csv.h ] || return 0
	command -v gnuplot >/dev/null 2>&1 || return 0
	command -v tmux >/dev/null 2>&1 || return 0
	return 1
}

missing || exit 0

if [ "$(id -u)" = 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "tiersim: missing build dependencies; install them with: sudo apt-get install -y $DEB_PACKAGES" >&2
	exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "tiersim: missing build dependencies and no apt-get here; install the equivalents of: $DEB_PACKAGES" >&2
	exit 1
fi

echo "tiersim: installing build dependencies: $DEB_PACKAGES" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || { echo "tiersim: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $DEB_PACKAGES >&2 ||
	{ echo "tiersim: apt-get install failed for: $DEB_PACKAGES" >&2; exit 1; }

if missing; then
	echo "tiersim: dependencies still missing after installing: $DEB_PACKAGES" >&2
	exit 1
fi
