/*
 * BACnet application layer codec (ASHRAE 135 clause 20): application and
 * context tags of the primitive datatypes, constructed opening/closing
 * tags, and the eight APDU headers.  Pure: no I/O, no logging, no clock.
 *
 * Encoders write into a struct wr (sticky overflow: check wr_status() once
 * at the end).  Decoders read from a struct rd and either consume the whole
 * element and return CODEC_OK, or consume nothing and return CODEC_SHORT
 * (the data ends inside the element) or CODEC_MALFORMED.  Decoded strings
 * and octet strings borrow from the input buffer.
 */
#ifndef APP_APDU_CODEC_H
#define APP_APDU_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "lib/codec.h"

/* Application tag numbers (20.2.1.4). */
enum apdu_atag {
	APDU_NULL = 0,
	APDU_BOOLEAN = 1,
	APDU_UNSIGNED = 2,
	APDU_SIGNED = 3,
	APDU_REAL = 4,
	APDU_DOUBLE = 5,
	APDU_OCTETS = 6,
	APDU_STRING = 7,
	APDU_BITS = 8,
	APDU_ENUM = 9,
	APDU_DATE = 10,
	APDU_TIME = 11,
	APDU_OBJID = 12,
};

#define APDU_CHARSET_UTF8	0	/* ISO 10646 (UTF-8) */
#define APDU_BITS_MAX		128	/* longest bit string we decode */
#define APDU_INSTANCE_MAX	0x3FFFFFu	/* 22-bit instance; wildcard */

/* One tag as read from the wire. */
enum apdu_tag_kind {
	APDU_TAG_PRIM,		/* primitive: lvt octets of content follow */
	APDU_TAG_OPEN,		/* context opening tag */
	APDU_TAG_CLOSE,		/* context closing tag */
};

struct apdu_tag {
	uint8_t			 number;
	bool			 context;
	enum apdu_tag_kind	 kind;
	uint32_t		 lvt;	/* content length; value of app Boolean */
};

/* Date: year is the full year (1900..2154) or 0xFFFF unspecified; other
 * fields 0xFF when unspecified.  wday 1 = Monday .. 7 = Sunday. */
struct apdu_date {
	uint16_t	year;
	uint8_t		month, day, wday;
};

struct apdu_time {
	uint8_t		hour, min, sec, hundredths;
};

/* A decoded primitive value (strings and octets borrow the input). */
struct apdu_value {
	enum apdu_atag	 type;
	union {
		bool		 b;
		uint64_t	 u;
		int64_t		 s;
		float		 r;
		double		 d;
		uint32_t	 e;
		struct {
			const uint8_t	*p;
			size_t		 n;
		}		 octets;
		struct {
			uint8_t		 charset;
			const uint8_t	*p;	/* text without the charset */
			size_t		 n;
		}		 str;
		struct {
			uint8_t		 bits[APDU_BITS_MAX / 8];
			size_t		 nbits;
		}		 bits;
		struct apdu_date date;
		struct apdu_time time;
		struct {
			uint16_t	 type;
			uint32_t	 instance;
		}		 oid;
	} v;
};

/* ---- tags ---------------------------------------------------------- */

/* Read one tag header (not its content). */
enum codec_rc apdu_tag_decode(struct rd *r, struct apdu_tag *out);
/* Decode the next tag without consuming it. */
enum codec_rc apdu_tag_peek(const struct rd *r, struct apdu_tag *out);
/* Write a primitive tag header; context selects the class bit. */
void apdu_tag_encode(struct wr *w, uint8_t number, bool context, uint32_t len);
void apdu_open(struct wr *w, uint8_t tag);
void apdu_close(struct wr *w, uint8_t tag);
/* True if the next element is context tag `tag` of the given kind. */
bool apdu_is_ctx(const struct rd *r, uint8_t tag);
bool apdu_is_open(const struct rd *r, uint8_t tag);
bool apdu_is_close(const struct rd *r, uint8_t tag);
/* Consume context opening/closing tag `tag`; -1 if it is not next. */
int apdu_take_open(struct rd *r, uint8_t tag);
int apdu_take_close(struct rd *r, uint8_t tag);
/*
 * Skip one complete element: a primitive, or an opening tag through its
 * matching closing tag (nesting checked, depth bounded).
 */
enum codec_rc apdu_skip(struct rd *r);

/* ---- application-tagged encoders ---------------------------------- */

void apdu_enc_null(struct wr *w);
void apdu_enc_bool(struct wr *w, bool v);
void apdu_enc_unsigned(struct wr *w, uint64_t v);
void apdu_enc_signed(struct wr *w, int64_t v);
void apdu_enc_real(struct wr *w, float v);
void apdu_enc_double(struct wr *w, double v);
void apdu_enc_octets(struct wr *w, const void *p, size_t n);
/* UTF-8 character string of n octets (charset 0 is added). */
void apdu_enc_string(struct wr *w, const char *s, size_t n);
/* NUL-terminated convenience form; NULL encodes an empty string. */
void apdu_enc_cstr(struct wr *w, const char *s);
/* Bit string: bit i is bits[i / 8] & (0x80 >> i % 8). */
void apdu_enc_bits(struct wr *w, const uint8_t *bits, size_t nbits);
void apdu_enc_enum(struct wr *w, uint32_t v);
void apdu_enc_date(struct wr *w, const struct apdu_date *d);
void apdu_enc_time(struct wr *w, const struct apdu_time *t);
void apdu_enc_objid(struct wr *w, uint16_t type, uint32_t instance);

/* ---- context-tagged encoders -------------------------------------- */

void apdu_ctx_null(struct wr *w, uint8_t tag);
void apdu_ctx_bool(struct wr *w, uint8_t tag, bool v);
void apdu_ctx_unsigned(struct wr *w, uint8_t tag, uint64_t v);
void apdu_ctx_signed(struct wr *w, uint8_t tag, int64_t v);
void apdu_ctx_real(struct wr *w, uint8_t tag, float v);
void apdu_ctx_double(struct wr *w, uint8_t tag, double v);
void apdu_ctx_octets(struct wr *w, uint8_t tag, const void *p, size_t n);
void apdu_ctx_string(struct wr *w, uint8_t tag, const char *s, size_t n);
void apdu_ctx_cstr(struct wr *w, uint8_t tag, const char *s);
void apdu_ctx_bits(struct wr *w, uint8_t tag, const uint8_t *bits,
    size_t nbits);
void apdu_ctx_enum(struct wr *w, uint8_t tag, uint32_t v);
void apdu_ctx_date(struct wr *w, uint8_t tag, const struct apdu_date *d);
void apdu_ctx_time(struct wr *w, uint8_t tag, const struct apdu_time *t);
void apdu_ctx_objid(struct wr *w, uint8_t tag, uint16_t type,
    uint32_t instance);

/* ---- decoders ------------------------------------------------------ */

/* Decode one application-tagged primitive. */
enum codec_rc apdu_dec_app(struct rd *r, struct apdu_value *out);
/*
 * Decode context tag `tag` whose content has application type `type`.
 * Returns CODEC_UNSUPPORTED (nothing consumed) if the next element is not
 * a primitive context tag `tag` (so optional fields can be probed).
 */
enum codec_rc apdu_dec_ctx(struct rd *r, uint8_t tag, enum apdu_atag type,
    struct apdu_value *out);
/* Decode the content octets of a primitive of application type `type`. */
enum codec_rc apdu_dec_content(const uint8_t *p, size_t len,
    enum apdu_atag type, bool context, uint32_t lvt, struct apdu_value *out);

/* ---- APDU headers (20.1) ------------------------------------------ */

enum apdu_pdu {
	APDU_CONFIRMED = 0,
	APDU_UNCONFIRMED = 1,
	APDU_SIMPLE_ACK = 2,
	APDU_COMPLEX_ACK = 3,
	APDU_SEGMENT_ACK = 4,
	APDU_ERROR = 5,
	APDU_REJECT = 6,
	APDU_ABORT = 7,
};

struct apdu_hdr {
	enum apdu_pdu	 pdu;
	bool		 seg;		/* segmented message (conf, complex) */
	bool		 more;		/* more follows (conf, complex) */
	bool		 sa;		/* segmented response accepted (conf) */
	bool		 nak;		/* Segment-ACK negative */
	bool		 srv;		/* sent by server (Segment-ACK, Abort) */
	uint8_t		 max_segs;	/* 3-bit code (conf) */
	uint8_t		 max_apdu;	/* 4-bit code (conf) */
	uint8_t		 invoke_id;
	uint8_t		 seq;		/* sequence number (segmented, SegACK) */
	uint8_t		 window;	/* proposed/actual window size */
	uint8_t		 service;	/* service choice */
	uint8_t		 reason;	/* Reject/Abort reason */
	const uint8_t	*body;		/* borrows: what follows the header */
	size_t		 body_len;
};

/* Decode an APDU header; body/body_len point at the rest of buf. */
enum codec_rc apdu_hdr_decode(const uint8_t *buf, size_t len,
    struct apdu_hdr *out);
/* Encode the header fields that h->pdu uses (body is not written). */
void apdu_hdr_encode(struct wr *w, const struct apdu_hdr *h);
/* Octets of the header apdu_hdr_encode would write for h. */
size_t apdu_hdr_len(const struct apdu_hdr *h);

/* Max-APDU code to octets (reserved codes give 50), octets to code. */
unsigned apdu_max_apdu_octets(uint8_t code);
uint8_t apdu_max_apdu_code(unsigned octets);
/* Max-segments code to count: 0 unspecified and 7 (> 64) give 0. */
unsigned apdu_max_segs_count(uint8_t code);

#endif
