#!/bin/bash
# B/IP ports on loopback: plain unicast/broadcast, a BBMD pair joining two
# "subnets" (two UDP ports), a foreign device, management requests.
set -eu
bin="$top_builddir/tests/bip/bip-e2e"
[ -x "$bin" ] || { echo "missing $bin (make check builds it)"; exit 1; }
# four consecutive ports, away from those of other tests running at once
base=$(( 20000 + (RANDOM % 2000) * 4 ))
exec "$bin" loopback "$base"
