#!/bin/bash
# The real bacsc-router on loopback: -t/-p on good and bad files, start
# with its own SC hub, status over the control socket, a routed round trip
# from a raw B/IP client, the router's own device, SIGHUP with a broken
# file and with new certificates, systemd notifications, a clean stop
# (under valgrind --leak-check=full when DAEMON_VALGRIND=1, the default
# when valgrind is installed; DAEMON_VALGRIND=0 to skip it).
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
bin=$E_ROUTER
ctl=$E_CTL
helper="$top_srcdir/tests/e2e/bip_who_is_router.py"

# Addresses and ports away from 127.0.0.1:47808 and other tests.
n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.1.$n
client_ip=127.0.2.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
read -r hub_port h2 < <(e_free_tcp 2)

mv "$W/pki" "$W/pki1"
sh "$top_srcdir/tools/bacsc-testpki" -q "$W/pki2"

conf="$W/router.conf"
write_conf() {	# $1: pki folder, $2: log level
	cat > "$conf" <<CONF
device = { instance = 4711; name = "e2e-router"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$1/hub.pem"; key = "$1/hub.key";
                 ca = [ "$1/ca.pem" ]; };
         timers = { connect_wait = 5; disconnect_wait = 5; min_reconnect = 2;
                    max_reconnect = 10; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
       } );
log = { level = "$2"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
}
mkdir -p "$W/state"

# ---------------------------------------------------------------- -t, -p
write_conf "$W/pki1" info
out=$("$bin" -t -c "$conf") || e_fail "-t on a good file"
[ "$out" = "$conf: configuration OK" ] || e_fail "-t said: $out"
e_ok "-t good file: exit 0, '$out'"
"$bin" -p -c "$conf" > "$W/printed.conf" || e_fail "-p"
"$bin" -t -c "$W/printed.conf" > /dev/null || e_fail "-p output does not parse"
"$bin" -p -c "$W/printed.conf" | cmp -s - "$W/printed.conf" ||
	e_fail "-p of the -p output differs"
e_ok "-p prints a configuration that parses to the same print"

sed -e "s/port = $bip_port;/port = 70000;/" -e 's/network = 20;/network = 0;/' \
	"$conf" > "$W/bad.conf"
set +e
"$bin" -t -c "$W/bad.conf" > "$W/bad.out" 2> "$W/bad.err"
rc=$?
set -e
[ $rc -eq 78 ] || e_fail "-t on a bad file: exit $rc (want 78, EX_CONFIG)"
grep -q "^$W/bad.conf:2: bip\[0\].port: 70000 is out of range (1..65535)" \
	"$W/bad.err" || { cat "$W/bad.err"; e_fail "port error text"; }
grep -qx "$W/bad.conf:4: sc\[0\].network: 0 is out of range (1..65534)" "$W/bad.err" ||
	{ cat "$W/bad.err"; e_fail "second error not reported"; }
e_ok "-t bad file: exit 78, both errors with file:line:setting"

set +e
"$bin" -t -c "$W/nonexistent.conf" 2> "$W/missing.err"
rc=$?
"$bin" -c "$W/nonexistent.conf" 2> "$W/missing2.err"
rc2=$?
set -e
[ $rc -eq 78 ] && [ $rc2 -eq 78 ] || e_fail "missing file: exit $rc/$rc2 (want 78)"
grep -q "etc/bacsc-router.conf" "$W/missing2.err" &&
	grep -q "demo" "$W/missing2.err" || e_fail "missing-file message"
e_ok "missing file: exit 78, names the sample and the demo"
set +e
"$bin" -c "$W/bad.conf" > /dev/null 2> "$W/bad-start.err"
rc=$?
set -e
[ $rc -eq 78 ] || e_fail "start with a bad file: exit $rc (want 78)"
grep -q "bip\[0\].port: 70000 is out of range" "$W/bad-start.err" ||
	e_fail "start with a bad file: error text"
e_ok "start with a bad file: exit 78 (EX_CONFIG), the errors on stderr"

# ------------------------------------------------------------------ start
e_valgrind
valgrind=$E_VALGRIND
# systemd notifications on an abstract socket
python3 - "$W/notify.log" "bacsc-e2e-$$" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[2])
with open(sys.argv[1], "w") as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m + "\n"); f.flush()
PY
E_PIDS+=($!)
for _ in $(seq 1 100); do [ -e "$W/notify.log" ] && break; sleep 0.05; done
t0=$(date +%s%N)
NOTIFY_SOCKET="@bacsc-e2e-$$" e_daemon_start daemon "$conf"
daemon_pid=$E_DAEMON_PID

status() { "$ctl" -s "$W/control.sock" --json status; }
e_wait_ready "$W/control.sock" 60
t1=$(date +%s%N)
e_ok "started; hub connector on the primary after $(( (t1 - t0) / 1000000 )) ms (valgrind=$valgrind)"

s=$(status)
e_check 's["ports"][0]["type"]=="bip" and s["ports"][0]["state"]=="up" and s["ports"][0]["address"]=="'"$bip_ip:$bip_port"'"' \
	"status: B/IP port up on $bip_ip:$bip_port"
e_check 's["ports"][1]["state"]=="up" and s["ports"][1]["hub_connector"]["state"]=="connected-to-primary" and s["ports"][1]["hub_connector"]["primary"]["status"]=="connected"' \
	"status: SC port up, hub connector connected to its primary"
e_check 's["ports"][1]["hub_function"]["peers"]==1 and s["ports"][1]["hub_function"]["connected_peers"][0]["vmac"]==s["ports"][1]["vmac"] and s["ports"][1]["hub_function"]["connected_peers"][0]["uuid"]==s["device"]["uuid"]' \
	"status: the hub function lists our own node (VMAC, UUID)"
e_check 'sorted((r["network"],r["port"]) for r in s["routes"])==[(10,"bip0"),(20,"sc0")]' \
	"status: routing table has networks 10 (bip0) and 20 (sc0)"
uuid=$(echo "$s" | e_jq 's["device"]["uuid"]')
[ "$(cat "$W/state/uuid")" = "$uuid" ] || e_fail "persisted UUID differs"
e_ok "Device UUID generated and persisted in the state folder"
fp1=$(openssl x509 -in "$W/pki1/hub.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
e_check 's["ports"][1]["certificate"]["sha256"]=="'"$fp1"'"' \
	"status: certificate fingerprint is that of pki1/hub.pem"

# ---------------------------------------------------- routed round trip
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" who-is-router 20 ||
	e_fail "no I-Am-Router-To-Network listing network 20"
e_ok "Who-Is-Router-To-Network on B/IP -> I-Am-Router-To-Network 20"
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" who-is 4711 ||
	e_fail "no I-Am from the router's device"
e_ok "Who-Is on B/IP -> I-Am of device 4711"

rvmac=$(status | e_jq 's["ports"][1]["vmac"]')
python3 "$top_srcdir/tests/e2e/daemon_routed.py" "$W/pki1" "$hub_port" \
	"$rvmac" "$bip_ip" "$bip_port" "$client_ip" 10 20 ||
	e_fail "routed round trip B/IP <-> SC"
e_ok "routed round trip: B/IP client <-> router <-> hub function <-> SC node"

# ------------------------------------------------- SIGHUP, broken file
cp "$conf" "$W/good.conf"
printf 'device = { instance = 4711 \n' > "$conf"	# syntax error
kill -HUP "$daemon_pid"
for _ in $(seq 1 100); do
	s=$(status)
	[ "$(echo "$s" | e_jq 's["daemon"]["reloads_failed"]')" = 1 ] && break
	sleep 0.05
done
e_check 's["daemon"]["reloads_failed"]==1 and s["daemon"]["log_level"]=="info" and s["ports"][1]["hub_connector"]["connected_to"]=="primary" and s["ports"][0]["state"]=="up"' \
	"SIGHUP with a broken file: reload failed, old configuration in force"
grep -q "keeping the running configuration" "$W/daemon.log" ||
	e_fail "no 'keeping the running configuration' log line"
# A restart-only change is refused too (named in the answer).
sed "s/port = $bip_port;/port = $(( bip_port + 1 ));/" "$W/good.conf" > "$conf"
set +e
"$ctl" -s "$W/control.sock" --json reload > "$W/reload.json"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'bip\[0\].port' "$W/reload.json" ||
	{ cat "$W/reload.json"; e_fail "restart-only change not refused"; }
e_ok "reload with a changed B/IP port: refused, the setting named"

# -------------------------------------- SIGHUP, new certificates + level
write_conf "$W/pki2" debug
kill -HUP "$daemon_pid"
for _ in $(seq 1 100); do
	s=$(status)
	[ "$(echo "$s" | e_jq 's["daemon"]["reloads_ok"]')" = 1 ] && break
	sleep 0.05
done
fp2=$(openssl x509 -in "$W/pki2/hub.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
e_check 's["daemon"]["reloads_ok"]==1 and s["daemon"]["log_level"]=="debug" and s["ports"][1]["certificate"]["sha256"]=="'"$fp2"'"' \
	"SIGHUP with new certificates and level: applied"
# A new connection to the hub function is served the new certificate.
seen=$(openssl s_client -connect "127.0.0.1:$hub_port" -tls1_3 </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//') || true
[ "$seen" = "$fp2" ] || e_fail "new connection got certificate $seen, want $fp2"
e_ok "a new TLS connection to the hub function gets the new certificate"
e_check 's["ports"][1]["hub_connector"]["connected_to"]=="primary"' \
	"the existing hub connection stayed up"
"$ctl" -s "$W/control.sock" status > "$W/status.txt" ||
	e_fail "human-readable status"
grep -q "connected_to: primary" "$W/status.txt" || e_fail "human status text"
"$ctl" -s "$W/control.sock" routes | grep "network: 20" >/dev/null || e_fail "routes"
"$ctl" -s "$W/control.sock" peers | grep "vmac:" >/dev/null || e_fail "peers"
e_ok "bacsc-routerctl status/routes/peers (human-readable)"
kill -USR1 "$daemon_pid"
sleep 0.3
grep -q "counters: router" "$W/daemon.log" || e_fail "SIGUSR1 counters"
e_ok "SIGUSR1 logs the counters"

# ------------------------------------------------------------------ stop
e_stop "$daemon_pid"
[ $E_RC -eq 0 ] || { [ -f "$W/valgrind.log" ] && cat "$W/valgrind.log"; e_fail "exit status $E_RC after SIGTERM"; }
e_ok "SIGTERM: clean exit 0 in $E_STOP_MS ms"
[ ! -e "$W/control.sock" ] || e_fail "control socket left behind"
grep -q "every SC connection closed" "$W/daemon.log" ||
	e_fail "SC connections were not closed by Disconnect"
e_ok "SC connections closed with Disconnect-Request/ACK before exit"
if [ "$valgrind" = 1 ]; then
	grep -q "ERROR SUMMARY: 0 errors" "$W/valgrind.log" ||
		{ cat "$W/valgrind.log"; e_fail "valgrind found errors"; }
	e_ok "valgrind: no errors, no definite/indirect leaks"
fi
sleep 0.2
for m in READY=1 RELOADING=1 STOPPING=1; do
	grep -qx "$m" "$W/notify.log" || { cat "$W/notify.log"; e_fail "no $m"; }
done
e_ok "systemd notifications READY=1, RELOADING=1, STOPPING=1 (abstract socket)"

# ------------------------------------- started as root: change of user
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null &&
   getent group nogroup >/dev/null; then
	priv="$W/priv"
	mkdir -p "$priv/state"
	cp -r "$W/pki1" "$priv/pki"
	chmod 0711 "$W"
	chown -R nobody:nogroup "$priv"
	chmod 0755 "$priv"
	p2=$(( bip_port + 1 ))
	cat > "$priv/router.conf" <<CONF
device = { instance = 4712; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $p2;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; primary_hub = "wss://127.0.0.1:$h2/";
         tls = { certificate = "$priv/pki/hub.pem"; key = "$priv/pki/hub.key";
                 ca = [ "$priv/pki/ca.pem" ]; };
         hub_function = { enabled = true; listen = "127.0.0.1:$h2"; }; } );
control = { socket = "$priv/control.sock"; mode = "0600"; };
state_dir = "$priv/state";
user = "nobody";
group = "nogroup";
CONF
	# -t as root: the configured user's key (0600) is right; a key
	# group or others may read, or one of another user, is not.
	out=$("$bin" -t -c "$priv/router.conf" 2>&1) ||
		{ echo "$out"; e_fail "-t as root refuses the key of user nobody (0600)"; }
	e_ok "-t as root: key owned by the configured user nobody, 0600: accepted"
	key="$priv/pki/hub.key"
	for m in 0640 0604; do
		chmod $m "$key"
		rc=0
		out=$("$bin" -t -c "$priv/router.conf" 2>&1) || rc=$?
		[ $rc -eq 78 ] && echo "$out" | grep "sc\[0\].tls.key: private key \"$key\" is accessible by group or others (mode $m)" >/dev/null ||
			{ echo "$out"; e_fail "-t as root with key mode $m: exit $rc"; }
	done
	chmod 0600 "$key"
	if getent passwd daemon > /dev/null; then
		chown daemon "$key"
		rc=0
		out=$("$bin" -t -c "$priv/router.conf" 2>&1) || rc=$?
		[ $rc -eq 78 ] && echo "$out" | grep "private key \"$key\" is owned by uid $(id -u daemon)" >/dev/null ||
			{ echo "$out"; e_fail "-t as root with a key of user daemon: exit $rc"; }
		chown nobody "$key"
	fi
	sed 's/^user = "nobody";/user = "no-such-user-e2e";/' "$priv/router.conf" > "$W/nouser.conf"
	rc=0
	out=$("$bin" -t -c "$W/nouser.conf" 2>&1) || rc=$?
	[ $rc -eq 78 ] && echo "$out" | grep 'user: "no-such-user-e2e" is not a user on this system' >/dev/null ||
		{ echo "$out"; e_fail "-t with a user that does not exist: exit $rc"; }
	e_ok "-t as root refuses keys of mode 0640/0604 or of another user, and a user that does not exist (exit 78)"
	E_RUN=()
	e_daemon_start priv "$priv/router.conf"
	daemon_pid=$E_DAEMON_PID
	e_wait_ready "$priv/control.sock" 15
	nuid=$(id -u nobody)
	ngid=$(getent group nogroup | cut -d: -f3)
	grep -q "^Uid:[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid\$" "/proc/$daemon_pid/status" ||
		{ grep -E "^(Uid|Gid|Groups)" "/proc/$daemon_pid/status"; e_fail "not running as nobody"; }
	grep -q "^Gid:[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid\$" "/proc/$daemon_pid/status" &&
	grep -q "^Groups:[[:space:]]*$ngid[[:space:]]*\$" "/proc/$daemon_pid/status" ||
		{ grep -E "^(Uid|Gid|Groups)" "/proc/$daemon_pid/status"; e_fail "groups not dropped"; }
	e_ok "started as root: runs as nobody:nogroup (uid, gid, supplementary groups) after binding"
	"$ctl" -s "$priv/control.sock" reload > "$W/priv-reload.txt" ||
		{ cat "$W/priv-reload.txt"; e_fail "reload after the change of user"; }
	e_ok "reload after the change of user reads the key files (owned by nobody, 0600)"
	e_stop "$daemon_pid"
	[ $E_RC -eq 0 ] || e_fail "exit $E_RC (user nobody)"
	[ ! -e "$priv/control.sock" ] || e_fail "control socket left behind (user nobody)"
	e_ok "stopped cleanly as nobody, control socket removed"
else
	echo "skip: change of user (needs root and nobody/nogroup)"
fi
echo "daemon e2e: all passed"
