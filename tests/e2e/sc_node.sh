#!/usr/bin/env bash
# SC node and hub function end to end, on 127.0.0.1 over real TLS:
#  1. tests/sc_node_e2e: our bacsc-hub (primary and failover processes)
#     with four of our nodes: unicast/broadcast with content checked,
#     duplicate VMAC refused and recovered, failover when the primary is
#     killed and return when it comes back;
#  2. tests/e2e/sc_hub_peer.py: an independent Python peer (own TLS,
#     WebSocket and BVLC-SC code) sends every record of tests/vectors/sc.vec
#     to our hub byte for byte and checks the answers and relays, with the
#     hub's default and with -o (accept an Originating VMAC), and checks
#     one of our nodes' answers (Advertisement, NAKs 45 and 146);
#  3. a tshark capture of all of it, decrypted with the TLS key log
#     (build configured with --enable-test-keylog), shows BACnet/SC frames
#     and no malformed packet.
E_NODE=no E_PKI_NODES=4
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/e2e-lib.sh"
hub=$E_HUB
prog=$top_builddir/tests/sc_node_e2e
[ -x "$prog" ] || { echo "missing $prog (run make check first)"; exit 1; }
work=$W
# Four TCP ports nobody is listening on (the kernel picks them).
read -r p1 p2 p3 p4 < <(e_free_tcp 4)
e_capture_start "tcp port $p1 or tcp port $p2 or tcp port $p3 or tcp port $p4"

fail=0
echo "== nodes, duplicate VMAC, failover and return (ports $p1 $p2)"
if ! "$prog" "$work/pki" "$hub" "$p1" "$p2" 2>"$work/nodes.err"; then
	echo "FAIL: sc_node_e2e"; tail -n 30 "$work/nodes.err"; fail=1
fi

for mode in default accept-orig; do
	if [ $mode = default ]; then port=$p3 opt=; else port=$p4 opt=-o; fi
	echo "== independent Python peer against bacsc-hub ($mode, port $port)"
	e_hub "hub-$mode" "$port" $opt
	hpid=$E_HUB_PID
	popt=
	npid=
	if [ $mode = accept-orig ]; then
		popt=--accept-orig
	else
		# One of our nodes on the same hub, for the peer's node checks.
		"$prog" serve "$work/pki" "$port" 02:00:00:00:00:99 \
			>"$work/serve.out" 2>"$work/serve.err" &
		npid=$!
		E_PIDS+=("$npid")
		for _ in $(seq 100); do
			grep -q UP "$work/serve.out" 2>/dev/null && break
			sleep 0.1
		done
		popt=--node=02:00:00:00:00:99
	fi
	if ! python3 "$top_srcdir/tests/e2e/sc_hub_peer.py" "$work/pki" \
		127.0.0.1 "$port" "$top_srcdir/tests/vectors/sc.vec" $popt \
		>"$work/peer-$mode.out" 2>&1; then
		echo "FAIL: python peer ($mode)"; grep -v ' ok ' "$work/peer-$mode.out" | tail -n 20
		fail=1
	else
		grep '^node:' "$work/peer-$mode.out" || true
		tail -n 1 "$work/peer-$mode.out"
	fi
	if [ -n "$npid" ]; then
		e_stop "$npid"
		[ $E_RC -eq 0 ] || { echo "FAIL: node exit status $E_RC"; fail=1; }
	fi
	e_stop "$hpid"
	[ $E_RC -eq 0 ] || { echo "FAIL: hub exit status $E_RC"; fail=1; }
done

if [ -n "$E_TSHARK" ]; then
	sleep 0.5
	kill -INT "$E_TSHARK"
	wait "$E_TSHARK" || true
	dec=(-d "tcp.port==$p1,tls" -d "tcp.port==$p2,tls" -d "tcp.port==$p3,tls"
		-d "tcp.port==$p4,tls" -o "tls.keylog_file:$SSLKEYLOGFILE")
	# The Python peer sends the vector file's invalid records on purpose
	# (towards ports p3/p4); everything else, and everything our hub sends,
	# must decode cleanly.
	bad=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y "_ws.malformed && !(tcp.dstport==$p3 || tcp.dstport==$p4)" 2>/dev/null || true)
	nbadin=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y "_ws.malformed" 2>/dev/null | wc -l)
	nsc=$(tshark -r "$W/cap.pcap" "${dec[@]}" -Y bscvlc 2>/dev/null | wc -l)
	echo "== capture: $nsc BACnet/SC frames decoded; $nbadin malformed, all of them invalid records sent to the hub on purpose"
	if [ -n "$bad" ]; then
		echo "FAIL: tshark reports malformed packets:"; echo "$bad" | head -n 20
		fail=1
	fi
	if [ "$nsc" -lt 100 ]; then
		echo "FAIL: too few BACnet/SC frames decoded (key log not written?)"
		fail=1
	fi
fi
[ $fail -eq 0 ] && echo "sc_node.sh: all passed" || E_KEEP=yes
exit $fail
