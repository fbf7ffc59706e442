#include "config.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/codec.h"
#include "tests/unit/harness.h"

static void
test_rd_integers(void)
{
	static const uint8_t in[] = { 0x81, 0x0a, 0x00, 0x12, 0x34, 0x56,
		0xde, 0xad, 0xbe, 0xef };
	struct rd r;
	uint8_t a;
	uint16_t b;
	uint32_t c, d;

	rd_init(&r, in, sizeof(in));
	CU_ASSERT_EQUAL(rd_u8(&r, &a), 0);
	CU_ASSERT_EQUAL(a, 0x81);
	CU_ASSERT_EQUAL(rd_u16(&r, &b), 0);
	CU_ASSERT_EQUAL(b, 0x0a00);
	CU_ASSERT_EQUAL(rd_u24(&r, &c), 0);
	CU_ASSERT_EQUAL(c, 0x123456);
	CU_ASSERT_EQUAL(rd_u32(&r, &d), 0);
	CU_ASSERT_EQUAL(d, 0xdeadbeef);
	CU_ASSERT_EQUAL(r.left, 0);
	CU_ASSERT_EQUAL(rd_offset(&r, in), sizeof(in));
}

/* A read that does not fit is refused, consumes nothing, writes nothing. */
static void
test_rd_past_end(void)
{
	static const uint8_t in[] = { 1, 2, 3 };
	struct rd r;
	uint32_t v = 0x55555555;
	uint16_t s = 0x5555;
	uint8_t out[4] = { 9, 9, 9, 9 };
	const uint8_t *view = NULL;

	rd_init(&r, in, sizeof(in));
	CU_ASSERT_EQUAL(rd_u32(&r, &v), -1);
	CU_ASSERT_EQUAL(v, 0x55555555);
	CU_ASSERT_EQUAL(r.left, 3);
	CU_ASSERT_EQUAL(rd_bytes(&r, out, 4), -1);
	CU_ASSERT_EQUAL(out[0], 9);
	CU_ASSERT_EQUAL(rd_view(&r, &view, 4), -1);
	CU_ASSERT_PTR_NULL(view);
	CU_ASSERT_EQUAL(rd_skip(&r, 4), -1);
	CU_ASSERT_EQUAL(rd_u24(&r, &v), 0);
	CU_ASSERT_EQUAL(v, 0x010203);
	CU_ASSERT_EQUAL(rd_u16(&r, &s), -1);
	CU_ASSERT_EQUAL(rd_u8(&r, out), -1);
	CU_ASSERT_EQUAL(rd_view(&r, &view, 0), 0);
	CU_ASSERT_EQUAL(rd_bytes(&r, out, 0), 0);
}

static void
test_rd_view_borrows(void)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5 };
	struct rd r;
	const uint8_t *v;

	rd_init(&r, in, sizeof(in));
	CU_ASSERT_EQUAL(rd_skip(&r, 1), 0);
	CU_ASSERT_EQUAL(rd_view(&r, &v, 3), 0);
	CU_ASSERT_PTR_EQUAL(v, in + 1);
	CU_ASSERT_EQUAL(r.left, 1);
}

static void
test_rd_null_buffer(void)
{
	struct rd r;
	uint8_t v;

	rd_init(&r, NULL, 10);
	CU_ASSERT_EQUAL(r.left, 0);
	CU_ASSERT_EQUAL(rd_u8(&r, &v), -1);
}

static void
test_wr_integers(void)
{
	static const uint8_t want[] = { 0x81, 0x0a, 0x00, 0x12, 0x34, 0x56,
		0xde, 0xad, 0xbe, 0xef, 'h', 'i' };
	uint8_t buf[32];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x81);
	wr_u16(&w, 0x0a00);
	wr_u24(&w, 0x123456);
	wr_u32(&w, 0xdeadbeef);
	wr_bytes(&w, "hi", 2);
	CU_ASSERT_EQUAL(wr_status(&w), 0);
	UT_ASSERT_BYTES(buf, w.len, want, sizeof(want));
}

/* The first write that does not fit sets the sticky flag; none passes cap. */
static void
test_wr_overflow_sticky(void)
{
	uint8_t buf[8];
	struct wr w;

	memset(buf, 0xee, sizeof(buf));
	wr_init(&w, buf, 3);
	wr_u16(&w, 0x0102);
	CU_ASSERT_EQUAL(wr_status(&w), 0);
	wr_u16(&w, 0x0304);
	CU_ASSERT_EQUAL(wr_status(&w), -1);
	CU_ASSERT_EQUAL(w.len, 2);
	wr_u8(&w, 0x05);	/* would fit, but overflow is sticky */
	CU_ASSERT_EQUAL(w.len, 2);
	CU_ASSERT_EQUAL(buf[2], 0xee);
	CU_ASSERT_EQUAL(buf[3], 0xee);
	CU_ASSERT_EQUAL(wr_status(&w), -1);
}

static void
test_wr_each_width_overflows(void)
{
	uint8_t buf[4];
	struct wr w;

	wr_init(&w, buf, 0);
	wr_u8(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
	wr_init(&w, buf, 1);
	wr_u16(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
	wr_init(&w, buf, 2);
	wr_u24(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
	wr_init(&w, buf, 3);
	wr_u32(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
	wr_init(&w, buf, 4);
	wr_bytes(&w, "abcde", 5);
	CU_ASSERT_TRUE(w.overflow);
	CU_ASSERT_EQUAL(w.len, 0);
	wr_init(&w, NULL, 4);
	wr_u8(&w, 1);
	CU_ASSERT_TRUE(w.overflow);
}

static void
test_wr_reserve_patch(void)
{
	uint8_t buf[4];
	uint8_t *len;
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	len = wr_reserve(&w, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(len);
	wr_u16(&w, 0xabcd);
	be16_store(len, (uint16_t)w.len);
	CU_ASSERT_EQUAL(be16_load(buf), 4);
	CU_ASSERT_PTR_NULL(wr_reserve(&w, 1));
	CU_ASSERT_EQUAL(wr_status(&w), -1);
}

static void
test_codec_rc_names(void)
{
	CU_ASSERT_STRING_EQUAL(codec_rc_name(CODEC_OK), "ok");
	CU_ASSERT_STRING_EQUAL(codec_rc_name(CODEC_SHORT), "short");
	CU_ASSERT_STRING_EQUAL(codec_rc_name(CODEC_MALFORMED), "malformed");
	CU_ASSERT_STRING_EQUAL(codec_rc_name(CODEC_UNSUPPORTED), "unsupported");
}

static const struct ut_case cases[] = {
	UT_CASE(test_rd_integers),
	UT_CASE(test_rd_past_end),
	UT_CASE(test_rd_view_borrows),
	UT_CASE(test_rd_null_buffer),
	UT_CASE(test_wr_integers),
	UT_CASE(test_wr_overflow_sticky),
	UT_CASE(test_wr_each_width_overflows),
	UT_CASE(test_wr_reserve_patch),
	UT_CASE(test_codec_rc_names),
	UT_END
};
UT_SUITE(bytes, cases);
