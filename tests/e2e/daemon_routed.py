#!/usr/bin/env python3
"""A routed round trip through the running daemon, B/IP <-> SC.

usage: daemon_routed.py PKI_DIR HUB_PORT ROUTER_VMAC BIP_IP BIP_PORT
                        CLIENT_IP BIP_NET SC_NET

An SC node of our own (Python TLS + WebSocket, sc_hub_peer.WsClient, cert
node1, VMAC 02:00:00:00:00:aa) connects to the router's hub function.  A
raw B/IP client on CLIENT_IP sends a Who-Is as a remote broadcast to
SC_NET; the SC node must receive it as an Encapsulated-NPDU from the
router's VMAC with SNET = BIP_NET and SADR = the client's B/IP address.
The SC node then sends an I-Am to DNET BIP_NET / DADR client through the
router; the B/IP client must receive it with SNET = SC_NET and SADR = the
SC node's VMAC.  Exit 0 if both directions arrived as required.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sc_hub_peer import WsClient  # noqa: E402

MY_VMAC = bytes.fromhex("0200000000aa")
I_AM = bytes.fromhex("1000c4020004d22205c4910021 0f".replace(" ", ""))


def main():
    pki, hub_port, rvmac = sys.argv[1], int(sys.argv[2]), \
        bytes.fromhex(sys.argv[3].replace(":", ""))
    bip_ip, bip_port, client_ip = sys.argv[4], int(sys.argv[5]), sys.argv[6]
    bip_net, sc_net = int(sys.argv[7]), int(sys.argv[8])

    node = WsClient(pki, "127.0.0.1", hub_port, "node1", "py-node")
    node.send(struct.pack("!BBH", 0x06, 0, 0x0101) + MY_VMAC +
              os.urandom(16) + struct.pack("!HH", 1600, 1497))
    acc = node.recv()
    if acc is None or acc[0] != 0x07:
        print("FAIL: no Connect-Accept from the hub function")
        return 1

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((client_ip, 0))
    cport = udp.getsockname()[1]
    cmac = socket.inet_aton(client_ip) + struct.pack("!H", cport)
    # B/IP -> SC: Who-Is, DNET sc_net, DLEN 0 (remote broadcast), hop 255
    npdu = bytes([0x01, 0x20]) + struct.pack("!H", sc_net) + \
        bytes([0x00, 0xFF, 0x10, 0x08])
    udp.sendto(struct.pack("!BBH", 0x81, 0x0A, 4 + len(npdu)) + npdu,
               (bip_ip, bip_port))
    want = bytes([0x01, 0x08]) + struct.pack("!H", bip_net) + \
        bytes([6]) + cmac + bytes([0x10, 0x08])
    end = time.time() + 5
    got = False
    while time.time() < end and not got:
        m = node.recv(timeout=5)
        if m is None:
            print("FAIL: hub closed the connection")
            return 1
        fn, fl = m[0], m[1]
        if fn != 0x01:
            continue
        off = 4
        orig = None
        if fl & 0x08:
            orig = m[off:off + 6]
            off += 6
        if fl & 0x04:
            off += 6
        if orig == rvmac and m[off:] == want:
            got = True
    if not got:
        print("FAIL: the Who-Is did not reach the SC node as required")
        return 1
    print("ok: B/IP Who-Is -> SC node: Encapsulated-NPDU from the router's "
          "VMAC with SNET %d, SADR %s:%d" % (bip_net, client_ip, cport))

    # SC -> B/IP: I-Am to DNET bip_net, DADR the client, hop 255
    npdu = bytes([0x01, 0x20]) + struct.pack("!H", bip_net) + \
        bytes([6]) + cmac + bytes([0xFF]) + I_AM
    node.send(struct.pack("!BBH", 0x01, 0x04, 0x0202) + rvmac + npdu)
    udp.settimeout(5)
    want = bytes([0x01, 0x08]) + struct.pack("!H", sc_net) + bytes([6]) + \
        MY_VMAC + I_AM
    try:
        while True:
            data, src = udp.recvfrom(2000)
            if data[:2] == b"\x81\x0a" and data[4:] == want:
                break
    except socket.timeout:
        print("FAIL: the I-Am did not reach the B/IP client as required")
        return 1
    print("ok: SC node I-Am -> B/IP client: Original-Unicast-NPDU from "
          "%s:%d with SNET %d, SADR 02:00:00:00:00:aa" % (src[0], src[1],
                                                          sc_net))
    return 0


if __name__ == "__main__":
    sys.exit(main())
