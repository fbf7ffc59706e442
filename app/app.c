/* The application entity: service dispatch, segmentation, duplicates. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app/apdu_codec.h"
#include "app/app.h"
#include "app/app_ids.h"
#include "lib/ratelim.h"

#define APP_RESP_MAX	65536	/* largest service answer we build */
#define APP_DUP_SLOTS	16	/* remembered confirmed requests */
#define APP_SEG_SLOTS	4	/* concurrent segmented responses */
#define APP_APDU_MAX	1476	/* longest unsegmented APDU we cache */
/*
 * Who-Is and Who-Has are answered by broadcast (which a BBMD also sends to
 * every peer and foreign device), and any source may ask, forged or not:
 * this many answers at once, then one per APP_BCAST_EVERY_US.
 */
#define APP_BCAST_BURST		20
#define APP_BCAST_EVERY_US	100000u

/* A remembered confirmed request and the answer we gave. */
struct app_dup {
	bool		used;
	struct app_addr	src;
	uint8_t		invoke_id;
	uint64_t	hash;
	size_t		req_len;
	uint64_t	expires;
	uint8_t		resp[APP_APDU_MAX];
	size_t		resp_len;
};

/* A segmented Complex-ACK in progress (server side of 5.4.5). */
struct app_seg {
	bool		 used;
	struct app_addr	 peer;
	uint8_t		 invoke_id;
	uint8_t		 service;
	uint8_t		*data;		/* owned: the service-ack octets */
	size_t		 len;
	size_t		 seg_size;	/* service octets per segment */
	unsigned	 nsegs;
	unsigned	 base;		/* first unacknowledged segment */
	unsigned	 next;		/* next segment to send */
	uint8_t		 window;	/* actual window size */
	uint64_t	 deadline;
	unsigned	 retries;
};

struct app {
	struct app_db	*db;
	app_send_fn	 send;
	void		*arg;
	struct app_stats st;
	uint8_t		*resp;		/* APP_RESP_MAX scratch */
	struct app_dup	 dup[APP_DUP_SLOTS];
	struct app_seg	 seg[APP_SEG_SLOTS];
	struct ratelim	 bcast_rl;	/* I-Am / I-Have answers */
};

/* What a confirmed service produced. */
enum app_outcome {
	OUT_SIMPLE,		/* Simple-ACK */
	OUT_COMPLEX,		/* Complex-ACK with resp[0..len) */
	OUT_ERROR,
	OUT_REJECT,
	OUT_ABORT,
};

struct app_result {
	enum app_outcome	 out;
	size_t			 len;
	struct app_err		 err;
	uint8_t			 reason;
};

struct app *
app_new(struct app_db *db, app_send_fn send, void *arg)
{
	struct app *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->resp = malloc(APP_RESP_MAX);
	if (a->resp == NULL) {
		free(a);
		return NULL;
	}
	a->db = db;
	a->send = send;
	a->arg = arg;
	ratelim_init(&a->bcast_rl, APP_BCAST_BURST, APP_BCAST_EVERY_US);
	return a;
}

void
app_free(struct app *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < APP_SEG_SLOTS; i++)
		free(a->seg[i].data);
	free(a->resp);
	free(a);
}

const struct app_stats *
app_stats(const struct app *a)
{
	return &a->st;
}

static bool
addr_eq(const struct app_addr *x, const struct app_addr *y)
{
	return x->net == y->net && x->mac_len == y->mac_len &&
	    x->port == y->port && memcmp(x->mac, y->mac, x->mac_len) == 0;
}

static void
emit(struct app *a, const struct app_addr *dst, const uint8_t *p, size_t n,
    bool expecting_reply)
{
	a->st.tx++;
	a->send(a->arg, dst, p, n, expecting_reply, 0);
}

/* The broadcast address of the network src is on. */
static void
bcast_of(const struct app_addr *src, struct app_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->net = src->net;
	out->port = src->port;
}

/* ---- unconfirmed services ----------------------------------------- */

void
app_send_i_am(struct app *a, const struct app_addr *dst)
{
	const struct app_device *d = &a->db->dev;
	uint8_t buf[32];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x10);
	wr_u8(&w, APP_SVC_I_AM);
	apdu_enc_objid(&w, APP_OBJ_DEVICE, d->obj.instance);
	apdu_enc_unsigned(&w, d->max_apdu);
	apdu_enc_enum(&w, d->segmented_transmit ? APP_SEG_TRANSMIT : APP_SEG_NONE);
	apdu_enc_unsigned(&w, d->vendor_id);
	if (wr_status(&w) == 0)
		emit(a, dst, buf, w.len, false);
}

/*
 * Parse optional [0] low, [1] high device-instance limits.  Return 1 if
 * our instance is in range (or no limits), 0 if not, -1 if malformed.
 */
static int
in_limits(const struct app *a, struct rd *r)
{
	struct apdu_value lo, hi;
	uint32_t me = a->db->dev.obj.instance;

	if (!apdu_is_ctx(r, 0))
		return apdu_is_ctx(r, 1) ? -1 : 1;
	if (apdu_dec_ctx(r, 0, APDU_UNSIGNED, &lo) != CODEC_OK ||
	    apdu_dec_ctx(r, 1, APDU_UNSIGNED, &hi) != CODEC_OK)
		return -1;
	if (lo.v.u > APDU_INSTANCE_MAX || hi.v.u > APDU_INSTANCE_MAX ||
	    lo.v.u > hi.v.u)
		return -1;
	return me >= lo.v.u && me <= hi.v.u ? 1 : 0;
}

/* May a broadcast answer go out now? */
static bool
bcast_allow(struct app *a, uint64_t now)
{
	if (ratelim_allow(&a->bcast_rl, now, NULL))
		return true;
	a->st.bcast_ratelim++;
	return false;
}

static void
who_is(struct app *a, const struct app_addr *src, struct rd *r, uint64_t now)
{
	struct app_addr dst;

	if (in_limits(a, r) != 1 || r->left != 0 || !bcast_allow(a, now))
		return;
	bcast_of(src, &dst);
	app_send_i_am(a, &dst);
}

static void
who_has(struct app *a, const struct app_addr *src, struct rd *r, uint64_t now)
{
	struct apdu_value v;
	struct app_obj *o = NULL;
	struct app_addr dst;
	uint8_t buf[128];
	struct wr w;

	if (in_limits(a, r) != 1)
		return;
	if (apdu_dec_ctx(r, 2, APDU_OBJID, &v) == CODEC_OK) {
		o = app_db_find(a->db, v.v.oid.type, v.v.oid.instance);
	} else if (apdu_dec_ctx(r, 3, APDU_STRING, &v) == CODEC_OK) {
		if (v.v.str.charset == APDU_CHARSET_UTF8)
			o = app_db_find_name(a->db, (const char *)v.v.str.p,
			    v.v.str.n);
	} else {
		return;
	}
	if (o == NULL || r->left != 0 || !bcast_allow(a, now))
		return;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x10);
	wr_u8(&w, APP_SVC_I_HAVE);
	apdu_enc_objid(&w, APP_OBJ_DEVICE, a->db->dev.obj.instance);
	apdu_enc_objid(&w, o->cls->type, o->instance);
	apdu_enc_cstr(&w, o->name);
	if (wr_status(&w) < 0)
		return;
	bcast_of(src, &dst);
	emit(a, &dst, buf, w.len, false);
}

/* ---- confirmed services ------------------------------------------- */

static void
res_error(struct app_result *res, uint32_t cls, uint32_t code)
{
	res->out = OUT_ERROR;
	res->err.cls = cls;
	res->err.code = code;
}

static void
res_reject(struct app_result *res, uint8_t reason)
{
	res->out = OUT_REJECT;
	res->reason = reason;
}

/* Map a decode status of a required parameter to a Reject reason. */
static uint8_t
reject_for(enum codec_rc rc)
{
	switch (rc) {
	case CODEC_OK:
		return APP_REJ_OTHER;
	case CODEC_SHORT:
		return APP_REJ_MISSING_REQUIRED_PARAM;
	case CODEC_MALFORMED:
		return APP_REJ_INVALID_TAG;
	case CODEC_UNSUPPORTED:
		return APP_REJ_INVALID_TAG;
	}
	return APP_REJ_OTHER;
}

/* [n] objid, [n+1] property, optional [n+2] index. */
static enum codec_rc
take_ref(struct rd *r, uint8_t tag, struct apdu_value *oid, uint32_t *prop,
    uint32_t *index)
{
	struct apdu_value v;
	enum codec_rc rc;

	if (oid != NULL) {
		rc = apdu_dec_ctx(r, tag++, APDU_OBJID, oid);
		if (rc != CODEC_OK)
			return rc;
	}
	rc = apdu_dec_ctx(r, tag, APDU_ENUM, &v);
	if (rc != CODEC_OK)
		return rc;
	*prop = v.v.e;
	*index = APP_NO_INDEX;
	if (!apdu_is_ctx(r, (uint8_t)(tag + 1)))
		return CODEC_OK;
	rc = apdu_dec_ctx(r, (uint8_t)(tag + 1), APDU_UNSIGNED, &v);
	if (rc != CODEC_OK)
		return rc;
	if (v.v.u >= APP_NO_INDEX)
		return CODEC_MALFORMED;
	*index = (uint32_t)v.v.u;
	return CODEC_OK;
}

/* A Complex-ACK of w's octets, or an Abort if they did not fit. */
static void
res_complex(struct app_result *res, const struct wr *w)
{
	if (wr_status(w) < 0) {
		res->out = OUT_ABORT;
		res->reason = APP_ABORT_BUFFER_OVERFLOW;
		return;
	}
	res->out = OUT_COMPLEX;
	res->len = w->len;
}

/*
 * The object a ReadProperty or WriteProperty names, once the request is
 * wholly decoded: NULL (and a Reject or Error in res) if octets are left
 * over or there is no such object.
 */
static struct app_obj *
request_object(struct app *a, const struct rd *r, const struct apdu_value *oid,
    struct app_result *res)
{
	struct app_obj *o;

	if (r->left != 0) {
		res_reject(res, APP_REJ_TOO_MANY_ARGUMENTS);
		return NULL;
	}
	o = app_db_find(a->db, oid->v.oid.type, oid->v.oid.instance);
	if (o == NULL)
		res_error(res, APP_ERRC_OBJECT, APP_ERR_UNKNOWN_OBJECT);
	return o;
}

static void
read_property(struct app *a, struct rd *r, struct app_result *res)
{
	struct apdu_value oid;
	uint32_t prop, index;
	struct app_obj *o;
	enum codec_rc rc;
	struct wr w;

	rc = take_ref(r, 0, &oid, &prop, &index);
	if (rc != CODEC_OK) {
		res_reject(res, reject_for(rc));
		return;
	}
	o = request_object(a, r, &oid, res);
	if (o == NULL)
		return;
	wr_init(&w, a->resp, APP_RESP_MAX);
	apdu_ctx_objid(&w, 0, o->cls->type, o->instance);
	apdu_ctx_enum(&w, 1, prop);
	if (index != APP_NO_INDEX)
		apdu_ctx_unsigned(&w, 2, index);
	apdu_open(&w, 3);
	if (app_obj_read(o, prop, index, &w, &res->err) < 0) {
		res->out = OUT_ERROR;
		return;
	}
	apdu_close(&w, 3);
	res_complex(res, &w);
}

/* One readResult element: [2] id, [3] index, then [4] value or [5] error. */
static void
rpm_result(struct wr *w, const struct app_obj *o, uint32_t prop,
    uint32_t index, const struct app_err *force)
{
	struct app_err err;
	size_t mark;

	apdu_ctx_enum(w, 2, prop);
	if (index != APP_NO_INDEX)
		apdu_ctx_unsigned(w, 3, index);
	mark = w->len;
	if (force == NULL) {
		apdu_open(w, 4);
		if (app_obj_read(o, prop, index, w, &err) == 0) {
			apdu_close(w, 4);
			return;
		}
		if (!w->overflow)
			w->len = mark;
		force = &err;
	}
	apdu_open(w, 5);
	apdu_enc_enum(w, force->cls);
	apdu_enc_enum(w, force->code);
	apdu_close(w, 5);
}

/* Results for ALL, REQUIRED or OPTIONAL. */
static void
rpm_all(struct wr *w, const struct app_obj *o, uint32_t which)
{
	size_t i;

	for (i = 0; i < o->cls->nprops; i++) {
		const struct app_prop *p = &o->cls->props[i];

		if (which == APP_PROP_REQUIRED && !(p->flags & APP_P_REQ))
			continue;
		if (which == APP_PROP_OPTIONAL && (p->flags & APP_P_REQ))
			continue;
		if (!app_obj_has_prop(o, p->id, NULL))
			continue;
		rpm_result(w, o, p->id, APP_NO_INDEX, NULL);
	}
}

/* One ReadAccessSpecification in, one ReadAccessResult out. */
static enum codec_rc
rpm_spec(struct app *a, struct rd *r, struct wr *w)
{
	struct apdu_value oid;
	struct app_obj *o;
	struct app_err unknown = { APP_ERRC_OBJECT, APP_ERR_UNKNOWN_OBJECT };
	uint32_t prop, index;
	enum codec_rc rc;
	unsigned n = 0;

	rc = apdu_dec_ctx(r, 0, APDU_OBJID, &oid);
	if (rc != CODEC_OK)
		return rc == CODEC_UNSUPPORTED ? CODEC_MALFORMED : rc;
	if (apdu_take_open(r, 1) < 0)
		return r->left == 0 ? CODEC_SHORT : CODEC_MALFORMED;
	o = app_db_find(a->db, oid.v.oid.type, oid.v.oid.instance);
	if (o != NULL)
		apdu_ctx_objid(w, 0, o->cls->type, o->instance);
	else
		apdu_ctx_objid(w, 0, oid.v.oid.type, oid.v.oid.instance);
	apdu_open(w, 1);
	while (apdu_take_close(r, 1) < 0) {
		rc = take_ref(r, 0, NULL, &prop, &index);
		if (rc != CODEC_OK)
			return rc == CODEC_UNSUPPORTED ? CODEC_MALFORMED : rc;
		n++;
		if (o == NULL)
			rpm_result(w, NULL, prop, index, &unknown);
		else if ((prop == APP_PROP_ALL || prop == APP_PROP_REQUIRED ||
		    prop == APP_PROP_OPTIONAL) && index == APP_NO_INDEX)
			rpm_all(w, o, prop);
		else
			rpm_result(w, o, prop, index, NULL);
	}
	if (n == 0)
		return CODEC_SHORT;
	apdu_close(w, 1);
	return CODEC_OK;
}

static void
read_property_multiple(struct app *a, struct rd *r, struct app_result *res)
{
	struct wr w;
	enum codec_rc rc;

	if (r->left == 0) {
		res_reject(res, APP_REJ_MISSING_REQUIRED_PARAM);
		return;
	}
	wr_init(&w, a->resp, APP_RESP_MAX);
	while (r->left > 0) {
		rc = rpm_spec(a, r, &w);
		if (rc != CODEC_OK) {
			res_reject(res, reject_for(rc));
			return;
		}
	}
	res_complex(res, &w);
}

static void
write_property(struct app *a, struct rd *r, struct app_result *res)
{
	struct apdu_value oid, v;
	uint32_t prop, index;
	const uint8_t *val;
	size_t len;
	uint8_t prio = 0;
	struct app_obj *o;
	enum codec_rc rc;

	rc = take_ref(r, 0, &oid, &prop, &index);
	if (rc == CODEC_OK && apdu_take_open(r, 3) < 0)
		rc = r->left == 0 ? CODEC_SHORT : CODEC_MALFORMED;
	if (rc != CODEC_OK) {
		res_reject(res, reject_for(rc));
		return;
	}
	val = r->p;
	while (!apdu_is_close(r, 3)) {
		rc = apdu_skip(r);
		if (rc != CODEC_OK) {
			res_reject(res, reject_for(rc));
			return;
		}
	}
	len = (size_t)(r->p - val);
	(void)apdu_take_close(r, 3);
	rc = apdu_is_ctx(r, 4) ? apdu_dec_ctx(r, 4, APDU_UNSIGNED, &v) :
	    CODEC_UNSUPPORTED;
	if (rc == CODEC_OK) {
		if (v.v.u < 1 || v.v.u > 16) {
			res_reject(res, APP_REJ_PARAMETER_OUT_OF_RANGE);
			return;
		}
		prio = (uint8_t)v.v.u;
	} else if (rc != CODEC_UNSUPPORTED) {
		res_reject(res, reject_for(rc));
		return;
	}
	o = request_object(a, r, &oid, res);
	if (o == NULL)
		return;
	if (app_obj_write(o, prop, index, val, len, prio, &res->err) < 0) {
		res->out = OUT_ERROR;
		return;
	}
	res->out = OUT_SIMPLE;
}

/* ---- responses, segmentation -------------------------------------- */

static void
send_seg(struct app *a, struct app_seg *s, unsigned k)
{
	uint8_t buf[APP_APDU_MAX];
	struct apdu_hdr h;
	size_t off = (size_t)k * s->seg_size;
	size_t n = s->len - off < s->seg_size ? s->len - off : s->seg_size;
	struct wr w;

	memset(&h, 0, sizeof(h));
	h.pdu = APDU_COMPLEX_ACK;
	h.seg = true;
	h.more = k + 1 < s->nsegs;
	h.invoke_id = s->invoke_id;
	h.seq = (uint8_t)k;
	h.window = a->db->dev.window;
	h.service = s->service;
	wr_init(&w, buf, sizeof(buf));
	apdu_hdr_encode(&w, &h);
	wr_bytes(&w, s->data + off, n);
	if (wr_status(&w) < 0)
		return;
	a->st.segments_sent++;
	emit(a, &s->peer, buf, w.len, true);
}

/* Send the window starting at s->base. */
static void
fill_window(struct app *a, struct app_seg *s, uint64_t now)
{
	unsigned k;

	for (k = s->base; k < s->nsegs && k < s->base + s->window; k++)
		send_seg(a, s, k);
	s->next = k;
	s->deadline = now + (uint64_t)a->db->dev.segment_timeout_ms * 1000;
}

static void
seg_end(struct app_seg *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static struct app_seg *
seg_find(struct app *a, const struct app_addr *peer, uint8_t invoke_id)
{
	size_t i;

	for (i = 0; i < APP_SEG_SLOTS; i++)
		if (a->seg[i].used && a->seg[i].invoke_id == invoke_id &&
		    addr_eq(&a->seg[i].peer, peer))
			return &a->seg[i];
	return NULL;
}

/* Start a segmented Complex-ACK; return an Abort reason or 0. */
static uint8_t
seg_start(struct app *a, const struct app_addr *peer, const struct apdu_hdr *h,
    size_t len, size_t max_apdu, uint64_t now)
{
	struct app_seg *s = NULL;
	unsigned max_segs = apdu_max_segs_count(h->max_segs);
	size_t i, seg_size = max_apdu - 5;
	unsigned nsegs = (unsigned)((len + seg_size - 1) / seg_size);

	if (!h->sa || !a->db->dev.segmented_transmit)
		return APP_ABORT_SEGMENTATION_NOT_SUPP;
	if (max_segs != 0 && nsegs > max_segs)
		return APP_ABORT_BUFFER_OVERFLOW;
	for (i = 0; i < APP_SEG_SLOTS && s == NULL; i++)
		if (!a->seg[i].used)
			s = &a->seg[i];
	if (s == NULL)
		return APP_ABORT_OUT_OF_RESOURCES;
	s->data = malloc(len);
	if (s->data == NULL)
		return APP_ABORT_OUT_OF_RESOURCES;
	memcpy(s->data, a->resp, len);
	s->used = true;
	s->peer = *peer;
	s->invoke_id = h->invoke_id;
	s->service = h->service;
	s->len = len;
	s->seg_size = seg_size;
	s->nsegs = nsegs;
	s->base = 0;
	s->window = 1;		/* the first segment goes alone (5.4.5) */
	s->retries = 0;
	fill_window(a, s, now);
	return 0;
}

static void
segment_ack(struct app *a, const struct app_addr *src, const struct apdu_hdr *h,
    uint64_t now)
{
	struct app_seg *s = seg_find(a, src, h->invoke_id);
	unsigned k, lo;

	if (s == NULL || h->srv)
		return;
	if (h->window == 0 || h->window > 127) {
		uint8_t buf[3] = { 0x71, h->invoke_id,
			APP_ABORT_WINDOW_SIZE_OUT_OF_RANGE };

		a->st.aborts++;
		emit(a, src, buf, sizeof(buf), false);
		seg_end(s);
		return;
	}
	/* Which sent segment does the 8-bit sequence number acknowledge? */
	lo = s->base > 0 ? s->base - 1 : 0;
	for (k = s->next; k-- > lo;) {
		if ((uint8_t)k != h->seq)
			continue;
		if (k + 1 == s->nsegs && !h->nak) {
			seg_end(s);
			return;
		}
		s->base = k + 1;
		/* Actual window: at most the one we proposed (5.3). */
		s->window = h->window < a->db->dev.window ? h->window :
		    a->db->dev.window;
		s->retries = 0;
		fill_window(a, s, now);
		return;
	}
	/* Out of the window: a stale or duplicate ACK, ignored. */
}

static void
dup_store(struct app *a, const struct app_addr *src, uint8_t invoke_id,
    uint64_t hash, size_t req_len, const uint8_t *resp, size_t resp_len,
    uint64_t now)
{
	struct app_dup *d = &a->dup[0];
	const struct app_device *dev = &a->db->dev;
	size_t i;

	for (i = 0; i < APP_DUP_SLOTS; i++) {
		if (!a->dup[i].used) {
			d = &a->dup[i];
			break;
		}
		if (a->dup[i].expires < d->expires)
			d = &a->dup[i];
	}
	if (resp_len > sizeof(d->resp))
		resp_len = 0;
	d->used = true;
	d->src = *src;
	d->invoke_id = invoke_id;
	d->hash = hash;
	d->req_len = req_len;
	d->expires = now + (uint64_t)dev->apdu_timeout_ms * 1000 *
	    ((uint64_t)dev->apdu_retries + 1);
	if (resp_len > 0)
		memcpy(d->resp, resp, resp_len);
	d->resp_len = resp_len;
}

/* Return true (after re-sending the cached answer) for a duplicate. */
static bool
dup_check(struct app *a, const struct app_addr *src, uint8_t invoke_id,
    uint64_t hash, size_t req_len, uint64_t now)
{
	size_t i;

	if (seg_find(a, src, invoke_id) != NULL) {
		a->st.duplicates++;
		return true;
	}
	for (i = 0; i < APP_DUP_SLOTS; i++) {
		struct app_dup *d = &a->dup[i];

		if (!d->used || d->expires <= now || d->invoke_id != invoke_id ||
		    d->hash != hash || d->req_len != req_len ||
		    !addr_eq(&d->src, src))
			continue;
		a->st.duplicates++;
		if (d->resp_len > 0)
			emit(a, src, d->resp, d->resp_len, false);
		return true;
	}
	return false;
}

/* Encode and send the answer to a confirmed request; cache it. */
static void
respond(struct app *a, const struct app_addr *src, const struct apdu_hdr *h,
    struct app_result *res, uint64_t hash, size_t req_len, uint64_t now)
{
	uint8_t buf[APP_APDU_MAX];
	size_t max_apdu = apdu_max_apdu_octets(h->max_apdu);
	struct apdu_hdr o;
	struct wr w;
	uint8_t reason;

	if (max_apdu > a->db->dev.max_apdu)
		max_apdu = a->db->dev.max_apdu;
	if (res->out == OUT_COMPLEX && res->len + 3 > max_apdu) {
		reason = seg_start(a, src, h, res->len, max_apdu, now);
		if (reason == 0)
			return;
		res->out = OUT_ABORT;
		res->reason = reason;
	}
	memset(&o, 0, sizeof(o));
	o.invoke_id = h->invoke_id;
	o.service = h->service;
	wr_init(&w, buf, sizeof(buf));
	switch (res->out) {
	case OUT_SIMPLE:
		o.pdu = APDU_SIMPLE_ACK;
		apdu_hdr_encode(&w, &o);
		break;
	case OUT_COMPLEX:
		o.pdu = APDU_COMPLEX_ACK;
		apdu_hdr_encode(&w, &o);
		wr_bytes(&w, a->resp, res->len);
		break;
	case OUT_ERROR:
		a->st.errors++;
		o.pdu = APDU_ERROR;
		apdu_hdr_encode(&w, &o);
		apdu_enc_enum(&w, res->err.cls);
		apdu_enc_enum(&w, res->err.code);
		break;
	case OUT_REJECT:
		a->st.rejects++;
		o.pdu = APDU_REJECT;
		o.reason = res->reason;
		apdu_hdr_encode(&w, &o);
		break;
	case OUT_ABORT:
		a->st.aborts++;
		o.pdu = APDU_ABORT;
		o.srv = true;
		o.reason = res->reason;
		apdu_hdr_encode(&w, &o);
		break;
	}
	if (wr_status(&w) < 0)
		return;
	emit(a, src, buf, w.len, false);
	dup_store(a, src, h->invoke_id, hash, req_len, buf, w.len, now);
}

static void
confirmed(struct app *a, const struct app_addr *src, const struct apdu_hdr *h,
    const uint8_t *apdu, size_t len, uint64_t now)
{
	struct app_result res;
	uint64_t hash = app_fnv1a(APP_FNV1A_INIT, apdu, len);
	struct rd r;

	if (dup_check(a, src, h->invoke_id, hash, len, now))
		return;
	memset(&res, 0, sizeof(res));
	if (h->seg) {
		res.out = OUT_ABORT;
		res.reason = APP_ABORT_SEGMENTATION_NOT_SUPP;
		respond(a, src, h, &res, hash, len, now);
		return;
	}
	rd_init(&r, h->body, h->body_len);
	switch (h->service) {
	case APP_SVC_READ_PROPERTY:
		read_property(a, &r, &res);
		break;
	case APP_SVC_READ_PROP_MULTIPLE:
		read_property_multiple(a, &r, &res);
		break;
	case APP_SVC_WRITE_PROPERTY:
		write_property(a, &r, &res);
		break;
	default:
		res_reject(&res, APP_REJ_UNRECOGNIZED_SERVICE);
		break;
	}
	respond(a, src, h, &res, hash, len, now);
}

void
app_receive(struct app *a, const struct app_addr *src, const uint8_t *apdu,
    size_t len, uint64_t now_us)
{
	struct apdu_hdr h;
	struct app_seg *s;
	struct rd r;

	a->st.rx++;
	if (src->net == APP_NET_GLOBAL || src->mac_len > APP_MAC_MAX)
		return;
	if (apdu_hdr_decode(apdu, len, &h) != CODEC_OK)
		return;
	switch (h.pdu) {
	case APDU_CONFIRMED:
		if (src->mac_len == 0)
			return;		/* no unicast address to answer */
		confirmed(a, src, &h, apdu, len, now_us);
		break;
	case APDU_UNCONFIRMED:
		rd_init(&r, h.body, h.body_len);
		if (h.service == APP_SVC_WHO_IS)
			who_is(a, src, &r, now_us);
		else if (h.service == APP_SVC_WHO_HAS)
			who_has(a, src, &r, now_us);
		break;
	case APDU_SEGMENT_ACK:
		segment_ack(a, src, &h, now_us);
		break;
	case APDU_ABORT:
		s = seg_find(a, src, h.invoke_id);
		if (s != NULL && !h.srv)
			seg_end(s);
		break;
	case APDU_SIMPLE_ACK:
	case APDU_COMPLEX_ACK:
	case APDU_ERROR:
	case APDU_REJECT:
		/* We issue no confirmed requests: nothing to match. */
		break;
	}
}

void
app_tick(struct app *a, uint64_t now_us)
{
	size_t i;

	for (i = 0; i < APP_SEG_SLOTS; i++) {
		struct app_seg *s = &a->seg[i];

		if (!s->used || s->deadline > now_us)
			continue;
		if (s->retries >= a->db->dev.apdu_retries) {
			a->st.seg_timeouts++;
			seg_end(s);
			continue;
		}
		s->retries++;
		a->st.segment_retries++;
		fill_window(a, s, now_us);
	}
	for (i = 0; i < APP_DUP_SLOTS; i++)
		if (a->dup[i].used && a->dup[i].expires <= now_us)
			a->dup[i].used = false;
}

uint64_t
app_next_deadline(const struct app *a)
{
	uint64_t t = UINT64_MAX;
	size_t i;

	for (i = 0; i < APP_SEG_SLOTS; i++)
		if (a->seg[i].used && a->seg[i].deadline < t)
			t = a->seg[i].deadline;
	for (i = 0; i < APP_DUP_SLOTS; i++)
		if (a->dup[i].used && a->dup[i].expires < t)
			t = a->dup[i].expires;
	return t;
}
