#!/usr/bin/env python3
"""A minimal, independent BACnet/SC hub for watching what a node does.

usage: sc_raw_hub.py PKI_DIR HOST PORT LOGFILE [ACK_DELAY_S]

Written from the digest, not from our C code: Python ssl (TLS 1.3, client
certificate required, CA PKI_DIR/ca.pem, own certificate PKI_DIR/hub.pem),
the WebSocket server handshake and framing by hand (subprotocol
hub.bsc.bacnet.org), BVLC-SC headers parsed by hand.  Every connection is
served by its own thread:

  Connect-Request     -> Connect-Accept (VMAC 02:00:00:00:00:99, 1600/1497)
  Heartbeat-Request   -> Heartbeat-ACK with the same Message ID
  Disconnect-Request  -> Disconnect-ACK with the same Message ID, after
                         ACK_DELAY_S seconds (default 0), then close

Each event is appended to LOGFILE as one line "<unix time> <event> <conn>"
(events: OPEN, CONNECT <vmac>, HEARTBEAT, DISCONNECT, CLOSE), flushed at
once, so a test can read what arrived and when.  Runs until killed.
"""
import base64
import hashlib
import os
import socket
import ssl
import struct
import sys
import threading
import time

PROTO = "hub.bsc.bacnet.org"
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HUB_VMAC = bytes.fromhex("020000000099")
HUB_UUID = bytes(range(16))
lock = threading.Lock()


def log(path, what, cid):
    with lock, open(path, "a") as f:
        f.write("%.3f %s %d\n" % (time.time(), what, cid))
        f.flush()


def read_exact(s, n, buf):
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            raise EOFError
        buf += d
    return buf[:n], buf[n:]


def upgrade(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise EOFError
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    hdr = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        k, _, v = line.partition(":")
        hdr[k.strip().lower()] = v.strip()
    protos = [p.strip() for p in hdr.get("sec-websocket-protocol",
                                         "").split(",")]
    if PROTO not in protos or "sec-websocket-key" not in hdr:
        s.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        raise EOFError
    acc = base64.b64encode(hashlib.sha1(
        (hdr["sec-websocket-key"] + GUID).encode()).digest()).decode()
    s.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
               "Sec-WebSocket-Protocol: %s\r\n\r\n" % (acc, PROTO))
              .encode())
    return rest


def read_msg(s, buf):
    """One client frame (masked); return (opcode, payload, rest)."""
    h, buf = read_exact(s, 2, buf)
    op, ln = h[0] & 0x0F, h[1] & 0x7F
    if ln == 126:
        x, buf = read_exact(s, 2, buf)
        ln = struct.unpack("!H", x)[0]
    elif ln == 127:
        x, buf = read_exact(s, 8, buf)
        ln = struct.unpack("!Q", x)[0]
    mask = b"\0\0\0\0"
    if h[1] & 0x80:
        mask, buf = read_exact(s, 4, buf)
    p, buf = read_exact(s, ln, buf)
    p = bytes(b ^ mask[i % 4] for i, b in enumerate(p))
    return op, p, buf


def send_msg(s, payload, op=2):
    ln = len(payload)
    if ln < 126:
        h = bytes([0x80 | op, ln])
    else:
        h = bytes([0x80 | op, 126]) + struct.pack("!H", ln)
    s.sendall(h + payload)


def bvlc(fn, mid, payload=b""):
    return bytes([fn, 0]) + struct.pack("!H", mid) + payload


def serve(ctx, raw, path, cid, ack_delay):
    try:
        s = ctx.wrap_socket(raw, server_side=True)
        buf = upgrade(s)
        log(path, "OPEN", cid)
        while True:
            op, p, buf = read_msg(s, buf)
            if op == 8:                       # close
                send_msg(s, p[:2], 8)
                break
            if op == 9:                       # ping
                send_msg(s, p, 10)
                continue
            if op != 2 or len(p) < 4:
                continue
            fn, ctl, mid = p[0], p[1], struct.unpack("!H", p[2:4])[0]
            off = 4 + (6 if ctl & 8 else 0) + (6 if ctl & 4 else 0)
            if fn == 0x06 and len(p) >= off + 26:
                log(path, "CONNECT " + p[off:off + 6].hex(), cid)
                send_msg(s, bvlc(0x07, mid, HUB_VMAC + HUB_UUID +
                                 struct.pack("!HH", 1600, 1497)))
            elif fn == 0x0A:
                log(path, "HEARTBEAT", cid)
                send_msg(s, bvlc(0x0B, mid))
            elif fn == 0x08:
                log(path, "DISCONNECT", cid)
                time.sleep(ack_delay)
                send_msg(s, bvlc(0x09, mid))
                log(path, "DISCONNECT-ACK", cid)
    except (EOFError, OSError, ssl.SSLError):
        pass
    log(path, "CLOSE", cid)
    try:
        raw.close()
    except OSError:
        pass


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    pki, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        sys.argv[4]
    ack_delay = float(sys.argv[5]) if len(sys.argv) == 6 else 0.0
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "hub.pem"),
                        os.path.join(pki, "hub.key"))
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(8)
    cid = 0
    while True:
        raw, _ = ls.accept()
        cid += 1
        threading.Thread(target=serve, args=(ctx, raw, path, cid, ack_delay),
                         daemon=True).start()


if __name__ == "__main__":
    main()
