#!/bin/bash
# @bacnet-js/client (npm) against the application layer behind a minimal
# B/IP front (tests/e2e/app-udp): Who-Is/I-Am, RPM ALL of the Device and
# both Network Ports (segmented answers), WriteProperty, a refused write,
# and a live SC_Hub_Connector_State change.  Loopback only.
set -eu
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)
bin="$top_builddir/tests/e2e/app-udp"
[ -x "$bin" ] || { echo "missing $bin (make)"; exit 1; }
. "$top_srcdir/tests/e2e/node-env.sh"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(( 34000 + (RANDOM % 2000) * 2 ))
(cd "$work" && exec "$bin" 127.0.0.2 127.255.255.255 "$port" 20) \
	>"$work/ours" 2>&1 &
ours=$!
for _ in $(seq 50); do
	grep -q ready "$work/ours" && break
	sleep 0.1
done
rc=0
node "$top_srcdir/tests/e2e/app_client.js" "$port" 127.0.0.2 "$work" \
	>"$work/npm" 2>&1 || rc=$?
kill "$ours" 2>/dev/null || true
echo "--- @bacnet-js/client (exit $rc)"
sed 's/^/  /' "$work/npm"
[ "$rc" -eq 0 ]
