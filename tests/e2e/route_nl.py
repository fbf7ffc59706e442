#!/usr/bin/env python3
"""Network-layer messages to bacsc-router over raw UDP (clause 6.4, 6.6).

usage: route_nl.py ROUTER_IP PORT SELF_IP LOCAL_NET SC_NET

Checks, on what arrives at SELF_IP:PORT and 127.255.255.255:PORT:
 1. Who-Is-Router-To-Network (no DNET) -> I-Am-Router-To-Network (local
    broadcast) listing SC_NET and not LOCAL_NET;
 2. Who-Is-Router-To-Network(SC_NET) -> I-Am-Router-To-Network(SC_NET);
 3. Who-Is-Router-To-Network(LOCAL_NET) -> silence (the arrival network);
 4. a confirmed request to an unknown DNET -> Reject-Message-To-Network
    reason 1 (no route) with that DNET, unicast back to us after the
    router's search;
 5. an unknown network message type (0x7f, unicast) -> Reject reason 3.
Prints one line per check; exit 0 only if all passed.
"""
import socket
import struct
import sys
import time

rip, port, me, lnet, snet = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5])
uni = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uni.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
uni.bind((me, port))
bc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
bc.bind(("127.255.255.255", port))
failed = 0


def send(npdu):
    uni.sendto(struct.pack("!BBH", 0x81, 0x0A, 4 + len(npdu)) + npdu,
               (rip, port))


def parse(data):
    """(bvlc function, control, dnet or None, nl type or None, body)."""
    if len(data) < 6 or data[0] != 0x81 or struct.unpack("!H", data[2:4])[0] != len(data):
        return None
    n = data[4:]
    if n[0] != 1:
        return None
    ctl, i, dnet = n[1], 2, None
    if ctl & 0x20:
        dnet = struct.unpack("!H", n[i:i + 2])[0]
        i += 3 + n[i + 2]
    if ctl & 0x08:
        i += 3 + n[i + 2]
    if ctl & 0x20:
        i += 1
    if ctl & 0x80:
        return data[1], ctl, dnet, n[i], n[i + 1:]
    return data[1], ctl, dnet, None, n[i:]


def collect(secs):
    out, end = [], time.time() + secs
    while time.time() < end:
        for s in (uni, bc):
            s.settimeout(0.02)
            try:
                d, src = s.recvfrom(2000)
            except socket.timeout:
                continue
            if src[0] == me:
                continue
            p = parse(d)
            if p:
                out.append((s is bc, src, p))
    return out


def check(name, ok, detail):
    global failed
    print(("ok: " if ok else "FAIL: ") + name + ": " + detail)
    if not ok:
        failed += 1


def iam_router_nets(msgs):
    nets = []
    for is_bc, _, (f, ctl, dnet, t, body) in msgs:
        if t == 0x01 and is_bc and f == 0x0B:
            nets += [struct.unpack("!H", body[k:k + 2])[0]
                     for k in range(0, len(body) - 1, 2)]
    return nets


send(bytes([1, 0x80, 0x00]))
nets = iam_router_nets(collect(1.0))
check("who-is-router (all)", snet in nets and lnet not in nets,
      "I-Am-Router-To-Network lists %s" % nets)
send(bytes([1, 0x80, 0x00]) + struct.pack("!H", snet))
nets = iam_router_nets(collect(1.0))
check("who-is-router %d" % snet, nets == [snet], "I-Am-Router lists %s" % nets)
send(bytes([1, 0x80, 0x00]) + struct.pack("!H", lnet))
nets = iam_router_nets(collect(1.0))
check("who-is-router %d (arrival net)" % lnet, nets == [], "answers %s" % nets)

# ReadProperty Device object-name to DNET 999 / DADR 01, hop count 255.
t0 = time.time()
send(bytes([1, 0x24, 0x03, 0xE7, 1, 1, 255,
            0x00, 0x05, 0x01, 0x0C, 0x0C, 0x02, 0x3F, 0xFF, 0xFF, 0x19, 0x4D]))
rej = [(is_bc, src, p) for is_bc, src, p in collect(5.0) if p[3] == 0x03]
ok = (len(rej) == 1 and not rej[0][0] and rej[0][2][4][:3] == bytes([1, 0x03, 0xE7])
      and rej[0][1] == (rip, port))
check("unknown DNET 999", ok, "%d Reject(s): %s" % (
    len(rej), [r[2][4].hex() for r in rej]))

send(bytes([1, 0x80, 0x7F]))
rej = [(is_bc, src, p) for is_bc, src, p in collect(1.0) if p[3] == 0x03]
check("unknown message type 0x7f", len(rej) == 1 and rej[0][2][4][:1] == b"\x03",
      "%d Reject(s): %s" % (len(rej), [r[2][4].hex() for r in rej]))
sys.exit(1 if failed else 0)
