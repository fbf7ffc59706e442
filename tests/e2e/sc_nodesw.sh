#!/usr/bin/env bash
# Node switch end to end (issue 8), on 127.0.0.1 over real TLS: our hub
# function and three of our nodes with node switches in one process
# (tests/sc_nodesw_e2e): address resolution through the hub, a direct
# connection taking the traffic off the hub (hub counters), the connection
# cap, and a direct connection killed mid-stream (fallback to the hub,
# nothing reordered, losses no more than counted).
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
prog=$top_builddir/tests/sc_nodesw_e2e
[ -x "$prog" ] || { echo "missing $prog (run make check first)"; exit 1; }
work=$(mktemp -d /tmp/sc_nodesw_e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$top_srcdir/tools/bacsc-testpki" -q -n 3 "$work/pki"
if ! "$prog" "$work/pki" 2>"$work/err"; then
	echo "FAIL: sc_nodesw_e2e"
	tail -n 40 "$work/err"
	exit 1
fi
