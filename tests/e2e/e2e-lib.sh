# Shared parts of the end-to-end scripts (sourced, not run): a work
# folder, a test PKI, free loopback addresses and ports, the real
# bacsc-router (started, waited for through its control socket, stopped
# with SIGTERM and a time limit), optionally under valgrind, with its own
# SC hub, bacsc-scdev devices, a tshark capture (TLS decrypted with the key
# log) that fails on malformed packets, and a cleanup that stops every
# process started here (by pid).  Scripts that do not run node set
# E_NODE=no before sourcing this file.
set -euo pipefail
top_srcdir=$(cd "${top_srcdir:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$top_srcdir/build}" && pwd)
export top_srcdir top_builddir
E_ROUTER=$top_builddir/router/bacsc-router
E_CTL=$top_builddir/tools/bacsc-routerctl
E_SCDEV=$top_builddir/tools/bacsc-scdev
E_HUB=$top_builddir/tools/bacsc-hub
for f in "$E_ROUTER" "$E_CTL" "$E_SCDEV" "$E_HUB"; do
	[ -x "$f" ] || { echo "missing $f (run make first)"; exit 1; }
done
if [ "${E_NODE:-yes}" != no ]; then
	. "$top_srcdir/tests/e2e/node-env.sh"
	echo "node $(node --version)"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/bacsc-e2e-$(basename "$0" .sh).XXXXXX")
E_PIDS=()
E_KEEP=no
E_TSHARK=
e_cleanup() {
	local p
	for p in "${E_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${E_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "$E_KEEP" = no ]; then rm -rf "$W"; else echo "kept $W"; fi
}
trap e_cleanup EXIT
e_fail() {
	echo "FAIL: $*"
	E_KEEP=yes
	for f in "$W"/*.log; do
		case $f in *keys.log) continue;; esac
		[ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }
	done
	exit 1
}
e_ok() { echo "ok: $*"; }
# set -e stops the script at a command that fails unchecked: say where.
trap 'E_ERR=$?; [[ $- != *e* ]] ||
	e_fail "line $LINENO: exit status $E_ERR of: $BASH_COMMAND"' ERR

# e_forget PID: a process that is gone, no longer for the cleanup to stop.
e_forget() {
	local p keep=()
	for p in "${E_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	E_PIDS=("${keep[@]}")
}

# e_jq EXPR: print EXPR, a Python expression over s, the JSON on stdin.
e_jq() { python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
# e_check EXPR WHAT: EXPR (Python over s, the JSON in $s) must be True.
e_check() {
	[ "$(echo "$s" | e_jq "$1")" = True ] || { echo "$s"; e_fail "$2"; }
	e_ok "$2"
}
# e_wait_for SECONDS COMMAND...: run COMMAND every 50 ms until it
# succeeds (0) or SECONDS have passed (1).
e_wait_for() {
	local end=$(( $(date +%s%3N) + $1 * 1000 ))
	shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# e_valgrind: E_RUN, what e_daemon_start puts before the router, is
# valgrind --leak-check=full (definite and indirect leaks are errors,
# exit status 99, report in $W/valgrind.log) when DAEMON_VALGRIND=1, or
# when it is auto (the default) and valgrind is installed; else nothing.
# E_VALGRIND is 1 or 0.
E_RUN=()
E_VALGRIND=0
e_valgrind() {
	E_VALGRIND=${DAEMON_VALGRIND:-auto}
	if [ "$E_VALGRIND" = auto ]; then
		command -v valgrind >/dev/null && E_VALGRIND=1 || E_VALGRIND=0
	fi
	E_RUN=()
	[ "$E_VALGRIND" = 1 ] || return 0
	E_RUN=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
	       --errors-for-leak-kinds=definite,indirect --error-exitcode=99
	       --log-file="$W/valgrind.log")
}

# e_daemon_start LOG CONF [ARG...]: start the router (after E_RUN) with
# -c CONF ARG... in the background, from the folder E_DAEMON_CWD when set;
# its output goes to $W/LOG.log, its pid to E_DAEMON_PID (and the cleanup).
e_daemon_start() {
	local log=$1 conf=$2
	shift 2
	(cd "${E_DAEMON_CWD:-.}" && exec "${E_RUN[@]}" "$E_ROUTER" -c "$conf" "$@") \
		>"$W/$log.log" 2>&1 &
	E_DAEMON_PID=$!
	E_PIDS+=("$E_DAEMON_PID")
}

# e_hub_on SOCK: where the hub connector of the first SC port of the
# router with control socket SOCK is connected (primary, failover, or
# none); nothing while the router does not answer.
e_hub_on() {
	"$E_CTL" -s "$1" --json status 2>/dev/null |
		grep -o '"connected_to":"[a-z]*"' | head -n 1 | cut -d'"' -f4 || true
}
# e_wait_hub SOCK WHERE SECONDS: wait until e_hub_on says WHERE (0), or
# SECONDS have passed (1); e_fail when E_DAEMON_PID exits meanwhile.
e_wait_hub() {
	local end=$(( $(date +%s%3N) + $3 * 1000 ))
	until [ -S "$1" ] && [ "$(e_hub_on "$1")" = "$2" ]; do
		kill -0 "$E_DAEMON_PID" 2>/dev/null ||
			e_fail "the router exited (waiting for its hub connector on $2)"
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
# e_wait_ctl SOCK [SECONDS]: wait until the router of control socket SOCK
# answers status (default 30 s), else e_fail.
e_wait_ctl() {
	e_wait_for "${2:-30}" e_ctl_answers "$1" ||
		e_fail "the router of $1 does not answer its control socket"
}
e_ctl_answers() { "$E_CTL" -s "$1" --json status >/dev/null 2>&1; }
# e_wait_ready SOCK [SECONDS]: the router of control socket SOCK is ready
# when its hub connector is on its primary hub: wait that long at most
# (default 60 s), else e_fail.
e_wait_ready() {
	e_wait_hub "$1" primary "${2:-60}" ||
		e_fail "the router of $1 did not connect to its primary hub in ${2:-60} s"
}

# e_stop PID [SECONDS]: SIGTERM to PID, then wait for its exit at most
# SECONDS (default 30; then SIGKILL and e_fail).  The exit status is left
# in E_RC, the time from the signal to the exit in E_STOP_MS.
e_stop() {
	local pid=$1 t=${2:-30} t0 wd
	rm -f "$W/stop-timeout"
	t0=$(date +%s%N)
	kill -TERM "$pid"
	(
		s=
		trap '[ -z "$s" ] || kill "$s"; exit 0' TERM
		sleep "$t" & s=$!
		wait "$s"
		: >"$W/stop-timeout"
		kill -KILL "$pid"
	) >/dev/null 2>&1 &
	wd=$!
	E_RC=0
	wait "$pid" || E_RC=$?
	E_STOP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	kill -TERM "$wd" 2>/dev/null || true
	wait "$wd" 2>/dev/null || true
	e_forget "$pid"
	[ ! -e "$W/stop-timeout" ] || e_fail "pid $pid still running $t s after SIGTERM"
}

export SSLKEYLOGFILE=$W/keys.log
: >"$SSLKEYLOGFILE"
# The scenarios use node1 and node2 (E_PKI_NODES more if asked for).
sh "$top_srcdir/tools/bacsc-testpki" -q -n "${E_PKI_NODES:-2}" "$W/pki"

# Free TCP ports (the kernel picks them), a UDP port away from 47808,
# and router addresses other than 127.0.0.1.
e_free_tcp() {
	python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])' "$1"
}
E_N=$(( 20 + RANDOM % 200 ))
E_UDP=$(( 36000 + (RANDOM % 2000) * 2 ))

# e_router NAME BIP_NET SC_NET BIP_IP HUB_PORT [EXTRA_BIP_CONF] [SC_HUBS]:
# start a router and wait until its SC port is connected to its primary
# hub.  By default the router is its own hub on 127.0.0.1:HUB_PORT;
# SC_HUBS replaces that (primary_hub, failover_hub, hub_function
# settings).  Control socket: $W/NAME.sock.
e_router() {
	local name=$1 bnet=$2 snet=$3 ip=$4 hub=$5 extra=${6:-}
	local hubs=${7:-}
	[ -n "$hubs" ] || hubs="primary_hub = \"wss://127.0.0.1:$hub/\";
         hub_function = { enabled = true; listen = \"127.0.0.1:$hub\"; };"
	e_router_conf "$name" "$((4000 + bnet))" <<CONF
bip = ( { name = "bip0"; network = $bnet; bind = "$ip"; port = $E_UDP;
          broadcast = "127.255.255.255"; $extra } );
sc = ( { name = "sc0"; network = $snet; vmac = "random";
         $(e_sc_common)
         $hubs
       } );
CONF
	e_router_start "$name"
}

# e_sc_common: the TLS files and short timers of every test SC port.
e_sc_common() {
	cat <<CONF
tls = { certificate = "$W/pki/hub.pem"; key = "$W/pki/hub.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         timers = { connect_wait = 5; min_reconnect = 2; max_reconnect = 5; };
CONF
}

# e_router_conf NAME INSTANCE < PORTS: write $W/NAME.conf with the device,
# log, control and state settings around the bip/sc port lists on stdin.
e_router_conf() {
	local name=$1 inst=$2
	mkdir -p "$W/$name-state"
	{
		echo "device = { instance = $inst; name = \"$name\"; uuid = \"generate\"; };"
		cat
		cat <<CONF
log = { level = "info"; target = "stderr"; };
control = { socket = "$W/$name.sock"; mode = "0600"; };
state_dir = "$W/$name-state";
CONF
	} >"$W/$name.conf"
}

# e_router_start NAME: start the router of $W/NAME.conf and wait until an
# SC port is connected to its primary hub.
e_router_start() {
	e_daemon_start "$1" "$W/$1.conf"
	e_wait_ready "$W/$1.sock" 10
}

# e_hub LOGNAME PORT [ARG...]: start an external hub (tools/bacsc-hub,
# with ARG...) on 127.0.0.1:PORT (0: a port the kernel picks) and wait
# until it listens; its pid is left in E_HUB_PID, its port in E_HUB_PORT.
e_hub() {
	local log=$1 port=$2 i
	shift 2
	"$E_HUB" -c "$W/pki/hub.pem" -k "$W/pki/hub.key" -a "$W/pki/ca.pem" \
		-l 127.0.0.1 -p "$port" -q "$@" >"$W/$log.out" 2>"$W/$log.log" &
	E_HUB_PID=$!
	E_PIDS+=($E_HUB_PID)
	for i in $(seq 100); do
		if grep -q '^LISTENING' "$W/$log.out"; then
			E_HUB_PORT=$(awk '/^LISTENING/ { print $2; exit }' "$W/$log.out")
			return 0
		fi
		sleep 0.1
	done
	e_fail "bacsc-hub $log did not listen on $port"
}

# e_status NAME: the router's status JSON.
e_status() { "$E_CTL" -s "$W/$1.sock" --json status; }
# e_counter NAME COUNTER: one router counter.
e_counter() {
	e_status "$1" | python3 -c '
import json, sys
print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$2"
}

# e_scdev LOGNAME HUB_PORT NODE_N VMAC INSTANCE NAME [args]: start a device.
e_scdev() {
	local log=$1 hub=$2 n=$3 vmac=$4 inst=$5 nm=$6
	shift 6
	"$E_SCDEV" -H "wss://127.0.0.1:$hub/" -c "$W/pki/node$n.pem" \
		-k "$W/pki/node$n.key" -a "$W/pki/ca.pem" -v "$vmac" \
		-i "$inst" -n "$nm" -q "$@" >"$W/$log.out" 2>"$W/$log.log" &
	E_PIDS+=($!)
	local i
	for i in $(seq 100); do
		grep -q '^UP' "$W/$log.out" && return 0
		sleep 0.1
	done
	e_fail "bacsc-scdev $log did not connect"
}

# e_capture_start "tshark capture filter" / e_capture_check "-d ..." : a
# capture on lo; the check fails on any malformed packet and prints a
# one-line summary.  Without tshark or root, say so and go on.
e_capture_start() {
	if ! command -v tshark >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
		echo "note: no tshark or not root: no capture"
		return 0
	fi
	tshark -i lo -f "$1" -w "$W/cap.pcap" >"$W/tshark.txt" 2>&1 &
	E_TSHARK=$!
	E_PIDS+=($E_TSHARK)
	local i
	for i in $(seq 50); do
		grep -q "Capturing on" "$W/tshark.txt" 2>/dev/null && return 0
		sleep 0.1
	done
}
e_capture_check() {
	[ -n "$E_TSHARK" ] || return 0
	sleep 0.5
	kill -INT "$E_TSHARK" 2>/dev/null || true
	wait "$E_TSHARK" 2>/dev/null || true
	local dec=("$@" -o "tls.keylog_file:$SSLKEYLOGFILE")
	local bad n_bvlc n_sc
	bad=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y '_ws.malformed || malformed' 2>/dev/null || true)
	n_bvlc=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y bvlc 2>/dev/null | wc -l)
	n_sc=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y bscvlc 2>/dev/null | wc -l)
	echo "capture: $n_bvlc BACnet/IP and $n_sc BACnet/SC packets decoded"
	[ -z "$bad" ] || { echo "$bad" | head -n 20; e_fail "tshark flags malformed packets"; }
	[ "$n_bvlc" -gt 0 ] || e_fail "no BACnet/IP packet in the capture"
	[ "$n_sc" -gt 0 ] || e_fail "no decrypted BACnet/SC packet in the capture"
}
