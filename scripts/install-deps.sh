#!/bin/sh
# Install every package needed to build, test and demo bacsc-router on a
# fresh Debian 12 machine.  Run as root.  Safe to run again.
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no beforehand.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
# Wait for a dpkg lock held by another apt run rather than fail at once.
APT="apt-get -o DPkg::Lock::Timeout=300"
$APT update -qq
$APT install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config \
	libssl-dev openssl libevent-dev libconfig-dev libcunit1-dev \
	clang libclang-rt-14-dev valgrind \
	tshark iproute2 python3 ca-certificates \
	dpkg-dev debhelper lintian adduser systemd \
	>/dev/null
# Node.js for the BACnet/IP peers from npm: Debian's nodejs + npm on a plain
# Debian 12; a machine that already has a Node.js with its own npm (such as
# a NodeSource build, which conflicts with Debian's npm) keeps it.
if ! command -v node >/dev/null 2>&1; then
	$APT install -y -qq --no-install-recommends nodejs >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
	$APT install -y -qq --no-install-recommends npm >/dev/null
fi
echo "install-deps: done"
