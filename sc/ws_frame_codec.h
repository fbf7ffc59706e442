/*
 * WebSocket frames (RFC 6455 section 5): header encode/decode, masking,
 * close payloads, and the receive-side message rules (fragmentation,
 * control frames between fragments, size limits).  Pure: no I/O, no
 * allocation; the transport (sc_ws.c) moves the octets.
 *
 * Receiving: decode a header with wsf_decode_hdr(); once its payload is
 * all there, ask wsf_rx_step() what to do with it (deliver it as a whole
 * message, append it to the message being assembled, skip it, or answer a
 * control frame, or close with a status).  No extensions are negotiated,
 * so the reserved bits must be zero.
 */
#ifndef SC_WS_FRAME_CODEC_H
#define SC_WS_FRAME_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/codec.h"

#define WSF_OP_CONT	0x0
#define WSF_OP_TEXT	0x1
#define WSF_OP_BINARY	0x2
#define WSF_OP_CLOSE	0x8
#define WSF_OP_PING	0x9
#define WSF_OP_PONG	0xA

#define WSF_HDR_MAX	14	/* 2 + 8 (64-bit length) + 4 (mask) */
#define WSF_CTRL_MAX	125	/* control frame payload limit */

/* Close statuses the codec itself asks for. */
#define WSF_CLOSE_PROTOCOL	1002
#define WSF_CLOSE_DATA		1003
#define WSF_CLOSE_NO_STATUS	1005	/* received close had no status */
#define WSF_CLOSE_BAD_DATA	1007	/* close reason not UTF-8 */
#define WSF_CLOSE_TOO_BIG	1009

struct wsf_hdr {
	bool		fin;
	uint8_t		opcode;
	bool		masked;
	uint8_t		mask[4];	/* when masked */
	uint64_t	payload_len;
	size_t		hdr_len;	/* 2..14 */
};

/* Return the header length of a frame with this payload (2..14). */
size_t wsf_hdr_len(uint64_t payload_len, bool masked);

/*
 * Write a frame header (the minimal length form) into buf, which has room
 * for wsf_hdr_len() octets; mask NULL: unmasked.  Return its length.
 */
size_t wsf_encode_hdr(uint8_t *buf, bool fin, uint8_t opcode,
    uint64_t payload_len, const uint8_t *mask);

/*
 * Write src XOR the masking key into dst (len octets; dst may be src),
 * where src starts at payload offset pos (the key index is pos mod 4).
 * Masking and unmasking are the same operation.
 */
void wsf_mask(uint8_t *dst, const uint8_t *src, size_t len,
    const uint8_t key[4], size_t pos);

/*
 * Decode one frame header from the len octets at buf.  expect_masked: we
 * are the server, so every frame must be masked (else every frame must
 * not be).  A frame whose payload is longer than max_payload is refused.
 * Return CODEC_SHORT (need more octets), CODEC_MALFORMED with *close_code
 * (1002, or 1009 for a frame above max_payload) and *why, or CODEC_OK with
 * *out filled.  The payload follows at buf + out->hdr_len.
 */
enum codec_rc wsf_decode_hdr(const uint8_t *buf, size_t len,
    bool expect_masked, uint64_t max_payload, struct wsf_hdr *out,
    uint16_t *close_code, const char **why);

/*
 * Decode a close frame's (unmasked) payload: *status is the status, or
 * 1005 when the payload is empty; *reason and *reason_len the UTF-8
 * reason (borrowed).  Return CODEC_MALFORMED with *close_code 1002 (one octet, a
 * status that must not appear on the wire) or 1007 (reason not UTF-8).
 */
enum codec_rc wsf_close_decode(const uint8_t *p, size_t len,
    uint16_t *status, const uint8_t **reason, size_t *reason_len,
    uint16_t *close_code, const char **why);

/* Whether a status may be sent in a close frame (RFC 6455 7.4). */
bool wsf_close_status_is_valid(uint16_t status);

/* Whether the len octets at p are well-formed UTF-8. */
bool wsf_utf8_is_valid(const uint8_t *p, size_t len);

/* Receive-side message state of one connection. */
struct wsf_rx {
	size_t		max_msg;	/* longer messages: discarded */
	size_t		cap;		/* a longer message: close 1009 */
	bool		in_msg;		/* a fragmented message is open */
	bool		discard;	/* ... and is being discarded */
	size_t		msg_len;	/* its octets so far */
};

enum wsf_verdict {
	WSF_V_MSG = 0,	/* a whole binary message in one frame: deliver */
	WSF_V_FRAG,	/* put the payload at step.offset of the message
			   being assembled; step.complete: deliver it
			   (step.msg_len octets) */
	WSF_V_SKIP,	/* drop the payload; step.oversize: a message
			   longer than max_msg ended here (count it) */
	WSF_V_PING,	/* answer with a pong carrying the payload */
	WSF_V_PONG,	/* nothing to do */
	WSF_V_CLOSE,	/* decode with wsf_close_decode, answer, close */
	WSF_V_TEXT,	/* a text message: close 1003 */
	WSF_V_FAIL,	/* protocol violation: close with step.close_code */
};

struct wsf_step {
	size_t		offset;		/* WSF_V_FRAG */
	size_t		msg_len;	/* WSF_V_FRAG with complete */
	bool		complete;
	bool		oversize;	/* WSF_V_SKIP */
	uint16_t	close_code;	/* WSF_V_FAIL */
	const char	*why;		/* WSF_V_FAIL */
};

/* Initialise rx (cap is raised to max_msg if lower). */
void wsf_rx_init(struct wsf_rx *rx, size_t max_msg, size_t cap);

/*
 * Account for the frame h (whose whole payload has arrived) and say what
 * to do with its payload.  Control frames may come between the fragments
 * of a message; a continuation without an open message, or a new data
 * message inside one, is a protocol violation.
 */
enum wsf_verdict wsf_rx_step(struct wsf_rx *rx, const struct wsf_hdr *h,
    struct wsf_step *out);

#endif
