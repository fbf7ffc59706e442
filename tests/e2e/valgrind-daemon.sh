#!/bin/bash
# The daemon under valgrind (--leak-check=full, definite and indirect
# leaks are errors, --error-exitcode=99) through one life:
#   start (B/IP port + SC port; primary hub an external bacsc-hub,
#   failover hub the daemon's own hub function);
#   traffic both ways: B/IP -> SC unicasts to an SC node, SC -> B/IP
#   remote broadcasts, Who-Is answered by the router's device;
#   SIGHUP reload (a changed router limit, applied);
#   failover: the primary hub killed, the hub connector moves to the
#   failover hub, traffic again;
#   SIGTERM: exit status 0, valgrind: 0 errors, no definite/indirect leak.
# `make valgrind-daemon` (not in check-e2e: about 60-90 s on a loaded
# 2-core machine, more than the e2e budget per script).
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
bin=$E_ROUTER
peer="$top_srcdir/tests/e2e/fault_peer.py"
command -v valgrind > /dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
if ldd "$bin" 2>/dev/null | grep libasan >/dev/null; then
	echo "SKIP: $bin is a sanitizer build (valgrind needs a plain one)"
	exit 77
fi

fail() {
	[ -f "$W/valgrind.log" ] && tail -40 "$W/valgrind.log"
	e_fail "$@"
}
t_start=$SECONDS

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.9.$n
client_ip=127.0.10.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
read -r hub_port ext_port < <(e_free_tcp 2)
e_hub exthub "$ext_port"
ext_pid=$E_HUB_PID

mkconf() {	# $1: router.nl_rate
	cat <<CONF
device = { instance = 4715; name = "valgrind-router"; uuid = "generate"; };
router = { nl_rate = $1; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$ext_port/";
         failover_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$W/pki/hub.pem"; key = "$W/pki/hub.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         timers = { connect_wait = 10; min_reconnect = 2; max_reconnect = 4; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
       } );
log = { level = "notice"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
}
mkconf 20 > "$W/router.conf"
mkdir -p "$W/state"
DAEMON_VALGRIND=1 e_valgrind
e_daemon_start daemon "$W/router.conf"
daemon_pid=$E_DAEMON_PID

wait_hub() { e_wait_hub "$W/control.sock" "$@"; }	# primary|failover, seconds
wait_hub primary 60 || fail "not connected to the primary hub"
e_ok "start under valgrind: on the primary hub after $(( SECONDS - t_start )) s"

# One round of traffic both ways; $1 names the round, $2 is the port of
# the hub the router is on.
traffic() {
	local v s b r
	python3 "$peer" sink "$W/pki" 127.0.0.1 "$2" - 30 \
		> "$W/sink.out" 2>&1 &
	local spid=$!
	E_PIDS+=($spid)
	for _ in $(seq 1 400); do [ -s "$W/sink.out" ] && break; sleep 0.05; done
	v=$(head -1 "$W/sink.out")
	[ ${#v} -eq 17 ] || { cat "$W/sink.out"; fail "$1: sink did not connect"; }
	s=$(python3 "$peer" bipburst "$bip_ip" "$bip_port" "$client_ip" 20 "$v" 200 200)
	wait "$spid" || fail "$1: sink"
	r=$(tail -1 "$W/sink.out")
	b=$(timeout 30 python3 "$peer" sc2bip "$W/pki" 127.0.0.1 "$2" "$bip_port" 10 20) ||
		fail "$1: SC -> B/IP sender"
	w=$(timeout 30 python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4715 1) ||
		fail "$1: Who-Is"
	echo "  $1: B/IP -> SC: $s sent, $r; SC -> B/IP: $b; Who-Is sent/answered: $w"
	[ "${r#received }" -gt 0 ] || fail "$1: no B/IP -> SC unicast arrived"
	[ "${b##* }" -gt 0 ] || fail "$1: no SC -> B/IP broadcast arrived"
	[ "${w##* }" -gt 0 ] || fail "$1: no I-Am"
}
traffic "traffic on the primary" "$ext_port"
e_ok "traffic both ways"

mkconf 30 > "$W/router.conf"
kill -HUP "$daemon_pid"
for _ in $(seq 1 200); do grep -q "reload of .* applied" "$W/daemon.log" && break; sleep 0.1; done
grep -q "reload of .* applied" "$W/daemon.log" || fail "SIGHUP: reload not applied"
e_ok "SIGHUP reload applied ($(grep -c "reload: .*applied" "$W/daemon.log") log lines)"

kill -KILL "$ext_pid"
wait "$ext_pid" 2>/dev/null || true
wait_hub failover 60 || fail "no failover to the daemon's own hub function"
e_ok "primary hub killed: on the failover hub"
traffic "traffic on the failover" "$hub_port"

e_stop "$daemon_pid" 60
rc=$E_RC
grep -E "ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost" "$W/valgrind.log" | sed 's/^/  /'
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM (valgrind errors or leaks give 99)"
grep -q "ERROR SUMMARY: 0 errors" "$W/valgrind.log" || fail "valgrind reported errors"
e_ok "SIGTERM: exit 0; valgrind: 0 errors, no definite or indirect leak; $(( SECONDS - t_start )) s in all"
