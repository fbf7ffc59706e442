#!/bin/sh
# Run every benchmark, print a table, append one dated line per benchmark
# to bench/results.md.  Called by `make bench`:
#   run.sh SRCDIR BUILDDIR [NAME ...]
# NAME limits the run to some of: rtr ws hub hub10 hub100 fwd fwd-engine
# scale (default: all but fwd-engine).
# Environment: BENCH_NODES (scale test connections, default 10000),
# BENCH_PORT (first TCP/UDP port on 127.0.0.1, default 27900: below
# Linux's ephemeral range 32768-60999, so none of the thousands of client
# sockets of the scale run can take the hub's port while it restarts).
set -u
src=$1
bld=$2
shift 2
only="$*"
show=
res="$src/bench/results.md"
port=${BENCH_PORT:-27900}
nodes=${BENCH_NODES:-10000}
tmp=$(mktemp -d /tmp/bacsc-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$src/tools/bacsc-testpki" -q -n 3 "$tmp/pki" || exit 1
cores=$(nproc)
arch=$(uname -m)
: >"$tmp/table"

want() {
	[ -z "$only" ] && [ "$1" != fwd-engine ] && return 0
	for w in $only; do [ "$w" = "$1" ] && return 0; done
	return 1
}

# run NAME CMD...: run, show the output, keep the RESULT line.
run() {
	name=$1
	shift
	load0=$(cut -d' ' -f1 /proc/loadavg)
	echo "== $name: ${show:-$*}"
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cat "$tmp/out"
	tail -5 "$tmp/err" >&2
	load1=$(cut -d' ' -f1 /proc/loadavg)
	line=$(grep '^RESULT ' "$tmp/out" | tail -1 | sed 's/^RESULT //')
	if [ -z "$line" ]; then
		line="FAILED (exit $rc): $(tail -1 "$tmp/err")"
	fi
	cmd=$(echo "${show:-$*}" | sed "s|$tmp/pki|PKI|g; s|$bld/||g; s|$src/||g")
	printf -- '- %s UTC, %s, %s cores (%s; load avg %s -> %s), `%s`: %s\n' \
	    "$(date -u '+%Y-%m-%d %H:%M')" "$arch" "$cores" \
	    "${BENCH_MACHINE:-machine not described: set BENCH_MACHINE}" \
	    "$load0" "$load1" \
	    "$cmd" "$line" >>"$res"
	printf '%-8s %s\n' "$name" "$line" >>"$tmp/table"
}

if want rtr; then
	# bench-rtr prints one "what ... ns/NPDU" line per case.
	# (its log warnings go to stderr and stay out of the result line)
	"$bld/bench/bench-rtr" 2000000 >"$tmp/rtr" 2>/dev/null
	{ cat "$tmp/rtr"; printf 'RESULT %s\n' "$(grep 'ns/NPDU' "$tmp/rtr" | sed 's/  */ /g' | paste -sd';')"; } >"$tmp/rtr2"
	show="bench/bench-rtr 2000000"
	run rtr cat "$tmp/rtr2"
	show=
fi
if want ws; then
	# sc_ws_bench appends its own line; keep it in the table only.
	echo "== ws: sc_ws_bench"
	"$bld/bench/sc_ws_bench" "$tmp/pki" -o "$res" | tee "$tmp/ws"
	printf '%-8s %s\n' ws "$(tail -1 "$res" | cut -d: -f3-)" >>"$tmp/table"
fi
want hub && run hub1 "$bld/bench/sc_hub_bench" "$tmp/pki" "$bld/tools/bacsc-hub" 200000 $((port + 10)) 1
want hub10 && run hub10 "$bld/bench/sc_hub_bench" "$tmp/pki" "$bld/tools/bacsc-hub" 200000 $((port + 11)) 10
want hub100 && run hub100 "$bld/bench/sc_hub_bench" "$tmp/pki" "$bld/tools/bacsc-hub" 200000 $((port + 12)) 100
# Router forwarding through the real daemon when it is built (else the
# engine + bip_io + sc_node in one process: bench_fwd --router).
if want fwd; then
	if [ -x "$bld/router/bacsc-router" ]; then
		BENCH_FWD_DAEMON="$bld/router/bacsc-router"
		export BENCH_FWD_DAEMON
	fi
	run fwd "$bld/bench/bench_fwd" "$tmp/pki" "$bld/tools/bacsc-hub" $((port + 20)) 1000 5000
	unset BENCH_FWD_DAEMON
fi
want fwd-engine && run fwd-eng "$bld/bench/bench_fwd" "$tmp/pki" "$bld/tools/bacsc-hub" $((port + 25)) 1000 5000
want scale && run scale "$bld/bench/sc_scale_bench" "$tmp/pki" "$bld/tools/bacsc-hub" "$nodes" $((port + 30)) 32

echo
echo "== summary (appended to bench/results.md)"
cat "$tmp/table"
