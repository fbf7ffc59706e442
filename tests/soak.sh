#!/bin/bash
# Soak test (not in CI): `make soak SOAK_SECONDS=N`.  The daemon runs with
# an external primary hub (tools/bacsc-hub, killed and restarted every
# other cycle, so the hub connector fails over to the daemon's own hub
# function and back) while mixed traffic runs: Who-Is over B/IP answered
# by the router's device, unicasts between two SC nodes and a broadcast
# burst through the daemon's hub function.  Every cycle prints the
# daemon's RSS (/proc/PID/status) and open fds (/proc/PID/fd); the test
# fails if, after the first third of the run (warm-up), either grows:
# RSS beyond 20% + 2 MiB over the warm-up maximum, fds beyond +4.
secs=${SOAK_SECONDS:-60}
E_NODE=no
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e/e2e-lib.sh"
ctl=$E_CTL
peer="$top_srcdir/tests/e2e/fault_peer.py"
fail() { e_fail "$@"; }

n=$(( 30 + RANDOM % 200 ))
bip_ip=127.0.6.$n
client_ip=127.0.7.$n
bip_port=$(( 41000 + RANDOM % 4000 ))
read -r hub_port ext_port < <(e_free_tcp 2)
e_hub hub "$ext_port"
cat > "$W/router.conf" <<CONF
device = { instance = 4714; name = "soak-router"; uuid = "generate"; };
bip = ( { name = "bip0"; network = 10; bind = "$bip_ip"; port = $bip_port;
          broadcast = "127.255.255.255"; } );
sc = ( { name = "sc0"; network = 20; vmac = "random";
         primary_hub = "wss://127.0.0.1:$ext_port/";
         failover_hub = "wss://127.0.0.1:$hub_port/";
         tls = { certificate = "$W/pki/hub.pem"; key = "$W/pki/hub.key";
                 ca = [ "$W/pki/ca.pem" ]; };
         timers = { connect_wait = 5; disconnect_wait = 5; min_reconnect = 2;
                    max_reconnect = 4; };
         hub_function = { enabled = true; listen = "127.0.0.1:$hub_port"; };
       } );
log = { level = "warning"; target = "stderr"; };
control = { socket = "$W/control.sock"; mode = "0600"; };
state_dir = "$W/state";
CONF
mkdir -p "$W/state"
e_daemon_start daemon "$W/router.conf"
daemon_pid=$E_DAEMON_PID
e_wait_ready "$W/control.sock" 30

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
fds() { ls "/proc/$daemon_pid/fd" | wc -l; }
status() { "$ctl" -s "$W/control.sock" --json status; }
rs=()
fs=()
t0=$SECONDS
i=0
printf '%6s %6s %9s %4s  %s\n' cycle t/s rss/kB fds "traffic"
while [ $(( SECONDS - t0 )) -lt "$secs" ]; do
	i=$(( i + 1 ))
	if [ $(( i % 2 )) -eq 0 ]; then
		kill -KILL "$E_HUB_PID" 2>/dev/null || true
		wait "$E_HUB_PID" 2>/dev/null || true
		e_forget "$E_HUB_PID"
		e_hub hub "$ext_port"
	fi
	v=$(timeout 10 python3 "$peer" bipvalid "$bip_ip" "$bip_port" "$client_ip" 4714 1) || v="? ?"
	p=$(timeout 15 python3 "$peer" pair "$W/pki" 127.0.0.1 "$hub_port" 20 2>&1) || p="pair failed: $p"
	b=$(timeout 10 python3 "$peer" storm "$W/pki" 127.0.0.1 "$hub_port" 1 2>&1) || b="?"
	kill -0 "$daemon_pid" 2>/dev/null || fail "daemon died"
	status > /dev/null || fail "control socket not answering"
	r=$(rss)
	f=$(fds)
	rs+=("$r")
	fs+=("$f")
	printf '%6d %6d %9d %4d  who-is %s, %s, %s bcasts\n' "$i" $(( SECONDS - t0 )) "$r" "$f" "$v" "$p" "$b"
done
e_stop "$daemon_pid"
[ $E_RC -eq 0 ] || fail "daemon exit status $E_RC"
n=${#rs[@]}
[ "$n" -ge 3 ] || fail "too few cycles ($n): raise SOAK_SECONDS"
w=$(( n / 3 ))
[ "$w" -ge 1 ] || w=1
rbase=0; fbase=0; rlate=0; flate=0
for ((k = 0; k < n; k++)); do
	if [ "$k" -lt "$w" ]; then
		[ "${rs[k]}" -gt "$rbase" ] && rbase=${rs[k]}
		[ "${fs[k]}" -gt "$fbase" ] && fbase=${fs[k]}
	elif [ "$k" -ge $(( n - w )) ]; then
		[ "${rs[k]}" -gt "$rlate" ] && rlate=${rs[k]}
		[ "${fs[k]}" -gt "$flate" ] && flate=${fs[k]}
	fi
done
echo "soak: $n cycles in $(( SECONDS - t0 )) s; warm-up max RSS $rbase kB, fds $fbase; last-third max RSS $rlate kB, fds $flate"
[ "$rlate" -le $(( rbase * 12 / 10 + 2048 )) ] || fail "RSS grew: $rbase -> $rlate kB"
[ "$flate" -le $(( fbase + 4 )) ] || fail "fds grew: $fbase -> $flate"
echo "soak: passed (RSS and fds did not grow)"
