## sc: appended to librouter_a_SOURCES and friends.
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

## SC node, hub connector, hub function (issue 7).
librouter_a_SOURCES += \
	sc/sc_hubconn_fsm.c sc/sc_hubconn_fsm.h \
	sc/sc_hub_fsm.c sc/sc_hub_fsm.h \
	sc/sc_peer_fsm.c sc/sc_peer_fsm.h

UNIT_SOURCES += \
	tests/unit/test_sc_hubconn.c \
	tests/unit/test_sc_hub.c \
	tests/unit/test_sc_peer.c
