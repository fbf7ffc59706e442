#!/bin/sh
# bacsc-decode --npdu on the digest's worked examples E8, E9, E11, E12:
# every field the digest names must come out with its value, and
# malformed input must fail naming the offset.  Part of `make check`.
set -u
. "${top_srcdir:-.}/tests/tools/decode-env.sh"
exec python3 - "$tool" <<'PY'
import json, sys
from decode_check import Checks

c = Checks(sys.argv[1])
run, fail = c.run, c.fail
checked = 0

# (name, hex, fields that must be present with these values,
#  fields that must be absent); values restated by hand from the digest.
NPDU = [
    ("E8a global Who-Is", "01 20 FF FF 00 FF 10 08",
     dict(version=1, control=0x20, dnet=65535, dlen=0, hop=255,
          apdu="1008", priority=0, expecting_reply=False),
     ["snet", "sadr", "dadr", "msgtype"]),
    ("E8b routed onto SC",
     "01 28 FF FF 00 00 05 06 C0 A8 01 0A BA C0 FE 10 08",
     dict(control=0x28, dnet=65535, dlen=0, snet=5, slen=6,
          sadr="c0:a8:01:0a:ba:c0", hop=254, apdu="1008"), ["dadr"]),
    ("E9a reply to B/IP",
     "01 20 00 05 06 C0 A8 01 0A BA C0 FF 20 05 0F",
     dict(control=0x20, dnet=5, dlen=6, dadr="c0:a8:01:0a:ba:c0", hop=255,
          apdu="20050f"), ["snet"]),
    ("E9c delivered", "01 08 00 07 06 32 76 E4 B1 1D 02 20 05 0F",
     dict(control=0x08, snet=7, slen=6, sadr="32:76:e4:b1:1d:02",
          apdu="20050f"), ["dnet", "hop"]),
    ("E11 Who-Is net 1", "01 20 FF FF 00 FF 10 08",
     dict(dnet=65535, dlen=0, hop=255, apdu="1008"), ["snet"]),
    ("E11 Who-Is net 2", "01 28 FF FF 00 00 01 01 01 FE 10 08",
     dict(dnet=65535, dlen=0, snet=1, slen=1, sadr="01", hop=254,
          apdu="1008"), []),
    ("E11 I-Am to DNET 1",
     "01 20 00 01 01 01 FF 10 00 C4 02 00 00 04 22 04 00 91 00 22 03 E7",
     dict(dnet=1, dlen=1, dadr="01", hop=255,
          apdu="1000c40200000422040091002203e7"), ["snet"]),
    ("E11 I-Am delivered",
     "01 08 00 02 01 04 10 00 C4 02 00 00 04 22 04 00 91 00 22 03 E7",
     dict(snet=2, slen=1, sadr="04", apdu="1000c40200000422040091002203e7"),
     ["dnet", "hop"]),
    ("E12 Who-Is-Router 1", "01 80 00 00 01",
     dict(control=0x80, msgtype=0, msgname="Who-Is-Router-To-Network",
          supported=True, net=1), ["apdu", "dnet"]),
    ("E12 I-Am-Router 1,2,3", "01 80 01 00 01 00 02 00 03",
     dict(msgtype=1, msgname="I-Am-Router-To-Network", nets=[1, 2, 3]), []),
    ("E12 I-Could-Be-Router", "01 80 02 00 01 02",
     dict(msgtype=2, net=1, perf=2), []),
    ("E12 Reject", "01 80 03 01 00 02",
     dict(msgtype=3, reason=1, reason_name="no-route", net=2), []),
    ("E12 Router-Busy", "01 80 04 00 01 00 02 00 03",
     dict(msgtype=4, nets=[1, 2, 3]), []),
    ("E12 Router-Available all", "01 80 05", dict(msgtype=5, nets=[]), []),
    ("E12 Init-RT query", "01 80 06 00", dict(msgtype=6, ports=[]), []),
    ("E12 Init-RT one port", "01 80 06 01 00 03 04 04 DE AD BE EF",
     dict(msgtype=6, ports=[dict(net=3, id=4, infolen=4, info="deadbeef")]),
     []),
    ("E12 Init-RT-Ack", "01 80 07 01 00 01 02 00",
     dict(msgtype=7, msgname="Initialize-Routing-Table-Ack",
          ports=[dict(net=1, id=2, infolen=0, info="")]), []),
    ("E12 Establish", "01 80 08 00 05 06", dict(msgtype=8, net=5, ttime=6),
     []),
    ("E12 Disconnect", "01 80 09 00 07", dict(msgtype=9, net=7), []),
    ("E12 What-Is-Network-Number", "01 80 12",
     dict(msgtype=0x12, msgname="What-Is-Network-Number"), ["net"]),
    ("E12 Network-Number-Is", "01 80 13 00 08 01",
     dict(msgtype=0x13, net=8, flag=1), []),
    ("E12 router start-up", "01 80 01 00 05", dict(msgtype=1, nets=[5]), []),
    ("Who-Is-Router all", "01 80 00", dict(msgtype=0, net=None), []),
    ("proprietary", "01 80 80 02 2B 01 02",
     dict(msgtype=0x80, msgname="Proprietary", vendor=555, data="0102"), []),
    ("security type unsupported", "01 80 0B DE AD",
     dict(msgtype=0x0b, supported=False, data="dead"), []),
]

for name, hexs, want, absent in NPDU:
    rc, out, err = run(["--npdu"] + hexs.split())
    checked += 1
    if rc != 0:
        fail("%s: exit %d: %s" % (name, rc, err.strip()))
        continue
    try:
        obj = json.loads(out)
    except ValueError as e:
        fail("%s: not JSON (%s): %s" % (name, e, out))
        continue
    if out.count("\n") != 1:
        fail("%s: want one line of JSON" % name)
    for k, v in want.items():
        if k not in obj:
            fail("%s: no field %s" % (name, k))
        elif obj[k] != v or type(obj[k]) is not type(v):
            fail("%s: %s = %r, want %r" % (name, k, obj[k], v))
    for k in absent:
        if k in obj:
            fail("%s: unexpected field %s" % (name, k))

# Standard input, several lines, ':' separators; --pretty output.
rc, out, err = run(["--npdu", "--pretty"], "01:20 ff ff\n00 ff\n10 08\n")
checked += 1
if rc != 0 or json.loads(out).get("dnet") != 65535 or "\n  \"dnet\": " not in out:
    fail("stdin/pretty: exit %d out %r err %r" % (rc, out, err))

# Errors: exit status and a message naming offset and reason.
ERRORS = [
    (["--npdu", "01 20 00 05 06 C0 A8 01"], 1,
     "npdu: offset 4: bad-length: DLEN"),
    (["--npdu", "02 00 10 08"], 1, "offset 0: bad-version"),
    (["--npdu", "01 40 10 08"], 1, "offset 1: reserved-bits"),
    (["--npdu", "01 08 00 05 00 10 08"], 1, "offset 4: bad-address: SLEN"),
    (["--npdu", "01 80 01 00 05 00"], 1, "offset 5: bad-length: network list"),
    (["--npdu", "01 80 13 00 08"], 1, "offset 5: truncated"),
    (["--npdu", "01 80 06 01 00 03 04 05 DE AD"], 1,
     "offset 7: bad-length: Port Info"),
    (["--npdu", "01 2"], 2, "bad hex"),
    (["--npdu", "01 zz"], 2, "bad hex"),
    (["--npdu"], 2, "no hex input"),
    (["01 20"], 2, "say what to decode"),
    (["--bogus", "01 20"], 2, "unknown option '--bogus'"),
    (["--bip", "01 20"], 1, "bip: offset 2: truncated"),
    (["--bip", "--npdu", "81 0B 00 06 01 00"], 2, "give only one of"),
]
for args, want_rc, want_msg in ERRORS:
    rc, out, err = run(args, "")
    checked += 1
    if rc != want_rc or want_msg not in err or out != "":
        fail("%r: exit %d (want %d), stderr %r (want %r), stdout %r"
             % (args, rc, want_rc, err, want_msg, out))

print("bacsc-decode: %d checks, %d failed" % (checked, c.fails))
sys.exit(1 if c.fails else 0)
PY
