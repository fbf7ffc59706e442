#!/usr/bin/env python3
"""Misbehaving peers for the fault-injection suite (tests/e2e/fault.sh).

usage: fault_peer.py MODE ARGS...

  stall PKI HOST PORT SECONDS   connect as an SC node, then never read
  storm PKI HOST PORT SECONDS   connect as an SC node, send 1 kB broadcasts
                                as fast as the hub takes them (reading
                                whatever comes back); print the count
  pair PKI HOST PORT N          two SC nodes: A sends N unicasts to B; exit
                                0 if B got all N within 10 s
  midmsg PKI HOST PORT          connect, send half a WebSocket frame, close
  halftls HOST PORT LIMIT_S     TCP, half a TLS record, hang: exit 0 if the
                                server cuts us off within LIMIT_S seconds
  reconnect PKI HOST PORT N     N connect + Connect-Request + close in a
                                tight loop; print the time taken
  hoard PKI HOST PORT SRC SECONDS
                                from source address SRC, open WebSockets
                                in a tight loop and never close them;
                                print "opened N refused M"
  sink PKI HOST PORT1 PORT2 SECONDS [PROGRESS_FILE]
                                one SC node (one VMAC) connected to two
                                hubs (PORT2 "-": one); print its VMAC, then count the
                                distinct sequence numbers of unicast
                                NPDUs that arrive on either until 3 s
                                after the last one (at most SECONDS);
                                print "received N"; the count so far
                                goes to PROGRESS_FILE every 100
  bipburst HOST PORT SELF_IP DNET VMAC N RATE
                                N B/IP unicasts routed to DNET/VMAC, each
                                with a sequence number, RATE per second;
                                print the count sent
  sc2bip PKI HOST PORT BIPPORT DNET N
                                an SC node sends N remote broadcasts to
                                network DNET (each with a sequence
                                number); count those that arrive as B/IP
                                broadcasts on 127.255.255.255:BIPPORT;
                                print "sent N received M"
  bipflood HOST PORT SECONDS    malformed B/IP datagrams at full speed;
                                print the count
  bipvalid HOST PORT SELF_IP INSTANCE SECONDS
                                one Who-Is for INSTANCE every 50 ms; count
                                the I-Am answers; print "sent answered"
Only 127.0.0.0/8 is used.
"""
import os
import random
import select
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sc_raw_client as rc  # noqa: E402


def sc_connect(pki, host, port, cert="node1", vmac=None, uuid=None):
    """Open a WebSocket and do Connect-Request/Accept; return (s, vmac)."""
    s, rest = rc.open_ws(pki, host, port)
    vmac = vmac or bytes([0x02]) + os.urandom(5)
    uuid = uuid or os.urandom(16)
    msg = struct.pack("!BBH", 0x06, 0, 1) + vmac + uuid + \
        struct.pack("!HH", 1600, 1497)
    s.sendall(rc.frame(2, msg))
    while True:
        op, payload, rest = rc.read_frame(s, rest)
        if op == 2 and payload and payload[0] == 0x07:
            return s, vmac, rest
        if op == 2 and payload and payload[0] == 0x00:
            raise SystemExit("connect refused: %r" % payload)


def encap(dest, npdu, msgid):
    return struct.pack("!BBH", 0x01, 0x04, msgid & 0xFFFF) + dest + npdu


def drain(s):
    s.setblocking(False)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return False
    except (ssl.SSLWantReadError, BlockingIOError):
        return True
    finally:
        s.setblocking(True)


def m_stall(pki, host, port, secs):
    s, _, _ = sc_connect(pki, host, int(port), "node2")
    print("stalled peer connected", flush=True)
    time.sleep(float(secs))
    s.close()


def m_storm(pki, host, port, secs):
    s, _, _ = sc_connect(pki, host, int(port))
    npdu = b"\x01\x00\x10\xff" + bytes(1000)
    end = time.time() + float(secs)
    n = 0
    while time.time() < end:
        r, w, _ = select.select([s], [s], [], 0.5)
        if r and not drain(s):
            break
        if w:
            s.sendall(rc.frame(2, encap(b"\xff" * 6, npdu, n)))
            n += 1
    print(n)


def m_pair(pki, host, port, n):
    n = int(n)
    a, _, _ = sc_connect(pki, host, int(port), "node1")
    b, bv, rest = sc_connect(pki, host, int(port), "node2")
    for i in range(n):
        a.sendall(rc.frame(2, encap(bv, b"\x01\x00\x10\xff" +
                                    struct.pack("!H", i), i)))
    got = set()
    b.settimeout(10)
    end = time.time() + 10
    while len(got) < n and time.time() < end:
        op, payload, rest = rc.read_frame(b, rest)
        if op == 2 and payload[0] == 0x01 and payload[1] & 0x08:
            got.add(struct.unpack("!H", payload[-2:])[0])
    print("unicasts %d/%d" % (len(got), n))
    sys.exit(0 if len(got) == n else 1)


def m_midmsg(pki, host, port):
    s, _, _ = sc_connect(pki, host, int(port))
    hdr = struct.pack("!BBH", 0x82, 0x80 | 126, 1000) + os.urandom(4)
    s.sendall(hdr + bytes(10))
    s.close()


def m_halftls(host, port, limit):
    t0 = time.time()
    s = socket.create_connection((host, int(port)), timeout=float(limit) + 5)
    # A handshake record header announcing 512 octets, then 100 of them.
    s.sendall(b"\x16\x03\x01\x02\x00" + b"\x01" + bytes(99))
    try:
        while s.recv(4096):
            pass
    except (ConnectionError, socket.timeout):
        pass
    dt = time.time() - t0
    print("cut off after %.1f s" % dt)
    sys.exit(0 if dt <= float(limit) else 1)


def m_reconnect(pki, host, port, n):
    t0 = time.time()
    for _ in range(int(n)):
        s, _, _ = sc_connect(pki, host, int(port))
        s.close()
    print("%.2f" % (time.time() - t0))


def m_hoard(pki, host, port, src, secs):
    held, refused = [], 0
    end = time.time() + float(secs)
    while time.time() < end:
        try:
            s, _ = rc.open_ws(pki, host, int(port), src=src)
            held.append(s)
        except (ssl.SSLError, ConnectionError, OSError, SystemExit):
            refused += 1
    print("opened %d refused %d" % (len(held), refused))
    for s in held:
        s.close()


def frame_from(buf):
    """Split one server frame off buf: (opcode, payload, rest), or raise
    EOFError if buf does not hold a whole frame yet."""
    if len(buf) < 2:
        raise EOFError
    ln, off = buf[1] & 0x7F, 2
    if ln == 126:
        if len(buf) < 4:
            raise EOFError
        ln, off = struct.unpack("!H", buf[2:4])[0], 4
    elif ln == 127:
        if len(buf) < 10:
            raise EOFError
        ln, off = struct.unpack("!Q", buf[2:10])[0], 10
    if len(buf) < off + ln:
        raise EOFError
    return buf[0] & 0x0F, buf[off:off + ln], buf[off + ln:]


def m_sink(pki, host, port1, port2, secs, progress=None):
    vmac = bytes([0x02]) + os.urandom(5)
    uuid = os.urandom(16)
    conns = []
    for p in (port1, port2):
        if p == "-":
            continue
        s, _, rest = sc_connect(pki, host, int(p), "node2", vmac, uuid)
        s.setblocking(False)
        conns.append([s, rest])
    print(vmac.hex(":"), flush=True)
    got = set()
    end = time.time() + float(secs)
    last = None
    while conns and time.time() < end and \
            (last is None or time.time() < last + 3):
        r, _, _ = select.select([c[0] for c in conns], [], [], 0.2)
        for c in list(conns):
            if c[0] not in r:
                continue
            try:
                d = c[0].recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except (ssl.SSLError, ConnectionError, OSError):
                d = b""
            if not d:
                conns.remove(c)
                continue
            c[1] += d
            while c[0].pending():
                c[1] += c[0].recv(c[0].pending())
            while True:
                try:
                    op, payload, c[1] = frame_from(c[1])
                except EOFError:
                    break
                # Encapsulated-NPDU; the NPDU ends with b"SEQ" + 4 octets.
                if op == 2 and payload[:1] == b"\x01" and \
                        payload[-7:-4] == b"SEQ":
                    got.add(struct.unpack("!I", payload[-4:])[0])
                    last = time.time()
                    if progress and len(got) % 100 == 0:
                        with open(progress + ".tmp", "w") as f:
                            f.write("%d\n" % len(got))
                        os.rename(progress + ".tmp", progress)
    print("received %d" % len(got), flush=True)


def m_bipburst(host, port, self_ip, dnet, vmac, n, rate):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((self_ip, 0))
    dadr = bytes.fromhex(vmac.replace(":", ""))
    gap = 1.0 / float(rate)
    nxt = time.time()
    for i in range(int(n)):
        # NPDU: version 1, control DNET present, DNET, DLEN 6, DADR, hop
        # count 255, then an APDU-like body ending in the sequence.
        npdu = b"\x01\x20" + struct.pack("!H", int(dnet)) + b"\x06" + \
            dadr + b"\xff" + b"\x10\x08" + b"SEQ" + struct.pack("!I", i)
        s.sendto(struct.pack("!BBH", 0x81, 0x0A, 4 + len(npdu)) + npdu,
                 (host, int(port)))
        nxt += gap
        d = nxt - time.time()
        if d > 0:
            time.sleep(d)
    print(int(n))


def m_sc2bip(pki, host, port, bipport, dnet, n):
    bc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bc.bind(("127.255.255.255", int(bipport)))
    s, _, _ = sc_connect(pki, host, int(port))
    for i in range(int(n)):
        # Remote broadcast: DNET, DLEN 0, hop count 255.
        npdu = b"\x01\x20" + struct.pack("!H", int(dnet)) + b"\x00\xff" + \
            b"\x10\x08" + b"SEQ" + struct.pack("!I", i)
        s.sendall(rc.frame(2, encap(b"\xff" * 6, npdu, i)))
        time.sleep(0.01)
    got = set()
    end = time.time() + 3
    while time.time() < end:
        r, _, _ = select.select([bc], [], [], 0.2)
        if r:
            d, _ = bc.recvfrom(2000)
            if d[-7:-4] == b"SEQ":
                got.add(struct.unpack("!I", d[-4:])[0])
        drain(s)
    print("sent %d received %d" % (int(n), len(got)))
    s.close()


def malformed(rnd):
    k = rnd.randrange(6)
    if k == 0:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 64)))
    if k == 1:  # BVLL length larger than the datagram
        return b"\x81\x0a\x05\xdc\x01\x00"
    if k == 2:  # BVLL length smaller than the header
        return b"\x81\x0a\x00\x02"
    if k == 3:  # wrong NPDU version
        return b"\x81\x0a\x00\x08\x02\x00\x10\x08"
    if k == 4:  # DNET with a DLEN past the end
        return b"\x81\x0b\x00\x09\x01\x20\xff\xff\x20\x00"
    return b"\x81\x04\x00\x07\x7f\x00"  # truncated Forwarded-NPDU


def m_bipflood(host, port, secs):
    rnd = random.Random(1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.3.1", 0))
    pool = [malformed(rnd) for _ in range(256)]
    end = time.time() + float(secs)
    n = 0
    while time.time() < end:
        for d in pool:
            try:
                s.sendto(d, (host, int(port)))
                n += 1
            except OSError:
                pass
    print(n)


def m_bipvalid(host, port, self_ip, inst, secs):
    port = int(port)
    inst = int(inst)
    uni = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uni.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    uni.bind((self_ip, port))
    bc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bc.bind(("127.255.255.255", port))
    # Who-Is with the range inst..inst (context tags 0 and 1, 3 octets).
    apdu = b"\x10\x08\x0a" + struct.pack("!H", inst) + b"\x1a" + \
        struct.pack("!H", inst)
    if inst > 0xFFFF:
        raise SystemExit("instance too large for this helper")
    npdu = b"\x01\x00" + apdu
    msg = struct.pack("!BBH", 0x81, 0x0A, 4 + len(npdu)) + npdu
    sent = answered = 0
    end = time.time() + float(secs)
    nxt = time.time()
    while time.time() < end + 1.0:
        now = time.time()
        if now >= nxt and now < end:
            uni.sendto(msg, (host, port))
            sent += 1
            nxt += 0.05
        r, _, _ = select.select([uni, bc], [], [], 0.01)
        for so in r:
            d, _ = so.recvfrom(2000)
            # I-Am: unconfirmed (0x10) service 0 with our instance.
            if b"\x10\x00\xc4" in d and \
                    struct.pack("!I", (8 << 22) | inst) in d:
                answered += 1
    print(sent, answered)


MODES = {"stall": m_stall, "storm": m_storm, "pair": m_pair,
         "midmsg": m_midmsg, "halftls": m_halftls,
         "reconnect": m_reconnect, "bipflood": m_bipflood,
         "hoard": m_hoard, "sink": m_sink, "bipburst": m_bipburst,
         "sc2bip": m_sc2bip,
         "bipvalid": m_bipvalid}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in MODES:
        print(__doc__)
        sys.exit(2)
    MODES[sys.argv[1]](*sys.argv[2:])
