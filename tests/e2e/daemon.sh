#!/bin/bash
# The real bacsc-router on loopback: -t/-p on good and bad files, start
# with its own SC hub, status over the control socket, a routed round trip
# from a raw B/IP client, the router's own device, SIGHUP with a broken
# file and with new certificates, systemd notifications, a clean stop
# (under valgrind --leak-check=full when DAEMON_VALGRIND=1, the default
# when valgrind is installed; DAEMON_VALGRIND=0 to skip it).
set -eu
bin="$top_builddir/router/bacsc-router"
ctl="$top_builddir/tools/bacsc-routerctl"
pki="$top_srcdir/tools/bacsc-testpki"
helper="$top_srcdir/tests/e2e/bip_who_is_router.py"
for f in "$bin" "$ctl"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done

tmp=$(mktemp -d /tmp/daemon-e2e.XXXXXX)
daemon_pid=
notify_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null || true
	[ -n "$notify_pid" ] && kill "$notify_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/daemon.log" ] && tail -30 "$tmp/daemon.log"; exit 1; }
ok() { echo "ok: $*"; }

# Addresses and ports away from 127.0.0.1:47808 and other tests.
n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.1.$n
client_ip=127.0.2.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
hub_port=$(( bip_port + 5000 ))

sh "$pki" -q "$tmp/pki1"
sh "$pki" -q "$tmp/pki2"

conf="$tmp/router.conf"
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
control = { socket = "$tmp/control.sock"; mode = "0600"; };
state_dir = "$tmp/state";
CONF
}
mkdir -p "$tmp/state"

# ---------------------------------------------------------------- -t, -p
write_conf "$tmp/pki1" info
out=$("$bin" -t -c "$conf") || fail "-t on a good file"
[ "$out" = "$conf: configuration OK" ] || fail "-t said: $out"
ok "-t good file: exit 0, '$out'"
"$bin" -p -c "$conf" > "$tmp/printed.conf" || fail "-p"
"$bin" -t -c "$tmp/printed.conf" > /dev/null || fail "-p output does not parse"
"$bin" -p -c "$tmp/printed.conf" | cmp -s - "$tmp/printed.conf" ||
	fail "-p of the -p output differs"
ok "-p prints a configuration that parses to the same print"

sed -e "s/port = $bip_port;/port = 70000;/" -e 's/network = 20;/network = 0;/' \
	"$conf" > "$tmp/bad.conf"
set +e
"$bin" -t -c "$tmp/bad.conf" > "$tmp/bad.out" 2> "$tmp/bad.err"
rc=$?
set -e
[ $rc -eq 78 ] || fail "-t on a bad file: exit $rc (want 78, EX_CONFIG)"
grep -q "^$tmp/bad.conf:2: bip\[0\].port: 70000 is out of range (1..65535)" \
	"$tmp/bad.err" || { cat "$tmp/bad.err"; fail "port error text"; }
grep -qx "$tmp/bad.conf:4: sc\[0\].network: 0 is out of range (1..65534)" "$tmp/bad.err" ||
	{ cat "$tmp/bad.err"; fail "second error not reported"; }
ok "-t bad file: exit 78, both errors with file:line:setting"

set +e
"$bin" -t -c "$tmp/nonexistent.conf" 2> "$tmp/missing.err"
rc=$?
"$bin" -c "$tmp/nonexistent.conf" 2> "$tmp/missing2.err"
rc2=$?
set -e
[ $rc -eq 78 ] && [ $rc2 -eq 78 ] || fail "missing file: exit $rc/$rc2 (want 78)"
grep -q "etc/bacsc-router.conf" "$tmp/missing2.err" &&
	grep -q "demo" "$tmp/missing2.err" || fail "missing-file message"
ok "missing file: exit 78, names the sample and the demo"
set +e
"$bin" -c "$tmp/bad.conf" > /dev/null 2> "$tmp/bad-start.err"
rc=$?
set -e
[ $rc -eq 78 ] || fail "start with a bad file: exit $rc (want 78)"
grep -q "bip\[0\].port: 70000 is out of range" "$tmp/bad-start.err" ||
	fail "start with a bad file: error text"
ok "start with a bad file: exit 78 (EX_CONFIG), the errors on stderr"

# ------------------------------------------------------------------ start
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
# systemd notifications on an abstract socket
python3 - "$tmp/notify.log" "bacsc-e2e-$$" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[2])
with open(sys.argv[1], "w") as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m + "\n"); f.flush()
PY
notify_pid=$!
for _ in $(seq 1 100); do [ -e "$tmp/notify.log" ] && break; sleep 0.05; done
t0=$(date +%s%N)
NOTIFY_SOCKET="@bacsc-e2e-$$" "${run[@]}" "$bin" -c "$conf" \
	> "$tmp/daemon.log" 2>&1 &
daemon_pid=$!

status() { "$ctl" -s "$tmp/control.sock" --json status; }
jq_py() {	# $1: python expression over s (the status), prints it
	python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}
ready=0
for _ in $(seq 1 1200); do
	if [ -S "$tmp/control.sock" ] &&
	   [ "$(status 2>/dev/null | jq_py 's["ports"][1]["hub_connector"]["connected_to"]' 2>/dev/null)" = primary ]; then
		ready=1; break
	fi
	kill -0 "$daemon_pid" 2>/dev/null || fail "daemon exited"
	sleep 0.05
done
[ $ready = 1 ] || fail "hub connector never connected to the primary"
t1=$(date +%s%N)
ok "started; hub connector on the primary after $(( (t1 - t0) / 1000000 )) ms (valgrind=$valgrind)"

s=$(status)
check() {	# $1: python expression that must be True, $2: what
	[ "$(echo "$s" | jq_py "$1")" = True ] || { echo "$s"; fail "$2"; }
	ok "$2"
}
check 's["ports"][0]["type"]=="bip" and s["ports"][0]["state"]=="up" and s["ports"][0]["address"]=="'"$bip_ip:$bip_port"'"' \
	"status: B/IP port up on $bip_ip:$bip_port"
check 's["ports"][1]["state"]=="up" and s["ports"][1]["hub_connector"]["state"]=="connected-to-primary" and s["ports"][1]["hub_connector"]["primary"]["status"]=="connected"' \
	"status: SC port up, hub connector connected to its primary"
check 's["ports"][1]["hub_function"]["peers"]==1 and s["ports"][1]["hub_function"]["connected_peers"][0]["vmac"]==s["ports"][1]["vmac"] and s["ports"][1]["hub_function"]["connected_peers"][0]["uuid"]==s["device"]["uuid"]' \
	"status: the hub function lists our own node (VMAC, UUID)"
check 'sorted((r["network"],r["port"]) for r in s["routes"])==[(10,"bip0"),(20,"sc0")]' \
	"status: routing table has networks 10 (bip0) and 20 (sc0)"
uuid=$(echo "$s" | jq_py 's["device"]["uuid"]')
[ "$(cat "$tmp/state/uuid")" = "$uuid" ] || fail "persisted UUID differs"
ok "Device UUID generated and persisted in the state folder"
fp1=$(openssl x509 -in "$tmp/pki1/hub.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
check 's["ports"][1]["certificate"]["sha256"]=="'"$fp1"'"' \
	"status: certificate fingerprint is that of pki1/hub.pem"

# ---------------------------------------------------- routed round trip
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" who-is-router 20 ||
	fail "no I-Am-Router-To-Network listing network 20"
ok "Who-Is-Router-To-Network on B/IP -> I-Am-Router-To-Network 20"
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" who-is 4711 ||
	fail "no I-Am from the router's device"
ok "Who-Is on B/IP -> I-Am of device 4711"

rvmac=$(status | jq_py 's["ports"][1]["vmac"]')
python3 "$top_srcdir/tests/e2e/daemon_routed.py" "$tmp/pki1" "$hub_port" \
	"$rvmac" "$bip_ip" "$bip_port" "$client_ip" 10 20 ||
	fail "routed round trip B/IP <-> SC"
ok "routed round trip: B/IP client <-> router <-> hub function <-> SC node"

# ------------------------------------------------- SIGHUP, broken file
cp "$conf" "$tmp/good.conf"
printf 'device = { instance = 4711 \n' > "$conf"	# syntax error
kill -HUP "$daemon_pid"
for _ in $(seq 1 100); do
	s=$(status)
	[ "$(echo "$s" | jq_py 's["daemon"]["reloads_failed"]')" = 1 ] && break
	sleep 0.05
done
check 's["daemon"]["reloads_failed"]==1 and s["daemon"]["log_level"]=="info" and s["ports"][1]["hub_connector"]["connected_to"]=="primary" and s["ports"][0]["state"]=="up"' \
	"SIGHUP with a broken file: reload failed, old configuration in force"
grep -q "keeping the running configuration" "$tmp/daemon.log" ||
	fail "no 'keeping the running configuration' log line"
# A restart-only change is refused too (named in the answer).
sed "s/port = $bip_port;/port = $(( bip_port + 1 ));/" "$tmp/good.conf" > "$conf"
set +e
"$ctl" -s "$tmp/control.sock" --json reload > "$tmp/reload.json"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'bip\[0\].port' "$tmp/reload.json" ||
	{ cat "$tmp/reload.json"; fail "restart-only change not refused"; }
ok "reload with a changed B/IP port: refused, the setting named"

# -------------------------------------- SIGHUP, new certificates + level
write_conf "$tmp/pki2" debug
kill -HUP "$daemon_pid"
for _ in $(seq 1 100); do
	s=$(status)
	[ "$(echo "$s" | jq_py 's["daemon"]["reloads_ok"]')" = 1 ] && break
	sleep 0.05
done
fp2=$(openssl x509 -in "$tmp/pki2/hub.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
check 's["daemon"]["reloads_ok"]==1 and s["daemon"]["log_level"]=="debug" and s["ports"][1]["certificate"]["sha256"]=="'"$fp2"'"' \
	"SIGHUP with new certificates and level: applied"
# A new connection to the hub function is served the new certificate.
seen=$(openssl s_client -connect "127.0.0.1:$hub_port" -tls1_3 </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
[ "$seen" = "$fp2" ] || fail "new connection got certificate $seen, want $fp2"
ok "a new TLS connection to the hub function gets the new certificate"
check 's["ports"][1]["hub_connector"]["connected_to"]=="primary"' \
	"the existing hub connection stayed up"
"$ctl" -s "$tmp/control.sock" status > "$tmp/status.txt" ||
	fail "human-readable status"
grep -q "connected_to: primary" "$tmp/status.txt" || fail "human status text"
"$ctl" -s "$tmp/control.sock" routes | grep -q "network: 20" || fail "routes"
"$ctl" -s "$tmp/control.sock" peers | grep -q "vmac:" || fail "peers"
ok "bacsc-routerctl status/routes/peers (human-readable)"
kill -USR1 "$daemon_pid"
sleep 0.3
grep -q "counters: router" "$tmp/daemon.log" || fail "SIGUSR1 counters"
ok "SIGUSR1 logs the counters"

# ------------------------------------------------------------------ stop
t0=$(date +%s%N)
kill -TERM "$daemon_pid"
set +e
wait "$daemon_pid"
rc=$?
set -e
daemon_pid=
t1=$(date +%s%N)
[ $rc -eq 0 ] || { [ -f "$tmp/valgrind.log" ] && cat "$tmp/valgrind.log"; fail "exit status $rc after SIGTERM"; }
ok "SIGTERM: clean exit 0 in $(( (t1 - t0) / 1000000 )) ms"
[ ! -e "$tmp/control.sock" ] || fail "control socket left behind"
grep -q "every SC connection closed" "$tmp/daemon.log" ||
	fail "SC connections were not closed by Disconnect"
ok "SC connections closed with Disconnect-Request/ACK before exit"
if [ "$valgrind" = 1 ]; then
	grep -q "ERROR SUMMARY: 0 errors" "$tmp/valgrind.log" ||
		{ cat "$tmp/valgrind.log"; fail "valgrind found errors"; }
	ok "valgrind: no errors, no definite/indirect leaks"
fi
sleep 0.2
for m in READY=1 RELOADING=1 STOPPING=1; do
	grep -qx "$m" "$tmp/notify.log" || { cat "$tmp/notify.log"; fail "no $m"; }
done
ok "systemd notifications READY=1, RELOADING=1, STOPPING=1 (abstract socket)"

# ------------------------------------- started as root: change of user
if [ "$(id -u)" -eq 0 ] && getent passwd nobody >/dev/null &&
   getent group nogroup >/dev/null; then
	priv="$tmp/priv"
	mkdir -p "$priv/state"
	cp -r "$tmp/pki1" "$priv/pki"
	chmod 0711 "$tmp"
	chown -R nobody:nogroup "$priv"
	chmod 0755 "$priv"
	p2=$(( bip_port + 1 ))
	h2=$(( hub_port + 1 ))
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
		{ echo "$out"; fail "-t as root refuses the key of user nobody (0600)"; }
	ok "-t as root: key owned by the configured user nobody, 0600: accepted"
	key="$priv/pki/hub.key"
	for m in 0640 0604; do
		chmod $m "$key"
		rc=0
		out=$("$bin" -t -c "$priv/router.conf" 2>&1) || rc=$?
		[ $rc -eq 78 ] && echo "$out" | grep -q "sc\[0\].tls.key: private key \"$key\" is accessible by group or others (mode $m)" ||
			{ echo "$out"; fail "-t as root with key mode $m: exit $rc"; }
	done
	chmod 0600 "$key"
	if getent passwd daemon > /dev/null; then
		chown daemon "$key"
		rc=0
		out=$("$bin" -t -c "$priv/router.conf" 2>&1) || rc=$?
		[ $rc -eq 78 ] && echo "$out" | grep -q "private key \"$key\" is owned by uid $(id -u daemon)" ||
			{ echo "$out"; fail "-t as root with a key of user daemon: exit $rc"; }
		chown nobody "$key"
	fi
	sed 's/^user = "nobody";/user = "no-such-user-e2e";/' "$priv/router.conf" > "$tmp/nouser.conf"
	rc=0
	out=$("$bin" -t -c "$tmp/nouser.conf" 2>&1) || rc=$?
	[ $rc -eq 78 ] && echo "$out" | grep -q 'user: "no-such-user-e2e" is not a user on this system' ||
		{ echo "$out"; fail "-t with a user that does not exist: exit $rc"; }
	ok "-t as root refuses keys of mode 0640/0604 or of another user, and a user that does not exist (exit 78)"
	"$bin" -c "$priv/router.conf" > "$tmp/priv.log" 2>&1 &
	daemon_pid=$!
	up=0
	for _ in $(seq 1 300); do
		if [ -S "$priv/control.sock" ] &&
		   "$ctl" -s "$priv/control.sock" --json status 2>/dev/null |
		   grep -q '"connected_to":"primary"'; then
			up=1; break
		fi
		kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/priv.log"; fail "daemon (user nobody) exited"; }
		sleep 0.05
	done
	[ $up = 1 ] || { cat "$tmp/priv.log"; fail "daemon (user nobody) not connected"; }
	nuid=$(id -u nobody)
	ngid=$(getent group nogroup | cut -d: -f3)
	grep -q "^Uid:[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid\$" "/proc/$daemon_pid/status" ||
		{ grep -E "^(Uid|Gid|Groups)" "/proc/$daemon_pid/status"; fail "not running as nobody"; }
	grep -q "^Gid:[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid\$" "/proc/$daemon_pid/status" &&
	grep -q "^Groups:[[:space:]]*$ngid[[:space:]]*\$" "/proc/$daemon_pid/status" ||
		{ grep -E "^(Uid|Gid|Groups)" "/proc/$daemon_pid/status"; fail "groups not dropped"; }
	ok "started as root: runs as nobody:nogroup (uid, gid, supplementary groups) after binding"
	"$ctl" -s "$priv/control.sock" reload > "$tmp/priv-reload.txt" ||
		{ cat "$tmp/priv-reload.txt"; fail "reload after the change of user"; }
	ok "reload after the change of user reads the key files (owned by nobody, 0600)"
	kill -TERM "$daemon_pid"
	rc=0
	wait "$daemon_pid" || rc=$?
	daemon_pid=
	[ $rc -eq 0 ] || { cat "$tmp/priv.log"; fail "exit $rc (user nobody)"; }
	[ ! -e "$priv/control.sock" ] || fail "control socket left behind (user nobody)"
	ok "stopped cleanly as nobody, control socket removed"
else
	echo "skip: change of user (needs root and nobody/nogroup)"
fi
echo "daemon e2e: all passed"
