/*
 * BVLC-SC message codec (digest §1.3-1.8).  Pure.  Every length read from
 * the wire is checked against what is left before it is used.
 */
#include "config.h"

#include <string.h>

#include "sc/scm_codec.h"

static const char *const scm_fn_names[SCM_FN_COUNT] = {
	"BVLC-Result",
	"Encapsulated-NPDU",
	"Address-Resolution",
	"Address-Resolution-ACK",
	"Advertisement",
	"Advertisement-Solicitation",
	"Connect-Request",
	"Connect-Accept",
	"Disconnect-Request",
	"Disconnect-ACK",
	"Heartbeat-Request",
	"Heartbeat-ACK",
	"Proprietary-Message",
};

const char *
scm_function_name(uint8_t function)
{
	return function < SCM_FN_COUNT ? scm_fn_names[function] : "unknown";
}

const char *
scm_error_name(uint16_t code)
{
	switch (code) {
	case SCM_ERR_OTHER:
		return "other";
	case SCM_ERR_INCONSISTENT_PARAMETERS:
		return "inconsistent-parameters";
	case SCM_ERR_OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED:
		return "optional-functionality-not-supported";
	case SCM_ERR_PARAMETER_OUT_OF_RANGE:
		return "parameter-out-of-range";
	case SCM_ERR_OUT_OF_MEMORY:
		return "out-of-memory";
	case SCM_ERR_BVLC_FUNCTION_UNKNOWN:
		return "bvlc-function-unknown";
	case SCM_ERR_BVLC_PROPRIETARY_FUNCTION_UNKNOWN:
		return "bvlc-proprietary-function-unknown";
	case SCM_ERR_HEADER_ENCODING_ERROR:
		return "header-encoding-error";
	case SCM_ERR_HEADER_NOT_UNDERSTOOD:
		return "header-not-understood";
	case SCM_ERR_MESSAGE_INCOMPLETE:
		return "message-incomplete";
	case SCM_ERR_NOT_A_BACNET_SC_HUB:
		return "not-a-bacnet-sc-hub";
	case SCM_ERR_PAYLOAD_EXPECTED:
		return "payload-expected";
	case SCM_ERR_UNEXPECTED_DATA:
		return "unexpected-data";
	case SCM_ERR_NODE_DUPLICATE_VMAC:
		return "node-duplicate-vmac";
	}
	return NULL;
}

bool
scm_function_is_known(uint8_t function)
{
	return function < SCM_FN_COUNT;
}

bool
scm_function_is_peer_only(uint8_t function)
{
	return function >= SCM_FN_CONNECT_REQ &&
	    function <= SCM_FN_HEARTBEAT_ACK;
}

bool
scm_function_is_unicast_only(uint8_t function)
{
	return function == SCM_FN_RESULT || function == SCM_FN_ADDR_RES ||
	    function == SCM_FN_ADDR_RES_ACK || function == SCM_FN_ADVERT;
}

bool
scm_function_allows_data_opts(uint8_t function)
{
	return function == SCM_FN_ENCAP_NPDU;
}

bool
scm_function_is_nak_eligible(uint8_t function)
{
	switch (function) {
	case SCM_FN_ENCAP_NPDU:
	case SCM_FN_ADDR_RES:
	case SCM_FN_ADVERT_SOLICIT:
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_DISCONNECT_REQ:
	case SCM_FN_HEARTBEAT_REQ:
		return true;
	default:
		return !scm_function_is_known(function);
	}
}

bool
scm_is_nak_eligible(uint8_t function, bool has_dest, const uint8_t *dest)
{
	if (has_dest && sc_vmac_is_broadcast(dest))
		return false;
	return scm_function_is_nak_eligible(function);
}

/* ---- failures ---- */

/* Record the refusal reason (class COMMUNICATION) in f. */
static void
scm_fail_err(struct scm_fail *f, uint16_t code, const char *why, size_t off)
{
	f->have_error = true;
	f->error_marker = 0;
	f->error_class = SCM_ERRCLASS_COMMUNICATION;
	f->error_code = code;
	f->why = why;
	f->off = off;
}

static void
scm_fail_copy_hdr(struct scm_fail *f, const struct scm_hdr *h)
{
	f->have_hdr = true;
	f->function = h->function;
	f->flags = h->flags;
	f->msgid = h->msgid;
	f->has_orig = h->has_orig;
	f->has_dest = h->has_dest;
	memcpy(f->orig, h->orig, SC_VMAC_LEN);
	memcpy(f->dest, h->dest, SC_VMAC_LEN);
}

void
scm_fail_set(struct scm_fail *fail, const struct scm_hdr *h,
    uint16_t error_class, uint16_t error_code, uint8_t marker,
    const char *why)
{
	memset(fail, 0, sizeof(*fail));
	scm_fail_copy_hdr(fail, h);
	fail->have_error = true;
	fail->error_marker = marker;
	fail->error_class = error_class;
	fail->error_code = error_code;
	fail->why = why != NULL ? why : "refused";
}

bool
scm_fail_wants_nak(const struct scm_fail *fail)
{
	/* A reply to a broadcast source could only be a broadcast Result. */
	if (fail->has_orig && sc_vmac_is_broadcast(fail->orig))
		return false;
	return fail->have_hdr && fail->have_error &&
	    scm_is_nak_eligible(fail->function, fail->has_dest, fail->dest);
}

/* ---- options ---- */

/*
 * Parse one option list starting at buf (len octets available); stop
 * after the first option without More.  On success *used is the list's
 * length.  On failure f gets the reason (offsets relative to buf).
 */
static enum codec_rc
scm_optlist_parse(const uint8_t *buf, size_t len, bool dest_list,
    size_t *used, unsigned *count, struct scm_fail *f)
{
	size_t off = 0;
	unsigned n = 0;
	uint8_t marker;

	do {
		size_t dlen = 0;
		uint8_t type;

		if (off >= len) {
			scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE, n == 0 ?
			    "option list missing" :
			    "option list ends while More is set", off);
			return CODEC_SHORT;
		}
		marker = buf[off];
		type = marker & SCM_OPT_TYPE_MASK;
		if (marker & SCM_OPT_DATA) {
			if (len - off < 3) {
				scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
				    "option header length truncated", off);
				return CODEC_SHORT;
			}
			dlen = be16_load(buf + off + 1);
			if (len - off - 3 < dlen) {
				scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
				    "option header data truncated", off);
				return CODEC_SHORT;
			}
		}
		if (type == SCM_OPT_SECURE_PATH &&
		    (marker & SCM_OPT_DATA) != 0) {
			scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
			    "secure path option with data", off);
			return CODEC_MALFORMED;
		}
		if (type == SCM_OPT_SECURE_PATH && dest_list) {
			scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
			    "secure path as destination option", off);
			return CODEC_MALFORMED;
		}
		if (type == SCM_OPT_PROPRIETARY &&
		    ((marker & SCM_OPT_DATA) == 0 || dlen < 3)) {
			scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
			    "proprietary option shorter than 3 octets", off);
			return CODEC_MALFORMED;
		}
		off += (marker & SCM_OPT_DATA) ? 3 + dlen : 1;
		n++;
	} while (marker & SCM_OPT_MORE);
	*used = off;
	*count = n;
	return CODEC_OK;
}

enum codec_rc
scm_optlist_check(const uint8_t *buf, size_t len, bool dest_list,
    unsigned *count)
{
	struct scm_fail f;
	size_t used;
	unsigned n;
	enum codec_rc rc;

	if (len == 0) {
		if (count != NULL)
			*count = 0;
		return CODEC_OK;
	}
	rc = scm_optlist_parse(buf, len, dest_list, &used, &n, &f);
	if (rc != CODEC_OK)
		return rc;
	if (used != len)
		return CODEC_MALFORMED;
	if (count != NULL)
		*count = n;
	return CODEC_OK;
}

void
scm_opt_iter_init(struct scm_opt_iter *it, const struct scm_optlist *l)
{
	it->p = l->data;
	it->left = l->len;
	it->done = l->len == 0;
	it->error = false;
}

bool
scm_opt_next(struct scm_opt_iter *it, struct scm_opt *out)
{
	struct scm_opt o;
	struct rd r;

	if (it->done)
		return false;
	memset(&o, 0, sizeof(o));
	rd_init(&r, it->p, it->left);
	if (rd_u8(&r, &o.marker) != 0)
		goto bad;
	o.type = o.marker & SCM_OPT_TYPE_MASK;
	o.more = (o.marker & SCM_OPT_MORE) != 0;
	o.must_understand = (o.marker & SCM_OPT_MU) != 0;
	o.has_data = (o.marker & SCM_OPT_DATA) != 0;
	if (o.has_data) {
		uint16_t dlen;

		if (rd_u16(&r, &dlen) != 0 || rd_view(&r, &o.data, dlen) != 0)
			goto bad;
		o.data_len = dlen;
		if (o.type == SCM_OPT_PROPRIETARY && dlen >= 3) {
			o.vendor = be16_load(o.data);
			o.ptype = o.data[2];
			o.pdata = o.data + 3;
			o.pdata_len = dlen - 3u;
		}
	}
	it->p = r.p;
	it->left = r.left;
	if (!o.more) {
		it->done = true;
		if (it->left != 0)
			it->error = true;	/* octets after the list */
	}
	*out = o;
	return true;
bad:
	it->done = true;
	it->error = true;
	return false;
}

bool
scm_optlist_has(const struct scm_optlist *l, uint8_t type)
{
	struct scm_opt_iter it;
	struct scm_opt o;

	scm_opt_iter_init(&it, l);
	while (scm_opt_next(&it, &o))
		if (o.type == type)
			return true;
	return false;
}

int
scm_opt_encode(struct wr *w, const struct scm_opt *o, bool more)
{
	uint8_t marker;

	if (o->type == 0 || o->type > SCM_OPT_TYPE_MASK ||
	    (o->has_data && o->data_len > UINT16_MAX))
		return -1;
	marker = o->type;
	if (more)
		marker |= SCM_OPT_MORE;
	if (o->must_understand)
		marker |= SCM_OPT_MU;
	if (o->has_data)
		marker |= SCM_OPT_DATA;
	wr_u8(w, marker);
	if (o->has_data) {
		wr_u16(w, (uint16_t)o->data_len);
		wr_bytes(w, o->data, o->data_len);
	}
	return wr_status(w);
}

/* ---- header ---- */

/*
 * Parse the option list announced at offset *off of buf; advance *off.
 * Offsets in f are made absolute.
 */
static enum codec_rc
scm_hdr_optlist(const uint8_t *buf, size_t len, size_t *off, bool dest_list,
    struct scm_optlist *l, struct scm_fail *f)
{
	enum codec_rc rc;
	size_t used;
	unsigned n;

	rc = scm_optlist_parse(buf + *off, len - *off, dest_list, &used, &n, f);
	if (rc != CODEC_OK) {
		f->off += *off;
		return rc;
	}
	l->data = buf + *off;
	l->len = used;
	l->count = n;
	*off += used;
	return CODEC_OK;
}

/* Read a VMAC at *off into v; return -1 if it is cut short. */
static int
scm_hdr_vmac(const uint8_t *buf, size_t len, size_t *off, uint8_t *v)
{
	if (len - *off < SC_VMAC_LEN)
		return -1;
	memcpy(v, buf + *off, SC_VMAC_LEN);
	*off += SC_VMAC_LEN;
	return 0;
}

static enum codec_rc
scm_hdr_parse(const uint8_t *buf, size_t len, struct scm_hdr *h,
    struct scm_fail *f)
{
	size_t off = SCM_HDR_MIN;
	enum codec_rc rc;

	memset(h, 0, sizeof(*h));
	memset(f, 0, sizeof(*f));
	f->why = "ok";
	if (len < SCM_HDR_MIN) {
		f->why = "shorter than 4 octets";
		return CODEC_SHORT;
	}
	h->function = buf[0];
	h->flags = buf[1];
	h->msgid = be16_load(buf + 2);
	h->has_orig = (h->flags & SCM_CTL_ORIG) != 0;
	h->has_dest = (h->flags & SCM_CTL_DEST) != 0;
	if (h->has_orig && scm_hdr_vmac(buf, len, &off, h->orig) != 0) {
		scm_fail_copy_hdr(f, h);
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
		    "originating VMAC truncated", off);
		return CODEC_SHORT;
	}
	if (h->has_dest && scm_hdr_vmac(buf, len, &off, h->dest) != 0) {
		scm_fail_copy_hdr(f, h);
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
		    "destination VMAC truncated", off);
		return CODEC_SHORT;
	}
	scm_fail_copy_hdr(f, h);
	if (h->flags & SCM_CTL_DEST_OPTS) {
		rc = scm_hdr_optlist(buf, len, &off, true, &h->dest_opts, f);
		if (rc != CODEC_OK)
			return rc;
	}
	if (h->flags & SCM_CTL_DATA_OPTS) {
		rc = scm_hdr_optlist(buf, len, &off, false, &h->data_opts, f);
		if (rc != CODEC_OK)
			return rc;
	}
	if (h->flags & SCM_CTL_RESERVED) {
		scm_fail_err(f, SCM_ERR_INCONSISTENT_PARAMETERS,
		    "reserved control bits set", 1);
		return CODEC_MALFORMED;
	}
	h->hdr_len = off;
	h->payload = buf + off;
	h->payload_len = len - off;
	return CODEC_OK;
}

enum codec_rc
scm_hdr_decode(const uint8_t *buf, size_t len, struct scm_hdr *out,
    struct scm_fail *fail)
{
	struct scm_hdr h;
	struct scm_fail f;
	enum codec_rc rc;

	rc = scm_hdr_parse(buf, len, &h, &f);
	if (rc == CODEC_OK)
		*out = h;
	else if (fail != NULL)
		*fail = f;
	return rc;
}

/* ---- payloads ---- */

/* Refuse a payload of a fixed size want (MESSAGE_INCOMPLETE / UNEXPECTED). */
static enum codec_rc
scm_payload_exact(const struct scm_hdr *h, size_t want, struct scm_fail *f)
{
	if (h->payload_len < want) {
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE, "payload truncated",
		    h->hdr_len + h->payload_len);
		return CODEC_SHORT;
	}
	if (h->payload_len > want) {
		scm_fail_err(f, SCM_ERR_UNEXPECTED_DATA,
		    "payload longer than its fixed layout", h->hdr_len + want);
		return CODEC_MALFORMED;
	}
	return CODEC_OK;
}

static enum codec_rc
scm_result_parse(const struct scm_hdr *h, struct scm_result *r,
    struct scm_fail *f)
{
	const uint8_t *p = h->payload;
	size_t n = h->payload_len;

	memset(r, 0, sizeof(*r));
	if (n < SCM_RESULT_ACK_LEN) {
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
		    "result payload truncated", h->hdr_len + n);
		return CODEC_SHORT;
	}
	r->result_for = p[0];
	r->code = p[1];
	if (r->code == SCM_RESULT_ACK)
		return scm_payload_exact(h, SCM_RESULT_ACK_LEN, f);
	if (r->code != SCM_RESULT_NAK) {
		scm_fail_err(f, SCM_ERR_PARAMETER_OUT_OF_RANGE,
		    "result code neither ACK nor NAK", h->hdr_len + 1);
		return CODEC_MALFORMED;
	}
	if (n < SCM_RESULT_NAK_MIN) {
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
		    "NAK payload truncated", h->hdr_len + n);
		return CODEC_SHORT;
	}
	r->error_marker = p[2];
	r->error_class = be16_load(p + 3);
	r->error_code = be16_load(p + 5);
	r->details = p + SCM_RESULT_NAK_MIN;
	r->details_len = n - SCM_RESULT_NAK_MIN;
	if (memchr(r->details, 0, r->details_len) != NULL) {
		scm_fail_err(f, SCM_ERR_INCONSISTENT_PARAMETERS,
		    "NUL in error details", h->hdr_len + SCM_RESULT_NAK_MIN);
		return CODEC_MALFORMED;
	}
	return CODEC_OK;
}

static enum codec_rc
scm_connect_parse(const struct scm_hdr *h, struct scm_connect *c,
    struct scm_fail *f)
{
	enum codec_rc rc = scm_payload_exact(h, SCM_CONNECT_LEN, f);

	if (rc != CODEC_OK)
		return rc;
	memcpy(c->vmac, h->payload, SC_VMAC_LEN);
	memcpy(c->uuid, h->payload + 6, SC_UUID_LEN);
	c->max_bvlc = be16_load(h->payload + 22);
	c->max_npdu = be16_load(h->payload + 24);
	return CODEC_OK;
}

static enum codec_rc
scm_advert_parse(const struct scm_hdr *h, struct scm_advert *a,
    struct scm_fail *f)
{
	enum codec_rc rc = scm_payload_exact(h, SCM_ADVERT_LEN, f);

	if (rc != CODEC_OK)
		return rc;
	a->hub_status = h->payload[0];
	a->accept_dc = h->payload[1];
	a->max_bvlc = be16_load(h->payload + 2);
	a->max_npdu = be16_load(h->payload + 4);
	if (a->hub_status > SCM_HUB_FAILOVER || a->accept_dc > 1) {
		scm_fail_err(f, SCM_ERR_PARAMETER_OUT_OF_RANGE,
		    "advertisement enumeration out of range", h->hdr_len);
		return CODEC_MALFORMED;
	}
	return CODEC_OK;
}

static enum codec_rc
scm_prop_parse(const struct scm_hdr *h, struct scm_proprietary *p,
    struct scm_fail *f)
{
	if (h->payload_len < SCM_PROPRIETARY_MIN) {
		scm_fail_err(f, SCM_ERR_MESSAGE_INCOMPLETE,
		    "proprietary payload truncated",
		    h->hdr_len + h->payload_len);
		return CODEC_SHORT;
	}
	p->vendor = be16_load(h->payload);
	p->function = h->payload[2];
	p->data = h->payload + 3;
	p->data_len = h->payload_len - 3;
	return CODEC_OK;
}

/* The function-independent rules of the header (digest §1.4, §1.6). */
static enum codec_rc
scm_function_rules(const struct scm_hdr *h, struct scm_fail *f)
{
	if (!scm_function_is_known(h->function)) {
		scm_fail_err(f, SCM_ERR_BVLC_FUNCTION_UNKNOWN,
		    "unknown BVLC function", 0);
		return CODEC_UNSUPPORTED;
	}
	if (scm_function_is_peer_only(h->function) &&
	    (h->has_orig || h->has_dest)) {
		scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
		    "VMAC on a connection-level message", 1);
		return CODEC_MALFORMED;
	}
	if (h->has_orig && sc_vmac_is_broadcast(h->orig)) {
		scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
		    "broadcast originating VMAC", SCM_HDR_MIN);
		return CODEC_MALFORMED;
	}
	if (h->has_dest && sc_vmac_is_broadcast(h->dest) &&
	    scm_function_is_unicast_only(h->function)) {
		scm_fail_err(f, SCM_ERR_HEADER_ENCODING_ERROR,
		    "broadcast of a unicast-only function", 1);
		return CODEC_MALFORMED;
	}
	if (h->data_opts.len > 0 && !scm_function_allows_data_opts(h->function)) {
		scm_fail_err(f, SCM_ERR_INCONSISTENT_PARAMETERS,
		    "data options on a function other than NPDU", 1);
		return CODEC_MALFORMED;
	}
	return CODEC_OK;
}

static enum codec_rc
scm_payload_parse(struct scm_msg *m, struct scm_fail *f)
{
	const struct scm_hdr *h = &m->hdr;

	switch (h->function) {
	case SCM_FN_RESULT:
		return scm_result_parse(h, &m->u.result, f);
	case SCM_FN_ENCAP_NPDU:
		if (h->payload_len == 0) {
			scm_fail_err(f, SCM_ERR_PAYLOAD_EXPECTED,
			    "Encapsulated-NPDU without NPDU", h->hdr_len);
			return CODEC_MALFORMED;
		}
		return CODEC_OK;
	case SCM_FN_ADDR_RES_ACK:
		return CODEC_OK;
	case SCM_FN_ADVERT:
		return scm_advert_parse(h, &m->u.advert, f);
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_CONNECT_ACCEPT:
		return scm_connect_parse(h, &m->u.connect, f);
	case SCM_FN_PROPRIETARY:
		return scm_prop_parse(h, &m->u.prop, f);
	default:
		/* Address-Resolution, Solicitation, Disconnect*, Heartbeat* */
		return scm_payload_exact(h, 0, f);
	}
}

enum codec_rc
scm_decode(const uint8_t *buf, size_t len, struct scm_msg *out,
    struct scm_fail *fail)
{
	struct scm_msg m;
	struct scm_fail f;
	enum codec_rc rc;

	memset(&m, 0, sizeof(m));
	rc = scm_hdr_parse(buf, len, &m.hdr, &f);
	if (rc == CODEC_OK)
		rc = scm_function_rules(&m.hdr, &f);
	if (rc == CODEC_OK)
		rc = scm_payload_parse(&m, &f);
	if (rc == CODEC_OK)
		*out = m;
	else if (fail != NULL)
		*fail = f;
	return rc;
}

/* ---- checks the receiver makes ---- */

int
scm_check_hop(const struct scm_hdr *h, enum scm_hop hop,
    struct scm_fail *fail)
{
	const char *why = NULL;

	if (scm_function_is_peer_only(h->function))
		return 0;	/* never addressed: scm_decode checked it */
	switch (hop) {
	case SCM_HOP_HUB_RX:
		if (h->has_orig)
			why = "originating VMAC on a message to the hub";
		else if (!h->has_dest)
			why = "no destination VMAC on a message to the hub";
		break;
	case SCM_HOP_FROM_HUB:
		if (h->has_dest && !sc_vmac_is_broadcast(h->dest))
			why = "unicast destination VMAC from the hub";
		else if (!h->has_orig &&
		    (h->has_dest || h->function != SCM_FN_RESULT))
			why = "no originating VMAC on a message from the hub";
		break;
	case SCM_HOP_DIRECT:
		if (h->has_orig || h->has_dest)
			why = "VMAC on a direct connection";
		break;
	}
	if (why == NULL)
		return 0;
	if (fail != NULL)
		scm_fail_set(fail, h, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_HEADER_ENCODING_ERROR, 0, why);
	return -1;
}

int
scm_check_dest_opts(const struct scm_hdr *h, scm_opt_known_fn *known,
    void *arg, struct scm_fail *fail)
{
	struct scm_opt_iter it;
	struct scm_opt o;

	scm_opt_iter_init(&it, &h->dest_opts);
	while (scm_opt_next(&it, &o)) {
		if (!o.must_understand)
			continue;
		if (known != NULL && known(&o, arg))
			continue;
		if (fail != NULL)
			scm_fail_set(fail, h, SCM_ERRCLASS_COMMUNICATION,
			    SCM_ERR_HEADER_NOT_UNDERSTOOD, o.marker,
			    "must-understand destination option not understood");
		return -1;
	}
	return 0;
}

/* ---- encoders ---- */

size_t
scm_hdr_len(const struct scm_hdr *h)
{
	return SCM_HDR_MIN + (h->has_orig ? SC_VMAC_LEN : 0) +
	    (h->has_dest ? SC_VMAC_LEN : 0) + h->dest_opts.len +
	    h->data_opts.len;
}

int
scm_hdr_encode(struct wr *w, const struct scm_hdr *h)
{
	uint8_t flags = 0;

	if (scm_optlist_check(h->dest_opts.data, h->dest_opts.len, true,
	    NULL) != CODEC_OK ||
	    scm_optlist_check(h->data_opts.data, h->data_opts.len, false,
	    NULL) != CODEC_OK)
		return -1;
	if (h->has_orig)
		flags |= SCM_CTL_ORIG;
	if (h->has_dest)
		flags |= SCM_CTL_DEST;
	if (h->dest_opts.len > 0)
		flags |= SCM_CTL_DEST_OPTS;
	if (h->data_opts.len > 0)
		flags |= SCM_CTL_DATA_OPTS;
	wr_u8(w, h->function);
	wr_u8(w, flags);
	wr_u16(w, h->msgid);
	if (h->has_orig)
		wr_bytes(w, h->orig, SC_VMAC_LEN);
	if (h->has_dest)
		wr_bytes(w, h->dest, SC_VMAC_LEN);
	if (h->dest_opts.len > 0)
		wr_bytes(w, h->dest_opts.data, h->dest_opts.len);
	if (h->data_opts.len > 0)
		wr_bytes(w, h->data_opts.data, h->data_opts.len);
	return wr_status(w);
}

int
scm_result_encode(struct wr *w, const struct scm_result *r)
{
	if (r->code != SCM_RESULT_ACK && r->code != SCM_RESULT_NAK)
		return -1;
	wr_u8(w, r->result_for);
	wr_u8(w, r->code);
	if (r->code == SCM_RESULT_NAK) {
		if (r->details_len > 0 &&
		    memchr(r->details, 0, r->details_len) != NULL)
			return -1;
		wr_u8(w, r->error_marker);
		wr_u16(w, r->error_class);
		wr_u16(w, r->error_code);
		wr_bytes(w, r->details, r->details_len);
	}
	return wr_status(w);
}

int
scm_connect_encode(struct wr *w, const struct scm_connect *c)
{
	wr_bytes(w, c->vmac, SC_VMAC_LEN);
	wr_bytes(w, c->uuid, SC_UUID_LEN);
	wr_u16(w, c->max_bvlc);
	wr_u16(w, c->max_npdu);
	return wr_status(w);
}

int
scm_advert_encode(struct wr *w, const struct scm_advert *a)
{
	if (a->hub_status > SCM_HUB_FAILOVER || a->accept_dc > 1)
		return -1;
	wr_u8(w, a->hub_status);
	wr_u8(w, a->accept_dc);
	wr_u16(w, a->max_bvlc);
	wr_u16(w, a->max_npdu);
	return wr_status(w);
}

int
scm_proprietary_encode(struct wr *w, const struct scm_proprietary *p)
{
	wr_u16(w, p->vendor);
	wr_u8(w, p->function);
	wr_bytes(w, p->data, p->data_len);
	return wr_status(w);
}

int
scm_msg_encode(struct wr *w, const struct scm_msg *m)
{
	if (scm_hdr_encode(w, &m->hdr) != 0)
		return -1;
	switch (m->hdr.function) {
	case SCM_FN_RESULT:
		return scm_result_encode(w, &m->u.result);
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_CONNECT_ACCEPT:
		return scm_connect_encode(w, &m->u.connect);
	case SCM_FN_ADVERT:
		return scm_advert_encode(w, &m->u.advert);
	case SCM_FN_PROPRIETARY:
		return scm_proprietary_encode(w, &m->u.prop);
	default:
		wr_bytes(w, m->hdr.payload, m->hdr.payload_len);
		return wr_status(w);
	}
}

void
scm_nak_msg(const struct scm_fail *fail, const uint8_t *details,
    size_t details_len, struct scm_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->hdr.function = SCM_FN_RESULT;
	out->hdr.msgid = fail->msgid;
	if (fail->has_orig && !scm_function_is_peer_only(fail->function)) {
		out->hdr.has_dest = true;
		memcpy(out->hdr.dest, fail->orig, SC_VMAC_LEN);
	}
	out->u.result.result_for = fail->function;
	out->u.result.code = SCM_RESULT_NAK;
	out->u.result.error_marker = fail->error_marker;
	out->u.result.error_class = fail->error_class;
	out->u.result.error_code = fail->error_code;
	out->u.result.details = details;
	out->u.result.details_len = details_len;
}

int
scm_encode_nak(struct wr *w, const struct scm_fail *fail,
    const uint8_t *details, size_t details_len)
{
	struct scm_msg m;

	if (!scm_fail_wants_nak(fail))
		return -1;
	scm_nak_msg(fail, details, details_len, &m);
	return scm_msg_encode(w, &m);
}

void
scm_hdr_relay(const struct scm_hdr *in, const uint8_t *sender,
    struct scm_hdr *out)
{
	bool bcast = in->has_dest && sc_vmac_is_broadcast(in->dest);
	uint8_t orig[SC_VMAC_LEN];

	memcpy(orig, sender, SC_VMAC_LEN);
	if (out != in)
		*out = *in;
	out->has_orig = true;
	memcpy(out->orig, orig, SC_VMAC_LEN);
	out->has_dest = bcast;
	if (!bcast)
		memset(out->dest, 0, SC_VMAC_LEN);
	out->flags = (uint8_t)((out->flags & ~(SCM_CTL_ORIG | SCM_CTL_DEST)) |
	    SCM_CTL_ORIG | (bcast ? SCM_CTL_DEST : 0));
	out->hdr_len = scm_hdr_len(out);
}

bool
scm_uri_next(const uint8_t *payload, size_t len, size_t *pos,
    const uint8_t **uri, size_t *uri_len)
{
	size_t i = *pos, start;

	while (i < len && payload[i] == ' ')
		i++;
	if (i >= len) {
		*pos = len;
		return false;
	}
	start = i;
	while (i < len && payload[i] != ' ')
		i++;
	*uri = payload + start;
	*uri_len = i - start;
	*pos = i;
	return true;
}
