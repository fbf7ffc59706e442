/*
 * JSON printers for bacsc-decode, one per protocol layer.  A datalink
 * printer (BVLC-SC in decode_sc.c, BVLL in decode_bip.c) writes its own
 * fields and calls decode_npdu_json for the NPDU it carries, adding the
 * NPDU's offset to any error offset it gets back.
 *
 * Field names are stable (they follow the keys of tests/vectors/README.md
 * where one exists); numbers are JSON numbers; MAC addresses are
 * lower-case hex octets joined by ':'; other octet strings (APDU, data,
 * port info) are lower-case hex without separators.
 */
#ifndef TOOLS_DECODE_H
#define TOOLS_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct jw;

/* Where and why a message could not be decoded. */
struct decode_err {
	size_t		 off;		/* offset in the input */
	const char	*why;		/* fixed string, "class: text" */
};

/*
 * A printer writes the message in buf[0..len) as one JSON object value to
 * w (inside an object the caller writes the key first) and returns 0, or
 * returns -1 with *err filled.  Output written before an error is
 * incomplete JSON, so print into a buffer and discard it on error.
 */
typedef int (*decode_json_fn)(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err);

/*
 * Print an NPDU (version octet first) with its network-layer message
 * decoded.  A network message type the codec does not handle is not an
 * error: it is printed with "supported": false and its body as "data".
 */
int decode_npdu_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err);

/*
 * Print a BVLC-SC message (function octet first: one WebSocket message)
 * with its header options, its payload and, for Encapsulated-NPDU, the
 * NPDU through decode_npdu_json.
 */
int decode_sc_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err);

/*
 * Print a BACnet/IP BVLL datagram (0x81 first) and the NPDU it carries.
 * A well-framed datagram whose NPDU the NPDU codec refuses is not an
 * error: it is printed with "npdu_hex" and "npdu_error" (offset, why).
 */
int decode_bip_json(struct jw *w, const uint8_t *buf, size_t len,
    struct decode_err *err);

#endif
