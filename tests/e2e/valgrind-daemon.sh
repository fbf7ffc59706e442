#!/bin/bash
# The daemon under valgrind (--leak-check=full, definite and indirect
# leaks are errors, --error-exitcode=1) through one life:
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
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/router/bacsc-router"
ctl="$top_builddir/tools/bacsc-routerctl"
hubbin="$top_builddir/tools/bacsc-hub"
pki="$top_srcdir/tools/bacsc-testpki"
peer="$top_srcdir/tests/e2e/fault_peer.py"
for f in "$bin" "$ctl" "$hubbin"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done
command -v valgrind > /dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
if ldd "$bin" 2>/dev/null | grep -q libasan; then
	echo "SKIP: $bin is a sanitizer build (valgrind needs a plain one)"
	exit 77
fi

tmp=$(mktemp -d /tmp/valgrind-daemon.XXXXXX)
daemon_pid=
bg=()
cleanup() {
	local p
	for p in "${bg[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/daemon.log" ] && tail -20 "$tmp/daemon.log"
	[ -f "$tmp/valgrind.log" ] && tail -40 "$tmp/valgrind.log"
	exit 1
}
ok() { echo "ok: $*"; }
t_start=$SECONDS

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.9.$n
client_ip=127.0.10.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
hub_port=$(( bip_port + 5000 ))
ext_port=$(( bip_port + 6000 ))
sh "$pki" -q -n 2 "$tmp/pki"

"$hubbin" -c "$tmp/pki/hub.pem" -k "$tmp/pki/hub.key" -a "$tmp/pki/ca.pem" \
	-l 127.0.0.1 -p "$ext_port" -q > "$tmp/exthub.out" 2>&1 &
ext_pid=$!
bg+=($ext_pid)

mkconf() {	# $1: router.nl_rate
	cat <<CONF
device = { instance = 4715; name = "valgrind-router"; uuid = "generate"; };
router = { nl_rate = $1; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$ext_port/";
         failover_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$tmp/pki/hub.pem"; key = "$tmp/pki/hub.key";
                 ca = [ "$tmp/pki/ca.pem" ]; };
         timers = { connect_wait = 10; min_reconnect = 2; max_reconnect = 4; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
       } );
log = { level = "notice"; target = "stderr"; };
control = { socket = "$tmp/control.sock"; mode = "0600"; };
state_dir = "$tmp/state";
CONF
}
mkconf 20 > "$tmp/router.conf"
mkdir -p "$tmp/state"
valgrind --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
	--log-file="$tmp/valgrind.log" \
	"$bin" -c "$tmp/router.conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!

status() { "$ctl" -s "$tmp/control.sock" --json status; }
jq_py() { python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
hub_on() { status 2>/dev/null | jq_py 's["ports"][1]["hub_connector"]["connected_to"]' 2>/dev/null; }
wait_hub() {	# $1: primary or failover, $2: seconds
	local end=$(( SECONDS + $2 ))
	while [ $SECONDS -lt $end ]; do
		[ "$(hub_on)" = "$1" ] && return 0
		kill -0 "$daemon_pid" 2>/dev/null || fail "daemon exited"
		sleep 0.2
	done
	return 1
}
wait_hub primary 60 || fail "not connected to the primary hub"
ok "start under valgrind: on the primary hub after $(( SECONDS - t_start )) s"

# One round of traffic both ways; $1 names the round, $2 is the port of
# the hub the router is on.
traffic() {
	local v s b r
	python3 "$peer" sink "$tmp/pki" 127.0.0.1 "$2" - 30 \
		> "$tmp/sink.out" 2>&1 &
	local spid=$!
	bg+=($spid)
	for _ in $(seq 1 400); do [ -s "$tmp/sink.out" ] && break; sleep 0.05; done
	v=$(head -1 "$tmp/sink.out")
	[ ${#v} -eq 17 ] || { cat "$tmp/sink.out"; fail "$1: sink did not connect"; }
	s=$(python3 "$peer" bipburst "$bip_ip" "$bip_port" "$client_ip" 20 "$v" 200 200)
	wait "$spid" || fail "$1: sink"
	r=$(tail -1 "$tmp/sink.out")
	b=$(timeout 30 python3 "$peer" sc2bip "$tmp/pki" 127.0.0.1 "$2" "$bip_port" 10 20) ||
		fail "$1: SC -> B/IP sender"
	w=$(timeout 30 python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4715 1) ||
		fail "$1: Who-Is"
	echo "  $1: B/IP -> SC: $s sent, $r; SC -> B/IP: $b; Who-Is sent/answered: $w"
	[ "${r#received }" -gt 0 ] || fail "$1: no B/IP -> SC unicast arrived"
	[ "${b##* }" -gt 0 ] || fail "$1: no SC -> B/IP broadcast arrived"
	[ "${w##* }" -gt 0 ] || fail "$1: no I-Am"
}
traffic "traffic on the primary" "$ext_port"
ok "traffic both ways"

mkconf 30 > "$tmp/router.conf"
kill -HUP "$daemon_pid"
for _ in $(seq 1 200); do grep -q "reload of .* applied" "$tmp/daemon.log" && break; sleep 0.1; done
grep -q "reload of .* applied" "$tmp/daemon.log" || fail "SIGHUP: reload not applied"
ok "SIGHUP reload applied ($(grep -c "reload: .*applied" "$tmp/daemon.log") log lines)"

kill -KILL "$ext_pid"
wait "$ext_pid" 2>/dev/null || true
wait_hub failover 60 || fail "no failover to the daemon's own hub function"
ok "primary hub killed: on the failover hub"
traffic "traffic on the failover" "$hub_port"

kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
grep -E "ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost" "$tmp/valgrind.log" | sed 's/^/  /'
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM (valgrind errors or leaks give 1)"
grep -q "ERROR SUMMARY: 0 errors" "$tmp/valgrind.log" || fail "valgrind reported errors"
ok "SIGTERM: exit 0; valgrind: 0 errors, no definite or indirect leak; $(( SECONDS - t_start )) s in all"
