## router: appended to librouter_a_SOURCES and friends.

# Configuration model (libconfig): load, validate, check, print.
librouter_a_SOURCES += \
	router/cfg.c router/cfg.h router/cfg_int.h \
	router/cfg_table.c router/cfg_values.c \
	router/cfg_validate.c router/cfg_print.c \
	router/cfg_check.c router/cfg_check.h
