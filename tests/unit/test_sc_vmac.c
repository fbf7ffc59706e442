/* VMAC and Device UUID helpers (sc/sc_vmac.h). */
#include "config.h"

#include <string.h>

#include "sc/sc_vmac.h"
#include "tests/unit/harness.h"

static void
test_vmac_broadcast(void)
{
	const uint8_t b[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t z[6] = { 0 };
	const uint8_t v[6] = { 0x02, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5 };
	const uint8_t almost[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };

	CU_ASSERT_TRUE(sc_vmac_is_broadcast(b));
	CU_ASSERT_TRUE(sc_vmac_is_broadcast(sc_vmac_broadcast));
	CU_ASSERT_FALSE(sc_vmac_is_broadcast(almost));
	CU_ASSERT_FALSE(sc_vmac_is_broadcast(v));
	CU_ASSERT_TRUE(sc_vmac_is_zero(z));
	CU_ASSERT_FALSE(sc_vmac_is_zero(v));
	CU_ASSERT_TRUE(sc_vmac_is_unicast(v));
	CU_ASSERT_TRUE(sc_vmac_is_unicast(almost));
	CU_ASSERT_FALSE(sc_vmac_is_unicast(b));
	CU_ASSERT_FALSE(sc_vmac_is_unicast(z));
}

static void
test_vmac_random48(void)
{
	uint8_t rnd[6], out[6];
	unsigned i, j;

	/* Every first-octet value: bits 7..4 kept, 3..0 forced to 0010. */
	for (i = 0; i < 256; i++) {
		for (j = 0; j < 6; j++)
			rnd[j] = (uint8_t)(i * 7 + j * 31);
		rnd[0] = (uint8_t)i;
		sc_vmac_random48(rnd, out);
		CU_ASSERT_EQUAL(out[0], (uint8_t)((i & 0xf0) | 0x02));
		CU_ASSERT_EQUAL(memcmp(out + 1, rnd + 1, 5), 0);
		CU_ASSERT_TRUE(sc_vmac_is_random48(out));
		CU_ASSERT_TRUE(sc_vmac_is_unicast(out));
	}
	/* All-ones and all-zero input still give a usable VMAC. */
	memset(rnd, 0xff, 6);
	sc_vmac_random48(rnd, rnd);	/* in place */
	CU_ASSERT_EQUAL(rnd[0], 0xf2);
	CU_ASSERT_TRUE(sc_vmac_is_unicast(rnd));
	memset(rnd, 0, 6);
	sc_vmac_random48(rnd, out);
	CU_ASSERT_EQUAL(out[0], 0x02);
	CU_ASSERT_TRUE(sc_vmac_is_unicast(out));
	/* An EUI-48 with another low nibble is not Random-48. */
	out[0] = 0x00;
	CU_ASSERT_FALSE(sc_vmac_is_random48(out));
	out[0] = 0x0a;
	CU_ASSERT_FALSE(sc_vmac_is_random48(out));
}

static void
test_vmac_text(void)
{
	const uint8_t v[6] = { 0x02, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5 };
	uint8_t back[6], keep[6];
	char s[SC_VMAC_STRLEN];
	static const char *const bad[] = {
		"", "02:a1:b2:c3:d4", "02:a1:b2:c3:d4:e5:", "02:a1:b2:c3:d4:e",
		"02-a1-b2-c3-d4-e5", "02a1b2c3d4e5", "0g:a1:b2:c3:d4:e5",
		" 02:a1:b2:c3:d4:e5", "02:a1:b2:c3:d4:e5 ", "2:a1:b2:c3:d4:e5f",
	};
	size_t i;

	CU_ASSERT_EQUAL(sc_vmac_format(v, s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "02:a1:b2:c3:d4:e5");
	CU_ASSERT_EQUAL(sc_vmac_parse(s, back), 0);
	CU_ASSERT_EQUAL(memcmp(back, v, 6), 0);
	CU_ASSERT_EQUAL(sc_vmac_parse("FF:ff:Ff:fF:FF:ff", back), 0);
	CU_ASSERT_TRUE(sc_vmac_is_broadcast(back));
	CU_ASSERT_EQUAL(sc_vmac_format(v, s, SC_VMAC_STRLEN - 1), -1);
	CU_ASSERT_STRING_EQUAL(s, "");
	memcpy(keep, v, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(back, v, 6);
		CU_ASSERT_EQUAL(sc_vmac_parse(bad[i], back), -1);
		CU_ASSERT_EQUAL(memcmp(back, keep, 6), 0);
	}
}

static void
test_uuid_text(void)
{
	/* digest E4 */
	const uint8_t u[16] = { 0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4,
	    0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0x00, 0x00 };
	uint8_t back[16];
	char s[SC_UUID_STRLEN];
	static const char *const bad[] = {
		"", "550e8400e29b41d4a716446655440000",
		"550e8400-e29b-41d4-a716-44665544000",
		"550e8400-e29b-41d4-a716-4466554400000",
		"550e8400-e29b-41d4a-716-446655440000",
		"550e8400-e29b-41d4-a716_446655440000",
		"550e840x-e29b-41d4-a716-446655440000",
		"{550e8400-e29b-41d4-a716-446655440000}",
	};
	size_t i;

	CU_ASSERT_EQUAL(sc_uuid_format(u, s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "550e8400-e29b-41d4-a716-446655440000");
	CU_ASSERT_EQUAL(sc_uuid_parse(s, back), 0);
	CU_ASSERT_EQUAL(memcmp(back, u, 16), 0);
	memset(back, 0, 16);
	CU_ASSERT_EQUAL(sc_uuid_parse("550E8400-E29B-41D4-A716-446655440000",
	    back), 0);
	CU_ASSERT_EQUAL(memcmp(back, u, 16), 0);
	CU_ASSERT_EQUAL(sc_uuid_format(u, s, SC_UUID_STRLEN - 1), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(back, 0xaa, 16);
		CU_ASSERT_EQUAL(sc_uuid_parse(bad[i], back), -1);
		CU_ASSERT_EQUAL(back[0], 0xaa);
	}
}

static void
test_uuid_roundtrip_all_octets(void)
{
	uint8_t u[16], back[16];
	char s[SC_UUID_STRLEN];
	unsigned i, j;

	for (i = 0; i < 256; i += 15) {
		for (j = 0; j < 16; j++)
			u[j] = (uint8_t)(i + j * 17);
		CU_ASSERT_EQUAL(sc_uuid_format(u, s, sizeof(s)), 0);
		CU_ASSERT_EQUAL(strlen(s), 36);
		CU_ASSERT_EQUAL(sc_uuid_parse(s, back), 0);
		CU_ASSERT_EQUAL(memcmp(back, u, 16), 0);
	}
}

static const struct ut_case cases[] = {
	UT_CASE(test_vmac_broadcast),
	UT_CASE(test_vmac_random48),
	UT_CASE(test_vmac_text),
	UT_CASE(test_uuid_text),
	UT_CASE(test_uuid_roundtrip_all_octets),
	UT_END
};
UT_SUITE(sc_vmac, cases);
