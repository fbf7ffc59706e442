#!/usr/bin/env bash
# BBMD through the daemon: bacsc-router's B/IP port in BBMD mode, an SC
# device (bacsc-scdev) on its hub, and a foreign device on another
# "subnet" (127.0.9.x, another UDP port; raw UDP, tests/e2e/bbmd_fd.py):
# the NAK before registering, the registration and the FDT, the FD's
# Who-Is distributed on the router's subnet and routed to the SC side,
# the SC device's I-Am back at the FD, a ReadProperty answered through the
# router.  The router's status shows the FDT entry; tshark finds no
# malformed packet (TLS decrypted with the key log).
. "$(dirname "$0")/e2e-lib.sh"
read -r hub < <(e_free_tcp 1)
rip=127.0.3.$E_N
fip=127.0.9.$E_N
fport=$((E_UDP + 1))
vmac=02:00:00:00:73:01
e_capture_start "udp port $E_UDP or udp port $fport or tcp port $hub"
e_router r1 16 26 "$rip" "$hub" \
	"mode = \"bbmd\"; bdt = ( { address = \"$rip:$E_UDP\"; } ); fdt_limit = 4;"
e_ok "bacsc-router up: BBMD on $rip:$E_UDP (B/IP network 16), SC network 26"
e_scdev dev1 "$hub" 1 "$vmac" 7301 sc-device-7301 -V 44.5
e_ok "bacsc-scdev 7301 on the hub, VMAC $vmac"
python3 "$top_srcdir/tests/e2e/bbmd_fd.py" "$rip" "$E_UDP" "$fip" "$fport" \
	26 "${vmac//:/}" 7301 >"$W/fd.out" 2>&1 ||
	{ cat "$W/fd.out"; e_fail "foreign device checks"; }
sed 's/^/  /' "$W/fd.out" | grep -v '^  VALUE'
grep -q '^VALUE 44.5$' "$W/fd.out" || e_fail "present value read is not 44.5"
n=$(e_status r1 | grep -o '"fdt_entries":[0-9]*' | cut -d: -f2)
[ "$n" = 1 ] || e_fail "router status: fdt_entries ${n:-?}, want 1"
e_ok "bacsc-routerctl status: 1 foreign device registered"
e_capture_check -d "tcp.port==$hub,tls" -d "udp.port==$E_UDP,bvlc" \
	-d "udp.port==$fport,bvlc"
echo "route-bbmd.sh: all passed"
