## router: appended to librouter_a_SOURCES and friends.
## No main() here: the daemon's main comes with its own issue.
librouter_a_SOURCES += \
	router/rtr_table.c router/rtr_table.h

UNIT_SOURCES += \
	tests/unit/test_rtr_table.c
