#!/bin/sh
# bacsc-decode --sc on the digest's BVLC-SC examples (E1-E7, E10, E14):
# every field named there must come out with its value, the NPDU of an
# Encapsulated-NPDU must be decoded, and malformed messages must fail
# naming the offset.  Part of `make check`.
set -u
. "${top_srcdir:-.}/tests/tools/decode-env.sh"
exec python3 - "$tool" <<'PY'
import json, sys
from decode_check import Checks

c = Checks(sys.argv[1])
run, fail = c.run, c.fail
checked = 0

def get(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = obj[part]
    return obj

# (name, hex, fields with values restated by hand from the digest,
#  fields that must be absent)
CASES = [
    ("E1 Encapsulated-NPDU with options",
     "01 07 B5 EC 92 7B F7 1A 96 A2 BF 00 07 02 2B BA C5 EC C0 99 3F 00 03"
     " 03 09 39 01 01 04 00 00 01 0C 0C 00 00 00 05 19 55",
     {"function": 1, "flags": 7, "msgid": 0xB5EC,
      "dest": "92:7b:f7:1a:96:a2", "destopts": 2, "dataopts": 1,
      "destopt.0.marker": 0xBF, "destopt.0.type": 31,
      "destopt.0.more": True, "destopt.0.mu": False,
      "destopt.0.datalen": 7, "destopt.0.vendor": 555,
      "destopt.0.ptype": 0xBA, "destopt.0.pdata": "c5ecc099",
      "destopt.1.marker": 0x3F, "destopt.1.vendor": 777,
      "destopt.1.ptype": 0x39, "destopt.1.pdata": "",
      "dataopt.0.marker": 1, "dataopt.0.type": 1, "dataopt.0.mu": False,
      "payload_len": 13, "npdu.version": 1, "npdu.control": 4,
      "npdu.apdu": "0000010c0c000000051955"},
     ["orig"]),
    ("E2 NAK with details",
     "00 08 B5 EC 92 7B F7 1A 96 A2 01 01 BF 00 07 01 11 55 6E 6D C3 B6 67"
     " 6C 69 63 68 65 72 20 43 6F 64 65 21",
     {"function": 0, "flags": 8, "msgid": 0xB5EC,
      "orig": "92:7b:f7:1a:96:a2", "result_for": 1, "result_code": 1,
      "error_marker": 0xBF, "error_class": 7, "error_code": 273,
      "details": "Unm\u00f6glicher Code!"},
     ["dest", "destopt", "dataopt"]),
    ("E3 NAK without details",
     "00 08 B5 EC 92 7B F7 1A 96 A2 01 01 3F 00 07 01 17",
     {"msgid": 0xB5EC, "error_marker": 0x3F, "error_class": 7,
      "error_code": 279, "details": "", "details_hex": ""}, []),
    ("E4 Connect-Request",
     "06 00 00 01 02 A1 B2 C3 D4 E5 55 0E 84 00 E2 9B 41 D4 A7 16 44 66 55"
     " 44 00 00 06 40 05 D9",
     {"function": 6, "msgid": 1, "vmac": "02:a1:b2:c3:d4:e5",
      "uuid": "550e8400-e29b-41d4-a716-446655440000", "max_bvlc": 1600,
      "max_npdu": 1497}, ["orig", "dest"]),
    ("E5 Connect-Accept",
     "07 00 00 01 92 7B F7 1A 96 A2 6F A4 59 EA EE 8A 3C A4 89 4E DB 77 E1"
     " 60 35 5E FF FF EF 8F",
     {"function": 7, "vmac": "92:7b:f7:1a:96:a2",
      "uuid": "6fa459ea-ee8a-3ca4-894e-db77e160355e", "max_bvlc": 65535,
      "max_npdu": 61327}, []),
    ("E6 NAK duplicate VMAC", "00 00 00 01 06 01 00 00 07 00 97",
     {"result_for": 6, "result_code": 1, "error_marker": 0,
      "error_class": 7, "error_code": 151,
      "error_name": "node-duplicate-vmac"}, ["orig", "dest"]),
    ("E7 Heartbeat-Request", "0A 00 01 23",
     {"function": 10, "msgid": 0x123, "payload_len": 0}, []),
    ("E7 Heartbeat-ACK", "0B 00 01 23", {"function": 11, "msgid": 0x123}, []),
    ("E7 Disconnect-Request", "08 00 01 24", {"function": 8}, []),
    ("E7 Disconnect-ACK", "09 00 01 24", {"function": 9}, []),
    ("E10 Address-Resolution", "02 04 00 77 32 76 E4 B1 1D 02",
     {"function": 2, "msgid": 0x77, "dest": "32:76:e4:b1:1d:02"}, []),
    ("E10 Address-Resolution-ACK",
     "03 04 00 77 02 A1 B2 C3 D4 E5 77 73 73 3A 2F 2F 31 39 32 2E 31 36 38"
     " 2E 31 2E 32 30 3A 34 34 34 33",
     {"function": 3, "uri_count": 1, "uris.0": "wss://192.168.1.20:4443"},
     []),
    ("E14 Advertisement",
     "04 04 00 78 02 A1 B2 C3 D4 E5 01 01 06 40 05 D9",
     {"function": 4, "hub_status": 1, "accept_dc": 1, "max_bvlc": 1600,
      "max_npdu": 1497}, []),
    ("E14 Proprietary-Message",
     "0C 04 00 44 32 76 E4 B1 1D 02 02 2B 01 DE AD",
     {"function": 12, "vendor": 555, "pfunc": 1, "pdata": "dead"}, []),
    ("E14 broadcast NPDU with Secure Path",
     "01 05 00 45 FF FF FF FF FF FF 41 01 20 FF FF 00 FF 10 08",
     {"dest": "ff:ff:ff:ff:ff:ff", "broadcast": True,
      "dataopt.0.marker": 0x41, "dataopt.0.mu": True, "npdu.dnet": 65535,
      "npdu.dlen": 0, "npdu.hop": 255, "npdu.apdu": "1008"}, []),
]

for name, hexs, want, absent in CASES:
    rc, out, err = run(["--sc"] + hexs.split())
    if rc != 0:
        fail("%s: exit %d: %s" % (name, rc, err.strip()))
        continue
    try:
        obj = json.loads(out)
    except ValueError as e:
        fail("%s: not JSON (%s): %s" % (name, e, out))
        continue
    for key, val in want.items():
        checked += 1
        try:
            got = get(obj, key)
        except (KeyError, IndexError, TypeError):
            fail("%s: %s missing" % (name, key))
            continue
        if got != val or type(got) != type(val):
            fail("%s: %s = %r, want %r" % (name, key, got, val))
    for key in absent:
        checked += 1
        if key in obj:
            fail("%s: %s present" % (name, key))

# Malformed: exit 1 and the offset of the problem on stderr.
BAD = [
    ("orig VMAC truncated", "01 08 01 63 32 76 E4", "offset 4:"),
    ("option overrun", "0A 02 01 64 3F 00 09 02 2B 01", "offset 4:"),
    ("reserved bits", "0A 10 01 62", "offset 1:"),
    ("unknown function", "0D 08 01 6E 32 76 E4 B1 1D 02", "offset 0:"),
    ("bad NPDU inside", "01 04 00 42 FF FF FF FF FF FF 02 00 10 08",
     "offset 10:"),
    ("3 octets", "0A 00 01", "offset 0:"),
]
for name, hexs, where in BAD:
    checked += 1
    rc, out, err = run(["--sc"] + hexs.split())
    if rc != 1 or out != "" or where not in err:
        fail("%s: exit %d, stdout %r, stderr %r (want 1 and %r)" %
             (name, rc, out, err, where))

print("bacsc-decode --sc: %d checks, %d failed" % (checked, c.fails))
sys.exit(1 if c.fails else 0)
PY
