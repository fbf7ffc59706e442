/* wss:// URI parser (pure). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sc/sc_uri.h"

static char
uri_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
uri_prefix_ci(const char *s, const char *pre)
{
	for (; *pre != '\0'; s++, pre++)
		if (uri_lower(*s) != *pre)
			return false;
	return true;
}

static bool
uri_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
uri_is_hex(char c)
{
	return uri_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static bool
uri_is_alnum(char c)
{
	return uri_is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Dotted quad, four decimal parts 0..255 without leading zeros. */
static bool
uri_is_ipv4(const char *h, size_t len)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, nd = 0;

		if (part > 0) {
			if (i >= len || h[i] != '.')
				return false;
			i++;
		}
		while (i < len && uri_is_digit(h[i])) {
			v = v * 10 + (unsigned)(h[i] - '0');
			if (++nd > 3 || v > 255)
				return false;
			i++;
		}
		if (nd == 0 || (nd > 1 && h[i - nd] == '0'))
			return false;
	}
	return i == len;
}

/*
 * IPv6 text: hex groups of at most 4 digits separated by ':', at most one
 * "::", optional trailing dotted quad.  The exact address is checked later
 * by inet_pton in the glue; this only keeps junk out.
 */
static bool
uri_is_ipv6(const char *h, size_t len)
{
	size_t i = 0, groups = 0, run = 0;
	bool dbl = false;

	if (len < 2)
		return false;
	if (h[0] == ':' && h[1] != ':')
		return false;
	while (i < len) {
		if (h[i] == ':') {
			if (i + 1 < len && h[i + 1] == ':') {
				if (dbl)
					return false;
				dbl = true;
				i += 2;
			} else {
				if (i + 1 == len)
					return false;
				i++;
			}
			continue;
		}
		run = 0;
		while (i + run < len && uri_is_hex(h[i + run]))
			run++;
		if (i + run < len && h[i + run] == '.') {
			size_t rest = len - i;

			return uri_is_ipv4(h + i, rest) && groups <= 6 &&
			    (dbl || groups == 6);
		}
		if (run == 0 || run > 4)
			return false;
		groups++;
		i += run;
	}
	return groups <= 8 && (dbl ? groups < 8 : groups == 8);
}

/* DNS name: labels of 1..63 letters, digits and '-', not at the ends. */
static bool
uri_is_dns_name(const char *h, size_t len)
{
	size_t i, lab = 0;

	if (len == 0 || len > SC_URI_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = h[i];

		if (c == '.') {
			if (lab == 0 || h[i - 1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!uri_is_alnum(c) && !(c == '-' && lab > 0) && c != '_')
			return false;
		if (++lab > 63)
			return false;
	}
	return lab > 0 ? h[len - 1] != '-' : true;
}

static int
uri_parse_port(const char *p, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (!uri_is_digit(p[i]))
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static bool
uri_path_ok(const char *p)
{
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '#')
			return false;
	}
	return true;
}

#define URI_FAIL(reason)						\
	do {								\
		if (why != NULL)					\
			*why = (reason);				\
		return -1;						\
	} while (0)

int
sc_uri_parse(const char *s, struct sc_uri *out, const char **why)
{
	struct sc_uri u;
	const char *auth, *end, *host, *hend, *path;
	size_t hlen;

	memset(&u, 0, sizeof(u));
	if (s == NULL)
		URI_FAIL("no URI");
	if (uri_prefix_ci(s, "wss://")) {
		u.tls = true;
		auth = s + 6;
	} else if (uri_prefix_ci(s, "ws://")) {
		auth = s + 5;
	} else {
		URI_FAIL("scheme must be wss:// (or ws:// for tests)");
	}
	path = strchr(auth, '/');
	end = path != NULL ? path : auth + strlen(auth);
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		URI_FAIL("user info is not allowed");
	if (strchr(s, '#') != NULL)
		URI_FAIL("fragment is not allowed");
	if (strchr(auth, '?') != NULL && (path == NULL ||
	    strchr(auth, '?') < path))
		URI_FAIL("query needs a path");
	if (auth[0] == '[') {
		host = auth + 1;
		hend = memchr(host, ']', (size_t)(end - host));
		if (hend == NULL)
			URI_FAIL("unterminated IPv6 literal");
		hlen = (size_t)(hend - host);
		if (memchr(host, '%', hlen) != NULL)
			URI_FAIL("IPv6 zone identifiers are not supported");
		if (!uri_is_ipv6(host, hlen))
			URI_FAIL("bad IPv6 literal");
		u.host_kind = SC_URI_HOST_IPV6;
		hend++;
	} else {
		host = auth;
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL)
			hend = end;
		hlen = (size_t)(hend - host);
		if (hlen == 0)
			URI_FAIL("no host");
		if (uri_is_ipv4(host, hlen))
			u.host_kind = SC_URI_HOST_IPV4;
		else if (uri_is_dns_name(host, hlen))
			u.host_kind = SC_URI_HOST_NAME;
		else
			URI_FAIL("bad host name");
	}
	if (hlen > SC_URI_HOST_MAX)
		URI_FAIL("host name too long");
	memcpy(u.host, host, hlen);
	u.host[hlen] = '\0';
	if (hend < end) {
		if (*hend != ':' ||
		    uri_parse_port(hend + 1, (size_t)(end - hend - 1),
		    &u.port) != 0)
			URI_FAIL("port must be a number 1..65535");
		u.port_given = true;
	} else {
		u.port = u.tls ? 443 : 80;
	}
	if (path == NULL) {
		strcpy(u.path, "/");
	} else {
		if (strlen(path) > SC_URI_PATH_MAX)
			URI_FAIL("path too long");
		if (!uri_path_ok(path))
			URI_FAIL("bad character in path");
		strcpy(u.path, path);
	}
	*out = u;
	return 0;
}

int
sc_uri_host_header(const struct sc_uri *u, char *buf, size_t len)
{
	int n;

	if (u->host_kind == SC_URI_HOST_IPV6) {
		if (u->port_given)
			n = snprintf(buf, len, "[%s]:%u", u->host,
			    (unsigned)u->port);
		else
			n = snprintf(buf, len, "[%s]", u->host);
	} else {
		if (u->port_given)
			n = snprintf(buf, len, "%s:%u", u->host,
			    (unsigned)u->port);
		else
			n = snprintf(buf, len, "%s", u->host);
	}
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}
