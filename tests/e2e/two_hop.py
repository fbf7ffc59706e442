#!/usr/bin/env python3
"""B/IP -> router A -> B/IP -> router B -> B/IP over raw UDP, with the hop
count visible.

usage: two_hop.py RA_IP PORT_A SRC_IP SRC_NET RECV_IP PORT_B DST_NET HOPS

A sender on SRC_IP:PORT_A (network SRC_NET, router A at RA_IP:PORT_A) and
a receiver on RECV_IP:PORT_B (network DST_NET, behind router B, which it
learns from the first datagram it gets), plus a listener on
127.255.255.255:PORT_B for that network's broadcasts.  Checks, on what
arrives:
 1. a global broadcast (Who-Is for an instance nobody has) sent with hop
    count HOPS as a local broadcast on SRC_NET reaches DST_NET with DNET
    0xFFFF, hop count HOPS - 2, SNET = SRC_NET and SADR = the sender;
 2. a confirmed ReadProperty sent with hop count HOPS to DNET = DST_NET,
    DADR = the receiver, unicast to router A, arrives at the receiver
    with SNET = SRC_NET, SADR = the sender (the last router strips DNET
    and the hop count);
 3. the receiver's answer (DNET = SRC_NET, DADR = the sender, unicast to
    the router it came from) arrives at the sender with SNET = DST_NET
    and SADR = the receiver.
Prints one line per check; exit 0 only if all passed.
"""
import socket
import struct
import sys
import time

ra_ip, pa, sip, snet, rip, pb, dnet, hops = sys.argv[1], int(sys.argv[2]), \
    sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), \
    int(sys.argv[7]), int(sys.argv[8])


def udp(addr, reuse=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(addr)
    return s


snd = udp((sip, pa))
rcv = udp((rip, pb))
rcv_bc = udp(("127.255.255.255", pb), reuse=True)
smac = socket.inet_aton(sip) + struct.pack("!H", pa)
rmac = socket.inet_aton(rip) + struct.pack("!H", pb)
failed = 0


def check(ok, what):
    global failed
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failed += 1


def bvll(fn, npdu):
    return struct.pack("!BBH", 0x81, fn, 4 + len(npdu)) + npdu


def parse(d):
    """dict of an application NPDU in an Original-Unicast/Broadcast BVLL."""
    if len(d) < 6 or d[0] != 0x81 or d[1] not in (0x0A, 0x0B):
        return None
    n = d[4:]
    if n[0] != 1 or n[1] & 0x80:
        return None
    ctl, i, r = n[1], 2, {"fn": d[1]}
    if ctl & 0x20:
        r["dnet"] = struct.unpack("!H", n[i:i + 2])[0]
        r["dadr"] = n[i + 3:i + 3 + n[i + 2]]
        i += 3 + n[i + 2]
    if ctl & 0x08:
        r["snet"] = struct.unpack("!H", n[i:i + 2])[0]
        r["sadr"] = n[i + 3:i + 3 + n[i + 2]]
        i += 3 + n[i + 2]
    if ctl & 0x20:
        r["hop"] = n[i]
        i += 1
    r["apdu"] = n[i:]
    return r


def recv(sock, secs, want):
    end = time.time() + secs
    while True:
        left = end - time.time()
        if left <= 0:
            return None, None
        sock.settimeout(left)
        try:
            d, a = sock.recvfrom(2048)
        except socket.timeout:
            return None, None
        p = parse(d)
        if p is not None and want(p):
            return p, a


def ctx_uint3(tag, v):
    return bytes([(tag << 4) | 0x08 | 3]) + v.to_bytes(3, "big")


# 1. a global broadcast from the source network.
who = bytes([0x10, 0x08]) + ctx_uint3(0, 4194000) + ctx_uint3(1, 4194000)
snd.sendto(bvll(0x0B, bytes([0x01, 0x20, 0xFF, 0xFF, 0x00, hops]) + who),
           ("127.255.255.255", pa))
p, _ = recv(rcv_bc, 3, lambda p: p["apdu"] == who)
if p is None:
    check(False, "the global broadcast did not reach network %d" % dnet)
else:
    check(p["fn"] == 0x0B and p.get("dnet") == 0xFFFF and
          p.get("hop") == hops - 2 and p.get("snet") == snet and
          p.get("sadr") == smac,
          "global broadcast sent with hop count %d arrives on network %d "
          "with hop count %s, SNET %s, SADR %s" % (
              hops, dnet, p.get("hop"), p.get("snet"),
              p.get("sadr", b"").hex()))

# 2. a unicast request to the receiver.
rp = bytes([0x00, 0x05, 0x44, 0x0C, 0x0C]) + struct.pack("!I", (2 << 22) | 1) + \
    bytes([0x19, 0x55])
snd.sendto(bvll(0x0A, bytes([0x01, 0x24]) + struct.pack("!H", dnet) +
                bytes([6]) + rmac + bytes([hops]) + rp), (ra_ip, pa))
p, rb = recv(rcv, 3, lambda p: p["apdu"] == rp)
if p is None:
    check(False, "the ReadProperty did not reach the receiver")
    sys.exit(1)
check(p["fn"] == 0x0A and "dnet" not in p and p.get("snet") == snet and
      p.get("sadr") == smac,
      "ReadProperty to DNET %d arrives from router B %s:%d with SNET %s, "
      "SADR %s" % (dnet, rb[0], rb[1], p.get("snet"),
                   p.get("sadr", b"").hex()))

# 3. the answer back through router B, then router A.
ack = bytes([0x30, 0x44, 0x0C, 0x0C]) + struct.pack("!I", (2 << 22) | 1) + \
    bytes([0x19, 0x55, 0x3E, 0x44]) + struct.pack("!f", 12.5) + bytes([0x3F])
rcv.sendto(bvll(0x0A, bytes([0x01, 0x20]) + struct.pack("!H", snet) +
                bytes([6]) + smac + bytes([255]) + ack), rb)
p, _ = recv(snd, 3, lambda p: p["apdu"] == ack)
check(p is not None and p.get("snet") == dnet and p.get("sadr") == rmac,
      "the answer arrives at the sender with SNET %s, SADR %s" % (
          p and p.get("snet"), p and p.get("sadr", b"").hex()))
sys.exit(1 if failed else 0)
