#!/bin/bash
# Everything our B/IP ports put on the wire during the loopback scenarios,
# decoded independently by tshark's bvlc/bacnet dissectors: no datagram
# may be malformed, and every BVLL function we send must be seen.
set -eu
bin="$top_builddir/tests/bip/bip-e2e"
[ -x "$bin" ] || { echo "missing $bin (make check builds it)"; exit 1; }
command -v tshark >/dev/null || { echo "FAIL: tshark missing (scripts/install-deps.sh)"; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
base=$(( 24000 + (RANDOM % 2000) * 4 ))
pcap="$work/bip.pcapng"
tshark -q -i lo -f "udp portrange $base-$((base + 3))" -w "$pcap" \
	>"$work/cap.log" 2>&1 &
cap=$!
for _ in $(seq 50); do
	grep -q "Capturing on" "$work/cap.log" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
"$bin" loopback "$base" >"$work/run.log" 2>&1 || {
	cat "$work/run.log"
	echo "FAIL: loopback scenarios"
	exit 1
}
sleep 0.5
kill -INT "$cap"
wait "$cap" || true
decode=""
for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
	decode="$decode -d udp.port==$p,bvlc"
done
# shellcheck disable=SC2086
tshark -r "$pcap" $decode -T fields -e frame.number -e bvlc.function \
	-e _ws.malformed -e _ws.expert.severity >"$work/fields" 2>"$work/tshark.err"
total=$(wc -l <"$work/fields")
# The "tool" at 127.0.0.9 sends malformed and unsupported datagrams on
# purpose; everything else must dissect cleanly.
mine='ip.src != 127.0.0.9'
# shellcheck disable=SC2086
malformed=$(tshark -r "$pcap" $decode -Y "_ws.malformed && $mine" \
	2>/dev/null | wc -l)
echo "tshark: $total datagrams captured, $malformed of ours malformed"
fail=0
if [ "$total" -lt 30 ]; then
	echo "FAIL: too few datagrams captured"
	fail=1
fi
# the tool's bad-length datagram proves the malformed check can fire
# shellcheck disable=SC2086
if [ "$(tshark -r "$pcap" $decode -Y _ws.malformed 2>/dev/null | wc -l)" \
	-lt 1 ]; then
	echo "FAIL: tshark flagged not even the deliberately malformed datagram"
	fail=1
fi
if [ "$malformed" -ne 0 ]; then
	# shellcheck disable=SC2086
	tshark -r "$pcap" $decode -Y "_ws.malformed && $mine" -V 2>/dev/null |
		head -80
	echo "FAIL: malformed datagrams"
	fail=1
fi
# every function our ports send (and the tool requests) must be dissected
for f in 0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x09 0x0a 0x0b; do
	n=$(awk -v f="$f" '$2 == f' "$work/fields" | wc -l)
	printf '  function %s: %d\n' "$f" "$n"
	if [ "$n" -eq 0 ]; then
		echo "FAIL: no BVLL function $f seen"
		fail=1
	fi
done
exit $fail
