## tools: operator tools.
## bacsc-decode: hex in, JSON out.  One printer per protocol layer
## (tools/decode.h); the datalinks add decode_sc.c / decode_bip.c here.
bin_PROGRAMS += tools/bacsc-decode
tools_bacsc_decode_SOURCES = tools/bacsc-decode.c tools/decode.h \
	tools/decode_npdu.c tools/decode_bip.c

TESTS += tests/tools/test-bacsc-decode.sh
EXTRA_DIST += tests/tools/test-bacsc-decode.sh tests/tools/decode-env.sh \
	tests/tools/decode_check.py
dist_man_MANS += tools/bacsc-decode.1
tools_bacsc_decode_SOURCES += tools/decode_sc.c
TESTS += tests/tools/test-sc-decode.sh
EXTRA_DIST += tests/tools/test-sc-decode.sh

# cfg-check: the configuration checker the golden tests run.
noinst_PROGRAMS += tools/cfg-check
tools_cfg_check_SOURCES = tools/cfg-check.c

# bacsc-testpki: the test PKI generator (shell over the openssl CLI) used
# by the tests, the demo and the certificate tooling; installed in
# pkglibexecdir, where `bacsc-cert testpki` finds it.
dist_pkglibexec_SCRIPTS = tools/bacsc-testpki

# bacsc-cert: keys, CSRs, install checks, show, and the lab PKI (runs
# bacsc-testpki, which is installed in pkglibexecdir for it).
bin_PROGRAMS += tools/bacsc-cert
tools_bacsc_cert_SOURCES = tools/bacsc-cert.c
tools_bacsc_cert_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBACSC_PKGLIBEXECDIR='"$(pkglibexecdir)"' \
	-DBACSC_DEFAULT_CONF='"$(sysconfdir)/bacsc-router.conf"'
dist_man_MANS += tools/bacsc-cert.1
TESTS += tests/tools/test-bacsc-cert.sh
EXTRA_DIST += tests/tools/test-bacsc-cert.sh

# bacsc-scdev: a small BACnet/SC device (Device + Analog Value) on the
# application layer and the SC node, for the end-to-end tests and the demo.
bin_PROGRAMS += tools/bacsc-scdev
tools_bacsc_scdev_SOURCES = tools/bacsc-scdev.c
