/* The vector reader itself, on the three shipped files. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "tests/unit/vecfile.h"

static void
check_file(const char *rel, const char *kind, size_t want_total,
    size_t want_valid)
{
	struct vec_file vf;
	char err[256];
	size_t i, valid = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath(rel), &vf, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(vf.n, want_total);
	for (i = 0; i < vf.n; i++) {
		CU_ASSERT_STRING_EQUAL(vf.rec[i].kind, kind);
		CU_ASSERT_TRUE(vf.rec[i].len > 0);
		if (vf.rec[i].valid)
			valid++;
		else
			CU_ASSERT_PTR_NOT_NULL(vec_get(&vf.rec[i], "error"));
	}
	CU_ASSERT_EQUAL(valid, want_valid);
	vec_file_free(&vf);
}

static void
test_vec_counts(void)
{
	/* Counts from tests/vectors/README.md. */
	check_file("vectors/sc.vec", "sc", 57, 34);
	check_file("vectors/npdu.vec", "npdu", 48, 31);
	check_file("vectors/bip.vec", "bip", 35, 23);
}

static void
test_vec_values(void)
{
	struct vec_file vf;
	char err[256];
	const struct vec_record *r = NULL;
	uint8_t mac[8];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/sc.vec"), &vf,
	    err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++)
		if (strcmp(vf.rec[i].name, "sc-e4-connect-request") == 0)
			r = &vf.rec[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->bytes[0], 0x06);
	CU_ASSERT_EQUAL(vec_get_int(r, "function"), 6);
	CU_ASSERT_EQUAL(vec_get_int(r, "msgid"), 1);
	CU_ASSERT_EQUAL(vec_get_bytes(r, "vmac", mac, sizeof(mac)), 6);
	CU_ASSERT_EQUAL(mac[0], 0x02);
	CU_ASSERT_EQUAL(vec_get_int(r, "no-such-key"), -1);
	vec_file_free(&vf);
}

static void
test_vec_bad_file(void)
{
	struct vec_file vf;
	char err[256];

	CU_ASSERT_EQUAL(vec_file_load("/nonexistent/x.vec", &vf, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "x.vec"));
}

static const struct ut_case cases[] = {
	UT_CASE(test_vec_counts),
	UT_CASE(test_vec_values),
	UT_CASE(test_vec_bad_file),
	UT_END
};
UT_SUITE(vecfile, cases);
