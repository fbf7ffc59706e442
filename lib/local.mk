librouter_a_SOURCES += \
	lib/bytes.c lib/bytes.h \
	lib/codec.h \
	lib/clock.c lib/clock.h \
	lib/hex.c lib/hex.h \
	lib/log.c lib/log.h \
	lib/ratelim.c lib/ratelim.h
librouter_a_SOURCES += lib/jsonw.c lib/jsonw.h
UNIT_SOURCES += tests/unit/test_jsonw.c
librouter_a_SOURCES += lib/txwin.c lib/txwin.h
UNIT_SOURCES += tests/unit/test_txwin.c
