/*
 * Bounded byte reader and sticky-overflow byte writer.
 *
 * Every multi-octet integer in BACnet is big-endian.  A reader never reads
 * past its end: each rd_* call either consumes the whole field and returns
 * 0, or consumes nothing and returns -1.  A writer never writes past its
 * capacity: the first write that does not fit sets the sticky overflow flag
 * and every later write is ignored, so an encoder checks once at the end.
 */
#ifndef LIB_BYTES_H
#define LIB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t	*p;	/* borrows: next unread octet */
	size_t		 left;	/* octets left */
};

struct wr {
	uint8_t		*buf;	/* borrows: the output buffer */
	size_t		 cap;
	size_t		 len;
	bool		 overflow;
};

/* Start reading len octets at buf (borrows buf). */
void rd_init(struct rd *r, const void *buf, size_t len);
int rd_u8(struct rd *r, uint8_t *v);
int rd_u16(struct rd *r, uint16_t *v);
int rd_u24(struct rd *r, uint32_t *v);
int rd_u32(struct rd *r, uint32_t *v);
/* Copy n octets into out. */
int rd_bytes(struct rd *r, void *out, size_t n);
/* Point *out at the next n octets (a borrowed view) and consume them. */
int rd_view(struct rd *r, const uint8_t **out, size_t n);
/* Skip n octets. */
int rd_skip(struct rd *r, size_t n);
/* Octets consumed so far, given the start the reader was made from. */
size_t rd_offset(const struct rd *r, const void *start);

/* Start writing into buf of cap octets (borrows buf). */
void wr_init(struct wr *w, void *buf, size_t cap);
void wr_u8(struct wr *w, uint8_t v);
void wr_u16(struct wr *w, uint16_t v);
void wr_u24(struct wr *w, uint32_t v);
void wr_u32(struct wr *w, uint32_t v);
void wr_bytes(struct wr *w, const void *src, size_t n);
/*
 * Reserve n octets and return a pointer to them so a length can be patched
 * in later; return NULL (and set overflow) if they do not fit.
 */
uint8_t *wr_reserve(struct wr *w, size_t n);
/* Return 0 if nothing overflowed, -1 otherwise. */
int wr_status(const struct wr *w);

/* Load/store helpers for code that already checked the bounds. */
static inline uint16_t
be16_load(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline void
be16_store(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
