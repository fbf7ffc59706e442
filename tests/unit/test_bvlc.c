/*
 * BVLL codec: every record of tests/vectors/bip.vec, round trips, the
 * digest's E13 examples, truncation sweeps, malformed cases.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bip/bvlc_codec.h"
#include "npdu/npdu_codec.h"
#include "tests/unit/harness.h"
#include "tests/unit/vecfile.h"

/* Keys of the NPDU carried inside (tests/vectors/README.md). */
static bool
is_npdu_key(const char *k)
{
	static const char *const keys[] = {
		"version", "control", "dnet", "dlen", "dadr", "snet", "slen",
		"sadr", "hop", "apdu", "msgtype", "vendor", "data", "net",
		"nets", "perf", "reason", "ttime", "flag", "ports", NULL,
	};
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return strncmp(k, "port", 4) == 0 && k[4] >= '0' && k[4] <= '9';
}

static void
fmt_ip(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", (unsigned)(ip >> 24),
	    (unsigned)(ip >> 16) & 0xff, (unsigned)(ip >> 8) & 0xff,
	    (unsigned)ip & 0xff);
}

/* Parse "bdt12.addr" into 12 and "addr"; return the index or 0. */
static size_t
entry_key(const char *k, const char *prefix, const char **field)
{
	size_t pl = strlen(prefix);
	char *end;
	unsigned long n;

	if (strncmp(k, prefix, pl) != 0 || k[pl] < '1' || k[pl] > '9')
		return 0;
	n = strtoul(k + pl, &end, 10);
	if (*end != '.')
		return 0;
	*field = end + 1;
	return (size_t)n;
}

static bool
bytes_key(const struct vec_record *r, const char *k, const uint8_t *p,
    size_t len)
{
	uint8_t want[2048];
	long n = vec_get_bytes(r, k, want, sizeof(want));

	return n >= 0 && (size_t)n == len && (len == 0 ||
	    memcmp(want, p, len) == 0);
}

/*
 * Check an NPDU header key (or the APDU, or the message type) through the
 * NPDU codec: 1 match, 0 mismatch, -1 not such a key (message bodies are
 * the npdu suite's job).
 */
static int
check_npdu_key(const struct vec_record *r, const struct bvlc_msg *m,
    const char *k)
{
	long long want = vec_get_int(r, k);
	struct npdu_view v;

	if (strcmp(k, "version") != 0 && strcmp(k, "control") != 0 &&
	    strcmp(k, "dnet") != 0 && strcmp(k, "dlen") != 0 &&
	    strcmp(k, "dadr") != 0 && strcmp(k, "snet") != 0 &&
	    strcmp(k, "slen") != 0 && strcmp(k, "sadr") != 0 &&
	    strcmp(k, "hop") != 0 && strcmp(k, "apdu") != 0 &&
	    strcmp(k, "msgtype") != 0)
		return -1;
	if (m->npdu == NULL ||
	    npdu_decode(m->npdu, m->npdu_len, &v, NULL, NULL) != CODEC_OK)
		return 0;
	if (strcmp(k, "version") == 0)
		return want == m->npdu[0];
	if (strcmp(k, "control") == 0)
		return want == v.control;
	if (strcmp(k, "dnet") == 0)
		return v.has_dnet && want == v.dnet;
	if (strcmp(k, "dlen") == 0)
		return v.has_dnet && want == v.dlen;
	if (strcmp(k, "dadr") == 0)
		return v.has_dnet && bytes_key(r, k, v.dadr, v.dlen);
	if (strcmp(k, "snet") == 0)
		return v.has_snet && want == v.snet;
	if (strcmp(k, "slen") == 0)
		return v.has_snet && want == v.slen;
	if (strcmp(k, "sadr") == 0)
		return v.has_snet && bytes_key(r, k, v.sadr, v.slen);
	if (strcmp(k, "hop") == 0)
		return v.has_dnet && want == v.hop_count;
	if (strcmp(k, "msgtype") == 0)
		return v.is_nl_msg && want == v.nl_type;
	return !v.is_nl_msg && bytes_key(r, k, v.payload, v.payload_len);
}

/* Check one expect item against the decoded message; true if it matches. */
static bool
check_key(const struct vec_record *r, const struct bvlc_msg *m,
    const char *k, const char *v)
{
	char buf[64];
	uint8_t bytes[2048];
	const char *f;
	size_t i;
	long n;

	if (strcmp(k, "type") == 0)
		return r->bytes[0] == strtol(v, NULL, 0);
	if (strcmp(k, "function") == 0)
		return m->function == strtol(v, NULL, 0);
	if (strcmp(k, "length") == 0)
		return m->length == strtol(v, NULL, 0);
	if (strcmp(k, "result") == 0)
		return m->function == BVLC_RESULT &&
		    m->result == strtol(v, NULL, 0);
	if (strcmp(k, "ttl") == 0)
		return m->function == BVLC_REGISTER_FD &&
		    m->ttl == strtol(v, NULL, 0);
	if (strcmp(k, "bdt") == 0 || strcmp(k, "fdt") == 0)
		return m->n_entries == (size_t)strtol(v, NULL, 0);
	if (strcmp(k, "addr") == 0 || strcmp(k, "orig_addr") == 0)
		return strcmp(bvlc_addr_fmt(&m->addr, buf, sizeof(buf)), v) == 0;
	if (strcmp(k, "npdu") == 0) {
		n = vec_get_bytes(r, k, bytes, sizeof(bytes));
		return n >= 0 && (size_t)n == m->npdu_len &&
		    memcmp(bytes, m->npdu, m->npdu_len) == 0;
	}
	if ((i = entry_key(k, "bdt", &f)) > 0) {
		struct bvlc_bdt_entry e;

		if (i > m->n_entries)
			return false;
		bvlc_bdt_entry_get(m, i - 1, &e);
		if (strcmp(f, "addr") == 0)
			return strcmp(bvlc_addr_fmt(&e.addr, buf, sizeof(buf)),
			    v) == 0;
		fmt_ip(e.mask, buf, sizeof(buf));
		return strcmp(f, "mask") == 0 && strcmp(buf, v) == 0;
	}
	if ((i = entry_key(k, "fdt", &f)) > 0) {
		struct bvlc_fdt_entry e;

		if (i > m->n_entries)
			return false;
		bvlc_fdt_entry_get(m, i - 1, &e);
		if (strcmp(f, "addr") == 0)
			return strcmp(bvlc_addr_fmt(&e.addr, buf, sizeof(buf)),
			    v) == 0;
		if (strcmp(f, "ttl") == 0)
			return e.ttl == strtol(v, NULL, 0);
		return strcmp(f, "remaining") == 0 &&
		    e.remaining == strtol(v, NULL, 0);
	}
	if ((n = check_npdu_key(r, m, k)) >= 0)
		return n == 1;
	/* NL message bodies are the NPDU codec's tests (npdu.vec). */
	return is_npdu_key(k);
}

static void
check_valid(const struct vec_record *r)
{
	struct bvlc_msg m;
	uint8_t out[2048];
	struct wr w;
	const char *why = NULL;
	size_t i;

	if (bvlc_decode(r->bytes, r->len, &m, &why) != CODEC_OK) {
		fprintf(stderr, "\n%s: refused (%s)\n", r->name, why);
		CU_FAIL("valid record refused");
		return;
	}
	for (i = 0; i < r->nkv; i++) {
		if (!check_key(r, &m, r->kv[i].key, r->kv[i].value)) {
			fprintf(stderr, "\n%s: %s=%s does not match\n", r->name,
			    r->kv[i].key, r->kv[i].value);
			CU_FAIL("decoded fact differs");
		}
	}
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(bvlc_encode(&w, &m), 0);
	UT_ASSERT_BYTES(out, w.len, r->bytes, r->len);
}

static void
check_invalid(const struct vec_record *r)
{
	struct bvlc_msg m;
	const char *why = NULL, *want = vec_get(r, "error");
	enum codec_rc rc;

	rc = bvlc_decode(r->bytes, r->len, &m, &why);
	if (rc == CODEC_OK) {
		fprintf(stderr, "\n%s: accepted\n", r->name);
		CU_FAIL("invalid record accepted");
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	if (want != NULL && (strncmp(why, want, strlen(want)) != 0 ||
	    why[strlen(want)] != ':')) {
		fprintf(stderr, "\n%s: refused as \"%s\", want %s\n", r->name,
		    why, want);
		CU_FAIL("refused for the wrong reason");
	}
}

static void
test_bvlc_vectors(void)
{
	struct vec_file vf;
	char err[256];
	size_t i, nvalid = 0, ninvalid = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/bip.vec"), &vf,
	    err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++) {
		if (vf.rec[i].valid) {
			check_valid(&vf.rec[i]);
			nvalid++;
		} else {
			check_invalid(&vf.rec[i]);
			ninvalid++;
		}
	}
	CU_ASSERT_TRUE(nvalid > 0 && ninvalid > 0);
	vec_file_free(&vf);
}

/* Every prefix of every valid record is refused, never read past. */
static void
test_bvlc_truncation(void)
{
	struct vec_file vf;
	char err[256];
	struct bvlc_msg m;
	size_t i, n;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/bip.vec"), &vf,
	    err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++) {
		if (!vf.rec[i].valid)
			continue;
		for (n = 0; n < vf.rec[i].len; n++) {
			/* a heap copy of exactly n octets, for ASan */
			uint8_t *cp = malloc(n > 0 ? n : 1);

			CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
			memcpy(cp, vf.rec[i].bytes, n);
			CU_ASSERT_NOT_EQUAL(bvlc_decode(cp, n, &m, NULL),
			    CODEC_OK);
			free(cp);
		}
	}
	vec_file_free(&vf);
}

/* A prefix with the length field patched to match: the field is cut. */
static void
test_bvlc_cut_fields(void)
{
	static const uint8_t regfd[] = { 0x81, 0x05, 0x00, 0x05, 0x00 };
	static const uint8_t del[] = { 0x81, 0x08, 0x00, 0x09, 0xc0, 0xa8,
	    0x00, 0x0b, 0xba };
	static const uint8_t fwd[] = { 0x81, 0x04, 0x00, 0x0a, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0 };
	static const uint8_t res_long[] = { 0x81, 0x00, 0x00, 0x07, 0x00,
	    0x00, 0x00 };
	static const uint8_t rbdt_long[] = { 0x81, 0x02, 0x00, 0x05, 0x00 };
	struct bvlc_msg m;
	const char *why;

	CU_ASSERT_EQUAL(bvlc_decode(regfd, sizeof(regfd), &m, &why),
	    CODEC_MALFORMED);
	CU_ASSERT_EQUAL(strncmp(why, "truncated:", 10), 0);
	CU_ASSERT_EQUAL(bvlc_decode(del, sizeof(del), &m, &why),
	    CODEC_MALFORMED);
	CU_ASSERT_EQUAL(strncmp(why, "truncated:", 10), 0);
	/* Forwarded-NPDU with its address but no NPDU */
	CU_ASSERT_EQUAL(bvlc_decode(fwd, sizeof(fwd), &m, &why),
	    CODEC_MALFORMED);
	CU_ASSERT_EQUAL(strncmp(why, "truncated:", 10), 0);
	CU_ASSERT_EQUAL(bvlc_decode(res_long, sizeof(res_long), &m, &why),
	    CODEC_MALFORMED);
	CU_ASSERT_EQUAL(strncmp(why, "unexpected-data:", 16), 0);
	CU_ASSERT_EQUAL(bvlc_decode(rbdt_long, sizeof(rbdt_long), &m, &why),
	    CODEC_MALFORMED);
	CU_ASSERT_EQUAL(bvlc_decode(regfd, 3, &m, &why), CODEC_SHORT);
}

/* The E13 bytes of the digest, built with the encoders. */
static void
test_bvlc_e13_encode(void)
{
	static const uint8_t regfd[] = { 0x81, 0x05, 0x00, 0x06, 0x00, 0x1e };
	static const uint8_t nak[] = { 0x81, 0x00, 0x00, 0x06, 0x00, 0x30 };
	static const uint8_t rbdt[] = { 0x81, 0x02, 0x00, 0x04 };
	static const uint8_t ack[] = { 0x81, 0x03, 0x00, 0x0e, 0xc0, 0xa8,
	    0x00, 0xfe, 0xba, 0xc0, 0xff, 0xff, 0xff, 0x00 };
	static const uint8_t fdt[] = { 0x81, 0x07, 0x00, 0x0e, 0xc0, 0xa8,
	    0x00, 0x0a, 0xba, 0xc0, 0x00, 0x1e, 0x00, 0x0f };
	static const uint8_t del[] = { 0x81, 0x08, 0x00, 0x0a, 0xc0, 0xa8,
	    0x00, 0x0b, 0xba, 0xc0 };
	static const uint8_t fwd[] = { 0x81, 0x04, 0x00, 0x12, 0xc0, 0xa8,
	    0x01, 0x0a, 0xba, 0xc0, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10,
	    0x08 };
	uint8_t b[64];
	struct wr w;
	struct bvlc_bdt_entry be;
	struct bvlc_fdt_entry fe;
	struct bvlc_addr a;

	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_register_fd(&w, 30), 0);
	UT_ASSERT_BYTES(b, w.len, regfd, sizeof(regfd));
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_result(&w, BVLC_RC_REGISTER_FD_NAK), 0);
	UT_ASSERT_BYTES(b, w.len, nak, sizeof(nak));
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_empty(&w, BVLC_READ_BDT), 0);
	UT_ASSERT_BYTES(b, w.len, rbdt, sizeof(rbdt));
	CU_ASSERT_EQUAL(bvlc_addr_parse("192.168.0.254", 47808, &be.addr), 0);
	CU_ASSERT_EQUAL(bvlc_ip_parse("255.255.255.0", &be.mask), 0);
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_bdt(&w, BVLC_READ_BDT_ACK, &be, 1), 0);
	UT_ASSERT_BYTES(b, w.len, ack, sizeof(ack));
	CU_ASSERT_EQUAL(bvlc_addr_parse("192.168.0.10:47808", 1, &fe.addr), 0);
	fe.ttl = 30;
	fe.remaining = 15;
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_fdt_ack(&w, &fe, 1), 0);
	UT_ASSERT_BYTES(b, w.len, fdt, sizeof(fdt));
	CU_ASSERT_EQUAL(bvlc_addr_parse("192.168.0.11", 47808, &a), 0);
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_delete_fdt(&w, &a), 0);
	UT_ASSERT_BYTES(b, w.len, del, sizeof(del));
	/* Forwarded-NPDU header alone, then the NPDU behind it */
	CU_ASSERT_EQUAL(bvlc_addr_parse("192.168.1.10", 47808, &a), 0);
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_npdu_hdr(&w, BVLC_FORWARDED_NPDU, &a, 8),
	    0);
	CU_ASSERT_EQUAL(w.len, BVLC_FWD_HDR_LEN);
	wr_bytes(&w, fwd + 10, 8);
	UT_ASSERT_BYTES(b, w.len, fwd, sizeof(fwd));
}

static void
test_bvlc_encode_errors(void)
{
	uint8_t b[8];
	struct wr w;
	struct bvlc_addr a = { 0x7f000001, 47808 };
	struct bvlc_msg m;

	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode_npdu_hdr(&w, BVLC_FORWARDED_NPDU, NULL, 4),
	    -1);
	CU_ASSERT_EQUAL(bvlc_encode_npdu_hdr(&w, BVLC_RESULT, &a, 4), -1);
	CU_ASSERT_EQUAL(bvlc_encode_npdu_hdr(&w, BVLC_ORIGINAL_UNICAST, NULL,
	    0), -1);
	CU_ASSERT_EQUAL(bvlc_encode_npdu_hdr(&w, BVLC_ORIGINAL_UNICAST, NULL,
	    65532), -1);
	CU_ASSERT_EQUAL(bvlc_encode_empty(&w, BVLC_RESULT), -1);
	/* overflow is reported */
	wr_init(&w, b, 5);
	CU_ASSERT_EQUAL(bvlc_encode_result(&w, 0), -1);
	memset(&m, 0, sizeof(m));
	m.function = 0x0d;
	wr_init(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(bvlc_encode(&w, &m), -1);
}

static void
test_bvlc_addr_text(void)
{
	struct bvlc_addr a;
	char buf[32];
	uint32_t ip;

	CU_ASSERT_EQUAL(bvlc_addr_parse("10.1.2.3:47809", 47808, &a), 0);
	CU_ASSERT_EQUAL(a.ip, 0x0a010203u);
	CU_ASSERT_EQUAL(a.port, 47809);
	CU_ASSERT_STRING_EQUAL(bvlc_addr_fmt(&a, buf, sizeof(buf)),
	    "10.1.2.3:47809");
	CU_ASSERT_EQUAL(bvlc_addr_parse("127.0.0.2", 47808, &a), 0);
	CU_ASSERT_EQUAL(a.port, 47808);
	CU_ASSERT_EQUAL(bvlc_addr_parse("256.0.0.1", 1, &a), -1);
	CU_ASSERT_EQUAL(bvlc_addr_parse("1.2.3", 1, &a), -1);
	CU_ASSERT_EQUAL(bvlc_addr_parse("1.2.3.4:0", 1, &a), -1);
	CU_ASSERT_EQUAL(bvlc_addr_parse("1.2.3.4:65536", 1, &a), -1);
	CU_ASSERT_EQUAL(bvlc_addr_parse("1.2.3.4x", 1, &a), -1);
	CU_ASSERT_EQUAL(bvlc_ip_parse("255.255.255.255", &ip), 0);
	CU_ASSERT_EQUAL(ip, 0xffffffffu);
	CU_ASSERT_EQUAL(bvlc_ip_parse("1.2.3.4:5", &ip), -1);
	CU_ASSERT_STRING_EQUAL(bvlc_function_name(BVLC_FORWARDED_NPDU),
	    "Forwarded-NPDU");
	CU_ASSERT_STRING_EQUAL(bvlc_function_name(0x0d), "unknown");
}

/* Random datagrams: decode never crashes; what decodes re-encodes equal. */
static void
test_bvlc_random(void)
{
	uint8_t b[64], out[128];
	struct bvlc_msg m;
	struct wr w;
	unsigned seed = 12345;
	size_t i, n, k;

	for (i = 0; i < 20000; i++) {
		n = (size_t)(rand_r(&seed) % (int)sizeof(b));
		for (k = 0; k < n; k++)
			b[k] = (uint8_t)rand_r(&seed);
		if (n >= 4) {
			b[0] = BVLC_TYPE_BIP;
			b[1] = (uint8_t)(b[1] % 14);
			b[2] = 0;
			b[3] = (uint8_t)n;
		}
		if (bvlc_decode(b, n, &m, NULL) != CODEC_OK)
			continue;
		wr_init(&w, out, sizeof(out));
		CU_ASSERT_EQUAL(bvlc_encode(&w, &m), 0);
		UT_ASSERT_BYTES(out, w.len, b, n);
	}
}

static const struct ut_case cases[] = {
	UT_CASE(test_bvlc_vectors),
	UT_CASE(test_bvlc_truncation),
	UT_CASE(test_bvlc_cut_fields),
	UT_CASE(test_bvlc_e13_encode),
	UT_CASE(test_bvlc_encode_errors),
	UT_CASE(test_bvlc_addr_text),
	UT_CASE(test_bvlc_random),
	UT_END
};
UT_SUITE(bvlc, cases);
