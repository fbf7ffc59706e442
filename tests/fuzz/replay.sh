#!/bin/sh
# Replay every fuzz target's corpus (and its saved crashes) through the
# target's replay program.  Part of `make check`.
set -u
fail=0
n=0
for t in $FUZZ_TARGETS; do
	bin="$top_builddir/tests/fuzz/replay-$t"
	corpus="$top_srcdir/tests/fuzz/corpus/$t"
	if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
		echo "FAIL: $t: missing $bin or $corpus"
		fail=$((fail + 1))
		continue
	fi
	if out=$("$bin" "$corpus" 2>&1); then
		echo "ok: $t: $out"
	else
		echo "FAIL: $t"
		echo "$out"
		fail=$((fail + 1))
	fi
	n=$((n + 1))
done
echo "fuzz replay: $n targets, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
