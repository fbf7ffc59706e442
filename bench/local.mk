## Benchmarks (issue 13).  `make bench` builds and runs every benchmark
## (bench/run.sh): each prints its table and appends one dated line to
## bench/results.md.  Speed is measured here, never asserted by tests.
## The older targets stay where their authors put them: bench/bench-rtr
## (router/local.mk), bench/sc_ws_bench and bench/sc_hub_bench
## (sc/local.mk); run.sh runs them too.
noinst_PROGRAMS += bench/bench_fwd bench/sc_scale_bench
bench_bench_fwd_SOURCES = bench/bench_fwd.c tests/sctest.c tests/sctest.h
bench_sc_scale_bench_SOURCES = bench/sc_scale_bench.c tests/sctest.c tests/sctest.h
EXTRA_DIST += bench/run.sh bench/README.md bench/massif_breakdown.py

# The daemon too: bench_fwd measures forwarding through it when it is built.
BENCH_PROGS = bench/bench_fwd bench/sc_scale_bench bench/sc_hub_bench \
	bench/sc_ws_bench bench/bench-rtr tools/bacsc-hub router/bacsc-router

bench: $(BENCH_PROGS)
	$(SHELL) $(abs_top_srcdir)/bench/run.sh $(abs_top_srcdir) \
	    $(abs_top_builddir) $(BENCH_ONLY)
.PHONY: bench
