#!/bin/sh
# Build the Debian package bacsc-router_<version>_<arch>.deb from this
# source tree:
#
#     packaging/build-deb.sh [OUTDIR]
#
# OUTDIR (default: build-deb/ at the top of the tree) receives the .deb
# and the .buildinfo/.changes; the last line printed is the .deb's path.
# The build runs in OUTDIR/src, a scratch copy of the tree with
# packaging/debian/ copied to its top (where dpkg-buildpackage wants it)
# and debian/changelog written from VERSION, the one version source
# (configure.ac reads it too).  Unsigned, binary only:
# `dpkg-buildpackage -us -uc -b`.  Set DEB_BUILD_OPTIONS=nocheck to skip
# `make check` inside the build (the CI has run the tests already).
# Needs the build dependencies of packaging/debian/control
# (scripts/install-deps.sh installs them).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
version=$(cat "$top/VERSION")
case $version in
'' | *[!0-9A-Za-z.+~]*)
	echo "build-deb: VERSION \"$version\" is not a Debian version" >&2
	exit 1
	;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src
rm -rf "$src"
mkdir -p "$src"

# Copy the tree: in a git checkout the tracked and untracked-but-not-
# ignored files (so uncommitted edits are built, build outputs are not);
# elsewhere (an unpacked dist tarball) everything but build folders.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh |
		tar -cf - -T -) | tar -xf - -C "$src"
	epoch=$(git -C "$top" log -1 --format=%ct 2>/dev/null || true)
	commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || true)
else
	(cd "$top" && tar -cf - --exclude='./build*' --exclude=./.git \
		--exclude=./node_modules --exclude=./autom4te.cache .) |
		tar -xf - -C "$src"
	epoch=
	commit=
fi
[ -n "$epoch" ] || epoch=$(stat -c %Y "$top/VERSION")

# dpkg-buildpackage wants debian/ at the top of the source tree.
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"

# debian/changelog from VERSION (native package: the Debian version is
# the project's version).  Its date is the last commit's, so the same
# commit gives the same package (SOURCE_DATE_EPOCH comes from it).
{
	printf 'bacsc-router (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Version %s from the VERSION file' "$version"
	[ -z "$commit" ] || printf ' (git %s)' "$commit"
	printf '.\n\n'
	printf ' -- bacsc-router developers <bacsc-router@example.org>  %s\n' \
		"$(LC_ALL=C date -u -R -d "@$epoch")"
} >"$src/debian/changelog"

# Parallel build unless the caller chose.
case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*)
	DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc 2>/dev/null || echo 2)"
	;;
esac
export DEB_BUILD_OPTIONS

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=bacsc-router_${version}_${arch}.deb
rm -f "$out/$deb" "$out"/bacsc-router_"$version"_*.buildinfo \
	"$out"/bacsc-router_"$version"_*.changes
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 60 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed; full log: $out/build.log" >&2
	exit 1
}
test -f "$out/$deb" || {
	echo "build-deb: $out/$deb was not made (see $out/build.log)" >&2
	exit 1
}
echo "$out/$deb"
