#!/usr/bin/env python3
"""Ask a B/IP router over raw UDP, the way a BACnet/IP device would.

usage: bip_who_is_router.py ROUTER_IP PORT SELF_IP
         [who-is-router NET | who-is INSTANCE | read-name INSTANCE [NAME]
          | read-prop INSTANCE TYPE:OBJ PROP]

who-is-router NET: send Who-Is-Router-To-Network (Original-Unicast-NPDU)
  to ROUTER_IP:PORT and wait for an I-Am-Router-To-Network (a local
  broadcast, heard on 127.255.255.255:PORT) that lists network NET.
who-is INSTANCE: send a Who-Is (unconfirmed, no range) and wait for the
  I-Am of device INSTANCE.
read-name INSTANCE [NAME]: ReadProperty Object_Name of device INSTANCE
  (confirmed, unicast); print the name in the Complex-ACK and, with NAME,
  exit 0 only if it is NAME.
read-prop INSTANCE TYPE:OBJ PROP: ReadProperty PROP of object TYPE:OBJ
  (confirmed, unicast) from the router (INSTANCE only names it); print
  "VALUE <hex>", the octets between the opening and closing tag 3.
Prints what arrived; exit 0 if the expected answer came within 5 s.
"""
import random
import socket
import struct
import sys
import time


def open_socks(self_ip, port, uni_port):
    uni = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uni.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    uni.bind((self_ip, uni_port))
    bc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bc.bind(("127.255.255.255", port))
    return uni, bc


def bvll_unicast(npdu):
    return struct.pack("!BBH", 0x81, 0x0A, 4 + len(npdu)) + npdu


def npdu_body(data):
    """Return (is_nl, body) of a B/IP datagram's NPDU, or None."""
    if len(data) < 6 or data[0] != 0x81 or data[1] not in (0x0A, 0x0B, 0x04):
        return None
    off = 4 if data[1] != 0x04 else 10
    n = data[off:]
    if len(n) < 2 or n[0] != 0x01:
        return None
    ctl = n[1]
    i = 2
    if ctl & 0x20:  # DNET, DLEN, DADR
        dlen = n[i + 2]
        i += 3 + dlen
    if ctl & 0x08:  # SNET, SLEN, SADR
        slen = n[i + 2]
        i += 3 + slen
    if ctl & 0x20:
        i += 1  # hop count
    return bool(ctl & 0x80), n[i:]


def wait(socks, pred, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        for s in socks:
            s.settimeout(0.05)
            try:
                data, src = s.recvfrom(2000)
            except socket.timeout:
                continue
            r = npdu_body(data)
            if r is None:
                continue
            out = pred(r[0], r[1], src)
            if out is not None:
                return out
    return None


def read_name_pred(instance, want):
    """A predicate for the Complex-ACK of ReadProperty Object_Name."""
    oid = struct.pack("!I", 8 << 22 | instance)

    def pred(nl, body, src):
        # 30 <invoke> 0C, 0C <oid>, 19 4D, 3E, 75 <len> 00 <utf-8>, 3F
        if nl or len(body) < 14 or body[0] != 0x30 or body[2] != 0x0C:
            return None
        if body[3] != 0x0C or body[4:8] != oid or body[8:11] != b"\x19\x4d\x3e":
            return None
        i, tag = 11, body[11]
        if tag >> 4 != 7 or tag & 0x08:
            return None
        n = tag & 0x07
        i += 1
        if n == 5:
            n, i = body[i], i + 1
        name = body[i + 1:i + n].decode("utf-8", "replace")
        print("Object_Name of device %d: %s" % (instance, name))
        return name if want is None or name == want else False
    return pred


def main():
    router, port, self_ip, what, arg = sys.argv[1], int(sys.argv[2]), \
        sys.argv[3], sys.argv[4], int(sys.argv[5])
    # Confirmed requests from a port of the kernel's and with a random
    # invoke ID: the router answers a repeat of the same request (same
    # source, ID and octets) within its APDU timeout from its duplicate
    # cache, so two runs must not look alike.
    confirmed = what in ("read-prop", "read-name")
    uni, bc = open_socks(self_ip, port, 0 if confirmed else port)
    invoke = random.randrange(256)
    if what == "read-prop":
        otype, oinst = map(int, sys.argv[6].split(":"))
        prop = int(sys.argv[7])
        pb = prop.to_bytes(max(1, (prop.bit_length() + 7) // 8), "big")
        ptag = bytes([0x18 | len(pb)]) + pb
        oid = b"\x0c" + struct.pack("!I", otype << 22 | oinst)
        apdu = bytes([0x00, 0x05, invoke, 0x0C]) + oid + ptag
        uni.sendto(bvll_unicast(bytes([0x01, 0x04]) + apdu), (router, port))

        def pred(nl, body, src):
            # 30 02 0C, 0C <oid>, 1x <prop>, 3E ... 3F
            head = bytes([0x30, invoke, 0x0C]) + oid + ptag + b"\x3e"
            if nl or not body.startswith(head) or body[-1] != 0x3F:
                return None
            print("VALUE " + body[len(head):-1].hex())
            return True
    elif what == "read-name":
        want = sys.argv[6] if len(sys.argv) > 6 else None
        apdu = bytes([0x00, 0x05, invoke, 0x0C, 0x0C]) + \
            struct.pack("!I", 8 << 22 | arg) + bytes([0x19, 0x4D])
        uni.sendto(bvll_unicast(bytes([0x01, 0x04]) + apdu), (router, port))
        pred = read_name_pred(arg, want)
    elif what == "who-is-router":
        uni.sendto(bvll_unicast(bytes([0x01, 0x80, 0x00])), (router, port))

        def pred(nl, body, src):
            if not nl or len(body) < 1 or body[0] != 0x01:
                return None
            nets = [struct.unpack("!H", body[k:k + 2])[0]
                    for k in range(1, len(body) - 1, 2)]
            print("I-Am-Router-To-Network from %s:%d: %s" %
                  (src[0], src[1], " ".join(map(str, nets))))
            return nets if arg in nets else None
    else:
        uni.sendto(bvll_unicast(bytes([0x01, 0x00, 0x10, 0x08])),
                   (router, port))

        def pred(nl, body, src):
            # I-Am: 10 00 C4 <object id> ...
            if nl or len(body) < 7 or body[0] != 0x10 or body[1] != 0x00:
                return None
            if body[2] != 0xC4:
                return None
            oid = struct.unpack("!I", body[3:7])[0]
            inst = oid & 0x3FFFFF
            print("I-Am device %d from %s:%d" % (inst, src[0], src[1]))
            return inst if inst == arg and (oid >> 22) == 8 else None
    got = wait([uni, bc], pred)
    if got is False:
        print("the name is not %s" % sys.argv[6], file=sys.stderr)
        return 1
    if got is None:
        print("no matching answer within 5 s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
