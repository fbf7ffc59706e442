/* The configuration check behind `bacsc-router -t`/`-p` and cfg-check. */
#include "config.h"

#include "router/cfg.h"
#include "router/cfg_check.h"

int
cfg_check_path(const char *path, unsigned flags, FILE *out, FILE *err)
{
	struct cfg_errs errs;
	struct cfg *c = NULL;
	int rc;

	cfg_errs_init(&errs);
	rc = cfg_load(path, &c, &errs);
	if (c != NULL) {
		if (cfg_validate(c, &errs) != 0)
			rc = -1;
		if (!(flags & CFG_CHECK_NO_FILES) &&
		    cfg_check_files(c, &errs) != 0)
			rc = -1;
	}
	if (rc == 0) {
		if (flags & CFG_CHECK_PRINT)
			cfg_print(c, out);
		else if (!(flags & CFG_CHECK_QUIET))
			fprintf(out, "%s: configuration OK\n", path);
	} else {
		cfg_errs_print(&errs, err);
	}
	cfg_free(c);
	cfg_errs_fini(&errs);
	return rc;
}
