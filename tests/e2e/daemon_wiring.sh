#!/bin/bash
# The real bacsc-router with the node switch and the certificate watch:
# a daemon with node_switch enabled starts, its status shows the switch
# listening (and something accepts TCP there), an empty direct-connection
# list and the certificate's days left; a daemon with an expired
# operational certificate refuses to start with exit 78 (a configuration
# error naming the setting and the validity dates), and -t says so too.
# Under valgrind --leak-check=full when DAEMON_VALGRIND=1 (the default
# when valgrind is installed); DAEMON_VALGRIND=0 to skip it.
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
bin=$E_ROUTER
ctl=$E_CTL

read -r hub_port ns_port < <(e_free_tcp 2)
bip_port=$(( 44000 + RANDOM % 4000 ))
bip_ip=127.0.5.$(( 1 + RANDOM % 250 ))
mkdir -p "$W/state"

write_conf() {	# $1: certificate, $2: key
	cat > "$W/router.conf" <<CONF
device = { instance = 4713; name = "e2e-wiring"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$1"; key = "$2";
                 ca = [ "$W/pki/ca.pem" ]; expiry_warn_days = 30; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
         node_switch = { enabled = true; listen = "127.0.0.1:$ns_port";
                         accept_uris = [ "wss://127.0.0.1:$ns_port/" ];
                         policy = "never"; idle_timeout = 60; };
       } );
log = { level = "info"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
}

e_valgrind
valgrind=$E_VALGRIND

# ------------------------------------------ node switch + expiry status
write_conf "$W/pki/hub.pem" "$W/pki/hub.key"
"$bin" -t -c "$W/router.conf" > /dev/null || e_fail "-t on the node-switch file"
e_daemon_start daemon "$W/router.conf"
daemon_pid=$E_DAEMON_PID

status() { "$ctl" -s "$W/control.sock" --json "${1:-status}"; }
e_wait_ready "$W/control.sock" 60
e_ok "daemon with node_switch enabled started (valgrind=$valgrind)"

s=$(status)
e_check 's["ports"][1]["node_switch"]["accepting"] is True and s["ports"][1]["node_switch"]["port"]=='"$ns_port"' and s["ports"][1]["node_switch"]["policy"]=="never" and s["ports"][1]["node_switch"]["connections"]==0' \
	"status: node switch accepting on port $ns_port, policy never, 0 connections"
e_check 's["ports"][1]["direct_connections"]==[] and s["ports"][1]["node_switch"]["counters"]["opened"]==0' \
	"status: empty direct-connection list, no connection opened"
python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $ns_port), 2).close()" ||
	e_fail "nothing accepts TCP on the node switch port"
e_ok "TCP connect to 127.0.0.1:$ns_port succeeds"
p=$(status peers)
[ "$(echo "$p" | e_jq 's["peers"][0]["direct_connections"]==[]' 2>/dev/null)" = True ] ||
	{ echo "$p"; e_fail "peers: direct_connections"; }
e_ok "peers: direct_connections is an empty list"
# Advertisement-Solicitation on a direct connection: answered (issue 8).
python3 "$top_srcdir/tests/e2e/sc_raw_client.py" dcadvert "$W/pki" \
	127.0.0.1 "$ns_port" || e_fail "dcadvert"
for _ in $(seq 1 40); do
	s=$(status)
	[ "$(echo "$s" | e_jq 's["ports"][1]["node_switch"]["counters"]["adverts_tx"]')" = 1 ] && break
	sleep 0.05
done
e_check 's["ports"][1]["node_switch"]["counters"]["adverts_tx"]==1' \
	"status: node switch counted the Advertisement it sent"

# Direct_Connect_Connection_Status (Network Port 2, the SC port) lists a
# direct connection while it is up: read over B/IP with ReadProperty.
coproc DC { python3 "$top_srcdir/tests/e2e/sc_raw_client.py" dchold \
	"$W/pki" 127.0.0.1 "$ns_port"; }
read -r -t 15 word vm <&"${DC[0]}" && [ "$word" = VMAC ] ||
	e_fail "dchold: no direct connection"
for _ in $(seq 1 40); do
	s=$(status)
	[ "$(echo "$s" | e_jq 'len(s["ports"][1]["direct_connections"])')" = 1 ] && break
	sleep 0.05
done
v=$(python3 "$top_srcdir/tests/e2e/bip_who_is_router.py" "$bip_ip" \
	"$bip_port" 127.0.5.254 read-prop 4713 56:2 4194312) ||
	e_fail "ReadProperty Direct_Connect_Connection_Status"
# BACnetSCDirectConnection: uri "" (accepted), state 1, ..., address
# 127.0.0.1, the peer's VMAC.
case "$v" in
*"5d06${vm}"*) ;;
*) e_fail "Direct_Connect_Connection_Status lacks VMAC $vm: $v" ;;
esac
case "$v" in
*7f000001*) ;;
*) e_fail "Direct_Connect_Connection_Status lacks the peer address: $v" ;;
esac
case "$v" in
"VALUE 09001901"*) ;;
*) e_fail "Direct_Connect_Connection_Status: not one connected record: $v" ;;
esac
e_ok "Network Port Direct_Connect_Connection_Status lists the held direct connection ($vm from 127.0.0.1)"
exec {DC[1]}>&-
wait "$DC_PID" || e_fail "dchold did not end cleanly"

days=$(( ( $(date -d "$(openssl x509 -in "$W/pki/hub.pem" -noout -enddate | sed 's/.*=//')" +%s) - $(date +%s) ) / 86400 ))
e_check 'isinstance(s["ports"][1]["expiry"]["days_left"], int) and abs(s["ports"][1]["expiry"]["days_left"] - '"$days"') <= 1 and s["ports"][1]["expiry"]["warn_days"]==30 and s["ports"][1]["expiry"]["clock_ok"] is True' \
	"status --json: expiry days_left ~ $days (from openssl), warn_days 30, clock ok"
"$ctl" -s "$W/control.sock" status > "$W/status.txt" || e_fail "human status"
grep -q "days_left: " "$W/status.txt" && grep -q "node_switch:" "$W/status.txt" ||
	{ cat "$W/status.txt"; e_fail "human status lacks days_left / node_switch"; }
e_ok "bacsc-routerctl status shows node_switch and days_left"

"$ctl" -s "$W/control.sock" reload > "$W/reload.txt" ||
	{ cat "$W/reload.txt"; e_fail "reload"; }
s=$(status)
e_check 's["ports"][1]["node_switch"]["accepting"] is True and s["ports"][1]["expiry"]["days_left"] is not None' \
	"reload: node switch still listening, expiry still reported"

e_stop "$daemon_pid"
[ $E_RC -eq 0 ] || { [ -f "$W/valgrind.log" ] && cat "$W/valgrind.log"; e_fail "exit $E_RC"; }
e_ok "stopped cleanly (exit 0$([ "$valgrind" = 1 ] && echo ', no leaks under valgrind'))"

# ----------------------------------------------- expired certificate
write_conf "$W/pki/expired.pem" "$W/pki/expired.key"
set +e
timeout 60 "$bin" -c "$W/router.conf" > "$W/expired.log" 2>&1
rc=$?
set -e
# A configuration error (78, EX_CONFIG: systemd does not restart it) that
# names the file, line, setting and validity dates; -t says the same.
[ $rc -eq 78 ] || { cat "$W/expired.log"; e_fail "expired certificate: exit $rc, want 78"; }
want='router.conf:[0-9]*: sc\[0\].tls.certificate: ".*expired.pem" has expired: valid from 2020-01-01 00:00:00 UTC until 2021-01-01 00:00:00 UTC'
grep -q "$want" "$W/expired.log" || { cat "$W/expired.log"; e_fail "the message does not name the setting and dates"; }
[ ! -e "$W/control.sock" ] || e_fail "control socket left behind"
set +e
"$bin" -t -c "$W/router.conf" > "$W/expired-t.log" 2>&1
rc=$?
set -e
[ $rc -eq 78 ] && grep -q "$want" "$W/expired-t.log" ||
	{ cat "$W/expired-t.log"; e_fail "-t: exit $rc or no validity dates"; }
e_ok "expired certificate: refuses to start and -t refuses it (exit 78): $(grep -i expired "$W/expired.log" | head -1)"
echo "daemon wiring e2e: all passed"
