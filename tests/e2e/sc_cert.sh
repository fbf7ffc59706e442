#!/usr/bin/env bash
# Certificate rollover and CRL reload over real TLS 1.3 WebSocket
# connections on 127.0.0.1: make a lab PKI with bacsc-cert testpki, then
# run tests/sc_cert_tls_test on it (see that file for the scenario).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/tests/sc_cert_tls_test"
[ -x "$bin" ] || make -C "$top_builddir" tests/sc_cert_tls_test >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/sc-cert-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
BACSC_TESTPKI="$top_srcdir/tools/bacsc-testpki" \
	"$top_builddir/tools/bacsc-cert" testpki -q -u -n 1 "$work/pki" >/dev/null || exit 1
"$bin" "$work/pki"
