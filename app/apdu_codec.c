/* BACnet application layer codec: tags, primitives, APDU headers. */
#include "config.h"

#include <string.h>

#include "app/apdu_codec.h"

#define APDU_SKIP_DEPTH	16	/* deepest constructed nesting we skip */

/* ---- tags ---------------------------------------------------------- */

enum codec_rc
apdu_tag_peek(const struct rd *r, struct apdu_tag *out)
{
	struct rd c = *r;

	return apdu_tag_decode(&c, out);
}

enum codec_rc
apdu_tag_decode(struct rd *r, struct apdu_tag *out)
{
	struct rd c = *r;
	struct apdu_tag t;
	uint8_t b, n;
	uint16_t v16;
	uint32_t v32;

	if (rd_u8(&c, &b) < 0)
		return CODEC_SHORT;
	t.number = b >> 4;
	t.context = (b & 0x08) != 0;
	t.kind = APDU_TAG_PRIM;
	t.lvt = b & 0x07;
	if (t.number == 15) {
		if (rd_u8(&c, &n) < 0)
			return CODEC_SHORT;
		if (n < 15 || n == 255)
			return CODEC_MALFORMED;
		t.number = n;
	}
	if (t.context && t.lvt == 6) {
		t.kind = APDU_TAG_OPEN;
		t.lvt = 0;
	} else if (t.context && t.lvt == 7) {
		t.kind = APDU_TAG_CLOSE;
		t.lvt = 0;
	} else if (t.lvt == 5 && !(!t.context && t.number == APDU_BOOLEAN)) {
		if (rd_u8(&c, &n) < 0)
			return CODEC_SHORT;
		if (n == 254) {
			if (rd_u16(&c, &v16) < 0)
				return CODEC_SHORT;
			t.lvt = v16;
		} else if (n == 255) {
			if (rd_u32(&c, &v32) < 0)
				return CODEC_SHORT;
			t.lvt = v32;
		} else {
			t.lvt = n;
		}
	}
	*r = c;
	*out = t;
	return CODEC_OK;
}

void
apdu_tag_encode(struct wr *w, uint8_t number, bool context, uint32_t len)
{
	uint8_t b = context ? 0x08 : 0x00;

	b |= (uint8_t)(number <= 14 ? number << 4 : 0xF0);
	b |= (uint8_t)(len <= 4 ? len : 5);
	wr_u8(w, b);
	if (number > 14)
		wr_u8(w, number);
	if (len <= 4)
		return;
	if (len < 254) {
		wr_u8(w, (uint8_t)len);
	} else if (len <= 0xFFFF) {
		wr_u8(w, 254);
		wr_u16(w, (uint16_t)len);
	} else {
		wr_u8(w, 255);
		wr_u32(w, len);
	}
}

static void
put_ctag(struct wr *w, uint8_t tag, uint8_t lvt)
{
	if (tag <= 14) {
		wr_u8(w, (uint8_t)(tag << 4 | 0x08 | lvt));
	} else {
		wr_u8(w, (uint8_t)(0xF8 | lvt));
		wr_u8(w, tag);
	}
}

void
apdu_open(struct wr *w, uint8_t tag)
{
	put_ctag(w, tag, 6);
}

void
apdu_close(struct wr *w, uint8_t tag)
{
	put_ctag(w, tag, 7);
}

static bool
next_is(const struct rd *r, uint8_t tag, enum apdu_tag_kind kind)
{
	struct apdu_tag t;

	if (apdu_tag_peek(r, &t) != CODEC_OK)
		return false;
	return t.context && t.number == tag && t.kind == kind;
}

bool
apdu_is_ctx(const struct rd *r, uint8_t tag)
{
	return next_is(r, tag, APDU_TAG_PRIM);
}

bool
apdu_is_open(const struct rd *r, uint8_t tag)
{
	return next_is(r, tag, APDU_TAG_OPEN);
}

bool
apdu_is_close(const struct rd *r, uint8_t tag)
{
	return next_is(r, tag, APDU_TAG_CLOSE);
}

static int
take(struct rd *r, uint8_t tag, enum apdu_tag_kind kind)
{
	struct apdu_tag t;

	if (!next_is(r, tag, kind))
		return -1;
	return apdu_tag_decode(r, &t) == CODEC_OK ? 0 : -1;
}

int
apdu_take_open(struct rd *r, uint8_t tag)
{
	return take(r, tag, APDU_TAG_OPEN);
}

int
apdu_take_close(struct rd *r, uint8_t tag)
{
	return take(r, tag, APDU_TAG_CLOSE);
}

enum codec_rc
apdu_skip(struct rd *r)
{
	struct rd c = *r;
	uint8_t open[APDU_SKIP_DEPTH];
	size_t depth = 0;
	struct apdu_tag t;
	enum codec_rc rc;

	do {
		rc = apdu_tag_decode(&c, &t);
		if (rc != CODEC_OK)
			return rc;
		switch (t.kind) {
		case APDU_TAG_PRIM:
			if (!t.context && t.number == APDU_BOOLEAN)
				break;
			if (rd_skip(&c, t.lvt) < 0)
				return CODEC_SHORT;
			break;
		case APDU_TAG_OPEN:
			if (depth == APDU_SKIP_DEPTH)
				return CODEC_MALFORMED;
			open[depth++] = t.number;
			break;
		case APDU_TAG_CLOSE:
			if (depth == 0 || open[depth - 1] != t.number)
				return CODEC_MALFORMED;
			depth--;
			break;
		}
	} while (depth > 0);
	*r = c;
	return CODEC_OK;
}

/* ---- primitive content -------------------------------------------- */

/* Minimal big-endian octets of v into buf (1..8); return the count. */
static size_t
be_min_unsigned(uint64_t v, uint8_t *buf)
{
	size_t n = 1, i;

	while (n < 8 && (v >> (8 * n)) != 0)
		n++;
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

static size_t
be_min_signed(int64_t v, uint8_t *buf)
{
	uint64_t u = (uint64_t)v;
	size_t n = 1, i;

	while (n < 8) {
		int64_t lo = -((int64_t)1 << (8 * n - 1));
		int64_t hi = ((int64_t)1 << (8 * n - 1)) - 1;

		if (v >= lo && v <= hi)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(u >> (8 * (n - 1 - i)));
	return n;
}

static void
put_prim(struct wr *w, int tag, enum apdu_atag type, const void *p, size_t n)
{
	if (tag < 0)
		apdu_tag_encode(w, (uint8_t)type, false, (uint32_t)n);
	else
		apdu_tag_encode(w, (uint8_t)tag, true, (uint32_t)n);
	wr_bytes(w, p, n);
}

static void
enc_unsigned(struct wr *w, int tag, enum apdu_atag type, uint64_t v)
{
	uint8_t b[8];
	size_t n = be_min_unsigned(v, b);

	put_prim(w, tag, type, b, n);
}

static void
enc_signed(struct wr *w, int tag, int64_t v)
{
	uint8_t b[8];
	size_t n = be_min_signed(v, b);

	put_prim(w, tag, APDU_SIGNED, b, n);
}

static void
enc_real(struct wr *w, int tag, float v)
{
	uint32_t u;
	uint8_t b[4];

	memcpy(&u, &v, sizeof(u));
	b[0] = (uint8_t)(u >> 24);
	b[1] = (uint8_t)(u >> 16);
	b[2] = (uint8_t)(u >> 8);
	b[3] = (uint8_t)u;
	put_prim(w, tag, APDU_REAL, b, 4);
}

static void
enc_double(struct wr *w, int tag, double v)
{
	uint64_t u;
	uint8_t b[8];
	size_t i;

	memcpy(&u, &v, sizeof(u));
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(u >> (56 - 8 * i));
	put_prim(w, tag, APDU_DOUBLE, b, 8);
}

static void
enc_string(struct wr *w, int tag, const char *s, size_t n)
{
	if (tag < 0)
		apdu_tag_encode(w, APDU_STRING, false, (uint32_t)(n + 1));
	else
		apdu_tag_encode(w, (uint8_t)tag, true, (uint32_t)(n + 1));
	wr_u8(w, APDU_CHARSET_UTF8);
	wr_bytes(w, s, n);
}

static void
enc_bits(struct wr *w, int tag, const uint8_t *bits, size_t nbits)
{
	size_t nbytes = (nbits + 7) / 8, i;
	uint8_t unused = (uint8_t)(nbytes * 8 - nbits);

	if (tag < 0)
		apdu_tag_encode(w, APDU_BITS, false, (uint32_t)(nbytes + 1));
	else
		apdu_tag_encode(w, (uint8_t)tag, true, (uint32_t)(nbytes + 1));
	wr_u8(w, unused);
	for (i = 0; i < nbytes; i++) {
		uint8_t b = bits[i];

		if (i == nbytes - 1 && unused > 0)
			b &= (uint8_t)(0xFF << unused);
		wr_u8(w, b);
	}
}

static void
enc_date(struct wr *w, int tag, const struct apdu_date *d)
{
	uint8_t b[4];

	b[0] = d->year == 0xFFFF || d->year < 1900 || d->year > 2154 ?
	    0xFF : (uint8_t)(d->year - 1900);
	b[1] = d->month;
	b[2] = d->day;
	b[3] = d->wday;
	put_prim(w, tag, APDU_DATE, b, 4);
}

static void
enc_time(struct wr *w, int tag, const struct apdu_time *t)
{
	uint8_t b[4] = { t->hour, t->min, t->sec, t->hundredths };

	put_prim(w, tag, APDU_TIME, b, 4);
}

static void
enc_objid(struct wr *w, int tag, uint16_t type, uint32_t inst)
{
	uint32_t v = (uint32_t)(type & 0x3FF) << 22 | (inst & APDU_INSTANCE_MAX);
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };

	put_prim(w, tag, APDU_OBJID, b, 4);
}

/* ---- application-tagged encoders ---------------------------------- */

void
apdu_enc_null(struct wr *w)
{
	wr_u8(w, 0x00);
}

void
apdu_enc_bool(struct wr *w, bool v)
{
	wr_u8(w, v ? 0x11 : 0x10);
}

void
apdu_enc_unsigned(struct wr *w, uint64_t v)
{
	enc_unsigned(w, -1, APDU_UNSIGNED, v);
}

void
apdu_enc_signed(struct wr *w, int64_t v)
{
	enc_signed(w, -1, v);
}

void
apdu_enc_real(struct wr *w, float v)
{
	enc_real(w, -1, v);
}

void
apdu_enc_double(struct wr *w, double v)
{
	enc_double(w, -1, v);
}

void
apdu_enc_octets(struct wr *w, const void *p, size_t n)
{
	put_prim(w, -1, APDU_OCTETS, p, n);
}

void
apdu_enc_string(struct wr *w, const char *s, size_t n)
{
	enc_string(w, -1, s, n);
}

void
apdu_enc_cstr(struct wr *w, const char *s)
{
	enc_string(w, -1, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

void
apdu_enc_bits(struct wr *w, const uint8_t *bits, size_t nbits)
{
	enc_bits(w, -1, bits, nbits);
}

void
apdu_enc_enum(struct wr *w, uint32_t v)
{
	enc_unsigned(w, -1, APDU_ENUM, v);
}

void
apdu_enc_date(struct wr *w, const struct apdu_date *d)
{
	enc_date(w, -1, d);
}

void
apdu_enc_time(struct wr *w, const struct apdu_time *t)
{
	enc_time(w, -1, t);
}

void
apdu_enc_objid(struct wr *w, uint16_t type, uint32_t instance)
{
	enc_objid(w, -1, type, instance);
}

/* ---- context-tagged encoders -------------------------------------- */

void
apdu_ctx_null(struct wr *w, uint8_t tag)
{
	put_prim(w, tag, APDU_NULL, NULL, 0);
}

void
apdu_ctx_bool(struct wr *w, uint8_t tag, bool v)
{
	uint8_t b = v ? 1 : 0;

	put_prim(w, tag, APDU_BOOLEAN, &b, 1);
}

void
apdu_ctx_unsigned(struct wr *w, uint8_t tag, uint64_t v)
{
	enc_unsigned(w, tag, APDU_UNSIGNED, v);
}

void
apdu_ctx_signed(struct wr *w, uint8_t tag, int64_t v)
{
	enc_signed(w, tag, v);
}

void
apdu_ctx_real(struct wr *w, uint8_t tag, float v)
{
	enc_real(w, tag, v);
}

void
apdu_ctx_double(struct wr *w, uint8_t tag, double v)
{
	enc_double(w, tag, v);
}

void
apdu_ctx_octets(struct wr *w, uint8_t tag, const void *p, size_t n)
{
	put_prim(w, tag, APDU_OCTETS, p, n);
}

void
apdu_ctx_string(struct wr *w, uint8_t tag, const char *s, size_t n)
{
	enc_string(w, tag, s, n);
}

void
apdu_ctx_cstr(struct wr *w, uint8_t tag, const char *s)
{
	enc_string(w, tag, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

void
apdu_ctx_bits(struct wr *w, uint8_t tag, const uint8_t *bits, size_t nbits)
{
	enc_bits(w, tag, bits, nbits);
}

void
apdu_ctx_enum(struct wr *w, uint8_t tag, uint32_t v)
{
	enc_unsigned(w, tag, APDU_ENUM, v);
}

void
apdu_ctx_date(struct wr *w, uint8_t tag, const struct apdu_date *d)
{
	enc_date(w, tag, d);
}

void
apdu_ctx_time(struct wr *w, uint8_t tag, const struct apdu_time *t)
{
	enc_time(w, tag, t);
}

void
apdu_ctx_objid(struct wr *w, uint8_t tag, uint16_t type, uint32_t instance)
{
	enc_objid(w, tag, type, instance);
}

/* ---- decoders ------------------------------------------------------ */

static uint64_t
be_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static enum codec_rc
dec_bits(const uint8_t *p, size_t len, struct apdu_value *out)
{
	size_t nbytes;

	if (len < 1 || p[0] > 7 || (len == 1 && p[0] != 0))
		return CODEC_MALFORMED;
	nbytes = len - 1;
	if (nbytes > sizeof(out->v.bits.bits))
		return CODEC_UNSUPPORTED;
	memset(out->v.bits.bits, 0, sizeof(out->v.bits.bits));
	if (nbytes > 0)
		memcpy(out->v.bits.bits, p + 1, nbytes);
	out->v.bits.nbits = nbytes * 8 - p[0];
	return CODEC_OK;
}

enum codec_rc
apdu_dec_content(const uint8_t *p, size_t len, enum apdu_atag type,
    bool context, uint32_t lvt, struct apdu_value *out)
{
	uint64_t u;
	uint32_t u32;

	out->type = type;
	switch (type) {
	case APDU_NULL:
		return len == 0 ? CODEC_OK : CODEC_MALFORMED;
	case APDU_BOOLEAN:
		if (!context) {
			if (lvt > 1)
				return CODEC_MALFORMED;
			out->v.b = lvt == 1;
			return CODEC_OK;
		}
		if (len != 1 || p[0] > 1)
			return CODEC_MALFORMED;
		out->v.b = p[0] == 1;
		return CODEC_OK;
	case APDU_UNSIGNED:
		if (len < 1 || len > 8)
			return len < 1 ? CODEC_MALFORMED : CODEC_UNSUPPORTED;
		out->v.u = be_load(p, len);
		return CODEC_OK;
	case APDU_SIGNED:
		if (len < 1 || len > 8)
			return len < 1 ? CODEC_MALFORMED : CODEC_UNSUPPORTED;
		u = be_load(p, len);
		if (len < 8 && (p[0] & 0x80))
			u |= ~(uint64_t)0 << (8 * len);
		out->v.s = (int64_t)u;
		return CODEC_OK;
	case APDU_REAL:
		if (len != 4)
			return CODEC_MALFORMED;
		u32 = (uint32_t)be_load(p, 4);
		memcpy(&out->v.r, &u32, 4);
		return CODEC_OK;
	case APDU_DOUBLE:
		if (len != 8)
			return CODEC_MALFORMED;
		u = be_load(p, 8);
		memcpy(&out->v.d, &u, 8);
		return CODEC_OK;
	case APDU_OCTETS:
		out->v.octets.p = p;
		out->v.octets.n = len;
		return CODEC_OK;
	case APDU_STRING:
		if (len < 1)
			return CODEC_MALFORMED;
		out->v.str.charset = p[0];
		out->v.str.p = p + 1;
		out->v.str.n = len - 1;
		return CODEC_OK;
	case APDU_BITS:
		return dec_bits(p, len, out);
	case APDU_ENUM:
		if (len < 1 || len > 4)
			return len < 1 ? CODEC_MALFORMED : CODEC_UNSUPPORTED;
		out->v.e = (uint32_t)be_load(p, len);
		return CODEC_OK;
	case APDU_DATE:
		if (len != 4)
			return CODEC_MALFORMED;
		out->v.date.year = p[0] == 0xFF ? 0xFFFF : (uint16_t)(1900 + p[0]);
		out->v.date.month = p[1];
		out->v.date.day = p[2];
		out->v.date.wday = p[3];
		return CODEC_OK;
	case APDU_TIME:
		if (len != 4)
			return CODEC_MALFORMED;
		out->v.time.hour = p[0];
		out->v.time.min = p[1];
		out->v.time.sec = p[2];
		out->v.time.hundredths = p[3];
		return CODEC_OK;
	case APDU_OBJID:
		if (len != 4)
			return CODEC_MALFORMED;
		u32 = (uint32_t)be_load(p, 4);
		out->v.oid.type = (uint16_t)(u32 >> 22);
		out->v.oid.instance = u32 & APDU_INSTANCE_MAX;
		return CODEC_OK;
	}
	return CODEC_MALFORMED;
}

enum codec_rc
apdu_dec_app(struct rd *r, struct apdu_value *out)
{
	struct rd c = *r;
	struct apdu_tag t;
	const uint8_t *p = NULL;
	size_t len = 0;
	enum codec_rc rc;
	struct apdu_value v;

	rc = apdu_tag_decode(&c, &t);
	if (rc != CODEC_OK)
		return rc;
	if (t.context || t.kind != APDU_TAG_PRIM)
		return CODEC_MALFORMED;
	if (t.number > APDU_OBJID)
		return CODEC_UNSUPPORTED;
	if (t.number != APDU_BOOLEAN) {
		len = t.lvt;
		if (rd_view(&c, &p, len) < 0)
			return CODEC_SHORT;
	}
	rc = apdu_dec_content(p, len, (enum apdu_atag)t.number, false, t.lvt,
	    &v);
	if (rc != CODEC_OK)
		return rc;
	*r = c;
	*out = v;
	return CODEC_OK;
}

enum codec_rc
apdu_dec_ctx(struct rd *r, uint8_t tag, enum apdu_atag type,
    struct apdu_value *out)
{
	struct rd c = *r;
	struct apdu_tag t;
	const uint8_t *p;
	enum codec_rc rc;
	struct apdu_value v;

	rc = apdu_tag_decode(&c, &t);
	if (rc != CODEC_OK)
		return rc;
	if (!t.context || t.kind != APDU_TAG_PRIM || t.number != tag)
		return CODEC_UNSUPPORTED;
	if (rd_view(&c, &p, t.lvt) < 0)
		return CODEC_SHORT;
	rc = apdu_dec_content(p, t.lvt, type, true, t.lvt, &v);
	if (rc != CODEC_OK)
		return rc == CODEC_UNSUPPORTED ? CODEC_MALFORMED : rc;
	*r = c;
	*out = v;
	return CODEC_OK;
}

/* ---- APDU headers -------------------------------------------------- */

/*
 * The tail both segmentable PDUs share (Confirmed-Request, Complex-ACK):
 * sequence number and window size when segmented, then the service.
 */
static int
seg_service_decode(struct rd *r, struct apdu_hdr *h)
{
	if (h->seg && (rd_u8(r, &h->seq) < 0 || rd_u8(r, &h->window) < 0))
		return -1;
	return rd_u8(r, &h->service);
}

static void
seg_service_encode(struct wr *w, const struct apdu_hdr *h)
{
	if (h->seg) {
		wr_u8(w, h->seq);
		wr_u8(w, h->window);
	}
	wr_u8(w, h->service);
}

enum codec_rc
apdu_hdr_decode(const uint8_t *buf, size_t len, struct apdu_hdr *out)
{
	struct rd r;
	struct apdu_hdr h;
	uint8_t b0, b1;

	memset(&h, 0, sizeof(h));
	rd_init(&r, buf, len);
	if (rd_u8(&r, &b0) < 0)
		return CODEC_SHORT;
	h.pdu = (enum apdu_pdu)(b0 >> 4);
	switch (b0 >> 4) {
	case APDU_CONFIRMED:
		h.seg = (b0 & 0x08) != 0;
		h.more = (b0 & 0x04) != 0;
		h.sa = (b0 & 0x02) != 0;
		if (rd_u8(&r, &b1) < 0 || rd_u8(&r, &h.invoke_id) < 0)
			return CODEC_SHORT;
		h.max_segs = (b1 >> 4) & 0x07;
		h.max_apdu = b1 & 0x0F;
		if (seg_service_decode(&r, &h) < 0)
			return CODEC_SHORT;
		break;
	case APDU_UNCONFIRMED:
		if (rd_u8(&r, &h.service) < 0)
			return CODEC_SHORT;
		break;
	case APDU_SIMPLE_ACK:
		if (rd_u8(&r, &h.invoke_id) < 0 || rd_u8(&r, &h.service) < 0)
			return CODEC_SHORT;
		break;
	case APDU_COMPLEX_ACK:
		h.seg = (b0 & 0x08) != 0;
		h.more = (b0 & 0x04) != 0;
		if (rd_u8(&r, &h.invoke_id) < 0 ||
		    seg_service_decode(&r, &h) < 0)
			return CODEC_SHORT;
		break;
	case APDU_SEGMENT_ACK:
		h.nak = (b0 & 0x02) != 0;
		h.srv = (b0 & 0x01) != 0;
		if (rd_u8(&r, &h.invoke_id) < 0 || rd_u8(&r, &h.seq) < 0 ||
		    rd_u8(&r, &h.window) < 0)
			return CODEC_SHORT;
		break;
	case APDU_ERROR:
		if (rd_u8(&r, &h.invoke_id) < 0 || rd_u8(&r, &h.service) < 0)
			return CODEC_SHORT;
		break;
	case APDU_REJECT:
		if (rd_u8(&r, &h.invoke_id) < 0 || rd_u8(&r, &h.reason) < 0)
			return CODEC_SHORT;
		break;
	case APDU_ABORT:
		h.srv = (b0 & 0x01) != 0;
		if (rd_u8(&r, &h.invoke_id) < 0 || rd_u8(&r, &h.reason) < 0)
			return CODEC_SHORT;
		break;
	default:
		return CODEC_UNSUPPORTED;
	}
	h.body = r.p;
	h.body_len = r.left;
	*out = h;
	return CODEC_OK;
}

void
apdu_hdr_encode(struct wr *w, const struct apdu_hdr *h)
{
	uint8_t b0 = (uint8_t)(h->pdu << 4);

	switch (h->pdu) {
	case APDU_CONFIRMED:
		b0 |= (uint8_t)((h->seg ? 0x08 : 0) | (h->more ? 0x04 : 0) |
		    (h->sa ? 0x02 : 0));
		wr_u8(w, b0);
		wr_u8(w, (uint8_t)((h->max_segs & 0x07) << 4 |
		    (h->max_apdu & 0x0F)));
		wr_u8(w, h->invoke_id);
		seg_service_encode(w, h);
		break;
	case APDU_UNCONFIRMED:
		wr_u8(w, b0);
		wr_u8(w, h->service);
		break;
	case APDU_SIMPLE_ACK:
	case APDU_ERROR:
		wr_u8(w, b0);
		wr_u8(w, h->invoke_id);
		wr_u8(w, h->service);
		break;
	case APDU_COMPLEX_ACK:
		b0 |= (uint8_t)((h->seg ? 0x08 : 0) | (h->more ? 0x04 : 0));
		wr_u8(w, b0);
		wr_u8(w, h->invoke_id);
		seg_service_encode(w, h);
		break;
	case APDU_SEGMENT_ACK:
		b0 |= (uint8_t)((h->nak ? 0x02 : 0) | (h->srv ? 0x01 : 0));
		wr_u8(w, b0);
		wr_u8(w, h->invoke_id);
		wr_u8(w, h->seq);
		wr_u8(w, h->window);
		break;
	case APDU_REJECT:
		wr_u8(w, b0);
		wr_u8(w, h->invoke_id);
		wr_u8(w, h->reason);
		break;
	case APDU_ABORT:
		b0 |= (uint8_t)(h->srv ? 0x01 : 0);
		wr_u8(w, b0);
		wr_u8(w, h->invoke_id);
		wr_u8(w, h->reason);
		break;
	}
}

size_t
apdu_hdr_len(const struct apdu_hdr *h)
{
	switch (h->pdu) {
	case APDU_CONFIRMED:
		return h->seg ? 6 : 4;
	case APDU_UNCONFIRMED:
		return 2;
	case APDU_SIMPLE_ACK:
	case APDU_ERROR:
	case APDU_REJECT:
	case APDU_ABORT:
		return 3;
	case APDU_COMPLEX_ACK:
		return h->seg ? 5 : 3;
	case APDU_SEGMENT_ACK:
		return 4;
	}
	return 0;
}

static const unsigned max_apdu_tab[] = { 50, 128, 206, 480, 1024, 1476 };

unsigned
apdu_max_apdu_octets(uint8_t code)
{
	if (code < sizeof(max_apdu_tab) / sizeof(max_apdu_tab[0]))
		return max_apdu_tab[code];
	return 50;
}

uint8_t
apdu_max_apdu_code(unsigned octets)
{
	uint8_t c = 0;
	size_t i;

	for (i = 0; i < sizeof(max_apdu_tab) / sizeof(max_apdu_tab[0]); i++)
		if (max_apdu_tab[i] <= octets)
			c = (uint8_t)i;
	return c;
}

unsigned
apdu_max_segs_count(uint8_t code)
{
	if (code == 0 || code >= 7)
		return 0;
	return 1u << code;
}
