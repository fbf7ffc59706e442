#!/bin/sh
# Golden tests for the configuration: every tests/conf/<case>/ holds a
# router.conf and either expect.out (the cfg-check -p output: the
# effective configuration) or expect.err (the exact error text).  A case
# is run in a scratch copy of its folder; prepare.sh, if present, runs
# there first (e.g. to set key file modes, which git does not keep); a
# file named check-files turns on the TLS file checks (-F is passed
# otherwise); a file named from-other-dir makes the check run from the
# case's parent folder (as <case>/router.conf), so that relative file
# names must be found from the configuration's folder.  Every expect.out must also load again and print the same
# (round trip).  The daemon's own check, `bacsc-router -t`, must exit 78
# (EX_CONFIG) on every bad case and 0 on good cases with check-files;
# a bad case with a file start-exit also starts the daemon for real and
# wants that exit status (75 when only a clock could cure the errors).
# The shipped etc/*.conf must be valid too.
#
#   conf-golden.sh            compare (part of make check)
#   conf-golden.sh --update   rewrite expect.out / expect.err (make update-conf-golden)
set -u
update=no
[ "${1:-}" = "--update" ] && update=yes
srcdir=$(cd "${top_srcdir:-.}" && pwd)
bin=$(cd "${top_builddir:-.}" && pwd)/tools/cfg-check
daemon=$(cd "${top_builddir:-.}" && pwd)/router/bacsc-router
if [ ! -x "$bin" ] || [ ! -x "$daemon" ]; then
	echo "FAIL: $bin or $daemon missing"
	exit 1
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/conf-golden.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
n=0
fail=0

for dir in "$srcdir"/tests/conf/*/; do
	name=$(basename "$dir")
	[ -f "$dir/router.conf" ] || continue
	n=$((n + 1))
	work="$scratch/$name"
	mkdir -p "$work"
	cp -R "$dir"/. "$work"/
	chmod -R u+w "$work"
	flags=-F
	[ -f "$dir/check-files" ] && flags=
	if [ -f "$work/prepare.sh" ]; then
		(cd "$work" && sh ./prepare.sh) || {
			echo "FAIL: $name: prepare.sh"
			fail=$((fail + 1))
			continue
		}
	fi
	if [ -f "$dir/from-other-dir" ]; then
		(cd "$scratch" && "$bin" -p $flags "$name/router.conf" \
			>"$work/got.out" 2>"$work/got.err")
	else
		(cd "$work" && "$bin" -p $flags router.conf >got.out 2>got.err)
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		got=got.out
		want=expect.out
	else
		got=got.err
		want=expect.err
	fi
	if [ $update = yes ]; then
		rm -f "$dir/expect.out" "$dir/expect.err"
		cp "$work/$got" "$dir/$want"
		echo "updated: $name/$want"
		continue
	fi
	if [ $rc -gt 1 ] || [ ! -f "$dir/$want" ]; then
		echo "FAIL: $name: exit $rc, but no $want"
		cat "$work/got.out" "$work/got.err"
		fail=$((fail + 1))
		continue
	fi
	if ! diff -u "$dir/$want" "$work/$got"; then
		echo "FAIL: $name: $want differs"
		fail=$((fail + 1))
		continue
	fi
	if [ $rc -ne 0 ] || [ -f "$dir/check-files" ]; then
		if [ -f "$dir/from-other-dir" ]; then
			(cd "$scratch" && "$daemon" -t -c "$name/router.conf" \
				>/dev/null 2>&1)
		else
			(cd "$work" && "$daemon" -t -c router.conf >/dev/null 2>&1)
		fi
		drc=$?
		[ $rc -eq 0 ] && want_rc=0 || want_rc=78
		if [ $drc -ne $want_rc ]; then
			echo "FAIL: $name: bacsc-router -t exit $drc, want $want_rc"
			fail=$((fail + 1))
			continue
		fi
		# start-exit: the exit status of a real start (a bad case,
		# so it stops before anything is opened).
		if [ $rc -ne 0 ] && [ -f "$dir/start-exit" ]; then
			want_rc=$(cat "$dir/start-exit")
			(cd "$work" && timeout 30 "$daemon" -c router.conf \
				>/dev/null 2>&1)
			drc=$?
			if [ $drc -ne $want_rc ]; then
				echo "FAIL: $name: bacsc-router start exit $drc, want $want_rc"
				fail=$((fail + 1))
				continue
			fi
		fi
	fi
	if [ $rc -eq 0 ]; then
		cp "$work/got.out" "$work/again.conf"
		if ! (cd "$work" && "$bin" -p -F again.conf >again.out 2>&1) ||
		    ! diff -u "$work/got.out" "$work/again.out"; then
			echo "FAIL: $name: printed configuration does not round-trip"
			fail=$((fail + 1))
			continue
		fi
	fi
	echo "ok: $name"
done

# The shipped configurations must be valid (files are not checked: the
# sample names /etc paths, the demo's PKI is made by the demo script).
for f in "$srcdir"/etc/*.conf; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if (cd "$scratch" && "$bin" -p -F "$f" >shipped.out 2>&1) &&
	    (cd "$scratch" && "$bin" -p -F shipped.out >shipped2.out 2>&1) &&
	    diff -u "$scratch/shipped.out" "$scratch/shipped2.out"; then
		echo "ok: $(basename "$f")"
	else
		echo "FAIL: $(basename "$f")"
		cat "$scratch/shipped.out"
		fail=$((fail + 1))
	fi
done
[ $update = yes ] && exit 0
echo "conf golden: $n cases, $fail failed"
echo "$((n - fail)) passed, $fail failed"
[ $n -gt 0 ] && [ $fail -eq 0 ]
