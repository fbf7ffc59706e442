/*
 * The HTTP/1.1 WebSocket Upgrade handshake (RFC 6455 section 4), strict and
 * pure: no I/O, no logging, no hashing.  The glue computes the
 * Sec-WebSocket-Accept value (SHA-1 + base64, ws_handshake.h) and passes it
 * in; this file only parses and builds the header blocks.
 *
 * Accepted requests: exactly "GET <origin-form> HTTP/1.1", CRLF line ends,
 * no obs-fold, no control characters, token field names, at most
 * WSH_MAX_FIELDS fields, no body (Content-Length / Transfer-Encoding
 * refused), exactly one Host, Sec-WebSocket-Key (base64 of 16 octets) and
 * Sec-WebSocket-Version (13), Upgrade containing "websocket", Connection
 * containing "upgrade", and Sec-WebSocket-Protocol naming exactly one
 * subprotocol, the one the listener serves.  Sec-WebSocket-Extensions is
 * ignored (we never agree to any extension).
 */
#ifndef SC_WS_HANDSHAKE_CODEC_H
#define SC_WS_HANDSHAKE_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/bytes.h"
#include "lib/codec.h"

#define WSH_KEY_LEN	24	/* base64 of 16 random octets */
#define WSH_ACCEPT_LEN	28	/* base64 of a 20-octet SHA-1 */
#define WSH_MAX_FIELDS	64	/* header fields in one request/response */
#define WSH_MAX_TARGET	255	/* request-target length we accept */

struct wsh_request {		/* valid while the input buffer is */
	const char	*target;	/* borrows: request-target, e.g. "/" */
	size_t		 target_len;
	const char	*host;		/* borrows: Host field value */
	size_t		 host_len;
	char		 key[WSH_KEY_LEN + 1];	/* Sec-WebSocket-Key, NUL-ended */
};

struct wsh_response {
	int		 status;	/* HTTP status code */
};

/*
 * Find the end of the header block ("\r\n\r\n") in buf[0..len).  Return
 * the block's length including the blank line, or 0 if it is not complete.
 */
size_t wsh_header_end(const char *buf, size_t len);

/*
 * Parse a complete client request header block buf[0..len) (len as
 * returned by wsh_header_end) for a listener serving subprotocol proto.
 * On CODEC_OK fill *out (borrowing from buf).  On CODEC_MALFORMED set
 * *http_status to the status to answer with (400, or 426 for a wrong
 * version) and *why to a fixed reason; CODEC_UNSUPPORTED means a
 * well-formed upgrade for another or no subprotocol (answer 400 too).
 * CODEC_SHORT if the block is incomplete; octets after the blank line are
 * malformed (pass exactly the block).  why and http_status may be NULL.
 */
enum codec_rc wsh_parse_request(const char *buf, size_t len, const char *proto,
    struct wsh_request *out, int *http_status, const char **why);

/*
 * Parse a complete server response header block buf[0..len).  CODEC_OK
 * only for "HTTP/1.1 101" with Upgrade: websocket, Connection: upgrade,
 * Sec-WebSocket-Accept equal to accept (WSH_ACCEPT_LEN characters),
 * Sec-WebSocket-Protocol equal to proto and no extension.  Any other
 * status: CODEC_UNSUPPORTED with out->status set; anything malformed or
 * mismatching: CODEC_MALFORMED with *why set.
 */
enum codec_rc wsh_parse_response(const char *buf, size_t len,
    const char *accept, const char *proto, struct wsh_response *out,
    const char **why);

/*
 * Write a client request for host_hdr (the Host value), target (path),
 * key (WSH_KEY_LEN base64 characters) and subprotocol proto.  Return
 * wr_status(w).  Strings must not contain CR, LF or NUL (returns -1).
 */
int wsh_build_request(struct wr *w, const char *host_hdr, const char *target,
    const char *key, const char *proto);

/* Write the 101 response with accept and proto.  Return wr_status(w). */
int wsh_build_response(struct wr *w, const char *accept, const char *proto);

/*
 * Write a refusal with status (400, 426, 431 or 503) and an empty body; a
 * 426 says "Sec-WebSocket-Version: 13".  Return wr_status(w).
 */
int wsh_build_error(struct wr *w, int status);

/* True if key is WSH_KEY_LEN base64 characters decoding to 16 octets. */
bool wsh_key_is_valid(const char *key, size_t len);

#endif
