#!/usr/bin/env bash
# B/IP client -> bacsc-router -> SC device, with real software on both
# ends: @bacnet-js/client (npm) on the B/IP network, bacsc-scdev on the
# router's own SC hub.  Who-Is (local, remote, global), I-Am with SNET/SADR,
# ReadProperty, WriteProperty read back, RPM ALL, a >1400-octet answer; the router's counters
# show the traffic; tshark finds no malformed packet (TLS decrypted).
. "$(dirname "$0")/e2e-lib.sh"
read -r hub < <(e_free_tcp 1)
rip=127.0.3.$E_N
vmac=02:00:00:00:70:01
e_capture_start "udp port $E_UDP or tcp port $hub"
e_router r1 11 21 "$rip" "$hub"
e_ok "bacsc-router up: B/IP network 11 on $rip:$E_UDP, SC network 21, hub port $hub"
e_scdev dev1 "$hub" 1 "$vmac" 7001 "sc-device-7001" -V 21.5 -A 20
e_ok "bacsc-scdev 7001 on the hub, VMAC $vmac"
node "$top_srcdir/tests/e2e/route_bip_sc.js" "$E_UDP" 21 7001 \
	"${vmac//:/}" sc-device-7001 21.5 16 >"$W/client.out" 2>&1 ||
	{ cat "$W/client.out"; e_fail "@bacnet-js/client scenario"; }
sed 's/^/  /' "$W/client.out"
fwd=$(e_counter r1 fwd_last_hop 2>/dev/null || echo 0)
echo "router counters: $(e_status r1 | python3 -c '
import json,sys; c=json.load(sys.stdin)["counters"]
print(" ".join("%s=%s" % (k, v) for k, v in c.items() if v))')"
[ "$fwd" -gt 0 ] || e_fail "router counted no forwarded NPDU"
e_capture_check -d "tcp.port==$hub,tls" -d "udp.port==$E_UDP,bvlc"
if [ -f "$W/cap.pcap" ]; then
	# The RPM ALL of 16 Analog Values: the router's largest datagram.
	big=$(tshark -r "$W/cap.pcap" -Y "ip.src==$rip && udp.srcport==$E_UDP" \
		-T fields -e udp.length 2>/dev/null | sort -n | tail -n 1)
	[ "${big:-0}" -ge 1408 ] || e_fail "largest routed answer only ${big:-0} UDP octets"
	e_ok "largest answer forwarded to the B/IP client: $((big - 8)) octets of BVLL"
fi
echo "route-bip-sc.sh: all passed"
