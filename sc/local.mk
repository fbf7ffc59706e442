## sc: appended to librouter_a_SOURCES and friends.
librouter_a_SOURCES += \
	sc/sc_hubconn_fsm.c sc/sc_hubconn_fsm.h

UNIT_SOURCES += \
	tests/unit/test_sc_hubconn.c
