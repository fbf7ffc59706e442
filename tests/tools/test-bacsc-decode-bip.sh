#!/bin/sh
# bacsc-decode --bip over every record of tests/vectors/bip.vec: a valid
# record must print every listed fact (the NPDU ones inside "npdu"), an
# invalid one must fail with exit 1 naming its error class.  Part of
# `make check`; new records need no new code.
set -u
. "${top_srcdir:-.}/tests/tools/decode-env.sh"
vec="${top_srcdir:-.}/tests/vectors/bip.vec"
exec python3 - "$tool" "$vec" <<'PY'
import json, subprocess, sys

tool, vec = sys.argv[1], sys.argv[2]
records, rec = [], {}
for line in open(vec, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    k, _, v = line.partition(":")
    rec[k] = v.strip()
    if k == "source":
        records.append(rec)
        rec = {}

fails = checked = 0

def fail(name, msg):
    global fails
    fails += 1
    print("FAIL: %s: %s" % (name, msg))

def same(got, want):
    """Compare a JSON value with a vector value."""
    if isinstance(got, bool) or got is None:
        return False
    if isinstance(got, int):
        try:
            return got == int(want, 0)
        except ValueError:
            return False
    if isinstance(got, list):
        return ",".join(str(x) for x in got) == want
    return str(got).lower() == want.lower()

for r in records:
    name = r["name"]
    p = subprocess.run([tool, "--bip", r["hex"]], capture_output=True,
                       text=True, timeout=10)
    facts = {}
    for item in r.get("expect", "").split(" ; "):
        if "=" in item:
            k, _, v = item.partition("=")
            facts[k.strip()] = v.strip()
    if r["valid"] == "no":
        want = facts.get("error", "")
        if p.returncode != 1 or (": %s:" % want) not in p.stderr:
            fail(name, "want exit 1 and '%s', got %d %r" %
                 (want, p.returncode, p.stderr.strip()))
        checked += 1
        continue
    if p.returncode != 0:
        fail(name, "exit %d: %s" % (p.returncode, p.stderr.strip()))
        continue
    j = json.loads(p.stdout)
    npdu = j.get("npdu", {})
    for k, v in facts.items():
        checked += 1
        if k in ("bdt", "fdt"):
            ok = len(j.get(k, [])) == int(v)
        elif (k.startswith("bdt") or k.startswith("fdt")) and "." in k:
            head, field = k.split(".", 1)
            i = int(head[3:]) - 1
            lst = j.get(head[:3], [])
            ok = i < len(lst) and same(lst[i].get(field), v)
        elif k == "npdu":
            ok = same(j.get("npdu_hex"), v)
        elif k in j:
            ok = same(j[k], v)
        else:
            ok = k in npdu and same(npdu[k], v)
        if not ok:
            fail(name, "%s=%s not in %s" % (k, v, p.stdout.strip()))
print("bacsc-decode --bip: %d records, %d facts checked, %d failed" %
      (len(records), checked, fails))
sys.exit(1 if fails or not records else 0)
PY
