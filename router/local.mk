## router: appended to librouter_a_SOURCES and friends.
## No main() here: the daemon's main comes with its own issue.
librouter_a_SOURCES += \
	router/rtr_table.c router/rtr_table.h \
	router/rtr.c router/rtr.h router/rtr_stats.c

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

# Configuration model (libconfig): load, validate, check, print.
librouter_a_SOURCES += \
	router/cfg.c router/cfg.h router/cfg_int.h \
	router/cfg_table.c router/cfg_values.c \
	router/cfg_validate.c router/cfg_print.c \
	router/cfg_check.c router/cfg_check.h \
	router/cfg_uuid.c router/cfg_paths.c

# Configuration golden tests (tests/conf/<case>/), run by make check;
# `make update-conf-golden` rewrites their expect.out / expect.err.
TESTS += tests/conf-golden.sh
EXTRA_DIST += tests/conf tests/conf-golden.sh
examplesdir = $(docdir)/examples
dist_examples_DATA = etc/bacsc-router.conf etc/demo.conf
update-conf-golden: tools/cfg-check$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  sh '$(abs_top_srcdir)/tests/conf-golden.sh' --update
.PHONY: update-conf-golden
UNIT_SOURCES += tests/unit/test_cfg.c

# Fuzz target: arbitrary text through the loader and validator.
FUZZ_TARGETS += cfg
check_PROGRAMS += tests/fuzz/replay-cfg
tests_fuzz_replay_cfg_SOURCES = tests/fuzz/fuzz_cfg.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-cfg
tests_fuzz_fuzz_cfg_SOURCES = tests/fuzz/fuzz_cfg.c
tests_fuzz_fuzz_cfg_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

dist_man_MANS += man/bacsc-router.conf.5

# The daemon: life cycle, SC glue, the router's device, control socket.
librouter_a_SOURCES += \
	router/daemon.c router/daemon.h router/daemon_int.h \
	router/dmn_sc.c router/dmn_app.c router/dmn_status.c \
	router/dmn_sysnet.c router/dmn_sysnet.h \
	router/ctl.c router/ctl.h
sbin_PROGRAMS += router/bacsc-router
router_bacsc_router_SOURCES = router/main.c
bin_PROGRAMS += tools/bacsc-routerctl
tools_bacsc_routerctl_SOURCES = tools/bacsc-routerctl.c
UNIT_SOURCES += tests/unit/test_daemon.c tests/unit/test_sysnet.c
E2E_TESTS += tests/e2e/daemon.sh tests/e2e/daemon_wiring.sh \
	tests/e2e/daemon_reload.sh tests/e2e/daemon_reload_sc.sh \
	tests/e2e/daemon_reload_limits.sh
EXTRA_DIST += tests/e2e/daemon.sh tests/e2e/daemon_wiring.sh tests/e2e/bip_who_is_router.py \
	tests/e2e/daemon_reload.sh tests/e2e/daemon_reload_sc.sh tests/e2e/sc_raw_hub.py \
	tests/e2e/daemon_routed.py tests/e2e/daemon_reload_limits.sh \
	tests/e2e/sc_reload_peer.py
dist_man_MANS += man/bacsc-router.8 man/bacsc-routerctl.8
