## bip: appended to librouter_a_SOURCES and friends.
librouter_a_SOURCES += \
	bip/bvlc_codec.c bip/bvlc_codec.h \
	bip/bip_bbmd_fsm.c bip/bip_bbmd_fsm.h \
	bip/bip_fd_fsm.c bip/bip_fd_fsm.h \
	bip/bip_io.c bip/bip_io.h

UNIT_SOURCES += \
	tests/unit/test_bvlc.c \
	tests/unit/test_bip_bbmd.c \
	tests/unit/test_bip_fd.c \
	tests/unit/test_bip_io.c

## libFuzzer harness for the BVLL decoder; its corpus is replayed by make check.
FUZZ_TARGETS += bvlc
check_PROGRAMS += tests/fuzz/replay-bvlc
tests_fuzz_replay_bvlc_SOURCES = tests/fuzz/fuzz_bvlc.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-bvlc
tests_fuzz_fuzz_bvlc_SOURCES = tests/fuzz/fuzz_bvlc.c
tests_fuzz_fuzz_bvlc_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## Loopback integration program (real sockets), run by the e2e scripts.
check_PROGRAMS += tests/bip/bip-e2e
tests_bip_bip_e2e_SOURCES = tests/bip/bip_e2e.c
E2E_TESTS += tests/e2e/bip-loopback.sh tests/e2e/bip-npm-peer.sh \
	tests/e2e/bip-netns.sh tests/e2e/bip-tshark.sh
EXTRA_DIST += tests/e2e/bip-loopback.sh tests/e2e/bip-npm-peer.sh \
	tests/e2e/bip-netns.sh tests/e2e/bip-tshark.sh \
	tests/e2e/bip_peer.js package.json package-lock.json

## bacsc-decode --bip (tools/decode_bip.c is in tools/local.mk) over bip.vec.
TESTS += tests/tools/test-bacsc-decode-bip.sh
EXTRA_DIST += tests/tools/test-bacsc-decode-bip.sh
