/*
 * Fuzz the WebSocket frame codec the way the transport uses it: the first
 * octet picks the role and the limits, the rest is a received stream.
 * Complete frames are decoded, unmasked and stepped through the message
 * rules; every accepted header must re-encode to the same octets, and an
 * assembled message must stay inside the limits.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc/ws_frame_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_MSG	1500

static uint8_t fz_asm[FZ_MAX_MSG];
static uint8_t fz_copy[1 << 16];

static void
fz_close(const uint8_t *p, size_t len)
{
	const uint8_t *reason;
	size_t rlen;
	uint16_t status, code = 0;
	const char *why = NULL;

	switch (wsf_close_decode(p, len, &status, &reason, &rlen, &code,
	    &why)) {
	case CODEC_OK:
		if (len >= 2 && (!wsf_close_status_is_valid(status) ||
		    rlen != len - 2 || !wsf_utf8_is_valid(reason, rlen)))
			abort();
		if (len == 0 && status != WSF_CLOSE_NO_STATUS)
			abort();
		break;
	case CODEC_MALFORMED:
		if (why == NULL || (code != 1002 && code != 1007))
			abort();
		break;
	case CODEC_SHORT:
	case CODEC_UNSUPPORTED:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool server;
	size_t off = 1, cap;
	struct wsf_rx rx;

	if (size < 1 || size > sizeof(fz_copy))
		return 0;
	server = (data[0] & 1) != 0;
	cap = (data[0] & 2) != 0 ? FZ_MAX_MSG + 100 : 3 * FZ_MAX_MSG;
	memcpy(fz_copy, data, size);
	wsf_rx_init(&rx, FZ_MAX_MSG, cap);
	while (off < size) {
		struct wsf_hdr h;
		struct wsf_step st;
		uint8_t re[WSF_HDR_MAX];
		uint16_t code = 0;
		const char *why = NULL;
		uint8_t *p;
		size_t plen, n;

		switch (wsf_decode_hdr(fz_copy + off, size - off, server, cap,
		    &h, &code, &why)) {
		case CODEC_OK:
			break;
		case CODEC_SHORT:
			return 0;
		case CODEC_MALFORMED:
			if (why == NULL || (code != 1002 && code != 1009))
				abort();
			return 0;
		case CODEC_UNSUPPORTED:
			abort();
		}
		if (h.payload_len > cap || h.masked != server ||
		    h.hdr_len != wsf_hdr_len(h.payload_len, h.masked))
			abort();
		n = wsf_encode_hdr(re, h.fin, h.opcode, h.payload_len,
		    h.masked ? h.mask : NULL);
		if (n != h.hdr_len || memcmp(re, fz_copy + off, n) != 0)
			abort();
		if (size - off - h.hdr_len < h.payload_len)
			return 0;
		p = fz_copy + off + h.hdr_len;
		plen = (size_t)h.payload_len;
		if (h.masked)
			wsf_mask(p, p, plen, h.mask, 0);
		switch (wsf_rx_step(&rx, &h, &st)) {
		case WSF_V_MSG:
			if (plen > FZ_MAX_MSG || h.opcode != WSF_OP_BINARY)
				abort();
			break;
		case WSF_V_FRAG:
			if (st.offset + plen > FZ_MAX_MSG)
				abort();
			memcpy(fz_asm + st.offset, p, plen);
			if (st.complete && st.msg_len != st.offset + plen)
				abort();
			break;
		case WSF_V_CLOSE:
			fz_close(p, plen);
			return 0;
		case WSF_V_PING:
		case WSF_V_PONG:
			if (plen > WSF_CTRL_MAX)
				abort();
			break;
		case WSF_V_SKIP:
			break;
		case WSF_V_TEXT:
			return 0;
		case WSF_V_FAIL:
			if (st.why == NULL || (st.close_code != 1002 &&
			    st.close_code != 1009))
				abort();
			return 0;
		}
		off += h.hdr_len + plen;
	}
	return 0;
}
