/*
 * The unit-test runner: registers every suite of suites.def and runs them
 * (or only those named on the command line).  Exits non-zero on any
 * failure or CUnit error.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "tests/unit/harness.h"

#define UT_SUITE_ENTRY(nm) extern const struct ut_suite ut_suite_##nm;
#include "tests/unit/suites.def"
#undef UT_SUITE_ENTRY

static const struct ut_suite *const ut_all[] = {
#define UT_SUITE_ENTRY(nm) &ut_suite_##nm,
#include "tests/unit/suites.def"
#undef UT_SUITE_ENTRY
};

const char *
ut_srcpath(const char *rel)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/%s", top != NULL ? top : ".",
	    rel);
	return path;
}

size_t
ut_unhex(const char *text, uint8_t *buf, size_t cap)
{
	long n = hex_decode(text, buf, cap, NULL);

	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n;
}

int
ut_bytes_equal(const void *a, size_t alen, const void *b, size_t blen,
    const char *file, int line)
{
	char ha[256], hb[256];
	size_t n = alen < blen ? alen : blen;

	if (alen == blen && (n == 0 || memcmp(a, b, n) == 0))
		return 1;
	hex_encode(a, alen < 100 ? alen : 100, ' ', ha, sizeof(ha));
	hex_encode(b, blen < 100 ? blen : 100, ' ', hb, sizeof(hb));
	fprintf(stderr, "\n%s:%d: bytes differ (%zu vs %zu octets)\n  got:  %s\n"
	    "  want: %s\n", file, line, alen, blen, ha, hb);
	return 0;
}

static int
ut_selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned failures;
	size_t i;
	int rc;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < sizeof(ut_all) / sizeof(ut_all[0]); i++) {
		const struct ut_suite *s = ut_all[i];
		const struct ut_case *c;
		CU_pSuite cs;

		if (!ut_selected(argc, argv, s->name))
			continue;
		cs = CU_add_suite(s->name, s->init, s->fini);
		if (cs == NULL)
			goto cu_error;
		for (c = s->cases; c->name != NULL; c++)
			if (CU_add_test(cs, c->name, c->fn) == NULL)
				goto cu_error;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto cu_error;
	failures = CU_get_number_of_failures() +
	    CU_get_number_of_suites_failed() + CU_get_number_of_tests_failed();
	rc = failures > 0 ? 1 : 0;
	if (CU_get_number_of_tests_run() == 0)
		rc = 1;
	CU_cleanup_registry();
	printf("\n");
	return rc;
cu_error:
	fprintf(stderr, "CUnit error: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 2;
}
