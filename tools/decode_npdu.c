/* NPDU and network-layer message printer for bacsc-decode. */
#include "config.h"

#include "lib/jsonw.h"
#include "npdu/nlm_codec.h"
#include "npdu/npdu_codec.h"
#include "tools/decode.h"

static void
print_nets(struct jw *w, const struct nlm_nets *l)
{
	size_t i;

	jw_key(w, "nets");
	jw_arr_begin(w);
	for (i = 0; i < l->count; i++)
		jw_uint(w, nlm_nets_at(l, i));
	jw_arr_end(w);
}

static void
print_ports(struct jw *w, const struct nlm_ports *p)
{
	struct nlm_port_iter it;
	struct nlm_port e;

	jw_key(w, "ports");
	jw_arr_begin(w);
	nlm_port_iter_init(&it, p);
	while (nlm_port_iter_next(&it, &e)) {
		jw_obj_begin(w);
		jw_kv_uint(w, "net", e.net);
		jw_kv_uint(w, "id", e.id);
		jw_kv_uint(w, "infolen", e.info_len);
		jw_kv_hex(w, "info", e.info, e.info_len, '\0');
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* The fields of a decoded network-layer message body. */
static void
print_body(struct jw *w, const struct nlm_msg *m)
{
	if (m->type >= NPDU_NL_PROPRIETARY_MIN) {
		jw_kv_uint(w, "vendor", m->u.prop.vendor_id);
		jw_kv_hex(w, "data", m->u.prop.data, m->u.prop.len, '\0');
		return;
	}
	switch (m->type) {
	case NPDU_NL_WHO_IS_ROUTER:
		jw_key(w, "net");
		if (m->u.who_is_router.has_net)
			jw_uint(w, m->u.who_is_router.net);
		else
			jw_null(w);
		break;
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		print_nets(w, &m->u.nets);
		break;
	case NPDU_NL_I_COULD_BE_ROUTER:
		jw_kv_uint(w, "net", m->u.could_be_router.net);
		jw_kv_uint(w, "perf", m->u.could_be_router.perf);
		break;
	case NPDU_NL_REJECT:
		jw_kv_uint(w, "reason", m->u.reject.reason);
		jw_kv_str(w, "reason_name",
		    nlm_reject_reason_name(m->u.reject.reason));
		jw_kv_uint(w, "net", m->u.reject.net);
		break;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		print_ports(w, &m->u.ports);
		break;
	case NPDU_NL_ESTABLISH_CONN:
		jw_kv_uint(w, "net", m->u.establish.net);
		jw_kv_uint(w, "ttime", m->u.establish.ttime);
		break;
	case NPDU_NL_DISCONNECT_CONN:
		jw_kv_uint(w, "net", m->u.disconnect.net);
		break;
	case NPDU_NL_NETNUM_IS:
		jw_kv_uint(w, "net", m->u.netnum_is.net);
		jw_kv_uint(w, "flag", m->u.netnum_is.flag);
		break;
	default:	/* What-Is-Network-Number: no body */
		break;
	}
}

/* The NPCI fields, in wire order. */
static void
print_header(struct jw *w, const struct npdu_view *v)
{
	jw_kv_uint(w, "version", NPDU_VERSION);
	jw_kv_uint(w, "control", v->control);
	jw_kv_bool(w, "expecting_reply",
	    (v->control & NPDU_CTL_EXPECT_REPLY) != 0);
	jw_kv_uint(w, "priority", v->control & NPDU_CTL_PRIO_MASK);
	if (v->has_dnet) {
		jw_kv_uint(w, "dnet", v->dnet);
		jw_kv_uint(w, "dlen", v->dlen);
		if (v->dlen > 0)
			jw_kv_hex(w, "dadr", v->dadr, v->dlen, ':');
	}
	if (v->has_snet) {
		jw_kv_uint(w, "snet", v->snet);
		jw_kv_uint(w, "slen", v->slen);
		jw_kv_hex(w, "sadr", v->sadr, v->slen, ':');
	}
	if (v->has_dnet)
		jw_kv_uint(w, "hop", v->hop_count);
}

int
decode_npdu_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err)
{
	struct npdu_view v;
	struct nlm_msg m;
	enum codec_rc rc;

	rc = npdu_decode(buf, len, &v, &err->why, &err->off);
	if (rc != CODEC_OK)
		return -1;
	if (v.is_nl_msg) {
		rc = nlm_decode(&v, &m, &err->why, &err->off);
		if (rc != CODEC_OK && rc != CODEC_UNSUPPORTED)
			return -1;
	}
	jw_obj_begin(w);
	print_header(w, &v);
	if (!v.is_nl_msg) {
		jw_kv_hex(w, "apdu", v.payload, v.payload_len, '\0');
	} else {
		jw_kv_uint(w, "msgtype", v.nl_type);
		jw_kv_str(w, "msgname", nlm_type_name(v.nl_type));
		jw_kv_bool(w, "supported", rc == CODEC_OK);
		if (rc == CODEC_OK)
			print_body(w, &m);
		else
			jw_kv_hex(w, "data", v.payload, v.payload_len, '\0');
	}
	jw_obj_end(w);
	return 0;
}
