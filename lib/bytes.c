#include "config.h"

#include <string.h>

#include "lib/bytes.h"
#include "lib/codec.h"

const char *
codec_rc_name(enum codec_rc rc)
{
	switch (rc) {
	case CODEC_OK:
		return "ok";
	case CODEC_SHORT:
		return "short";
	case CODEC_MALFORMED:
		return "malformed";
	case CODEC_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}

void
rd_init(struct rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->left = buf != NULL ? len : 0;
}

int
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->left--;
	return 0;
}

int
rd_u16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return -1;
	*v = be16_load(r->p);
	r->p += 2;
	r->left -= 2;
	return 0;
}

int
rd_u24(struct rd *r, uint32_t *v)
{
	if (r->left < 3)
		return -1;
	*v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->left -= 3;
	return 0;
}

int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

int
rd_bytes(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return -1;
	if (n > 0)
		memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

int
rd_view(struct rd *r, const uint8_t **out, size_t n)
{
	if (r->left < n)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

int
rd_skip(struct rd *r, size_t n)
{
	if (r->left < n)
		return -1;
	r->p += n;
	r->left -= n;
	return 0;
}

size_t
rd_offset(const struct rd *r, const void *start)
{
	return (size_t)(r->p - (const uint8_t *)start);
}

void
wr_init(struct wr *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf != NULL ? cap : 0;
	w->len = 0;
	w->overflow = false;
}

uint8_t *
wr_reserve(struct wr *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void
wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *p = wr_reserve(w, 1);

	if (p != NULL)
		p[0] = v;
}

void
wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *p = wr_reserve(w, 2);

	if (p != NULL)
		be16_store(p, v);
}

void
wr_u24(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 3);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 16);
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)v;
	}
}

void
wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void
wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_reserve(w, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

int
wr_status(const struct wr *w)
{
	return w->overflow ? -1 : 0;
}
