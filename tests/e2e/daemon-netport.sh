#!/usr/bin/env bash
# The B/IP Network Ports' interface properties on real interfaces: the
# real bacsc-router in a network namespace of our own with two B/IP ports,
#   bip0 on veth v0, 10.233.N.2/24 held with a finite lifetime (as a DHCP
#        client installs its lease), default routes via 10.233.N.1
#        (metric 10) and 10.233.N.254 (metric 20);
#   bip1 on veth v1, 10.234.N.2/28, a static address, no default route;
# and a resolv.conf of its own (ip netns exec mounts /etc/netns/NS/ over
# /etc) with an IPv6 server and more than three servers.  @bacnet-js/client
# reads both Network Ports with ReadPropertyMultiple ALL and checks
# IP_Subnet_Mask, IP_Default_Gateway, IP_DNS_Server, IP_DHCP_Enable and
# Link_Speed (veth: 10 Gbit/s) against the values set up here, which
# iproute2's view (netport_expect.py) must confirm.  tshark decodes the
# exchange and must find no malformed packet.  Needs root (fails, never
# skips, without it).
. "$(dirname "$0")/e2e-lib.sh"
[ "$(id -u)" -eq 0 ] || e_fail "needs root to create a network namespace"
ns="bnp$$"
np_cleanup() {
	e_cleanup
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/etc/netns/$ns"
	rmdir /etc/netns 2>/dev/null || true
}
trap np_cleanup EXIT
a=10.233.$E_N b=10.234.$E_N
np_setup() {
	mkdir -p "/etc/netns/$ns"
	printf '%s\n' "# daemon-netport.sh" "search example.org" \
		"nameserver 192.0.2.53" "nameserver 2001:db8::53" \
		"nameserver 198.51.100.53" "nameserver 203.0.113.53" \
		"nameserver 203.0.113.54" >"/etc/netns/$ns/resolv.conf"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add v0 type veth peer name v0p
	ip -n "$ns" link add v1 type veth peer name v1p
	for i in v0 v0p v1 v1p; do ip -n "$ns" link set "$i" up; done
	ip -n "$ns" addr add "$a.2/24" dev v0 valid_lft 3600 preferred_lft 3600
	ip -n "$ns" addr add "$b.2/28" dev v1
	ip -n "$ns" route add default via "$a.1" dev v0 metric 10
	ip -n "$ns" route add default via "$a.254" dev v0 metric 20
}
np_setup >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; e_fail "cannot set up the namespace"; }
e_ok "namespace $ns: v0 $a.2/24 (lease), v1 $b.2/28 (static)"

if command -v tshark >/dev/null 2>&1; then
	ip netns exec "$ns" tshark -i lo -f "udp port $E_UDP" \
		-w "$W/np.pcap" >"$W/tshark.txt" 2>&1 &
	E_PIDS+=($!)
	tpid=$!
	for _ in $(seq 50); do
		grep -q "Capturing on" "$W/tshark.txt" 2>/dev/null && break
		sleep 0.1
	done
fi
e_router_conf r1 "$((4190000 + E_N))" <<CONF
bip = ( { name = "bip0"; network = 31; bind = "$a.2"; port = $E_UDP; },
        { name = "bip1"; network = 32; bind = "$b.2"; port = $E_UDP; } );
CONF
E_RUN=(ip netns exec "$ns")
e_daemon_start r1 "$W/r1.conf"
e_wait_ctl "$W/r1.sock" 5
e_ok "bacsc-router up in $ns on $a.2 and $b.2, UDP $E_UDP"

# What must come out, written from the set-up above.
dns='["192.0.2.53","198.51.100.53","203.0.113.53"]'
want0="{\"ifname\":\"v0\",\"mask\":\"255.255.255.0\",\"gateway\":\"$a.1\",\"dns\":$dns,\"dhcp\":true,\"linkSpeed\":10000000000}"
want1="{\"ifname\":\"v1\",\"mask\":\"255.255.255.240\",\"gateway\":\"0.0.0.0\",\"dns\":$dns,\"dhcp\":false,\"linkSpeed\":10000000000}"
# iproute2 must see the same (else the set-up is not what we think).
same() {
	python3 -c 'import json, sys; a, b = (json.loads(x) for x in sys.argv[1:]); sys.exit(a != b)' "$1" "$2"
}
for i in 0 1; do
	ip=$a.2 want=$want0
	[ $i = 1 ] && ip=$b.2 want=$want1
	seen=$(ip netns exec "$ns" python3 "$top_srcdir/tests/e2e/netport_expect.py" "$ip") ||
		e_fail "netport_expect.py $ip"
	same "$seen" "$want" || e_fail "iproute2 sees $seen for $ip, the set-up wants $want"
done
e_ok "iproute2 and resolv.conf agree with the set-up"

ip netns exec "$ns" node "$top_srcdir/tests/e2e/daemon_netport.js" \
	"$E_UDP" "$((E_UDP + 1))" 1 "$a.2" "$want0" 2 "$b.2" "$want1" \
	>"$W/client.out" 2>&1 ||
	{ cat "$W/client.out"; e_fail "@bacnet-js/client read of the Network Ports"; }
sed 's/^/  /' "$W/client.out"
e_ok "both Network Ports report their interface as the system has it"

if [ -n "${tpid:-}" ]; then
	sleep 0.5
	kill -INT "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	bad=$(tshark -r "$W/np.pcap" -d "udp.port==$E_UDP,bvlc" \
		-Y '_ws.malformed || malformed' 2>/dev/null || true)
	[ -z "$bad" ] || { echo "$bad" | head; e_fail "tshark flags malformed packets"; }
	tshark -r "$W/np.pcap" -d "udp.port==$E_UDP,bvlc" -V >"$W/np.txt" 2>/dev/null || true
	for p in "bacnet-ip-dns-server (406)" "bacnet-ip-dhcp-enable (402)" \
		"bacnet-ip-subnet-mask (411)" "link-speed (420)"; do
		grep -qF "Property Identifier: $p" "$W/np.txt" ||
			e_fail "tshark did not decode $p"
	done
	n=$(tshark -r "$W/np.pcap" -d "udp.port==$E_UDP,bvlc" \
		-Y "bacapp.type == 3" 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] || e_fail "tshark found $n Complex-ACKs, not 2"
	e_ok "tshark decodes $n Complex-ACKs, nothing malformed"
fi
echo "daemon-netport.sh: all passed"
