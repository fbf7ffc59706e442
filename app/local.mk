## app: BACnet application layer (APDU codec, object model, services).
librouter_a_SOURCES += \
	app/apdu_codec.c app/apdu_codec.h \
	app/app_ids.h \
	app/app_obj.c app/app_obj.h \
	app/app.c app/app.h

UNIT_SOURCES += \
	tests/unit/test_apdu.c \
	tests/unit/test_app.c \
	tests/unit/test_app_props.c

FUZZ_TARGETS += apdu
check_PROGRAMS += tests/fuzz/replay-apdu
tests_fuzz_replay_apdu_SOURCES = tests/fuzz/fuzz_apdu.c tests/fuzz/replay_main.c
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-apdu
tests_fuzz_fuzz_apdu_SOURCES = tests/fuzz/fuzz_apdu.c
tests_fuzz_fuzz_apdu_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

## End to end: the answers decode in tshark (make check-e2e).
noinst_PROGRAMS += tests/e2e/app-replay
tests_e2e_app_replay_SOURCES = tests/e2e/app_replay.c
E2E_TESTS += tests/e2e/app-tshark.sh
EXTRA_DIST += tests/e2e/app-tshark.sh
noinst_PROGRAMS += tests/e2e/app-udp
tests_e2e_app_udp_SOURCES = tests/e2e/app_udp.c
E2E_TESTS += tests/e2e/app-npm.sh
EXTRA_DIST += tests/e2e/app-npm.sh tests/e2e/app_client.js
## The real daemon's own device, from @bacnet-js/client, with hub failover.
E2E_TESTS += tests/e2e/daemon-device.sh
EXTRA_DIST += tests/e2e/daemon-device.sh tests/e2e/daemon_device.js \
	tests/e2e/netport_check.js tests/e2e/netport_expect.py
## Its B/IP Network Ports on veth interfaces in a namespace (needs root).
E2E_TESTS += tests/e2e/daemon-netport.sh
EXTRA_DIST += tests/e2e/daemon-netport.sh tests/e2e/daemon_netport.js
