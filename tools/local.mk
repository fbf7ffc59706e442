## tools: appended to librouter_a_SOURCES and friends.

# cfg-check: the configuration checker the golden tests run.
noinst_PROGRAMS += tools/cfg-check
tools_cfg_check_SOURCES = tools/cfg-check.c
