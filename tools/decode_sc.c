/*
 * bacsc-decode --sc: one BVLC-SC message (the payload of one WebSocket
 * binary message) as JSON.  Keys follow tests/vectors/README.md; absent
 * VMACs are left out; the Encapsulated-NPDU payload goes through the NPDU
 * printer.
 */
#include "config.h"

#include <stdio.h>

#include "lib/jsonw.h"
#include "sc/scm_codec.h"
#include "tools/decode.h"

static void
sc_json_vmac(struct jw *w, const char *key, const uint8_t *v)
{
	char s[SC_VMAC_STRLEN];

	if (sc_vmac_format(v, s, sizeof(s)) == 0)
		jw_kv_str(w, key, s);
}

static void
sc_json_opts(struct jw *w, const char *key, const struct scm_optlist *l)
{
	struct scm_opt_iter it;
	struct scm_opt o;

	if (l->len == 0)
		return;
	jw_key(w, key);
	jw_arr_begin(w);
	scm_opt_iter_init(&it, l);
	while (scm_opt_next(&it, &o)) {
		jw_obj_begin(w);
		jw_kv_uint(w, "marker", o.marker);
		jw_kv_uint(w, "type", o.type);
		jw_kv_str(w, "name", o.type == SCM_OPT_SECURE_PATH ?
		    "secure-path" : o.type == SCM_OPT_PROPRIETARY ?
		    "proprietary" : "unknown");
		jw_kv_bool(w, "mu", o.must_understand);
		jw_kv_bool(w, "more", o.more);
		if (o.has_data) {
			jw_kv_uint(w, "datalen", o.data_len);
			jw_kv_hex(w, "data", o.data, o.data_len, '\0');
		}
		if (o.type == SCM_OPT_PROPRIETARY && o.has_data) {
			jw_kv_uint(w, "vendor", o.vendor);
			jw_kv_uint(w, "ptype", o.ptype);
			jw_kv_hex(w, "pdata", o.pdata, o.pdata_len, '\0');
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
sc_json_result(struct jw *w, const struct scm_result *r)
{
	const char *name = scm_error_name(r->error_code);

	jw_kv_uint(w, "result_for", r->result_for);
	jw_kv_str(w, "result_for_name", scm_function_name(r->result_for));
	jw_kv_uint(w, "result_code", r->code);
	jw_kv_str(w, "result", r->code == SCM_RESULT_ACK ? "ACK" : "NAK");
	if (r->code != SCM_RESULT_NAK)
		return;
	jw_kv_uint(w, "error_marker", r->error_marker);
	jw_kv_uint(w, "error_class", r->error_class);
	jw_kv_uint(w, "error_code", r->error_code);
	if (name != NULL && r->error_class == SCM_ERRCLASS_COMMUNICATION)
		jw_kv_str(w, "error_name", name);
	jw_key(w, "details");
	jw_strn(w, (const char *)r->details, r->details_len);
	jw_kv_hex(w, "details_hex", r->details, r->details_len, '\0');
}

static void
sc_json_uris(struct jw *w, const struct scm_hdr *h)
{
	const uint8_t *u;
	size_t pos = 0, ulen, n = 0;

	jw_key(w, "uris");
	jw_arr_begin(w);
	while (scm_uri_next(h->payload, h->payload_len, &pos, &u, &ulen)) {
		jw_strn(w, (const char *)u, ulen);
		n++;
	}
	jw_arr_end(w);
	jw_kv_uint(w, "uri_count", n);
}

/* The payload of m; return 0, or -1 with *err (NPDU errors). */
static int
sc_json_payload(struct jw *w, const struct scm_msg *m, struct decode_err *err)
{
	char s[SC_UUID_STRLEN];

	switch (m->hdr.function) {
	case SCM_FN_RESULT:
		sc_json_result(w, &m->u.result);
		break;
	case SCM_FN_ENCAP_NPDU:
		jw_key(w, "npdu");
		if (decode_npdu_json(w, m->hdr.payload, m->hdr.payload_len,
		    err) != 0) {
			err->off += m->hdr.hdr_len;
			return -1;
		}
		break;
	case SCM_FN_ADDR_RES_ACK:
		sc_json_uris(w, &m->hdr);
		break;
	case SCM_FN_ADVERT:
		jw_kv_uint(w, "hub_status", m->u.advert.hub_status);
		jw_kv_uint(w, "accept_dc", m->u.advert.accept_dc);
		jw_kv_uint(w, "max_bvlc", m->u.advert.max_bvlc);
		jw_kv_uint(w, "max_npdu", m->u.advert.max_npdu);
		break;
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_CONNECT_ACCEPT:
		sc_json_vmac(w, "vmac", m->u.connect.vmac);
		if (sc_uuid_format(m->u.connect.uuid, s, sizeof(s)) == 0)
			jw_kv_str(w, "uuid", s);
		jw_kv_uint(w, "max_bvlc", m->u.connect.max_bvlc);
		jw_kv_uint(w, "max_npdu", m->u.connect.max_npdu);
		break;
	case SCM_FN_PROPRIETARY:
		jw_kv_uint(w, "vendor", m->u.prop.vendor);
		jw_kv_uint(w, "pfunc", m->u.prop.function);
		jw_kv_hex(w, "pdata", m->u.prop.data, m->u.prop.data_len,
		    '\0');
		break;
	default:
		break;	/* no payload */
	}
	return 0;
}

int
decode_sc_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err)
{
	static char why[160];
	struct scm_msg m;
	struct scm_fail f;
	const struct scm_hdr *h = &m.hdr;

	if (scm_decode(buf, len, &m, &f) != CODEC_OK) {
		const char *name = f.have_error ?
		    scm_error_name(f.error_code) : NULL;

		snprintf(why, sizeof(why), "%s: %s (%s)",
		    name != NULL ? name : "truncated", f.why,
		    scm_fail_wants_nak(&f) ? "a NAK is due" : "no NAK");
		err->off = f.off;
		err->why = why;
		return -1;
	}
	jw_obj_begin(w);
	jw_kv_uint(w, "function", h->function);
	jw_kv_str(w, "function_name", scm_function_name(h->function));
	jw_kv_uint(w, "flags", h->flags);
	jw_kv_uint(w, "msgid", h->msgid);
	if (h->has_orig)
		sc_json_vmac(w, "orig", h->orig);
	if (h->has_dest) {
		sc_json_vmac(w, "dest", h->dest);
		jw_kv_bool(w, "broadcast", sc_vmac_is_broadcast(h->dest));
	}
	jw_kv_uint(w, "destopts", h->dest_opts.count);
	sc_json_opts(w, "destopt", &h->dest_opts);
	jw_kv_uint(w, "dataopts", h->data_opts.count);
	sc_json_opts(w, "dataopt", &h->data_opts);
	jw_kv_uint(w, "payload_len", h->payload_len);
	if (sc_json_payload(w, &m, err) != 0)
		return -1;
	jw_obj_end(w);
	return 0;
}
