#!/usr/bin/env bash
# Network-layer messages to the real bacsc-router over raw UDP (the npm
# library drops them): Who-Is-Router-To-Network with and without a
# network, and an unknown DNET answered with Reject-Message-To-Network
# reason 1 after the search, as clause 6 says; tshark finds no malformed
# packet.
. "$(dirname "$0")/e2e-lib.sh"
read -r hub < <(e_free_tcp 1)
rip=127.0.3.$E_N
e_capture_start "udp port $E_UDP or tcp port $hub"
e_router r1 12 22 "$rip" "$hub"
e_ok "bacsc-router up: B/IP network 12 on $rip:$E_UDP, SC network 22"
python3 "$top_srcdir/tests/e2e/route_nl.py" "$rip" "$E_UDP" \
	"127.0.5.$E_N" 12 22 >"$W/nl.out" 2>&1 ||
	{ cat "$W/nl.out"; e_fail "network-layer checks"; }
sed 's/^/  /' "$W/nl.out"
n=$(e_counter r1 reject_sent_1)
[ "$n" -ge 1 ] || e_fail "router counter reject_sent_1 is $n"
e_ok "router counted reject_sent_1=$n"
e_capture_check -d "tcp.port==$hub,tls" -d "udp.port==$E_UDP,bvlc"
echo "route-nl.sh: all passed"
