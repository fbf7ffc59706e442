/*
 * NPDU header codec (clause 6.2) and network-layer message codecs (6.4).
 * Pure: no I/O, no clock, no logging.  Decoders borrow from the input
 * buffer: every pointer in a view is valid while that buffer is.
 *
 * CONTRACT NOTE: this header was written first so that the router core and
 * the datalinks could be built against it in parallel; npdu_codec.c
 * implements it.  Extend it, but keep these names and meanings.
 */
#ifndef NPDU_NPDU_CODEC_H
#define NPDU_NPDU_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"
#include "lib/codec.h"

#define NPDU_VERSION		0x01
#define NPDU_NET_GLOBAL		0xffff	/* DNET of a global broadcast */
#define NPDU_HOP_COUNT_INIT	255
#define NPDU_HDR_MAX		(2 + 3 + 255 + 3 + 255 + 1 + 1 + 2)

/* Control octet bits. */
#define NPDU_CTL_NL_MSG		0x80	/* network-layer message */
#define NPDU_CTL_RESERVED	0x50	/* bits 6 and 4 */
#define NPDU_CTL_DNET		0x20	/* DNET, DLEN, DADR, hop count */
#define NPDU_CTL_SNET		0x08	/* SNET, SLEN, SADR */
#define NPDU_CTL_EXPECT_REPLY	0x04
#define NPDU_CTL_PRIO_MASK	0x03

/* Network-layer message types (6.2.4). */
enum npdu_nl_type {
	NPDU_NL_WHO_IS_ROUTER		= 0x00,
	NPDU_NL_I_AM_ROUTER		= 0x01,
	NPDU_NL_I_COULD_BE_ROUTER	= 0x02,
	NPDU_NL_REJECT			= 0x03,
	NPDU_NL_ROUTER_BUSY		= 0x04,
	NPDU_NL_ROUTER_AVAILABLE	= 0x05,
	NPDU_NL_INIT_RT			= 0x06,
	NPDU_NL_INIT_RT_ACK		= 0x07,
	NPDU_NL_ESTABLISH_CONN		= 0x08,
	NPDU_NL_DISCONNECT_CONN		= 0x09,
	NPDU_NL_WHAT_IS_NETNUM		= 0x12,
	NPDU_NL_NETNUM_IS		= 0x13,
	NPDU_NL_PROPRIETARY_MIN		= 0x80,
};

/* Reject-Message-To-Network reasons (6.4.4). */
enum npdu_reject_reason {
	NPDU_REJECT_OTHER		= 0,
	NPDU_REJECT_NO_ROUTE		= 1,
	NPDU_REJECT_BUSY		= 2,
	NPDU_REJECT_UNKNOWN_TYPE	= 3,
	NPDU_REJECT_TOO_LONG		= 4,
	NPDU_REJECT_SECURITY		= 5,
	NPDU_REJECT_ADDRESSING		= 6,
};

/* A decoded NPDU header.  Valid while the input buffer is. */
struct npdu_view {
	uint8_t		 control;	/* as on the wire */
	bool		 has_dnet;
	bool		 has_snet;
	uint16_t	 dnet;
	uint16_t	 snet;
	uint8_t		 dlen;		/* 0 with has_dnet: broadcast on DNET */
	uint8_t		 slen;
	const uint8_t	*dadr;		/* borrows; dlen octets */
	const uint8_t	*sadr;		/* borrows; slen octets */
	uint8_t		 hop_count;	/* meaningful only with has_dnet */
	bool		 is_nl_msg;	/* control bit 7 */
	uint8_t		 nl_type;	/* with is_nl_msg */
	uint16_t	 vendor_id;	/* with is_nl_msg and nl_type >= 0x80 */
	const uint8_t	*payload;	/* borrows: APDU or NL message body */
	size_t		 payload_len;
	size_t		 hdr_len;	/* octets before payload */
};

/*
 * Decode the NPDU in buf[0..len).  Return CODEC_OK and fill *out, or
 * CODEC_SHORT / CODEC_MALFORMED with *why (if not NULL) set to a fixed
 * string naming the problem and *err_off (if not NULL) to its offset.
 *
 * CODEC_SHORT: the data ends inside a fixed field (version, control, DNET,
 * DLEN, SNET, SLEN, hop count, message type, vendor ID).  CODEC_MALFORMED:
 * anything else (wrong version, reserved control bits, DLEN/SLEN running
 * past the end, DNET 0, SNET 0 or 0xFFFF, SLEN 0, global DNET with DLEN
 * not 0).  An NPDU has no length field, so for a received datagram both
 * mean "discard".  Every *why starts with the error class of
 * tests/vectors/README.md ("truncated", "bad-length", "bad-version",
 * "reserved-bits", "bad-address") followed by ": " and a short text.
 * The network-layer message body is not checked here (see nlm_codec.h).
 * *out is written only on CODEC_OK.
 */
enum codec_rc npdu_decode(const uint8_t *buf, size_t len,
    struct npdu_view *out, const char **why, size_t *err_off);

/*
 * Return true if v describes a header npdu_encode_header can write:
 * DNET 1..0xFFFF (0xFFFF only with DLEN 0), DADR present when DLEN > 0,
 * SNET 1..0xFFFE with SLEN > 0 and SADR present.
 */
bool npdu_view_is_valid(const struct npdu_view *v);

/*
 * Set *v to a local APDU header (no DNET, no SNET, priority normal, no
 * reply expected, no payload).
 */
void npdu_view_init(struct npdu_view *v);

/*
 * Router forms.  npdu_view_set_dest makes v a remote (dlen > 0), remote
 * broadcast (dlen 0) or, with dnet NPDU_NET_GLOBAL and dlen 0, a global
 * broadcast header, with the given hop count (borrows dadr).
 * npdu_view_set_source adds SNET/SADR (borrows sadr).
 * npdu_view_strip_dest removes DNET/DLEN/DADR and the hop count (last hop).
 */
void npdu_view_set_dest(struct npdu_view *v, uint16_t dnet,
    const uint8_t *dadr, uint8_t dlen, uint8_t hop_count);
void npdu_view_set_source(struct npdu_view *v, uint16_t snet,
    const uint8_t *sadr, uint8_t slen);
void npdu_view_strip_dest(struct npdu_view *v);

/* Return the number of octets npdu_encode_header writes for v. */
size_t npdu_header_len(const struct npdu_view *v);

/*
 * Write the header described by v (control bits derived from has_dnet,
 * has_snet, is_nl_msg plus v->control's expecting-reply and priority bits;
 * payload NOT written).  Return 0, or -1 if v is invalid or w overflowed.
 */
int npdu_encode_header(struct wr *w, const struct npdu_view *v);

/* Write header and payload.  Return 0 or -1. */
int npdu_encode(struct wr *w, const struct npdu_view *v);

#endif
