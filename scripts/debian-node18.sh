#!/bin/sh
# Run a command with Debian 12's own Node.js 18 and npm 9 first in PATH, on
# a Debian 12 machine that has another Node.js installed (such as
# NodeSource's 20), without installing or replacing anything:
#
#   bash scripts/debian-node18.sh bash tests/e2e/route-bip-sc.sh
#
# The first run downloads Debian's nodejs, libnode108 and npm with the
# node-* packages they load (apt-get download, about 20 MB) and extracts
# them with dpkg-deb -x into $NODE18_DIR (default /tmp/debian-node18).
# Debian's node loads some built-ins from /usr/share/nodejs, so `node` and
# `npm` there are wrappers that run in a private mount namespace (unshare
# -m) with the extracted usr/share and usr/lib overlaid on the system's.
# Run as root (unshare and mount need it).
set -eu
D=${NODE18_DIR:-/tmp/debian-node18}
if [ ! -x "$D/bin/npm" ]; then
	# Debian's own nodejs 18 (not a newer one from another repository).
	v=$(apt-cache madison nodejs | awk -F'|' '$2 ~ /^ *18\./ && $3 ~ /debian/ { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$v" ] || { echo "debian-node18: no Debian nodejs 18 in apt's lists (apt-get update?)" >&2; exit 1; }
	mkdir -p "$D/debs" "$D/root" "$D/bin"
	pk=$(apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances npm |
		grep -E '^(node-|libjs-|npm$)' | sort -u)
	(cd "$D/debs" && apt-get download -q "nodejs=$v" "libnode108=$v" $pk \
		>/dev/null 2>&1) || { echo "debian-node18: apt-get download failed" >&2; exit 1; }
	for f in "$D"/debs/*.deb; do dpkg-deb -x "$f" "$D/root"; done
	for t in node npm; do
		if [ "$t" = node ]; then js=; else js=/usr/share/nodejs/npm/bin/npm-cli.js; fi
		cat >"$D/bin/$t" <<EOF
#!/bin/sh
exec unshare -m sh -c 'R=\$0; mount -t overlay overlay -o lowerdir=\$R/usr/share:/usr/share /usr/share && mount -t overlay overlay -o lowerdir=\$R/usr/lib:/usr/lib /usr/lib && LD_LIBRARY_PATH=\$R/usr/lib/x86_64-linux-gnu exec \$R/usr/bin/node $js "\$@"' "$D/root" "\$@"
EOF
		chmod +x "$D/bin/$t"
	done
fi
PATH=$D/bin:$PATH
export PATH
echo "debian-node18: node $(node --version), npm $(npm --version)" >&2
exec "$@"
