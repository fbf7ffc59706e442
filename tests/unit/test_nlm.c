/* Network-layer message codecs: vectors, round trips, truncation, errors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npdu/nlm_codec.h"
#include "npdu/npdu_codec.h"
#include "tests/unit/harness.h"
#include "tests/unit/vecfile.h"

/* Decode an NPDU carrying a network message; header must be fine. */
static enum codec_rc
decode_msg(const uint8_t *buf, size_t len, struct npdu_view *v,
    struct nlm_msg *m, const char **why, size_t *off)
{
	enum codec_rc rc = npdu_decode(buf, len, v, why, off);

	if (rc != CODEC_OK)
		return rc;
	return nlm_decode(v, m, why, off);
}

/* Re-encode a decoded message (raw lists) and compare with the input. */
static void
check_reencode(const uint8_t *buf, size_t len, const struct npdu_view *v,
    const struct nlm_msg *m)
{
	uint8_t out[1024];
	struct wr w;

	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(nlm_encode(&w, v, m), 0);
	UT_ASSERT_BYTES(out, w.len, buf, len);
}

/* "1,2,3" (or "") against a decoded list. */
static void
check_nets(const char *want, const struct nlm_nets *l)
{
	size_t i = 0;
	char *end;

	while (*want != '\0') {
		unsigned long n = strtoul(want, &end, 10);

		CU_ASSERT_TRUE_FATAL(end != want);
		CU_ASSERT_TRUE_FATAL(i < l->count);
		CU_ASSERT_EQUAL(nlm_nets_at(l, i), n);
		i++;
		want = *end == ',' ? end + 1 : end;
	}
	CU_ASSERT_EQUAL(i, l->count);
}

static void
check_ports(const struct vec_record *r, const struct nlm_ports *p)
{
	struct nlm_port_iter it;
	struct nlm_port e;
	char key[32];
	uint8_t info[256];
	size_t i = 0;
	long n;

	CU_ASSERT_EQUAL(vec_get_int(r, "ports"), (long long)p->count);
	nlm_port_iter_init(&it, p);
	while (nlm_port_iter_next(&it, &e)) {
		i++;
		snprintf(key, sizeof(key), "port%zu.net", i);
		CU_ASSERT_EQUAL(vec_get_int(r, key), e.net);
		snprintf(key, sizeof(key), "port%zu.id", i);
		CU_ASSERT_EQUAL(vec_get_int(r, key), e.id);
		snprintf(key, sizeof(key), "port%zu.infolen", i);
		CU_ASSERT_EQUAL(vec_get_int(r, key), e.info_len);
		snprintf(key, sizeof(key), "port%zu.info", i);
		if (e.info_len > 0) {
			n = vec_get_bytes(r, key, info, sizeof(info));
			CU_ASSERT_TRUE_FATAL(n >= 0);
			UT_ASSERT_BYTES(e.info, e.info_len, info, (size_t)n);
		}
	}
	CU_ASSERT_EQUAL(i, p->count);
}

/* Check the body facts of a valid record; return how many were checked. */
static size_t
check_body_facts(const struct vec_record *r, const struct nlm_msg *m)
{
	const char *s;
	size_t n = 0;
	uint8_t data[256];
	long dl;

	switch (m->type) {
	case NPDU_NL_WHO_IS_ROUTER:
		s = vec_get(r, "net");
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		if (strcmp(s, "none") == 0) {
			CU_ASSERT_FALSE(m->u.who_is_router.has_net);
		} else {
			CU_ASSERT_TRUE(m->u.who_is_router.has_net);
			CU_ASSERT_EQUAL(vec_get_int(r, "net"),
			    m->u.who_is_router.net);
		}
		n = 1;
		break;
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		s = vec_get(r, "nets");
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		check_nets(s, &m->u.nets);
		n = 1;
		break;
	case NPDU_NL_I_COULD_BE_ROUTER:
		CU_ASSERT_EQUAL(vec_get_int(r, "net"),
		    m->u.could_be_router.net);
		CU_ASSERT_EQUAL(vec_get_int(r, "perf"),
		    m->u.could_be_router.perf);
		n = 2;
		break;
	case NPDU_NL_REJECT:
		CU_ASSERT_EQUAL(vec_get_int(r, "net"), m->u.reject.net);
		CU_ASSERT_EQUAL(vec_get_int(r, "reason"), m->u.reject.reason);
		n = 2;
		break;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		check_ports(r, &m->u.ports);
		n = 1;
		break;
	case NPDU_NL_ESTABLISH_CONN:
		CU_ASSERT_EQUAL(vec_get_int(r, "net"), m->u.establish.net);
		CU_ASSERT_EQUAL(vec_get_int(r, "ttime"), m->u.establish.ttime);
		n = 2;
		break;
	case NPDU_NL_DISCONNECT_CONN:
		CU_ASSERT_EQUAL(vec_get_int(r, "net"), m->u.disconnect.net);
		n = 1;
		break;
	case NPDU_NL_WHAT_IS_NETNUM:
		break;
	case NPDU_NL_NETNUM_IS:
		CU_ASSERT_EQUAL(vec_get_int(r, "net"), m->u.netnum_is.net);
		CU_ASSERT_EQUAL(vec_get_int(r, "flag"), m->u.netnum_is.flag);
		n = 2;
		break;
	default:
		CU_ASSERT_TRUE_FATAL(m->type >= NPDU_NL_PROPRIETARY_MIN);
		CU_ASSERT_EQUAL(vec_get_int(r, "vendor"), m->u.prop.vendor_id);
		dl = vec_get_bytes(r, "data", data, sizeof(data));
		CU_ASSERT_TRUE_FATAL(dl >= 0);
		UT_ASSERT_BYTES(m->u.prop.data, m->u.prop.len, data,
		    (size_t)dl);
		n = 2;
		break;
	}
	return n;
}

/* Does a refusal reason belong to the record's error class? */
static void
check_class(const struct vec_record *r, const char *why)
{
	const char *cls = vec_get(r, "error");

	CU_ASSERT_PTR_NOT_NULL_FATAL(cls);
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	if (strncmp(why, cls, strlen(cls)) != 0 || why[strlen(cls)] != ':') {
		fprintf(stderr, "%s: want %s, got %s\n", r->name, cls, why);
		CU_FAIL("wrong error class");
	}
}

/*
 * Every record of npdu.vec, header and body: valid ones decode to every
 * listed fact and re-encode byte-exact (reject=3 ones are well-formed
 * but unsupported), invalid ones are refused with their error class.
 */
static void
test_nlm_vectors(void)
{
	struct vec_file vf;
	char err[256];
	size_t i, nvalid = 0, ninvalid = 0, nbody = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/npdu.vec"),
	    &vf, err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++) {
		const struct vec_record *r = &vf.rec[i];
		struct npdu_view v;
		struct nlm_msg m;
		const char *why = NULL;
		size_t off = 0;
		enum codec_rc rc;

		rc = npdu_decode(r->bytes, r->len, &v, &why, &off);
		if (!r->valid) {
			if (rc == CODEC_OK) {
				CU_ASSERT_TRUE_FATAL(v.is_nl_msg);
				rc = nlm_decode(&v, &m, &why, &off);
			}
			CU_ASSERT_TRUE(rc == CODEC_SHORT ||
			    rc == CODEC_MALFORMED);
			check_class(r, why);
			CU_ASSERT_TRUE(off <= r->len);
			ninvalid++;
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rc, CODEC_OK);
		nvalid++;
		if (!v.is_nl_msg)
			continue;
		rc = nlm_decode(&v, &m, &why, &off);
		if (vec_get_int(r, "reject") == NPDU_REJECT_UNKNOWN_TYPE) {
			CU_ASSERT_EQUAL(rc, CODEC_UNSUPPORTED);
			CU_ASSERT_FALSE(nlm_type_is_known(v.nl_type));
			CU_ASSERT_EQUAL(off, v.hdr_len - 1);
			continue;
		}
		if (rc != CODEC_OK)
			fprintf(stderr, "%s: %s at %zu\n", r->name, why, off);
		CU_ASSERT_EQUAL_FATAL(rc, CODEC_OK);
		CU_ASSERT_EQUAL(m.type, v.nl_type);
		nbody += check_body_facts(r, &m);
		check_reencode(r->bytes, r->len, &v, &m);
	}
	CU_ASSERT_EQUAL(nvalid, 31);
	CU_ASSERT_EQUAL(ninvalid, 17);
	CU_ASSERT_TRUE(nbody >= 20);
	vec_file_free(&vf);
}

/* Digest E12, field by field. */
static void
test_nlm_digest_e12(void)
{
	uint8_t buf[32];
	size_t len;
	struct npdu_view v;
	struct nlm_msg m;
	struct nlm_port_iter it;
	struct nlm_port p;

#define E12(hex)							\
	len = ut_unhex(hex, buf, sizeof(buf));				\
	CU_ASSERT_EQUAL_FATAL(decode_msg(buf, len, &v, &m, NULL, NULL),	\
	    CODEC_OK);							\
	check_reencode(buf, len, &v, &m)

	E12("01 80 00 00 01");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_WHO_IS_ROUTER);
	CU_ASSERT_TRUE(m.u.who_is_router.has_net);
	CU_ASSERT_EQUAL(m.u.who_is_router.net, 1);

	E12("01 80 01 00 01 00 02 00 03");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_I_AM_ROUTER);
	CU_ASSERT_EQUAL_FATAL(m.u.nets.count, 3);
	CU_ASSERT_EQUAL(nlm_nets_at(&m.u.nets, 0), 1);
	CU_ASSERT_EQUAL(nlm_nets_at(&m.u.nets, 1), 2);
	CU_ASSERT_EQUAL(nlm_nets_at(&m.u.nets, 2), 3);

	E12("01 80 02 00 01 02");
	CU_ASSERT_EQUAL(m.u.could_be_router.net, 1);
	CU_ASSERT_EQUAL(m.u.could_be_router.perf, 2);

	E12("01 80 03 01 00 02");
	CU_ASSERT_EQUAL(m.u.reject.reason, NPDU_REJECT_NO_ROUTE);
	CU_ASSERT_EQUAL(m.u.reject.net, 2);

	E12("01 80 04 00 01 00 02 00 03");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_ROUTER_BUSY);
	CU_ASSERT_EQUAL_FATAL(m.u.nets.count, 3);
	CU_ASSERT_EQUAL(nlm_nets_at(&m.u.nets, 2), 3);

	E12("01 80 04");
	CU_ASSERT_EQUAL(m.u.nets.count, 0);

	E12("01 80 05");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_ROUTER_AVAILABLE);
	CU_ASSERT_EQUAL(m.u.nets.count, 0);

	E12("01 80 06 00");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_INIT_RT);
	CU_ASSERT_EQUAL(m.u.ports.count, 0);

	E12("01 80 06 01 00 03 04 04 DE AD BE EF");
	CU_ASSERT_EQUAL_FATAL(m.u.ports.count, 1);
	nlm_port_iter_init(&it, &m.u.ports);
	CU_ASSERT_TRUE_FATAL(nlm_port_iter_next(&it, &p));
	CU_ASSERT_EQUAL(p.net, 3);
	CU_ASSERT_EQUAL(p.id, 4);
	CU_ASSERT_EQUAL(p.info_len, 4);
	UT_ASSERT_BYTES(p.info, p.info_len, "\xde\xad\xbe\xef", 4);
	CU_ASSERT_FALSE(nlm_port_iter_next(&it, &p));

	E12("01 80 07 01 00 01 02 00");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_INIT_RT_ACK);
	nlm_port_iter_init(&it, &m.u.ports);
	CU_ASSERT_TRUE_FATAL(nlm_port_iter_next(&it, &p));
	CU_ASSERT_EQUAL(p.net, 1);
	CU_ASSERT_EQUAL(p.id, 2);
	CU_ASSERT_EQUAL(p.info_len, 0);
	CU_ASSERT_PTR_NULL(p.info);
	CU_ASSERT_FALSE(nlm_port_iter_next(&it, &p));

	E12("01 80 08 00 05 06");
	CU_ASSERT_EQUAL(m.u.establish.net, 5);
	CU_ASSERT_EQUAL(m.u.establish.ttime, 6);

	E12("01 80 09 00 07");
	CU_ASSERT_EQUAL(m.u.disconnect.net, 7);

	E12("01 80 12");
	CU_ASSERT_EQUAL(m.type, NPDU_NL_WHAT_IS_NETNUM);

	E12("01 80 13 00 08 01");
	CU_ASSERT_EQUAL(m.u.netnum_is.net, 8);
	CU_ASSERT_EQUAL(m.u.netnum_is.flag, NLM_NETNUM_CONFIGURED);

	E12("01 80 01 00 05");
	CU_ASSERT_EQUAL_FATAL(m.u.nets.count, 1);
	CU_ASSERT_EQUAL(nlm_nets_at(&m.u.nets, 0), 5);
#undef E12
}

/* Encode m with hdr from host-form fields; compare with want. */
static void
check_build(const struct npdu_view *hdr, const struct nlm_msg *m,
    const char *want_hex)
{
	uint8_t want[128], out[128];
	size_t wlen = ut_unhex(want_hex, want, sizeof(want));
	struct wr w;

	wr_init(&w, out, sizeof(out));
	CU_ASSERT_EQUAL(nlm_encode(&w, hdr, m), 0);
	UT_ASSERT_BYTES(out, w.len, want, wlen);
}

/* The messages the router core builds, from host-form values. */
static void
test_nlm_build_router_messages(void)
{
	static const uint16_t nets[] = { 5, 7, 65534 };
	static const uint8_t dadr[6] = { 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 };
	static const struct nlm_port ports[] = {
		{ 5, 1, 0, NULL },
		{ 7, 2, 2, (const uint8_t *)"\xab\xcd" },
	};
	struct npdu_view h;
	struct nlm_msg m;

	npdu_view_init(&h);
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_WHO_IS_ROUTER;
	check_build(&h, &m, "01 80 00");
	m.u.who_is_router.has_net = true;
	m.u.who_is_router.net = 9;
	check_build(&h, &m, "01 80 00 00 09");

	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_I_AM_ROUTER;
	m.u.nets.host = nets;
	m.u.nets.count = 1;
	check_build(&h, &m, "01 80 01 00 05");		/* digest E12 */
	m.u.nets.count = 3;
	check_build(&h, &m, "01 80 01 00 05 00 07 FF FE");
	m.type = NPDU_NL_ROUTER_BUSY;
	check_build(&h, &m, "01 80 04 00 05 00 07 FF FE");
	m.type = NPDU_NL_ROUTER_AVAILABLE;
	m.u.nets.count = 0;
	check_build(&h, &m, "01 80 05");

	/* Reject reason 4 travelling back to a remote originator. */
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_REJECT;
	m.u.reject.reason = NPDU_REJECT_TOO_LONG;
	m.u.reject.net = 7;
	npdu_view_set_dest(&h, 5, dadr, 6, NPDU_HOP_COUNT_INIT);
	check_build(&h, &m, "01 A0 00 05 06 C0 A8 01 0A BA C0 FF 03 04 00 07");
	npdu_view_init(&h);

	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_INIT_RT_ACK;
	m.u.ports.host = ports;
	m.u.ports.count = 2;
	check_build(&h, &m, "01 80 07 02 00 05 01 00 00 07 02 02 AB CD");
	m.u.ports.count = 0;
	check_build(&h, &m, "01 80 07 00");

	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_NETNUM_IS;
	m.u.netnum_is.net = 8;
	m.u.netnum_is.flag = NLM_NETNUM_CONFIGURED;
	check_build(&h, &m, "01 80 13 00 08 01");

	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_WHAT_IS_NETNUM;
	check_build(&h, &m, "01 80 12");

	/* Expecting-reply and priority come from the header template. */
	h.control = NPDU_CTL_EXPECT_REPLY | 0x03;
	m.type = NPDU_NL_WHO_IS_ROUTER;
	check_build(&h, &m, "01 87 00");
}

/*
 * Every message type round-trips: host form -> bytes -> decoded (raw
 * form) -> the same bytes, with and without DNET/SNET in the header.
 */
static void
test_nlm_roundtrip_all_types(void)
{
	static const uint16_t nets[] = { 1, 0x1234, 65534 };
	static const uint8_t info[3] = { 9, 8, 7 };
	static const struct nlm_port ports[] = {
		{ 1, 0, 0, NULL }, { 2, 255, 3, info }, { 65534, 7, 1, info },
	};
	static const uint8_t mac[6] = { 0x32, 0x76, 0xe4, 0xb1, 0x1d, 0x02 };
	static const uint8_t types[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	    0x06, 0x07, 0x08, 0x09, 0x12, 0x13, 0x80, 0xff };
	size_t ti, form, seen = 0;

	for (form = 0; form < 3; form++)
	for (ti = 0; ti < sizeof(types); ti++) {
		struct npdu_view h, v;
		struct nlm_msg m, d;
		uint8_t out[256], again[256];
		struct wr w;

		npdu_view_init(&h);
		if (form >= 1)
			npdu_view_set_dest(&h, 7, mac, 6, 200);
		if (form == 2)
			npdu_view_set_source(&h, 5, mac, 4);
		memset(&m, 0, sizeof(m));
		m.type = types[ti];
		switch (m.type) {
		case 0x00:
			m.u.who_is_router.has_net = form != 1;
			m.u.who_is_router.net = 0x4321;
			break;
		case 0x01: case 0x04: case 0x05:
			m.u.nets.host = nets;
			m.u.nets.count = 3 - form;
			break;
		case 0x02:
			m.u.could_be_router.net = 3;
			m.u.could_be_router.perf = 0xee;
			break;
		case 0x03:
			m.u.reject.reason = (uint8_t)(form + 4);
			m.u.reject.net = 0xfffe;
			break;
		case 0x06: case 0x07:
			m.u.ports.host = ports;
			m.u.ports.count = 3 - form;
			break;
		case 0x08:
			m.u.establish.net = 6;
			m.u.establish.ttime = (uint8_t)form;
			break;
		case 0x09:
			m.u.disconnect.net = 0x0102;
			break;
		case 0x13:
			m.u.netnum_is.net = 44;
			m.u.netnum_is.flag = form & 1;
			break;
		case 0x80: case 0xff:
			m.u.prop.vendor_id = 555;
			m.u.prop.data = info;
			m.u.prop.len = form;
			break;
		default:
			break;
		}
		wr_init(&w, out, sizeof(out));
		CU_ASSERT_EQUAL_FATAL(nlm_encode(&w, &h, &m), 0);
		CU_ASSERT_EQUAL_FATAL(decode_msg(out, w.len, &v, &d, NULL,
		    NULL), CODEC_OK);
		CU_ASSERT_EQUAL(v.nl_type, m.type);
		CU_ASSERT_EQUAL(v.has_dnet, form >= 1);
		CU_ASSERT_EQUAL(v.has_snet, form == 2);
		CU_ASSERT_EQUAL(d.type, m.type);
		check_reencode(out, w.len, &v, &d);
		/* The decoded body is the host form's value. */
		wr_init(&w, again, sizeof(again));
		CU_ASSERT_EQUAL(nlm_encode_body(&w, &d), 0);
		CU_ASSERT_EQUAL(w.len, v.payload_len);
		wr_init(&w, out, sizeof(out));
		CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), 0);
		UT_ASSERT_BYTES(again, v.payload_len, out, w.len);
		seen++;
	}
	CU_ASSERT_EQUAL(seen, 3 * sizeof(types));
}

/*
 * Every prefix of every valid network message body: a cut inside a fixed
 * or announced field is refused; a cut that leaves a well-formed message
 * (shorter list, Who-Is-Router without DNET) decodes to exactly the
 * octets present.  Runs on the vector records and the E12 messages.
 */
static void
test_nlm_truncation(void)
{
	struct vec_file vf;
	char err[256];
	size_t i, cut, refused = 0, shorter = 0;

	CU_ASSERT_EQUAL_FATAL(vec_file_load(ut_srcpath("vectors/npdu.vec"),
	    &vf, err, sizeof(err)), 0);
	for (i = 0; i < vf.n; i++) {
		const struct vec_record *r = &vf.rec[i];
		struct npdu_view full, v;
		struct nlm_msg m;

		if (!r->valid || npdu_decode(r->bytes, r->len, &full, NULL,
		    NULL) != CODEC_OK || !full.is_nl_msg ||
		    nlm_decode(&full, &m, NULL, NULL) != CODEC_OK)
			continue;
		for (cut = full.hdr_len; cut < r->len; cut++) {
			uint8_t *p = malloc(cut);
			const char *why = NULL;
			size_t off = 0;
			enum codec_rc rc;
			bool list, fixed_ok;

			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			memcpy(p, r->bytes, cut);
			rc = decode_msg(p, cut, &v, &m, &why, &off);
			list = full.nl_type == NPDU_NL_I_AM_ROUTER ||
			    full.nl_type == NPDU_NL_ROUTER_BUSY ||
			    full.nl_type == NPDU_NL_ROUTER_AVAILABLE;
			fixed_ok = full.nl_type == NPDU_NL_WHO_IS_ROUTER &&
			    cut == full.hdr_len;
			if (full.nl_type >= NPDU_NL_PROPRIETARY_MIN ||
			    fixed_ok ||
			    (list && (cut - full.hdr_len) % 2 == 0)) {
				CU_ASSERT_EQUAL(rc, CODEC_OK);
				if (rc == CODEC_OK)
					check_reencode(p, cut, &v, &m);
				shorter++;
			} else {
				CU_ASSERT_TRUE(rc == CODEC_SHORT ||
				    rc == CODEC_MALFORMED);
				CU_ASSERT_PTR_NOT_NULL(why);
				CU_ASSERT_TRUE(off <= cut);
				refused++;
			}
			free(p);
		}
	}
	CU_ASSERT_TRUE(refused >= 30);
	CU_ASSERT_TRUE(shorter >= 10);
	vec_file_free(&vf);
}

struct bad_case {
	const char	*hex;
	enum codec_rc	 rc;
	size_t		 off;
	const char	*why;
};

static const struct bad_case bad_cases[] = {
	{ "01 80 00 00", CODEC_SHORT, 3, "truncated: network number" },
	{ "01 80 00 00 01 00", CODEC_MALFORMED, 5, "unexpected-data" },
	{ "01 80 01 00", CODEC_MALFORMED, 3, "bad-length: network list" },
	{ "01 80 04 00 01 02", CODEC_MALFORMED, 5, "bad-length: network list" },
	{ "01 80 05 00 01 02", CODEC_MALFORMED, 5, "bad-length: network list" },
	{ "01 80 02 00 01", CODEC_SHORT, 5, "truncated: performance" },
	{ "01 80 02 00 01 02 03", CODEC_MALFORMED, 6, "unexpected-data" },
	{ "01 80 03", CODEC_SHORT, 3, "truncated: reject reason" },
	{ "01 80 03 01 00 02 00", CODEC_MALFORMED, 6, "unexpected-data" },
	{ "01 80 06", CODEC_SHORT, 3, "truncated: Number of Ports" },
	{ "01 80 07 01 00 01 02", CODEC_SHORT, 4, "truncated: routing" },
	{ "01 80 07 02 00 01 02 00 00 02", CODEC_SHORT, 8,
	    "truncated: routing" },
	{ "01 80 06 01 00 03 04 01", CODEC_MALFORMED, 7, "bad-length: Port" },
	{ "01 80 06 00 00", CODEC_MALFORMED, 4, "unexpected-data" },
	{ "01 80 07 01 00 01 02 00 ff", CODEC_MALFORMED, 8, "unexpected-data" },
	{ "01 80 08 00 05", CODEC_SHORT, 5, "truncated: termination" },
	{ "01 80 08 00 05 06 07", CODEC_MALFORMED, 6, "unexpected-data" },
	{ "01 80 09 00", CODEC_SHORT, 3, "truncated: network number" },
	{ "01 80 09 00 07 00", CODEC_MALFORMED, 5, "unexpected-data" },
	{ "01 80 12 00", CODEC_MALFORMED, 3, "unexpected-data" },
	{ "01 80 13", CODEC_SHORT, 3, "truncated: network number" },
	{ "01 80 13 00 08 02", CODEC_MALFORMED, 5, "out-of-range: Network" },
	{ "01 80 13 00 08 01 00", CODEC_MALFORMED, 6, "unexpected-data" },
	{ "01 a0 00 05 00 ff 13 00 08 ff", CODEC_MALFORMED, 9, "out-of-range" },
	{ "01 80 0a", CODEC_UNSUPPORTED, 2, "unsupported" },
	{ "01 80 11 01 02", CODEC_UNSUPPORTED, 2, "unsupported" },
	{ "01 80 7f", CODEC_UNSUPPORTED, 2, "unsupported" },
	{ "01 88 00 07 01 01 14", CODEC_UNSUPPORTED, 6, "unsupported" },
};

static void
test_nlm_malformed_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint8_t buf[64];
		size_t len = ut_unhex(c->hex, buf, sizeof(buf));
		struct npdu_view v;
		struct nlm_msg m;
		const char *why = NULL;
		size_t off = 999;
		enum codec_rc rc;

		memset(&m, 0xa5, sizeof(m));
		rc = decode_msg(buf, len, &v, &m, &why, &off);
		if (rc != c->rc || off != c->off || why == NULL ||
		    strncmp(why, c->why, strlen(c->why)) != 0) {
			fprintf(stderr, "case %zu (%s): rc %d off %zu why %s\n",
			    i, c->hex, (int)rc, off, why ? why : "(null)");
			CU_FAIL("malformed case");
		}
		CU_ASSERT_EQUAL(m.type, 0xa5);	/* untouched */
		CU_ASSERT_EQUAL(decode_msg(buf, len, &v, &m, NULL, NULL),
		    c->rc);
	}
}

/* The encoder refuses what the decoder would refuse, and overflow. */
static void
test_nlm_encode_refuses(void)
{
	static const struct nlm_port bad_port = { 1, 1, 2, NULL };
	uint8_t out[600];
	struct npdu_view h;
	struct nlm_msg m;
	struct wr w;
	size_t cap;

	npdu_view_init(&h);
	memset(&m, 0, sizeof(m));
	wr_init(&w, out, sizeof(out));
	m.type = 0x0b;				/* Security-Payload */
	CU_ASSERT_EQUAL(nlm_encode(&w, &h, &m), -1);
	m.type = 0x14;				/* reserved */
	CU_ASSERT_EQUAL(nlm_encode(&w, &h, &m), -1);
	CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), -1);
	CU_ASSERT_EQUAL(w.len, 0);
	m.type = NPDU_NL_NETNUM_IS;
	m.u.netnum_is.flag = 2;
	CU_ASSERT_EQUAL(nlm_encode(&w, &h, &m), -1);
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_I_AM_ROUTER;
	m.u.nets.count = 1;			/* no list pointer */
	CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), -1);
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_INIT_RT;
	m.u.ports.host = &bad_port;
	m.u.ports.count = 1;			/* info_len 2, no info */
	CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), -1);
	m.u.ports.count = 256;
	CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), -1);
	memset(&m, 0, sizeof(m));
	m.type = 0x90;
	m.u.prop.len = 2;			/* no data pointer */
	CU_ASSERT_EQUAL(nlm_encode_body(&w, &m), -1);
	CU_ASSERT_EQUAL(w.len, 0);

	/* Overflow at every capacity short of the full message. */
	memset(&m, 0, sizeof(m));
	m.type = NPDU_NL_REJECT;
	m.u.reject.reason = 1;
	m.u.reject.net = 2;
	for (cap = 0; cap <= 6; cap++) {
		wr_init(&w, out, cap);
		CU_ASSERT_EQUAL(nlm_encode(&w, &h, &m), cap < 6 ? -1 : 0);
	}
}

static void
test_nlm_names(void)
{
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x00),
	    "Who-Is-Router-To-Network");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x07),
	    "Initialize-Routing-Table-Ack");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x0b), "Security-Payload");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x12), "What-Is-Network-Number");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x13), "Network-Number-Is");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x14), "Reserved");
	CU_ASSERT_STRING_EQUAL(nlm_type_name(0x80), "Proprietary");
	CU_ASSERT_STRING_EQUAL(nlm_reject_reason_name(0), "other");
	CU_ASSERT_STRING_EQUAL(nlm_reject_reason_name(4), "message-too-long");
	CU_ASSERT_STRING_EQUAL(nlm_reject_reason_name(6), "addressing-error");
	CU_ASSERT_STRING_EQUAL(nlm_reject_reason_name(7), "unknown");
	CU_ASSERT_TRUE(nlm_type_is_known(0x09));
	CU_ASSERT_FALSE(nlm_type_is_known(0x0a));
	CU_ASSERT_FALSE(nlm_type_is_known(0x11));
	CU_ASSERT_TRUE(nlm_type_is_known(0x12));
	CU_ASSERT_TRUE(nlm_type_is_known(0x13));
	CU_ASSERT_FALSE(nlm_type_is_known(0x14));
	CU_ASSERT_FALSE(nlm_type_is_known(0x7f));
	CU_ASSERT_TRUE(nlm_type_is_known(0x80));
}

/* An APDU-carrying NPDU is not a network message. */
static void
test_nlm_not_nl_msg(void)
{
	static const uint8_t buf[] = { 0x01, 0x00, 0x10, 0x08 };
	struct npdu_view v;
	struct nlm_msg m;
	const char *why = NULL;

	CU_ASSERT_EQUAL_FATAL(npdu_decode(buf, sizeof(buf), &v, NULL, NULL),
	    CODEC_OK);
	CU_ASSERT_EQUAL(nlm_decode(&v, &m, &why, NULL), CODEC_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static const struct ut_case cases[] = {
	UT_CASE(test_nlm_vectors),
	UT_CASE(test_nlm_digest_e12),
	UT_CASE(test_nlm_build_router_messages),
	UT_CASE(test_nlm_roundtrip_all_types),
	UT_CASE(test_nlm_truncation),
	UT_CASE(test_nlm_malformed_table),
	UT_CASE(test_nlm_encode_refuses),
	UT_CASE(test_nlm_names),
	UT_CASE(test_nlm_not_nl_msg),
	UT_END
};
UT_SUITE(nlm, cases);
