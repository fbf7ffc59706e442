## npdu: NPDU header codec, network-layer message codecs, port contract.
librouter_a_SOURCES += \
	npdu/npdu_codec.c npdu/npdu_codec.h \
	npdu/port.h

UNIT_SOURCES += \
	tests/unit/test_npdu.c
