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
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
bin=$E_ROUTER
ctl=$E_CTL
hub="$top_srcdir/tests/e2e/sc_raw_hub.py"

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.1.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
read -r port_a port_b < <(e_free_tcp 2)

conf="$W/router.conf"
write_conf() {	# $1: primary hub port, $2: heartbeat (s)
	cat > "$conf" <<CONF
device = { instance = 4712; name = "e2e-reload"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$1/";
         tls = { certificate = "$W/pki/node1.pem"; key = "$W/pki/node1.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         timers = { connect_wait = 5; disconnect_wait = 5; heartbeat = $2;
                    min_reconnect = 2; max_reconnect = 10; };
       } );
log = { level = "info"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
}
mkdir -p "$W/state"
chmod 0600 "$W/pki"/*.key

python3 "$hub" "$W/pki" 127.0.0.1 "$port_a" "$W/hub_a.log" &
E_PIDS+=($!)
# Hub B answers Disconnect-Request after 1.5 s: the daemon must wait.
python3 "$hub" "$W/pki" 127.0.0.1 "$port_b" "$W/hub_b.log" 1.5 &
E_PIDS+=($!)
touch "$W/hub_a.log" "$W/hub_b.log"

write_conf "$port_a" 60
"$bin" -t -c "$conf" > /dev/null || e_fail "-t"
e_daemon_start daemon "$conf" -f
daemon_pid=$E_DAEMON_PID

status() { "$ctl" -s "$W/control.sock" --json status; }
connected() { grep -q "CONNECT" "$1"; }
e_wait_for 20 connected "$W/hub_a.log" || e_fail "no Connect-Request at hub A"
e_ok "router connected to the raw hub A"
hb_count() { grep -c " HEARTBEAT " "$1" || true; }
sleep 2
[ "$(hb_count "$W/hub_a.log")" = 0 ] || e_fail "heartbeats before the reload"

# ------------------------------------------------ SIGHUP: heartbeat 60 -> 3
write_conf "$port_a" 3
t0=$(date +%s)
kill -HUP "$daemon_pid"
reloaded() { grep -q "reload of $conf applied" "$W/daemon.log"; }
e_wait_for 10 reloaded || e_fail "reload not applied"
grep -q "reload: sc port sc0: timers.heartbeat 60 s -> 3 s" "$W/daemon.log" &&
	grep -q "reload: sc\[0\].timers.heartbeat changed: applied" "$W/daemon.log" ||
	e_fail "reload log does not name the heartbeat"
grep -q "timers.*kept for the next start" "$W/daemon.log" &&
	e_fail "timers reported as deferred"
two_hb() { [ "$(hb_count "$W/hub_a.log")" -ge 2 ]; }
e_wait_for 12 two_hb || e_fail "hub A saw no heartbeats after the reload"
t1=$(date +%s)
[ $(( t1 - t0 )) -le 10 ] || e_fail "heartbeats too slow: $(( t1 - t0 )) s for 2"
s=$(status)
[ "$(echo "$s" | e_jq 's["ports"][1]["hub_connector"]["connected_to"]')" = primary ] ||
	e_fail "hub connection lost by the timer change"
e_ok "SIGHUP heartbeat 60 -> 3 s: applied, hub A saw 2 Heartbeat-Requests within $(( t1 - t0 )) s, connection kept"
grep -q "CLOSE" "$W/hub_a.log" && e_fail "the connection to hub A was dropped"

# -------------------------------------------- SIGHUP: primary hub A -> B
write_conf "$port_b" 3
kill -HUP "$daemon_pid"
e_wait_for 20 connected "$W/hub_b.log" || e_fail "no Connect-Request at hub B"
disc_a() { grep -q "DISCONNECT" "$W/hub_a.log"; }
e_wait_for 10 disc_a || e_fail "hub A got no Disconnect-Request"
to_b() {
	[ "$(status | e_jq 's["ports"][1]["hub_connector"]["connected_to"]')" = primary ] &&
	status | grep "127.0.0.1:$port_b" >/dev/null
}
e_wait_for 10 to_b || e_fail "status does not show hub B as the connected primary"
grep -q "primary hub is now wss://127.0.0.1:$port_b/" "$W/daemon.log" &&
	grep -q "reload: sc\[0\].primary_hub changed: applied" "$W/daemon.log" ||
	e_fail "reload log does not name the new hub"
a=$("$ctl" -s "$W/control.sock" --json reload)
echo "$a" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r["ok"] and r["applied"]==[] else 1)' ||
	e_fail "a reload without changes applied something: $a"
e_ok "SIGHUP primary hub A -> B: Disconnect-Request to A, connected to B"

# --------------------------------------------------------------- SIGTERM
e_stop "$daemon_pid"
rc=$E_RC
ms=$E_STOP_MS
# No sleep: what the hub logged before the process was gone.
grep -q " DISCONNECT " "$W/hub_b.log" ||
	e_fail "hub B had not received a Disconnect-Request when the daemon exited"
grep -q " DISCONNECT-ACK " "$W/hub_b.log" ||
	e_fail "the daemon exited before hub B sent its Disconnect-ACK"
[ $rc -eq 0 ] || e_fail "exit status $rc after SIGTERM"
[ $ms -ge 1400 ] && [ $ms -lt 5000 ] ||
	e_fail "exit after $ms ms: not waiting for the ACK (1.5 s), or for the whole disconnect wait (5 s)"
grep -q "every SC connection closed" "$W/daemon.log" ||
	e_fail "the daemon did not wait for the SC connections to close"
e_ok "SIGTERM: hub B got the Disconnect-Request, the daemon waited for its ACK (1.5 s late) and exited 0 after $ms ms"
echo "PASS"
