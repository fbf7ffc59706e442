/*
 * File names in the configuration are relative to the folder of the main
 * configuration file, not to the working directory of whoever reads it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/cfg_int.h"

const char *
cfg_path_of(const struct cfg *c, const char *file, char *buf, size_t len)
{
	int n;

	if (file[0] == '/' || c->dir == NULL)
		n = snprintf(buf, len, "%s", file);
	else
		n = snprintf(buf, len, "%s/%s", c->dir, file);
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

/* Rewrite *file (owned) as the name to open; 0, or -1 on OOM. */
static int
resolve(const struct cfg *c, char **file)
{
	char *abs;
	size_t len;

	if (*file == NULL || (*file)[0] == '/' || c->dir == NULL)
		return 0;
	len = strlen(c->dir) + strlen(*file) + 2;
	if ((abs = malloc(len)) == NULL)
		return -1;
	(void)cfg_path_of(c, *file, abs, len);
	free(*file);
	*file = abs;
	return 0;
}

int
cfg_resolve_paths(struct cfg *c, struct cfg_errs *e)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < c->n_sc; i++) {
		struct cfg_tls *t = &c->sc[i].tls;

		rc |= resolve(c, &t->certificate);
		rc |= resolve(c, &t->key);
		rc |= resolve(c, &t->crl);
		for (k = 0; k < t->ca.n; k++)
			rc |= resolve(c, &t->ca.v[k]);
	}
	rc |= resolve(c, &c->state_dir);
	rc |= resolve(c, &c->pidfile);
	rc |= resolve(c, &c->control.socket);
	if (rc != 0)
		cfg_err_add(e, c->file, NULL, "out of memory");
	return rc;
}
