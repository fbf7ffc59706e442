#!/usr/bin/env python3
"""Scripted raw clients for the SC transport security tests.

usage: sc_raw_client.py MODE PKI_DIR HOST PORT

Each mode exits 0 when the server behaved as required (usually: refused),
1 when it did not, 2 on a usage error.  Modes:

  good        valid upgrade, masked binary frame, expect the echo
  ping        valid upgrade, ping, expect the pong with the same payload
  slowreader  send echo requests and never read: expect to be blocked
              (the server stops reading above its output watermark)
  fragmented  a binary message in two frames with a ping between them,
              expect the pong and the reassembled echo
  text        valid upgrade, text frame, expect close 1003
  unmasked    valid upgrade, unmasked binary frame, expect close 1002
  noproto     upgrade without Sec-WebSocket-Protocol, expect 400
  wrongproto  upgrade offering dc.bsc.bacnet.org to a hub listener, expect 400
  version     upgrade with Sec-WebSocket-Version 8, expect 426
  bigheader   10 kB of header fields, expect 431 or a close without 101
  nocert      TLS without a client certificate, expect no 101
  plainhttp   plain HTTP (no TLS) on the TLS port, expect no HTTP answer
  dcadvert    a direct connection (dc.bsc.bacnet.org) to a node switch:
              Connect-Request/Accept, then Advertisement-Solicitation;
              expect an Advertisement without VMACs, with a fresh Message
              ID, hub status 1, direct connections accepted, 1600/1497
  slow        the upgrade at one octet per second, expect the server to
              cut us off before we finish (within HANDSHAKE_S + 3 s; set
              HANDSHAKE_S in the environment, default 2)
"""
import base64
import os
import select
import socket
import ssl
import struct
import sys
import time

HUB = "hub.bsc.bacnet.org"
DC = "dc.bsc.bacnet.org"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)
    sys.exit(0)


def tls_connect(pki, host, port, cert="node1", src=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    if cert:
        ctx.load_cert_chain(os.path.join(pki, cert + ".pem"),
                            os.path.join(pki, cert + ".key"))
    raw = socket.create_connection((host, port), timeout=10,
                                   source_address=(src, 0) if src else None)
    # Ragged EOFs raise, so a missing TLS close_notify is seen.
    return ctx.wrap_socket(raw, server_hostname=None,
                           suppress_ragged_eofs=False)


def upgrade_request(host, port, proto=HUB, version="13", extra=""):
    key = base64.b64encode(os.urandom(16)).decode()
    h = host if ":" not in host else "[" + host + "]"
    lines = ["GET / HTTP/1.1", "Host: %s:%d" % (h, port),
             "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: " + key,
             "Sec-WebSocket-Version: " + version]
    if proto:
        lines.append("Sec-WebSocket-Protocol: " + proto)
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def read_headers(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            d = s.recv(4096)
        except (ssl.SSLError, ConnectionError, socket.timeout) as e:
            return buf, e
        if not d:
            return buf, None
        buf += d
    return buf, None


def frame(opcode, payload, mask=True):
    b0 = 0x80 | opcode
    n = len(payload)
    if n < 126:
        hdr = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
    if not mask:
        return hdr + payload
    key = os.urandom(4)
    return hdr + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def read_frame(s, rest=b""):
    buf = rest

    def need(n):
        nonlocal buf
        while len(buf) < n:
            d = s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            buf += d
    need(2)
    op = buf[0] & 0x0F
    ln = buf[1] & 0x7F
    off = 2
    if ln == 126:
        need(4)
        ln = struct.unpack("!H", buf[2:4])[0]
        off = 4
    elif ln == 127:
        need(10)
        ln = struct.unpack("!Q", buf[2:10])[0]
        off = 10
    if buf[1] & 0x80:
        fail("server frame is masked")
    need(off + ln)
    return op, buf[off:off + ln], buf[off + ln:]


def open_ws(pki, host, port, src=None, proto=HUB):
    s = tls_connect(pki, host, port, src=src)
    s.sendall(upgrade_request(host, port, proto))
    hdr, err = read_headers(s)
    if not hdr.startswith(b"HTTP/1.1 101"):
        fail("no 101: %r %r" % (hdr[:80], err))
    if ("Sec-WebSocket-Protocol: " + proto).encode() not in hdr:
        fail("subprotocol not echoed")
    return s, hdr.split(b"\r\n\r\n", 1)[1]


def expect_close(s, rest, code):
    try:
        while True:
            op, payload, rest = read_frame(s, rest)
            if op == 8:
                got = struct.unpack("!H", payload[:2])[0] if payload else 0
                if got != code:
                    fail("close status %d, want %d" % (got, code))
                ok("server closed with %d" % code)
    except (EOFError, ssl.SSLError, ConnectionError, socket.timeout) as e:
        fail("no close frame %d: %r" % (code, e))


def expect_http(pki, host, port, req, status):
    s = tls_connect(pki, host, port)
    s.sendall(req)
    hdr, err = read_headers(s)
    if hdr.startswith(("HTTP/1.1 %d" % status).encode()):
        ok("refused with %d" % status)
    fail("wanted %d, got %r %r" % (status, hdr[:60], err))


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    mode, pki, host, port = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4])
    if mode == "dcadvert":
        s, rest = open_ws(pki, host, port, proto=DC)
        vmac = bytes([0x02]) + os.urandom(5)
        s.sendall(frame(2, struct.pack("!BBH", 0x06, 0, 0x1234) + vmac +
                        os.urandom(16) + struct.pack("!HH", 1600, 1497)))
        op, m, rest = read_frame(s, rest)
        if op != 2 or len(m) != 30 or m[0] != 0x07 or m[1] != 0 or \
                m[2:4] != b"\x12\x34":
            fail("no Connect-Accept: %r" % m[:8])
        s.sendall(frame(2, struct.pack("!BBH", 0x05, 0, 0x4321)))
        op, m, rest = read_frame(s, rest)
        if op != 2 or len(m) != 10 or m[0] != 0x04:
            fail("no Advertisement: %r" % m)
        if m[1] != 0:
            fail("Advertisement with control 0x%02x (VMACs on a direct "
                 "connection)" % m[1])
        if m[2:4] == b"\x43\x21":
            fail("Advertisement reuses the solicitation's Message ID")
        hub, acc, mb, mn = struct.unpack("!BBHH", m[4:10])
        if (hub, acc, mb, mn) != (1, 1, 1600, 1497):
            fail("Advertisement says hub %d accept %d %d/%d" %
                 (hub, acc, mb, mn))
        ok("Advertisement on a direct connection: hub status 1, accepts "
           "direct connections, 1600/1497, no VMACs, fresh id")
    elif mode == "good":
        s, rest = open_ws(pki, host, port)
        msg = os.urandom(1500)
        s.sendall(frame(2, msg))
        op, payload, rest = read_frame(s, rest)
        if op != 2 or payload != msg:
            fail("bad echo")
        s.sendall(frame(8, struct.pack("!H", 1000)))
        op, payload, rest = read_frame(s, rest)
        if op != 8 or struct.unpack("!H", payload[:2])[0] != 1000:
            fail("no close 1000 echoed")
        try:
            while s.recv(4096):
                pass
        except ssl.SSLEOFError as e:
            fail("TCP closed without TLS close_notify: %s" % e)
        ok("echo, close 1000 echoed, TLS close_notify received")
    elif mode == "fragmented":
        s, rest = open_ws(pki, host, port)
        msg = os.urandom(3000)
        first = frame(2, msg[:1000])
        first = bytes([first[0] & 0x7F]) + first[1:]    # FIN=0
        s.sendall(first)
        s.sendall(frame(9, b"mid"))                     # control in between
        s.sendall(frame(0, msg[1000:]))                 # continuation, FIN=1
        op, payload, rest = read_frame(s, rest)
        if op != 10 or payload != b"mid":
            fail("no pong between fragments: op %d" % op)
        op, payload, rest = read_frame(s, rest)
        if op != 2 or payload != msg:
            fail("fragmented message not reassembled")
        ok("fragmented message reassembled, ping answered in between")
    elif mode == "slowreader":
        # Send echo requests and never read: the server must stop reading
        # once its output to us is above its watermark, so our sends block
        # long before 256 MiB went through.
        s, rest = open_ws(pki, host, port)
        s.settimeout(3)
        msg = frame(2, os.urandom(1500))
        sent = 0
        try:
            while sent < 256 << 20:
                s.sendall(msg)
                sent += len(msg)
        except (socket.timeout, ssl.SSLWantWriteError):
            ok("blocked after %.1f MiB unread" % (sent / 1048576.0))
        fail("server kept reading: %.1f MiB sent, none read" %
             (sent / 1048576.0))
    elif mode == "ping":
        s, rest = open_ws(pki, host, port)
        s.sendall(frame(9, b"are you there"))
        op, payload, rest = read_frame(s, rest)
        if op != 10 or payload != b"are you there":
            fail("no pong: op %d %r" % (op, payload))
        ok("pong")
    elif mode == "text":
        s, rest = open_ws(pki, host, port)
        s.sendall(frame(1, b"hello"))
        expect_close(s, rest, 1003)
    elif mode == "unmasked":
        s, rest = open_ws(pki, host, port)
        s.sendall(frame(2, b"\x01\x00\x00\x00", mask=False))
        expect_close(s, rest, 1002)
    elif mode == "noproto":
        expect_http(pki, host, port, upgrade_request(host, port, None), 400)
    elif mode == "wrongproto":
        expect_http(pki, host, port, upgrade_request(host, port, DC), 400)
    elif mode == "version":
        expect_http(pki, host, port,
                    upgrade_request(host, port, HUB, "8"), 426)
    elif mode == "bigheader":
        extra = "".join("X-Filler-%d: %s\r\n" % (i, "a" * 90)
                        for i in range(100))
        s = tls_connect(pki, host, port)
        try:
            s.sendall(upgrade_request(host, port, HUB, "13", extra))
        except (ssl.SSLError, ConnectionError):
            pass
        hdr, err = read_headers(s)
        if hdr.startswith(b"HTTP/1.1 101"):
            fail("upgrade accepted")
        ok("refused: %r" % hdr[:40])
    elif mode == "nocert":
        try:
            s = tls_connect(pki, host, port, cert=None)
            s.sendall(upgrade_request(host, port))
            hdr, err = read_headers(s)
        except (ssl.SSLError, ConnectionError) as e:
            ok("TLS refused: %s" % e)
        if hdr.startswith(b"HTTP/1.1 101"):
            fail("upgrade accepted without a client certificate")
        ok("refused: %r %r" % (hdr[:40], err))
    elif mode == "plainhttp":
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
        except (ConnectionError, socket.timeout):
            pass
        if b"HTTP/" in data:
            fail("got an HTTP answer: %r" % data[:60])
        ok("no HTTP answer (%d octets of TLS alert)" % len(data))
    elif mode == "slow":
        limit = float(os.environ.get("HANDSHAKE_S", "2")) + 3
        s = tls_connect(pki, host, port)
        req = upgrade_request(host, port)
        t0 = time.monotonic()
        try:
            for i in range(len(req)):
                s.sendall(req[i:i + 1])
                r, _, _ = select.select([s], [], [], 1.0)
                if r and not s.recv(100):
                    ok("cut off after %.1f s" % (time.monotonic() - t0))
                if time.monotonic() - t0 > limit:
                    fail("not cut off after %.0f s" % limit)
        except (ssl.SSLError, ConnectionError, BrokenPipeError) as e:
            ok("cut off after %.1f s (%s)" % (time.monotonic() - t0, e))
        fail("sent the whole request")
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
