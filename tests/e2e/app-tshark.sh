#!/bin/bash
# The application layer's answers, wrapped in BACnet/IP frames, decode in
# tshark without a malformed packet or an expert warning; a few values are
# checked in tshark's decode (not in ours).  Needs tshark and python3.
set -eu
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

replay="$top_builddir/tests/e2e/app-replay"
[ -x "$replay" ] || { echo "FAIL: $replay missing (make)"; exit 1; }
command -v tshark >/dev/null || { echo "FAIL: tshark missing"; exit 1; }

printf 'subject=CN=test\n' >"$tmp/cert.pem"
# Requests: Who-Is, Who-Has, RP, RPM ALL/REQUIRED/OPTIONAL of every object,
# WP (accepted and refused), errors, a reject, and a segmented RPM ALL of
# the SC port with Max-APDU 206 driven by Segment-ACKs (windows of 4).
cat >"$tmp/req" <<'REQ'
C 1008
C 10073D0900736574706F696E74
C 10073D09007365747020696E74
C 0005010C0C02001267194C
C 0005020E0C020012671E09081F
C 0005030E0C008000011E09081F
C 0005040E0C028000011E09081F
C 0005050E0C0E0000011E09081F
C 0005060E0C0E0000021E09081F
C 0005070E0C020012671E09691F
C 0005080E0C020012671E09501F
C 0005090F0C0080000119553E44433400003F
C 00050A0F0C0200126719793E750200783F
C 00050B0C0C000000051955
C 00050C1A0C00800001
C 02020D0E0C0E0000021E09081F
C 400D0004
C 400D0404
C 400D0804
REQ
"$replay" "$tmp/cert.pem" <"$tmp/req" >"$tmp/trace"

python3 - "$tmp/trace" "$tmp/app.pcap" <<'PY'
import struct, sys
def frame(src, dst, apdu):
    npdu = b'\x01\x00' + apdu
    bvll = b'\x81\x0a' + struct.pack('!H', 4 + len(npdu)) + npdu
    udp = struct.pack('!HHHH', 47808, 47808, 8 + len(bvll), 0) + bvll
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, bytes(src), bytes(dst))
    s = sum(struct.unpack('!10H', ip))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ip[:10] + struct.pack('!H', ~s & 0xffff) + ip[12:] + udp
cli, rtr = [127, 0, 0, 2], [127, 0, 0, 1]
out = open(sys.argv[2], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
for i, line in enumerate(open(sys.argv[1])):
    d, h = line.split()
    p = frame(cli, rtr, bytes.fromhex(h)) if d == 'C' else \
        frame(rtr, cli, bytes.fromhex(h))
    out.write(struct.pack('<IIII', i, 0, len(p), len(p)) + p)
PY

fail=0
bad=$(tshark -r "$tmp/app.pcap" \
    -Y '_ws.malformed || _ws.expert.severity >= "warning"' 2>/dev/null)
if [ -n "$bad" ]; then
	echo "FAIL: malformed or warned frames:"
	echo "$bad"
	fail=1
fi
{ tshark -r "$tmp/app.pcap" 2>/dev/null; tshark -r "$tmp/app.pcap" -V 2>/dev/null; } >"$tmp/decode"
n=$(tshark -r "$tmp/app.pcap" 2>/dev/null | wc -l)
want() {
	if ! grep -qF -- "$1" "$tmp/decode"; then
		echo "FAIL: tshark decode lacks: $1"
		fail=1
	fi
}
want 'i-Am device,4711'
want 'i-Have device,4711 analog-value,1'
want 'protocol-revision: (Unsigned) 24'
want 'network-type:  secure-connect (11)'
want 'sc-hub-connector-state:  connected-to-primary (1)'
want 'Error Code: node-duplicate-vmac (151)'
want 'Error Code: write-access-denied (40)'
want 'Error Code: unknown-object (31)'
want 'Reject Reason: unrecognized-service (9)'
want 'More Segments: No More Segments Follow'
want 'Segmented Request: Segmented Request'
echo "app-tshark: $n frames decoded, fail=$fail"
exit $fail
