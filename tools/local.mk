## tools: operator tools.
## bacsc-decode: hex in, JSON out.  One printer per protocol layer
## (tools/decode.h); the datalinks add decode_sc.c / decode_bip.c here.
bin_PROGRAMS += tools/bacsc-decode
tools_bacsc_decode_SOURCES = tools/bacsc-decode.c tools/decode.h \
	tools/decode_npdu.c

TESTS += tests/tools/test-bacsc-decode.sh
EXTRA_DIST += tests/tools/test-bacsc-decode.sh
dist_man_MANS += tools/bacsc-decode.1
