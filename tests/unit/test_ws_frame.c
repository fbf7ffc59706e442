/* WebSocket frame codec: headers, masking, close payloads, message rules. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc/ws_frame_codec.h"
#include "tests/unit/harness.h"

#define CAP	(65535 + 4096)

static const uint8_t key_rfc[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* RFC 6455 5.7: a single-frame unmasked and masked text "Hello". */
static void
test_rfc_examples(void)
{
	static const uint8_t unmasked[] = { 0x81, 0x05, 'H', 'e', 'l', 'l',
	    'o' };
	static const uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
	    0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t len256[] = { 0x82, 0x7E, 0x01, 0x00 };
	static const uint8_t len64k[] = { 0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0,
	    0 };
	uint8_t buf[64];
	size_t n;

	n = wsf_encode_hdr(buf, true, WSF_OP_TEXT, 5, NULL);
	memcpy(buf + n, "Hello", 5);
	UT_ASSERT_BYTES(buf, n + 5, unmasked, sizeof(unmasked));
	n = wsf_encode_hdr(buf, true, WSF_OP_TEXT, 5, key_rfc);
	wsf_mask(buf + n, (const uint8_t *)"Hello", 5, key_rfc, 0);
	UT_ASSERT_BYTES(buf, n + 5, masked, sizeof(masked));
	n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, 256, NULL);
	UT_ASSERT_BYTES(buf, n, len256, sizeof(len256));
	n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, 65536, NULL);
	UT_ASSERT_BYTES(buf, n, len64k, sizeof(len64k));
}

static enum codec_rc
dec(const uint8_t *b, size_t len, bool server, struct wsf_hdr *h,
    uint16_t *code)
{
	const char *why = NULL;
	enum codec_rc rc;

	*code = 0;
	rc = wsf_decode_hdr(b, len, server, CAP, h, code, &why);
	if (rc == CODEC_MALFORMED)
		CU_ASSERT_PTR_NOT_NULL(why);
	return rc;
}

/* Lengths at every boundary, both roles: encode, decode, compare. */
static void
test_lengths_roundtrip(void)
{
	static const uint64_t lens[] = { 0, 1, 125, 126, 127, 65535, 65536,
	    CAP };
	static const size_t hl[] = { 2, 2, 2, 4, 4, 4, 10, 10 };
	uint8_t buf[WSF_HDR_MAX];
	size_t i, n, k;
	int m;

	for (m = 0; m < 2; m++) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct wsf_hdr h;
			uint16_t code;

			n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, lens[i],
			    m ? key_rfc : NULL);
			CU_ASSERT_EQUAL(n, hl[i] + (m ? 4 : 0));
			CU_ASSERT_EQUAL(n, wsf_hdr_len(lens[i], m != 0));
			CU_ASSERT_EQUAL(dec(buf, n, m != 0, &h, &code),
			    CODEC_OK);
			CU_ASSERT_EQUAL(h.payload_len, lens[i]);
			CU_ASSERT_EQUAL(h.hdr_len, n);
			CU_ASSERT_TRUE(h.fin);
			CU_ASSERT_EQUAL(h.opcode, WSF_OP_BINARY);
			CU_ASSERT_EQUAL(h.masked, m != 0);
			if (m)
				UT_ASSERT_BYTES(h.mask, 4, key_rfc, 4);
			/* Every prefix is short, never malformed. */
			for (k = 0; k < n; k++)
				CU_ASSERT_EQUAL(dec(buf, k, m != 0, &h, &code),
				    CODEC_SHORT);
		}
	}
}

/* RFC 6455 5.1/5.3: clients mask, servers must not. */
static void
test_masking_roles(void)
{
	uint8_t buf[WSF_HDR_MAX];
	struct wsf_hdr h;
	uint16_t code;
	size_t n;

	n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, 30, NULL);
	CU_ASSERT_EQUAL(dec(buf, n, true, &h, &code), CODEC_MALFORMED);
	CU_ASSERT_EQUAL(code, WSF_CLOSE_PROTOCOL);
	CU_ASSERT_EQUAL(dec(buf, n, false, &h, &code), CODEC_OK);
	n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, 30, key_rfc);
	CU_ASSERT_EQUAL(dec(buf, n, false, &h, &code), CODEC_MALFORMED);
	CU_ASSERT_EQUAL(code, WSF_CLOSE_PROTOCOL);
	CU_ASSERT_EQUAL(dec(buf, n, true, &h, &code), CODEC_OK);
	/* The role check comes before the length: 2 octets are enough. */
	n = wsf_encode_hdr(buf, true, WSF_OP_BINARY, 70000, NULL);
	CU_ASSERT_EQUAL(dec(buf, 2, true, &h, &code), CODEC_MALFORMED);
}

static void
test_header_refusals(void)
{
	static const struct {
		uint8_t		b[10];
		size_t		len;
		uint16_t	code;
	} bad[] = {
		{ { 0xC2, 0x00 }, 2, 1002 },		/* RSV1 */
		{ { 0xA2, 0x00 }, 2, 1002 },		/* RSV2 */
		{ { 0x92, 0x00 }, 2, 1002 },		/* RSV3 */
		{ { 0x83, 0x00 }, 2, 1002 },		/* opcode 3 */
		{ { 0x8B, 0x00 }, 2, 1002 },		/* opcode 0xB */
		{ { 0x08, 0x00 }, 2, 1002 },		/* close, FIN 0 */
		{ { 0x09, 0x00 }, 2, 1002 },		/* ping, FIN 0 */
		{ { 0x89, 0x7E, 0x00, 0x7E }, 4, 1002 },	/* ping 126 */
		{ { 0x82, 0x7E, 0x00, 0x7D }, 4, 1002 },	/* 125 in 16 */
		{ { 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF }, 10, 1002 },
		{ { 0x82, 0x7F, 0x80, 0, 0, 0, 0, 1, 0, 0 }, 10, 1002 },
		{ { 0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0x10, 0 }, 10, 1009 },
		{ { 0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0 }, 10, 1009 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct wsf_hdr h;
		uint16_t code;

		CU_ASSERT_EQUAL(dec(bad[i].b, bad[i].len, false, &h, &code),
		    CODEC_MALFORMED);
		CU_ASSERT_EQUAL(code, bad[i].code);
		if (code != bad[i].code)
			fprintf(stderr, "case %zu: code %u\n", i, code);
	}
}

/* Word-wise masking equals the byte-wise definition at any offset. */
static void
test_mask_wordwise(void)
{
	uint8_t src[300], ref[300], out[300], inplace[300];
	size_t len, pos, i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (len = 0; len < 40; len++) {
		for (pos = 0; pos < 8; pos++) {
			for (i = 0; i < len; i++)
				ref[i] = src[i] ^ key_rfc[(pos + i) % 4];
			wsf_mask(out, src, len, key_rfc, pos);
			UT_ASSERT_BYTES(out, len, ref, len);
			memcpy(inplace, src, len);
			wsf_mask(inplace, inplace, len, key_rfc, pos);
			UT_ASSERT_BYTES(inplace, len, ref, len);
			wsf_mask(inplace, inplace, len, key_rfc, pos);
			UT_ASSERT_BYTES(inplace, len, src, len);
		}
	}
	/* Unaligned source and destination, long run. */
	for (i = 0; i < 297; i++)
		ref[i] = src[i + 1] ^ key_rfc[(5 + i) % 4];
	wsf_mask(out + 3, src + 1, 297 - 3, key_rfc, 5);
	UT_ASSERT_BYTES(out + 3, 297 - 3, ref, 297 - 3);
}

static void
test_close_decode(void)
{
	static const uint8_t normal[] = { 0x03, 0xE8, 'b', 'y', 'e' };
	static const uint8_t utf8[] = { 0x03, 0xE9, 0xC3, 0xA9, 0xE2, 0x82,
	    0xAC, 0xF0, 0x9F, 0x98, 0x80 };
	static const uint8_t not_utf8[] = { 0x03, 0xE8, 0xC0, 0xAF };
	static const uint16_t refused[] = { 0, 999, 1004, 1005, 1006, 1015,
	    1016, 2999, 5000, 65535 };
	static const uint16_t allowed[] = { 1000, 1001, 1002, 1003, 1007,
	    1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999 };
	const uint8_t *reason = NULL;
	size_t rlen = 99, i;
	uint16_t st = 0, code = 0;
	const char *why = NULL;
	uint8_t b[2] = { 0, 0 };

	CU_ASSERT_EQUAL(wsf_close_decode(b, 0, &st, &reason, &rlen, &code,
	    &why), CODEC_OK);
	CU_ASSERT_EQUAL(st, WSF_CLOSE_NO_STATUS);
	CU_ASSERT_EQUAL(rlen, 0);
	CU_ASSERT_EQUAL(wsf_close_decode(normal, 1, &st, &reason, &rlen,
	    &code, &why), CODEC_MALFORMED);
	CU_ASSERT_EQUAL(code, 1002);
	CU_ASSERT_EQUAL(wsf_close_decode(normal, sizeof(normal), &st, &reason,
	    &rlen, &code, &why), CODEC_OK);
	CU_ASSERT_EQUAL(st, 1000);
	UT_ASSERT_BYTES(reason, rlen, "bye", 3);
	CU_ASSERT_EQUAL(wsf_close_decode(utf8, sizeof(utf8), &st, &reason,
	    &rlen, &code, &why), CODEC_OK);
	CU_ASSERT_EQUAL(st, 1001);
	CU_ASSERT_EQUAL(rlen, sizeof(utf8) - 2);
	code = 0;
	CU_ASSERT_EQUAL(wsf_close_decode(not_utf8, sizeof(not_utf8), &st,
	    &reason, &rlen, &code, &why), CODEC_MALFORMED);
	CU_ASSERT_EQUAL(code, 1007);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		b[0] = (uint8_t)(refused[i] >> 8);
		b[1] = (uint8_t)refused[i];
		code = 0;
		CU_ASSERT_EQUAL(wsf_close_decode(b, 2, &st, &reason, &rlen,
		    &code, &why), CODEC_MALFORMED);
		CU_ASSERT_EQUAL(code, 1002);
		CU_ASSERT_FALSE(wsf_close_status_is_valid(refused[i]));
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		b[0] = (uint8_t)(allowed[i] >> 8);
		b[1] = (uint8_t)allowed[i];
		CU_ASSERT_EQUAL(wsf_close_decode(b, 2, &st, &reason, &rlen,
		    &code, &why), CODEC_OK);
		CU_ASSERT_EQUAL(st, allowed[i]);
	}
}

static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		bool		 ok;
	} c[] = {
		{ "", true }, { "plain", true }, { "\xC3\xA9", true },
		{ "\xE2\x82\xAC", true }, { "\xF4\x8F\xBF\xBF", true },
		{ "\xC0\xAF", false },		/* overlong '/' */
		{ "\xE0\x80\xAF", false },	/* overlong */
		{ "\xED\xA0\x80", false },	/* surrogate */
		{ "\xF4\x90\x80\x80", false },	/* above U+10FFFF */
		{ "\xF5\x80\x80\x80", false },
		{ "\xC3", false },		/* truncated */
		{ "\xE2\x82", false },
		{ "\x80", false },		/* lone continuation */
		{ "\xC3\x28", false },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CU_ASSERT_EQUAL(wsf_utf8_is_valid((const uint8_t *)c[i].s,
		    strlen(c[i].s)), c[i].ok);
}

static struct wsf_hdr
mkhdr(bool fin, uint8_t op, uint64_t len)
{
	struct wsf_hdr h;

	memset(&h, 0, sizeof(h));
	h.fin = fin;
	h.opcode = op;
	h.payload_len = len;
	h.hdr_len = wsf_hdr_len(len, false);
	return h;
}

static enum wsf_verdict
step(struct wsf_rx *rx, bool fin, uint8_t op, uint64_t len,
    struct wsf_step *st)
{
	struct wsf_hdr h = mkhdr(fin, op, len);

	return wsf_rx_step(rx, &h, st);
}

/* Fragments with control frames between them, offsets and completion. */
static void
test_rx_fragmentation(void)
{
	struct wsf_rx rx;
	struct wsf_step st;

	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 30, &st), WSF_V_MSG);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 10, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(st.offset, 0);
	CU_ASSERT_FALSE(st.complete);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_PING, 4, &st), WSF_V_PING);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_CONT, 0, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(st.offset, 10);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_PONG, 0, &st), WSF_V_PONG);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_CONT, 20, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(st.offset, 10);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_CONT, 5, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(st.offset, 30);
	CU_ASSERT_TRUE(st.complete);
	CU_ASSERT_EQUAL(st.msg_len, 35);
	/* Back to single frames; a close in the middle of nothing. */
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 1000, &st), WSF_V_MSG);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_CLOSE, 2, &st), WSF_V_CLOSE);
}

static void
test_rx_sequence_errors(void)
{
	struct wsf_rx rx;
	struct wsf_step st;

	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_CONT, 3, &st), WSF_V_FAIL);
	CU_ASSERT_EQUAL(st.close_code, 1002);
	CU_ASSERT_PTR_NOT_NULL(st.why);
	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 3, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 3, &st), WSF_V_FAIL);
	CU_ASSERT_EQUAL(st.close_code, 1002);
	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 3, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_TEXT, 3, &st), WSF_V_FAIL);
	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_TEXT, 3, &st), WSF_V_TEXT);
	wsf_rx_init(&rx, 1000, 2000);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_TEXT, 3, &st), WSF_V_TEXT);
}

/* Above max_msg: discarded (counted once); above the cap: 1009. */
static void
test_rx_oversize(void)
{
	struct wsf_rx rx;
	struct wsf_step st;

	wsf_rx_init(&rx, 100, 300);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 100, &st), WSF_V_MSG);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 101, &st), WSF_V_SKIP);
	CU_ASSERT_TRUE(st.oversize);
	/* A fragmented message crossing max_msg in its second frame. */
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 60, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_CONT, 60, &st), WSF_V_SKIP);
	CU_ASSERT_FALSE(st.oversize);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_PING, 0, &st), WSF_V_PING);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_CONT, 1, &st), WSF_V_SKIP);
	CU_ASSERT_TRUE(st.oversize);
	/* The connection goes on with the next message. */
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 50, &st), WSF_V_FRAG);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_CONT, 50, &st), WSF_V_FRAG);
	CU_ASSERT_TRUE(st.complete);
	CU_ASSERT_EQUAL(st.msg_len, 100);
	/* Fragments adding up beyond the cap. */
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_BINARY, 200, &st), WSF_V_SKIP);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_CONT, 100, &st), WSF_V_SKIP);
	CU_ASSERT_EQUAL(step(&rx, false, WSF_OP_CONT, 1, &st), WSF_V_FAIL);
	CU_ASSERT_EQUAL(st.close_code, 1009);
	/* A cap below max_msg is raised to it. */
	wsf_rx_init(&rx, 500, 10);
	CU_ASSERT_EQUAL(step(&rx, true, WSF_OP_BINARY, 500, &st), WSF_V_MSG);
}

/*
 * A whole stream through the codec as the transport reads it: frames
 * built with the encoder (masked, as from a client), split at every
 * position into two reads; messages reassembled, pings seen.
 */
struct sink {
	uint8_t		msg[256];
	size_t		msgs, pings, last_len;
	uint8_t		asm_buf[256];
	uint16_t	close_status;
};

static size_t
put_frame(uint8_t *out, bool fin, uint8_t op, const char *p, size_t len)
{
	size_t n = wsf_encode_hdr(out, fin, op, len, key_rfc);

	wsf_mask(out + n, (const uint8_t *)p, len, key_rfc, 0);
	return n + len;
}

/* Consume complete frames from buf; return octets consumed or -1. */
static long
feed(struct wsf_rx *rx, uint8_t *buf, size_t len, struct sink *s)
{
	size_t off = 0;

	for (;;) {
		struct wsf_hdr h;
		struct wsf_step st;
		uint16_t code, status;
		const char *why;
		const uint8_t *reason;
		size_t rlen;
		uint8_t *p;

		switch (wsf_decode_hdr(buf + off, len - off, true, 200, &h,
		    &code, &why)) {
		case CODEC_OK:
			break;
		case CODEC_SHORT:
			return (long)off;
		case CODEC_MALFORMED:
		case CODEC_UNSUPPORTED:
			return -1;
		}
		if (len - off - h.hdr_len < h.payload_len)
			return (long)off;
		p = buf + off + h.hdr_len;
		wsf_mask(p, p, (size_t)h.payload_len, h.mask, 0);
		switch (wsf_rx_step(rx, &h, &st)) {
		case WSF_V_MSG:
			memcpy(s->msg, p, (size_t)h.payload_len);
			s->last_len = (size_t)h.payload_len;
			s->msgs++;
			break;
		case WSF_V_FRAG:
			memcpy(s->asm_buf + st.offset, p,
			    (size_t)h.payload_len);
			if (st.complete) {
				memcpy(s->msg, s->asm_buf, st.msg_len);
				s->last_len = st.msg_len;
				s->msgs++;
			}
			break;
		case WSF_V_PING:
			s->pings++;
			break;
		case WSF_V_CLOSE:
			if (wsf_close_decode(p, (size_t)h.payload_len, &status,
			    &reason, &rlen, &code, &why) != CODEC_OK)
				return -1;
			s->close_status = status;
			break;
		case WSF_V_SKIP:
		case WSF_V_PONG:
			break;
		case WSF_V_TEXT:
		case WSF_V_FAIL:
			return -1;
		}
		off += h.hdr_len + (size_t)h.payload_len;
	}
}

static void
test_stream_splits(void)
{
	uint8_t stream[512], work[512];
	size_t len = 0, cut;

	len += put_frame(stream + len, false, WSF_OP_BINARY, "Hel", 3);
	len += put_frame(stream + len, true, WSF_OP_PING, "hb", 2);
	len += put_frame(stream + len, false, WSF_OP_CONT, "lo, ", 4);
	len += put_frame(stream + len, true, WSF_OP_PONG, "", 0);
	len += put_frame(stream + len, true, WSF_OP_CONT, "world", 5);
	len += put_frame(stream + len, true, WSF_OP_BINARY, "single", 6);
	len += put_frame(stream + len, true, WSF_OP_CLOSE, "\x03\xe8", 2);
	for (cut = 0; cut <= len; cut++) {
		struct wsf_rx rx;
		struct sink s;
		long used, used2;

		memset(&s, 0, sizeof(s));
		wsf_rx_init(&rx, 100, 200);
		memcpy(work, stream, len);
		/* First read: cut octets; second read: the rest. */
		used = feed(&rx, work, cut, &s);
		CU_ASSERT_TRUE(used >= 0);
		if (used < 0)
			return;
		used2 = feed(&rx, work + used, len - (size_t)used, &s);
		CU_ASSERT_EQUAL((size_t)(used + used2), len);
		CU_ASSERT_EQUAL(s.msgs, 2);
		CU_ASSERT_EQUAL(s.pings, 1);
		CU_ASSERT_EQUAL(s.close_status, 1000);
		UT_ASSERT_BYTES(s.msg, s.last_len, "single", 6);
	}
	{
		struct wsf_rx rx;
		struct sink s;

		memset(&s, 0, sizeof(s));
		wsf_rx_init(&rx, 100, 200);
		memcpy(work, stream, len);
		/* Up to the end of the fragmented message only. */
		CU_ASSERT_TRUE(feed(&rx, work, len - 12 - 8, &s) > 0);
		UT_ASSERT_BYTES(s.msg, s.last_len, "Hello, world", 12);
	}
}

static const struct ut_case cases[] = {
	UT_CASE(test_rfc_examples),
	UT_CASE(test_lengths_roundtrip),
	UT_CASE(test_masking_roles),
	UT_CASE(test_header_refusals),
	UT_CASE(test_mask_wordwise),
	UT_CASE(test_close_decode),
	UT_CASE(test_utf8),
	UT_CASE(test_rx_fragmentation),
	UT_CASE(test_rx_sequence_errors),
	UT_CASE(test_rx_oversize),
	UT_CASE(test_stream_splits),
	UT_END
};
UT_SUITE(ws_frame, cases);
