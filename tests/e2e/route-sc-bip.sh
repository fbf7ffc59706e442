#!/usr/bin/env bash
# SC client -> bacsc-router -> B/IP device: bacsc-scdev in client mode (-s)
# on the router's hub, a B/IP device simulated with @bacnet-js/client.
#  1. the library as it is answers a routed Who-Is with hop count 0: the
#     router drops the I-Am (nothing arrives at the SC client) and counts
#     it (drop_hop_count);
#  2. with its transport wrapped to send hop count 255: a local Who-Is (on
#     the SC network only) does not reach it; a remote Who-Is (DNET = the
#     B/IP network) and a global Who-Is do, and both I-Ams arrive with
#     SNET = B/IP network and SADR = its IP:port; ReadProperty of its
#     object name and present value are answered.
# tshark finds no malformed packet (TLS decrypted with the key log).
. "$(dirname "$0")/e2e-lib.sh"
read -r hub < <(e_free_tcp 1)
rip=127.0.3.$E_N
inst=5601
e_capture_start "udp port $E_UDP or tcp port $hub"
e_router r1 13 23 "$rip" "$hub"
e_ok "bacsc-router up: B/IP network 13 on $rip:$E_UDP, SC network 23"
# The device binds 0.0.0.0:$E_UDP and reaches the router from 127.0.0.1.
dmac=$(printf '7f000001%04x' "$E_UDP")
objid=$(printf '%08x' $(( (8 << 22) | inst )))

start_dev() {	# $1: fix|nofix
	node "$top_srcdir/tests/e2e/bip_device.js" "$E_UDP" "$inst" \
		"bip-device-$inst" 19.75 "$1" >"$W/dev-$1.out" 2>&1 &
	dev=$!
	E_PIDS+=($dev)
	local i
	for i in $(seq 100); do
		grep -q ready "$W/dev-$1.out" && return 0
		sleep 0.1
	done
	e_fail "B/IP device did not start"
}
client() {	# $1: log name; rest: -s requests
	local log=$1
	shift
	timeout -s TERM 4 "$E_SCDEV" -H "wss://127.0.0.1:$hub/" \
		-c "$W/pki/node2.pem" -k "$W/pki/node2.key" -a "$W/pki/ca.pem" \
		-v random -i 9002 -n sc-client -q "$@" >"$W/$log.out" \
		2>"$W/$log.log" || true
}
iam="1000c4$objid"

# 1. hop count 0, as the library sends it
start_dev nofix
d0=$(e_counter r1 drop_hop_count)
client c0 -s "65535::1008"
d1=$(e_counter r1 drop_hop_count)
grep -q '"event":"whoIs"' "$W/dev-nofix.out" || e_fail "the Who-Is did not reach the B/IP device"
grep -q "apdu=$iam" "$W/c0.out" && e_fail "an I-Am with hop count 0 was forwarded"
[ "$d1" -gt "$d0" ] || e_fail "drop_hop_count did not grow ($d0 -> $d1)"
e_ok "hop count 0 I-Am dropped by the router: drop_hop_count $d0 -> $d1, nothing arrived"
kill -TERM "$dev"; wait "$dev" 2>/dev/null || true

# 2. hop count 255 (wrapped transport).  The local and the remote Who-Is
# carry different ranges (5601..5601 and 5600..5602), so the device's log
# tells which one reached it.
start_dev fix
client c1 -s "0::10080a15e11a15e1" -s "13::10080a15e01a15e2" -s "65535::1008" \
	-s "13:$dmac:0005010c0c${objid}194d" \
	-s "13:$dmac:0005020c0c008000011955"
sed 's/^/  /' "$W/c1.out" | grep -v '^  STATS' || true
whois_seen() {	# $1: the Who-Is's low limit, or "none"
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("event") == "whoIs" and str(m.get("low", "none")) == sys.argv[2]:
        n += 1
print(n)' "$W/dev-fix.out" "$1"
}
[ "$(whois_seen 5601)" -eq 0 ] || e_fail "a local Who-Is on the SC network reached the B/IP device"
e_ok "local Who-Is (SC network only): not forwarded to the B/IP device"
[ "$(whois_seen 5600)" -eq 1 ] || e_fail "the remote Who-Is (DNET 13) reached the device $(whois_seen 5600) times"
[ "$(whois_seen none)" -eq 1 ] || e_fail "the global Who-Is reached the device $(whois_seen none) times"
n_iam=$(grep -c "^RX net=13 mac=$dmac apdu=$iam" "$W/c1.out" || true)
[ "$n_iam" -eq 2 ] || e_fail "$n_iam I-Am of $inst from net 13 / $dmac (want 2: remote and global)"
e_ok "remote (DNET 13) and global Who-Is: 2 I-Am of B/IP device $inst with SNET 13, SADR $dmac"
name_hex=$(printf 'bip-device-%s' "$inst" | od -An -tx1 | tr -d ' \n')
grep -q "^RX net=13 mac=$dmac apdu=3001.*${name_hex}" "$W/c1.out" ||
	e_fail "ReadProperty object-name not answered"
e_ok "ReadProperty object-name: bip-device-$inst"
grep -q "^RX net=13 mac=$dmac apdu=3002.*44419e0000" "$W/c1.out" ||
	e_fail "ReadProperty present-value not answered"
e_ok "ReadProperty present-value: 19.75"
e_capture_check -d "tcp.port==$hub,tls" -d "udp.port==$E_UDP,bvlc"
echo "route-sc-bip.sh: all passed"
