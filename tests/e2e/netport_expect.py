#!/usr/bin/env python3
"""What a B/IP Network Port bound to ADDRESS should report, worked out
from iproute2's view of the system (ip -j), not from the router's code:
the interface whose address is ADDRESS or whose subnet holds it, its
netmask, the lowest-metric default gateway through that interface, the
IPv4 nameservers of resolv.conf (at most three), whether the address has
a finite lifetime (a DHCP lease) and the link speed in bit/s.

    netport_expect.py ADDRESS [RESOLV_CONF]   -> one JSON object on stdout
"""
import ipaddress
import json
import subprocess
import sys


def ip_json(*args):
    out = subprocess.run(["ip", "-j", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out or "[]")


def main():
    addr = ipaddress.IPv4Address(sys.argv[1])
    resolv = sys.argv[2] if len(sys.argv) > 2 else "/etc/resolv.conf"
    pick = None
    for link in ip_json("-4", "addr", "show"):
        for a in link.get("addr_info", []):
            if a.get("family") != "inet":
                continue
            net = ipaddress.IPv4Network(f"{a['local']}/{a['prefixlen']}",
                                        strict=False)
            exact = ipaddress.IPv4Address(a["local"]) == addr
            if exact or (pick is None and addr in net):
                pick = (link["ifname"], net, a)
            if exact:
                break
    dns = []
    try:
        with open(resolv) as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] == "nameserver" and len(dns) < 3:
                    try:
                        dns.append(str(ipaddress.IPv4Address(w[1])))
                    except ValueError:
                        pass
    except OSError:
        pass
    if pick is None:
        print(json.dumps({"ifname": "", "mask": "0.0.0.0",
                          "gateway": "0.0.0.0", "dns": dns, "dhcp": False,
                          "linkSpeed": 0}))
        return
    ifname, net, a = pick
    gw, best = "0.0.0.0", None
    for r in ip_json("-4", "route", "show", "default", "dev", ifname):
        metric = r.get("metric", 0)
        if "gateway" in r and (best is None or metric < best):
            gw, best = r["gateway"], metric
    try:
        with open(f"/sys/class/net/{ifname}/speed") as f:
            mbps = int(f.read().strip() or "0")
    except (OSError, ValueError):
        mbps = 0
    print(json.dumps({
        "ifname": ifname,
        "mask": str(net.netmask),
        "gateway": gw,
        "dns": dns,
        "dhcp": a.get("valid_life_time", 4294967295) != 4294967295,
        "linkSpeed": mbps * 1e6 if mbps > 0 else 0,
    }))


main()
