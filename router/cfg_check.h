/*
 * The configuration check shared by `bacsc-router -t`/`-p` and the
 * cfg-check tool: load, validate, check files, then print either the
 * effective configuration or every error.
 */
#ifndef ROUTER_CFG_CHECK_H
#define ROUTER_CFG_CHECK_H

#include <stdio.h>

#define CFG_CHECK_PRINT		0x01	/* print the effective config */
#define CFG_CHECK_NO_FILES	0x02	/* skip cfg_check_files() */
#define CFG_CHECK_QUIET		0x04	/* no "configuration OK" line */

/*
 * Check the configuration file at path (borrows).  On success print the
 * effective configuration to out if CFG_CHECK_PRINT, else
 * "<path>: configuration OK" unless CFG_CHECK_QUIET, and return 0.  On
 * failure print every error to err, one per line, and return -1.
 */
int cfg_check_path(const char *path, unsigned flags, FILE *out, FILE *err);

#endif
