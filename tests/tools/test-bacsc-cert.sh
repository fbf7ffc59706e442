#!/bin/sh
# bacsc-cert end to end on files (no daemon, no network): the lab PKI,
# key mode, CSR contents read back with `openssl req -text`, signing the
# CSR with the lab CA, install checks (mismatched key, unconfigured
# issuer, expired, no clientAuth), the atomic install with modes, and
# show with expiry warnings.  Part of `make check`.
set -u
tool="$(cd "${top_builddir:-.}" && pwd)/tools/bacsc-cert"
src=$(cd "${top_srcdir:-.}" && pwd)
if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	exit 1
fi
command -v openssl >/dev/null 2>&1 || {
	echo "SKIP: openssl (scripts/install-deps.sh installs it)"
	exit 77
}
BACSC_TESTPKI="$src/tools/bacsc-testpki"
export BACSC_TESTPKI
d=$(mktemp -d "${TMPDIR:-/tmp}/test-bacsc-cert.XXXXXX")
trap 'rm -rf "$d"' EXIT INT TERM
fails=0
n=0

ok() { n=$((n + 1)); echo "ok: $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $1"; }
# expect STATUS NAME CMD...: run, keep output in $d/out
expect() {
	want=$1 name=$2
	shift 2
	"$@" >"$d/out" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		bad "$name: exit $got, wanted $want"; sed 's/^/    /' "$d/out"
	fi
}
has() {
	if grep -q -- "$2" "$d/out"; then ok "$1"; else
		bad "$1: no \"$2\" in"; sed 's/^/    /' "$d/out"
	fi
}
mode() { stat -c %a "$1"; }

# 1. the lab PKI in one command
expect 0 "testpki" "$tool" testpki -q -n 1 "$d/pki"
has "testpki summary" "CA (trust this)"
has "testpki: hub valid for a year" "days left: 36[45] (ok)"
for f in ca.pem ca.key hub.pem hub.key node1.pem node1.key foreign.pem \
    expired.pem revoked.pem crl.pem; do
	[ -s "$d/pki/$f" ] || bad "testpki made no $f"
done
[ "$(mode "$d/pki/hub.key")" = 600 ] && ok "testpki key mode" ||
	bad "testpki key mode $(mode "$d/pki/hub.key")"

# 2. key: mode 0600 even with umask 000, never overwritten
(umask 000 && "$tool" genkey "$d/new.key" >"$d/out" 2>&1)
[ "$(mode "$d/new.key")" = 600 ] && ok "genkey mode 0600" ||
	bad "genkey mode $(mode "$d/new.key")"
openssl pkey -in "$d/new.key" -noout -text 2>/dev/null | grep -q 'prime256v1' &&
	ok "genkey P-256" || bad "genkey: not P-256"
cp "$d/new.key" "$d/new.key.orig"
expect 1 "genkey refuses to overwrite" "$tool" genkey "$d/new.key"
cmp -s "$d/new.key" "$d/new.key.orig" && ok "key unchanged" ||
	bad "key was changed"

# 3. CSR read back with openssl
uuid=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
expect 0 "csr" "$tool" csr -k "$d/new.key" -n router1 -O "Site B" \
	-u "$uuid" -d router1.example.org -i 127.0.0.1 -i ::1 -o "$d/r.csr"
openssl req -in "$d/r.csr" -noout -text >"$d/out" 2>&1
has "csr UUID SAN" "URI:urn:uuid:$uuid"
has "csr DNS SAN" "DNS:router1.example.org"
has "csr IPv4 SAN" "IP Address:127.0.0.1"
has "csr IPv6 SAN" "IP Address:0:0:0:0:0:0:0:1"
has "csr subject" "CN *= *router1"
has "csr EKU" "TLS Web Server Authentication, TLS Web Client Authentication"
has "csr key usage" "Digital Signature"
has "csr P-256" "prime256v1"
openssl req -in "$d/r.csr" -noout -verify >/dev/null 2>&1 &&
	ok "csr signature" || bad "csr signature does not verify"
a=$(openssl req -in "$d/r.csr" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1)
b=$(openssl pkey -in "$d/new.key" -pubout -outform DER | od -An -tx1)
[ "$a" = "$b" ] && ok "csr key matches the key file" || bad "csr key differs"
expect 2 "csr bad UUID" "$tool" csr -k "$d/new.key" -n r -u nope

# 4. the lab CA signs it (extensions from the CSR)
openssl x509 -req -in "$d/r.csr" -CA "$d/pki/ca.pem" -CAkey "$d/pki/ca.key" \
	-CAcreateserial -days 30 -copy_extensions copyall \
	-out "$d/r.pem" >/dev/null 2>&1 || bad "openssl x509 -req"

# 5. a configuration naming the live files
mkdir -p "$d/live" "$d/state"
cp "$d/pki/node1.pem" "$d/live/router.pem"
cp "$d/pki/node1.key" "$d/live/router.key"
chmod 600 "$d/live/router.key"
cat >"$d/router.conf" <<EOF
device = { instance = 4711; name = "router-4711"; };
state_dir = "$d/state";
sc = ( {
  name = "sc0";
  network = 100;
  primary_hub = "wss://127.0.0.1:4443/";
  tls = {
    certificate = "$d/live/router.pem";
    key = "$d/live/router.key";
    ca = [ "$d/pki/ca.pem" ];
    expiry_warn_days = 10;
  };
} );
EOF

# 6. install checks
expect 1 "install: mismatched key refused" "$tool" install -c "$d/router.conf" \
	"$d/r.pem"
has "install: says mismatch" "does not match"
expect 1 "install: unconfigured issuer refused" "$tool" install \
	-c "$d/router.conf" -k "$d/pki/foreign.key" "$d/pki/foreign.pem"
has "install: says chain" "does not chain"
expect 1 "install: expired refused" "$tool" install -c "$d/router.conf" \
	-k "$d/pki/expired.key" "$d/pki/expired.pem"
has "install: says expired" "expired"
expect 1 "install: serverAuth-only refused" "$tool" install \
	-c "$d/router.conf" -k "$d/pki/noclientauth.key" "$d/pki/noclientauth.pem"
cmp -s "$d/live/router.pem" "$d/pki/node1.pem" && ok "refusals left the files" ||
	bad "a refused install changed the certificate"
expect 0 "install -n (check only)" "$tool" install -n -c "$d/router.conf" \
	-k "$d/new.key" "$d/r.pem"
cmp -s "$d/live/router.pem" "$d/pki/node1.pem" && ok "-n installs nothing" ||
	bad "-n installed"
expect 0 "install with a new key" "$tool" install -c "$d/router.conf" \
	-k "$d/new.key" "$d/r.pem"
has "install: UUID differs from the configured one" "note: .* names urn:uuid:$uuid"
cmp -s "$d/live/router.pem" "$d/r.pem" && ok "certificate installed" ||
	bad "certificate not installed"
cmp -s "$d/live/router.key" "$d/new.key" && ok "key installed" ||
	bad "key not installed"
[ "$(mode "$d/live/router.key")" = 600 ] && ok "installed key 0600" ||
	bad "installed key mode $(mode "$d/live/router.key")"
[ "$(mode "$d/live/router.pem")" = 644 ] && ok "installed cert 0644" ||
	bad "installed cert mode $(mode "$d/live/router.pem")"
ls "$d/live" | grep -q '\.new\.' && bad "temporary file left" ||
	ok "no temporary file left"
expect 0 "install without configuration" "$tool" install -C "$d/other.pem" \
	-k "$d/pki/hub.key" -a "$d/pki/ca.pem" "$d/pki/hub.pem"

# 7. show
expect 0 "show (30 days left, warn 10)" "$tool" show -c "$d/router.conf"
has "show subject" "subject:   CN=router1"
has "show UUID" "URI:urn:uuid:$uuid"
has "show issuer" "issuer:    .*CN=bacsc test CA"
# 29 or 30: the certificate may be less than a second old here.
has "show days left" "days left: \\(29\\|30\\) (ok)"
expect 1 "show warns with -w 40" "$tool" show -c "$d/router.conf" -w 40
has "show warning text" "warning: operational certificate .* expires in \\(29\\|30\\) days"
expect 1 "show expired file" "$tool" show -a "$d/pki/ca.pem" "$d/pki/expired.pem"
has "show says EXPIRED" "EXPIRED on 2021-01-01"

# 8. CSR from the configuration: CN = device name, UUID made once
expect 0 "csr from config" "$tool" csr -c "$d/router.conf" -o "$d/c.csr"
[ -s "$d/state/uuid" ] && ok "uuid stored in state_dir" || bad "no state_dir/uuid"
u=$(tr -d '\n' <"$d/state/uuid")
openssl req -in "$d/c.csr" -noout -text >"$d/out" 2>&1
has "csr from config: UUID of state_dir" "URI:urn:uuid:$u"
has "csr from config: CN" "CN *= *router-4711"

echo "bacsc-cert: $n checks"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
