#include "config.h"

#include <string.h>

#include "lib/hex.h"
#include "tests/unit/harness.h"

static void
test_hex_decode_forms(void)
{
	static const uint8_t want[] = { 0x02, 0xa1, 0xb2, 0xc3 };
	uint8_t out[8];

	CU_ASSERT_EQUAL(hex_decode("02A1b2C3", out, sizeof(out), NULL), 4);
	UT_ASSERT_BYTES(out, 4, want, 4);
	CU_ASSERT_EQUAL(hex_decode("02 a1\tB2\nc3", out, sizeof(out), NULL), 4);
	UT_ASSERT_BYTES(out, 4, want, 4);
	CU_ASSERT_EQUAL(hex_decode("02:a1:b2:c3", out, sizeof(out), NULL), 4);
	UT_ASSERT_BYTES(out, 4, want, 4);
	CU_ASSERT_EQUAL(hex_decode("", out, sizeof(out), NULL), 0);
}

static void
test_hex_decode_errors(void)
{
	uint8_t out[2];
	size_t off = 99;

	CU_ASSERT_EQUAL(hex_decode("0", out, sizeof(out), &off), -1);
	CU_ASSERT_EQUAL(off, 1);
	CU_ASSERT_EQUAL(hex_decode("0g", out, sizeof(out), &off), -1);
	CU_ASSERT_EQUAL(off, 1);
	CU_ASSERT_EQUAL(hex_decode("0 1", out, sizeof(out), &off), -1);
	CU_ASSERT_EQUAL(off, 1);
	CU_ASSERT_EQUAL(hex_decode("010203", out, sizeof(out), &off), -1);
	CU_ASSERT_EQUAL(off, 5);
}

static void
test_hex_encode(void)
{
	static const uint8_t in[] = { 0x00, 0x7f, 0xff };
	char out[16];

	CU_ASSERT_EQUAL(hex_encode(in, 3, '\0', out, sizeof(out)), 6);
	CU_ASSERT_STRING_EQUAL(out, "007fff");
	CU_ASSERT_EQUAL(hex_encode(in, 3, ':', out, sizeof(out)), 8);
	CU_ASSERT_STRING_EQUAL(out, "00:7f:ff");
	CU_ASSERT_EQUAL(hex_encode(in, 0, ':', out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(hex_encode(in, 3, ':', out, 8), -1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(hex_encode(in, 3, ':', out, 9), 8);
}

static const struct ut_case cases[] = {
	UT_CASE(test_hex_decode_forms),
	UT_CASE(test_hex_decode_errors),
	UT_CASE(test_hex_encode),
	UT_END
};
UT_SUITE(hex, cases);
