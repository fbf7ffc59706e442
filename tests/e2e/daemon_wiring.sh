#!/bin/bash
# The real bacsc-router with the node switch and the certificate watch:
# a daemon with node_switch enabled starts, its status shows the switch
# listening (and something accepts TCP there), an empty direct-connection
# list and the certificate's days left; a daemon with an expired
# operational certificate refuses to start with exit 78 (a configuration
# error naming the setting and the validity dates), and -t says so too.
# Under valgrind --leak-check=full when DAEMON_VALGRIND=1 (the default
# when valgrind is installed); DAEMON_VALGRIND=0 to skip it.
set -eu
bin="$top_builddir/router/bacsc-router"
ctl="$top_builddir/tools/bacsc-routerctl"
pki="$top_srcdir/tools/bacsc-testpki"
for f in "$bin" "$ctl"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done

tmp=$(mktemp -d /tmp/daemon-wiring.XXXXXX)
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/daemon.log" ] && tail -30 "$tmp/daemon.log"; exit 1; }
ok() { echo "ok: $*"; }

hub_port=$(( 36000 + RANDOM % 4000 ))
ns_port=$(( hub_port + 4000 ))
bip_port=$(( hub_port + 8000 ))
bip_ip=127.0.5.$(( 1 + RANDOM % 250 ))
sh "$pki" -q "$tmp/pki"
mkdir -p "$tmp/state"

write_conf() {	# $1: certificate, $2: key
	cat > "$tmp/router.conf" <<CONF
device = { instance = 4713; name = "e2e-wiring"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$1"; key = "$2";
                 ca = [ "$tmp/pki/ca.pem" ]; expiry_warn_days = 30; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
         node_switch = { enabled = true; listen = "127.0.0.1:$ns_port";
                         accept_uris = [ "wss://127.0.0.1:$ns_port/" ];
                         policy = "never"; idle_timeout = 60; };
       } );
log = { level = "info"; target = "stderr"; };
control = { socket = "$tmp/control.sock"; mode = "0600"; };
state_dir = "$tmp/state";
CONF
}

valgrind=${DAEMON_VALGRIND:-auto}
if [ "$valgrind" = auto ]; then
	command -v valgrind > /dev/null && valgrind=1 || valgrind=0
fi
run=()
if [ "$valgrind" = 1 ]; then
	run=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
	     --errors-for-leak-kinds=definite,indirect --error-exitcode=99
	     --log-file="$tmp/valgrind.log")
fi

# ------------------------------------------ node switch + expiry status
write_conf "$tmp/pki/hub.pem" "$tmp/pki/hub.key"
"$bin" -t -c "$tmp/router.conf" > /dev/null || fail "-t on the node-switch file"
"${run[@]}" "$bin" -c "$tmp/router.conf" > "$tmp/daemon.log" 2>&1 &
daemon_pid=$!

status() { "$ctl" -s "$tmp/control.sock" --json "${1:-status}"; }
jq_py() {	# $1: python expression over s (the status), prints it
	python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}
ready=0
for _ in $(seq 1 1200); do
	if [ -S "$tmp/control.sock" ] &&
	   [ "$(status 2>/dev/null | jq_py 's["ports"][1]["hub_connector"]["connected_to"]' 2>/dev/null)" = primary ]; then
		ready=1; break
	fi
	kill -0 "$daemon_pid" 2>/dev/null || fail "daemon with node_switch exited"
	sleep 0.05
done
[ $ready = 1 ] || fail "hub connector never connected"
ok "daemon with node_switch enabled started (valgrind=$valgrind)"

s=$(status)
check() {	# $1: python expression that must be True, $2: what
	[ "$(echo "$s" | jq_py "$1")" = True ] || { echo "$s"; fail "$2"; }
	ok "$2"
}
check 's["ports"][1]["node_switch"]["accepting"] is True and s["ports"][1]["node_switch"]["port"]=='"$ns_port"' and s["ports"][1]["node_switch"]["policy"]=="never" and s["ports"][1]["node_switch"]["connections"]==0' \
	"status: node switch accepting on port $ns_port, policy never, 0 connections"
check 's["ports"][1]["direct_connections"]==[] and s["ports"][1]["node_switch"]["counters"]["opened"]==0' \
	"status: empty direct-connection list, no connection opened"
python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $ns_port), 2).close()" ||
	fail "nothing accepts TCP on the node switch port"
ok "TCP connect to 127.0.0.1:$ns_port succeeds"
p=$(status peers)
[ "$(echo "$p" | jq_py 's["peers"][0]["direct_connections"]==[]' 2>/dev/null)" = True ] ||
	{ echo "$p"; fail "peers: direct_connections"; }
ok "peers: direct_connections is an empty list"
# Advertisement-Solicitation on a direct connection: answered (issue 8).
python3 "$top_srcdir/tests/e2e/sc_raw_client.py" dcadvert "$tmp/pki" \
	127.0.0.1 "$ns_port" || fail "dcadvert"
for _ in $(seq 1 40); do
	s=$(status)
	[ "$(echo "$s" | jq_py 's["ports"][1]["node_switch"]["counters"]["adverts_tx"]')" = 1 ] && break
	sleep 0.05
done
check 's["ports"][1]["node_switch"]["counters"]["adverts_tx"]==1' \
	"status: node switch counted the Advertisement it sent"

# Direct_Connect_Connection_Status (Network Port 2, the SC port) lists a
# direct connection while it is up: read over B/IP with ReadProperty.
coproc DC { python3 "$top_srcdir/tests/e2e/sc_raw_client.py" dchold \
	"$tmp/pki" 127.0.0.1 "$ns_port"; }
read -r -t 15 word vm <&"${DC[0]}" && [ "$word" = VMAC ] ||
	fail "dchold: no direct connection"
for _ in $(seq 1 40); do
	s=$(status)
	[ "$(echo "$s" | jq_py 'len(s["ports"][1]["direct_connections"])')" = 1 ] && break
	sleep 0.05
done
v=$(python3 "$top_srcdir/tests/e2e/bip_who_is_router.py" "$bip_ip" \
	"$bip_port" 127.0.5.254 read-prop 4713 56:2 4194312) ||
	fail "ReadProperty Direct_Connect_Connection_Status"
# BACnetSCDirectConnection: uri "" (accepted), state 1, ..., address
# 127.0.0.1, the peer's VMAC.
case "$v" in
*"5d06${vm}"*) ;;
*) fail "Direct_Connect_Connection_Status lacks VMAC $vm: $v" ;;
esac
case "$v" in
*7f000001*) ;;
*) fail "Direct_Connect_Connection_Status lacks the peer address: $v" ;;
esac
case "$v" in
"VALUE 09001901"*) ;;
*) fail "Direct_Connect_Connection_Status: not one connected record: $v" ;;
esac
ok "Network Port Direct_Connect_Connection_Status lists the held direct connection ($vm from 127.0.0.1)"
exec {DC[1]}>&-
wait "$DC_PID" || fail "dchold did not end cleanly"

days=$(( ( $(date -d "$(openssl x509 -in "$tmp/pki/hub.pem" -noout -enddate | sed 's/.*=//')" +%s) - $(date +%s) ) / 86400 ))
check 'isinstance(s["ports"][1]["expiry"]["days_left"], int) and abs(s["ports"][1]["expiry"]["days_left"] - '"$days"') <= 1 and s["ports"][1]["expiry"]["warn_days"]==30 and s["ports"][1]["expiry"]["clock_ok"] is True' \
	"status --json: expiry days_left ~ $days (from openssl), warn_days 30, clock ok"
"$ctl" -s "$tmp/control.sock" status > "$tmp/status.txt" || fail "human status"
grep -q "days_left: " "$tmp/status.txt" && grep -q "node_switch:" "$tmp/status.txt" ||
	{ cat "$tmp/status.txt"; fail "human status lacks days_left / node_switch"; }
ok "bacsc-routerctl status shows node_switch and days_left"

"$ctl" -s "$tmp/control.sock" reload > "$tmp/reload.txt" ||
	{ cat "$tmp/reload.txt"; fail "reload"; }
s=$(status)
check 's["ports"][1]["node_switch"]["accepting"] is True and s["ports"][1]["expiry"]["days_left"] is not None' \
	"reload: node switch still listening, expiry still reported"

kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
[ $rc -eq 0 ] || { [ -f "$tmp/valgrind.log" ] && cat "$tmp/valgrind.log"; fail "exit $rc"; }
ok "stopped cleanly (exit 0$([ "$valgrind" = 1 ] && echo ', no leaks under valgrind'))"

# ----------------------------------------------- expired certificate
write_conf "$tmp/pki/expired.pem" "$tmp/pki/expired.key"
set +e
timeout 60 "$bin" -c "$tmp/router.conf" > "$tmp/expired.log" 2>&1
rc=$?
set -e
# A configuration error (78, EX_CONFIG: systemd does not restart it) that
# names the file, line, setting and validity dates; -t says the same.
[ $rc -eq 78 ] || { cat "$tmp/expired.log"; fail "expired certificate: exit $rc, want 78"; }
want='router.conf:[0-9]*: sc\[0\].tls.certificate: ".*expired.pem" has expired: valid from 2020-01-01 00:00:00 UTC until 2021-01-01 00:00:00 UTC'
grep -q "$want" "$tmp/expired.log" || { cat "$tmp/expired.log"; fail "the message does not name the setting and dates"; }
[ ! -e "$tmp/control.sock" ] || fail "control socket left behind"
set +e
"$bin" -t -c "$tmp/router.conf" > "$tmp/expired-t.log" 2>&1
rc=$?
set -e
[ $rc -eq 78 ] && grep -q "$want" "$tmp/expired-t.log" ||
	{ cat "$tmp/expired-t.log"; fail "-t: exit $rc or no validity dates"; }
ok "expired certificate: refuses to start and -t refuses it (exit 78): $(grep -i expired "$tmp/expired.log" | head -1)"
echo "daemon wiring e2e: all passed"
