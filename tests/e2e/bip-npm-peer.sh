#!/bin/bash
# Our B/IP port against an independent BACnet/IP implementation
# (@bacnet-js/client from npm, pinned in package-lock.json):
#  1. plain: both on one loopback "subnet"; each one's Who-Is is seen by
#     the other and answered with an I-Am the other parses;
#  2. fd: the npm peer registers as a foreign device with our port acting
#     as BBMD, reaches us with Distribute-Broadcast-To-Network and parses
#     the I-Am we forward to it.
set -eu
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin="$top_builddir/tests/bip/bip-e2e"
[ -x "$bin" ] || { echo "missing $bin (make check builds it)"; exit 1; }
. "$top_srcdir/tests/e2e/node-env.sh"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail=0

run() {	# name peer-mode port peer-port our-options...
	local name=$1 pmode=$2 port=$3 pport=$4 ours rc_ours rc_npm
	shift 4
	"$bin" peer -b 127.0.0.2 -p "$port" -B 127.255.255.255 -t 10 \
		-d 1234 -e 5678 -w "$@" >"$work/$name.ours" 2>&1 &
	ours=$!
	# wait until our port is bound
	for _ in $(seq 50); do
		grep -q 'ready' "$work/$name.ours" && break
		sleep 0.1
	done
	rc_npm=0
	node "$top_srcdir/tests/e2e/bip_peer.js" "$pmode" "$pport" \
		"127.0.0.2:$port" >"$work/$name.npm" 2>&1 || rc_npm=$?
	rc_ours=0
	wait "$ours" || rc_ours=$?
	echo "--- $name: ours (exit $rc_ours)"
	sed 's/^/  /' "$work/$name.ours"
	echo "--- $name: @bacnet-js/client (exit $rc_npm)"
	sed 's/^/  /' "$work/$name.npm" | sort | uniq -c | head -20
	if [ "$rc_ours" -ne 0 ] || [ "$rc_npm" -ne 0 ]; then
		echo "FAIL: $name"
		fail=$((fail + 1))
	fi
}

base=$(( 30000 + (RANDOM % 2000) * 4 ))
run plain plain "$base" "$base" -m plain
p=$((base + 1))
run fd fd "$p" "$((base + 2))" -m bbmd -T "127.0.0.2:$p/32" -F 1
[ "$fail" -eq 0 ]
