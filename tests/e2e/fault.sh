#!/bin/bash
# Fault injection against the real bacsc-router (B/IP port + SC port with
# its own hub function) on 127.0.0.0/8, every step bounded in time:
#   - a node that stops reading while another floods broadcasts: the
#     daemon's RSS stays bounded and two other nodes still exchange
#     unicasts;
#   - a node that closes in the middle of a WebSocket frame;
#   - half a TLS record, then silence: cut off by the handshake deadline;
#   - 50 reconnects in a tight loop: bounded time, no fd left behind;
#   - a peer that reconnects in a tight loop without closing: stopped by
#     the per-source limit (max_connections_per_source), counted, while
#     nodes from another address still exchange unicasts;
#   - a flood of malformed B/IP datagrams at full speed while a client
#     keeps asking Who-Is: the answers keep coming (loss reported);
#   - the daemon still answers its control socket and stops cleanly;
#   - a hub that accepts TCP and never answers TLS: the node times out,
#     reports it and retries with back-off (bounded attempts);
#   - an external primary hub killed in the middle of a burst of B/IP ->
#     SC unicasts: the node fails over to its own hub function, and every
#     message the receiver did not get is counted by the router (no hub,
#     output full, or sent in the last second before the hub died).
# Run with a sanitizer build's top_builddir to run it under ASan.
set -eu
bin="$top_builddir/router/bacsc-router"
ctl="$top_builddir/tools/bacsc-routerctl"
pki="$top_srcdir/tools/bacsc-testpki"
peer="$top_srcdir/tests/e2e/fault_peer.py"
for f in "$bin" "$ctl"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done

# Under ASan, freed memory sits in a quarantine (256 MiB by default) and
# counts in RSS: keep it small so the RSS bound measures our buffers.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=4}
tmp=$(mktemp -d /tmp/fault-e2e.XXXXXX)
daemon_pid=
bg=()
cleanup() {
	local p
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/daemon.log" ] && tail -30 "$tmp/daemon.log"; exit 1; }
ok() { echo "ok: $*"; }
stop_daemon() {	# SIGTERM: exit 0 and no sanitizer report; $1 names the run
	local rc=0
	kill -TERM "$daemon_pid"
	wait "$daemon_pid" || rc=$?
	daemon_pid=
	[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM ($1)"
	! grep -q "ERROR: AddressSanitizer\|runtime error:" "$tmp/daemon.log" ||
		fail "sanitizer report ($1)"
}

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.4.$n
client_ip=127.0.5.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
hub_port=$(( bip_port + 5000 ))
hoard_ip=127.0.8.$n
per_source=8
sh "$pki" -q -n 2 "$tmp/pki"

cat > "$tmp/router.conf" <<CONF
device = { instance = 4713; name = "fault-router"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$tmp/pki/hub.pem"; key = "$tmp/pki/hub.key";
                 ca = [ "$tmp/pki/ca.pem" ]; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port";
                          broadcast_rate = 1000; broadcast_burst = 1000;
                          max_connections_per_source = $per_source; };
       } );
log = { level = "notice"; target = "stderr"; };
control = { socket = "$tmp/control.sock"; mode = "0600"; };
state_dir = "$tmp/state";
CONF
mkdir -p "$tmp/state"
"$bin" -c "$tmp/router.conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!

status() { "$ctl" -s "$tmp/control.sock" --json status; }
jq_py() { python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
ready=0
for _ in $(seq 1 600); do
	if [ -S "$tmp/control.sock" ] &&
	   [ "$(status 2>/dev/null | jq_py 's["ports"][1]["hub_connector"]["connected_to"]' 2>/dev/null)" = primary ]; then
		ready=1; break
	fi
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/daemon.log"; fail "daemon exited"; }
	sleep 0.05
done
[ $ready = 1 ] || fail "daemon not connected to its own hub"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
fds() { ls "/proc/$daemon_pid/fd" | wc -l; }
alive() { kill -0 "$daemon_pid" 2>/dev/null && status > /dev/null; }
rss0=$(rss)
fd0=$(fds)
ok "daemon up: RSS ${rss0} kB, ${fd0} fds"

# --------------------------------------- a node that stops reading
python3 "$peer" stall "$tmp/pki" 127.0.0.1 "$hub_port" 12 > "$tmp/stall.out" 2>&1 &
bg+=($!)
for _ in $(seq 1 100); do grep -q connected "$tmp/stall.out" && break; sleep 0.05; done
grep -q connected "$tmp/stall.out" || { cat "$tmp/stall.out"; fail "stalled peer did not connect"; }
sent=$(timeout 20 python3 "$peer" storm "$tmp/pki" 127.0.0.1 "$hub_port" 5) ||
	fail "storm peer"
rss1=$(rss)
timeout 20 python3 "$peer" pair "$tmp/pki" 127.0.0.1 "$hub_port" 50 > "$tmp/pair.out" ||
	{ cat "$tmp/pair.out"; fail "unicasts between two other nodes lost during the stall"; }
alive || fail "daemon not answering after the storm"
growth=$(( $(rss) - rss0 ))
echo "  storm: $sent broadcasts of 1 kB; stalled peer never read; RSS ${rss0} -> $(rss) kB (max during: ${rss1} kB)"
[ $(( rss1 - rss0 )) -lt 65536 ] || fail "RSS grew by $(( rss1 - rss0 )) kB with a stalled peer"
hc=$(status | jq_py 's["ports"][1]["hub_function"]["counters"]')
echo "  hub counters: $hc"
dbr=$(status | jq_py 's["ports"][1]["hub_function"]["counters"]["dropped_broadcast_rate"]')
[ "$sent" -le 6000 ] || [ "$dbr" -gt 0 ] ||
	fail "$sent broadcasts in 5 s from one node, none over the hub's rate limit"
ok "hub broadcast limit (1000/s, burst 1000): $dbr of $sent dropped"
ok "stalled peer: RSS growth $(( rss1 - rss0 )) kB (< 64 MiB bound), other nodes: $(cat "$tmp/pair.out")"

# --------------------------------------- close in the middle of a frame
for _ in 1 2 3; do
	timeout 10 python3 "$peer" midmsg "$tmp/pki" 127.0.0.1 "$hub_port" ||
		fail "midmsg peer"
done
alive || fail "daemon gone after mid-frame closes"
ok "three nodes closed in the middle of a WebSocket frame: daemon fine"

# --------------------------------------- half a TLS record, then silence
out=$(timeout 30 python3 "$peer" halftls 127.0.0.1 "$hub_port" 14) ||
	fail "half TLS record: not cut off within 14 s ($out)"
alive || fail "daemon gone after the half TLS record"
ok "half a TLS record then silence: $out (handshake deadline 10 s)"

# --------------------------------------- reconnect in a tight loop
t=$(timeout 60 python3 "$peer" reconnect "$tmp/pki" 127.0.0.1 "$hub_port" 50) ||
	fail "reconnect loop"
sleep 1
fd1=$(fds)
[ "$fd1" -le $(( fd0 + 2 )) ] || { ls -l "/proc/$daemon_pid/fd"; fail "fds $fd0 -> $fd1 after 50 reconnects"; }
alive || fail "daemon gone after the reconnect loop"
ok "50 reconnects in $t s; fds $fd0 -> $fd1"

# --------------------------------------- reconnect loop, never closing
# One address opens WebSockets as fast as it can for 3 s and keeps them
# all; the listener holds at most $per_source from it and closes the rest
# at once.  Meanwhile two nodes on 127.0.0.1 exchange unicasts.
python3 "$peer" hoard "$tmp/pki" 127.0.0.1 "$hub_port" "$hoard_ip" 3 > "$tmp/hoard.out" 2>&1 &
hpid=$!
bg+=($hpid)
sleep 0.5
timeout 20 python3 "$peer" pair "$tmp/pki" 127.0.0.1 "$hub_port" 50 > "$tmp/pair2.out" ||
	{ cat "$tmp/pair2.out"; fail "unicasts lost while one address hoards connections"; }
wait "$hpid" || { cat "$tmp/hoard.out"; fail "hoarding peer"; }
read -r _ hopened _ hrefused < "$tmp/hoard.out"
lst=$(status | jq_py 'json.dumps(s["ports"][1]["hub_function"]["listener"])')
rps=$(echo "$lst" | jq_py 's["refused_per_source"]')
echo "  hoarding peer ($hoard_ip): opened $hopened, refused $hrefused; listener: $lst"
[ "$hopened" -le "$per_source" ] || fail "$hopened connections from one address (limit $per_source)"
[ "$hrefused" -ge 1 ] && [ "$rps" -ge "$hrefused" ] ||
	fail "per-source refusals: peer saw $hrefused, listener counted $rps"
grep -q "max_connections_per_source" "$tmp/daemon.log" || fail "no log line for the per-source refusals"
nlog=$(grep -c "max_connections_per_source" "$tmp/daemon.log")
[ "$nlog" -le 20 ] || fail "$nlog log lines for per-source refusals (not rate-limited)"
sleep 0.5
[ "$(status | jq_py 's["ports"][1]["hub_function"]["listener"]["sources"]')" -le 2 ] ||
	fail "hoarded connections still counted after the peer left"
alive || fail "daemon gone after the hoarding peer"
ok "reconnect loop without closing: $hopened of $(( hopened + hrefused )) admitted (limit $per_source), $rps refused and counted, $nlog log lines; other nodes: $(cat "$tmp/pair2.out")"

# --------------------------------------- malformed B/IP flood + valid traffic
read -r bsent bans < <(timeout 20 python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4713 2)
echo "  B/IP without flood: valid Who-Is $bsent, I-Am answers $bans"
python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4713 4 > "$tmp/valid.out" &
vpid=$!
bg+=($vpid)
flood=$(timeout 20 python3 "$peer" bipflood "$bip_ip" "$bip_port" 4)
wait "$vpid" || fail "valid B/IP client"
read -r vsent vans < "$tmp/valid.out"
alive || fail "daemon gone after the B/IP flood"
echo "  B/IP: $flood malformed datagrams in 4 s; valid Who-Is $vsent, I-Am answers $vans"
[ "$vans" -ge $(( vsent / 2 )) ] || fail "valid traffic starved: $vans/$vsent answered"
ok "B/IP flood: $vans of $vsent valid requests answered ($(( vsent - vans )) lost) beside $flood malformed datagrams"
status | jq_py 'json.dumps(s["ports"][0].get("counters", {}))' 2>/dev/null |
	head -c 600 || true
echo

rss2=$(rss)
fd2=$(fds)
echo "  end: RSS ${rss2} kB, ${fd2} fds (start ${rss0} kB, ${fd0} fds)"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
if grep -q "ERROR: AddressSanitizer\|runtime error:" "$tmp/daemon.log"; then
	grep -A20 "ERROR: AddressSanitizer\|runtime error:" "$tmp/daemon.log" | head -40
	fail "sanitizer report"
fi
ok "SIGTERM: clean exit 0, no sanitizer report"

# --------------------------------------- a hub that never answers TLS
# A listener that accepts TCP and then says nothing: the node must give up
# after connect_wait (5 s), report the failure and retry with back-off
# (min_reconnect 2 s, max_reconnect 4 s): at most 4 attempts in 17 s.
bh_port=$(( hub_port + 1 ))
python3 - "$bh_port" "$tmp/blackhole.count" <<'PY' &
import socket, sys, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1]))); ls.listen(16)
held, n, end = [], 0, time.time() + 40
ls.settimeout(0.5)
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    held.append(c); n += 1
    open(sys.argv[2], "w").write("%d\n" % n)
PY
bg+=($!)
sleep 0.5
sed -e "s|primary_hub = \"wss://127.0.0.1:$hub_port/\";|primary_hub = \"wss://127.0.0.1:$bh_port/\";\
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 4; };|" \
	-e "s|listen = \"127.0.0.1:$hub_port\"|listen = \"127.0.0.1:$(( hub_port + 2 ))\"|" \
	"$tmp/router.conf" > "$tmp/blackhole.conf"
grep -q "$bh_port" "$tmp/blackhole.conf" || fail "black-hole configuration"
"$bin" -c "$tmp/blackhole.conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!
sleep 17
alive || fail "daemon (black-hole hub) not answering"
s=$(status)
attempts=$(cat "$tmp/blackhole.count" 2>/dev/null || echo 0)
echo "$s" | jq_py 's["ports"][1]["hub_connector"]["primary"]' > "$tmp/bh.json"
echo "  black-hole hub: $attempts TCP connections in 17 s; primary: $(cat "$tmp/bh.json")"
[ "$attempts" -ge 2 ] && [ "$attempts" -le 4 ] ||
	fail "black-hole hub: $attempts connection attempts in 17 s (want 2..4: timeout + back-off)"
[ "$(echo "$s" | jq_py 's["ports"][1]["hub_connector"]["primary"]["failures"] >= 1 and s["ports"][1]["hub_connector"]["primary"]["status"] != "connected"')" = True ] ||
	fail "black-hole hub: failure not reported in status"
stop_daemon "black-hole hub"
ok "hub accepting TCP but silent: $attempts attempts in 17 s, failure reported, clean stop"

# --------------------------------------- the primary hub dies mid-burst
# Primary: an external bacsc-hub; failover: the daemon's own hub function.
# A sink node holds one VMAC on both hubs.  4000 unicasts go B/IP -> SC at
# 1000/s; once 1000 have arrived the primary hub is killed (SIGKILL).
# Every message the sink did not get must be counted by the router:
# tx_no_hub, tx_busy, tx_too_big, or tx_lost (sent within the last second before the hub
# connection died: an upper bound, so the sum may exceed the loss), or, by
# the router core while the SC port was down between the two hubs,
# drop_port_down / drop_busy.
hubbin="$top_builddir/tools/bacsc-hub"
ext_port=$(( hub_port + 3 ))
"$hubbin" -c "$tmp/pki/hub.pem" -k "$tmp/pki/hub.key" -a "$tmp/pki/ca.pem" \
	-l 127.0.0.1 -p "$ext_port" -q > "$tmp/exthub.out" 2>&1 &
ext_pid=$!
bg+=($ext_pid)
sed -e "s|primary_hub = \"wss://127.0.0.1:$hub_port/\";|primary_hub = \"wss://127.0.0.1:$ext_port/\";\
         failover_hub = \"wss://127.0.0.1:$hub_port/\";\
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 4; };|" \
	"$tmp/router.conf" > "$tmp/death.conf"
grep -q "failover_hub" "$tmp/death.conf" || fail "hub-death configuration"
"$bin" -c "$tmp/death.conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 200); do
	[ "$(status 2>/dev/null | jq_py 's["ports"][1]["hub_connector"]["connected_to"]' 2>/dev/null)" = primary ] && break
	sleep 0.05
done
[ "$(status | jq_py 's["ports"][1]["hub_connector"]["connected_to"]')" = primary ] ||
	fail "not connected to the external primary hub"
python3 "$peer" sink "$tmp/pki" 127.0.0.1 "$ext_port" "$hub_port" 60 "$tmp/sink.progress" > "$tmp/sink.out" 2>&1 &
spid=$!
bg+=($spid)
for _ in $(seq 1 200); do [ -s "$tmp/sink.out" ] && break; sleep 0.05; done
sink_vmac=$(head -1 "$tmp/sink.out")
[ ${#sink_vmac} -eq 17 ] || { cat "$tmp/sink.out"; fail "sink did not connect"; }
ctrs=(npdu_tx tx_no_hub tx_busy tx_too_big tx_lost drop_port_down drop_busy)
sc_ctrs() {	# SC port counters, then router drops, from one status call
	status | jq_py "' '.join(str(s['ports'][1]['counters'].get(k, s['counters'].get(k))) for k in '${ctrs[*]}'.split())"
}
read -r -a c0 < <(sc_ctrs)
python3 "$peer" bipburst "$bip_ip" "$bip_port" "$client_ip" 20 "$sink_vmac" 4000 1000 > "$tmp/burst.out" &
bpid=$!
bg+=($bpid)
# Kill the primary once the sink has 1000 (about 1 s into the burst).
for _ in $(seq 1 400); do
	[ "$(cat "$tmp/sink.progress" 2>/dev/null || echo 0)" -ge 1000 ] && break
	sleep 0.025
done
kill -KILL "$ext_pid"
echo "  primary hub killed after $(cat "$tmp/sink.progress" 2>/dev/null || echo 0) messages arrived"
wait "$bpid" || fail "burst sender"
wait "$spid" || { cat "$tmp/sink.out"; fail "sink"; }
bsent=$(cat "$tmp/burst.out")
brecv=$(tail -1 "$tmp/sink.out" | awk '{ print $2 }')
read -r -a c1 < <(sc_ctrs)
declare -A d
for i in "${!ctrs[@]}"; do d[${ctrs[i]}]=$(( c1[i] - c0[i] )); done
counted=$(( d[tx_no_hub] + d[tx_busy] + d[tx_too_big] + d[tx_lost] + d[drop_port_down] + d[drop_busy] ))
missing=$(( bsent - brecv ))
echo "  hub death mid-burst: sent $bsent, received $brecv, missing $missing;" \
	"router: npdu_tx ${d[npdu_tx]}, tx_no_hub ${d[tx_no_hub]}, tx_busy ${d[tx_busy]}," \
	"tx_too_big ${d[tx_too_big]}, tx_lost ${d[tx_lost]}, router drop_port_down ${d[drop_port_down]}," \
	"drop_busy ${d[drop_busy]} (counted $counted);" \
	"now on: $(status | jq_py 's["ports"][1]["hub_connector"]["connected_to"]')"
[ "$(status | jq_py 's["ports"][1]["hub_connector"]["connected_to"]')" = failover ] ||
	fail "hub death: not on the failover hub"
[ "$missing" -ge 0 ] || fail "hub death: the sink got more than was sent"
[ "$missing" -le "$counted" ] ||
	fail "hub death: $(( missing - counted )) messages lost without being counted"
[ "$brecv" -ge $(( bsent / 2 )) ] || fail "hub death: only $brecv of $bsent delivered"
stop_daemon "hub death"
ok "primary hub killed mid-burst: $brecv of $bsent delivered, $missing missing <= $counted counted by the router (tx_lost over-counts by $(( counted - missing )))"
echo "fault e2e: all passed"
