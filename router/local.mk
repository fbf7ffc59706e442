## router: appended to librouter_a_SOURCES and friends.
## No main() here: the daemon's main comes with its own issue.
librouter_a_SOURCES += \
	router/rtr_table.c router/rtr_table.h \
	router/rtr.c router/rtr.h

UNIT_SOURCES += \
	tests/unit/rtr_testport.c tests/unit/rtr_testport.h \
	tests/unit/test_rtr_table.c \
	tests/unit/test_rtr.c

## Fuzz target `router`: random NPDUs into a two-port router, invariants
## on everything it sends (tests/fuzz/fuzz_router.c).
FUZZ_TARGETS += router
check_PROGRAMS += tests/fuzz/replay-router
tests_fuzz_replay_router_SOURCES = tests/fuzz/fuzz_router.c \
	tests/unit/rtr_testport.c tests/unit/rtr_testport.h \
	tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-router
tests_fuzz_fuzz_router_SOURCES = tests/fuzz/fuzz_router.c \
	tests/unit/rtr_testport.c tests/unit/rtr_testport.h
tests_fuzz_fuzz_router_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## Benchmark: ns per forwarded NPDU (bench/bench_rtr.c; not run by check).
noinst_PROGRAMS += bench/bench-rtr
bench_bench_rtr_SOURCES = bench/bench_rtr.c
