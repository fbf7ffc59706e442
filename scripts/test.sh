#!/usr/bin/env bash
# The project's test command (the README's second Quick start command):
# install dependencies, build with --enable-werror, run `make check`, run
# the unit tests again under ASan+UBSan, run `make distcheck`, a short
# libFuzzer run of every fuzz target and the end-to-end tests, then build,
# install, check and purge the Debian package (packaging/test-package.sh,
# as root).  Exits non-zero when anything fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

step() {
	local name=$1
	shift
	local t0=$SECONDS
	echo "==== $name"
	if "$@"; then
		echo "==== $name: ok ($((SECONDS - t0)) s)"
	else
		echo "==== $name: FAILED ($((SECONDS - t0)) s)"
		exit 1
	fi
}

deps() {
	if [ "$(id -u)" -eq 0 ]; then
		scripts/install-deps.sh
	else
		echo "not root: assuming dependencies are installed"
	fi
}

bootstrap() { autoreconf -fi >/dev/null; }

build_werror() (
	rm -rf build && mkdir build && cd build &&
		../configure --enable-werror --enable-test-keylog CFLAGS='-O2 -g' >/dev/null &&
		make -j"$jobs" >/dev/null
)

# Print the CUnit run summary of a build directory's unit-test log.
unit_summary() {
	sed -n '/^Run Summary/,/^Elapsed/p' "$1/tests/unit/run-unit.log" || true
}

check() {
	make -C build -j"$jobs" check || { cat build/test-suite.log; return 1; }
	unit_summary build
}

sanitizers() (
	rm -rf build-asan && mkdir build-asan && cd build-asan &&
		../configure --enable-werror --enable-sanitizers \
			--enable-test-keylog CFLAGS='-O1 -g' >/dev/null &&
		make -j"$jobs" check || { cat test-suite.log; return 1; }
	unit_summary .
)

distcheck() {
	make -C build -j"$jobs" distcheck >/dev/null
}

e2e() { make -C build check-e2e; }

# Every libFuzzer target for FUZZ_SECONDS (default 10) in a clang build
# with ASan+UBSan; a finding fails the step (its input is left in
# build-fuzz/fuzz-work/NAME/).
fuzz_smoke() (
	rm -rf build-fuzz && mkdir build-fuzz && cd build-fuzz &&
		../configure CC=clang --enable-fuzzing >/dev/null &&
		make -j"$jobs" >/dev/null &&
		make fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
)

package() { packaging/test-package.sh; }

step "dependencies" deps
step "bootstrap" bootstrap
step "build (--enable-werror)" build_werror
step "make check" check
step "make check under ASan+UBSan" sanitizers
step "make distcheck" distcheck
step "fuzz smoke" fuzz_smoke
step "end-to-end tests" e2e
step "package" package
echo "all test steps passed in $SECONDS s"
