/*
 * Fuzz the configuration loader and validator: parse arbitrary text with
 * libconfig (config_read_string), load, validate.  For every valid input
 * the printed configuration must load and validate again, print the same
 * text, and reload onto itself without restart-only changes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks its string buffer when a syntax error interrupts a
 * string (e.g. `a = "x" "y` at the end of the text); not ours to fix.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char *
print_str(const struct cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		abort();
	cfg_print(c, fp);
	fclose(fp);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errs e;
	struct cfg *c = NULL, *c2 = NULL;
	char *text, *p1 = NULL, *p2 = NULL;

	/* @include would read arbitrary files; NUL ends the text early */
	if (size > 65536 || memchr(data, '@', size) != NULL ||
	    memchr(data, '\0', size) != NULL)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg_errs_init(&e);
	if (cfg_load_string(text, "fuzz.conf", &c, &e) == 0 &&
	    cfg_validate(c, &e) == 0) {
		p1 = print_str(c);
		if (cfg_load_string(p1, "printed.conf", &c2, &e) != 0 ||
		    cfg_validate(c2, &e) != 0) {
			cfg_errs_print(&e, stderr);
			fprintf(stderr, "printed configuration:\n%s", p1);
			abort();
		}
		p2 = print_str(c2);
		if (strcmp(p1, p2) != 0 || cfg_check_reload(c, c2, &e) != 0)
			abort();
	} else if (c != NULL) {
		/* partial configurations must still print and free cleanly */
		p1 = print_str(c);
	}
	free(p1);
	free(p2);
	cfg_free(c);
	cfg_free(c2);
	cfg_errs_fini(&e);
	free(text);
	return 0;
}
