#!/bin/bash
# SIGHUP and SIGTERM with an external hub (issue 10): the real
# bacsc-router connects to tests/e2e/sc_raw_hub.py, an independent hub
# written in Python that logs what it receives.  Checked:
#  - SIGHUP with a shorter heartbeat: applied at once (the reload log says
#    so, status shows it, the raw hub starts seeing Heartbeat-Requests);
#  - SIGHUP with a new primary hub URI: the router says goodbye to the old
#    hub (Disconnect-Request) and connects to the new one;
#  - SIGTERM: the new hub received the Disconnect-Request before the
#    process exited, and the daemon waited for the close.
set -eu
bin="$top_builddir/router/bacsc-router"
ctl="$top_builddir/tools/bacsc-routerctl"
pki="$top_srcdir/tools/bacsc-testpki"
hub="$top_srcdir/tests/e2e/sc_raw_hub.py"
for f in "$bin" "$ctl"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done

tmp=$(mktemp -d /tmp/daemon-reload-sc.XXXXXX)
daemon_pid=
hub_a=
hub_b=
cleanup() {
	for p in $daemon_pid $hub_a $hub_b; do
		{ kill -KILL "$p" && wait "$p"; } 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/daemon.log" ] && tail -30 "$tmp/daemon.log"
	for f in "$tmp"/hub_*.log; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done
	exit 1
}
ok() { echo "ok: $*"; }

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.1.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
port_a=$(( bip_port + 5000 ))
port_b=$(( bip_port + 5001 ))
sh "$pki" -q "$tmp/pki"

conf="$tmp/router.conf"
write_conf() {	# $1: primary hub port, $2: heartbeat (s)
	cat > "$conf" <<CONF
device = { instance = 4712; name = "e2e-reload"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$1/";
         tls = { certificate = "$tmp/pki/node1.pem"; key = "$tmp/pki/node1.key";
                 ca = [ "$tmp/pki/ca.pem" ]; };
         timers = { connect_wait = 5; disconnect_wait = 5; heartbeat = $2;
                    min_reconnect = 2; max_reconnect = 10; };
       } );
log = { level = "info"; target = "stderr"; };
control = { socket = "$tmp/control.sock"; mode = "0600"; };
state_dir = "$tmp/state";
CONF
}
mkdir -p "$tmp/state"
chmod 0600 "$tmp/pki"/*.key

python3 "$hub" "$tmp/pki" 127.0.0.1 "$port_a" "$tmp/hub_a.log" &
hub_a=$!
# Hub B answers Disconnect-Request after 1.5 s: the daemon must wait.
python3 "$hub" "$tmp/pki" 127.0.0.1 "$port_b" "$tmp/hub_b.log" 1.5 &
hub_b=$!
touch "$tmp/hub_a.log" "$tmp/hub_b.log"

write_conf "$port_a" 60
"$bin" -t -c "$conf" > /dev/null || fail "-t"
"$bin" -f -c "$conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!

status() { "$ctl" -s "$tmp/control.sock" --json status; }
jq_py() { python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
wait_for() {	# $1: seconds, $2...: command that must succeed
	local t=$(( $1 * 20 ))
	shift
	for _ in $(seq 1 "$t"); do "$@" && return 0; sleep 0.05; done
	return 1
}
connected() { grep -q "CONNECT" "$1"; }
wait_for 20 connected "$tmp/hub_a.log" || fail "no Connect-Request at hub A"
ok "router connected to the raw hub A"
hb_count() { grep -c " HEARTBEAT " "$1" || true; }
sleep 2
[ "$(hb_count "$tmp/hub_a.log")" = 0 ] || fail "heartbeats before the reload"

# ------------------------------------------------ SIGHUP: heartbeat 60 -> 3
write_conf "$port_a" 3
t0=$(date +%s)
kill -HUP "$daemon_pid"
reloaded() { grep -q "reload of $conf applied" "$tmp/daemon.log"; }
wait_for 10 reloaded || fail "reload not applied"
grep -q "reload: sc port sc0: timers.heartbeat 60 s -> 3 s" "$tmp/daemon.log" &&
	grep -q "reload: sc\[0\].timers.heartbeat changed: applied" "$tmp/daemon.log" ||
	fail "reload log does not name the heartbeat"
grep -q "timers.*kept for the next start" "$tmp/daemon.log" &&
	fail "timers reported as deferred"
two_hb() { [ "$(hb_count "$tmp/hub_a.log")" -ge 2 ]; }
wait_for 12 two_hb || fail "hub A saw no heartbeats after the reload"
t1=$(date +%s)
[ $(( t1 - t0 )) -le 10 ] || fail "heartbeats too slow: $(( t1 - t0 )) s for 2"
s=$(status)
[ "$(echo "$s" | jq_py 's["ports"][1]["hub_connector"]["connected_to"]')" = primary ] ||
	fail "hub connection lost by the timer change"
ok "SIGHUP heartbeat 60 -> 3 s: applied, hub A saw 2 Heartbeat-Requests within $(( t1 - t0 )) s, connection kept"
grep -q "CLOSE" "$tmp/hub_a.log" && fail "the connection to hub A was dropped"

# -------------------------------------------- SIGHUP: primary hub A -> B
write_conf "$port_b" 3
kill -HUP "$daemon_pid"
wait_for 20 connected "$tmp/hub_b.log" || fail "no Connect-Request at hub B"
disc_a() { grep -q "DISCONNECT" "$tmp/hub_a.log"; }
wait_for 10 disc_a || fail "hub A got no Disconnect-Request"
to_b() {
	[ "$(status | jq_py 's["ports"][1]["hub_connector"]["connected_to"]')" = primary ] &&
	status | grep -q "127.0.0.1:$port_b"
}
wait_for 10 to_b || fail "status does not show hub B as the connected primary"
grep -q "primary hub is now wss://127.0.0.1:$port_b/" "$tmp/daemon.log" &&
	grep -q "reload: sc\[0\].primary_hub changed: applied" "$tmp/daemon.log" ||
	fail "reload log does not name the new hub"
a=$("$ctl" -s "$tmp/control.sock" --json reload)
echo "$a" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r["ok"] and r["applied"]==[] else 1)' ||
	fail "a reload without changes applied something: $a"
ok "SIGHUP primary hub A -> B: Disconnect-Request to A, connected to B"

# --------------------------------------------------------------- SIGTERM
t0=$(date +%s%N)
kill -TERM "$daemon_pid"
set +e
wait "$daemon_pid"
rc=$?
set -e
daemon_pid=
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
# No sleep: what the hub logged before the process was gone.
grep -q " DISCONNECT " "$tmp/hub_b.log" ||
	fail "hub B had not received a Disconnect-Request when the daemon exited"
grep -q " DISCONNECT-ACK " "$tmp/hub_b.log" ||
	fail "the daemon exited before hub B sent its Disconnect-ACK"
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
[ $ms -ge 1400 ] && [ $ms -lt 5000 ] ||
	fail "exit after $ms ms: not waiting for the ACK (1.5 s), or for the whole disconnect wait (5 s)"
grep -q "every SC connection closed" "$tmp/daemon.log" ||
	fail "the daemon did not wait for the SC connections to close"
ok "SIGTERM: hub B got the Disconnect-Request, the daemon waited for its ACK (1.5 s late) and exited 0 after $ms ms"
echo "PASS"
