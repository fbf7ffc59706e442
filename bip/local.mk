## bip: appended to librouter_a_SOURCES and friends.
librouter_a_SOURCES += \
	bip/bvlc_codec.c bip/bvlc_codec.h \
	bip/bip_bbmd_fsm.c bip/bip_bbmd_fsm.h \
	bip/bip_fd_fsm.c bip/bip_fd_fsm.h \
	bip/bip_io.c bip/bip_io.h

UNIT_SOURCES += \
	tests/unit/test_bvlc.c \
	tests/unit/test_bip_bbmd.c \
	tests/unit/test_bip_fd.c
