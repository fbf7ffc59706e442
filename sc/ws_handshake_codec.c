/* Strict HTTP/1.1 WebSocket Upgrade handshake codec (pure). */
#include "config.h"

#include <string.h>

#include "sc/ws_handshake_codec.h"

struct wsh_line {
	const char	*p;
	size_t		 len;	/* without CRLF */
};

struct wsh_field {
	const char	*name;
	size_t		 name_len;
	const char	*val;	/* OWS trimmed */
	size_t		 val_len;
};

static bool
wsh_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char
wsh_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of p[0..len) with the literal lit. */
static bool
wsh_ci_eq(const char *p, size_t len, const char *lit)
{
	size_t i;

	if (strlen(lit) != len)
		return false;
	for (i = 0; i < len; i++)
		if (wsh_lower(p[i]) != wsh_lower(lit[i]))
			return false;
	return true;
}

size_t
wsh_header_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' &&
		    buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return i + 4;
	return 0;
}

/*
 * Take the next CRLF-ended line from *pos.  A bare CR or LF, or a line
 * running past the end, is malformed (-1).
 */
static int
wsh_next_line(const char *buf, size_t len, size_t *pos, struct wsh_line *l)
{
	size_t i;

	for (i = *pos; i < len; i++) {
		if (buf[i] == '\r') {
			if (i + 1 >= len || buf[i + 1] != '\n')
				return -1;
			l->p = buf + *pos;
			l->len = i - *pos;
			*pos = i + 2;
			return 0;
		}
		if (buf[i] == '\n')
			return -1;
	}
	return -1;
}

/* Split a field line; refuse obs-fold, bad names and control octets. */
static int
wsh_parse_field(const struct wsh_line *l, struct wsh_field *f)
{
	size_t i, n = 0, b, e;

	while (n < l->len && wsh_is_tchar((unsigned char)l->p[n]))
		n++;
	if (n == 0 || n >= l->len || l->p[n] != ':')
		return -1;
	for (i = n + 1; i < l->len; i++) {
		unsigned char c = (unsigned char)l->p[i];

		if (c != '\t' && (c < 0x20 || c >= 0x7f))
			return -1;
	}
	b = n + 1;
	e = l->len;
	while (b < e && (l->p[b] == ' ' || l->p[b] == '\t'))
		b++;
	while (e > b && (l->p[e - 1] == ' ' || l->p[e - 1] == '\t'))
		e--;
	f->name = l->p;
	f->name_len = n;
	f->val = l->p + b;
	f->val_len = e - b;
	return 0;
}

/*
 * Return true if the comma-separated list v[0..len) holds the token tok
 * (case-insensitive).  Empty elements are allowed, as in RFC 9110 lists.
 */
static bool
wsh_list_has(const char *v, size_t len, const char *tok)
{
	size_t i = 0;

	while (i <= len) {
		size_t b = i, e;

		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (b < e && (v[b] == ' ' || v[b] == '\t'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (wsh_ci_eq(v + b, e - b, tok))
			return true;
		i++;
	}
	return false;
}

static int
wsh_b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
wsh_key_is_valid(const char *key, size_t len)
{
	size_t i;
	int last;

	if (len != WSH_KEY_LEN || key[22] != '=' || key[23] != '=')
		return false;
	for (i = 0; i < 22; i++)
		if (wsh_b64_val(key[i]) < 0)
			return false;
	/* 16 octets leave the low 4 bits of the last symbol unused: zero. */
	last = wsh_b64_val(key[21]);
	return (last & 0x0f) == 0;
}

static bool
wsh_target_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > WSH_MAX_TARGET || p[0] != '/')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == '#')
			return false;
	}
	return true;
}

/* Parse "GET SP target SP HTTP/1.1". */
static int
wsh_parse_request_line(const struct wsh_line *l, struct wsh_request *r)
{
	static const char ver[] = " HTTP/1.1";
	const size_t vlen = sizeof(ver) - 1;

	if (l->len < 4 + vlen + 1 || memcmp(l->p, "GET ", 4) != 0)
		return -1;
	if (memcmp(l->p + l->len - vlen, ver, vlen) != 0)
		return -1;
	r->target = l->p + 4;
	r->target_len = l->len - 4 - vlen;
	return wsh_target_ok(r->target, r->target_len) ? 0 : -1;
}

#define WSH_FAIL(st, reason)						\
	do {								\
		status = (st);						\
		reason_s = (reason);					\
		rc = CODEC_MALFORMED;					\
		goto done;						\
	} while (0)

enum codec_rc
wsh_parse_request(const char *buf, size_t len, const char *proto,
    struct wsh_request *out, int *http_status, const char **why)
{
	struct wsh_request r;
	struct wsh_line l;
	struct wsh_field f;
	size_t pos = 0, nfields = 0, end;
	unsigned n_host = 0, n_key = 0, n_ver = 0, n_proto = 0;
	bool upgrade = false, connection = false, proto_ok = false;
	const char *reason_s = NULL;
	enum codec_rc rc = CODEC_OK;
	int status = 0;

	memset(&r, 0, sizeof(r));
	end = wsh_header_end(buf, len);
	if (end == 0)
		return CODEC_SHORT;
	if (end != len)
		WSH_FAIL(400, "data after the header block");
	if (wsh_next_line(buf, len, &pos, &l) != 0 ||
	    wsh_parse_request_line(&l, &r) != 0)
		WSH_FAIL(400, "bad request line");
	for (;;) {
		if (wsh_next_line(buf, len, &pos, &l) != 0)
			WSH_FAIL(400, "bad line end");
		if (l.len == 0)
			break;
		if (++nfields > WSH_MAX_FIELDS)
			WSH_FAIL(400, "too many header fields");
		if (wsh_parse_field(&l, &f) != 0)
			WSH_FAIL(400, "bad header field");
		if (wsh_ci_eq(f.name, f.name_len, "host")) {
			n_host++;
			r.host = f.val;
			r.host_len = f.val_len;
		} else if (wsh_ci_eq(f.name, f.name_len, "upgrade")) {
			upgrade = upgrade ||
			    wsh_list_has(f.val, f.val_len, "websocket");
		} else if (wsh_ci_eq(f.name, f.name_len, "connection")) {
			connection = connection ||
			    wsh_list_has(f.val, f.val_len, "upgrade");
		} else if (wsh_ci_eq(f.name, f.name_len, "sec-websocket-key")) {
			n_key++;
			if (!wsh_key_is_valid(f.val, f.val_len))
				WSH_FAIL(400, "bad Sec-WebSocket-Key");
			memcpy(r.key, f.val, WSH_KEY_LEN);
			r.key[WSH_KEY_LEN] = '\0';
		} else if (wsh_ci_eq(f.name, f.name_len,
		    "sec-websocket-version")) {
			n_ver++;
			if (f.val_len != 2 || memcmp(f.val, "13", 2) != 0)
				WSH_FAIL(426, "unsupported WebSocket version");
		} else if (wsh_ci_eq(f.name, f.name_len,
		    "sec-websocket-protocol")) {
			n_proto++;
			proto_ok = f.val_len == strlen(proto) &&
			    memcmp(f.val, proto, f.val_len) == 0;
		} else if (wsh_ci_eq(f.name, f.name_len, "content-length") ||
		    wsh_ci_eq(f.name, f.name_len, "transfer-encoding")) {
			WSH_FAIL(400, "request has a body");
		}
	}
	if (n_host != 1 || r.host_len == 0)
		WSH_FAIL(400, "need exactly one Host");
	if (!upgrade || !connection)
		WSH_FAIL(400, "not a WebSocket upgrade");
	if (n_key != 1)
		WSH_FAIL(400, "need exactly one Sec-WebSocket-Key");
	if (n_ver != 1)
		WSH_FAIL(426, "need exactly one Sec-WebSocket-Version");
	if (n_proto == 0) {
		status = 400;
		reason_s = "no subprotocol offered";
		rc = CODEC_UNSUPPORTED;
		goto done;
	}
	if (n_proto != 1 || !proto_ok) {
		status = 400;
		reason_s = "wrong subprotocol";
		rc = CODEC_UNSUPPORTED;
		goto done;
	}
	*out = r;
	return CODEC_OK;
done:
	if (http_status != NULL)
		*http_status = status;
	if (why != NULL)
		*why = reason_s;
	return rc;
}

#undef WSH_FAIL

/* Parse "HTTP/1.1 SP 3DIGIT SP reason". */
static int
wsh_parse_status_line(const struct wsh_line *l, int *status)
{
	size_t i;

	if (l->len < 13 || memcmp(l->p, "HTTP/1.1 ", 9) != 0 ||
	    l->p[12] != ' ')
		return -1;
	for (i = 9; i < 12; i++)
		if (l->p[i] < '0' || l->p[i] > '9')
			return -1;
	for (i = 13; i < l->len; i++) {
		unsigned char c = (unsigned char)l->p[i];

		if (c != '\t' && (c < 0x20 || c >= 0x7f))
			return -1;
	}
	*status = (l->p[9] - '0') * 100 + (l->p[10] - '0') * 10 +
	    (l->p[11] - '0');
	return 0;
}

#define WSH_FAIL(reason)						\
	do {								\
		if (why != NULL)					\
			*why = (reason);				\
		return CODEC_MALFORMED;					\
	} while (0)

enum codec_rc
wsh_parse_response(const char *buf, size_t len, const char *accept,
    const char *proto, struct wsh_response *out, const char **why)
{
	struct wsh_line l;
	struct wsh_field f;
	size_t pos = 0, nfields = 0, end;
	unsigned n_accept = 0, n_proto = 0;
	bool upgrade = false, connection = false, accept_ok = false;
	bool proto_ok = false;
	int status;

	end = wsh_header_end(buf, len);
	if (end == 0)
		return CODEC_SHORT;
	if (end != len)
		WSH_FAIL("data after the header block");
	if (wsh_next_line(buf, len, &pos, &l) != 0 ||
	    wsh_parse_status_line(&l, &status) != 0)
		WSH_FAIL("bad status line");
	for (;;) {
		if (wsh_next_line(buf, len, &pos, &l) != 0)
			WSH_FAIL("bad line end");
		if (l.len == 0)
			break;
		if (++nfields > WSH_MAX_FIELDS)
			WSH_FAIL("too many header fields");
		if (wsh_parse_field(&l, &f) != 0)
			WSH_FAIL("bad header field");
		if (status != 101)
			continue;
		if (wsh_ci_eq(f.name, f.name_len, "upgrade")) {
			upgrade = upgrade ||
			    wsh_ci_eq(f.val, f.val_len, "websocket");
		} else if (wsh_ci_eq(f.name, f.name_len, "connection")) {
			connection = connection ||
			    wsh_list_has(f.val, f.val_len, "upgrade");
		} else if (wsh_ci_eq(f.name, f.name_len,
		    "sec-websocket-accept")) {
			n_accept++;
			accept_ok = f.val_len == WSH_ACCEPT_LEN &&
			    memcmp(f.val, accept, WSH_ACCEPT_LEN) == 0;
		} else if (wsh_ci_eq(f.name, f.name_len,
		    "sec-websocket-protocol")) {
			n_proto++;
			proto_ok = f.val_len == strlen(proto) &&
			    memcmp(f.val, proto, f.val_len) == 0;
		} else if (wsh_ci_eq(f.name, f.name_len,
		    "sec-websocket-extensions")) {
			WSH_FAIL("server chose an extension we did not offer");
		}
	}
	if (status != 101) {
		out->status = status;
		if (why != NULL)
			*why = "server refused the upgrade";
		return CODEC_UNSUPPORTED;
	}
	if (!upgrade || !connection)
		WSH_FAIL("101 without Upgrade/Connection");
	if (n_accept != 1 || !accept_ok)
		WSH_FAIL("wrong Sec-WebSocket-Accept");
	if (n_proto != 1 || !proto_ok)
		WSH_FAIL("subprotocol not echoed");
	out->status = status;
	return CODEC_OK;
}

#undef WSH_FAIL

static bool
wsh_str_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

static void
wr_str(struct wr *w, const char *s)
{
	wr_bytes(w, s, strlen(s));
}

int
wsh_build_request(struct wr *w, const char *host_hdr, const char *target,
    const char *key, const char *proto)
{
	if (!wsh_str_ok(host_hdr) || !wsh_str_ok(target) ||
	    !wsh_str_ok(proto) || key == NULL ||
	    !wsh_key_is_valid(key, strlen(key)))
		return -1;
	wr_str(w, "GET ");
	wr_str(w, target);
	wr_str(w, " HTTP/1.1\r\nHost: ");
	wr_str(w, host_hdr);
	wr_str(w, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: ");
	wr_str(w, key);
	wr_str(w, "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ");
	wr_str(w, proto);
	wr_str(w, "\r\n\r\n");
	return wr_status(w);
}

int
wsh_build_response(struct wr *w, const char *accept, const char *proto)
{
	if (!wsh_str_ok(accept) || !wsh_str_ok(proto) ||
	    strlen(accept) != WSH_ACCEPT_LEN)
		return -1;
	wr_str(w, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: ");
	wr_str(w, accept);
	wr_str(w, "\r\nSec-WebSocket-Protocol: ");
	wr_str(w, proto);
	wr_str(w, "\r\n\r\n");
	return wr_status(w);
}

int
wsh_build_error(struct wr *w, int status)
{
	switch (status) {
	case 400:
		wr_str(w, "HTTP/1.1 400 Bad Request\r\n");
		break;
	case 426:
		wr_str(w, "HTTP/1.1 426 Upgrade Required\r\n"
		    "Sec-WebSocket-Version: 13\r\n");
		break;
	case 431:
		wr_str(w, "HTTP/1.1 431 Request Header Fields Too Large\r\n");
		break;
	case 503:
		wr_str(w, "HTTP/1.1 503 Service Unavailable\r\n");
		break;
	default:
		return -1;
	}
	wr_str(w, "Connection: close\r\nContent-Length: 0\r\n\r\n");
	return wr_status(w);
}
