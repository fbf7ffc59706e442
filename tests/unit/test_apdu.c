/*
 * APDU codec: application and context tags of every datatype, APDU headers.
 *
 * Byte vectors: the worked examples of ASHRAE 135 clause 20.2.2-20.2.15 and
 * Annex E as reproduced in BACnet4J's unit tests (RadixIoT/BACnet4J,
 * src/test/java/com/serotonin/bacnet4j/type/type/EncodableTest.java, test
 * methods _20_2_2 .. _20_2_15, and its Annex E APDU test, methods e3_5aTest,
 * e3_7aTest, e3_8aTest, e3_9aTest, e4_9bTest ...).  We copied only the hex.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/apdu_codec.h"
#include "tests/unit/harness.h"

/* Check that w holds exactly the hex text. */
#define CHECK_W(w, text) do {						\
	uint8_t want_[256];						\
	size_t n_ = ut_unhex((text), want_, sizeof(want_));		\
	CU_ASSERT_EQUAL(wr_status(&(w)), 0);				\
	UT_ASSERT_BYTES((w).buf, (w).len, want_, n_);			\
} while (0)

/* Decode one application-tagged value from hex; it must use all octets. */
static struct apdu_value
dec_one(const char *text)
{
	uint8_t buf[256];
	size_t n = ut_unhex(text, buf, sizeof(buf));
	struct apdu_value v;
	struct rd r;

	memset(&v, 0, sizeof(v));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_dec_app(&r, &v), CODEC_OK);
	CU_ASSERT_EQUAL(r.left, 0);
	return v;
}

/* Clause 20.2.2 .. 20.2.14: application tags, both directions. */
static void
test_app_vectors(void)
{
	uint8_t buf[128];
	struct wr w;
	struct apdu_value v;
	struct apdu_date d = { 1991, 1, 24, 4 };
	struct apdu_time t = { 17, 35, 45, 17 };
	uint8_t bits[1] = { 0xA8 };	/* 1,0,1,0,1 */
	static const char *str = "This is a BACnet string!";

#define ENC(call, text) do {						\
	wr_init(&w, buf, sizeof(buf));					\
	call;								\
	CHECK_W(w, text);						\
} while (0)
	ENC(apdu_enc_null(&w), "00");
	ENC(apdu_enc_bool(&w, false), "10");
	ENC(apdu_enc_unsigned(&w, 72), "2148");
	ENC(apdu_enc_signed(&w, 72), "3148");
	ENC(apdu_enc_real(&w, 72.0f), "4442900000");
	ENC(apdu_enc_double(&w, 72.0), "55084052000000000000");
	ENC(apdu_enc_octets(&w, "\x12\x34\xff", 3), "631234FF");
	ENC(apdu_enc_cstr(&w, str),
	    "751900546869732069732061204241436E657420737472696E6721");
	ENC(apdu_enc_bits(&w, bits, 5), "8203A8");
	ENC(apdu_enc_enum(&w, 0), "9100");
	ENC(apdu_enc_date(&w, &d), "A45B011804");
	ENC(apdu_enc_time(&w, &t), "B411232D11");
	ENC(apdu_enc_objid(&w, 3, 15), "C400C0000F");

	v = dec_one("00");
	CU_ASSERT_EQUAL(v.type, APDU_NULL);
	v = dec_one("10");
	CU_ASSERT(v.type == APDU_BOOLEAN && !v.v.b);
	v = dec_one("11");
	CU_ASSERT(v.type == APDU_BOOLEAN && v.v.b);
	v = dec_one("2148");
	CU_ASSERT(v.type == APDU_UNSIGNED && v.v.u == 72);
	v = dec_one("3148");
	CU_ASSERT(v.type == APDU_SIGNED && v.v.s == 72);
	v = dec_one("4442900000");
	CU_ASSERT(v.type == APDU_REAL && v.v.r == 72.0f);
	v = dec_one("55084052000000000000");
	CU_ASSERT(v.type == APDU_DOUBLE && v.v.d == 72.0);
	v = dec_one("631234FF");
	CU_ASSERT(v.type == APDU_OCTETS && v.v.octets.n == 3);
	v = dec_one("751900546869732069732061204241436E657420737472696E6721");
	CU_ASSERT(v.type == APDU_STRING && v.v.str.charset == 0 &&
	    v.v.str.n == strlen(str));
	v = dec_one("8203A8");
	CU_ASSERT(v.type == APDU_BITS && v.v.bits.nbits == 5 &&
	    v.v.bits.bits[0] == 0xA8);
	v = dec_one("9100");
	CU_ASSERT(v.type == APDU_ENUM && v.v.e == 0);
	v = dec_one("A45B011804");
	CU_ASSERT(v.type == APDU_DATE && v.v.date.year == 1991 &&
	    v.v.date.month == 1 && v.v.date.day == 24 && v.v.date.wday == 4);
	v = dec_one("A45BFF18FF");
	CU_ASSERT(v.v.date.month == 0xFF && v.v.date.wday == 0xFF);
	v = dec_one("B411232D11");
	CU_ASSERT(v.type == APDU_TIME && v.v.time.hour == 17 &&
	    v.v.time.min == 35 && v.v.time.sec == 45 &&
	    v.v.time.hundredths == 17);
	v = dec_one("C400C0000F");
	CU_ASSERT(v.type == APDU_OBJID && v.v.oid.type == 3 &&
	    v.v.oid.instance == 15);
#undef ENC
}

/* Decode a context-tagged value from hex; it must use all octets. */
static struct apdu_value
dec_ctx(const char *text, uint8_t tag, enum apdu_atag type)
{
	uint8_t buf[256];
	size_t n = ut_unhex(text, buf, sizeof(buf));
	struct apdu_value v;
	struct rd r;

	memset(&v, 0, sizeof(v));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_dec_ctx(&r, tag, type, &v), CODEC_OK);
	CU_ASSERT_EQUAL(r.left, 0);
	return v;
}

/* Clause 20.2.15: context tags, including extended tag numbers. */
static void
test_ctx_vectors(void)
{
	uint8_t buf[128];
	struct wr w;
	struct apdu_value v;
	struct apdu_date d = { 1991, 1, 24, 4 };
	struct apdu_time t = { 17, 35, 45, 17 };
	uint8_t bits[1] = { 0xA8 };
	static const char *str = "This is a BACnet string!";

#define ENC(call, text) do {						\
	wr_init(&w, buf, sizeof(buf));					\
	call;								\
	CHECK_W(w, text);						\
} while (0)
	ENC(apdu_ctx_null(&w, 3), "38");
	ENC(apdu_ctx_bool(&w, 6, false), "6900");
	ENC(apdu_ctx_bool(&w, 27, false), "F91B00");
	ENC(apdu_ctx_bool(&w, 2, true), "2901");
	ENC(apdu_ctx_unsigned(&w, 0, 256), "0A0100");
	ENC(apdu_ctx_signed(&w, 5, -72), "59B8");
	ENC(apdu_ctx_signed(&w, 33, -72), "F921B8");
	ENC(apdu_ctx_real(&w, 0, -33.3f), "0CC2053333");
	ENC(apdu_ctx_double(&w, 1, -33.3), "1D08C040A66666666666");
	ENC(apdu_ctx_double(&w, 85, -33.3), "FD5508C040A66666666666");
	ENC(apdu_ctx_octets(&w, 1, "\x43\x21", 2), "1A4321");
	ENC(apdu_ctx_cstr(&w, 5, str),
	    "5D1900546869732069732061204241436E657420737472696E6721");
	ENC(apdu_ctx_cstr(&w, 127, str),
	    "FD7F1900546869732069732061204241436E657420737472696E6721");
	ENC(apdu_ctx_cstr(&w, 7, "Fran\xc3\xa7" "ais"),
	    "7D0A004672616EC3A7616973");
	ENC(apdu_ctx_bits(&w, 0, bits, 5), "0A03A8");
	ENC(apdu_ctx_enum(&w, 9, 0), "9900");
	ENC(apdu_ctx_date(&w, 9, &d), "9C5B011804");
	ENC(apdu_ctx_time(&w, 4, &t), "4C11232D11");
	ENC(apdu_ctx_objid(&w, 4, 3, 15), "4C00C0000F");
	ENC(apdu_open(&w, 3); apdu_close(&w, 3), "3E3F");
	ENC(apdu_open(&w, 43); apdu_close(&w, 43), "FE2BFF2B");

	v = dec_ctx("38", 3, APDU_NULL);
	CU_ASSERT_EQUAL(v.type, APDU_NULL);
	v = dec_ctx("F91B00", 27, APDU_BOOLEAN);
	CU_ASSERT(!v.v.b);
	v = dec_ctx("2901", 2, APDU_BOOLEAN);
	CU_ASSERT(v.v.b);
	v = dec_ctx("0A0100", 0, APDU_UNSIGNED);
	CU_ASSERT_EQUAL(v.v.u, 256);
	v = dec_ctx("F921B8", 33, APDU_SIGNED);
	CU_ASSERT_EQUAL(v.v.s, -72);
	v = dec_ctx("0CC2053333", 0, APDU_REAL);
	CU_ASSERT(v.v.r == -33.3f);
	v = dec_ctx("FD5508C040A66666666666", 85, APDU_DOUBLE);
	CU_ASSERT(v.v.d == -33.3);
	v = dec_ctx("FD7F1900546869732069732061204241436E657420737472696E6721",
	    127, APDU_STRING);
	CU_ASSERT(v.v.str.n == strlen(str) &&
	    memcmp(v.v.str.p, str, v.v.str.n) == 0);
	v = dec_ctx("0A03A8", 0, APDU_BITS);
	CU_ASSERT_EQUAL(v.v.bits.nbits, 5);
	v = dec_ctx("9C5B011804", 9, APDU_DATE);
	CU_ASSERT_EQUAL(v.v.date.year, 1991);
	v = dec_ctx("4C00C0000F", 4, APDU_OBJID);
	CU_ASSERT(v.v.oid.type == 3 && v.v.oid.instance == 15);
#undef ENC
}

/* Round trips over boundary values of each variable-length type. */
static void
test_round_trips(void)
{
	static const uint64_t us[] = { 0, 1, 255, 256, 65535, 65536,
		0xFFFFFF, 0x1000000, 0xFFFFFFFFu, 0x100000000ull,
		0xFFFFFFFFFFFFFFFFull };
	static const int64_t ss[] = { 0, 1, -1, 127, 128, -128, -129, 32767,
		-32768, 32768, -32769, 8388607, -8388608, 2147483647,
		-2147483647 - 1, INT64_MAX, INT64_MIN };
	uint8_t buf[400], bits[16], big[300];
	struct apdu_value v;
	struct wr w;
	struct rd r;
	size_t i, n;

	for (i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		wr_init(&w, buf, sizeof(buf));
		apdu_enc_unsigned(&w, us[i]);
		apdu_ctx_unsigned(&w, 200, us[i]);
		rd_init(&r, buf, w.len);
		CU_ASSERT(apdu_dec_app(&r, &v) == CODEC_OK && v.v.u == us[i]);
		CU_ASSERT(apdu_dec_ctx(&r, 200, APDU_UNSIGNED, &v) ==
		    CODEC_OK && v.v.u == us[i]);
		CU_ASSERT_EQUAL(r.left, 0);
	}
	for (i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
		wr_init(&w, buf, sizeof(buf));
		apdu_enc_signed(&w, ss[i]);
		rd_init(&r, buf, w.len);
		CU_ASSERT(apdu_dec_app(&r, &v) == CODEC_OK && v.v.s == ss[i]);
	}
	/* Minimal encodings: 128 needs two octets as Signed, one Unsigned. */
	wr_init(&w, buf, sizeof(buf));
	apdu_enc_signed(&w, 128);
	apdu_enc_signed(&w, -129);
	apdu_enc_unsigned(&w, 128);
	CHECK_W(w, "320080 32FF7F 2180");
	/* Lengths around the extended-length forms (5, 253, 254, 65535+). */
	memset(big, 'x', sizeof(big));
	for (n = 0; n <= sizeof(big); n += (n < 8 ? 1 : 41)) {
		wr_init(&w, buf, sizeof(buf));
		apdu_enc_octets(&w, big, n);
		rd_init(&r, buf, w.len);
		CU_ASSERT(apdu_dec_app(&r, &v) == CODEC_OK &&
		    v.v.octets.n == n && r.left == 0);
	}
	wr_init(&w, buf, sizeof(buf));
	apdu_enc_octets(&w, big, 254);
	CU_ASSERT(buf[0] == 0x65 && buf[1] == 0xFE && buf[2] == 0x00 &&
	    buf[3] == 0xFE);
	wr_init(&w, buf, sizeof(buf));
	apdu_enc_octets(&w, big, 253);
	CU_ASSERT(buf[0] == 0x65 && buf[1] == 0xFD);
	/* Bit strings of every length up to 128. */
	for (n = 0; n <= 128; n++) {
		for (i = 0; i < sizeof(bits); i++)
			bits[i] = (uint8_t)(0x5A ^ i);
		wr_init(&w, buf, sizeof(buf));
		apdu_enc_bits(&w, bits, n);
		rd_init(&r, buf, w.len);
		CU_ASSERT_FATAL(apdu_dec_app(&r, &v) == CODEC_OK);
		CU_ASSERT_EQUAL(v.v.bits.nbits, n);
		for (i = 0; i < n; i++)
			CU_ASSERT_EQUAL(!!(v.v.bits.bits[i / 8] &
			    (0x80 >> i % 8)), !!(bits[i / 8] & (0x80 >> i % 8)));
	}
	/* Real and Double specials survive bit-exactly. */
	wr_init(&w, buf, sizeof(buf));
	apdu_enc_real(&w, -0.0f);
	apdu_enc_double(&w, INFINITY);
	rd_init(&r, buf, w.len);
	CU_ASSERT(apdu_dec_app(&r, &v) == CODEC_OK && signbit(v.v.r));
	CU_ASSERT(apdu_dec_app(&r, &v) == CODEC_OK && isinf(v.v.d));
}

/* Every prefix of a valid element is SHORT; bad forms are MALFORMED. */
static void
test_truncation_and_malformed(void)
{
	static const char *const ok[] = {
		"751900546869732069732061204241436E657420737472696E6721",
		"65FE0010", "C400C0000F", "55084052000000000000",
	};
	static const struct {
		const char	*hex;
		enum codec_rc	 rc;
	} bad[] = {
		{ "12", CODEC_MALFORMED },		/* Boolean LVT 2 */
		{ "2500", CODEC_MALFORMED },		/* Unsigned length 0 */
		{ "20", CODEC_MALFORMED },		/* Unsigned length 0 */
		{ "430000", CODEC_SHORT },		/* Real, 2 of 3 */
		{ "4300000000", CODEC_MALFORMED },	/* Real of 3 */
		{ "8208FF", CODEC_MALFORMED },		/* 8 unused bits */
		{ "8101", CODEC_MALFORMED },		/* unused but no bits */
		{ "7500", CODEC_MALFORMED },		/* no charset */
		{ "0E", CODEC_MALFORMED },		/* opening tag */
		{ "0900", CODEC_MALFORMED },		/* context tag */
		{ "F0FF", CODEC_MALFORMED },		/* tag number 255 */
		{ "F00E", CODEC_MALFORMED },		/* ext. tag < 15 */
		{ "D100", CODEC_UNSUPPORTED },		/* reserved app tag 13 */
		{ "65FF000000", CODEC_SHORT },		/* 32-bit length cut */
	};
	uint8_t buf[128];
	struct apdu_value v;
	struct rd r;
	size_t i, k, n;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = ut_unhex(ok[i], buf, sizeof(buf));
		if (n == 4 && buf[0] == 0x65) {
			/* 16-bit length 16 needs 16 content octets. */
			memset(buf + 4, 0, 16);
			n = 20;
		}
		for (k = 0; k < n; k++) {
			rd_init(&r, buf, k);
			CU_ASSERT_EQUAL(apdu_dec_app(&r, &v), CODEC_SHORT);
			CU_ASSERT_EQUAL(r.left, k);
		}
		rd_init(&r, buf, n);
		CU_ASSERT_EQUAL(apdu_dec_app(&r, &v), CODEC_OK);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = ut_unhex(bad[i].hex, buf, sizeof(buf));
		rd_init(&r, buf, n);
		if (apdu_dec_app(&r, &v) != bad[i].rc)
			fprintf(stderr, "\nbad vector %s\n", bad[i].hex);
		rd_init(&r, buf, n);
		CU_ASSERT_EQUAL(apdu_dec_app(&r, &v), bad[i].rc);
		CU_ASSERT_EQUAL(r.left, n);
	}
}

/* apdu_skip walks nested constructed data and refuses mismatches. */
static void
test_skip(void)
{
	uint8_t buf[64];
	struct rd r;
	size_t n;

	n = ut_unhex("1E 29 55 4E 44 42 90 99 9A 4F 1F 21 01", buf, sizeof(buf));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_skip(&r), CODEC_OK);
	CU_ASSERT_EQUAL(r.left, 2);
	n = ut_unhex("1E 4E 1F 4F", buf, sizeof(buf));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_skip(&r), CODEC_MALFORMED);
	n = ut_unhex("1E 4E 4F", buf, sizeof(buf));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_skip(&r), CODEC_SHORT);
	n = ut_unhex("1F", buf, sizeof(buf));
	rd_init(&r, buf, n);
	CU_ASSERT_EQUAL(apdu_skip(&r), CODEC_MALFORMED);
	memset(buf, 0x0E, 20);		/* 20 nested openings */
	rd_init(&r, buf, 20);
	CU_ASSERT_EQUAL(apdu_skip(&r), CODEC_MALFORMED);
}

/* Decode a header from hex, re-encode it with its body, compare. */
static struct apdu_hdr
hdr_round_trip(const char *text)
{
	uint8_t in[256], out[256];
	size_t n = ut_unhex(text, in, sizeof(in)), k;
	struct apdu_hdr h;
	struct wr w;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_FATAL(apdu_hdr_decode(in, n, &h) == CODEC_OK);
	CU_ASSERT_EQUAL(apdu_hdr_len(&h), n - h.body_len);
	wr_init(&w, out, sizeof(out));
	apdu_hdr_encode(&w, &h);
	wr_bytes(&w, h.body, h.body_len);
	UT_ASSERT_BYTES(out, w.len, in, n);
	for (k = 0; k < apdu_hdr_len(&h); k++) {
		struct apdu_hdr t;

		CU_ASSERT_EQUAL(apdu_hdr_decode(in, k, &t), CODEC_SHORT);
	}
	return h;
}

/* Annex E APDUs plus hand-made segmented forms of every PDU type. */
static void
test_headers(void)
{
	struct apdu_hdr h;
	uint8_t b[4] = { 0x80, 0, 0, 0 };

	h = hdr_round_trip("0000010C0C000000051955");	/* E.3.5 RP */
	CU_ASSERT(h.pdu == APDU_CONFIRMED && !h.seg && !h.sa &&
	    h.max_apdu == 0 && h.invoke_id == 1 && h.service == 12 &&
	    h.body_len == 7);
	h = hdr_round_trip("30010C0C0000000519553E444290999A3F");
	CU_ASSERT(h.pdu == APDU_COMPLEX_ACK && h.invoke_id == 1 &&
	    h.service == 12);
	h = hdr_round_trip("0202011a0c0500000119837ea462031701b41334220031047f");
	CU_ASSERT(h.sa && h.max_apdu == 2 && h.service == 26);	/* E.3.8 */
	h = hdr_round_trip("1000C40200000322040091032163");	/* E.4.9 I-Am */
	CU_ASSERT(h.pdu == APDU_UNCONFIRMED && h.service == 0);
	h = hdr_round_trip("20590F");				/* E.3.9 */
	CU_ASSERT(h.pdu == APDU_SIMPLE_ACK && h.invoke_id == 0x59 &&
	    h.service == 15);
	h = hdr_round_trip("50580B91019117");			/* E.3.4 */
	CU_ASSERT(h.pdu == APDU_ERROR && h.service == 11 && h.body_len == 4);
	h = hdr_round_trip("0E75 12 3403 0C 0C00000005");	/* seg conf */
	CU_ASSERT(h.seg && h.more && h.sa && h.max_segs == 7 &&
	    h.max_apdu == 5 && h.invoke_id == 0x12 && h.seq == 0x34 &&
	    h.window == 3 && h.service == 12);
	h = hdr_round_trip("3C07 0204 0E 1122");		/* seg complex */
	CU_ASSERT(h.seg && h.more && h.seq == 2 && h.window == 4 &&
	    h.service == 14 && h.body_len == 2);
	h = hdr_round_trip("43 07 05 03");			/* Segment-ACK */
	CU_ASSERT(h.pdu == APDU_SEGMENT_ACK && h.nak && h.srv &&
	    h.seq == 5 && h.window == 3);
	h = hdr_round_trip("60 07 09");				/* Reject */
	CU_ASSERT(h.pdu == APDU_REJECT && h.reason == 9);
	h = hdr_round_trip("71 07 04");				/* Abort */
	CU_ASSERT(h.pdu == APDU_ABORT && h.srv && h.reason == 4);
	CU_ASSERT_EQUAL(apdu_hdr_decode(b, 4, &h), CODEC_UNSUPPORTED);
	CU_ASSERT_EQUAL(apdu_max_apdu_octets(5), 1476);
	CU_ASSERT_EQUAL(apdu_max_apdu_octets(0), 50);
	CU_ASSERT_EQUAL(apdu_max_apdu_octets(9), 50);
	CU_ASSERT_EQUAL(apdu_max_apdu_code(1476), 5);
	CU_ASSERT_EQUAL(apdu_max_apdu_code(1000), 3);
	CU_ASSERT_EQUAL(apdu_max_segs_count(0), 0);
	CU_ASSERT_EQUAL(apdu_max_segs_count(3), 8);
	CU_ASSERT_EQUAL(apdu_max_segs_count(7), 0);
}

static const struct ut_case cases[] = {
	UT_CASE(test_app_vectors),
	UT_CASE(test_ctx_vectors),
	UT_CASE(test_round_trips),
	UT_CASE(test_truncation_and_malformed),
	UT_CASE(test_skip),
	UT_CASE(test_headers),
	UT_END
};
UT_SUITE(apdu, cases);
