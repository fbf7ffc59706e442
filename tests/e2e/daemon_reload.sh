#!/bin/bash
# The real bacsc-router: what SIGHUP and `bacsc-routerctl reload` apply
# at run time, file names relative to the configuration's folder, the
# pidfile, and syslog output.
#   - started from / with a configuration in another folder whose TLS
#     files, state_dir, control socket and pidfile are relative names;
#   - the pidfile holds the daemon's pid and is removed at exit;
#   - a reload applies router limits and the device's name, description
#     and location (status JSON, and ReadProperty Object_Name over raw
#     B/IP), names a changed setting that needs a restart (device.enabled)
#     as deferred, and refuses a table limit below the routes it holds and
#     a device name that another object has, keeping what runs;
#   - with log.target = "syslog", the start, the reload and the stop reach
#     /dev/log (a datagram socket this script binds, mounted over /dev in a
#     private mount namespace: `unshare -m`; skipped, saying why, when the
#     namespace cannot be made).
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
bin=$E_ROUTER
ctl=$E_CTL
helper="$top_srcdir/tests/e2e/bip_who_is_router.py"
fail() { e_fail "$@"; }
ok() { e_ok "$@"; }

bip_ip=127.0.3.$E_N
client_ip=127.0.4.$E_N
bip_port=$(( E_UDP + 1 ))
hub_port=$(e_free_tcp 1)

# The configuration and the files it names (relative) in $W.
conf_dir=$W
conf="$conf_dir/router.conf"
mkdir -p "$conf_dir/state" "$conf_dir/run"

write_conf() {	# $1: device name, $2: router group body, $3: more device
	cat > "$conf" <<CONF
# Every file name here is relative to this file's folder.
device = { instance = 4714; name = "$1"; uuid = "generate"; ${3:-} };
router = { $2 };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "pki/hub.pem"; key = "pki/hub.key";
                 ca = [ "./pki/ca.pem" ]; };
         timers = { disconnect_wait = 5; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
       } );
log = { level = "info"; target = "${LOG_TARGET:-stderr}"; };
control = { socket = "ctl.sock"; mode = "0600"; };
state_dir = "state";
pidfile = "run/router.pid";
CONF
}

status() { "$ctl" -s "$conf_dir/ctl.sock" --json status; }
reload() {	# $1: expected exit of bacsc-routerctl reload; answer in $s
	local rc=0
	s=$("$ctl" -s "$conf_dir/ctl.sock" --json reload) || rc=$?
	[ $rc -eq "$1" ] || { echo "$s"; fail "reload: exit $rc, want $1"; }
}

# ------------------------------------------ relative names, from elsewhere
write_conf r-one "table_limit = 1024;"
out=$(cd / && "$bin" -t -c "$conf") || fail "-t from / on relative file names"
ok "-t from /: relative TLS files found in the configuration's folder"
E_DAEMON_CWD=/ e_daemon_start daemon "$conf"
daemon_pid=$E_DAEMON_PID
e_wait_ready "$conf_dir/ctl.sock" 30
s=$(status)
fp=$(openssl x509 -in "$conf_dir/pki/hub.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
e_check 's["ports"][1]["certificate"]["sha256"]=="'"$fp"'"' \
	"started from /: certificate pki/hub.pem read from the configuration's folder"
[ -s "$conf_dir/state/uuid" ] || fail "no state/uuid in the configuration's folder"
ok "state_dir \"state\" and control.socket \"ctl.sock\" are in the configuration's folder"
[ "$(cat "$conf_dir/run/router.pid")" = "$daemon_pid" ] ||
	fail "pidfile holds '$(cat "$conf_dir/run/router.pid" 2>/dev/null)', want $daemon_pid"
ok "pidfile run/router.pid holds the daemon's pid $daemon_pid"

# ------------------------------------------------------ reload: applied
e_check 's["router"]["table_limit"]==1024 and s["router"]["broadcast_rate"]==200 and s["router"]["search_queue"]==64 and not s["router"]["init_rt_updates"] and s["device"]["name"]=="r-one"' \
	"status before: table_limit 1024, broadcast_rate 200, device r-one"
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" read-name 4714 r-one ||
	fail "ReadProperty Object_Name is not r-one"
ok "ReadProperty Object_Name over B/IP: r-one"
rev=$(echo "$s" | e_jq 's["device"]["database_revision"]')

write_conf r-two "table_limit = 64; broadcast_rate = 50; broadcast_burst = 80;
	search_queue = 16; nl_rate = 7; search_timeout_ms = 3000;
	init_rt_updates = true;" \
	'description = "second"; location = "lab 2"; enabled = false;'
reload 0
e_check 's["ok"] and sorted(s["applied"])==sorted(["router.table_limit","router.search_timeout_ms","router.search_queue","router.nl_rate","router.broadcast_rate","router.broadcast_burst","router.init_rt_updates","device.name","device.description","device.location"])' \
	"reload answer: every changed router limit and device text applied, by name"
e_check 's["deferred"]==["device.enabled"]' \
	"reload answer: device.enabled (needs a restart) named as deferred"
grep -q "reload: device.enabled changed: kept for the next start" "$W/daemon.log" ||
	fail "no log line naming device.enabled as kept for the next start"
grep -q "reload: router.table_limit changed: applied" "$W/daemon.log" ||
	fail "no log line naming router.table_limit as applied"
ok "log lines name what was applied and what waits for a restart"
s=$(status)
e_check 's["router"]=={"table_limit":64,"search_timeout_ms":3000,"search_queue":16,"nl_rate":7,"broadcast_rate":50,"broadcast_burst":80,"init_rt_updates":True}' \
	"status after: the router runs with the new limits"
e_check 's["device"]["name"]=="r-two" and s["device"]["description"]=="second" and s["device"]["location"]=="lab 2" and s["device"]["enabled"] and s["device"]["database_revision"]=='"$rev"'+1' \
	"status after: device r-two, description and location, still enabled, revision +1"
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" read-name 4714 r-two ||
	fail "ReadProperty Object_Name is not r-two after the reload"
ok "ReadProperty Object_Name over B/IP after the reload: r-two"

# ------------------------------------------------------ reload: refused
cp "$conf" "$W/good.conf"
write_conf r-two "table_limit = 1;" 'description = "second"; location = "lab 2";'
reload 1
e_check 'not s["ok"] and any("router.table_limit: 1: fewer routing table entries than the table holds now (2)" in e for e in s["errors"])' \
	"table_limit below the 2 routes held: reload refused, saying why"
write_conf bip0 "table_limit = 64;"
reload 1
e_check 'not s["ok"] and any("device.name: \"bip0\" is the name of another object" in e for e in s["errors"])' \
	"device name of a Network Port: reload refused"
s=$(status)
e_check 's["router"]["table_limit"]==64 and s["device"]["name"]=="r-two" and s["daemon"]["reloads_failed"]==2' \
	"after the refused reloads: limits and name unchanged"

# ---------------------------------------------------- SIGHUP, then stop
cp "$W/good.conf" "$conf"
sed -i 's/name = "r-two"/name = "r-three"/' "$conf"
kill -HUP "$daemon_pid"
for _ in $(seq 1 100); do
	[ "$(status | e_jq 's["device"]["name"]')" = r-three ] && break
	sleep 0.05
done
python3 "$helper" "$bip_ip" "$bip_port" "$client_ip" read-name 4714 r-three ||
	fail "SIGHUP: Object_Name is not r-three"
ok "SIGHUP applies the device name too: r-three"
e_stop "$daemon_pid"
[ $E_RC -eq 0 ] || fail "exit $E_RC after SIGTERM"
[ ! -e "$conf_dir/run/router.pid" ] || fail "pidfile left behind"
[ ! -e "$conf_dir/ctl.sock" ] || fail "control socket left behind"
ok "SIGTERM: exit 0, pidfile and control socket removed"

# ------------------------------------------------------------- syslog
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: syslog: needs root for a private mount namespace (unshare -m)"
elif ! unshare -m --propagation private true 2>/dev/null; then
	echo "skip: syslog: unshare -m is not permitted here (no CAP_SYS_ADMIN)"
else
	LOG_TARGET=syslog write_conf r-syslog "table_limit = 64;"
	export bin ctl conf conf_dir W
	unshare -m --propagation private bash -eu -c '
		dev="$W/dev"
		mkdir -p "$dev"
		for n in null zero random urandom; do
			touch "$dev/$n"
			mount --bind "/dev/$n" "$dev/$n"
		done
		python3 - "$dev/log" "$W/syslog.txt" <<"PY" &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w", buffering=1) as f:
    while True:
        try:
            m = s.recv(8192).decode("utf-8", "replace")
        except socket.timeout:
            break
        f.write(m.replace("\n", " ") + "\n")
        if "notice: main: stopped" in m:
            break
PY
		lpid=$!
		for _ in $(seq 1 100); do [ -S "$dev/log" ] && break; sleep 0.05; done
		mount --rbind "$dev" /dev
		"$bin" -c "$conf" > "$W/syslog-daemon.log" 2>&1 &
		dpid=$!
		echo "$dpid" > "$W/syslog.pid"
		for _ in $(seq 1 600); do
			"$ctl" -s "$conf_dir/ctl.sock" --json status 2>/dev/null |
				grep -q "\"connected_to\":\"primary\"" && break
			sleep 0.05
		done
		kill -HUP "$dpid"
		sleep 0.5
		kill -TERM "$dpid"
		wait "$dpid"
		wait "$lpid" || true
	' || fail "syslog run (namespace, daemon or listener) failed"
	spid=$(cat "$W/syslog.pid")
	[ -s "$W/syslog-daemon.log" ] && { cat "$W/syslog-daemon.log"; fail "log.target syslog also wrote to stderr"; }
	# <29>: facility daemon (3), severity notice (5).
	grep -qE "^<29>.*bacsc-router\[$spid\]: main: bacsc-router .* started" "$W/syslog.txt" ||
		{ cat "$W/syslog.txt"; fail "no 'started' notice (daemon.notice, bacsc-router[$spid]) on /dev/log"; }
	grep -qE "^<29>.*bacsc-router\[$spid\]: cfg: reload of .* applied" "$W/syslog.txt" ||
		{ cat "$W/syslog.txt"; fail "no reload notice on /dev/log"; }
	grep -qE "^<29>.*bacsc-router\[$spid\]: main: stopped" "$W/syslog.txt" ||
		{ cat "$W/syslog.txt"; fail "no 'stopped' notice on /dev/log"; }
	ok "syslog: start, reload and stop as daemon.notice from bacsc-router[$spid] on /dev/log, nothing on stderr"
fi
echo "daemon reload e2e: all passed"
