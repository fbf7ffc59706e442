#!/usr/bin/env python3
"""A foreign device on another subnet, over raw UDP, against bacsc-router's
BBMD (Annex J.5), with an SC device behind the router.

usage: bbmd_fd.py ROUTER_IP PORT FD_IP FD_PORT SC_NET VMAC_HEX INSTANCE

The foreign device binds FD_IP:FD_PORT (another address and port than the
router's B/IP network, so no local broadcast reaches it); a listener on
127.255.255.255:PORT stands for the devices of the router's own subnet.
Checks, on what arrives:
 1. Distribute-Broadcast-To-Network before registering -> BVLC-Result NAK
    (0x0060);
 2. Register-Foreign-Device (TTL 60) -> BVLC-Result success;
 3. Read-Foreign-Device-Table -> Read-FDT-Ack with our entry and TTL 60;
 4. a global Who-Is (INSTANCE..INSTANCE) sent as
    Distribute-Broadcast-To-Network: the BBMD rebroadcasts it on its subnet
    as Forwarded-NPDU with our address as origin; the SC device's I-Am
    comes back to us with SNET = SC_NET and SADR = its VMAC;
 5. ReadProperty of Analog Value 1's present value at (SC_NET, VMAC) sent
    to the router as Original-Unicast-NPDU: the Complex-ACK comes back.
Prints one line per check; exit 0 only if all passed.
"""
import socket
import struct
import sys
import time

rip, port, fip, fport, snet = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5])
vmac, inst = bytes.fromhex(sys.argv[6]), int(sys.argv[7])
fd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fd.bind((fip, fport))
lan = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lan.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lan.bind(("127.255.255.255", port))
router = (rip, port)
me = socket.inet_aton(fip) + struct.pack("!H", fport)
failed = 0


def bvll(fn, body):
    return struct.pack("!BBH", 0x81, fn, 4 + len(body)) + body


def recv(sock, secs, want):
    """The first datagram within secs for which want(data) is true."""
    end = time.time() + secs
    while True:
        left = end - time.time()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            return None
        if len(data) >= 4 and data[0] == 0x81 and want(data):
            return data


def npdu_of(data):
    """(npdu, bvlc function) of an Original/Forwarded NPDU, else None."""
    if data[1] in (0x0A, 0x0B):
        return data[4:]
    if data[1] == 0x04:
        return data[10:]
    return None


def src_and_apdu(n):
    """(snet, sadr, hop count or None, apdu) of an application NPDU."""
    if len(n) < 2 or n[0] != 1 or n[1] & 0x80:
        return None
    ctl, i, snet_, sadr, hop = n[1], 2, None, b"", None
    if ctl & 0x20:
        i += 3 + n[i + 2]
    if ctl & 0x08:
        snet_ = struct.unpack("!H", n[i:i + 2])[0]
        sadr = n[i + 3:i + 3 + n[i + 2]]
        i += 3 + n[i + 2]
    if ctl & 0x20:
        hop = n[i]
        i += 1
    return snet_, sadr, hop, n[i:]


def check(ok, what):
    global failed
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failed += 1


def result_of(d):
    return d[1] == 0x00 and len(d) == 6


def ctx_uint(tag, v):
    """A context-tagged unsigned (2 octets) for Who-Is limits."""
    return bytes([(tag << 4) | 0x08 | 2]) + struct.pack("!H", v)


whois = bytes([0x01, 0x20, 0xFF, 0xFF, 0x00, 0xFF, 0x10, 0x08]) + \
    ctx_uint(0, inst) + ctx_uint(1, inst)

# 1. not registered yet: the BBMD refuses to distribute.
fd.sendto(bvll(0x09, whois), router)
d = recv(fd, 2, result_of)
check(d is not None and d[4:6] == b"\x00\x60",
      "Distribute-Broadcast-To-Network before registering: NAK 0x0060"
      " (%s)" % (d[4:6].hex() if d else "nothing"))

# 2. registration.
fd.sendto(bvll(0x05, struct.pack("!H", 60)), router)
d = recv(fd, 2, result_of)
check(d is not None and d[4:6] == b"\x00\x00",
      "Register-Foreign-Device TTL 60: result %s" % (d[4:6].hex() if d else "none"))

# 3. the FDT lists us.
fd.sendto(bvll(0x06, b""), router)
d = recv(fd, 2, lambda x: x[1] == 0x07)
entries = []
if d is not None:
    body = d[4:]
    for k in range(0, len(body) - 9, 10):
        entries.append((body[k:k + 6], struct.unpack("!HH", body[k + 6:k + 10])))
mine = [e for e in entries if e[0] == me]
check(len(mine) == 1 and mine[0][1][0] == 60 and 60 <= mine[0][1][1] <= 90,
      "Read-FDT-Ack: %d entr%s, ours with TTL %s, %s s left" % (
          len(entries), "y" if len(entries) == 1 else "ies",
          mine[0][1][0] if mine else "-", mine[0][1][1] if mine else "-"))

# 4. a global Who-Is through the BBMD.
fd.sendto(bvll(0x09, whois), router)
d = recv(lan, 2, lambda x: x[1] == 0x04 and x[4:10] == me and
         x[10:] == whois)
check(d is not None, "the Who-Is rebroadcast on the router's subnet as "
      "Forwarded-NPDU from %s:%d" % (fip, fport))


def is_iam(x):
    n = npdu_of(x)
    s = n and src_and_apdu(n)
    return bool(s) and s[3][:2] == b"\x10\x00" and \
        s[3][2:7] == bytes([0xC4]) + struct.pack("!I", (8 << 22) | inst)


d = recv(fd, 3, is_iam)
if d is None:
    check(False, "no I-Am of device %d at the foreign device" % inst)
else:
    s = src_and_apdu(npdu_of(d))
    check(s[0] == snet and s[1] == vmac,
          "I-Am of SC device %d at the foreign device (BVLC function "
          "0x%02x) with SNET %s, SADR %s" % (inst, d[1], s[0], s[1].hex()))

# 5. a unicast ReadProperty through the router, and its answer.
rp = bytes([0x01, 0x24]) + struct.pack("!H", snet) + bytes([len(vmac)]) + \
    vmac + bytes([0xFF, 0x00, 0x05, 0x33, 0x0C, 0x0C]) + \
    struct.pack("!I", (2 << 22) | 1) + bytes([0x19, 0x55])
fd.sendto(bvll(0x0A, rp), router)


def is_ack(x):
    n = npdu_of(x)
    s = n and src_and_apdu(n)
    return bool(s) and s[3][:3] == b"\x30\x33\x0c"


d = recv(fd, 3, is_ack)
if d is None:
    check(False, "no answer to ReadProperty at the foreign device")
else:
    s = src_and_apdu(npdu_of(d))
    a = s[3]
    k = a.find(b"\x3e\x44")
    val = struct.unpack("!f", a[k + 2:k + 6])[0] if k >= 0 else None
    check(s[0] == snet and s[1] == vmac and val is not None,
          "ReadProperty present-value answered through the router: %s "
          "(SNET %s, SADR %s)" % (val, s[0], s[1].hex()))
    print("VALUE %s" % val)
sys.exit(1 if failed else 0)
