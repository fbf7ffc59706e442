#!/usr/bin/env bash
# SIGHUP (bacsc-routerctl reload) applies the hub function's limits, the
# node switch's policy and peers, and the listeners' handshake deadline at
# run time.  Two real routers on loopback: A hosts the hub function (and a
# node switch listener), B is a node of A's hub with a node switch that
# only initiates.  Checked, each with the reload answer's applied and
# deferred lists:
#  - connect_wait 20 -> 5 s: a TCP connection accepted after the reload
#    that sends nothing is closed after ~5 s, on both listeners, while one
#    accepted before it is still open (it keeps the deadline it started
#    with);
#  - hub_function.max_connections 3 -> 2 with 2 nodes connected: both
#    stay, a third is refused with a NAK; 2 -> 4 (the table grows): the
#    nodes are still listed with their VMACs, a third and a fourth are
#    admitted, a fifth refused;
#  - max_connections_per_source lowered to what 127.0.0.1 holds: a new
#    connection from it is refused (refused_per_source), the old stay;
#  - node_switch on B: policy on-demand -> configured with A as peer: B
#    opens a direct connection to A; A replaced by another peer: B closes
#    it (reload_closed);
#  - a second issuer file: a File object more in the Device's Object_List
#    (read over raw B/IP), Database_Revision one step up; removed again:
#    the File object goes;
#  - learn changed: applied; allow_plaintext_ws changed: deferred;
#  - an expired operational certificate: the reload is refused, A keeps
#    running with its certificate.
. "$(dirname "$0")/e2e-lib.sh"
PEER=$top_srcdir/tests/e2e/sc_reload_peer.py
read -r hub ns < <(e_free_tcp 2)
vmac_a=02:00:00:00:a1:01
vmac_b=02:00:00:00:b2:02
bip_ip=127.0.7.$E_N

ctl() { "$E_CTL" -s "$W/$1.sock" --json "${@:2}"; }
# reload NAME EXPR: reload NAME; EXPR (python, over the answer s) must hold.
reload() {
	local a
	a=$(ctl "$1" reload)
	echo "$a" | e_jq "$2" | grep -x True >/dev/null ||
		e_fail "reload of $1: want $2, got $a"
	echo "reload $1: $a"
}

# conf_a CONNECT_WAIT MAX_CONNECTIONS PER_SOURCE [CERT [EXTRA [CA_FILES]]]
conf_a() {
	local cert=${4:-hub} ca=${6:-\"$W/pki/ca.pem\"}
	e_router_conf ra 4201 <<CONF
bip = ( { name = "bip0"; network = $((E_N + 1)); bind = "$bip_ip";
          port = $E_UDP; broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = $E_N; vmac = "$vmac_a";
         tls = { certificate = "$W/pki/$cert.pem"; key = "$W/pki/$cert.key";
                 ca = [ $ca ]; };
         timers = { connect_wait = $1; min_reconnect = 2; max_reconnect = 5; };
         primary_hub = "wss://127.0.0.1:$hub/";
         hub_function = { enabled = true; listen = "127.0.0.1:$hub";
                          max_connections = $2;
                          max_connections_per_source = $3; };
         node_switch = { enabled = true; listen = "127.0.0.1:$ns";
                         accept_uris = [ "wss://127.0.0.1:$ns/" ];
                         policy = "never"; };
         ${5:-} } );
CONF
}
# conf_b POLICY [PEERS]
conf_b() {
	e_router_conf rb 4202 <<CONF
sc = ( { name = "sc0"; network = $E_N; vmac = "$vmac_b";
         tls = { certificate = "$W/pki/hub.pem"; key = "$W/pki/hub.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         # Heartbeats every 3 s: messages through A's hub table entries.
         timers = { connect_wait = 5; heartbeat = 3; min_reconnect = 2;
                    max_reconnect = 5; };
         primary_hub = "wss://127.0.0.1:$hub/";
         node_switch = { enabled = true; policy = "$1"; ${2:-} };
       } );
CONF
}
# st NAME EXPR: EXPR over the status s, with p the SC port sc0.
st() {
	e_status "$1" | e_jq "(lambda p: $2)([x for x in s['ports'] if x['name'] == 'sc0'][0])"
}
hubfn() { st ra "p['hub_function']$1"; }
# peers_are N: A's hub function lists N nodes (asked again at each call).
peers_are() { [ "$(hubfn "['peers']")" = "$1" ]; }

conf_a 20 3 16
e_router_start ra
conf_b on-demand
e_router_start rb
e_wait_for 10 peers_are 2 || e_fail "A's hub has not 2 nodes"
e_ok "router A (own hub function, node switch listener) and router B (a node of A's hub) up"

# ------------------------------------------------- handshake deadline
rm -f "$W/go"
python3 "$PEER" deadline 127.0.0.1 "$hub" "$W/go" >"$W/dl-hub.out" 2>&1 &
E_PIDS+=($!)
python3 "$PEER" deadline 127.0.0.1 "$ns" "$W/go" >"$W/dl-ns.out" 2>&1 &
E_PIDS+=($!)
s1_open() { grep -q '^S1' "$W/dl-hub.out" && grep -q '^S1' "$W/dl-ns.out"; }
e_wait_for 10 s1_open || e_fail "no first TCP connection"
conf_a 5 3 16
reload ra 's["ok"] and s["applied"]==["sc[0].timers.connect_wait"] and s["deferred"]==[]'
touch "$W/go"
closed() { grep -q '^S2' "$W/dl-hub.out" && grep -q '^S2' "$W/dl-ns.out"; }
e_wait_for 30 closed || e_fail "connections after the reload not closed in 30 s"
for f in dl-hub dl-ns; do
	read -r _ _ _ secs _ _ s1 < <(grep '^S2' "$W/$f.out")
	python3 -c "import sys; sys.exit(0 if 4.0 <= $secs <= 9.0 else 1)" ||
		e_fail "$f: closed after $secs s, want about 5 (connect_wait 5)"
	[ "$s1" = yes ] || e_fail "$f: the connection accepted before the reload was closed early"
done
e_ok "connect_wait 20 -> 5: new handshakes cut after $(grep '^S2' "$W/dl-hub.out" | cut -d' ' -f4) s (hub) and $(grep '^S2' "$W/dl-ns.out" | cut -d' ' -f4) s (node switch), the older ones still open"

# ---------------------------------------------- hub function max_connections
conf_a 5 2 16
reload ra 's["ok"] and s["applied"]==["sc[0].hub_function.max_connections"] and s["deferred"]==[]'
[ "$(hubfn "['max_connections']")" = 2 ] || e_fail "status max_connections is not 2"
[ "$(hubfn "['peers']")" = 2 ] || e_fail "a node was dropped by the lower limit"
full0=$(hubfn "['counters']['refused_full']")
out=$(python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub")
case $out in NAK*) ;; *) e_fail "a third node at max_connections 2: $out";; esac
[ "$(hubfn "['counters']['refused_full']")" -gt "$full0" ] || e_fail "refused_full not counted"
e_ok "max_connections 3 -> 2 with 2 nodes: both stay, a third is refused ($out)"

conf_a 5 4 16
reload ra 's["ok"] and s["applied"]==["sc[0].hub_function.max_connections"]'
vm=$(hubfn "['connected_peers']" | tr 'A-F' 'a-f')
case $vm in *"$vmac_a"*"$vmac_b"*|*"$vmac_b"*"$vmac_a"*) ;;
	*) e_fail "A and B not listed after the table grew: $vm";; esac
# Nodes 3 and 4 hold their connections until $W/release exists.
python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub" "$W/release" >"$W/n3.out" &
E_PIDS+=($!)
python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub" "$W/release" >"$W/n4.out" &
E_PIDS+=($!)
both_in() { grep -q ACCEPT "$W/n3.out" && grep -q ACCEPT "$W/n4.out"; }
e_wait_for 10 both_in || e_fail "nodes 3 and 4 not admitted at max_connections 4: $(cat "$W/n3.out" "$W/n4.out")"
[ "$(hubfn "['peers']")" = 4 ] || e_fail "A's hub does not list 4 nodes"
out=$(python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub")
case $out in NAK*) ;; *) e_fail "a fifth node at max_connections 4: $out";; esac
st rb "p['hub_connector']['connected_to']" | grep -x primary >/dev/null ||
	e_fail "B lost its hub connection"
touch "$W/release"
e_wait_for 10 peers_are 2 || e_fail "nodes 3 and 4 did not leave"
e_ok "max_connections 2 -> 4: A and B kept, two more admitted, a fifth refused"

# ---------------------------------------------- max_connections_per_source
conf_a 5 4 2
reload ra 's["ok"] and s["applied"]==["sc[0].hub_function.max_connections_per_source"]'
[ "$(hubfn "['listener']['max_connections_per_source']")" = 2 ] ||
	e_fail "status max_connections_per_source is not 2"
ps0=$(hubfn "['listener']['refused_per_source']")
out=$(python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub")
[ "$out" = CLOSED ] || e_fail "a third connection from 127.0.0.1 at 2 per source: $out"
[ "$(hubfn "['listener']['refused_per_source']")" -gt "$ps0" ] ||
	e_fail "refused_per_source not counted"
[ "$(hubfn "['peers']")" = 2 ] || e_fail "a node was dropped by the per-source limit"
conf_a 5 4 16
reload ra 's["ok"] and s["applied"]==["sc[0].hub_function.max_connections_per_source"]'
out=$(python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub")
[ "$out" = ACCEPT ] || e_fail "a node at 16 per source: $out"
e_ok "max_connections_per_source 16 -> 2 -> 16: refused at 2 (A and B kept), admitted again at 16"

# ---------------------------------------------- node switch policy, peers
dconns() { st "$1" "[ (c.get('initiated'), c['state'], c['vmac'].lower()) for c in p['direct_connections'] ]"; }
conf_b configured "peers = ( { vmac = \"$vmac_a\"; uri = \"wss://127.0.0.1:$ns/\"; } );"
reload rb 's["ok"] and sorted(s["applied"])==["sc[0].node_switch.peers","sc[0].node_switch.policy"] and s["deferred"]==[]'
up_b() { [ "$(dconns rb)" = "[(True, 'connected', '$vmac_a')]" ]; }
e_wait_for 15 up_b || e_fail "B opened no direct connection to A: $(dconns rb)"
up_a() { [ "$(dconns ra)" = "[(False, 'connected', '$vmac_b')]" ]; }
e_wait_for 5 up_a || e_fail "A does not list B's direct connection: $(dconns ra)"
[ "$(st rb "p['node_switch']['policy']")" = configured ] ||
	e_fail "B's status policy is not configured"
e_ok "node_switch on-demand -> configured with A as peer: B connected directly to A"
# A replaced by a peer nobody listens for (port 1): A's connection goes.
conf_b configured "peers = ( { vmac = \"02:00:00:00:c3:03\"; uri = \"wss://127.0.0.1:1/\"; } );"
reload rb 's["ok"] and s["applied"]==["sc[0].node_switch.peers"]'
gone() { [ "$(dconns rb)" = "[]" ] && [ "$(dconns ra)" = "[]" ]; }
e_wait_for 15 gone || e_fail "the direct connection stayed: B $(dconns rb), A $(dconns ra)"
[ "$(st rb "p['node_switch']['counters']['reload_closed']")" = 1 ] ||
	e_fail "reload_closed is not 1"
e_ok "peer A replaced: B closed its direct connection (reload_closed 1), A lists none"

# ---------------------------------------------- certificate File objects
# read A's Device (instance 4201) property over raw B/IP: the value's hex.
rp() {
	python3 "$top_srcdir/tests/e2e/bip_who_is_router.py" "$bip_ip" "$E_UDP" \
		127.0.7.254 read-prop 4201 "$1" "$2" | sed -n 's/^VALUE //p'
}
# The File objects (type 10) in Object_List, and Database_Revision.
files() { rp 8:4201 76 | python3 -c '
import sys
h = bytes.fromhex(sys.stdin.read().strip())
ids = [int.from_bytes(h[i + 1:i + 5], "big") for i in range(0, len(h), 5)]
print(" ".join(str(x & 0x3FFFFF) for x in ids if x >> 22 == 10))'; }
dbrev() {	# an Unsigned: tag octet 0x21..0x24, then the value
	rp 8:4201 155 | python3 -c 'import sys; print(int(sys.stdin.read().strip()[2:], 16))'
}
f0=$(files)
r0=$(dbrev)
[ -n "$f0" ] && [ -n "$r0" ] || e_fail "no Object_List or Database_Revision over B/IP"
cp "$W/pki/ca.pem" "$W/pki/ca2.pem"
conf_a 5 4 16 hub "" "\"$W/pki/ca.pem\", \"$W/pki/ca2.pem\""
reload ra 's["ok"] and s["applied"]==["sc[0].tls.ca"] and s["deferred"]==[]'
f1=$(files)
r1=$(dbrev)
[ "$(echo "$f1" | wc -w)" -eq $(( $(echo "$f0" | wc -w) + 1 )) ] ||
	e_fail "issuer files 1 -> 2: File objects $f0 -> $f1"
[ "$r1" -eq $(( r0 + 1 )) ] || e_fail "Database_Revision $r0 -> $r1, want one step"
conf_a 5 4 16
reload ra 's["ok"] and s["applied"]==["sc[0].tls.ca"]'
[ "$(files)" = "$f0" ] || e_fail "issuer files 2 -> 1: File objects $(files), want $f0"
e_ok "issuer files 1 -> 2 -> 1: certificate File objects $f0 -> $f1 -> $f0, Database_Revision one step per reload ($r0 -> $r1)"

# ---------------------------------------------- deferred, refused
conf_a 5 4 16 hub "learn = false; allow_plaintext_ws = true;"
reload ra 's["ok"] and s["applied"]==["sc[0].learn"] and s["deferred"]==["sc[0].allow_plaintext_ws"]'
e_ok "learn applied, allow_plaintext_ws deferred"
fp0=$(st ra "p['certificate']['sha256']")
conf_a 5 4 16 expired "learn = false; allow_plaintext_ws = true;"
a=$(ctl ra reload || true)
echo "$a" | e_jq 'not s["ok"] and any("has expired" in x and "sc[0].tls.certificate" in x for x in s["errors"])' |
	grep -qx True || e_fail "reload with an expired certificate: $a"
[ "$(st ra "p['certificate']['sha256']")" = "$fp0" ] ||
	e_fail "the certificate changed"
st ra "p['hub_connector']['connected_to']" | grep -x primary >/dev/null ||
	e_fail "A lost its hub connection"
out=$(python3 "$PEER" hub "$W/pki" 127.0.0.1 "$hub")
[ "$out" = ACCEPT ] || e_fail "A's hub takes no node after the refused reload: $out"
e_ok "expired certificate: reload refused ($(echo "$a" | e_jq 's["errors"][0]' | cut -c1-140)...), A runs on with its certificate"
echo "PASS"
