/* WebSocket Upgrade codec: requests, responses, builders, accept key. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sc/ws_handshake.h"
#include "sc/ws_handshake_codec.h"
#include "tests/unit/harness.h"

#define HUB "hub.bsc.bacnet.org"
#define DC "dc.bsc.bacnet.org"
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACC "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char good_req[] =
    "GET /sc/hub HTTP/1.1\r\n"
    "Host: hub.example:4443\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: " KEY "\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: " HUB "\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
    "\r\n";

static const char good_resp[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " ACC "\r\n"
    "Sec-WebSocket-Protocol: " HUB "\r\n"
    "\r\n";

static enum codec_rc
parse_req(const char *s, const char *proto, int *status)
{
	struct wsh_request r;

	*status = 0;
	return wsh_parse_request(s, strlen(s), proto, &r, status, NULL);
}

static void
test_accept_rfc6455(void)
{
	char out[WSH_ACCEPT_LEN + 1];

	/* The example of RFC 6455 section 1.3. */
	CU_ASSERT_EQUAL_FATAL(ws_handshake_accept(KEY, out), 0);
	CU_ASSERT_STRING_EQUAL(out, ACC);
	CU_ASSERT_EQUAL(ws_handshake_accept("short", out), -1);
}

static void
test_new_key(void)
{
	char a[WSH_KEY_LEN + 1], b[WSH_KEY_LEN + 1];

	CU_ASSERT_EQUAL_FATAL(ws_handshake_new_key(a), 0);
	CU_ASSERT_EQUAL_FATAL(ws_handshake_new_key(b), 0);
	CU_ASSERT_TRUE(wsh_key_is_valid(a, strlen(a)));
	CU_ASSERT_TRUE(wsh_key_is_valid(b, strlen(b)));
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

static void
test_key_valid(void)
{
	CU_ASSERT_TRUE(wsh_key_is_valid(KEY, 24));
	CU_ASSERT_TRUE(wsh_key_is_valid("AAAAAAAAAAAAAAAAAAAAAA==", 24));
	/* 'R' leaves non-zero padding bits: not 16 octets exactly. */
	CU_ASSERT_FALSE(wsh_key_is_valid("dGhlIHNhbXBsZSBub25jZR==", 24));
	CU_ASSERT_FALSE(wsh_key_is_valid("dGhlIHNhbXBsZSBub25jZQ=", 23));
	CU_ASSERT_FALSE(wsh_key_is_valid("dGhlIHNhbXBsZSBub25jZQAA", 24));
	CU_ASSERT_FALSE(wsh_key_is_valid("dGhlIHNhbXBsZSBub25j*Q==", 24));
}

static void
test_request_ok(void)
{
	struct wsh_request r;

	CU_ASSERT_EQUAL_FATAL(wsh_parse_request(good_req, strlen(good_req),
	    HUB, &r, NULL, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(r.target_len, 7);
	CU_ASSERT_EQUAL(memcmp(r.target, "/sc/hub", 7), 0);
	CU_ASSERT_EQUAL(r.host_len, 16);
	CU_ASSERT_EQUAL(memcmp(r.host, "hub.example:4443", 16), 0);
	CU_ASSERT_STRING_EQUAL(r.key, KEY);
}

static void
test_request_prefixes_short(void)
{
	size_t n = strlen(good_req), i;
	int status;

	for (i = 0; i < n; i++) {
		struct wsh_request r;

		CU_ASSERT_EQUAL(wsh_header_end(good_req, i), 0);
		CU_ASSERT_EQUAL(wsh_parse_request(good_req, i, HUB, &r,
		    &status, NULL), CODEC_SHORT);
	}
	CU_ASSERT_EQUAL(wsh_header_end(good_req, n), n);
}

struct mut {
	const char	*from;	/* replace this text of good_req ... */
	const char	*to;	/* ... with this */
	enum codec_rc	 rc;
	int		 status;
};

static const struct mut muts[] = {
	{ "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8",
	    CODEC_MALFORMED, 426 },
	{ "Sec-WebSocket-Version: 13\r\n", "", CODEC_MALFORMED, 426 },
	{ "Sec-WebSocket-Key: " KEY "\r\n", "", CODEC_MALFORMED, 400 },
	{ KEY, "dGhlIHNhbXBsZSBub25jZR==", CODEC_MALFORMED, 400 },
	{ "Host: hub.example:4443\r\n", "", CODEC_MALFORMED, 400 },
	{ "Host: hub.example:4443\r\n", "Host: a\r\nHost: b\r\n",
	    CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket", "Upgrade: h2c", CODEC_MALFORMED, 400 },
	{ "keep-alive, Upgrade", "keep-alive", CODEC_MALFORMED, 400 },
	{ "GET /sc/hub HTTP/1.1", "GET /sc/hub HTTP/1.0", CODEC_MALFORMED,
	    400 },
	{ "GET /sc/hub", "POST /sc/hub", CODEC_MALFORMED, 400 },
	{ "GET /sc/hub", "GET sc/hub", CODEC_MALFORMED, 400 },
	{ "GET /sc/hub", "GET /sc hub", CODEC_MALFORMED, 400 },
	{ "GET /sc/hub", "GET /sc/hub#x", CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket\r\n", "Upgrade: websocket\r\n folded\r\n",
	    CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket\r\n", "Upgrade: websocket\n", CODEC_MALFORMED,
	    400 },
	{ "Upgrade: websocket\r\n", "Upgrade : websocket\r\n",
	    CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket\r\n", "Upgrade: web\001socket\r\n",
	    CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket\r\n", "Upgrade: websocket\r\nContent-Length: 0"
	    "\r\n", CODEC_MALFORMED, 400 },
	{ "Upgrade: websocket\r\n", "Upgrade: websocket\r\nTransfer-Encoding:"
	    " chunked\r\n", CODEC_MALFORMED, 400 },
	{ "Sec-WebSocket-Protocol: " HUB "\r\n", "", CODEC_UNSUPPORTED, 400 },
	{ "Sec-WebSocket-Protocol: " HUB, "Sec-WebSocket-Protocol: " DC,
	    CODEC_UNSUPPORTED, 400 },
	{ "Sec-WebSocket-Protocol: " HUB, "Sec-WebSocket-Protocol: " DC ", "
	    HUB, CODEC_UNSUPPORTED, 400 },
	{ "Sec-WebSocket-Protocol: " HUB, "Sec-WebSocket-Protocol: HUB.bsc."
	    "bacnet.org", CODEC_UNSUPPORTED, 400 },
	{ "Sec-WebSocket-Protocol: " HUB "\r\n", "Sec-WebSocket-Protocol: "
	    HUB "\r\nSec-WebSocket-Protocol: " HUB "\r\n", CODEC_UNSUPPORTED,
	    400 },
	/* Accepted variations: case, spacing, list order. */
	{ "Upgrade: websocket", "uPGRADE:   WebSocket  ", CODEC_OK, 0 },
	{ "Connection: keep-alive, Upgrade", "connection:upgrade,,close",
	    CODEC_OK, 0 },
};

static void
test_request_mutations(void)
{
	size_t i;

	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		char buf[2048];
		const char *at = strstr(good_req, muts[i].from);
		size_t pre;
		int status;
		enum codec_rc rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		pre = (size_t)(at - good_req);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, good_req,
		    muts[i].to, at + strlen(muts[i].from));
		rc = parse_req(buf, HUB, &status);
		if (rc != muts[i].rc || status != muts[i].status)
			fprintf(stderr, "\nmutation %zu: rc %d status %d\n",
			    i, (int)rc, status);
		CU_ASSERT_EQUAL(rc, muts[i].rc);
		CU_ASSERT_EQUAL(status, muts[i].status);
	}
}

static void
test_request_too_many_fields(void)
{
	char buf[8192];
	struct wr w;
	int i, status;

	wr_init(&w, buf, sizeof(buf));
	wr_bytes(&w, good_req, strlen(good_req) - 2);
	for (i = 0; i < WSH_MAX_FIELDS; i++)
		wr_bytes(&w, "X-A: b\r\n", 8);
	wr_bytes(&w, "\r\n", 3);	/* with the NUL */
	CU_ASSERT_EQUAL_FATAL(wr_status(&w), 0);
	CU_ASSERT_EQUAL(parse_req(buf, HUB, &status), CODEC_MALFORMED);
}

static void
test_request_build_roundtrip(void)
{
	char buf[1024];
	struct wsh_request r;
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(wsh_build_request(&w, "[::1]:4443", "/x?y=1",
	    KEY, DC), 0);
	CU_ASSERT_EQUAL_FATAL(wsh_parse_request(buf, w.len, DC, &r, NULL,
	    NULL), CODEC_OK);
	CU_ASSERT_EQUAL(r.host_len, 10);
	CU_ASSERT_EQUAL(memcmp(r.host, "[::1]:4443", 10), 0);
	CU_ASSERT_EQUAL(r.target_len, 6);
	CU_ASSERT_STRING_EQUAL(r.key, KEY);
	/* The hub listener refuses the dc subprotocol. */
	CU_ASSERT_EQUAL(wsh_parse_request(buf, w.len, HUB, &r, NULL, NULL),
	    CODEC_UNSUPPORTED);
	/* Injection of CR/LF is refused; so is a too small buffer. */
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(wsh_build_request(&w, "a\r\nX: y", "/", KEY, HUB), -1);
	wr_init(&w, buf, 20);
	CU_ASSERT_EQUAL(wsh_build_request(&w, "a", "/", KEY, HUB), -1);
}

static void
test_response_ok_and_build(void)
{
	struct wsh_response resp;
	char buf[512];
	struct wr w;

	CU_ASSERT_EQUAL(wsh_parse_response(good_resp, strlen(good_resp), ACC,
	    HUB, &resp, NULL), CODEC_OK);
	CU_ASSERT_EQUAL(resp.status, 101);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(wsh_build_response(&w, ACC, HUB), 0);
	UT_ASSERT_BYTES(buf, w.len, good_resp, strlen(good_resp) -
	    0);
}

static const struct mut rmuts[] = {
	{ ACC, "s3pPLMBiTxaQ9kYGzzhZRbK+xOp=", CODEC_MALFORMED, 0 },
	{ "Sec-WebSocket-Protocol: " HUB "\r\n", "", CODEC_MALFORMED, 0 },
	{ "Sec-WebSocket-Protocol: " HUB, "Sec-WebSocket-Protocol: " DC,
	    CODEC_MALFORMED, 0 },
	{ "Upgrade: websocket\r\n", "", CODEC_MALFORMED, 0 },
	{ "Connection: Upgrade\r\n", "Connection: close\r\n",
	    CODEC_MALFORMED, 0 },
	{ "Upgrade: websocket\r\n", "Upgrade: websocket\r\n"
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n",
	    CODEC_MALFORMED, 0 },
	{ "HTTP/1.1 101 Switching", "HTTP/1.1 10x Switching",
	    CODEC_MALFORMED, 0 },
	{ "HTTP/1.1 101 Switching", "HTTP/1.0 101 Switching",
	    CODEC_MALFORMED, 0 },
	{ "HTTP/1.1 101 Switching", "HTTP/1.1 400 Switching",
	    CODEC_UNSUPPORTED, 400 },
};

static void
test_response_mutations(void)
{
	size_t i;

	for (i = 0; i < sizeof(rmuts) / sizeof(rmuts[0]); i++) {
		char buf[2048];
		const char *at = strstr(good_resp, rmuts[i].from);
		struct wsh_response resp = { 0 };
		const char *why = NULL;
		enum codec_rc rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		snprintf(buf, sizeof(buf), "%.*s%s%s",
		    (int)(at - good_resp), good_resp, rmuts[i].to,
		    at + strlen(rmuts[i].from));
		rc = wsh_parse_response(buf, strlen(buf), ACC, HUB, &resp,
		    &why);
		CU_ASSERT_EQUAL(rc, rmuts[i].rc);
		CU_ASSERT_PTR_NOT_NULL(why);
		if (rc == CODEC_UNSUPPORTED)
			CU_ASSERT_EQUAL(resp.status, rmuts[i].status);
	}
}

static void
test_build_error(void)
{
	char buf[256];
	struct wr w;
	struct wsh_response resp;

	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(wsh_build_error(&w, 426), 0);
	buf[w.len] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Sec-WebSocket-Version: 13\r\n"));
	CU_ASSERT_EQUAL(wsh_parse_response(buf, w.len, ACC, HUB, &resp, NULL),
	    CODEC_UNSUPPORTED);
	CU_ASSERT_EQUAL(resp.status, 426);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(wsh_build_error(&w, 431), 0);
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(wsh_build_error(&w, 200), -1);
}

static const struct ut_case cases[] = {
	UT_CASE(test_accept_rfc6455),
	UT_CASE(test_new_key),
	UT_CASE(test_key_valid),
	UT_CASE(test_request_ok),
	UT_CASE(test_request_prefixes_short),
	UT_CASE(test_request_mutations),
	UT_CASE(test_request_too_many_fields),
	UT_CASE(test_request_build_roundtrip),
	UT_CASE(test_response_ok_and_build),
	UT_CASE(test_response_mutations),
	UT_CASE(test_build_error),
	UT_END
};
UT_SUITE(ws_handshake, cases);
