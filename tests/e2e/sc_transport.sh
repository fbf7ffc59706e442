#!/usr/bin/env bash
# SC transport end-to-end tests: make a test PKI, run the in-process
# selftest on 127.0.0.1, ::1 and localhost, then the security tests
# against an echo listener with raw clients (Python ssl, openssl s_client).
# Every refusal must also be logged exactly once by the listener.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
bin="$top_builddir/tests/sc_transport_test"
raw="$top_srcdir/tests/e2e/sc_raw_client.py"
handshake_ms=2000
export HANDSHAKE_S=2

[ -x "$bin" ] || make -C "$top_builddir" tests/sc_transport_test >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/sc-e2e.XXXXXX")
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail=0
pass=0
check() {	# name, command...
	local name=$1
	shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
		echo "  ok   $name: $(echo "$out" | tail -1)"
	else
		fail=$((fail + 1))
		echo "  FAIL $name"
		echo "$out" | sed 's/^/       /'
	fi
}

"$top_srcdir/tools/bacsc-testpki" -q -u -n 2 "$work/pki" || exit 1
# A key readable by others must be refused at load.
cp "$work/pki/node2.key" "$work/pki/loose.key"
chmod 644 "$work/pki/loose.key"

echo "== selftest (messages, burst, reconnect, certificate refusals)"
for h in 127.0.0.1 ::1 localhost; do
	check "selftest $h" "$bin" selftest "$work/pki" "$h"
done

for addr in 127.0.0.1 ::1; do
	echo "== security tests against a listener on $addr"
	log="$work/server-$addr.log"
	"$bin" server "$work/pki" "$addr" "$handshake_ms" >"$work/out" 2>"$log" &
	srv_pid=$!
	port=
	for _ in $(seq 50); do
		port=$(sed -n 's/^LISTENING //p' "$work/out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "server did not start"; cat "$log"; exit 1; }
	connect=$addr
	[ "$addr" = ::1 ] && connect="[::1]"

	# refused_lines PATTERN: count listener log lines matching
	nlog() { grep -c -- "$1" "$log" || true; }
	expect_log() {	# name, pattern, expected count
		local n
		n=$(nlog "$2")
		if [ "$n" -eq "$3" ]; then
			pass=$((pass + 1)); echo "  ok   $1: logged ($n)"
		else
			fail=$((fail + 1)); echo "  FAIL $1: $n log lines for '$2', want $3"
			cat "$log" | sed 's/^/       /'
		fi
	}

	check "raw client works (control)" python3 "$raw" good "$work/pki" "$addr" "$port"
	check "Annex AB profile available (AES-128-GCM, P-256, ECDSA-P256-SHA256)" bash -c "echo | \
		timeout 10 openssl s_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 \
		-groups P-256 -sigalgs ecdsa_secp256r1_sha256 -connect '$connect:$port' \
		-cert '$work/pki/node1.pem' -key '$work/pki/node1.key' \
		-CAfile '$work/pki/ca.pem' 2>&1 | grep 'Cipher is\|Temp Key\|Peer signature type\|Peer signing digest' \
		| tr '\n' ' ' | grep 'Peer signing digest: SHA256.*Peer signature type: ECDSA.*Temp Key: ECDH, prime256v1.*Cipher is TLS_AES_128_GCM_SHA256'"
	check "ping answered" python3 "$raw" ping "$work/pki" "$addr" "$port"
	check "fragmented message reassembled" python3 "$raw" fragmented "$work/pki" "$addr" "$port"
	check "TLS 1.2 client refused (openssl s_client -tls1_2)" bash -c "echo | \
		timeout 10 openssl s_client -tls1_2 -connect '$connect:$port' \
		-cert '$work/pki/node1.pem' -key '$work/pki/node1.key' \
		-CAfile '$work/pki/ca.pem' 2>&1 | grep 'alert protocol version\|Cipher is (NONE)' \
		| tr '\n' ' ' | grep 'alert protocol version.*Cipher is (NONE)'"
	expect_log "TLS 1.2 client logged" "TLS refused.*unsupported protocol" 1
	check "client without certificate refused" python3 "$raw" nocert "$work/pki" "$addr" "$port"
	expect_log "no-cert client logged" "TLS refused.*certificate" 1
	upg='GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: hub.bsc.bacnet.org\r\n\r\n'
	check "openssl s_client without certificate refused" bash -c "out=\$(printf '$upg' | \
		timeout 10 openssl s_client -quiet -tls1_3 -connect '$connect:$port' \
		-CAfile '$work/pki/ca.pem' 2>&1); echo \"\$out\" | grep -q 'alert certificate required' \
		&& ! echo \"\$out\" | grep -q 'HTTP/1.1 101' && echo 'alert certificate required, no 101'"
	expect_log "no-cert clients logged" "TLS refused.*did not return a certificate" 2
	check "missing subprotocol refused" python3 "$raw" noproto "$work/pki" "$addr" "$port"
	check "wrong subprotocol refused" python3 "$raw" wrongproto "$work/pki" "$addr" "$port"
	check "wrong version refused" python3 "$raw" version "$work/pki" "$addr" "$port"
	expect_log "subprotocol refusals logged" "no subprotocol offered" 1
	expect_log "wrong subprotocol logged" "wrong subprotocol" 1
	check "oversized header refused" python3 "$raw" bigheader "$work/pki" "$addr" "$port"
	expect_log "oversized header logged" "header block larger" 1
	check "plain HTTP on the TLS port refused" python3 "$raw" plainhttp "$work/pki" "$addr" "$port"
	check "unmasked client frame: close 1002" python3 "$raw" unmasked "$work/pki" "$addr" "$port"
	check "text message: close 1003" python3 "$raw" text "$work/pki" "$addr" "$port"
	check "slow reader: server stops reading" python3 "$raw" slowreader "$work/pki" "$addr" "$port"
	check "slow handshake cut off" python3 "$raw" slow "$work/pki" "$addr" "$port"
	expect_log "slow handshake logged" "handshake timed out" 1
	sleep 0.3
	kill "$srv_pid"
	wait "$srv_pid"
	srv_pid=
	stats=$(grep '^STATS' "$work/out")
	echo "  server: $stats"
	grep -q "CLOSED kind=tcp .*read_pauses=[1-9]" "$work/out" &&
		pass=$((pass + 1)) || { fail=$((fail + 1)); echo "  FAIL no read pause seen"; cat "$work/out"; }
	grep -q "CLOSED kind=websocket status=1002" "$work/out" &&
		grep -q "CLOSED kind=websocket status=1003" "$work/out" &&
		pass=$((pass + 1)) || { fail=$((fail + 1)); echo "  FAIL server side of 1002/1003"; cat "$work/out"; }
	# TLS refusals: TLS 1.2, python no-cert, s_client no-cert, plain HTTP.
	case $stats in
	*"opened=6 refused_tls=4 refused_http=4 refused_timeout=1"*)
		pass=$((pass + 1)); echo "  ok   listener counters" ;;
	*)	fail=$((fail + 1)); echo "  FAIL listener counters: $stats"; cat "$log" ;;
	esac
done

echo "== TLS key log (test builds only)"
if grep -q '^#define BR_TEST_KEYLOG 1' "$top_builddir/config.h" 2>/dev/null; then
	check "SSLKEYLOGFILE written in a test build" bash -c "SSLKEYLOGFILE='$work/keylog' \
		'$bin' selftest '$work/pki' 127.0.0.1 >/dev/null 2>&1; \
		grep -c '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' '$work/keylog'"
else
	check "SSLKEYLOGFILE ignored in a default build" bash -c "SSLKEYLOGFILE='$work/keylog' \
		'$bin' selftest '$work/pki' 127.0.0.1 >/dev/null 2>&1; test ! -e '$work/keylog' && echo 'no key log'"
fi

echo "== key file secrecy"
check "key readable by others refused" "$bin" keycheck "$work/pki"

echo "sc_transport: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
