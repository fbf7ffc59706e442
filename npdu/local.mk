## npdu: NPDU header codec, network-layer message codecs, port contract.
librouter_a_SOURCES += \
	npdu/npdu_codec.c npdu/npdu_codec.h \
	npdu/nlm_codec.c npdu/nlm_codec.h \
	npdu/port.h

UNIT_SOURCES += \
	tests/unit/test_npdu.c \
	tests/unit/test_nlm.c

## Fuzz target `npdu`: header decoder, message decoders, re-encode check.
FUZZ_TARGETS += npdu
check_PROGRAMS += tests/fuzz/replay-npdu
tests_fuzz_replay_npdu_SOURCES = tests/fuzz/fuzz_npdu.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-npdu
tests_fuzz_fuzz_npdu_SOURCES = tests/fuzz/fuzz_npdu.c
tests_fuzz_fuzz_npdu_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
