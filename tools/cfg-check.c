/*
 * cfg-check: check a bacsc-router configuration file and print either the
 * effective configuration (-p) or every error.  Exit 0 if it is valid, 1
 * if not, 2 on usage errors.  The golden tests in tests/conf/ run it.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "router/cfg_check.h"

static void
usage(void)
{
	fprintf(stderr, "usage: cfg-check [-p] [-F] [-q] file\n"
	    "  -p  print the effective configuration\n"
	    "  -F  do not check the TLS files\n"
	    "  -q  print nothing when the file is valid\n");
}

int
main(int argc, char **argv)
{
	unsigned flags = 0;
	int ch;

	while ((ch = getopt(argc, argv, "pFq")) != -1) {
		switch (ch) {
		case 'p':
			flags |= CFG_CHECK_PRINT;
			break;
		case 'F':
			flags |= CFG_CHECK_NO_FILES;
			break;
		case 'q':
			flags |= CFG_CHECK_QUIET;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	return cfg_check_path(argv[optind], flags, stdout, stderr) == 0 ? 0 : 1;
}
