## tools: appended to librouter_a_SOURCES and friends.

# Test PKI generator (shell script over the openssl CLI).
dist_noinst_SCRIPTS = tools/bacsc-testpki
