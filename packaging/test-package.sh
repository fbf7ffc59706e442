#!/usr/bin/env bash
# Package test (the "package" step of scripts/test.sh).  As root on a
# Debian machine without the package installed:
#   build the .deb with packaging/build-deb.sh (DEB_BUILD_OPTIONS=nocheck:
#   the test command has run the tests already), check its metadata,
#   install it with dpkg -i, check files, user, group, conffile, state and
#   TLS folders and the unit, run the installed `bacsc-router -t` on the
#   installed sample configuration (once the tree has the daemon), install
#   it again over an edited conffile, run lintian (errors fail, every tag
#   is listed), remove and purge it and check what is left.
# Does not start the service (no systemd as PID 1 in the CI).
# Exits non-zero on the first failed check.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${PACKAGE_TEST_DIR:-$top/build-deb}
pkg=bacsc-router
conf=/etc/bacsc-router.conf
state=/var/lib/bacsc-router
pki=/etc/bacsc-router/pki
unit=/lib/systemd/system/bacsc-router.service
# The highest `systemd-analyze security` exposure accepted for the unit
# (1.1 when written; 10 is unprotected).
max_exposure=${MAX_EXPOSURE:-1.5}

fails=0
ok() { echo "ok   $*"; }
fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}
# check DESCRIPTION COMMAND...: run the command, report.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
die() {
	echo "FAIL $*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (dpkg -i, a system user)"
command -v dpkg-buildpackage >/dev/null || die "dpkg-dev missing: scripts/install-deps.sh"
command -v lintian >/dev/null || die "lintian missing: scripts/install-deps.sh"
if dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q 'ok installed\|config-files'; then
	die "$pkg is already installed here: purge it first (dpkg --purge $pkg)"
fi

installed=no
daemon_pid=
dpid=
tmp=$(mktemp -d)
cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill -KILL "$daemon_pid" 2>/dev/null || true
	fi
	rm -rf /run/bacsc-router /run/bacsc-router-pkgtest \
		/etc/bacsc-router/pkg-test.conf
	if [ "$installed" = yes ]; then
		echo "cleanup: purging $pkg"
		dpkg --purge $pkg >/dev/null 2>&1 || true
	fi
	rm -f "$pki/test-admin-file"
	rmdir "$pki" /etc/bacsc-router 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# dpkg -i/--remove/--purge, waiting a little for a concurrent apt/dpkg.
dpkg_do() {
	local i
	for i in 1 2 3 4 5 6; do
		if dpkg "$@" >"$tmp/dpkg.log" 2>&1; then
			return 0
		fi
		grep -q 'lock' "$tmp/dpkg.log" || break
		sleep 5
	done
	cat "$tmp/dpkg.log"
	return 1
}

version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
# The daemon is in the package once the tree has it (router/main.c);
# from then on its checks must pass, never be skipped.
if [ -f "$top/router/main.c" ]; then daemon=yes; else daemon=no; fi

# ------------------------------------------------------------- build
# PACKAGE_TEST_DEB=FILE tests that .deb instead of building one (to
# iterate on this script; the test command always builds).
if [ -n "${PACKAGE_TEST_DEB:-}" ]; then
	deb=$PACKAGE_TEST_DEB
	echo "== testing $deb (not built here)"
else
	echo "== build (DEB_BUILD_OPTIONS=nocheck)"
	t0=$SECONDS
	deb=$(DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
		"$top/packaging/build-deb.sh" "$out" | tail -n 1)
	echo "built $deb in $((SECONDS - t0)) s"
fi
check "file name is ${pkg}_${version}_${arch}.deb" \
	test "$(basename "$deb")" = "${pkg}_${version}_${arch}.deb"

field() { dpkg-deb -f "$deb" "$1"; }
check "Version is VERSION ($version)" test "$(field Version)" = "$version"
check "Architecture is $arch" test "$(field Architecture)" = "$arch"
# Runtime libraries only (from ${shlibs:Depends}), plus adduser for the
# maintainer scripts: no -dev, no build tool.
deps_ok() {
	local d name
	while read -r d; do
		name=${d%% *}
		case $name in
		adduser | libc6) ;;
		lib*-dev) return 1 ;;
		lib*) ;;
		*) return 1 ;;
		esac
	done < <(field Depends | tr ',|' '\n\n' | sed 's/^ *//;/^$/d')
}
echo "Depends: $(field Depends)"
check "Depends: runtime libraries and adduser only" deps_ok
check "conffiles: exactly $conf" \
	test "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" = "$conf"
# The service's life cycle (cannot be run here without systemd as PID 1):
# enabled on install but not started; on upgrade not stopped before and
# try-restarted after; stopped on removal.
ctl() { dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - "./$1" 2>/dev/null || true; }
check "postinst enables the unit" grep -q "deb-systemd-helper enable 'bacsc-router.service'" < <(ctl postinst)
check "postinst starts nothing" test -z "$(ctl postinst | grep -E 'deb-systemd-invoke (start|restart)')"
check "postinst try-restarts on upgrade" grep -q "deb-systemd-invoke try-restart 'bacsc-router.service'" < <(ctl postinst)
check "preinst does not stop on upgrade" test -z "$(ctl preinst | grep 'deb-systemd-invoke stop')"
check "prerm stops the unit on remove" grep -q 'deb-systemd-invoke stop bacsc-router.service' < <(ctl prerm)

# -------------------------------------------------------------- install
echo "== dpkg -i"
dpkg_do -i "$deb" || die "dpkg -i $deb"
installed=yes
check "dpkg says installed" \
	test "$(dpkg-query -W -f='${Status} ${Version}' $pkg)" = "install ok installed $version"

files=(/usr/bin/bacsc-decode
	/usr/share/man/man1/bacsc-decode.1.gz
	/usr/share/man/man5/bacsc-router.conf.5.gz
	/usr/share/doc/$pkg/copyright
	/usr/share/doc/$pkg/changelog.gz
	/usr/share/doc/$pkg/README.Debian
	/usr/share/doc/$pkg/examples/bacsc-router.conf
	"$unit" "$conf")
if [ -f "$top/tools/bacsc-cert.c" ]; then
	files+=(/usr/bin/bacsc-cert /usr/share/man/man1/bacsc-cert.1.gz)
fi
if [ $daemon = yes ]; then
	files+=(/usr/sbin/bacsc-router /usr/bin/bacsc-routerctl
		/usr/share/man/man8/bacsc-router.8.gz
		/usr/share/man/man8/bacsc-routerctl.8.gz)
fi
for f in "${files[@]}"; do
	check "installed: $f" test -f "$f"
done
for f in /usr/bin/bacsc-decode /usr/bin/bacsc-cert /usr/sbin/bacsc-router /usr/bin/bacsc-routerctl; do
	[ -e "$f" ] || continue
	check "$f: root-owned 0755" test "$(stat -c '%U:%G %a' "$f")" = "root:root 755"
done
check "$conf is the sample etc/bacsc-router.conf" cmp -s "$conf" "$top/etc/bacsc-router.conf"
check "$conf: root:root 0644" test "$(stat -c '%U:%G %a' "$conf")" = "root:root 644"
check "dpkg lists $conf as a conffile" \
	grep -q "^ $conf $(md5sum <"$top/etc/bacsc-router.conf" | cut -d' ' -f1)\$" \
	< <(dpkg-query -W -f='${Conffiles}\n' $pkg)
check "installed bacsc-decode decodes a Who-Is broadcast" \
	grep -q '"function_name":"Original-Broadcast-NPDU"' \
	< <(/usr/bin/bacsc-decode --bip 810b000c0120ffff00ff1008)

# The system user and group.
pw=$(getent passwd $pkg || true)
check "user $pkg exists" test -n "$pw"
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
check "user $pkg is a system user (uid $uid < 1000)" test "${uid:-1000}" -lt 1000
check "user $pkg: primary group $pkg" test "$(getent group "${gid:-x}" | cut -d: -f1)" = $pkg
check "user $pkg: home $state, shell nologin" \
	test "$home:$shell" = "$state:/usr/sbin/nologin"
check "$state: $pkg:$pkg 0750" test "$(stat -c '%U:%G %a' $state)" = "$pkg:$pkg 750"
check "$pki: root:$pkg 0750" test "$(stat -c '%U:%G %a' $pki)" = "root:$pkg 750"

# The unit: enabled (not started), and its sandbox still scores as low.
check "unit enabled for multi-user.target" \
	test -L /etc/systemd/system/multi-user.target.wants/bacsc-router.service
for k in 'Type=notify' 'User=bacsc-router' 'Group=bacsc-router' \
	'ExecStart=/usr/sbin/bacsc-router -f -c /etc/bacsc-router.conf' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' \
	'RestartPreventExitStatus=78' \
	'StateDirectory=bacsc-router' 'RuntimeDirectory=bacsc-router'; do
	check "unit: $k" grep -qxF "$k" "$unit"
done
if systemd-analyze security --offline=yes "$unit" >"$tmp/sec" 2>&1; then
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec")
	echo "systemd-analyze security: exposure $score"
	check "exposure ${score:-?} <= $max_exposure" \
		awk -v s="${score:-99}" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'
else
	cat "$tmp/sec"
	fail "systemd-analyze security --offline=yes $unit"
fi

# Run the installed daemon as the unit would, without systemd: as the
# user bacsc-router with umask 0077, /run/bacsc-router made as
# RuntimeDirectory= makes it, NOTIFY_SOCKET a datagram socket read by a
# small listener.  The configuration is the installed sample moved onto
# loopback (no eth0; hubs on ports nobody listens on: the hub connector
# keeps retrying, which does not delay readiness).  Checks READY=1, the
# generated Device UUID in the state directory, the control socket and
# bacsc-routerctl, a reload (RELOADING=1, READY=1) and a clean stop.
notify_dir=/run/bacsc-router-pkgtest
run_daemon() {
	local port=$((50000 + RANDOM % 10000)) hub=$((40000 + RANDOM % 5000))
	local rconf=/etc/bacsc-router/pkg-test.conf nsock=$notify_dir/notify
	local uid gid lpid i rc n
	uid=$(id -u $pkg)
	gid=$(id -g $pkg)
	sed -e '/^ *interface = /d' \
		-e 's|^\( *\)bind = "0\.0\.0\.0";|\1bind = "127.0.0.77";\n\1broadcast = "127.255.255.255";|' \
		-e "s|^\( *\)port = 47808;|\1port = $port;|" \
		-e "s|wss://hub1\.example\.com:4443/|wss://127.0.0.1:$hub/|" \
		-e "s|wss://hub2\.example\.com:4443/|wss://127.0.0.1:$((hub + 1))/|" \
		$conf >$rconf
	chmod 0644 $rconf
	install -d -o $pkg -g $pkg -m 0750 /run/bacsc-router
	install -d -m 0755 $notify_dir
	python3 - $nsock "$tmp/notify.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.settimeout(90)
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(m.replace("\n", " ") + "\n")
        if "STOPPING=1" in m:
            break
PY
	lpid=$!
	for i in $(seq 50); do [ -S $nsock ] && break; sleep 0.1; done
	: >"$tmp/notify.log"
	(umask 0077 && exec setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env NOTIFY_SOCKET=$nsock /usr/sbin/bacsc-router -f -c $rconf) \
		>"$tmp/daemon.log" 2>&1 &
	dpid=$!
	daemon_pid=$dpid
	for i in $(seq 200); do
		grep -qx 'READY=1' "$tmp/notify.log" && break
		kill -0 $dpid 2>/dev/null || break
		sleep 0.1
	done
	check "daemon as $pkg: READY=1 on the notify socket" grep -qx 'READY=1' "$tmp/notify.log"
	check "daemon: $state/uuid generated, $pkg 0600" \
		test "$(stat -c '%U %a' $state/uuid 2>/dev/null)" = "$pkg 600"
	check "daemon: $state/uuid holds a UUID" \
		grep -qiE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' $state/uuid
	check "daemon: control socket $pkg:$pkg 0660" \
		test "$(stat -c '%F %U:%G %a' /run/bacsc-router/control 2>/dev/null)" = "socket $pkg:$pkg 660"
	/usr/bin/bacsc-routerctl status >"$tmp/ctl" 2>&1 && rc=0 || rc=$?
	check "bacsc-routerctl status: exit 0" test $rc -eq 0
	check "bacsc-routerctl status names version $version" grep -qF "$version" "$tmp/ctl"
	kill -HUP $dpid 2>/dev/null || true
	for i in $(seq 100); do
		n=$(grep -cx 'READY=1' "$tmp/notify.log" || true)
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	check "SIGHUP: RELOADING=1 then READY=1" \
		test "$(grep -x -e 'RELOADING=1' -e 'READY=1' "$tmp/notify.log" | tr '\n' ' ')" = "READY=1 RELOADING=1 READY=1 "
	kill -TERM $dpid 2>/dev/null || true
	for i in $(seq 150); do kill -0 $dpid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $dpid 2>/dev/null; then
		fail "SIGTERM: daemon still running after 15 s"
		kill -KILL $dpid 2>/dev/null || true
	fi
	wait $dpid && rc=0 || rc=$?
	check "SIGTERM: STOPPING=1, exit 0 (exit $rc)" \
		test $rc -eq 0 -a "$(grep -cx 'STOPPING=1' "$tmp/notify.log")" -eq 1
	wait $lpid || true
	daemon_pid=
	if [ $fails -ne 0 ]; then
		echo "--- daemon log"; cat "$tmp/daemon.log"
		echo "--- notify"; cat "$tmp/notify.log"
		echo "--- bacsc-routerctl status"; cat "$tmp/ctl"
	fi
	rm -rf $rconf /run/bacsc-router $notify_dir
}

# ------------------------------------------ bacsc-router -t on the sample
if [ $daemon = yes ]; then
	check "bacsc-router --version says $version" \
		grep -qF "$version" < <(/usr/sbin/bacsc-router --version 2>&1)
	if systemd-analyze verify "$unit" >"$tmp/verify" 2>&1; then
		ok "systemd-analyze verify $unit"
	else
		# Missing man pages of other packages would show here too.
		cat "$tmp/verify"
		grep -v "Command 'man " "$tmp/verify" | grep -q . &&
			fail "systemd-analyze verify $unit" ||
			ok "systemd-analyze verify $unit (only man lookups failed)"
	fi
	# t_check OUT [runuser -u USER --]: bacsc-router -t on the sample,
	# its output in OUT (and shown), its exit status in rc.
	t_check() {
		local out=$1
		shift
		set +e
		"$@" /usr/sbin/bacsc-router -t -c $conf >"$out" 2>&1
		rc=$?
		set -e
		cat "$out"
	}
	# Fresh install: the sample is valid but for the site's TLS files,
	# which the operator provides (README.Debian).
	t_check "$tmp/t1"
	check "-t on the fresh sample: exit 78 (EX_CONFIG)" test $rc -eq 78
	check "-t on the fresh sample: only the 3 TLS files are missing" \
		test "$(grep -c . "$tmp/t1")" -eq 3 -a \
		"$(grep -cE "^$conf:[0-9]+: sc\[0\]\.tls\.(certificate|key|ca\[0\]): \"$pki/[a-z-]+\.(crt|key)\": No such file or directory\$" "$tmp/t1")" -eq 3
	# Install a (test) site PKI the way README.Debian says.
	"$top/tools/bacsc-testpki" -q -n 1 "$tmp/testpki"
	install -m 0644 "$tmp/testpki/node1.pem" $pki/router.crt
	install -m 0644 "$tmp/testpki/ca.pem" $pki/site-ca.crt
	install -o $pkg -g $pkg -m 0600 "$tmp/testpki/node1.key" $pki/router.key
	t_check "$tmp/t2" runuser -u $pkg --
	check "-t as $pkg on the sample with the site's TLS files: exit 0" test $rc -eq 0
	# As root: the key belongs to the sample's user = "bacsc-router".
	t_check "$tmp/t3"
	check "-t as root, key owned by the configured user $pkg (0600): exit 0" test $rc -eq 0
	run_daemon
	rm -f $pki/router.crt $pki/site-ca.crt $pki/router.key
else
	echo "SKIP bacsc-router -t: no daemon in this tree yet (router/main.c)"
fi

# -------------------------------------------------- upgrade (same version)
echo "== dpkg -i again over an edited conffile"
echo "# local edit (package test)" >>$conf
# The Device UUID the daemon made above (or a stand-in without it).
if [ ! -s $state/uuid ]; then
	echo "test-state" >$state/uuid
	chown $pkg:$pkg $state/uuid
fi
uuid=$(cat $state/uuid)
dpkg_do -i "$deb" || fail "dpkg -i again"
check "edited $conf kept" grep -qx '# local edit (package test)' $conf
check "no $conf.dpkg-* left" test -z "$(ls $conf.dpkg-* 2>/dev/null)"
check "$state/uuid kept" grep -qxF "$uuid" $state/uuid

# ----------------------------------------------------------------- lintian
echo "== lintian"
set +e
lintian --fail-on error --display-info "$deb" >"$tmp/lintian" 2>&1
rc=$?
set -e
grep -v 'running with root privileges' "$tmp/lintian" || true
echo "lintian: $(grep -c '^E:' "$tmp/lintian") errors, $(grep -c '^W:' "$tmp/lintian") warnings, $(grep -c '^I:' "$tmp/lintian") info"
check "lintian: no errors" test $rc -eq 0

# ---------------------------------------------------------- remove, purge
dpkg-deb --fsys-tarfile "$deb" | tar -tf - | sed -n 's|^\./|/|p' |
	grep -v '/$' >"$tmp/payload"
echo "== dpkg --remove"
dpkg_do --remove $pkg || fail "dpkg --remove"
check "after remove: $conf kept" test -f $conf
check "after remove: $state kept" test -d $state
gone=yes
while read -r f; do
	[ "$f" = "$conf" ] && continue
	[ -e "$f" ] && { echo "still there: $f"; gone=no; }
done <"$tmp/payload"
check "after remove: every other packaged file gone" test $gone = yes

echo "== dpkg --purge"
echo "kept" >$pki/test-admin-file
dpkg_do --purge $pkg || fail "dpkg --purge"
installed=no
check "dpkg knows nothing of $pkg" \
	test -z "$(dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -v not-installed)"
check "after purge: $conf gone" test ! -e $conf -a -z "$(ls $conf.* 2>/dev/null)"
check "after purge: $state gone" test ! -e $state
check "after purge: unit links gone" test -z "$(find /etc/systemd/system \
	/var/lib/systemd/deb-systemd-helper-enabled -name 'bacsc-router*' 2>/dev/null)"
check "after purge: $pki kept with the file the administrator put there" \
	test -f $pki/test-admin-file
rm -f $pki/test-admin-file
rmdir $pki /etc/bacsc-router
gone=yes
while read -r f; do
	[ -e "$f" ] && { echo "still there: $f"; gone=no; }
done <"$tmp/payload"
check "after purge: every packaged file gone" test $gone = yes
check "after purge: /usr/share/doc/$pkg gone" test ! -e /usr/share/doc/$pkg
# Debian keeps system users and groups on purge (README.Debian).
check "after purge: user and group $pkg kept (policy)" \
	getent passwd $pkg >/dev/null
echo "package test: $fails failed checks"
test $fails -eq 0
