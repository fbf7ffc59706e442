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
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
ctl=$E_CTL
peer="$top_srcdir/tests/e2e/fault_peer.py"

# Under ASan, freed memory sits in a quarantine (256 MiB by default) and
# counts in RSS: keep it small so the RSS bound measures our buffers.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=4}
stop_daemon() {	# SIGTERM: exit 0 and no sanitizer report; $1 names the run
	e_stop "$daemon_pid"
	[ $E_RC -eq 0 ] || e_fail "exit status $E_RC after SIGTERM ($1)"
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$W/daemon.log"; then
		grep -A20 "ERROR: AddressSanitizer\|runtime error:" "$W/daemon.log" | head -40
		e_fail "sanitizer report ($1)"
	fi
}

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.4.$n
client_ip=127.0.5.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
read -r hub_port bh_port bh_listen ext_port < <(e_free_tcp 4)
hoard_ip=127.0.8.$n
per_source=8

cat > "$W/router.conf" <<CONF
device = { instance = 4713; name = "fault-router"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$W/pki/hub.pem"; key = "$W/pki/hub.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port";
                          broadcast_rate = 1000; broadcast_burst = 1000;
                          max_connections_per_source = $per_source; };
       } );
log = { level = "notice"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
mkdir -p "$W/state"
e_daemon_start daemon "$W/router.conf"
daemon_pid=$E_DAEMON_PID

status() { "$ctl" -s "$W/control.sock" --json status; }
e_wait_ready "$W/control.sock" 30
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
fds() { ls "/proc/$daemon_pid/fd" | wc -l; }
alive() { kill -0 "$daemon_pid" 2>/dev/null && status > /dev/null; }
rss0=$(rss)
fd0=$(fds)
e_ok "daemon up: RSS ${rss0} kB, ${fd0} fds"

# --------------------------------------- a node that stops reading
python3 "$peer" stall "$W/pki" 127.0.0.1 "$hub_port" 12 > "$W/stall.out" 2>&1 &
E_PIDS+=($!)
for _ in $(seq 1 100); do grep -q connected "$W/stall.out" && break; sleep 0.05; done
grep -q connected "$W/stall.out" || { cat "$W/stall.out"; e_fail "stalled peer did not connect"; }
sent=$(timeout 20 python3 "$peer" storm "$W/pki" 127.0.0.1 "$hub_port" 5) ||
	e_fail "storm peer"
rss1=$(rss)
timeout 20 python3 "$peer" pair "$W/pki" 127.0.0.1 "$hub_port" 50 > "$W/pair.out" ||
	{ cat "$W/pair.out"; e_fail "unicasts between two other nodes lost during the stall"; }
alive || e_fail "daemon not answering after the storm"
growth=$(( $(rss) - rss0 ))
echo "  storm: $sent broadcasts of 1 kB; stalled peer never read; RSS ${rss0} -> $(rss) kB (max during: ${rss1} kB)"
[ $(( rss1 - rss0 )) -lt 65536 ] || e_fail "RSS grew by $(( rss1 - rss0 )) kB with a stalled peer"
hc=$(status | e_jq 's["ports"][1]["hub_function"]["counters"]')
echo "  hub counters: $hc"
dbr=$(status | e_jq 's["ports"][1]["hub_function"]["counters"]["dropped_broadcast_rate"]')
[ "$sent" -le 6000 ] || [ "$dbr" -gt 0 ] ||
	e_fail "$sent broadcasts in 5 s from one node, none over the hub's rate limit"
e_ok "hub broadcast limit (1000/s, burst 1000): $dbr of $sent dropped"
e_ok "stalled peer: RSS growth $(( rss1 - rss0 )) kB (< 64 MiB bound), other nodes: $(cat "$W/pair.out")"

# --------------------------------------- close in the middle of a frame
for _ in 1 2 3; do
	timeout 10 python3 "$peer" midmsg "$W/pki" 127.0.0.1 "$hub_port" ||
		e_fail "midmsg peer"
done
alive || e_fail "daemon gone after mid-frame closes"
e_ok "three nodes closed in the middle of a WebSocket frame: daemon fine"

# --------------------------------------- half a TLS record, then silence
out=$(timeout 30 python3 "$peer" halftls 127.0.0.1 "$hub_port" 14) ||
	e_fail "half TLS record: not cut off within 14 s ($out)"
alive || e_fail "daemon gone after the half TLS record"
e_ok "half a TLS record then silence: $out (handshake deadline 10 s)"

# --------------------------------------- reconnect in a tight loop
t=$(timeout 60 python3 "$peer" reconnect "$W/pki" 127.0.0.1 "$hub_port" 50) ||
	e_fail "reconnect loop"
sleep 1
fd1=$(fds)
[ "$fd1" -le $(( fd0 + 2 )) ] || { ls -l "/proc/$daemon_pid/fd"; e_fail "fds $fd0 -> $fd1 after 50 reconnects"; }
alive || e_fail "daemon gone after the reconnect loop"
e_ok "50 reconnects in $t s; fds $fd0 -> $fd1"

# --------------------------------------- reconnect loop, never closing
# One address opens WebSockets as fast as it can for 3 s and keeps them
# all; the listener holds at most $per_source from it and closes the rest
# at once.  Meanwhile two nodes on 127.0.0.1 exchange unicasts.
python3 "$peer" hoard "$W/pki" 127.0.0.1 "$hub_port" "$hoard_ip" 3 > "$W/hoard.out" 2>&1 &
hpid=$!
E_PIDS+=($hpid)
sleep 0.5
timeout 20 python3 "$peer" pair "$W/pki" 127.0.0.1 "$hub_port" 50 > "$W/pair2.out" ||
	{ cat "$W/pair2.out"; e_fail "unicasts lost while one address hoards connections"; }
wait "$hpid" || { cat "$W/hoard.out"; e_fail "hoarding peer"; }
read -r _ hopened _ hrefused < "$W/hoard.out"
lst=$(status | e_jq 'json.dumps(s["ports"][1]["hub_function"]["listener"])')
rps=$(echo "$lst" | e_jq 's["refused_per_source"]')
echo "  hoarding peer ($hoard_ip): opened $hopened, refused $hrefused; listener: $lst"
[ "$hopened" -le "$per_source" ] || e_fail "$hopened connections from one address (limit $per_source)"
[ "$hrefused" -ge 1 ] && [ "$rps" -ge "$hrefused" ] ||
	e_fail "per-source refusals: peer saw $hrefused, listener counted $rps"
grep -q "max_connections_per_source" "$W/daemon.log" || e_fail "no log line for the per-source refusals"
nlog=$(grep -c "max_connections_per_source" "$W/daemon.log")
[ "$nlog" -le 20 ] || e_fail "$nlog log lines for per-source refusals (not rate-limited)"
sleep 0.5
[ "$(status | e_jq 's["ports"][1]["hub_function"]["listener"]["sources"]')" -le 2 ] ||
	e_fail "hoarded connections still counted after the peer left"
alive || e_fail "daemon gone after the hoarding peer"
e_ok "reconnect loop without closing: $hopened of $(( hopened + hrefused )) admitted (limit $per_source), $rps refused and counted, $nlog log lines; other nodes: $(cat "$W/pair2.out")"

# --------------------------------------- malformed B/IP flood + valid traffic
read -r bsent bans < <(timeout 20 python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4713 2)
echo "  B/IP without flood: valid Who-Is $bsent, I-Am answers $bans"
python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4713 4 > "$W/valid.out" &
vpid=$!
E_PIDS+=($vpid)
flood=$(timeout 20 python3 "$peer" bipflood "$bip_ip" "$bip_port" 4)
wait "$vpid" || e_fail "valid B/IP client"
read -r vsent vans < "$W/valid.out"
alive || e_fail "daemon gone after the B/IP flood"
echo "  B/IP: $flood malformed datagrams in 4 s; valid Who-Is $vsent, I-Am answers $vans"
[ "$vans" -ge $(( vsent / 2 )) ] || e_fail "valid traffic starved: $vans/$vsent answered"
e_ok "B/IP flood: $vans of $vsent valid requests answered ($(( vsent - vans )) lost) beside $flood malformed datagrams"
status | e_jq 'json.dumps(s["ports"][0].get("counters", {}))' 2>/dev/null |
	head -c 600 || true
echo

rss2=$(rss)
fd2=$(fds)
echo "  end: RSS ${rss2} kB, ${fd2} fds (start ${rss0} kB, ${fd0} fds)"
stop_daemon "faults"
e_ok "SIGTERM: clean exit 0, no sanitizer report"

# --------------------------------------- a hub that never answers TLS
# A listener that accepts TCP and then says nothing: the node must give up
# after connect_wait (5 s), report the failure and retry with back-off
# (min_reconnect 2 s, max_reconnect 4 s): at most 4 attempts in 17 s.
python3 - "$bh_port" "$W/blackhole.count" <<'PY' &
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
E_PIDS+=($!)
sleep 0.5
sed -e "s|primary_hub = \"wss://127.0.0.1:$hub_port/\";|primary_hub = \"wss://127.0.0.1:$bh_port/\";\
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 4; };|" \
	-e "s|listen = \"127.0.0.1:$hub_port\"|listen = \"127.0.0.1:$bh_listen\"|" \
	"$W/router.conf" > "$W/blackhole.conf"
grep -q "$bh_port" "$W/blackhole.conf" || e_fail "black-hole configuration"
e_daemon_start daemon "$W/blackhole.conf"
daemon_pid=$E_DAEMON_PID
sleep 17
alive || e_fail "daemon (black-hole hub) not answering"
s=$(status)
attempts=$(cat "$W/blackhole.count" 2>/dev/null || echo 0)
echo "$s" | e_jq 's["ports"][1]["hub_connector"]["primary"]' > "$W/bh.json"
echo "  black-hole hub: $attempts TCP connections in 17 s; primary: $(cat "$W/bh.json")"
[ "$attempts" -ge 2 ] && [ "$attempts" -le 4 ] ||
	e_fail "black-hole hub: $attempts connection attempts in 17 s (want 2..4: timeout + back-off)"
[ "$(echo "$s" | e_jq 's["ports"][1]["hub_connector"]["primary"]["failures"] >= 1 and s["ports"][1]["hub_connector"]["primary"]["status"] != "connected"')" = True ] ||
	e_fail "black-hole hub: failure not reported in status"
stop_daemon "black-hole hub"
e_ok "hub accepting TCP but silent: $attempts attempts in 17 s, failure reported, clean stop"

# --------------------------------------- the primary hub dies mid-burst
# Primary: an external bacsc-hub; failover: the daemon's own hub function.
# A sink node holds one VMAC on both hubs.  4000 unicasts go B/IP -> SC at
# 1000/s; once 1000 have arrived the primary hub is killed (SIGKILL).
# Every message the sink did not get must be counted by the router:
# tx_no_hub, tx_busy, tx_too_big, or tx_lost (sent within the last second before the hub
# connection died: an upper bound, so the sum may exceed the loss), or, by
# the router core while the SC port was down between the two hubs,
# drop_port_down / drop_busy.
e_hub exthub "$ext_port"
ext_pid=$E_HUB_PID
sed -e "s|primary_hub = \"wss://127.0.0.1:$hub_port/\";|primary_hub = \"wss://127.0.0.1:$ext_port/\";\
         failover_hub = \"wss://127.0.0.1:$hub_port/\";\
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 4; };|" \
	"$W/router.conf" > "$W/death.conf"
grep -q "failover_hub" "$W/death.conf" || e_fail "hub-death configuration"
e_daemon_start daemon "$W/death.conf"
daemon_pid=$E_DAEMON_PID
e_wait_hub "$W/control.sock" primary 10 ||
	e_fail "not connected to the external primary hub"
python3 "$peer" sink "$W/pki" 127.0.0.1 "$ext_port" "$hub_port" 60 "$W/sink.progress" > "$W/sink.out" 2>&1 &
spid=$!
E_PIDS+=($spid)
for _ in $(seq 1 200); do [ -s "$W/sink.out" ] && break; sleep 0.05; done
sink_vmac=$(head -1 "$W/sink.out")
[ ${#sink_vmac} -eq 17 ] || { cat "$W/sink.out"; e_fail "sink did not connect"; }
ctrs=(npdu_tx tx_no_hub tx_busy tx_too_big tx_lost drop_port_down drop_busy)
sc_ctrs() {	# SC port counters, then router drops, from one status call
	status | e_jq "' '.join(str(s['ports'][1]['counters'].get(k, s['counters'].get(k))) for k in '${ctrs[*]}'.split())"
}
read -r -a c0 < <(sc_ctrs)
python3 "$peer" bipburst "$bip_ip" "$bip_port" "$client_ip" 20 "$sink_vmac" 4000 1000 > "$W/burst.out" &
bpid=$!
E_PIDS+=($bpid)
# Kill the primary once the sink has 1000 (about 1 s into the burst).
for _ in $(seq 1 400); do
	[ "$(cat "$W/sink.progress" 2>/dev/null || echo 0)" -ge 1000 ] && break
	sleep 0.025
done
kill -KILL "$ext_pid"
echo "  primary hub killed after $(cat "$W/sink.progress" 2>/dev/null || echo 0) messages arrived"
wait "$bpid" || e_fail "burst sender"
wait "$spid" || { cat "$W/sink.out"; e_fail "sink"; }
bsent=$(cat "$W/burst.out")
brecv=$(tail -1 "$W/sink.out" | awk '{ print $2 }')
read -r -a c1 < <(sc_ctrs)
declare -A d
for i in "${!ctrs[@]}"; do d[${ctrs[i]}]=$(( c1[i] - c0[i] )); done
counted=$(( d[tx_no_hub] + d[tx_busy] + d[tx_too_big] + d[tx_lost] + d[drop_port_down] + d[drop_busy] ))
missing=$(( bsent - brecv ))
echo "  hub death mid-burst: sent $bsent, received $brecv, missing $missing;" \
	"router: npdu_tx ${d[npdu_tx]}, tx_no_hub ${d[tx_no_hub]}, tx_busy ${d[tx_busy]}," \
	"tx_too_big ${d[tx_too_big]}, tx_lost ${d[tx_lost]}, router drop_port_down ${d[drop_port_down]}," \
	"drop_busy ${d[drop_busy]} (counted $counted);" \
	"now on: $(status | e_jq 's["ports"][1]["hub_connector"]["connected_to"]')"
[ "$(status | e_jq 's["ports"][1]["hub_connector"]["connected_to"]')" = failover ] ||
	e_fail "hub death: not on the failover hub"
[ "$missing" -ge 0 ] || e_fail "hub death: the sink got more than was sent"
[ "$missing" -le "$counted" ] ||
	e_fail "hub death: $(( missing - counted )) messages lost without being counted"
[ "$brecv" -ge $(( bsent / 2 )) ] || e_fail "hub death: only $brecv of $bsent delivered"
stop_daemon "hub death"
e_ok "primary hub killed mid-burst: $brecv of $bsent delivered, $missing missing <= $counted counted by the router (tx_lost over-counts by $(( counted - missing )))"
echo "fault e2e: all passed"
