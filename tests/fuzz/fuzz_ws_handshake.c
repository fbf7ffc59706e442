/*
 * Fuzz the WebSocket Upgrade codec: parse the input as a request and as a
 * response; whatever parses must satisfy the documented guarantees, and a
 * request that parses must round-trip through the builders.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc/ws_handshake_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char accept_val[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

static void
check_request(const char *buf, size_t len, const char *proto)
{
	struct wsh_request r;
	const char *why = NULL;
	int status = 0;
	enum codec_rc rc;
	char host[300], target[300], out[2048];
	struct wr w;

	rc = wsh_parse_request(buf, len, proto, &r, &status, &why);
	if (rc == CODEC_MALFORMED || rc == CODEC_UNSUPPORTED) {
		if (why == NULL || (status != 400 && status != 426))
			abort();
		return;
	}
	if (rc != CODEC_OK)
		return;
	if (!wsh_key_is_valid(r.key, strlen(r.key)) || r.target_len == 0 ||
	    r.target < buf || r.target + r.target_len > buf + len ||
	    r.host < buf || r.host + r.host_len > buf + len)
		abort();
	/* Rebuild and parse again: same key, target and host. */
	if (r.host_len >= sizeof(host) || r.target_len >= sizeof(target))
		abort();
	memcpy(host, r.host, r.host_len);
	host[r.host_len] = '\0';
	memcpy(target, r.target, r.target_len);
	target[r.target_len] = '\0';
	wr_init(&w, out, sizeof(out));
	if (wsh_build_request(&w, host, target, r.key, proto) != 0)
		abort();
	{
		struct wsh_request r2;

		if (wsh_parse_request(out, w.len, proto, &r2, NULL, NULL) !=
		    CODEC_OK || strcmp(r2.key, r.key) != 0 ||
		    r2.host_len != r.host_len || r2.target_len != r.target_len)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wsh_response resp;
	size_t end;

	if (size > 16384)
		return 0;
	end = wsh_header_end(buf, size);
	if (end > size)
		abort();
	/* The codec parses exactly one header block. */
	if (end > 0) {
		check_request(buf, end, "hub.bsc.bacnet.org");
		check_request(buf, end, "dc.bsc.bacnet.org");
		(void)wsh_parse_response(buf, end, accept_val,
		    "hub.bsc.bacnet.org", &resp, NULL);
	} else {
		struct wsh_request r;

		if (wsh_parse_request(buf, size, "hub.bsc.bacnet.org", &r,
		    NULL, NULL) != CODEC_SHORT)
			abort();
	}
	(void)wsh_key_is_valid(buf, size);
	return 0;
}
