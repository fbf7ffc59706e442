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
#   - two SC devices (tools/bacsc-scdev) on the router's hub;
#   - on the B/IP network, two programs with @bacnet-js/client (npm), each
#     on its own loopback address: a B/IP device (tests/e2e/bip_device.js,
#     127.0.0.3:47809) and a B/IP client (scripts/demo_bip.js,
#     127.0.0.4:47809): a global Who-Is finds the SC devices through the
#     router (SNET/SADR printed), ReadProperty of present value and object
#     name, WriteProperty read back;
#   - the other direction: an SC client (bacsc-scdev -s) finds and reads the
#     B/IP device through the router;
#   - `bacsc-routerctl status` and `peers` again, with the counters;
#   - stop everything (SIGTERM).
# Exits 0 only when every step worked; stops every process it started.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
run="$top/build/demo-run"
daemon_pid=
pids=()

step() { echo; echo "==== $*"; }
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
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
echo "built build/router/bacsc-router, build/tools/bacsc-routerctl, build/tools/bacsc-scdev"
if [ ! -d node_modules/@bacnet-js/client ]; then
	npm ci --no-audit --no-fund >/dev/null
fi
echo "npm packages (package-lock.json): @bacnet-js/client $(node -p 'require("@bacnet-js/client/package.json").version') on node $(node --version)"

step "demo PKI and folders ($run/demo)"
rm -rf "$run"
mkdir -p "$run/demo/state"
sh tools/bacsc-testpki -q -n 3 "$run/demo/pki"
# The names etc/demo.conf uses: the router presents the hub certificate
# (it is the hub of the demo site and a node on it).
cp "$run/demo/pki/ca.pem" "$run/demo/pki/ca.crt"
cp "$run/demo/pki/hub.pem" "$run/demo/pki/router.crt"
install -m 0600 "$run/demo/pki/hub.key" "$run/demo/pki/router.key"
# Its relative names (demo/pki/..., demo/state) are relative to its folder.
cp etc/demo.conf "$run/demo.conf"
cd "$run"
../router/bacsc-router -t -c demo.conf

step "start: bacsc-router -c demo.conf, a copy of etc/demo.conf (log: $run/router.log)"
../router/bacsc-router -c demo.conf > router.log 2>&1 &
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

step "two SC devices (bacsc-scdev) on the router's hub wss://127.0.0.1:47843/"
scdev() {	# node-number instance vmac
	../tools/bacsc-scdev -H wss://127.0.0.1:47843/ -c "demo/pki/node$1.pem" \
		-k "demo/pki/node$1.key" -a demo/pki/ca.pem -v "$3" -i "$2" \
		-n "sc-device-$2" -V 21.5 -q >"scdev-$2.out" 2>"scdev-$2.log" &
	pids+=($!)
	for _ in $(seq 1 100); do
		grep -q '^UP' "scdev-$2.out" && break
		sleep 0.1
	done
	grep -q '^UP' "scdev-$2.out" || { cat "scdev-$2.log"; echo "demo: SC device $2 did not connect"; exit 1; }
	echo "SC device $2 (\"sc-device-$2\", VMAC $3) is connected to the hub"
}
scdev 1 2001 02:00:00:00:20:01
scdev 2 2002 02:00:00:00:20:02

step "a B/IP device with @bacnet-js/client (device 1001 on 127.0.0.3:47809)"
top_srcdir=$top node "$top/tests/e2e/bip_device.js" 47809 1001 \
	bip-device-1001 19.75 fix 127.0.0.3 >bipdev.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
	grep -q '^ready' bipdev.out && break
	sleep 0.1
done
grep -q '^ready' bipdev.out || { cat bipdev.out; echo "demo: the B/IP device did not start"; exit 1; }
echo "B/IP device 1001 (\"bip-device-1001\") is listening on 127.0.0.3:47809"

step "a B/IP client with @bacnet-js/client (127.0.0.4:47809), another program"
top_srcdir=$top node "$top/scripts/demo_bip.js" 47809 127.0.0.4 2 \
	2001:020000002001 2002:020000002002 ||
	{ echo "demo: the B/IP client failed"; exit 1; }

step "the other direction: an SC client (bacsc-scdev -s) reads the B/IP device"
# The B/IP device is at 127.0.0.3:47809 (B/IP MAC 7f000003bac1).
timeout -s TERM 4 ../tools/bacsc-scdev -H wss://127.0.0.1:47843/ \
	-c demo/pki/node3.pem -k demo/pki/node3.key -a demo/pki/ca.pem \
	-i 2099 -n sc-client -q -s 65535::10080a03e91a03e9 \
	-s 1:7f000003bac1:0005010c0c020003e9194d >scclient.out 2>scclient.log || true
if grep -q '^RX net=1 mac=7f000003bac1 apdu=1000c4020003e9' scclient.out; then
	echo "  Who-Is 1001 (global) from SC: I-Am of device 1001 from SNET 1, SADR 127.0.0.3:47809"
else
	cat scclient.out; echo "demo: the SC client did not find the B/IP device"; exit 1
fi
if grep -q '^RX net=1 mac=7f000003bac1 apdu=30010c0c020003e9194d3e75' scclient.out; then
	echo "  ReadProperty object-name of device 1001 from SC: \"bip-device-1001\""
else
	cat scclient.out; echo "demo: the SC client's ReadProperty was not answered"; exit 1
fi
echo "  what the B/IP device (another program) logged:"
sed 's/^/    /' bipdev.out

step "bacsc-routerctl status and peers (after the traffic)"
ctl status
ctl peers

step "stop (SIGTERM)"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
tail -5 router.log
[ $rc -eq 0 ] || { echo "demo: the router exited with status $rc"; exit 1; }
echo
echo "demo: everything worked.  Files: $run (log router.log, PKI demo/pki)."
