#!/usr/bin/env bash
# The router itself as a BACnet device, seen by @bacnet-js/client (npm) on
# its B/IP network: the real bacsc-router on loopback, its SC port on two
# bacsc-hub processes (primary and failover), its own hub function with one
# bacsc-scdev on it.  The client discovers the router by Who-Is, reads
# every property of the Device and of both Network Port objects with
# ReadPropertyMultiple ALL and checks the decoded values; the primary hub
# is then killed and the client sees SC_Hub_Connector_State become
# connected-to-failover and the primary's connection status record the
# disconnect.  The B/IP port is a BBMD with one foreign device registered:
# its BDT and FDT show in the Network Port; its subnet mask, gateway, DNS
# servers, DHCP and link speed equal what iproute2 and resolv.conf say.  tshark decodes everything (TLS with the key log) and must
# find no malformed packet.
. "$(dirname "$0")/e2e-lib.sh"
read -r hr < <(e_free_tcp 1)
rip=127.0.4.$E_N
inst=$((4100000 + E_N))

# start_hub NAME: a bacsc-hub on 127.0.0.1, on a port the kernel picks;
# sets NAME_pid and NAME_port.
start_hub() {
	e_hub "$1" 0
	disown "$E_HUB_PID"	# killed on purpose below: no job notice
	eval "$1_pid=$E_HUB_PID $1_port=$E_HUB_PORT"
}

start_hub primary
start_hub failover
hp=$primary_port hf=$failover_port
e_capture_start "udp port $E_UDP or udp port $((E_UDP + 1)) or tcp port $hp or tcp port $hf or tcp port $hr"
mkdir -p "$W/r1-state"
cat >"$W/r1.conf" <<CONF
device = { instance = $inst; name = "router-$E_N"; uuid = "generate";
           description = "e2e device"; location = "loopback"; };
bip = ( { name = "bip0"; network = 31; bind = "$rip"; port = $E_UDP;
          broadcast = "127.255.255.255"; mode = "bbmd";
          bdt = ( { address = "$rip:$E_UDP"; } ); fdt_limit = 4; } );
sc = ( { name = "sc0"; network = 41; vmac = "02:00:00:00:41:01";
         primary_hub = "wss://127.0.0.1:$hp/";
         failover_hub = "wss://127.0.0.1:$hf/";
         tls = { certificate = "$W/pki/node1.pem"; key = "$W/pki/node1.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 4;
                    heartbeat = 30; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hr"; };
       } );
log = { level = "info"; target = "stderr"; };
control = { socket = "$W/r1.sock"; mode = "0600"; };
state_dir = "$W/r1-state";
CONF
e_router_start r1
e_ok "bacsc-router up: device $inst on $rip:$E_UDP, primary hub $hp, failover $hf, own hub function $hr"
e_scdev dev1 "$hr" 2 02:00:00:00:41:02 7101 sc-device-7101
e_ok "bacsc-scdev on the router's hub function"
# A foreign device registers (TTL 60) from another "subnet".
fip=127.0.9.$E_N
fport=$((E_UDP + 1))
python3 - "$rip" "$E_UDP" "$fip" "$fport" <<'PY' || e_fail "foreign device registration"
import socket, sys
rip, rport, fip, fport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((fip, fport))
s.settimeout(3)
s.sendto(bytes([0x81, 0x05, 0x00, 0x06, 0x00, 60]), (rip, rport))
data, _ = s.recvfrom(100)
sys.exit(0 if data == bytes([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]) else 1)
PY
e_ok "foreign device $fip:$fport registered with the router's BBMD"

# The B/IP port's mask, gateway, DNS servers, DHCP and link speed come
# from the system: iproute2 and resolv.conf say what they must be.
expect=$(python3 "$top_srcdir/tests/e2e/netport_expect.py" "$rip") ||
	e_fail "netport_expect.py"
node "$top_srcdir/tests/e2e/daemon_device.js" "$E_UDP" "$inst" \
	"router-$E_N" "$rip" "$primary_pid" "$fip" "$fport" "$expect" \
	>"$W/client.out" 2>&1 ||
	{ cat "$W/client.out"; e_fail "@bacnet-js/client scenario"; }
grep -v '^REVISION' "$W/client.out" | sed 's/^/  /'
e_status r1 | grep '"connected_to":"failover"' >/dev/null ||
	e_fail "the control socket does not show the failover hub"
e_ok "control socket agrees: connected to the failover hub"

# Database_Revision is kept in the state folder; a reload that changes
# nothing keeps it, a reload that renames the device adds one.
rev=$(sed -n 's/^REVISION //p' "$W/client.out")
kept=$(cut -d' ' -f1 "$W/r1-state/database_revision")
[ "$kept" = "$rev" ] || e_fail "state_dir keeps revision $kept, the device said $rev"
"$E_CTL" -s "$W/r1.sock" reload >/dev/null || e_fail "reload"
kept=$(cut -d' ' -f1 "$W/r1-state/database_revision")
[ "$kept" = "$rev" ] || e_fail "after a reload without change the kept revision is $kept, not $rev"
sed -i "s/name = \"router-$E_N\"/name = \"router-$E_N-renamed\"/" "$W/r1.conf"
"$E_CTL" -s "$W/r1.sock" reload >/dev/null || e_fail "reload"
kept=$(cut -d' ' -f1 "$W/r1-state/database_revision")
[ "$kept" = "$((rev + 1))" ] || e_fail "after a reload that renames the device the kept revision is $kept, not $((rev + 1))"
e_ok "Database_Revision $rev kept in state_dir and by a reload without change; $kept after a rename"

# Writes of texts over BACnet come from anyone: 40 WriteProperty requests
# in a burst cost at most two file writes (the first at once, one for the
# rest after 5 s), not 40 fsyncs in the event loop.
dbw() { e_status r1 | python3 -c 'import json,sys; d=json.load(sys.stdin)["device"]; print(d["database_revision_writes"], d["database_revision"])'; }
read -r w0 _ < <(dbw)
python3 - "$rip" "$E_UDP" "$inst" <<'PY' || e_fail "WriteProperty burst"
import socket, struct, sys
rip, rport, inst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(3)
oid = struct.pack(">I", 8 << 22 | inst)
for i in range(40):
    text = ("burst-%02d" % i).encode()
    apdu = bytes([0x00, 0x05, i, 0x0F, 0x0C]) + oid + bytes([0x19, 58, 0x3E,
        0x75, len(text) + 1, 0x00]) + text + bytes([0x3F])
    npdu = bytes([0x01, 0x04]) + apdu
    s.sendto(bytes([0x81, 0x0A]) + struct.pack(">H", len(npdu) + 4) + npdu,
        (rip, rport))
acks = set()
while len(acks) < 40:
    data, _ = s.recvfrom(1500)
    if len(data) >= 9 and data[6] == 0x20 and data[8] == 0x0F:
        acks.add(data[7])
PY
read -r w1 rev1 < <(dbw)
[ $((w1 - w0)) -le 1 ] || e_fail "40 writes of Location wrote the state file $((w1 - w0)) times at once"
sleep 5.5
read -r w2 rev2 < <(dbw)
kept=$(cut -d' ' -f1 "$W/r1-state/database_revision")
[ $((w2 - w0)) -le 2 ] && [ "$kept" = "$rev2" ] ||
	e_fail "after the burst: $((w2 - w0)) state writes, kept revision $kept, device $rev2"
e_ok "40 WriteProperty requests: $((w2 - w0)) state file writes, revision $rev2 kept"

e_capture_check -d "tcp.port==$hp,tls" -d "tcp.port==$hf,tls" \
	-d "tcp.port==$hr,tls" -d "udp.port==$E_UDP,bvlc"
if [ -f "$W/cap.pcap" ]; then
	dec=(-d "udp.port==$E_UDP,bvlc")
	tshark -r "$W/cap.pcap" "${dec[@]}" -V >"$W/cap.txt" 2>/dev/null || true
	want() { grep -qF "$1" "$W/cap.txt" || e_fail "tshark did not decode: $1"; }
	want "network-type:  secure-connect (11)"
	want "sc-hub-connector-state:  connected-to-primary (1)"
	want "sc-hub-connector-state:  connected-to-failover (2)"
	want "Property Identifier: bacnet-ip-dns-server (406)"
	want "Property Identifier: bacnet-ip-dhcp-enable (402)"
	n=$(tshark -r "$W/cap.pcap" "${dec[@]}" \
		-Y "bacapp.type == 3 && ip.src == $rip" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || e_fail "no Complex-ACK from the router in the capture"
	e_ok "tshark decodes $n Complex-ACK frames from the router"
fi
echo "daemon-device.sh: all passed"
