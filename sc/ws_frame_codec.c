/*
 * WebSocket frame codec (RFC 6455 section 5).  See ws_frame_codec.h.
 */
#include "config.h"

#include <string.h>

#include "lib/bytes.h"
#include "sc/ws_frame_codec.h"

size_t
wsf_hdr_len(uint64_t payload_len, bool masked)
{
	size_t n = 2;

	if (payload_len > 65535)
		n += 8;
	else if (payload_len > 125)
		n += 2;
	return masked ? n + 4 : n;
}

size_t
wsf_encode_hdr(uint8_t *buf, bool fin, uint8_t opcode, uint64_t payload_len,
    const uint8_t *mask)
{
	uint8_t mbit = mask != NULL ? 0x80 : 0x00;
	size_t n = 2;
	int i;

	buf[0] = (uint8_t)((fin ? 0x80 : 0x00) | (opcode & 0x0F));
	if (payload_len <= 125) {
		buf[1] = (uint8_t)(mbit | payload_len);
	} else if (payload_len <= 65535) {
		buf[1] = (uint8_t)(mbit | 126);
		be16_store(buf + 2, (uint16_t)payload_len);
		n = 4;
	} else {
		buf[1] = (uint8_t)(mbit | 127);
		for (i = 0; i < 8; i++)
			buf[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
		n = 10;
	}
	if (mask != NULL) {
		memcpy(buf + n, mask, 4);
		n += 4;
	}
	return n;
}

void
wsf_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
    size_t pos)
{
	uint8_t k8[8];
	uint64_t k, w;
	size_t i;

	for (i = 0; i < 8; i++)
		k8[i] = key[(pos + i) & 3];
	memcpy(&k, k8, sizeof(k));
	/* Eight octets at a time; memcpy keeps unaligned access defined. */
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, src + i, sizeof(w));
		w ^= k;
		memcpy(dst + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		dst[i] = (uint8_t)(src[i] ^ k8[i & 7]);
}

static bool
wsf_opcode_is_known(uint8_t op)
{
	switch (op) {
	case WSF_OP_CONT:
	case WSF_OP_TEXT:
	case WSF_OP_BINARY:
	case WSF_OP_CLOSE:
	case WSF_OP_PING:
	case WSF_OP_PONG:
		return true;
	default:
		return false;
	}
}

static enum codec_rc
wsf_refuse(uint16_t code, const char *text, uint16_t *close_code,
    const char **why)
{
	if (close_code != NULL)
		*close_code = code;
	if (why != NULL)
		*why = text;
	return CODEC_MALFORMED;
}

enum codec_rc
wsf_decode_hdr(const uint8_t *buf, size_t len, bool expect_masked,
    uint64_t max_payload, struct wsf_hdr *out, uint16_t *close_code,
    const char **why)
{
	struct wsf_hdr h;
	uint8_t len7;
	size_t need;
	int i;

	if (len < 2)
		return CODEC_SHORT;
	memset(&h, 0, sizeof(h));
	h.fin = (buf[0] & 0x80) != 0;
	h.opcode = buf[0] & 0x0F;
	h.masked = (buf[1] & 0x80) != 0;
	len7 = buf[1] & 0x7F;
	if ((buf[0] & 0x70) != 0)
		return wsf_refuse(WSF_CLOSE_PROTOCOL, "reserved bits set",
		    close_code, why);
	if (!wsf_opcode_is_known(h.opcode))
		return wsf_refuse(WSF_CLOSE_PROTOCOL, "unknown opcode",
		    close_code, why);
	if ((h.opcode & 0x08) != 0 && !h.fin)
		return wsf_refuse(WSF_CLOSE_PROTOCOL,
		    "fragmented control frame", close_code, why);
	if ((h.opcode & 0x08) != 0 && len7 > WSF_CTRL_MAX)
		return wsf_refuse(WSF_CLOSE_PROTOCOL,
		    "control frame longer than 125 octets", close_code, why);
	if (h.masked != expect_masked)
		return wsf_refuse(WSF_CLOSE_PROTOCOL, expect_masked ?
		    "unmasked frame from a client" :
		    "masked frame from a server", close_code, why);
	need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
	    (h.masked ? 4 : 0);
	if (len < need)
		return CODEC_SHORT;
	if (len7 == 126) {
		h.payload_len = be16_load(buf + 2);
		if (h.payload_len <= 125)
			return wsf_refuse(WSF_CLOSE_PROTOCOL,
			    "length not in its shortest form", close_code, why);
	} else if (len7 == 127) {
		for (i = 0; i < 8; i++)
			h.payload_len = h.payload_len << 8 | buf[2 + i];
		if ((h.payload_len >> 63) != 0)
			return wsf_refuse(WSF_CLOSE_PROTOCOL,
			    "64-bit length with the top bit set", close_code,
			    why);
		if (h.payload_len <= 65535)
			return wsf_refuse(WSF_CLOSE_PROTOCOL,
			    "length not in its shortest form", close_code, why);
	} else {
		h.payload_len = len7;
	}
	if (h.payload_len > max_payload)
		return wsf_refuse(WSF_CLOSE_TOO_BIG,
		    "frame above the transport cap", close_code, why);
	if (h.masked)
		memcpy(h.mask, buf + need - 4, 4);
	h.hdr_len = need;
	*out = h;
	return CODEC_OK;
}

bool
wsf_close_status_is_valid(uint16_t status)
{
	if (status >= 3000 && status <= 4999)
		return true;	/* registered / private use */
	switch (status) {
	case 1000: case 1001: case 1002: case 1003:
	case 1007: case 1008: case 1009: case 1010: case 1011:
	case 1012: case 1013: case 1014:
		return true;
	default:
		return false;	/* 1004-1006, 1015: never on the wire */
	}
}

bool
wsf_utf8_is_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		uint32_t cp, min;
		size_t n, j;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (j = 1; j <= n; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

enum codec_rc
wsf_close_decode(const uint8_t *p, size_t len, uint16_t *status,
    const uint8_t **reason, size_t *reason_len, uint16_t *close_code,
    const char **why)
{
	uint16_t st;

	if (len == 0) {
		*status = WSF_CLOSE_NO_STATUS;
		*reason = p;
		*reason_len = 0;
		return CODEC_OK;
	}
	if (len == 1)
		return wsf_refuse(WSF_CLOSE_PROTOCOL,
		    "close payload of one octet", close_code, why);
	st = be16_load(p);
	if (!wsf_close_status_is_valid(st))
		return wsf_refuse(WSF_CLOSE_PROTOCOL,
		    "close status not allowed on the wire", close_code, why);
	if (!wsf_utf8_is_valid(p + 2, len - 2))
		return wsf_refuse(WSF_CLOSE_BAD_DATA,
		    "close reason is not UTF-8", close_code, why);
	*status = st;
	*reason = p + 2;
	*reason_len = len - 2;
	return CODEC_OK;
}

void
wsf_rx_init(struct wsf_rx *rx, size_t max_msg, size_t cap)
{
	memset(rx, 0, sizeof(*rx));
	rx->max_msg = max_msg;
	rx->cap = cap < max_msg ? max_msg : cap;
}

static enum wsf_verdict
wsf_rx_fail(struct wsf_step *out, uint16_t code, const char *why)
{
	out->close_code = code;
	out->why = why;
	return WSF_V_FAIL;
}

/* A data frame (text, binary or continuation). */
static enum wsf_verdict
wsf_rx_data(struct wsf_rx *rx, const struct wsf_hdr *h, struct wsf_step *out)
{
	uint64_t total;

	if (h->opcode == WSF_OP_CONT) {
		if (!rx->in_msg)
			return wsf_rx_fail(out, WSF_CLOSE_PROTOCOL,
			    "continuation frame without a message");
	} else if (rx->in_msg) {
		return wsf_rx_fail(out, WSF_CLOSE_PROTOCOL,
		    "new message inside a fragmented one");
	} else if (h->opcode == WSF_OP_TEXT) {
		return WSF_V_TEXT;
	} else {
		rx->in_msg = true;
		rx->discard = false;
		rx->msg_len = 0;
	}
	total = (uint64_t)rx->msg_len + h->payload_len;
	if (total > rx->cap) {
		rx->in_msg = false;
		return wsf_rx_fail(out, WSF_CLOSE_TOO_BIG,
		    "message above the transport cap");
	}
	out->offset = rx->msg_len;
	rx->msg_len = (size_t)total;
	if (total > rx->max_msg)
		rx->discard = true;
	if (h->fin)
		rx->in_msg = false;
	if (rx->discard) {
		out->oversize = h->fin;
		return WSF_V_SKIP;
	}
	if (h->fin && h->opcode == WSF_OP_BINARY)
		return WSF_V_MSG;
	out->complete = h->fin;
	out->msg_len = rx->msg_len;
	return WSF_V_FRAG;
}

enum wsf_verdict
wsf_rx_step(struct wsf_rx *rx, const struct wsf_hdr *h, struct wsf_step *out)
{
	memset(out, 0, sizeof(*out));
	switch (h->opcode) {
	case WSF_OP_CLOSE:
		return WSF_V_CLOSE;
	case WSF_OP_PING:
		return WSF_V_PING;
	case WSF_OP_PONG:
		return WSF_V_PONG;
	case WSF_OP_CONT:
	case WSF_OP_TEXT:
	case WSF_OP_BINARY:
		return wsf_rx_data(rx, h, out);
	default:
		return wsf_rx_fail(out, WSF_CLOSE_PROTOCOL, "unknown opcode");
	}
}
