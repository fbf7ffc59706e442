#!/usr/bin/env python3
"""An independent BACnet/SC peer for testing our hub function.

usage: sc_hub_peer.py PKI_DIR HOST PORT VECFILE [--accept-orig]
                      [--node=VMAC]

Written from the digest, not from our C code: its own TLS setup (Python
ssl), its own WebSocket client (RFC 6455 handshake and framing by hand),
its own BVLC-SC header parsing and its own model of what a hub must do.
Three clients connect as nodes (VMACs 32:76:E4:B1:1D:02, F2:00:00:00:BA:C5
and 02:A1:B2:C3:D4:E5, the addresses used by the digest's examples), then
every record of the shared vector file is sent byte for byte by one of
them, and what comes back is compared octet by octet with the model:

  * connection-level messages are answered by the hub itself
    (Heartbeat-Request -> Heartbeat-ACK with the same id; others dropped);
  * a message with an Originating VMAC, or without a Destination VMAC, is
    refused: NAK HEADER_ENCODING_ERROR (145) if it is a NAK-eligible
    unicast, otherwise silence (with --accept-orig the hub instead
    overwrites the Originating VMAC with the sender's and relays);
  * invalid records get the NAK the vector file names (or silence);
  * unicast to a connected VMAC is relayed with the Destination VMAC
    replaced by the sender's Originating VMAC; broadcast is relayed to
    every other client with the sender's VMAC added; unknown destinations
    are dropped.

After each record a Heartbeat round trip on every client proves that
nothing else arrived.  With --node=VMAC one of our SC nodes is connected
to the same hub with that VMAC, and client A also checks the node's own
answers: Advertisement for an Advertisement-Solicitation (hub status 1,
no direct connections, 1600/1497), NAK 45 for an Address-Resolution, NAK
146 with the option's marker for a must-understand destination option.
Exit 0 if every record behaved, 1 otherwise.
"""
import base64
import hashlib
import os
import socket
import ssl
import struct
import sys

HUB_PROTO = "hub.bsc.bacnet.org"
BCAST = b"\xff" * 6
CLIENTS = [
    ("A", bytes.fromhex("3276E4B11D02")),
    ("R", bytes.fromhex("F2000000BAC5")),
    ("X", bytes.fromhex("02A1B2C3D4E5")),
]
NAK_ELIGIBLE = {0x01, 0x02, 0x05, 0x06, 0x08, 0x0A}
PEER_ONLY = set(range(0x06, 0x0C))


class WsClient:
    """Minimal RFC 6455 client over TLS 1.3: binary messages only."""

    def __init__(self, pki, host, port, cert, name):
        self.name = name
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.check_hostname = False
        ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
        ctx.load_cert_chain(os.path.join(pki, cert + ".pem"),
                            os.path.join(pki, cert + ".key"))
        raw = socket.create_connection((host, port), timeout=10)
        self.s = ctx.wrap_socket(raw, server_hostname=None)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n"
               "\r\n" % (host, port, key, HUB_PROTO))
        self.s.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise RuntimeError("upgrade refused: " + lines[0])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        want = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()
        ).digest()).decode()
        if hdrs.get("sec-websocket-accept") != want:
            raise RuntimeError("bad Sec-WebSocket-Accept")
        if hdrs.get("sec-websocket-protocol") != HUB_PROTO:
            raise RuntimeError("subprotocol not echoed")

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError(self.name + ": connection closed")
        self.buf += d

    def send(self, payload, opcode=2):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.s.sendall(hdr + mask + body)

    def recv(self, timeout=5.0):
        """One complete binary message (None on a close frame)."""
        self.s.settimeout(timeout)
        msg = b""
        while True:
            while len(self.buf) < 2:
                self._fill()
            b0, b1 = self.buf[0], self.buf[1]
            if b1 & 0x80:
                raise RuntimeError("server frame is masked")
            n = b1 & 0x7F
            off = 2
            if n == 126:
                while len(self.buf) < 4:
                    self._fill()
                n = struct.unpack("!H", self.buf[2:4])[0]
                off = 4
            elif n == 127:
                while len(self.buf) < 10:
                    self._fill()
                n = struct.unpack("!Q", self.buf[2:10])[0]
                off = 10
            while len(self.buf) < off + n:
                self._fill()
            data = self.buf[off:off + n]
            self.buf = self.buf[off + n:]
            op = b0 & 0x0F
            if op == 8:
                return None
            if op == 9:
                self.send(data, opcode=10)
                continue
            if op in (2, 0):
                msg += data
                if b0 & 0x80:
                    return msg
            else:
                raise RuntimeError("unexpected opcode %d" % op)


def parse_hdr(m):
    """Function, flags, id, orig, dest and the offset after the VMACs."""
    fn, fl, mid = m[0], m[1], struct.unpack("!H", m[2:4])[0]
    off = 4
    orig = dest = None
    if fl & 0x08:
        orig = m[off:off + 6]
        off += 6
    if fl & 0x04:
        dest = m[off:off + 6]
        off += 6
    return fn, fl, mid, orig, dest, off


def read_vec(path):
    recs, cur = [], {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                recs.append(cur)
            cur = {}
            continue
        if line.startswith("#"):
            continue
        k, _, v = line.partition(":")
        cur[k.strip()] = v.strip()
    if cur:
        recs.append(cur)
    for r in recs:
        exp = {}
        for item in r.get("expect", "").split(";"):
            k, _, v = item.partition("=")
            if k.strip():
                exp[k.strip()] = v.strip()
        r["exp"] = exp
        r["bytes"] = bytes.fromhex(r["hex"])
    return recs


def nak_bytes(fn, mid, code):
    return struct.pack("!BBHBBBHH", 0x00, 0x00, mid, fn, 1, 0, 7, code)


class Run:
    def __init__(self, pki, host, port, accept_orig):
        self.accept_orig = accept_orig
        self.cl = {}
        self.hbid = 0x7000
        for i, (name, vmac) in enumerate(CLIENTS):
            c = WsClient(pki, host, port, "node%d" % (i + 1), name)
            c.vmac = vmac
            uuid = bytes([0x40 + i]) * 16
            c.send(struct.pack("!BBH", 0x06, 0, 0x100 + i) + vmac + uuid +
                   struct.pack("!HH", 1600, 1497))
            acc = c.recv()
            if acc is None or acc[0] != 0x07 or acc[2:4] != struct.pack(
                    "!H", 0x100 + i) or len(acc) != 30:
                raise RuntimeError("no Connect-Accept for " + name)
            self.cl[name] = c
        self.fail = 0

    def sync(self, c):
        """Heartbeat round trip; return the messages that came before."""
        self.hbid += 1
        c.send(struct.pack("!BBH", 0x0A, 0, self.hbid))
        got = []
        while True:
            m = c.recv()
            if m is None:
                raise RuntimeError(c.name + ": hub closed the connection")
            if m == struct.pack("!BBH", 0x0B, 0, self.hbid):
                return got
            got.append(m)

    def expected(self, rec, sender):
        """{client name: [messages]} the hub must produce."""
        m, exp = rec["bytes"], rec["exp"]
        out = {n: [] for n in self.cl}
        if len(m) < 4:
            return out  # shorter than a header: dropped silently
        fn, fl, mid, orig, dest, off = parse_hdr(m)
        # With --accept-orig an Originating VMAC is overwritten, so a
        # record refused only for that (or an unknown function, which a
        # hub relays) is relayed like a valid one.
        relay_anyway = (self.accept_orig and orig is not None and
                        dest is not None and exp.get("error") in
                        ("address-not-allowed", "unknown-function"))
        if rec["valid"] != "yes" and not relay_anyway:
            nak = exp.get("nak", "none")
            if nak == "none":
                return out
            code = int(nak)
            if fn > 0x0C and (orig is not None or dest is None):
                code = 145  # to the hub, the header rule decides first
            out[sender.name].append(nak_bytes(fn, mid, code))
            return out
        if fn in PEER_ONLY:
            if fn == 0x0A:
                out[sender.name].append(struct.pack("!BBH", 0x0B, 0, mid))
            return out
        unicast = dest is None or dest != BCAST
        if orig is not None and self.accept_orig and dest is not None:
            pass  # overwritten with the sender's VMAC below
        elif orig is not None or dest is None:
            if fn in NAK_ELIGIBLE and unicast:
                out[sender.name].append(nak_bytes(fn, mid, 145))
            return out
        rest = m[off:]
        if dest == BCAST:
            fwd = bytes([fn, (fl & 0x03) | 0x0C]) + m[2:4] + sender.vmac + \
                BCAST + rest
            for n, c in self.cl.items():
                if c is not sender:
                    out[n].append(fwd)
            return out
        fwd = bytes([fn, (fl & 0x03) | 0x08]) + m[2:4] + sender.vmac + rest
        for n, c in self.cl.items():
            if c.vmac == dest:
                out[n].append(fwd)
        return out

    def one(self, rec):
        m = rec["bytes"]
        fn = m[0] if m else 0
        # The sender is never the destination: a hub does not relay a
        # unicast back to the node that sent it.
        dest = parse_hdr(m)[4] if len(m) >= 4 else None
        sender = next(c for c in self.cl.values()
                      if dest is None or c.vmac != dest)
        if fn in (0x08, 0x09) and rec["valid"] == "yes":
            return "skipped (would end the connection)"
        want = self.expected(rec, sender)
        sender.send(m)
        got = {n: self.sync(c) for n, c in self.cl.items()}
        # A sender's own NAK/ACK arrives before its sync ACK; others'
        # relays were queued before their sync request was sent.
        if got != want:
            self.fail += 1
            return "FAIL: want %s got %s" % (
                {k: [x.hex() for x in v] for k, v in want.items() if v},
                {k: [x.hex() for x in v] for k, v in got.items() if v})
        n = sum(len(v) for v in want.values())
        return "ok (%s)" % ("%d message(s) checked" % n if n else "silence")


def expect_from(c, want, what):
    """Wait for a message equal to want (bytes, or a predicate)."""
    for _ in range(20):
        m = c.recv(timeout=5.0)
        if m is None:
            break
        if (want(m) if callable(want) else m == want):
            print("%-32s ok (%s)" % ("node: " + what, m.hex()))
            return 0
        if m[0] == 0x0B:
            continue  # an earlier sync's Heartbeat-ACK
    print("FAIL: node: %s: no matching answer" % what)
    return 1


def node_checks(run, vmac):
    c = run.cl["A"]
    fails = 0
    c.send(bytes.fromhex("05040901") + vmac)
    fails += expect_from(c, lambda m: m[0:2] == b"\x04\x08" and
                         m[4:10] == vmac and
                         m[10:] == bytes.fromhex("010006400" "5D9"),
                         "Advertisement-Solicitation answered")
    c.send(bytes.fromhex("02040902") + vmac)
    fails += expect_from(c, bytes.fromhex("00080902") + vmac +
                         bytes.fromhex("02010000070" "02D"),
                         "Address-Resolution refused with 45")
    # Must-understand destination option of unknown type 12 (0x4C).
    c.send(bytes.fromhex("01060903") + vmac + bytes.fromhex("4C01001008"))
    fails += expect_from(c, bytes.fromhex("00080903") + vmac +
                         bytes.fromhex("01014C00070092"),
                         "must-understand option refused with 146")
    return fails


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 4:
        print(__doc__)
        return 2
    pki, host, port, vec = args[0], args[1], int(args[2]), args[3]
    run = Run(pki, host, port, "--accept-orig" in sys.argv)
    recs = read_vec(vec)
    for rec in recs:
        print("%-32s %s" % (rec["name"], run.one(rec)))
    for a in sys.argv[1:]:
        if a.startswith("--node="):
            run.fail += node_checks(run, bytes.fromhex(
                a.split("=", 1)[1].replace(":", "")))
    # Finally, a Disconnect-Request from the hub's point of view.
    c = run.cl["A"]
    c.send(bytes.fromhex("08000124"))
    ack = c.recv()
    if ack != bytes.fromhex("09000124"):
        print("FAIL: Disconnect-ACK: %r" % ack)
        run.fail += 1
    else:
        print("disconnect                       ok (Disconnect-ACK)")
    print("%d records, %d failed" % (len(recs), run.fail))
    return 1 if run.fail else 0


if __name__ == "__main__":
    sys.exit(main())
