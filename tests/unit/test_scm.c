/* BVLC-SC message codec (sc/scm_codec.h): vectors, examples, NAK rules. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "npdu/npdu_codec.h"
#include "sc/scm_codec.h"
#include "tests/unit/harness.h"
#include "tests/unit/vecfile.h"

/* ---- helpers ---- */

static size_t
hexb(const char *text, uint8_t *out, size_t cap)
{
	long n = hex_decode(text, out, cap, NULL);

	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n;
}

static int
load_sc_vec(struct vec_file *vf)
{
	char err[256];

	if (vec_file_load(ut_srcpath("vectors/sc.vec"), vf, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "sc.vec: %s\n", err);
		return -1;
	}
	return 0;
}

/* Encode m into buf; return the length or (size_t)-1. */
static size_t
enc_msg(const struct scm_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w;

	wr_init(&w, buf, cap);
	if (scm_msg_encode(&w, m) != 0)
		return (size_t)-1;
	return w.len;
}

/* Decode, re-encode whole and as two segments, compare with the input. */
static void
check_roundtrip(const uint8_t *buf, size_t len, struct scm_msg *m)
{
	uint8_t out[2048];
	struct scm_fail f;
	struct wr w;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, len, m, &f), CODEC_OK);
	n = enc_msg(m, out, sizeof(out));
	UT_ASSERT_BYTES(out, n, buf, len);
	/* Header alone, then the borrowed payload as a second segment. */
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(scm_hdr_encode(&w, &m->hdr), 0);
	CU_ASSERT_EQUAL(w.len, m->hdr.hdr_len);
	CU_ASSERT_EQUAL(scm_hdr_len(&m->hdr), m->hdr.hdr_len);
	wr_bytes(&w, m->hdr.payload, m->hdr.payload_len);
	UT_ASSERT_BYTES(out, w.len, buf, len);
	CU_ASSERT_PTR_EQUAL(m->hdr.payload, buf + m->hdr.hdr_len);
}

/* The n-th (1-based) option of list l, or false. */
static bool
nth_opt(const struct scm_optlist *l, unsigned n, struct scm_opt *o)
{
	struct scm_opt_iter it;
	unsigned i = 0;

	scm_opt_iter_init(&it, l);
	while (scm_opt_next(&it, o))
		if (++i == n)
			return true;
	return false;
}

/* ---- vector-driven checks ---- */

static const char *const npdu_keys[] = {
	"version", "control", "dnet", "dlen", "dadr", "snet", "slen", "sadr",
	"hop", "apdu", "msgtype", "vendor", "data", "net", "nets", "perf",
	"reason", "ttime", "flag", "ports", NULL
};

static bool key_bytes_equal(const struct vec_record *r, const char *key,
    const uint8_t *p, size_t len);

/*
 * Check an NPDU header key of an Encapsulated-NPDU through the NPDU codec;
 * -1 if key is not one of them.
 */
static int
check_npdu_key(const struct vec_record *r, const char *key,
    const struct scm_hdr *h)
{
	static const char *const hdr_keys[] = { "version", "control", "dnet",
	    "dlen", "dadr", "snet", "slen", "sadr", "hop", "apdu", NULL };
	struct npdu_view v;
	long long want = vec_get_int(r, key);
	size_t i;

	for (i = 0; hdr_keys[i] != NULL; i++)
		if (strcmp(key, hdr_keys[i]) == 0)
			break;
	if (hdr_keys[i] == NULL || h->function != SCM_FN_ENCAP_NPDU)
		return -1;
	if (npdu_decode(h->payload, h->payload_len, &v, NULL, NULL) !=
	    CODEC_OK)
		return 0;
	if (strcmp(key, "version") == 0)
		return want == h->payload[0];
	if (strcmp(key, "control") == 0)
		return want == v.control;
	if (strcmp(key, "dnet") == 0)
		return v.has_dnet && want == v.dnet;
	if (strcmp(key, "dlen") == 0)
		return v.has_dnet && want == v.dlen;
	if (strcmp(key, "dadr") == 0)
		return v.has_dnet && key_bytes_equal(r, key, v.dadr, v.dlen);
	if (strcmp(key, "snet") == 0)
		return v.has_snet && want == v.snet;
	if (strcmp(key, "slen") == 0)
		return v.has_snet && want == v.slen;
	if (strcmp(key, "sadr") == 0)
		return v.has_snet && key_bytes_equal(r, key, v.sadr, v.slen);
	if (strcmp(key, "hop") == 0)
		return v.has_dnet && want == v.hop_count;
	return !v.is_nl_msg &&
	    key_bytes_equal(r, key, v.payload, v.payload_len);
}

/* True if key describes the NPDU inside the message (npdu suite's job). */
static bool
is_npdu_key(const char *key)
{
	size_t i;

	if (strncmp(key, "port", 4) == 0)
		return true;
	for (i = 0; npdu_keys[i] != NULL; i++)
		if (strcmp(key, npdu_keys[i]) == 0)
			return true;
	return false;
}

static bool
key_bytes_equal(const struct vec_record *r, const char *key,
    const uint8_t *p, size_t len)
{
	uint8_t want[2048];
	long n = vec_get_bytes(r, key, want, sizeof(want));

	if (n < 0)
		return false;
	return ut_bytes_equal(p, len, want, (size_t)n, r->name, r->line);
}

static bool
key_vmac(const struct vec_record *r, const char *key, bool has,
    const uint8_t *v)
{
	const char *val = vec_get(r, key);

	if (strcmp(val, "none") == 0)
		return !has;
	return has && key_bytes_equal(r, key, v, SC_VMAC_LEN);
}

/* Check one option key "destoptN.field"; true if it matches. */
static bool
key_opt(const struct vec_record *r, const char *key,
    const struct scm_optlist *l)
{
	const char *dot = strchr(key, '.');
	struct scm_opt o;
	unsigned n;
	long long v = vec_get_int(r, key);

	if (dot == NULL)
		return false;
	n = (unsigned)strtoul(key + 7, NULL, 10);	/* destopt / dataopt */
	if (!nth_opt(l, n, &o))
		return false;
	dot++;
	if (strcmp(dot, "marker") == 0)
		return v == o.marker;
	if (strcmp(dot, "type") == 0)
		return v == o.type;
	if (strcmp(dot, "mu") == 0)
		return v == o.must_understand;
	if (strcmp(dot, "more") == 0)
		return v == o.more;
	if (strcmp(dot, "datalen") == 0)
		return o.has_data && v == (long long)o.data_len;
	if (strcmp(dot, "data") == 0)
		return o.has_data && key_bytes_equal(r, key, o.data, o.data_len);
	if (strcmp(dot, "vendor") == 0)
		return o.type == SCM_OPT_PROPRIETARY && v == o.vendor;
	if (strcmp(dot, "ptype") == 0)
		return o.type == SCM_OPT_PROPRIETARY && v == o.ptype;
	return false;
}

static bool
key_uri(const struct vec_record *r, const char *key, const struct scm_hdr *h)
{
	const uint8_t *u = NULL;
	size_t pos = 0, ulen = 0, i = 0, want;
	const char *val = vec_get(r, key);

	if (strcmp(key, "uri_count") == 0) {
		while (scm_uri_next(h->payload, h->payload_len, &pos, &u, &ulen))
			i++;
		return (long long)i == vec_get_int(r, key);
	}
	want = strtoul(key + 3, NULL, 10);
	while (scm_uri_next(h->payload, h->payload_len, &pos, &u, &ulen))
		if (++i == want)
			return ulen == strlen(val) && memcmp(u, val, ulen) == 0;
	return false;
}

/* Check one decoded key; -1 unknown key, 0 mismatch, 1 match. */
static int
check_key(const struct vec_record *r, const char *key, const struct scm_msg *m)
{
	const struct scm_hdr *h = &m->hdr;
	long long v = vec_get_int(r, key);
	uint8_t fn = h->function;
	char s[SC_UUID_STRLEN];

	if (strcmp(key, "function") == 0)
		return v == fn;
	if (strcmp(key, "flags") == 0)
		return v == h->flags;
	if (strcmp(key, "msgid") == 0)
		return v == h->msgid;
	if (strcmp(key, "orig") == 0)
		return key_vmac(r, key, h->has_orig, h->orig);
	if (strcmp(key, "dest") == 0)
		return key_vmac(r, key, h->has_dest, h->dest);
	if (strcmp(key, "destopts") == 0)
		return v == h->dest_opts.count;
	if (strcmp(key, "dataopts") == 0)
		return v == h->data_opts.count;
	if (strncmp(key, "destopt", 7) == 0)
		return key_opt(r, key, &h->dest_opts);
	if (strncmp(key, "dataopt", 7) == 0)
		return key_opt(r, key, &h->data_opts);
	if (strcmp(key, "payload_len") == 0)
		return v == (long long)h->payload_len;
	if (strcmp(key, "npdu") == 0)
		return fn == SCM_FN_ENCAP_NPDU &&
		    key_bytes_equal(r, key, h->payload, h->payload_len);
	if (fn == SCM_FN_RESULT) {
		const struct scm_result *res = &m->u.result;

		if (strcmp(key, "result_for") == 0)
			return v == res->result_for;
		if (strcmp(key, "result_code") == 0)
			return v == res->code;
		if (strcmp(key, "error_marker") == 0)
			return v == res->error_marker;
		if (strcmp(key, "error_class") == 0)
			return v == res->error_class;
		if (strcmp(key, "error_code") == 0)
			return v == res->error_code;
		if (strcmp(key, "details_hex") == 0)
			return key_bytes_equal(r, key, res->details,
			    res->details_len);
	}
	if (fn == SCM_FN_CONNECT_REQ || fn == SCM_FN_CONNECT_ACCEPT) {
		const struct scm_connect *c = &m->u.connect;

		if (strcmp(key, "vmac") == 0)
			return key_bytes_equal(r, key, c->vmac, SC_VMAC_LEN);
		if (strcmp(key, "uuid") == 0)
			return sc_uuid_format(c->uuid, s, sizeof(s)) == 0 &&
			    strcmp(s, vec_get(r, key)) == 0;
		if (strcmp(key, "max_bvlc") == 0)
			return v == c->max_bvlc;
		if (strcmp(key, "max_npdu") == 0)
			return v == c->max_npdu;
	}
	if (fn == SCM_FN_ADVERT) {
		const struct scm_advert *a = &m->u.advert;

		if (strcmp(key, "hub_status") == 0)
			return v == a->hub_status;
		if (strcmp(key, "accept_dc") == 0)
			return v == a->accept_dc;
		if (strcmp(key, "max_bvlc") == 0)
			return v == a->max_bvlc;
		if (strcmp(key, "max_npdu") == 0)
			return v == a->max_npdu;
	}
	if (fn == SCM_FN_ADDR_RES_ACK && strncmp(key, "uri", 3) == 0)
		return key_uri(r, key, h);
	if (fn == SCM_FN_PROPRIETARY) {
		const struct scm_proprietary *p = &m->u.prop;

		if (strcmp(key, "vendor") == 0)
			return v == p->vendor;
		if (strcmp(key, "pfunc") == 0)
			return v == p->function;
		if (strcmp(key, "pdata") == 0)
			return key_bytes_equal(r, key, p->data, p->data_len);
	}
	return -1;
}

/* Behaviour keys, handled by check_nak. */
static bool
is_behaviour_key(const char *key)
{
	return strcmp(key, "nak") == 0 || strcmp(key, "nak_marker") == 0 ||
	    strcmp(key, "context") == 0 || strcmp(key, "error") == 0;
}

/* True if the record's nak value ("146", "7|150", "none") allows code. */
static bool
nak_allows(const char *want, uint16_t code)
{
	char buf[64], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, "|", &save); tok != NULL;
	    tok = strtok_r(NULL, "|", &save))
		if (strtol(tok, NULL, 0) == code)
			return true;
	return false;
}

/* The NAK built for f decodes as a NAK for the refused message. */
static void
check_nak_bytes(const struct scm_fail *f)
{
	uint8_t buf[64];
	struct scm_msg nak;
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(scm_encode_nak(&w, f, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, w.len, &nak, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(nak.hdr.function, SCM_FN_RESULT);
	CU_ASSERT_EQUAL(nak.hdr.msgid, f->msgid);
	CU_ASSERT_EQUAL(nak.hdr.has_orig, false);
	CU_ASSERT_EQUAL(nak.hdr.has_dest, f->has_orig &&
	    !scm_function_is_peer_only(f->function));
	if (nak.hdr.has_dest)
		CU_ASSERT_EQUAL(memcmp(nak.hdr.dest, f->orig, 6), 0);
	CU_ASSERT_EQUAL(nak.u.result.result_for, f->function);
	CU_ASSERT_EQUAL(nak.u.result.code, SCM_RESULT_NAK);
	CU_ASSERT_EQUAL(nak.u.result.error_marker, f->error_marker);
	CU_ASSERT_EQUAL(nak.u.result.error_class, SCM_ERRCLASS_COMMUNICATION);
	CU_ASSERT_EQUAL(nak.u.result.error_code, f->error_code);
}

/* Compare a refusal with the record's nak / nak_marker. */
static bool
check_refusal(const struct vec_record *r, const struct scm_fail *f)
{
	const char *nak = vec_get(r, "nak");
	long long marker = vec_get_int(r, "nak_marker");
	bool ok = true;

	if (nak == NULL)
		return false;
	if (strcmp(nak, "none") == 0)
		return !scm_fail_wants_nak(f);
	ok = scm_fail_wants_nak(f) && nak_allows(nak, f->error_code) &&
	    f->error_class == SCM_ERRCLASS_COMMUNICATION;
	if (vec_get(r, "nak_marker") != NULL)
		ok = ok && marker == f->error_marker;
	if (ok)
		check_nak_bytes(f);
	return ok;
}

static void
check_valid_record(const struct vec_record *r)
{
	struct scm_msg m;
	struct scm_fail f;
	size_t i;
	int rc;

	check_roundtrip(r->bytes, r->len, &m);
	for (i = 0; i < r->nkv; i++) {
		const char *key = r->kv[i].key;

		if (is_behaviour_key(key))
			continue;
		rc = check_key(r, key, &m);
		if (rc < 0)
			rc = check_npdu_key(r, key, &m.hdr);
		if (rc < 0 && vec_get(r, "npdu") != NULL && is_npdu_key(key))
			continue;	/* NL message bodies: the npdu suite's */
		if (rc != 1)
			fprintf(stderr, "\n%s (line %d): key %s=%s %s\n",
			    r->name, r->line, key, r->kv[i].value,
			    rc < 0 ? "unknown" : "mismatch");
		CU_ASSERT_EQUAL(rc, 1);
	}
	/* As the destination node that understands no option. */
	memset(&f, 0, sizeof(f));
	if (vec_get(r, "nak") != NULL) {
		CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, NULL, NULL, &f), -1);
		CU_ASSERT_TRUE(check_refusal(r, &f));
	} else {
		CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, NULL, NULL, &f), 0);
	}
}

static void
check_invalid_record(const struct vec_record *r)
{
	const char *ctx = vec_get(r, "context");
	struct scm_msg m;
	struct scm_fail f;
	bool refused;

	memset(&f, 0, sizeof(f));
	if (ctx != NULL) {
		CU_ASSERT_STRING_EQUAL_FATAL(ctx, "hub-rx");
		CU_ASSERT_EQUAL_FATAL(scm_decode(r->bytes, r->len, &m, &f),
		    CODEC_OK);
		refused = scm_check_hop(&m.hdr, SCM_HOP_HUB_RX, &f) != 0;
	} else {
		refused = scm_decode(r->bytes, r->len, &m, &f) != CODEC_OK;
	}
	if (!refused) {
		fprintf(stderr, "\n%s: accepted\n", r->name);
		CU_FAIL("invalid record accepted");
		return;
	}
	if (vec_get(r, "function") != NULL)
		CU_ASSERT_TRUE(f.have_hdr &&
		    f.function == vec_get_int(r, "function"));
	if (vec_get(r, "msgid") != NULL)
		CU_ASSERT_TRUE(f.have_hdr && f.msgid == vec_get_int(r, "msgid"));
	if (!check_refusal(r, &f)) {
		fprintf(stderr, "\n%s: refused with code %u (%s), nak %s\n",
		    r->name, f.error_code, f.why,
		    scm_fail_wants_nak(&f) ? "due" : "not due");
		CU_FAIL("wrong NAK for invalid record");
	}
}

static void
test_scm_vectors(void)
{
	struct vec_file vf;
	size_t i, valid = 0;

	CU_ASSERT_EQUAL_FATAL(load_sc_vec(&vf), 0);
	CU_ASSERT_TRUE(vf.n > 0);
	for (i = 0; i < vf.n; i++) {
		if (vf.rec[i].valid) {
			check_valid_record(&vf.rec[i]);
			valid++;
		} else {
			check_invalid_record(&vf.rec[i]);
		}
	}
	CU_ASSERT_TRUE(valid > 0 && valid < vf.n);
	vec_file_free(&vf);
}

/* ---- truncation sweep ---- */

/* Smallest payload the function can have (a NAK needs 7, an ACK 2). */
static size_t
payload_min(const struct scm_msg *m)
{
	switch (m->hdr.function) {
	case SCM_FN_RESULT:
		return m->u.result.code == SCM_RESULT_NAK ? SCM_RESULT_NAK_MIN :
		    SCM_RESULT_ACK_LEN;
	case SCM_FN_ENCAP_NPDU:
		return 1;
	case SCM_FN_ADVERT:
		return SCM_ADVERT_LEN;
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_CONNECT_ACCEPT:
		return SCM_CONNECT_LEN;
	case SCM_FN_PROPRIETARY:
		return SCM_PROPRIETARY_MIN;
	default:
		return 0;
	}
}

static void
sweep_prefixes(const uint8_t *buf, size_t len)
{
	struct scm_msg full, m;
	struct scm_fail f;
	size_t n, min;

	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, len, &full, NULL), CODEC_OK);
	min = full.hdr.hdr_len + payload_min(&full);
	for (n = 0; n < len; n++) {
		/* Exact-size heap copy, so ASan sees any over-read. */
		uint8_t *p = malloc(n > 0 ? n : 1);
		enum codec_rc rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memcpy(p, buf, n);
		memset(&f, 0, sizeof(f));
		rc = scm_decode(p, n, &m, &f);
		if (n < SCM_HDR_MIN) {
			CU_ASSERT_EQUAL(rc, CODEC_SHORT);
			CU_ASSERT_FALSE(f.have_hdr);
			CU_ASSERT_FALSE(scm_fail_wants_nak(&f));
		} else if (n < min) {
			bool empty_npdu = full.hdr.function ==
			    SCM_FN_ENCAP_NPDU && n == full.hdr.hdr_len;

			CU_ASSERT_NOT_EQUAL(rc, CODEC_OK);
			CU_ASSERT_TRUE(f.have_hdr && f.have_error);
			CU_ASSERT_EQUAL(f.msgid, full.hdr.msgid);
			CU_ASSERT_EQUAL(f.error_code, empty_npdu ?
			    SCM_ERR_PAYLOAD_EXPECTED :
			    SCM_ERR_MESSAGE_INCOMPLETE);
			CU_ASSERT_EQUAL(rc, empty_npdu ? CODEC_MALFORMED :
			    CODEC_SHORT);
		} else {
			/* Only variable payload was cut: same header. */
			CU_ASSERT_EQUAL(rc, CODEC_OK);
			if (rc == CODEC_OK) {
				CU_ASSERT_EQUAL(m.hdr.hdr_len, full.hdr.hdr_len);
				CU_ASSERT_EQUAL(m.hdr.flags, full.hdr.flags);
				CU_ASSERT_EQUAL(m.hdr.payload_len,
				    n - full.hdr.hdr_len);
				check_roundtrip(p, n, &m);
			}
		}
		free(p);
	}
}

static void
test_scm_truncation_sweep(void)
{
	struct vec_file vf;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(load_sc_vec(&vf), 0);
	for (i = 0; i < vf.n; i++) {
		const struct vec_record *r = &vf.rec[i];

		if (r->valid)
			sweep_prefixes(r->bytes, r->len);
		else	/* invalid ones: just no crash on any prefix */
			for (size_t n = 0; n <= r->len; n++)
				(void)scm_decode(r->bytes, n,
				    &(struct scm_msg){ 0 }, NULL);
	}
	vec_file_free(&vf);
}

/* ---- the standard's examples, byte-exact both ways ---- */

static const char e1_hex[] =
    "01 07 B5 EC 92 7B F7 1A 96 A2 BF 00 07 02 2B BA C5 EC C0 99 3F 00 03"
    " 03 09 39 01 01 04 00 00 01 0C 0C 00 00 00 05 19 55";
static const char e2_hex[] =
    "00 08 B5 EC 92 7B F7 1A 96 A2 01 01 BF 00 07 01 11 55 6E 6D C3 B6 67"
    " 6C 69 63 68 65 72 20 43 6F 64 65 21";
static const char e3_hex[] = "00 08 B5 EC 92 7B F7 1A 96 A2 01 01 3F 00 07 01 17";
static const uint8_t vmac_927b[6] = { 0x92, 0x7b, 0xf7, 0x1a, 0x96, 0xa2 };

static void
test_scm_e1(void)
{
	uint8_t want[64], out[64], dopts[32], aopts[8];
	const uint8_t pdata1[] = { 0x02, 0x2b, 0xba, 0xc5, 0xec, 0xc0, 0x99 };
	const uint8_t pdata2[] = { 0x03, 0x09, 0x39 };
	const uint8_t npdu[] = { 0x01, 0x04, 0x00, 0x00, 0x01, 0x0c, 0x0c,
	    0x00, 0x00, 0x00, 0x05, 0x19, 0x55 };
	struct scm_opt o;
	struct scm_msg m, d;
	struct wr w;
	size_t wlen = hexb(e1_hex, want, sizeof(want)), n;

	/* Encode from fields. */
	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ENCAP_NPDU;
	m.hdr.msgid = 0xb5ec;
	m.hdr.has_dest = true;
	memcpy(m.hdr.dest, vmac_927b, 6);
	wr_init(&w, dopts, sizeof(dopts));
	memset(&o, 0, sizeof(o));
	o.type = SCM_OPT_PROPRIETARY;
	o.has_data = true;
	o.data = pdata1;
	o.data_len = sizeof(pdata1);
	CU_ASSERT_EQUAL(scm_opt_encode(&w, &o, true), 0);
	o.data = pdata2;
	o.data_len = sizeof(pdata2);
	CU_ASSERT_EQUAL(scm_opt_encode(&w, &o, false), 0);
	m.hdr.dest_opts.data = dopts;
	m.hdr.dest_opts.len = w.len;
	wr_init(&w, aopts, sizeof(aopts));
	memset(&o, 0, sizeof(o));
	o.type = SCM_OPT_SECURE_PATH;
	CU_ASSERT_EQUAL(scm_opt_encode(&w, &o, false), 0);
	m.hdr.data_opts.data = aopts;
	m.hdr.data_opts.len = w.len;
	m.hdr.payload = npdu;
	m.hdr.payload_len = sizeof(npdu);
	n = enc_msg(&m, out, sizeof(out));
	UT_ASSERT_BYTES(out, n, want, wlen);

	/* Decode to fields. */
	CU_ASSERT_EQUAL_FATAL(scm_decode(want, wlen, &d, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(d.hdr.function, SCM_FN_ENCAP_NPDU);
	CU_ASSERT_EQUAL(d.hdr.flags, 0x07);
	CU_ASSERT_EQUAL(d.hdr.msgid, 0xb5ec);
	CU_ASSERT_FALSE(d.hdr.has_orig);
	CU_ASSERT_TRUE(d.hdr.has_dest);
	CU_ASSERT_EQUAL(memcmp(d.hdr.dest, vmac_927b, 6), 0);
	CU_ASSERT_EQUAL(d.hdr.dest_opts.count, 2);
	CU_ASSERT_EQUAL(d.hdr.data_opts.count, 1);
	CU_ASSERT_TRUE_FATAL(nth_opt(&d.hdr.dest_opts, 1, &o));
	CU_ASSERT_EQUAL(o.marker, 0xbf);
	CU_ASSERT_EQUAL(o.vendor, 555);
	CU_ASSERT_EQUAL(o.ptype, 0xba);
	UT_ASSERT_BYTES(o.pdata, o.pdata_len, pdata1 + 3, 4);
	CU_ASSERT_TRUE_FATAL(nth_opt(&d.hdr.dest_opts, 2, &o));
	CU_ASSERT_EQUAL(o.marker, 0x3f);
	CU_ASSERT_EQUAL(o.vendor, 777);
	CU_ASSERT_EQUAL(o.ptype, 0x39);
	CU_ASSERT_EQUAL(o.pdata_len, 0);
	CU_ASSERT_TRUE_FATAL(nth_opt(&d.hdr.data_opts, 1, &o));
	CU_ASSERT_EQUAL(o.marker, 0x01);
	CU_ASSERT_EQUAL(o.type, SCM_OPT_SECURE_PATH);
	CU_ASSERT_FALSE(o.must_understand);
	UT_ASSERT_BYTES(d.hdr.payload, d.hdr.payload_len, npdu, sizeof(npdu));
	/* Data options as the opaque octets npdu/port.h carries. */
	UT_ASSERT_BYTES(d.hdr.data_opts.data, d.hdr.data_opts.len, aopts, 1);
	{
		struct npdu_opts po = scm_optlist_to_npdu(&d.hdr.data_opts);
		struct scm_optlist back = scm_optlist_from_npdu(&po);

		CU_ASSERT_PTR_EQUAL(po.data, d.hdr.data_opts.data);
		CU_ASSERT_EQUAL(po.len, 1);
		CU_ASSERT_TRUE(scm_optlist_has(&back, SCM_OPT_SECURE_PATH));
		CU_ASSERT_FALSE(scm_optlist_has(&back, SCM_OPT_PROPRIETARY));
		CU_ASSERT_TRUE(scm_optlist_has(&d.hdr.dest_opts,
		    SCM_OPT_PROPRIETARY));
		CU_ASSERT_FALSE(scm_optlist_has(&d.hdr.dest_opts,
		    SCM_OPT_SECURE_PATH));
	}
}

static void
check_nak_example(const char *hex, uint8_t marker, uint16_t code,
    const char *details)
{
	uint8_t want[64], out[64];
	struct scm_msg m, d;
	size_t wlen = hexb(hex, want, sizeof(want)), n;

	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_RESULT;
	m.hdr.msgid = 0xb5ec;
	m.hdr.has_orig = true;
	memcpy(m.hdr.orig, vmac_927b, 6);
	m.u.result.result_for = SCM_FN_ENCAP_NPDU;
	m.u.result.code = SCM_RESULT_NAK;
	m.u.result.error_marker = marker;
	m.u.result.error_class = SCM_ERRCLASS_COMMUNICATION;
	m.u.result.error_code = code;
	m.u.result.details = (const uint8_t *)details;
	m.u.result.details_len = strlen(details);
	n = enc_msg(&m, out, sizeof(out));
	UT_ASSERT_BYTES(out, n, want, wlen);

	CU_ASSERT_EQUAL_FATAL(scm_decode(want, wlen, &d, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(d.hdr.flags, 0x08);
	CU_ASSERT_EQUAL(d.hdr.msgid, 0xb5ec);
	CU_ASSERT_EQUAL(memcmp(d.hdr.orig, vmac_927b, 6), 0);
	CU_ASSERT_EQUAL(d.u.result.result_for, SCM_FN_ENCAP_NPDU);
	CU_ASSERT_EQUAL(d.u.result.code, SCM_RESULT_NAK);
	CU_ASSERT_EQUAL(d.u.result.error_marker, marker);
	CU_ASSERT_EQUAL(d.u.result.error_class, 7);
	CU_ASSERT_EQUAL(d.u.result.error_code, code);
	UT_ASSERT_BYTES(d.u.result.details, d.u.result.details_len, details,
	    strlen(details));
}

static void
test_scm_e2_e3(void)
{
	check_nak_example(e2_hex, 0xbf, 273, "Unm\xc3\xb6glicher Code!");
	check_nak_example(e3_hex, 0x3f, 279, "");
}

/* ---- every function round-trips from fields ---- */

static void
test_scm_every_function(void)
{
	const uint8_t a[6] = { 0x02, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5 };
	const uint8_t npdu[] = { 0x01, 0x00, 0x10, 0x08 };
	const char uris[] = "wss://h1:4443 wss://[fd00::1]:443/x";
	const uint8_t pd[] = { 0xde, 0xad };
	const char det[] = "bad";
	unsigned fn;

	for (fn = 0; fn < SCM_FN_COUNT; fn++) {
		struct scm_msg m, d;
		uint8_t out[256], again[256];
		size_t n, n2;

		memset(&m, 0, sizeof(m));
		m.hdr.function = (uint8_t)fn;
		m.hdr.msgid = (uint16_t)(0x1000 + fn);
		if (!scm_function_is_peer_only((uint8_t)fn)) {
			m.hdr.has_dest = true;
			memcpy(m.hdr.dest, a, 6);
		}
		switch (fn) {
		case SCM_FN_RESULT:
			m.u.result.result_for = SCM_FN_ADDR_RES;
			m.u.result.code = SCM_RESULT_NAK;
			m.u.result.error_class = 7;
			m.u.result.error_code = 45;
			m.u.result.details = (const uint8_t *)det;
			m.u.result.details_len = 3;
			break;
		case SCM_FN_ENCAP_NPDU:
			m.hdr.payload = npdu;
			m.hdr.payload_len = sizeof(npdu);
			break;
		case SCM_FN_ADDR_RES_ACK:
			m.hdr.payload = (const uint8_t *)uris;
			m.hdr.payload_len = strlen(uris);
			break;
		case SCM_FN_ADVERT:
			m.u.advert.hub_status = SCM_HUB_FAILOVER;
			m.u.advert.accept_dc = 1;
			m.u.advert.max_bvlc = 1600;
			m.u.advert.max_npdu = 1497;
			break;
		case SCM_FN_CONNECT_REQ:
		case SCM_FN_CONNECT_ACCEPT:
			memcpy(m.u.connect.vmac, a, 6);
			memset(m.u.connect.uuid, 0x5a, 16);
			m.u.connect.max_bvlc = 0xfffe;
			m.u.connect.max_npdu = 61327;
			break;
		case SCM_FN_PROPRIETARY:
			m.u.prop.vendor = 555;
			m.u.prop.function = 9;
			m.u.prop.data = pd;
			m.u.prop.data_len = sizeof(pd);
			break;
		default:
			break;
		}
		n = enc_msg(&m, out, sizeof(out));
		CU_ASSERT_FATAL(n != (size_t)-1);
		CU_ASSERT_EQUAL_FATAL(scm_decode(out, n, &d, NULL), CODEC_OK);
		CU_ASSERT_EQUAL(d.hdr.function, fn);
		CU_ASSERT_EQUAL(d.hdr.msgid, m.hdr.msgid);
		CU_ASSERT_EQUAL(d.hdr.has_dest, m.hdr.has_dest);
		switch (fn) {
		case SCM_FN_RESULT:
			CU_ASSERT_EQUAL(d.u.result.error_code, 45);
			CU_ASSERT_EQUAL(d.u.result.details_len, 3);
			break;
		case SCM_FN_ADVERT:
			CU_ASSERT_EQUAL(d.u.advert.hub_status, 2);
			CU_ASSERT_EQUAL(d.u.advert.max_npdu, 1497);
			break;
		case SCM_FN_CONNECT_REQ:
		case SCM_FN_CONNECT_ACCEPT:
			CU_ASSERT_EQUAL(memcmp(&d.u.connect, &m.u.connect,
			    sizeof(d.u.connect)), 0);
			break;
		case SCM_FN_PROPRIETARY:
			CU_ASSERT_EQUAL(d.u.prop.vendor, 555);
			CU_ASSERT_EQUAL(d.u.prop.function, 9);
			UT_ASSERT_BYTES(d.u.prop.data, d.u.prop.data_len, pd, 2);
			break;
		default:
			UT_ASSERT_BYTES(d.hdr.payload, d.hdr.payload_len,
			    m.hdr.payload, m.hdr.payload_len);
			break;
		}
		n2 = enc_msg(&d, again, sizeof(again));
		UT_ASSERT_BYTES(again, n2, out, n);
		CU_ASSERT_STRING_NOT_EQUAL(scm_function_name((uint8_t)fn),
		    "unknown");
	}
	CU_ASSERT_STRING_EQUAL(scm_function_name(0x0d), "unknown");
}

/* ---- malformed messages and their NAKs ---- */

struct bad_case {
	const char	*hex;
	enum codec_rc	 rc;
	uint16_t	 code;
	bool		 nak;	/* a NAK is due */
};

static const struct bad_case bad_cases[] = {
	/* Address-Resolution with payload (BS/EA-001-4: 150) */
	{ "02 08 00 01 02 A1 B2 C3 D4 E5 00", CODEC_MALFORMED, 150, true },
	/* Advertisement-Solicitation with payload */
	{ "05 08 00 02 02 A1 B2 C3 D4 E5 00", CODEC_MALFORMED, 150, true },
	/* Heartbeat-Request with payload */
	{ "0A 00 00 03 00", CODEC_MALFORMED, 150, true },
	/* ACK longer than 2 octets: never NAKed */
	{ "00 08 00 04 02 A1 B2 C3 D4 E5 0C 00 00", CODEC_MALFORMED, 150,
	    false },
	/* NUL in NAK details */
	{ "00 00 00 05 06 01 00 00 07 00 97 41 00", CODEC_MALFORMED, 7, false },
	/* Secure Path as destination option */
	{ "01 0A 00 06 02 A1 B2 C3 D4 E5 01 01 00 10 08", CODEC_MALFORMED, 145,
	    true },
	/* proprietary destination option without data */
	{ "0A 02 00 07 1F", CODEC_MALFORMED, 145, true },
	/* Advertisement: accept_dc 2 */
	{ "04 08 00 08 02 A1 B2 C3 D4 E5 01 02 06 40 05 D9", CODEC_MALFORMED,
	    80, false },
	/* Advertisement too long */
	{ "04 08 00 09 02 A1 B2 C3 D4 E5 01 01 06 40 05 D9 00",
	    CODEC_MALFORMED, 150, false },
	/* broadcast Originating VMAC: nobody to answer */
	{ "01 08 00 0A FF FF FF FF FF FF 01 00 10 08", CODEC_MALFORMED, 145,
	    false },
	/* BVLC-Result to the broadcast VMAC: never NAKed */
	{ "00 04 00 0B FF FF FF FF FF FF 01 00", CODEC_MALFORMED, 145, false },
	/* Address-Resolution to broadcast: refused, broadcast never NAKed */
	{ "02 04 00 0C FF FF FF FF FF FF", CODEC_MALFORMED, 145, false },
	/* data options on Connect-Request */
	{ "06 01 00 0D 01 02 A1 B2 C3 D4 E5 55 0E 84 00 E2 9B 41 D4 A7 16 44"
	    " 66 55 44 00 00 06 40 05 D9", CODEC_MALFORMED, 7, true },
	/* unknown function on a direct connection */
	{ "20 00 00 0E 01 02", CODEC_UNSUPPORTED, 143, true },
	/* reserved control bit 7 on an NPDU from the hub */
	{ "01 88 00 0F 02 A1 B2 C3 D4 E5 01 00 10 08", CODEC_MALFORMED, 7,
	    true },
	/* Connect-Accept too short: a response, never NAKed */
	{ "07 00 00 10 00", CODEC_SHORT, 147, false },
	/* destination VMAC truncated */
	{ "01 04 00 11 FF FF", CODEC_SHORT, 147, true },
	/* option Header Length itself truncated */
	{ "0A 02 00 12 3F 00", CODEC_SHORT, 147, true },
	/* data options announced but missing */
	{ "01 05 00 13 02 A1 B2 C3 D4 E5", CODEC_SHORT, 147, true },
	/* Disconnect-ACK with payload: a response */
	{ "09 00 00 14 00 00", CODEC_MALFORMED, 150, false },
	/* Disconnect-Request with a VMAC */
	{ "08 08 00 15 02 A1 B2 C3 D4 E5", CODEC_MALFORMED, 145, true },
};

static void
test_scm_malformed_naks(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint8_t buf[64];
		struct scm_msg m;
		struct scm_fail f;
		size_t n = hexb(c->hex, buf, sizeof(buf));
		enum codec_rc rc = scm_decode(buf, n, &m, &f);

		if (rc != c->rc || f.error_code != c->code ||
		    scm_fail_wants_nak(&f) != c->nak)
			fprintf(stderr, "\ncase %zu: rc %d code %u nak %d (%s)\n",
			    i, rc, f.error_code, scm_fail_wants_nak(&f), f.why);
		CU_ASSERT_EQUAL(rc, c->rc);
		CU_ASSERT_EQUAL(f.error_code, c->code);
		CU_ASSERT_EQUAL(f.error_class, SCM_ERRCLASS_COMMUNICATION);
		CU_ASSERT_EQUAL(scm_fail_wants_nak(&f), c->nak);
		CU_ASSERT_TRUE(f.have_hdr);
		CU_ASSERT_EQUAL(f.msgid, be16_load(buf + 2));
		if (c->nak)
			check_nak_bytes(&f);
		else
			CU_ASSERT_EQUAL(scm_encode_nak(&(struct wr){ buf,
			    sizeof(buf), 0, false }, &f, NULL, 0), -1);
	}
}

/* The hub refuses E4 with NODE_DUPLICATE_VMAC: exactly E6. */
static void
test_scm_nak_dup_vmac_is_e6(void)
{
	uint8_t e4[64], e6[16], out[64];
	struct scm_msg m;
	struct scm_fail f;
	struct wr w;
	size_t n4 = hexb("06 00 00 01 02 A1 B2 C3 D4 E5 55 0E 84 00 E2 9B 41"
	    " D4 A7 16 44 66 55 44 00 00 06 40 05 D9", e4, sizeof(e4));
	size_t n6 = hexb("00 00 00 01 06 01 00 00 07 00 97", e6, sizeof(e6));

	CU_ASSERT_EQUAL_FATAL(scm_decode(e4, n4, &m, NULL), CODEC_OK);
	scm_fail_set(&f, &m.hdr, SCM_ERRCLASS_COMMUNICATION,
	    SCM_ERR_NODE_DUPLICATE_VMAC, 0, "duplicate VMAC");
	CU_ASSERT_TRUE(scm_fail_wants_nak(&f));
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(scm_encode_nak(&w, &f, NULL, 0), 0);
	UT_ASSERT_BYTES(out, w.len, e6, n6);
	/* Too small a buffer: -1, nothing claimed. */
	wr_init(&w, out, 10);
	CU_ASSERT_EQUAL(scm_encode_nak(&w, &f, NULL, 0), -1);
}

/* HEADER_NOT_UNDERSTOOD: marker as received, More bit included. */
static bool
knows_type12(const struct scm_opt *o, void *arg)
{
	(void)arg;
	return o->type == 12;
}

static void
test_scm_mu_not_understood(void)
{
	/* Relayed unicast NPDU with dest options 0xCC (More|MU|12), 0x4D. */
	uint8_t buf[64], out[64], want[64];
	struct scm_msg m;
	struct scm_fail f;
	struct wr w;
	size_t n = hexb("01 0A 00 21 02 A1 B2 C3 D4 E5 CC 4D 01 00 10 08", buf,
	    sizeof(buf));
	size_t nw = hexb("00 04 00 21 02 A1 B2 C3 D4 E5 01 01 CC 00 07 00 92",
	    want, sizeof(want));

	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, n, &m, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(m.hdr.dest_opts.count, 2);
	CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_FROM_HUB, NULL), 0);
	CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, NULL, NULL, &f), -1);
	CU_ASSERT_EQUAL(f.error_code, SCM_ERR_HEADER_NOT_UNDERSTOOD);
	CU_ASSERT_EQUAL(f.error_marker, 0xcc);
	CU_ASSERT_TRUE(scm_fail_wants_nak(&f));
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(scm_encode_nak(&w, &f, NULL, 0), 0);
	UT_ASSERT_BYTES(out, w.len, want, nw);
	/* Understanding type 12 moves the blame to the second option. */
	CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, knows_type12, NULL, &f),
	    -1);
	CU_ASSERT_EQUAL(f.error_marker, 0x4d);
	/* The same message as a broadcast: refused, but never NAKed. */
	n = hexb("01 0E 00 22 02 A1 B2 C3 D4 E5 FF FF FF FF FF FF CC 4D 01 00"
	    " 10 08", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, n, &m, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, NULL, NULL, &f), -1);
	CU_ASSERT_FALSE(scm_fail_wants_nak(&f));
	/* Must-understand data options are the application's business. */
	n = hexb("01 01 00 23 4C 01 00 10 08", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, n, &m, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(scm_check_dest_opts(&m.hdr, NULL, NULL, &f), 0);
}

/* Unknown option types survive decode -> encode and relaying. */
static void
test_scm_unknown_options_survive(void)
{
	/* To the hub: dest opts types 2 (data 01), 3, 4 (MU), 5, 30 (data),
	 * 0; data opts type 3 (data 3 octets) then Secure Path. */
	uint8_t buf[128], out[128];
	const uint8_t sender[6] = { 0x32, 0x76, 0xe4, 0xb1, 0x1d, 0x02 };
	struct scm_msg m, r;
	struct scm_hdr rh;
	struct scm_opt o;
	struct wr w;
	size_t n = hexb("01 07 00 31 02 A1 B2 C3 D4 E5 A2 00 01 01 83 C4 85 BE"
	    " 00 02 AB CD 00 A3 00 03 00 00 05 01 01 00 10 08", buf,
	    sizeof(buf));

	check_roundtrip(buf, n, &m);
	CU_ASSERT_EQUAL(m.hdr.dest_opts.count, 6);
	CU_ASSERT_EQUAL(m.hdr.data_opts.count, 2);
	CU_ASSERT_TRUE_FATAL(nth_opt(&m.hdr.dest_opts, 5, &o));
	CU_ASSERT_EQUAL(o.type, 30);
	CU_ASSERT_TRUE(o.has_data && o.data_len == 2 && o.data[0] == 0xab);
	CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_HUB_RX, NULL), 0);
	/* The hub relays it: only the addresses change. */
	scm_hdr_relay(&m.hdr, sender, &rh);
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(scm_hdr_encode(&w, &rh), 0);
	wr_bytes(&w, rh.payload, rh.payload_len);
	CU_ASSERT_EQUAL_FATAL(scm_decode(out, w.len, &r, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(r.hdr.flags, 0x0b);
	CU_ASSERT_EQUAL(memcmp(r.hdr.orig, sender, 6), 0);
	UT_ASSERT_BYTES(r.hdr.dest_opts.data, r.hdr.dest_opts.len,
	    m.hdr.dest_opts.data, m.hdr.dest_opts.len);
	UT_ASSERT_BYTES(r.hdr.data_opts.data, r.hdr.data_opts.len,
	    m.hdr.data_opts.data, m.hdr.data_opts.len);
	CU_ASSERT_EQUAL(scm_check_hop(&r.hdr, SCM_HOP_FROM_HUB, NULL), 0);
	/* The destination node: the MU option of type 4 is not understood. */
	CU_ASSERT_EQUAL(scm_check_dest_opts(&r.hdr, NULL, NULL, NULL), -1);
}

/* ---- hop rules and the hub's relay ---- */

struct hop_case {
	const char	*hex;
	int		 hub_rx, from_hub, direct;	/* 0 ok, -1 refused */
};

static const struct hop_case hop_cases[] = {
	/* E8(b) node -> hub broadcast */
	{ "01 04 00 42 FF FF FF FF FF FF 01 20 FF FF 00 FF 10 08", 0, -1, -1 },
	/* E8(c) hub -> nodes broadcast */
	{ "01 0C 00 42 F2 00 00 00 BA C5 FF FF FF FF FF FF 01 10 08", -1, 0,
	    -1 },
	/* E9(b) hub -> node unicast */
	{ "01 08 00 43 32 76 E4 B1 1D 02 01 00 10 08", -1, 0, -1 },
	/* direct connection NPDU */
	{ "01 00 00 44 01 00 10 08", -1, -1, 0 },
	/* Result generated by the hub itself: no VMACs */
	{ "00 00 00 45 02 01 00 00 07 00 2D", -1, 0, 0 },
	/* both VMACs, unicast dest */
	{ "05 0C 00 46 32 76 E4 B1 1D 02 02 A1 B2 C3 D4 E5", -1, -1, -1 },
	/* connection-level message: no hop rule applies */
	{ "0A 00 00 47", 0, 0, 0 },
};

static void
test_scm_hop_rules(void)
{
	size_t i;

	for (i = 0; i < sizeof(hop_cases) / sizeof(hop_cases[0]); i++) {
		const struct hop_case *c = &hop_cases[i];
		uint8_t buf[64];
		struct scm_msg m;
		struct scm_fail f;
		size_t n = hexb(c->hex, buf, sizeof(buf));

		CU_ASSERT_EQUAL_FATAL(scm_decode(buf, n, &m, NULL), CODEC_OK);
		CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_HUB_RX, &f),
		    c->hub_rx);
		CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_FROM_HUB, &f),
		    c->from_hub);
		if (scm_check_hop(&m.hdr, SCM_HOP_DIRECT, &f) != c->direct)
			fprintf(stderr, "\nhop case %zu direct\n", i);
		CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_DIRECT, &f),
		    c->direct);
		if (c->direct != 0) {
			CU_ASSERT_EQUAL(f.error_code,
			    SCM_ERR_HEADER_ENCODING_ERROR);
			CU_ASSERT_EQUAL(f.msgid, m.hdr.msgid);
		}
	}
}

static void
check_relay(const char *in_hex, const char *sender_hex, const char *out_hex)
{
	uint8_t in[128], want[128], out[128], sender[6];
	struct scm_msg m;
	struct scm_hdr rh;
	struct wr w;
	size_t n = hexb(in_hex, in, sizeof(in));
	size_t nw = hexb(out_hex, want, sizeof(want));

	hexb(sender_hex, sender, sizeof(sender));
	CU_ASSERT_EQUAL_FATAL(scm_decode(in, n, &m, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_HUB_RX, NULL), 0);
	scm_hdr_relay(&m.hdr, sender, &rh);
	/* Two segments: the rewritten header, then the borrowed payload. */
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(scm_hdr_encode(&w, &rh), 0);
	CU_ASSERT_EQUAL(w.len, rh.hdr_len);
	CU_ASSERT_PTR_EQUAL(rh.payload, m.hdr.payload);
	wr_bytes(&w, rh.payload, rh.payload_len);
	UT_ASSERT_BYTES(out, w.len, want, nw);
	/* In place gives the same. */
	scm_hdr_relay(&m.hdr, sender, &m.hdr);
	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(scm_hdr_encode(&w, &m.hdr), 0);
	wr_bytes(&w, m.hdr.payload, m.hdr.payload_len);
	UT_ASSERT_BYTES(out, w.len, want, nw);
}

static void
test_scm_hub_relay(void)
{
	/* E8(b) -> E8(c) */
	check_relay("01 04 00 42 FF FF FF FF FF FF 01 28 FF FF 00 00 05 06 C0"
	    " A8 01 0A BA C0 FE 10 08", "F2 00 00 00 BA C5",
	    "01 0C 00 42 F2 00 00 00 BA C5 FF FF FF FF FF FF 01 28 FF FF 00 00"
	    " 05 06 C0 A8 01 0A BA C0 FE 10 08");
	/* E9(a) -> E9(b) */
	check_relay("01 04 00 43 F2 00 00 00 BA C5 01 20 00 05 06 C0 A8 01 0A"
	    " BA C0 FF 20 05 0F", "32 76 E4 B1 1D 02",
	    "01 08 00 43 32 76 E4 B1 1D 02 01 20 00 05 06 C0 A8 01 0A BA C0 FF"
	    " 20 05 0F");
	/* E10: request and ACK */
	check_relay("02 04 00 77 32 76 E4 B1 1D 02", "02 A1 B2 C3 D4 E5",
	    "02 08 00 77 02 A1 B2 C3 D4 E5");
	check_relay("03 04 00 77 02 A1 B2 C3 D4 E5 77 73 73 3A 2F 2F 31",
	    "32 76 E4 B1 1D 02",
	    "03 08 00 77 32 76 E4 B1 1D 02 77 73 73 3A 2F 2F 31");
	/* E1 with its options, relayed unicast */
	check_relay(e1_hex, "02 A1 B2 C3 D4 E5",
	    "01 0B B5 EC 02 A1 B2 C3 D4 E5 BF 00 07 02 2B BA C5 EC C0 99 3F 00"
	    " 03 03 09 39 01 01 04 00 00 01 0C 0C 00 00 00 05 19 55");
}

/* ---- option lists, URIs, encoder refusals ---- */

static void
test_scm_optlist(void)
{
	static const struct {
		const char	*hex;
		bool		 dest;
		enum codec_rc	 rc;
		unsigned	 count;
	} c[] = {
		{ "01", false, CODEC_OK, 1 },
		{ "01", true, CODEC_MALFORMED, 0 },	/* secure path */
		{ "41", false, CODEC_OK, 1 },
		{ "21 00 00", false, CODEC_MALFORMED, 0 },
		{ "81", false, CODEC_SHORT, 0 },	/* dangling More */
		{ "81 01", false, CODEC_OK, 2 },
		{ "01 01", false, CODEC_MALFORMED, 0 },	/* octets after */
		{ "3F 00 03 00 01", false, CODEC_SHORT, 0 },
		{ "3F 00 03 00 01 02", true, CODEC_OK, 1 },
		{ "3F 00 02 00 01", true, CODEC_MALFORMED, 0 },
		{ "2C 00", true, CODEC_SHORT, 0 },
		{ "2C 00 00", true, CODEC_OK, 1 },	/* empty data ok */
		{ "8C 8D 8E 0F", true, CODEC_OK, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t buf[16];
		unsigned count = 99;
		size_t n = hexb(c[i].hex, buf, sizeof(buf));
		struct scm_optlist l = { buf, n, 0 };
		struct scm_opt_iter it;
		struct scm_opt o;
		unsigned k = 0;

		CU_ASSERT_EQUAL(scm_optlist_check(buf, n, c[i].dest, &count),
		    c[i].rc);
		if (c[i].rc != CODEC_OK)
			continue;
		CU_ASSERT_EQUAL(count, c[i].count);
		scm_opt_iter_init(&it, &l);
		while (scm_opt_next(&it, &o))
			k++;
		CU_ASSERT_EQUAL(k, c[i].count);
		CU_ASSERT_FALSE(it.error);
	}
	/* The iterator stops on a malformed list. */
	{
		uint8_t buf[] = { 0x81, 0x3f, 0x00, 0x09 };
		struct scm_optlist l = { buf, sizeof(buf), 0 };
		struct scm_opt_iter it;
		struct scm_opt o;

		scm_opt_iter_init(&it, &l);
		CU_ASSERT_TRUE(scm_opt_next(&it, &o));
		CU_ASSERT_FALSE(scm_opt_next(&it, &o));
		CU_ASSERT_TRUE(it.error);
		CU_ASSERT_FALSE(scm_opt_next(&it, &o));
	}
	CU_ASSERT_EQUAL(scm_optlist_check(NULL, 0, true, NULL), CODEC_OK);
}

static void
test_scm_uris(void)
{
	const char *s = " wss://a:1  wss://b/x ";
	const uint8_t *u;
	size_t pos = 0, ulen;

	CU_ASSERT_TRUE(scm_uri_next((const uint8_t *)s, strlen(s), &pos, &u,
	    &ulen));
	CU_ASSERT_TRUE(ulen == 9 && memcmp(u, "wss://a:1", 9) == 0);
	CU_ASSERT_TRUE(scm_uri_next((const uint8_t *)s, strlen(s), &pos, &u,
	    &ulen));
	CU_ASSERT_TRUE(ulen == 9 && memcmp(u, "wss://b/x", 9) == 0);
	CU_ASSERT_FALSE(scm_uri_next((const uint8_t *)s, strlen(s), &pos, &u,
	    &ulen));
	pos = 0;
	CU_ASSERT_FALSE(scm_uri_next(NULL, 0, &pos, &u, &ulen));
}

static void
test_scm_encoder_refusals(void)
{
	uint8_t buf[64], bad_opts[] = { 0x81 };
	struct scm_msg m;
	struct scm_opt o;
	struct wr w;

	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_RESULT;
	m.u.result.code = 2;
	CU_ASSERT_EQUAL(enc_msg(&m, buf, sizeof(buf)), (size_t)-1);
	m.u.result.code = SCM_RESULT_NAK;
	m.u.result.details = (const uint8_t *)"a\0b";
	m.u.result.details_len = 3;
	CU_ASSERT_EQUAL(enc_msg(&m, buf, sizeof(buf)), (size_t)-1);
	m.u.result.details_len = 1;
	CU_ASSERT_EQUAL(enc_msg(&m, buf, sizeof(buf)), 12);
	CU_ASSERT_EQUAL(enc_msg(&m, buf, 11), (size_t)-1);	/* overflow */
	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ADVERT;
	m.u.advert.hub_status = 3;
	CU_ASSERT_EQUAL(enc_msg(&m, buf, sizeof(buf)), (size_t)-1);
	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ENCAP_NPDU;
	m.hdr.data_opts.data = bad_opts;
	m.hdr.data_opts.len = 1;
	CU_ASSERT_EQUAL(enc_msg(&m, buf, sizeof(buf)), (size_t)-1);
	memset(&o, 0, sizeof(o));
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(scm_opt_encode(&w, &o, false), -1);	/* type 0 */
	o.type = 32;
	CU_ASSERT_EQUAL(scm_opt_encode(&w, &o, false), -1);
	CU_ASSERT_STRING_EQUAL(scm_error_name(151), "node-duplicate-vmac");
	CU_ASSERT_PTR_NULL(scm_error_name(273));
}

static void
test_scm_nak_eligibility(void)
{
	unsigned fn;

	for (fn = 0; fn < 256; fn++) {
		bool want = fn == 0x01 || fn == 0x02 || fn == 0x05 ||
		    fn == 0x06 || fn == 0x08 || fn == 0x0a || fn > 0x0c;

		CU_ASSERT_EQUAL(scm_function_is_nak_eligible((uint8_t)fn), want);
		CU_ASSERT_EQUAL(scm_is_nak_eligible((uint8_t)fn, false, NULL),
		    want);
		CU_ASSERT_FALSE(scm_is_nak_eligible((uint8_t)fn, true,
		    sc_vmac_broadcast));
	}
}

/* The header-only decoder the hub uses: no function or payload rules. */
static void
test_scm_hdr_decode(void)
{
	uint8_t buf[64];
	struct scm_hdr h;
	struct scm_fail f;
	size_t n = hexb("0D 05 00 21 02 A1 B2 C3 D4 E5 41 AA BB", buf,
	    sizeof(buf));

	/* Unknown function with data options: the header is fine. */
	CU_ASSERT_EQUAL_FATAL(scm_hdr_decode(buf, n, &h, &f), CODEC_OK);
	CU_ASSERT_EQUAL(h.function, 0x0d);
	CU_ASSERT_EQUAL(h.hdr_len, 11);
	CU_ASSERT_EQUAL(h.payload_len, 2);
	CU_ASSERT_EQUAL(h.data_opts.count, 1);
	CU_ASSERT_EQUAL(scm_decode(buf, n, &(struct scm_msg){ 0 }, &f),
	    CODEC_UNSUPPORTED);
	CU_ASSERT_EQUAL(f.error_code, SCM_ERR_BVLC_FUNCTION_UNKNOWN);
	/* Output untouched on failure. */
	memset(&h, 0xa5, sizeof(h));
	CU_ASSERT_EQUAL(scm_hdr_decode(buf, 7, &h, &f), CODEC_SHORT);
	CU_ASSERT_EQUAL(h.function, 0xa5);
	CU_ASSERT_EQUAL(f.error_code, SCM_ERR_MESSAGE_INCOMPLETE);
	CU_ASSERT_EQUAL(f.off, 4);
	CU_ASSERT_EQUAL(scm_hdr_decode(buf, 3, &h, NULL), CODEC_SHORT);
	buf[1] = 0x45;
	CU_ASSERT_EQUAL(scm_hdr_decode(buf, n, &h, &f), CODEC_MALFORMED);
	CU_ASSERT_EQUAL(f.error_code, SCM_ERR_INCONSISTENT_PARAMETERS);
}

static const struct ut_case cases[] = {
	UT_CASE(test_scm_vectors),
	UT_CASE(test_scm_truncation_sweep),
	UT_CASE(test_scm_e1),
	UT_CASE(test_scm_e2_e3),
	UT_CASE(test_scm_every_function),
	UT_CASE(test_scm_malformed_naks),
	UT_CASE(test_scm_nak_dup_vmac_is_e6),
	UT_CASE(test_scm_mu_not_understood),
	UT_CASE(test_scm_unknown_options_survive),
	UT_CASE(test_scm_hop_rules),
	UT_CASE(test_scm_hub_relay),
	UT_CASE(test_scm_optlist),
	UT_CASE(test_scm_uris),
	UT_CASE(test_scm_encoder_refusals),
	UT_CASE(test_scm_nak_eligibility),
	UT_CASE(test_scm_hdr_decode),
	UT_END
};
UT_SUITE(scm, cases);
