## sc: appended to librouter_a_SOURCES and friends.

# SC transport: URIs, TLS contexts, the WebSocket handshake codec (pure),
# the WebSocket frame codec (pure), the WebSocket transport on
# bufferevent_openssl.
librouter_a_SOURCES += \
	sc/sc_uri.c sc/sc_uri.h \
	sc/sc_tls.c sc/sc_tls.h \
	sc/ws_handshake_codec.c sc/ws_handshake_codec.h \
	sc/ws_handshake.c sc/ws_handshake.h \
	sc/ws_frame_codec.c sc/ws_frame_codec.h \
	sc/sc_ws.c sc/sc_ws.h \
	sc/sc_srclim.c sc/sc_srclim.h

UNIT_SOURCES += \
	tests/unit/test_sc_srclim.c \
	tests/unit/test_ws_handshake.c \
	tests/unit/test_ws_frame.c \
	tests/unit/test_sc_uri.c \
	tests/unit/test_sc_tls.c

FUZZ_TARGETS += ws_handshake sc_uri ws_frame
check_PROGRAMS += tests/fuzz/replay-ws_handshake tests/fuzz/replay-sc_uri \
	tests/fuzz/replay-ws_frame
tests_fuzz_replay_ws_frame_SOURCES = tests/fuzz/fuzz_ws_frame.c \
	tests/fuzz/replay_main.c
tests_fuzz_replay_ws_handshake_SOURCES = tests/fuzz/fuzz_ws_handshake.c \
	tests/fuzz/replay_main.c
tests_fuzz_replay_sc_uri_SOURCES = tests/fuzz/fuzz_sc_uri.c \
	tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-ws_handshake tests/fuzz/fuzz-sc_uri \
	tests/fuzz/fuzz-ws_frame
tests_fuzz_fuzz_ws_frame_SOURCES = tests/fuzz/fuzz_ws_frame.c
tests_fuzz_fuzz_ws_frame_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_ws_handshake_SOURCES = tests/fuzz/fuzz_ws_handshake.c
tests_fuzz_fuzz_ws_handshake_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_sc_uri_SOURCES = tests/fuzz/fuzz_sc_uri.c
tests_fuzz_fuzz_sc_uri_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# Transport integration test program (driven by tests/e2e/sc_transport.sh)
# and the transport benchmark.
check_PROGRAMS += tests/sc_transport_test
tests_sc_transport_test_SOURCES = tests/sc_transport_test.c tests/sctest.c tests/sctest.h
noinst_PROGRAMS += bench/sc_ws_bench
bench_sc_ws_bench_SOURCES = bench/sc_ws_bench.c

## `make bench-sc-ws`: fresh test PKI, run the benchmark, append a line to
## bench/results.md.
bench-sc-ws: bench/sc_ws_bench
	rm -rf bench-pki
	$(abs_top_srcdir)/tools/bacsc-testpki -q bench-pki
	bench/sc_ws_bench bench-pki -o $(abs_top_srcdir)/bench/results.md
	rm -rf bench-pki
.PHONY: bench-sc-ws

E2E_TESTS += tests/e2e/sc_transport.sh
EXTRA_DIST += tests/e2e/sc_transport.sh tests/e2e/sc_raw_client.py \
	tests/fuzz/ws_handshake.dict
librouter_a_SOURCES += \
	sc/scm_codec.c sc/scm_codec.h \
	sc/sc_vmac.c sc/sc_vmac.h

UNIT_SOURCES += \
	tests/unit/test_scm.c \
	tests/unit/test_sc_vmac.c \
	tests/unit/test_sc_ws_self.c \
	tests/unit/test_sc_ws_conn.c

FUZZ_TARGETS += scm
check_PROGRAMS += tests/fuzz/replay-scm
tests_fuzz_replay_scm_SOURCES = tests/fuzz/fuzz_scm.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-scm
tests_fuzz_fuzz_scm_SOURCES = tests/fuzz/fuzz_scm.c
tests_fuzz_fuzz_scm_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## SC node, hub connector, hub function (issue 7).
librouter_a_SOURCES += \
	sc/sc_hubconn_fsm.c sc/sc_hubconn_fsm.h \
	sc/sc_hub_fsm.c sc/sc_hub_fsm.h \
	sc/sc_peer_fsm.c sc/sc_peer_fsm.h \
	sc/sc_pconn.c sc/sc_pconn.h \
	sc/sc_node.c sc/sc_node.h \
	sc/sc_hub.c sc/sc_hub.h

# bacsc-hub: the hub function alone (tests, benchmarks, small sites);
# sc_node_e2e: integration test program driven by tests/e2e/sc_node.sh;
# sc_hub_bench: hub relay rate and round trip.
noinst_PROGRAMS += tools/bacsc-hub tests/sc_node_e2e bench/sc_hub_bench
tools_bacsc_hub_SOURCES = tools/bacsc-hub.c
tests_sc_node_e2e_SOURCES = tests/sc_node_e2e.c tests/sctest.c tests/sctest.h
bench_sc_hub_bench_SOURCES = bench/sc_hub_bench.c tests/sctest.c tests/sctest.h
E2E_TESTS += tests/e2e/sc_node.sh
EXTRA_DIST += tests/e2e/sc_node.sh tests/e2e/sc_hub_peer.py

UNIT_SOURCES += \
	tests/unit/test_sc_hubconn.c \
	tests/unit/test_sc_hub.c \
	tests/unit/test_sc_peer.c \
	tests/unit/test_sc_node.c

FUZZ_TARGETS += sc_hub sc_hubconn
check_PROGRAMS += tests/fuzz/replay-sc_hubconn
tests_fuzz_replay_sc_hubconn_SOURCES = tests/fuzz/fuzz_sc_hubconn.c \
	tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-sc_hubconn
tests_fuzz_fuzz_sc_hubconn_SOURCES = tests/fuzz/fuzz_sc_hubconn.c
tests_fuzz_fuzz_sc_hubconn_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
check_PROGRAMS += tests/fuzz/replay-sc_hub
tests_fuzz_replay_sc_hub_SOURCES = tests/fuzz/fuzz_sc_hub.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-sc_hub
tests_fuzz_fuzz_sc_hub_SOURCES = tests/fuzz/fuzz_sc_hub.c
tests_fuzz_fuzz_sc_hub_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## Node switch (issue 8): decisions (pure) and glue.
librouter_a_SOURCES += \
	sc/sc_dc_fsm.c sc/sc_dc_fsm.h \
	sc/sc_nodesw.c sc/sc_nodesw.h
UNIT_SOURCES += tests/unit/test_sc_dc.c
# sc_nodesw_e2e: integration test program driven by tests/e2e/sc_nodesw.sh.
noinst_PROGRAMS += tests/sc_nodesw_e2e
tests_sc_nodesw_e2e_SOURCES = tests/sc_nodesw_e2e.c tests/sctest.c tests/sctest.h
E2E_TESTS += tests/e2e/sc_nodesw.sh
EXTRA_DIST += tests/e2e/sc_nodesw.sh
FUZZ_TARGETS += sc_dc
check_PROGRAMS += tests/fuzz/replay-sc_dc
tests_fuzz_replay_sc_dc_SOURCES = tests/fuzz/fuzz_sc_dc.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-sc_dc
tests_fuzz_fuzz_sc_dc_SOURCES = tests/fuzz/fuzz_sc_dc.c
tests_fuzz_fuzz_sc_dc_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
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
FUZZ_TARGETS += sc_cert
check_PROGRAMS += tests/fuzz/replay-sc_cert
tests_fuzz_replay_sc_cert_SOURCES = tests/fuzz/fuzz_sc_cert.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-sc_cert
tests_fuzz_fuzz_sc_cert_SOURCES = tests/fuzz/fuzz_sc_cert.c
tests_fuzz_fuzz_sc_cert_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
