/* NPDU header codec: vectors, digest examples, router forms, malformed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npdu/npdu_codec.h"
#include "tests/unit/harness.h"
#include "tests/unit/vecfile.h"

/* Decode hex text into buf; fail the test on bad hex. */
/* Decode, re-encode, and compare with the input. */
static void
check_reencode(const uint8_t *buf, size_t len)
{
	struct npdu_view v;
	uint8_t out[2048];
	struct wr w;

	CU_ASSERT_EQUAL_FATAL(npdu_decode(buf, len, &v, NULL, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(npdu_header_len(&v), v.hdr_len);
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, buf, len);
}

/* Compare a decoded address with an expect value (lower-case hex, ':'). */
static void
check_addr(const struct vec_record *r, const char *key, const uint8_t *adr,
    size_t alen)
{
	uint8_t want[300];
	long n = vec_get_bytes(r, key, want, sizeof(want));

	CU_ASSERT_TRUE(n >= 0);
	if (n >= 0)
		UT_ASSERT_BYTES(adr, alen, want, (size_t)n);
}

/* The keys that describe the network-layer message body (nlm suite). */
static bool
is_body_key(const char *key)
{
	static const char *const body[] = {
		"net", "nets", "perf", "reason", "ttime", "flag", "ports",
		"reject",
	};
	size_t i;

	for (i = 0; i < sizeof(body) / sizeof(body[0]); i++)
		if (strcmp(key, body[i]) == 0)
			return true;
	return strncmp(key, "port", 4) == 0;
}

/* Check every header fact of a valid record against the decoded view. */
static void
check_header_facts(const struct vec_record *r, const struct npdu_view *v)
{
	size_t i;

	for (i = 0; i < r->nkv; i++) {
		const char *k = r->kv[i].key;
		long long want = vec_get_int(r, k);

		if (strcmp(k, "version") == 0) {
			CU_ASSERT_EQUAL(want, 1);
		} else if (strcmp(k, "control") == 0) {
			CU_ASSERT_EQUAL(want, v->control);
		} else if (strcmp(k, "dnet") == 0) {
			CU_ASSERT_TRUE(v->has_dnet);
			CU_ASSERT_EQUAL(want, v->dnet);
		} else if (strcmp(k, "dlen") == 0) {
			CU_ASSERT_EQUAL(want, v->dlen);
		} else if (strcmp(k, "dadr") == 0) {
			check_addr(r, k, v->dadr, v->dlen);
		} else if (strcmp(k, "snet") == 0) {
			CU_ASSERT_TRUE(v->has_snet);
			CU_ASSERT_EQUAL(want, v->snet);
		} else if (strcmp(k, "slen") == 0) {
			CU_ASSERT_EQUAL(want, v->slen);
		} else if (strcmp(k, "sadr") == 0) {
			check_addr(r, k, v->sadr, v->slen);
		} else if (strcmp(k, "hop") == 0) {
			CU_ASSERT_EQUAL(want, v->hop_count);
		} else if (strcmp(k, "apdu") == 0) {
			CU_ASSERT_FALSE(v->is_nl_msg);
			check_addr(r, k, v->payload, v->payload_len);
		} else if (strcmp(k, "msgtype") == 0) {
			CU_ASSERT_TRUE(v->is_nl_msg);
			CU_ASSERT_EQUAL(want, v->nl_type);
		} else if (strcmp(k, "vendor") == 0) {
			CU_ASSERT_EQUAL(want, v->vendor_id);
		} else if (strcmp(k, "data") == 0) {
			check_addr(r, k, v->payload, v->payload_len);
		} else if (!is_body_key(k)) {
			fprintf(stderr, "%s: unknown key %s\n", r->name, k);
			CU_FAIL("unknown expect key");
		}
	}
	/* Presence must match the expect list exactly. */
	CU_ASSERT_EQUAL(v->has_dnet, vec_get(r, "dnet") != NULL);
	CU_ASSERT_EQUAL(v->has_snet, vec_get(r, "snet") != NULL);
	CU_ASSERT_EQUAL(v->is_nl_msg, vec_get(r, "msgtype") != NULL);
}

/*
 * Every record of npdu.vec: valid ones decode to the listed header facts
 * and re-encode byte-exact; invalid ones whose fault is in the header are
 * refused with the listed error class.  Faults in a network message body
 * are the nlm suite's (it reads the same file).
 */
static void
test_npdu_vectors(void)
{
	struct vec_file vf;
	char err[256];
	size_t i, nvalid = 0, nrefused = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/npdu.vec"),
	    &vf, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(vf.n >= 48);
	for (i = 0; i < vf.n; i++) {
		const struct vec_record *r = &vf.rec[i];
		struct npdu_view v;
		const char *why = NULL;
		size_t off = 0;
		enum codec_rc rc;

		rc = npdu_decode(r->bytes, r->len, &v, &why, &off);
		if (r->valid) {
			if (rc != CODEC_OK)
				fprintf(stderr, "%s: %s at %zu\n", r->name,
				    why, off);
			CU_ASSERT_EQUAL(rc, CODEC_OK);
			if (rc != CODEC_OK)
				continue;
			check_header_facts(r, &v);
			check_reencode(r->bytes, r->len);
			nvalid++;
		} else if (rc != CODEC_OK) {
			const char *cls = vec_get(r, "error");

			CU_ASSERT_PTR_NOT_NULL_FATAL(cls);
			CU_ASSERT_PTR_NOT_NULL_FATAL(why);
			if (strncmp(why, cls, strlen(cls)) != 0 ||
			    why[strlen(cls)] != ':') {
				fprintf(stderr, "%s: want %s, got %s\n",
				    r->name, cls, why);
				CU_FAIL("wrong error class");
			}
			CU_ASSERT_TRUE(off <= r->len);
			CU_ASSERT_EQUAL(rc, strcmp(cls, "truncated") == 0 ?
			    CODEC_SHORT : CODEC_MALFORMED);
			nrefused++;
		} else {
			/* Header fine: the body must be the problem. */
			CU_ASSERT_TRUE(v.is_nl_msg);
		}
	}
	CU_ASSERT_EQUAL(nvalid, 31);
	CU_ASSERT_TRUE(nrefused >= 12);
	vec_file_free(&vf);
}

/*
 * Every prefix of every valid record: a cut inside the header is refused,
 * a cut in the payload decodes to the same header with a shorter payload.
 */
static void
test_npdu_truncation(void)
{
	struct vec_file vf;
	char err[256];
	size_t i, cut, n = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/npdu.vec"),
	    &vf, err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++) {
		const struct vec_record *r = &vf.rec[i];
		struct npdu_view full, v;

		if (!r->valid)
			continue;
		CU_ASSERT_EQUAL_FATAL(npdu_decode(r->bytes, r->len, &full,
		    NULL, NULL), CODEC_OK);
		for (cut = 0; cut < r->len; cut++) {
			/* Exactly cut octets, so ASan sees overruns. */
			uint8_t *p = malloc(cut > 0 ? cut : 1);
			const char *why = NULL;
			size_t off = 0;
			enum codec_rc rc;

			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, r->bytes, cut);
			rc = npdu_decode(p, cut, &v, &why, &off);
			if (cut < full.hdr_len) {
				CU_ASSERT_TRUE(rc == CODEC_SHORT ||
				    rc == CODEC_MALFORMED);
				CU_ASSERT_PTR_NOT_NULL(why);
				CU_ASSERT_TRUE(off <= cut);
			} else {
				CU_ASSERT_EQUAL(rc, CODEC_OK);
				CU_ASSERT_EQUAL(v.hdr_len, full.hdr_len);
				CU_ASSERT_EQUAL(v.control, full.control);
				CU_ASSERT_EQUAL(v.dnet, full.dnet);
				CU_ASSERT_EQUAL(v.snet, full.snet);
				CU_ASSERT_EQUAL(v.hop_count, full.hop_count);
				CU_ASSERT_EQUAL(v.nl_type, full.nl_type);
				CU_ASSERT_EQUAL(v.vendor_id, full.vendor_id);
				CU_ASSERT_EQUAL(v.payload_len,
				    cut - full.hdr_len);
			}
			free(p);
			n++;
		}
	}
	CU_ASSERT_TRUE(n > 250);
	vec_file_free(&vf);
}

struct bad_case {
	const char	*hex;
	enum codec_rc	 rc;
	size_t		 off;
	const char	*why;		/* expected reason (prefix) */
};

static const struct bad_case bad_cases[] = {
	{ "", CODEC_SHORT, 0, "truncated: no version" },
	{ "00 00", CODEC_MALFORMED, 0, "bad-version" },
	{ "81 0a", CODEC_MALFORMED, 0, "bad-version" },
	{ "01", CODEC_SHORT, 1, "truncated: no control" },
	{ "01 10 10 08", CODEC_MALFORMED, 1, "reserved-bits" },
	{ "01 40", CODEC_MALFORMED, 1, "reserved-bits" },
	{ "01 d0", CODEC_MALFORMED, 1, "reserved-bits" },
	{ "01 20", CODEC_SHORT, 2, "truncated: DNET" },
	{ "01 20 00", CODEC_SHORT, 2, "truncated: DNET" },
	{ "01 20 00 00 00 ff", CODEC_MALFORMED, 2, "bad-address: DNET is 0" },
	{ "01 20 00 05", CODEC_SHORT, 4, "truncated: DLEN" },
	{ "01 20 ff ff 01 05 ff", CODEC_MALFORMED, 4, "bad-address: global" },
	{ "01 20 00 05 02 01", CODEC_MALFORMED, 4, "bad-length: DLEN" },
	{ "01 20 00 05 ff", CODEC_MALFORMED, 4, "bad-length: DLEN" },
	{ "01 20 00 05 01 07", CODEC_SHORT, 6, "truncated: hop" },
	{ "01 08 00", CODEC_SHORT, 2, "truncated: SNET" },
	{ "01 08 00 00 01 01", CODEC_MALFORMED, 2, "bad-address: SNET" },
	{ "01 08 ff ff 01 01", CODEC_MALFORMED, 2, "bad-address: SNET" },
	{ "01 08 00 05", CODEC_SHORT, 4, "truncated: SLEN" },
	{ "01 08 00 05 00", CODEC_MALFORMED, 4, "bad-address: SLEN is 0" },
	{ "01 08 00 05 03 01 02", CODEC_MALFORMED, 4, "bad-length: SLEN" },
	{ "01 28 00 05 00 00 07 01 0a", CODEC_SHORT, 9, "truncated: hop" },
	{ "01 28 00 05 00 00 07 00", CODEC_MALFORMED, 7, "bad-address: SLEN" },
	{ "01 80", CODEC_SHORT, 2, "truncated: network message type" },
	{ "01 a0 00 05 00 ff", CODEC_SHORT, 6,
	    "truncated: network message type" },
	{ "01 80 ff", CODEC_SHORT, 3, "truncated: vendor ID" },
	{ "01 80 80 00", CODEC_SHORT, 3, "truncated: vendor ID" },
	{ "01 88 00 07 01 01 9a 01", CODEC_SHORT, 7, "truncated: vendor ID" },
};

static void
test_npdu_malformed_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint8_t buf[64];
		size_t len = ut_unhex(c->hex, buf, sizeof(buf));
		struct npdu_view v;
		const char *why = NULL;
		size_t off = 999;
		enum codec_rc rc;

		memset(&v, 0xa5, sizeof(v));
		rc = npdu_decode(buf, len, &v, &why, &off);
		if (rc != c->rc || off != c->off || why == NULL ||
		    strncmp(why, c->why, strlen(c->why)) != 0) {
			fprintf(stderr, "case %zu (%s): rc %d off %zu why %s\n",
			    i, c->hex, (int)rc, off, why ? why : "(null)");
			CU_FAIL("malformed case");
		}
		/* *out untouched on failure; NULL why/err_off allowed. */
		CU_ASSERT_EQUAL(v.control, 0xa5);
		CU_ASSERT_EQUAL(npdu_decode(buf, len, &v, NULL, NULL), c->rc);
	}
}

/* Digest E8: the B/IP Who-Is and the router's SC form of it. */
static void
test_npdu_digest_e8(void)
{
	static const uint8_t sadr[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };
	uint8_t a[32], b[32], out[64];
	size_t alen = ut_unhex("01 20 FF FF 00 FF 10 08", a, sizeof(a));
	size_t blen = ut_unhex("01 28 FF FF 00 00 05 06 C0 A8 01 0A BA C0 FE "
	    "10 08", b, sizeof(b));
	struct npdu_view v;
	struct wr w;

	CU_ASSERT_EQUAL_FATAL(npdu_decode(a, alen, &v, NULL, NULL), CODEC_OK);
	CU_ASSERT_TRUE(v.has_dnet);
	CU_ASSERT_FALSE(v.has_snet);
	CU_ASSERT_FALSE(v.is_nl_msg);
	CU_ASSERT_EQUAL(v.dnet, NPDU_NET_GLOBAL);
	CU_ASSERT_EQUAL(v.dlen, 0);
	CU_ASSERT_PTR_NULL(v.dadr);
	CU_ASSERT_EQUAL(v.hop_count, 255);
	CU_ASSERT_EQUAL(v.hdr_len, 6);
	CU_ASSERT_EQUAL(v.payload_len, 2);
	CU_ASSERT_EQUAL(v.payload, a + 6);

	/* The router adds SNET 5 / SADR = the B/IP source and decrements. */
	npdu_view_set_source(&v, 5, sadr, 6);
	v.hop_count--;
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, b, blen);

	CU_ASSERT_EQUAL_FATAL(npdu_decode(b, blen, &v, NULL, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(v.control, 0x28);
	CU_ASSERT_EQUAL(v.snet, 5);
	CU_ASSERT_EQUAL(v.slen, 6);
	UT_ASSERT_BYTES(v.sadr, v.slen, sadr, 6);
	CU_ASSERT_EQUAL(v.hop_count, 254);
	UT_ASSERT_BYTES(v.payload, v.payload_len, "\x10\x08", 2);
}

/* Digest E9: the SC node's reply and its last-hop form on B/IP. */
static void
test_npdu_digest_e9(void)
{
	static const uint8_t vmac[6] = { 0x32, 0x76, 0xe4, 0xb1, 0x1d, 0x02 };
	uint8_t a[32], c[32], out[64];
	size_t alen = ut_unhex("01 20 00 05 06 C0 A8 01 0A BA C0 FF 20 05 0F",
	    a, sizeof(a));
	size_t clen = ut_unhex("01 08 00 07 06 32 76 E4 B1 1D 02 20 05 0F", c,
	    sizeof(c));
	struct npdu_view v;
	struct wr w;

	CU_ASSERT_EQUAL_FATAL(npdu_decode(a, alen, &v, NULL, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(v.control, 0x20);
	CU_ASSERT_EQUAL(v.dnet, 5);
	CU_ASSERT_EQUAL(v.dlen, 6);
	UT_ASSERT_BYTES(v.dadr, v.dlen, "\xc0\xa8\x01\x0a\xba\xc0", 6);
	CU_ASSERT_EQUAL(v.hop_count, 255);
	UT_ASSERT_BYTES(v.payload, v.payload_len, "\x20\x05\x0f", 3);

	/* Last hop: strip DNET/DADR/hop, add SNET 7 / SADR = B's VMAC. */
	npdu_view_strip_dest(&v);
	npdu_view_set_source(&v, 7, vmac, 6);
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, c, clen);

	CU_ASSERT_EQUAL_FATAL(npdu_decode(c, clen, &v, NULL, NULL), CODEC_OK);
	CU_ASSERT_FALSE(v.has_dnet);
	CU_ASSERT_EQUAL(v.snet, 7);
	UT_ASSERT_BYTES(v.sadr, v.slen, vmac, 6);
}

/* Digest E11: both sides of the BACpypes router, encoded from scratch. */
static void
test_npdu_digest_e11(void)
{
	static const uint8_t iam[] = { 0x10, 0x00, 0xc4, 0x02, 0x00, 0x00,
	    0x04, 0x22, 0x04, 0x00, 0x91, 0x00, 0x22, 0x03, 0xe7 };
	static const uint8_t one = 0x01, four = 0x04;
	uint8_t want[64], out[64];
	size_t wlen;
	struct npdu_view v;
	struct wr w;

	/* Global Who-Is forwarded from net 1, SADR 01, hop FE. */
	npdu_view_init(&v);
	npdu_view_set_dest(&v, NPDU_NET_GLOBAL, NULL, 0, 0xfe);
	npdu_view_set_source(&v, 1, &one, 1);
	v.payload = (const uint8_t *)"\x10\x08";
	v.payload_len = 2;
	wlen = ut_unhex("01 28 FF FF 00 00 01 01 01 FE 10 08", want, sizeof(want));
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, want, wlen);

	/* I-Am to DNET 1 / DADR 01, then delivered with SNET 2 / SADR 04. */
	npdu_view_init(&v);
	npdu_view_set_dest(&v, 1, &one, 1, NPDU_HOP_COUNT_INIT);
	v.payload = iam;
	v.payload_len = sizeof(iam);
	wlen = ut_unhex("01 20 00 01 01 01 FF 10 00 C4 02 00 00 04 22 04 00 91 00 "
	    "22 03 E7", want, sizeof(want));
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, want, wlen);
	npdu_view_strip_dest(&v);
	npdu_view_set_source(&v, 2, &four, 1);
	wlen = ut_unhex("01 08 00 02 01 04 10 00 C4 02 00 00 04 22 04 00 91 00 22 "
	    "03 E7", want, sizeof(want));
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode(&w, &v), 0);
	UT_ASSERT_BYTES(out, w.len, want, wlen);
}

/* Digest E12: every message's header (the bodies are the nlm suite's). */
static void
test_npdu_digest_e12(void)
{
	static const struct {
		const char	*hex;
		uint8_t		 type;
		size_t		 body;
	} e12[] = {
		{ "01 80 00 00 01", 0x00, 2 },
		{ "01 80 01 00 01 00 02 00 03", 0x01, 6 },
		{ "01 80 02 00 01 02", 0x02, 3 },
		{ "01 80 03 01 00 02", 0x03, 3 },
		{ "01 80 04 00 01 00 02 00 03", 0x04, 6 },
		{ "01 80 05", 0x05, 0 },
		{ "01 80 06 00", 0x06, 1 },
		{ "01 80 06 01 00 03 04 04 DE AD BE EF", 0x06, 9 },
		{ "01 80 07 01 00 01 02 00", 0x07, 5 },
		{ "01 80 08 00 05 06", 0x08, 3 },
		{ "01 80 09 00 07", 0x09, 2 },
		{ "01 80 12", 0x12, 0 },
		{ "01 80 13 00 08 01", 0x13, 3 },
		{ "01 80 01 00 05", 0x01, 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(e12) / sizeof(e12[0]); i++) {
		uint8_t buf[32];
		size_t len = ut_unhex(e12[i].hex, buf, sizeof(buf));
		struct npdu_view v;

		CU_ASSERT_EQUAL_FATAL(npdu_decode(buf, len, &v, NULL, NULL),
		    CODEC_OK);
		CU_ASSERT_TRUE(v.is_nl_msg);
		CU_ASSERT_FALSE(v.has_dnet);
		CU_ASSERT_FALSE(v.has_snet);
		CU_ASSERT_EQUAL(v.control, 0x80);
		CU_ASSERT_EQUAL(v.nl_type, e12[i].type);
		CU_ASSERT_EQUAL(v.hdr_len, 3);
		CU_ASSERT_EQUAL(v.payload_len, e12[i].body);
		check_reencode(buf, len);
	}
}

/* Priority and expecting-reply survive; the other control bits are derived. */
static void
test_npdu_encode_control(void)
{
	static const uint8_t mac[2] = { 0x0a, 0x0b };
	uint8_t out[64];
	struct npdu_view v, d;
	struct wr w;
	unsigned ctl;

	for (ctl = 0; ctl < 256; ctl++) {
		npdu_view_init(&v);
		v.control = (uint8_t)ctl;	/* only bits 2..0 count */
		if (ctl & 0x20)
			npdu_view_set_dest(&v, 9, mac, 2, 3);
		if (ctl & 0x08)
			npdu_view_set_source(&v, 10, mac, 1);
		if (ctl & 0x80) {
			v.is_nl_msg = true;
			v.nl_type = (uint8_t)(ctl & 0x40 ? 0x81 : 0x12);
			v.vendor_id = 0x1234;
		}
		wr_init(&w, out, sizeof(out));
		CU_ASSERT_EQUAL_FATAL(npdu_encode(&w, &v), 0);
		CU_ASSERT_EQUAL(w.len, npdu_header_len(&v));
		CU_ASSERT_EQUAL(out[1], ctl & 0xaf);
		CU_ASSERT_EQUAL_FATAL(npdu_decode(out, w.len, &d, NULL, NULL),
		    CODEC_OK);
		CU_ASSERT_EQUAL(d.control, ctl & 0xaf);
		CU_ASSERT_EQUAL(d.hdr_len, w.len);
		CU_ASSERT_EQUAL(d.vendor_id, (ctl & 0xc0) == 0xc0 ? 0x1234 : 0);
	}
}

/* Invalid views are refused without writing; overflow is reported. */
static void
test_npdu_encode_refuses(void)
{
	static const uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t out[64];
	struct npdu_view v;
	struct wr w;
	size_t cap, need;

	npdu_view_init(&v);
	npdu_view_set_dest(&v, 0, mac, 6, 255);		/* DNET 0 */
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(npdu_encode_header(&w, &v), -1);
	CU_ASSERT_EQUAL(w.len, 0);
	npdu_view_set_dest(&v, NPDU_NET_GLOBAL, mac, 6, 255); /* global+DADR */
	CU_ASSERT_EQUAL(npdu_encode_header(&w, &v), -1);
	npdu_view_set_dest(&v, 5, NULL, 6, 255);	/* DLEN without DADR */
	CU_ASSERT_EQUAL(npdu_encode_header(&w, &v), -1);
	npdu_view_set_dest(&v, 5, mac, 6, 255);
	CU_ASSERT_EQUAL(npdu_encode_header(&w, &v), 0);
	npdu_view_set_source(&v, NPDU_NET_GLOBAL, mac, 6);
	CU_ASSERT_FALSE(npdu_view_is_valid(&v));
	npdu_view_set_source(&v, 0, mac, 6);
	CU_ASSERT_FALSE(npdu_view_is_valid(&v));
	npdu_view_set_source(&v, 7, mac, 0);
	CU_ASSERT_FALSE(npdu_view_is_valid(&v));
	npdu_view_set_source(&v, 7, NULL, 6);
	CU_ASSERT_FALSE(npdu_view_is_valid(&v));
	npdu_view_set_source(&v, 7, mac, 6);
	CU_ASSERT_TRUE(npdu_view_is_valid(&v));
	v.payload_len = 3;
	CU_ASSERT_FALSE(npdu_view_is_valid(&v));
	v.payload = mac;

	need = npdu_header_len(&v) + 3;
	CU_ASSERT_EQUAL(need, 2 + 3 + 6 + 3 + 6 + 1 + 3);
	for (cap = 0; cap <= need; cap++) {
		wr_init(&w, out, cap);
		CU_ASSERT_EQUAL(npdu_encode(&w, &v), cap < need ? -1 : 0);
	}
	CU_ASSERT_TRUE(npdu_header_len(&v) <= NPDU_HDR_MAX);
}

static const struct ut_case cases[] = {
	UT_CASE(test_npdu_vectors),
	UT_CASE(test_npdu_truncation),
	UT_CASE(test_npdu_malformed_table),
	UT_CASE(test_npdu_digest_e8),
	UT_CASE(test_npdu_digest_e9),
	UT_CASE(test_npdu_digest_e11),
	UT_CASE(test_npdu_digest_e12),
	UT_CASE(test_npdu_encode_control),
	UT_CASE(test_npdu_encode_refuses),
	UT_END
};
UT_SUITE(npdu, cases);
