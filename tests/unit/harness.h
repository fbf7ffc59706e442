/*
 * Unit-test harness: every module's test file defines one suite with
 * UT_SUITE(name, cases...) and is listed once in suites.def.
 */
#ifndef TESTS_UNIT_HARNESS_H
#define TESTS_UNIT_HARNESS_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

struct ut_case {
	const char	*name;
	void		(*fn)(void);
};

struct ut_suite {
	const char		*name;
	const struct ut_case	*cases;
	int			(*init)(void);	/* may be NULL */
	int			(*fini)(void);	/* may be NULL */
};

#define UT_CASE(f)	{ #f, f }
#define UT_END		{ NULL, NULL }

/* Define the suite ut_suite_NAME from a case table ending with UT_END. */
#define UT_SUITE(nm, table)						\
	const struct ut_suite ut_suite_##nm = { #nm, table, NULL, NULL }
#define UT_SUITE_FIXTURE(nm, table, in, fi)				\
	const struct ut_suite ut_suite_##nm = { #nm, table, in, fi }

/* Path of a file under the source tree's tests/ folder (static buffer). */
const char *ut_srcpath(const char *rel);

/* Decode hex text (lib/hex.h) into buf; a fatal failure if it is not. */
size_t ut_unhex(const char *text, uint8_t *buf, size_t cap);

/* Compare two byte arrays and report the first difference on failure. */
#define UT_ASSERT_BYTES(a, alen, b, blen)				\
	CU_ASSERT_TRUE(ut_bytes_equal((a), (alen), (b), (blen), __FILE__, __LINE__))
int ut_bytes_equal(const void *a, size_t alen, const void *b, size_t blen,
    const char *file, int line);

#endif
