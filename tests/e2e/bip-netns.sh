#!/bin/bash
# B/IP across real IP subnets: network namespaces joined by veth pairs
# through a router namespace.  Fails (never skips) if they cannot be made.
#
#   nsA 10.231.1.0/24: BBMD1 .10, N1 .11      \
#   nsB 10.231.2.0/24: BBMD2 .10, N2 .11       >-- nsR (IP forwarding)
#   nsF 10.231.3.0/24: FD .10 (foreign device) /
#
# Every node is bip-e2e peer on UDP 47808 with its broadcast address taken
# from its interface.  N1 waits for the I-Am of N2, N2 for the FD's, the
# FD for N1's; each one crosses the BBMDs.  Run twice: two-hop BDT (/32
# masks, the peer BBMD rebroadcasts) and one-hop (/24 masks, the router
# forwards directed broadcasts).
set -eu
bin="$top_builddir/tests/bip/bip-e2e"
[ -x "$bin" ] || { echo "missing $bin (make check builds it)"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: needs root to create network namespaces"
	exit 1
fi
tag="b$$"
nsA="${tag}A" nsB="${tag}B" nsF="${tag}F" nsR="${tag}R"
work=$(mktemp -d)
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	for n in "$nsA" "$nsB" "$nsF" "$nsR"; do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

setup() {
	local n s
	for n in "$nsA" "$nsB" "$nsF" "$nsR"; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	ip netns exec "$nsR" sysctl -qw net.ipv4.ip_forward=1
	for s in A:1 B:2 F:3; do
		n="${tag}${s%%:*}"
		ip link add "${tag}${s%%:*}0" netns "$n" type veth \
			peer name "r${s%%:*}" netns "$nsR"
		ip -n "$n" addr add "10.231.${s##*:}.10/24" dev "${tag}${s%%:*}0"
		ip -n "$n" link set "${tag}${s%%:*}0" up
		ip -n "$nsR" addr add "10.231.${s##*:}.1/24" dev "r${s%%:*}"
		ip -n "$nsR" link set "r${s%%:*}" up
		ip -n "$n" route add default via "10.231.${s##*:}.1"
	done
	ip -n "$nsA" addr add 10.231.1.11/24 dev "${tag}A0"
	ip -n "$nsB" addr add 10.231.2.11/24 dev "${tag}B0"
}
if ! setup >"$work/setup.log" 2>&1; then
	echo "FAIL: cannot create network namespaces and veth pairs:"
	cat "$work/setup.log"
	exit 1
fi

peer() {	# namespace name options...
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$bin" peer -p 47808 "$@" >"$work/$name" 2>&1 &
	pids="$pids $!"
	names="$names $name"
}

scenario() {	# title mask-bits
	local bits=$2 bdt fail=0 p n i=0
	local -a arr
	echo "== $1"
	bdt="-T 10.231.1.10/$bits -T 10.231.2.10/$bits"
	pids="" names=""
	peer "$nsA" bbmd1 -m bbmd -b 10.231.1.10 -d 901 -t 8 $bdt
	peer "$nsB" bbmd2 -m bbmd -b 10.231.2.10 -d 902 -t 8 $bdt
	sleep 0.3
	peer "$nsA" n1 -m plain -b 10.231.1.11 -d 1 -e 2 -w -t 7
	peer "$nsB" n2 -m plain -b 10.231.2.11 -d 2 -e 3 -w -t 7
	peer "$nsF" fd -m foreign -b 10.231.3.10 -f 10.231.1.10:47808 \
		-d 3 -e 1 -w -t 7
	read -r -a arr <<<"$names"
	for p in $pids; do
		n=${arr[$i]}
		i=$((i + 1))
		if wait "$p"; then
			echo "ok: $n: $(tail -1 "$work/$n")"
		else
			echo "FAIL: $n"
			sed 's/^/    /' "$work/$n"
			fail=1
		fi
	done
	return $fail
}

rc=0
scenario "two-hop BDT (/32): the peer BBMD rebroadcasts" 32 || rc=1
# one-hop: the router must forward directed broadcasts
ip netns exec "$nsR" sysctl -qw net.ipv4.conf.all.bc_forwarding=1
for i in rA rB rF; do
	ip netns exec "$nsR" sysctl -qw "net.ipv4.conf.$i.bc_forwarding=1"
done
scenario "one-hop BDT (/24): directed broadcasts through the router" 24 ||
	rc=1
exit $rc
