/*
 * Network-layer message codecs (clause 6.4).  Pure: see nlm_codec.h.
 */
#include "config.h"

#include <string.h>

#include "npdu/nlm_codec.h"

/* Fixed part of a routing table entry: DNET, port ID, info length. */
#define NLM_PORT_FIXED	4

/* Decoding state: the body reader and where the body starts in the NPDU. */
struct nlm_dec {
	struct rd	 r;
	const uint8_t	*body;
	size_t		 base;
	const char	**why;
	size_t		*err_off;
};

static enum codec_rc
nlm_fail(struct nlm_dec *d, enum codec_rc rc, const char *msg, size_t off)
{
	if (d->why != NULL)
		*d->why = msg;
	if (d->err_off != NULL)
		*d->err_off = d->base + off;
	return rc;
}

/* Offset of the next unread body octet. */
static size_t
nlm_off(const struct nlm_dec *d)
{
	return rd_offset(&d->r, d->body);
}

/* Read a fixed 2-octet network number. */
static enum codec_rc
nlm_rd_net(struct nlm_dec *d, uint16_t *net)
{
	if (rd_u16(&d->r, net) != 0)
		return nlm_fail(d, CODEC_SHORT, "truncated: network number cut "
		    "short", nlm_off(d));
	return CODEC_OK;
}

/* Read a fixed 1-octet field named what (a static string). */
static enum codec_rc
nlm_rd_u8(struct nlm_dec *d, uint8_t *v, const char *what)
{
	if (rd_u8(&d->r, v) != 0)
		return nlm_fail(d, CODEC_SHORT, what, nlm_off(d));
	return CODEC_OK;
}

/* The body must end here. */
static enum codec_rc
nlm_end(struct nlm_dec *d)
{
	if (d->r.left != 0)
		return nlm_fail(d, CODEC_MALFORMED, "unexpected-data: octets "
		    "after the end of the message", nlm_off(d));
	return CODEC_OK;
}

static enum codec_rc
nlm_dec_nets(struct nlm_dec *d, struct nlm_nets *l)
{
	if (d->r.left % 2 != 0)
		return nlm_fail(d, CODEC_MALFORMED, "bad-length: network list "
		    "is not a multiple of 2 octets",
		    nlm_off(d) + d->r.left - 1);
	l->count = d->r.left / 2;
	l->raw = l->count > 0 ? d->r.p : NULL;
	l->host = NULL;
	return CODEC_OK;
}

static enum codec_rc
nlm_dec_ports(struct nlm_dec *d, struct nlm_ports *p)
{
	const uint8_t *start;
	uint8_t n, info_len;
	size_t i, off;

	if (nlm_rd_u8(d, &n, "truncated: Number of Ports missing") !=
	    CODEC_OK)
		return CODEC_SHORT;
	start = d->r.p;
	for (i = 0; i < n; i++) {
		off = nlm_off(d);
		if (rd_skip(&d->r, 3) != 0 || rd_u8(&d->r, &info_len) != 0)
			return nlm_fail(d, CODEC_SHORT, "truncated: routing "
			    "table entry cut short or missing", off);
		if (rd_skip(&d->r, info_len) != 0)
			return nlm_fail(d, CODEC_MALFORMED, "bad-length: Port "
			    "Info Length runs past the end", off + 3);
	}
	p->count = n;
	p->raw_len = (size_t)(d->r.p - start);
	p->raw = p->raw_len > 0 ? start : NULL;
	p->host = NULL;
	return nlm_end(d);
}

/* Decode the body of a known, non-proprietary type into m. */
static enum codec_rc
nlm_dec_body(struct nlm_dec *d, struct nlm_msg *m)
{
	enum codec_rc rc = CODEC_OK;

	switch (m->type) {
	case NPDU_NL_WHO_IS_ROUTER:
		m->u.who_is_router.has_net = d->r.left > 0;
		if (d->r.left > 0)
			rc = nlm_rd_net(d, &m->u.who_is_router.net);
		break;
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		return nlm_dec_nets(d, &m->u.nets);
	case NPDU_NL_I_COULD_BE_ROUTER:
		if ((rc = nlm_rd_net(d, &m->u.could_be_router.net)) == CODEC_OK)
			rc = nlm_rd_u8(d, &m->u.could_be_router.perf,
			    "truncated: performance index missing");
		break;
	case NPDU_NL_REJECT:
		if ((rc = nlm_rd_u8(d, &m->u.reject.reason,
		    "truncated: reject reason missing")) == CODEC_OK)
			rc = nlm_rd_net(d, &m->u.reject.net);
		break;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		return nlm_dec_ports(d, &m->u.ports);
	case NPDU_NL_ESTABLISH_CONN:
		if ((rc = nlm_rd_net(d, &m->u.establish.net)) == CODEC_OK)
			rc = nlm_rd_u8(d, &m->u.establish.ttime,
			    "truncated: termination time missing");
		break;
	case NPDU_NL_DISCONNECT_CONN:
		rc = nlm_rd_net(d, &m->u.disconnect.net);
		break;
	case NPDU_NL_WHAT_IS_NETNUM:
		break;
	case NPDU_NL_NETNUM_IS:
		if ((rc = nlm_rd_net(d, &m->u.netnum_is.net)) != CODEC_OK)
			break;
		if ((rc = nlm_rd_u8(d, &m->u.netnum_is.flag,
		    "truncated: Network-Number-Is flag missing")) != CODEC_OK)
			break;
		if (m->u.netnum_is.flag > NLM_NETNUM_CONFIGURED)
			return nlm_fail(d, CODEC_MALFORMED, "out-of-range: "
			    "Network-Number-Is flag is not 0 or 1",
			    nlm_off(d) - 1);
		break;
	default:	/* nlm_decode checked nlm_type_is_known */
		return nlm_fail(d, CODEC_UNSUPPORTED, "unsupported: network "
		    "message type not handled here", 0);
	}
	if (rc != CODEC_OK)
		return rc;
	return nlm_end(d);
}

bool
nlm_type_is_known(uint8_t t)
{
	if (t >= NPDU_NL_PROPRIETARY_MIN)
		return true;
	return t <= NPDU_NL_DISCONNECT_CONN || t == NPDU_NL_WHAT_IS_NETNUM ||
	    t == NPDU_NL_NETNUM_IS;
}

enum codec_rc
nlm_decode(const struct npdu_view *v, struct nlm_msg *out, const char **why,
    size_t *err_off)
{
	struct nlm_dec d;
	struct nlm_msg m;
	enum codec_rc rc;

	memset(&d, 0, sizeof(d));
	d.why = why;
	d.err_off = err_off;
	if (!v->is_nl_msg)
		return nlm_fail(&d, CODEC_MALFORMED, "not-network-message: "
		    "control bit 7 is clear", 0);
	d.base = v->hdr_len;
	d.body = v->payload;
	rd_init(&d.r, v->payload, v->payload_len);
	memset(&m, 0, sizeof(m));
	m.type = v->nl_type;
	if (!nlm_type_is_known(m.type)) {
		/* Point at the message type, the last octet of the header. */
		d.base = v->hdr_len > 0 ? v->hdr_len - 1 : 0;
		return nlm_fail(&d, CODEC_UNSUPPORTED, "unsupported: network "
		    "message type not handled here", 0);
	}
	if (m.type >= NPDU_NL_PROPRIETARY_MIN) {
		m.u.prop.vendor_id = v->vendor_id;
		m.u.prop.data = v->payload;
		m.u.prop.len = v->payload_len;
	} else if ((rc = nlm_dec_body(&d, &m)) != CODEC_OK)
		return rc;
	*out = m;
	return CODEC_OK;
}

uint16_t
nlm_nets_at(const struct nlm_nets *l, size_t i)
{
	if (l->raw != NULL)
		return be16_load(l->raw + 2 * i);
	return l->host[i];
}

void
nlm_port_iter_init(struct nlm_port_iter *it, const struct nlm_ports *p)
{
	it->ports = p;
	it->i = 0;
	it->off = 0;
}

bool
nlm_port_iter_next(struct nlm_port_iter *it, struct nlm_port *out)
{
	const struct nlm_ports *p = it->ports;
	const uint8_t *e;

	if (it->i >= p->count)
		return false;
	if (p->raw == NULL) {
		*out = p->host[it->i++];
		return true;
	}
	/* raw was validated by the decoder: every entry is complete. */
	e = p->raw + it->off;
	out->net = be16_load(e);
	out->id = e[2];
	out->info_len = e[3];
	out->info = out->info_len > 0 ? e + NLM_PORT_FIXED : NULL;
	it->off += NLM_PORT_FIXED + (size_t)out->info_len;
	it->i++;
	return true;
}

/* Can m's body be written?  (Checked before anything is written.) */
static bool
nlm_body_is_valid(const struct nlm_msg *m)
{
	const struct nlm_ports *p = &m->u.ports;
	size_t i;

	if (!nlm_type_is_known(m->type))
		return false;
	if (m->type >= NPDU_NL_PROPRIETARY_MIN)
		return m->u.prop.len == 0 || m->u.prop.data != NULL;
	switch (m->type) {
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		return m->u.nets.count == 0 || m->u.nets.raw != NULL ||
		    m->u.nets.host != NULL;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		if (p->count > 255)
			return false;
		if (p->count == 0 || p->raw != NULL)
			return true;
		if (p->host == NULL)
			return false;
		for (i = 0; i < p->count; i++)
			if (p->host[i].info_len > 0 && p->host[i].info == NULL)
				return false;
		return true;
	case NPDU_NL_NETNUM_IS:
		return m->u.netnum_is.flag <= NLM_NETNUM_CONFIGURED;
	default:
		return true;
	}
}

static void
nlm_enc_nets(struct wr *w, const struct nlm_nets *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		wr_u16(w, nlm_nets_at(l, i));
}

static void
nlm_enc_ports(struct wr *w, const struct nlm_ports *p)
{
	struct nlm_port_iter it;
	struct nlm_port e;

	wr_u8(w, (uint8_t)p->count);
	nlm_port_iter_init(&it, p);
	while (nlm_port_iter_next(&it, &e)) {
		wr_u16(w, e.net);
		wr_u8(w, e.id);
		wr_u8(w, e.info_len);
		if (e.info_len > 0)
			wr_bytes(w, e.info, e.info_len);
	}
}

int
nlm_encode_body(struct wr *w, const struct nlm_msg *m)
{
	if (!nlm_body_is_valid(m))
		return -1;
	if (m->type >= NPDU_NL_PROPRIETARY_MIN) {
		if (m->u.prop.len > 0)
			wr_bytes(w, m->u.prop.data, m->u.prop.len);
		return wr_status(w);
	}
	switch (m->type) {
	case NPDU_NL_WHO_IS_ROUTER:
		if (m->u.who_is_router.has_net)
			wr_u16(w, m->u.who_is_router.net);
		break;
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		nlm_enc_nets(w, &m->u.nets);
		break;
	case NPDU_NL_I_COULD_BE_ROUTER:
		wr_u16(w, m->u.could_be_router.net);
		wr_u8(w, m->u.could_be_router.perf);
		break;
	case NPDU_NL_REJECT:
		wr_u8(w, m->u.reject.reason);
		wr_u16(w, m->u.reject.net);
		break;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		nlm_enc_ports(w, &m->u.ports);
		break;
	case NPDU_NL_ESTABLISH_CONN:
		wr_u16(w, m->u.establish.net);
		wr_u8(w, m->u.establish.ttime);
		break;
	case NPDU_NL_DISCONNECT_CONN:
		wr_u16(w, m->u.disconnect.net);
		break;
	case NPDU_NL_WHAT_IS_NETNUM:
		break;
	case NPDU_NL_NETNUM_IS:
		wr_u16(w, m->u.netnum_is.net);
		wr_u8(w, m->u.netnum_is.flag);
		break;
	default:	/* not reached: nlm_body_is_valid checked the type */
		return -1;
	}
	return wr_status(w);
}

int
nlm_encode(struct wr *w, const struct npdu_view *hdr, const struct nlm_msg *m)
{
	struct npdu_view v = *hdr;

	if (!nlm_body_is_valid(m))
		return -1;
	v.is_nl_msg = true;
	v.nl_type = m->type;
	v.vendor_id = m->type >= NPDU_NL_PROPRIETARY_MIN ?
	    m->u.prop.vendor_id : 0;
	v.payload = NULL;
	v.payload_len = 0;
	if (npdu_encode_header(w, &v) != 0)
		return -1;
	return nlm_encode_body(w, m);
}

const char *
nlm_type_name(uint8_t t)
{
	static const char *const names[] = {
		"Who-Is-Router-To-Network",
		"I-Am-Router-To-Network",
		"I-Could-Be-Router-To-Network",
		"Reject-Message-To-Network",
		"Router-Busy-To-Network",
		"Router-Available-To-Network",
		"Initialize-Routing-Table",
		"Initialize-Routing-Table-Ack",
		"Establish-Connection-To-Network",
		"Disconnect-Connection-To-Network",
		"Challenge-Request",
		"Security-Payload",
		"Security-Response",
		"Request-Key-Update",
		"Update-Key-Set",
		"Update-Distribution-Key",
		"Request-Master-Key",
		"Set-Master-Key",
		"What-Is-Network-Number",
		"Network-Number-Is",
	};

	if (t < sizeof(names) / sizeof(names[0]))
		return names[t];
	if (t >= NPDU_NL_PROPRIETARY_MIN)
		return "Proprietary";
	return "Reserved";
}

const char *
nlm_reject_reason_name(uint8_t reason)
{
	static const char *const names[] = {
		"other",
		"no-route",
		"router-busy",
		"unknown-message-type",
		"message-too-long",
		"security-error",
		"addressing-error",
	};

	if (reason < sizeof(names) / sizeof(names[0]))
		return names[reason];
	return "unknown";
}
