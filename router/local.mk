## router: appended to librouter_a_SOURCES and friends.
## No main() here: the daemon's main comes with its own issue.
librouter_a_SOURCES += \
	router/rtr_table.c router/rtr_table.h \
	router/rtr.c router/rtr.h

UNIT_SOURCES += \
	tests/unit/rtr_testport.c tests/unit/rtr_testport.h \
	tests/unit/test_rtr_table.c \
	tests/unit/test_rtr.c
