#!/usr/bin/env bash
# Quick start, first command: install what is missing, build, and run the
# demo site on loopback with etc/demo.conf:
#   - generate a throw-away test PKI (tools/bacsc-testpki) where the demo
#     configuration expects it (build/demo-run/demo/pki/);
#   - start bacsc-router -c etc/demo.conf: B/IP network 1 on 127.0.0.2:47809,
#     SC network 2 through the router's own hub on wss://127.0.0.1:47843/;
#   - show `bacsc-routerctl status`;
#   - ask the router from the B/IP side, as a BACnet/IP device would, which
#     networks it routes to (Who-Is-Router-To-Network) and who it is (Who-Is);
#   - connect a small scripted SC node (tests/e2e/daemon_routed.py) to the
#     router's hub and route a Who-Is from B/IP to it and an I-Am back;
#   - stop it with SIGTERM.
# What it does not show yet: full SC devices on the hub and BACnet clients
# from npm (a later demo).  Exits 0 only when every step worked; stops
# every process it started.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
run="$top/build/demo-run"
daemon_pid=

step() { echo; echo "==== $*"; }
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null || true
		sleep 1
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

step "dependencies"
if [ "$(id -u)" -eq 0 ]; then
	scripts/install-deps.sh
else
	echo "not root: assuming the packages of scripts/install-deps.sh are installed"
fi

step "build (build/)"
if [ ! -x build/router/bacsc-router ] || [ ! -f build/Makefile ]; then
	autoreconf -fi >/dev/null
	mkdir -p build
	(cd build && ../configure >/dev/null)
fi
make -C build -j"$jobs" >/dev/null
echo "built build/router/bacsc-router and build/tools/bacsc-routerctl"

step "demo PKI and folders ($run/demo)"
rm -rf "$run"
mkdir -p "$run/demo/state"
sh tools/bacsc-testpki -q "$run/demo/pki"
# The names etc/demo.conf uses: the router presents the hub certificate
# (it is the hub of the demo site and a node on it).
cp "$run/demo/pki/ca.pem" "$run/demo/pki/ca.crt"
cp "$run/demo/pki/hub.pem" "$run/demo/pki/router.crt"
install -m 0600 "$run/demo/pki/hub.key" "$run/demo/pki/router.key"
cd "$run"
../router/bacsc-router -t -c "$top/etc/demo.conf"

step "start: bacsc-router -c etc/demo.conf (log: $run/router.log)"
../router/bacsc-router -c "$top/etc/demo.conf" > router.log 2>&1 &
daemon_pid=$!
ctl() { ../tools/bacsc-routerctl -s demo/control.sock "$@"; }
up=no
for _ in $(seq 1 200); do
	kill -0 "$daemon_pid" 2>/dev/null || { cat router.log; echo "demo: the router exited"; exit 1; }
	if ctl --json status 2>/dev/null | grep -q '"connected_to":"primary"'; then
		up=yes
		break
	fi
	sleep 0.05
done
[ $up = yes ] || { cat router.log; echo "demo: the SC port did not connect to its hub"; exit 1; }
cat router.log

step "bacsc-routerctl status"
ctl status

step "from the B/IP side (127.0.0.9): Who-Is-Router-To-Network, Who-Is"
python3 "$top/tests/e2e/bip_who_is_router.py" 127.0.0.2 47809 127.0.0.9 who-is-router 2
python3 "$top/tests/e2e/bip_who_is_router.py" 127.0.0.2 47809 127.0.0.9 who-is 4000

step "routed round trip: B/IP client <-> router <-> its hub <-> an SC node (demo/pki/node1)"
vmac=$(ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin); print([p for p in s["ports"] if p["type"]=="sc"][0]["vmac"])')
python3 "$top/tests/e2e/daemon_routed.py" demo/pki 47843 "$vmac" 127.0.0.2 47809 127.0.0.9 1 2
ctl peers

step "stop (SIGTERM)"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
tail -5 router.log
[ $rc -eq 0 ] || { echo "demo: the router exited with status $rc"; exit 1; }
echo
echo "demo: everything worked.  Files: $run (log router.log, PKI demo/pki)."
