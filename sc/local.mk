## sc: appended to librouter_a_SOURCES and friends.

# SC transport: URIs, TLS contexts, the WebSocket handshake codec (pure),
# the WebSocket transport on bufferevent_openssl + wslay.
librouter_a_SOURCES += \
	sc/sc_uri.c sc/sc_uri.h \
	sc/sc_tls.c sc/sc_tls.h \
	sc/ws_handshake_codec.c sc/ws_handshake_codec.h \
	sc/ws_handshake.c sc/ws_handshake.h \
	sc/sc_ws.c sc/sc_ws.h

UNIT_SOURCES += \
	tests/unit/test_ws_handshake.c \
	tests/unit/test_sc_uri.c

FUZZ_TARGETS += ws_handshake sc_uri
check_PROGRAMS += tests/fuzz/replay-ws_handshake tests/fuzz/replay-sc_uri
tests_fuzz_replay_ws_handshake_SOURCES = tests/fuzz/fuzz_ws_handshake.c \
	tests/fuzz/replay_main.c
tests_fuzz_replay_sc_uri_SOURCES = tests/fuzz/fuzz_sc_uri.c \
	tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-ws_handshake tests/fuzz/fuzz-sc_uri
tests_fuzz_fuzz_ws_handshake_SOURCES = tests/fuzz/fuzz_ws_handshake.c
tests_fuzz_fuzz_ws_handshake_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_sc_uri_SOURCES = tests/fuzz/fuzz_sc_uri.c
tests_fuzz_fuzz_sc_uri_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# Transport integration test program (driven by tests/e2e/sc_transport.sh)
# and the transport benchmark.
check_PROGRAMS += tests/sc_transport_test
tests_sc_transport_test_SOURCES = tests/sc_transport_test.c
noinst_PROGRAMS += bench/sc_ws_bench
bench_sc_ws_bench_SOURCES = bench/sc_ws_bench.c

E2E_TESTS += tests/e2e/sc_transport.sh
EXTRA_DIST += tests/e2e/sc_transport.sh tests/e2e/sc_raw_client.py \
	tests/fuzz/ws_handshake.dict
librouter_a_SOURCES += \
	sc/scm_codec.c sc/scm_codec.h \
	sc/sc_vmac.c sc/sc_vmac.h

UNIT_SOURCES += \
	tests/unit/test_scm.c \
	tests/unit/test_sc_vmac.c

FUZZ_TARGETS += scm
check_PROGRAMS += tests/fuzz/replay-scm
tests_fuzz_replay_scm_SOURCES = tests/fuzz/fuzz_scm.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-scm
tests_fuzz_fuzz_scm_SOURCES = tests/fuzz/fuzz_scm.c
tests_fuzz_fuzz_scm_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# Certificate lifecycle (issue 16): keys, CSRs, install checks, expiry,
# clock check, TLS reload.  The bacsc-cert tool is in tools/local.mk.
librouter_a_SOURCES += sc/sc_cert.c sc/sc_cert.h \
	sc/sc_cert_watch.c sc/sc_cert_watch.h
UNIT_SOURCES += tests/unit/test_sc_cert.c
# Rollover / CRL reload over real connections (tests/e2e/sc_cert.sh).
check_PROGRAMS += tests/sc_cert_tls_test
tests_sc_cert_tls_test_SOURCES = tests/sc_cert_tls_test.c
E2E_TESTS += tests/e2e/sc_cert.sh
EXTRA_DIST += tests/e2e/sc_cert.sh
