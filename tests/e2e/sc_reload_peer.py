#!/usr/bin/env python3
"""Raw peers for daemon_reload_limits.sh (reload of listener limits).

usage: sc_reload_peer.py hub PKI_DIR HOST PORT [RELEASE_FILE]
       sc_reload_peer.py deadline HOST PORT GO_FILE

  hub       a node connecting to a hub function: WebSocket with
            hub.bsc.bacnet.org, Connect-Request with a random VMAC and
            UUID; print "ACCEPT" and hold the connection until
            RELEASE_FILE exists (at most 60 s; none: do not hold), then
            Disconnect-Request; or print "NAK CLASS CODE"
            (the BVLC-Result's error class and code) and exit 0; "CLOSED"
            if the server closed without an answer.
  deadline  the listener's handshake deadline for connections accepted
            before and after a reload: open TCP connection 1 (print "S1"),
            wait until GO_FILE exists, open connection 2, send nothing on
            either; print "S2 CLOSED AFTER x.y S1 OPEN yes|no" once the
            server closed connection 2 (at most 40 s).
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sc_raw_client import HUB, frame, open_ws, read_frame  # noqa: E402


def hub(pki, host, port, release):
    try:
        s, rest = open_ws(pki, host, port, proto=HUB)
    except (OSError, SystemExit):
        print("CLOSED", flush=True)
        return 0
    vmac = bytes([0x02]) + os.urandom(5)
    s.sendall(frame(2, struct.pack("!BBH", 0x06, 0, 0x2222) + vmac +
                    os.urandom(16) + struct.pack("!HH", 1600, 1497)))
    try:
        op, m, rest = read_frame(s, rest)
    except (OSError, SystemExit):
        print("CLOSED", flush=True)
        return 0
    if op == 2 and len(m) >= 4 and m[0] == 0x07:
        print("ACCEPT", flush=True)
        t0 = time.monotonic()
        while release and not os.path.exists(release) and \
                time.monotonic() - t0 < 60:
            time.sleep(0.05)
        s.sendall(frame(2, struct.pack("!BBH", 0x0A, 0, 0x2223)))
        return 0
    if op == 2 and len(m) >= 11 and m[0] == 0x00 and m[4] == 0x06 and \
            m[5] == 0x01:
        cls, code = struct.unpack("!HH", m[7:11])
        print("NAK %d %d" % (cls, code), flush=True)
        return 0
    print("OTHER %s" % m[:12].hex(), flush=True)
    return 1


def is_open(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def deadline(host, port, go):
    s1 = socket.create_connection((host, port), timeout=5)
    print("S1", flush=True)
    while not os.path.exists(go):
        time.sleep(0.05)
    s2 = socket.create_connection((host, port), timeout=5)
    t0 = time.monotonic()
    s2.settimeout(40)
    try:
        while s2.recv(4096) != b"":
            pass
    except OSError:
        pass
    dt = time.monotonic() - t0
    print("S2 CLOSED AFTER %.1f S1 OPEN %s" %
          (dt, "yes" if is_open(s1) else "no"), flush=True)
    return 0


def main():
    if len(sys.argv) in (5, 6) and sys.argv[1] == "hub":
        return hub(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                   sys.argv[5] if len(sys.argv) == 6 else None)
    if len(sys.argv) == 5 and sys.argv[1] == "deadline":
        return deadline(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
