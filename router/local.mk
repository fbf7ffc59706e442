## router: appended to librouter_a_SOURCES and friends.

# Configuration model (libconfig): load, validate, check, print.
librouter_a_SOURCES += \
	router/cfg.c router/cfg.h router/cfg_int.h \
	router/cfg_table.c router/cfg_values.c \
	router/cfg_validate.c router/cfg_print.c \
	router/cfg_check.c router/cfg_check.h

# Configuration golden tests (tests/conf/<case>/), run by make check;
# `make update-conf-golden` rewrites their expect.out / expect.err.
TESTS += tests/conf/run.sh
EXTRA_DIST += tests/conf
examplesdir = $(docdir)/examples
dist_examples_DATA = etc/bacsc-router.conf etc/demo.conf
update-conf-golden: tools/cfg-check$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  sh '$(abs_top_srcdir)/tests/conf/run.sh' --update
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
