#!/usr/bin/env bash
# Two bacsc-routers in a row, each with its own network numbers:
#   B/IP 33 --[A]-- B/IP 31 --[B]-- B/IP 34
#   SC 41 (A's hub) -+              +- SC 42 (B's hub)
# Routes are learned from I-Am-Router-To-Network (A from B's announcement
# at start, B from A's answers to its Who-Is-Router-To-Network) on the
# shared network 31, whose ports say `learn = true` (the default; with
# false a port learns no route at all);
# `bacsc-routerctl routes --json` shows them with the other router as next
# hop.  SC <-> SC: an SC client (bacsc-scdev -s) on network 41 finds and
# reads an SC device on network 42.  B/IP <-> B/IP (raw UDP, two_hop.py):
# a global broadcast sent with hop count 200 arrives with 198; a request
# and its answer cross both routers.  In the capture, the SC client's
# NPDUs cross network 31 with hop count 254.  tshark finds no malformed
# packet (TLS decrypted with the key log).
. "$(dirname "$0")/e2e-lib.sh"
read -r hub_a hub_b < <(e_free_tcp 2)
ua=$E_UDP ue=$((E_UDP + 1)) ub=$((E_UDP + 2))
a_lan=127.0.3.$E_N a_edge=127.0.5.$E_N
b_lan=127.0.4.$E_N b_edge=127.0.6.$E_N
vmac_b=02:00:00:00:74:02
# router NAME INSTANCE LAN_IP EDGE_NET EDGE_IP EDGE_PORT SC_NET HUB_PORT:
# B/IP 31 on LAN_IP (learning routes), B/IP EDGE_NET, and SC_NET with its
# own hub; started and waited for.
router() {
	e_router_conf "$1" "$2" <<CONF
bip = ( { name = "lan"; network = 31; bind = "$3"; port = $ua;
          broadcast = "127.255.255.255"; learn = true; },
        { name = "edge"; network = $4; bind = "$5"; port = $6;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc"; network = $7; vmac = "random"; $(e_sc_common)
         primary_hub = "wss://127.0.0.1:$8/";
         hub_function = { enabled = true; listen = "127.0.0.1:$8"; }; } );
CONF
	e_router_start "$1"
	e_ok "router $1 up: B/IP 31 on $3:$ua, B/IP $4 on $5:$6, SC $7"
}
e_capture_start "udp portrange $ua-$ub or tcp port $hub_a or tcp port $hub_b"
router ra 4101 "$a_lan" 33 "$a_edge" "$ue" 41 "$hub_a"
router rb 4102 "$b_lan" 34 "$b_edge" "$ub" 42 "$hub_b"
e_scdev devb "$hub_b" 1 "$vmac_b" 7402 sc-device-7402 -V 55.25
e_ok "bacsc-scdev 7402 on router B's hub (SC network 42), VMAC $vmac_b"

# The routes each router learned, with the other one as next hop.
routes_ok() {	# ROUTER NEXT_HOP NET...
	local r=$1 nh=$2
	shift 2
	"$E_CTL" -s "$W/$r.sock" --json routes | python3 -c '
import json, sys
d = json.load(sys.stdin)
rs = d["routes"] if isinstance(d, dict) else d
nh, want = sys.argv[1], [int(x) for x in sys.argv[2:]]
ok = True
for n in want:
    m = [x for x in rs if x["network"] == n]
    good = len(m) == 1 and m[0]["port"] == "lan" and not m[0]["direct"] \
        and not m[0]["configured"] and m[0].get("next_hop") == nh
    print("  network %d: %s" % (n, json.dumps(m[0]) if m else "no route"))
    ok = ok and good
sys.exit(0 if ok else 1)' "$nh" "$@"
}
# A heard B's announcement at B's start; B hears A's answer to a
# Who-Is-Router-To-Network (no network) sent now on network 31.  No
# traffic has crossed yet, so these routes come from I-Am-Router only.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(bytes.fromhex("810b0007" "0180" "00"), ("127.255.255.255", int(sys.argv[2])))
' "127.0.7.$E_N" "$ua"
sleep 0.3
routes_ok ra "$b_lan:$ua" 34 42 || e_fail "router A's learned routes"
e_ok "router A learned networks 34 and 42 via router B ($b_lan:$ua)"
routes_ok rb "$a_lan:$ua" 33 41 || e_fail "router B's learned routes"
e_ok "router B learned networks 33 and 41 via router A ($a_lan:$ua)"
for r in ra rb; do
	n=$(e_counter $r learn_new) k=$(e_counter $r learn_return)
	[ "$n" -eq 2 ] && [ "$k" -eq 0 ] ||
		e_fail "router $r: learn_new=$n learn_return=$k (want 2 and 0)"
done
e_ok "both from I-Am-Router-To-Network: learn_new 2 and learn_return 0 on each"

# SC <-> SC: global Who-Is (7402..7402) and a ReadProperty of the
# present value, from a client on router A's hub.
objid=$(printf '%08x' $(( (8 << 22) | 7402 )))
hex_b=${vmac_b//:/}
timeout -s TERM 4 "$E_SCDEV" -H "wss://127.0.0.1:$hub_a/" \
	-c "$W/pki/node2.pem" -k "$W/pki/node2.key" -a "$W/pki/ca.pem" \
	-v random -i 9002 -n sc-client -q -s "65535::10080a1cea1a1cea" \
	-s "42:$hex_b:0005070c0c008000011955" >"$W/c1.out" 2>"$W/c1.log" || true
sed 's/^/  /' "$W/c1.out" | grep '^  RX' || true
grep -q "^RX net=42 mac=$hex_b apdu=1000c4$objid" "$W/c1.out" ||
	e_fail "SC client on network 41: no I-Am of 7402 from network 42"
e_ok "SC 41 -> SC 42: I-Am of 7402 with SNET 42, SADR $vmac_b"
grep -q "^RX net=42 mac=$hex_b apdu=3007.*3e44425d00003f" "$W/c1.out" ||
	e_fail "SC client on network 41: ReadProperty of 7402 not answered"
e_ok "SC 41 -> SC 42: ReadProperty present-value 55.25 answered"

# B/IP <-> B/IP, raw UDP with the hop count.
python3 "$top_srcdir/tests/e2e/two_hop.py" "$a_edge" "$ue" \
	"127.0.5.$((E_N + 1))" 33 "127.0.6.$((E_N + 1))" "$ub" 34 200 \
	>"$W/hop.out" 2>&1 || { cat "$W/hop.out"; e_fail "B/IP 33 <-> B/IP 34"; }
sed 's/^/  /' "$W/hop.out"

e_capture_check -d "tcp.port==$hub_a,tls" -d "tcp.port==$hub_b,tls" \
	-d "udp.port==$ua,bvlc" -d "udp.port==$ue,bvlc" -d "udp.port==$ub,bvlc"
if [ -f "$W/cap.pcap" ]; then
	# Between the routers (network 31): the SC client's NPDUs (SNET 41,
	# sent with hop count 255) with 254, the raw ones (SNET 33, sent
	# with 200) with 199.
	hops() {
		tshark -r "$W/cap.pcap" -d "udp.port==$ua,bvlc" \
			-Y "udp.dstport==$ua && bacnet.snet==$1 && bacnet.hopc" \
			-T fields -e bacnet.hopc 2>/dev/null | sort -u | tr '\n' ' '
	}
	h41=$(hops 41) h33=$(hops 33)
	[ "$h41" = "254 " ] || e_fail "hop counts of SNET 41 on network 31: '$h41'"
	[ "$h33" = "199 " ] || e_fail "hop counts of SNET 33 on network 31: '$h33'"
	e_ok "on network 31: SNET 41 NPDUs with hop count 254, SNET 33 with 199"
fi
echo "route-two-routers.sh: all passed"
