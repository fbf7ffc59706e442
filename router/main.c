/* bacsc-router: main() only; everything else is in librouter.a. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "router/cfg_check.h"
#include "router/daemon.h"

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dmn_opts o = { DMN_DEFAULT_CONF, false, false };
	bool check = false, print = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:tpfdh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			o.conf_path = optarg;
			o.conf_given = true;
			break;
		case 't':
			check = true;
			break;
		case 'p':
			print = true;
			break;
		case 'f':
			break;
		case 'd':
			o.debug = true;
			break;
		case 'V':
			printf("bacsc-router %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			dmn_usage(stdout);
			return 0;
		default:
			dmn_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		dmn_usage(stderr);
		return 2;
	}
	if (check || print) {
		if (access(o.conf_path, F_OK) != 0 && errno == ENOENT) {
			dmn_explain_missing(o.conf_path);
			return DMN_EXIT_CONFIG;
		}
		return cfg_check_path(o.conf_path, print ? CFG_CHECK_PRINT : 0,
		    stdout, stderr) == 0 ? 0 : DMN_EXIT_CONFIG;
	}
	return dmn_run(&o);
}
