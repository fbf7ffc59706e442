/* The JSON writer: exact output, escaping, errors, overflow, FILE*. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/jsonw.h"
#include "tests/unit/harness.h"

/* Write the sample document used by several cases. */
static void
sample(struct jw *w)
{
	static const uint8_t mac[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };

	jw_obj_begin(w);
	jw_kv_int(w, "a", -5);
	jw_kv_uint(w, "b", 65535);
	jw_kv_bool(w, "t", true);
	jw_key(w, "n");
	jw_null(w);
	jw_kv_hex(w, "mac", mac, 6, ':');
	jw_kv_hex(w, "apdu", mac, 2, '\0');
	jw_key(w, "list");
	jw_arr_begin(w);
	jw_uint(w, 1);
	jw_str(w, "x");
	jw_obj_begin(w);
	jw_obj_end(w);
	jw_arr_begin(w);
	jw_arr_end(w);
	jw_arr_end(w);
	jw_kv_str(w, "s", "q\"b\\");
	jw_obj_end(w);
}

static const char sample_json[] =
    "{\"a\":-5,\"b\":65535,\"t\":true,\"n\":null,"
    "\"mac\":\"c0:a8:01:0a:ba:c0\",\"apdu\":\"c0a8\","
    "\"list\":[1,\"x\",{},[]],\"s\":\"q\\\"b\\\\\"}";

static void
test_jw_compact(void)
{
	char buf[512];
	struct jw w;

	jw_init_buf(&w, buf, sizeof(buf));
	sample(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), 0);
	CU_ASSERT_STRING_EQUAL(buf, sample_json);
	CU_ASSERT_EQUAL(w.len, strlen(sample_json));
}

static void
test_jw_pretty(void)
{
	char buf[256];
	struct jw w;

	jw_init_buf(&w, buf, sizeof(buf));
	jw_set_pretty(&w, true);
	jw_obj_begin(&w);
	jw_kv_int(&w, "a", 1);
	jw_key(&w, "l");
	jw_arr_begin(&w);
	jw_int(&w, 2);
	jw_int(&w, 3);
	jw_arr_end(&w);
	jw_key(&w, "e");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), 0);
	CU_ASSERT_STRING_EQUAL(buf,
	    "{\n  \"a\": 1,\n  \"l\": [\n    2,\n    3\n  ],\n  \"e\": []\n}");
}

static void
test_jw_escapes(void)
{
	char buf[256];
	struct jw w;

	jw_init_buf(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_str(&w, "a\nb\tc\rd\be\ff\x01g\x1f");
	jw_str(&w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");	/* valid */
	jw_str(&w, "\xff\xc3(\xed\xa0\x80\xe0\x80\x80");	/* invalid */
	jw_strn(&w, "a\0b", 3);
	jw_double(&w, 0.5);
	jw_double(&w, INFINITY);
	jw_int(&w, -9223372036854775807LL - 1);
	jw_uint(&w, 18446744073709551615ULL);
	jw_arr_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), 0);
	CU_ASSERT_STRING_EQUAL(buf,
	    "[\"a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001f\","
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
	    "\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\","
	    "\"a\\u0000b\",0.5,null,-9223372036854775808,"
	    "18446744073709551615]");
}

/* Misuse is an error reported by jw_finish, never a crash. */
static void
test_jw_misuse(void)
{
	char buf[128];
	struct jw w;
	unsigned i;

	jw_init_buf(&w, buf, sizeof(buf));		/* no key */
	jw_obj_begin(&w);
	jw_int(&w, 1);
	jw_obj_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* key in an array */
	jw_arr_begin(&w);
	jw_key(&w, "k");
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* mismatched end */
	jw_arr_begin(&w);
	jw_obj_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* unclosed */
	jw_obj_begin(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* no value */
	jw_obj_begin(&w);
	jw_key(&w, "k");
	jw_obj_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* two values */
	jw_int(&w, 1);
	jw_int(&w, 2);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);
	CU_ASSERT_STRING_EQUAL(buf, "1");

	jw_init_buf(&w, buf, sizeof(buf));		/* nothing */
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* too deep */
	for (i = 0; i <= JW_DEPTH_MAX; i++)
		jw_arr_begin(&w);
	CU_ASSERT_TRUE(w.err);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);

	jw_init_buf(&w, buf, sizeof(buf));		/* deepest allowed */
	for (i = 0; i < JW_DEPTH_MAX; i++)
		jw_arr_begin(&w);
	for (i = 0; i < JW_DEPTH_MAX; i++)
		jw_arr_end(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), 0);
}

/* Every buffer size short of the document overflows cleanly. */
static void
test_jw_overflow(void)
{
	char buf[512];
	size_t need = strlen(sample_json) + 1, cap;
	struct jw w;

	for (cap = 1; cap <= need; cap++) {
		memset(buf, 'Z', sizeof(buf));
		jw_init_buf(&w, buf, cap);
		sample(&w);
		CU_ASSERT_EQUAL(jw_finish(&w), cap < need ? -1 : 0);
		CU_ASSERT_TRUE(strlen(buf) < cap);
		CU_ASSERT_EQUAL(strncmp(buf, sample_json, strlen(buf)), 0);
		CU_ASSERT_EQUAL(buf[cap], 'Z');	/* nothing past cap */
	}
	jw_init_buf(&w, buf, 0);
	CU_ASSERT_EQUAL(jw_finish(&w), -1);
}

static void
test_jw_file(void)
{
	char buf[512];
	FILE *f = tmpfile();
	struct jw w;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	jw_init_file(&w, f);
	sample(&w);
	CU_ASSERT_EQUAL(jw_finish(&w), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, sample_json);
	fclose(f);
}

static const struct ut_case cases[] = {
	UT_CASE(test_jw_compact),
	UT_CASE(test_jw_pretty),
	UT_CASE(test_jw_escapes),
	UT_CASE(test_jw_misuse),
	UT_CASE(test_jw_overflow),
	UT_CASE(test_jw_file),
	UT_END
};
UT_SUITE(jsonw, cases);
