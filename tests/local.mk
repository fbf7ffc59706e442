## Unit tests: one CUnit binary, one suite per module, registered in
## tests/unit/suites.def.  Modules add their test files to UNIT_SOURCES.
UNIT_SOURCES += \
	tests/unit/main.c tests/unit/harness.h tests/unit/suites.def \
	tests/unit/vecfile.c tests/unit/vecfile.h \
	tests/unit/test_bytes.c \
	tests/unit/test_hex.c \
	tests/unit/test_clock.c \
	tests/unit/test_ratelim.c \
	tests/unit/test_log.c \
	tests/unit/test_vecfile.c

check_PROGRAMS += tests/unit/run-unit
tests_unit_run_unit_SOURCES = $(UNIT_SOURCES)
tests_unit_run_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_run_unit_LDADD = $(BR_LIBS) $(CUNIT_LIBS)

TESTS += tests/unit/run-unit tests/check-layering.sh tests/fuzz/replay.sh
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(top_srcdir)'; export top_srcdir; \
	top_builddir='$(top_builddir)'; export top_builddir; \
	FUZZ_TARGETS='$(FUZZ_TARGETS)'; export FUZZ_TARGETS;

EXTRA_DIST += tests/check-layering.sh tests/fuzz/replay.sh tests/vectors \
	tests/fuzz/corpus

## Fuzzing: every target has a replay program (check_PROGRAMS, built in
## every configuration, run over its corpus by tests/fuzz/replay.sh) and,
## with --enable-fuzzing, a libFuzzer binary.
FUZZ_TARGETS += hex
check_PROGRAMS += tests/fuzz/replay-hex
tests_fuzz_replay_hex_SOURCES = tests/fuzz/fuzz_hex.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-hex
tests_fuzz_fuzz_hex_SOURCES = tests/fuzz/fuzz_hex.c
tests_fuzz_fuzz_hex_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## Stateful harness of the SC hub function (several fake connections).
FUZZ_TARGETS += hubfn
check_PROGRAMS += tests/fuzz/replay-hubfn
tests_fuzz_replay_hubfn_SOURCES = tests/fuzz/fuzz_hubfn.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-hubfn
tests_fuzz_fuzz_hubfn_SOURCES = tests/fuzz/fuzz_hubfn.c
tests_fuzz_fuzz_hubfn_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## End-to-end tests (daemons, sockets, npm, tshark, namespaces): not part
## of `make check`, so distcheck stays free of root and network needs.
check-e2e: all
	@set -e; fail=0; \
	for t in $(E2E_TESTS); do \
	  echo "== e2e: $$t"; \
	  if top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	     bash '$(abs_top_srcdir)'/$$t; then echo "PASS: $$t"; \
	  else echo "FAIL: $$t"; fail=$$((fail+1)); fi; \
	done; \
	echo "e2e: $$(echo $(E2E_TESTS) | wc -w) run, $$fail failed"; \
	test $$fail -eq 0

## Fault injection against the daemon (tests/e2e/fault.sh).
E2E_TESTS += tests/e2e/fault.sh
EXTRA_DIST += tests/e2e/fault.sh tests/e2e/fault_peer.py

## Soak test (not in CI): mixed traffic with hub restarts, RSS and fds
## over time; `make soak SOAK_SECONDS=N`.
SOAK_SECONDS ?= 60
soak: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  SOAK_SECONDS='$(SOAK_SECONDS)' bash '$(abs_top_srcdir)'/tests/soak.sh
EXTRA_DIST += tests/soak.sh

## The daemon under valgrind through start, traffic, reload, failover and
## shutdown (not in check-e2e: about a minute; needs a build without
## sanitizers); `make valgrind-daemon`.
valgrind-daemon: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  bash '$(abs_top_srcdir)'/tests/e2e/valgrind-daemon.sh
EXTRA_DIST += tests/e2e/valgrind-daemon.sh

## libFuzzer smoke run of every target (configure with --enable-fuzzing).
## A finding leaves its input in fuzz-work/NAME/ and fails the target; keep
## it as a regression input under tests/fuzz/corpus/NAME/ once fixed.
FUZZ_SECONDS ?= 10
fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  bin=tests/fuzz/fuzz-$$t; \
	  test -x $$bin || { echo "$$bin missing: configure with --enable-fuzzing CC=clang"; exit 1; }; \
	  mkdir -p fuzz-work/$$t/corpus; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  if $$bin -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=fuzz-work/$$t/ fuzz-work/$$t/corpus \
	      '$(abs_top_srcdir)'/tests/fuzz/corpus/$$t >fuzz-work/$$t/log 2>&1; \
	  then grep -E 'stat::number_of_executed_units' fuzz-work/$$t/log; \
	  else tail -n 40 fuzz-work/$$t/log; echo "FAIL: fuzz $$t"; exit 1; fi; \
	done
clean-local:
	rm -rf fuzz-work

.PHONY: check-e2e fuzz-smoke soak valgrind-daemon

## Routed end to end (issue 12): the real daemon, bacsc-scdev and
## @bacnet-js/client on loopback, each captured with tshark.
E2E_TESTS += tests/e2e/route-bip-sc.sh tests/e2e/route-nl.sh tests/e2e/route-sc-bip.sh
EXTRA_DIST += tests/e2e/e2e-lib.sh tests/e2e/node-env.sh tests/e2e/bacjs.js \
	tests/e2e/route-bip-sc.sh tests/e2e/route_bip_sc.js \
	tests/e2e/route-nl.sh tests/e2e/route_nl.py \
	tests/e2e/route-sc-bip.sh tests/e2e/bip_device.js
E2E_TESTS += tests/e2e/route-failover.sh tests/e2e/route-bbmd.sh \
	tests/e2e/route-two-routers.sh
EXTRA_DIST += tests/e2e/route-failover.sh tests/e2e/rp_loop.js \
	tests/e2e/route-bbmd.sh tests/e2e/bbmd_fd.py \
	tests/e2e/route-two-routers.sh tests/e2e/two_hop.py
