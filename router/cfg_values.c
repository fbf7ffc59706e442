/*
 * Value parsers for configuration settings: addresses, VMACs, UUIDs,
 * URIs, listen addresses, file modes, names.  Pure: no I/O, no logging.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "router/cfg.h"
#include "sc/sc_uri.h"
#include "sc/sc_vmac.h"

/* Parse a decimal number of 1..maxdig digits at *s; advance *s. */
static int
dec_field(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;
	int n = 0;

	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max || ++n > 5)
			return -1;
		p++;
	}
	if (n == 0)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

/* Dotted quad at *s (exactly four decimal fields, no leading zeros). */
static int
ipv4_prefix(const char **s, uint8_t out[4])
{
	const char *p = *s;
	unsigned long v;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (*p != '.')
				return -1;
			p++;
		}
		if (p[0] == '0' && isdigit((unsigned char)p[1]))
			return -1;
		if (dec_field(&p, 255, &v) != 0)
			return -1;
		out[i] = (uint8_t)v;
	}
	*s = p;
	return 0;
}

int
cfg_parse_ipv4(const char *s, uint8_t out[4])
{
	uint8_t a[4];

	if (ipv4_prefix(&s, a) != 0 || *s != '\0')
		return -1;
	memcpy(out, a, 4);
	return 0;
}

int
cfg_parse_ep4(const char *s, uint16_t def_port, struct cfg_ep4 *out)
{
	struct cfg_ep4 e;
	unsigned long v;

	if (ipv4_prefix(&s, e.addr) != 0)
		return -1;
	e.port = def_port;
	if (*s == ':') {
		s++;
		if (*s == '0' || dec_field(&s, 65535, &v) != 0)
			return -1;
		e.port = (uint16_t)v;
	}
	if (*s != '\0')
		return -1;
	*out = e;
	return 0;
}

int
cfg_parse_mask(const char *s, uint8_t out[4])
{
	uint8_t m[4];
	uint32_t v, inv;

	if (cfg_parse_ipv4(s, m) != 0)
		return -1;
	v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
	    (uint32_t)m[2] << 8 | m[3];
	inv = ~v;
	/* contiguous (the inverse is 2^k - 1) and not 0.0.0.0 */
	if (v == 0 || (inv & (inv + 1)) != 0)
		return -1;
	memcpy(out, m, 4);
	return 0;
}

int
cfg_parse_vmac(const char *s, bool allow_random, struct cfg_vmac *out,
    const char **why)
{
	struct cfg_vmac v;

	memset(&v, 0, sizeof(v));
	if (strcmp(s, "random") == 0) {
		if (!allow_random) {
			*why = "a fixed VMAC is needed here";
			return -1;
		}
		v.random = true;
		*out = v;
		return 0;
	}
	if (sc_vmac_parse(s, v.mac) != 0) {
		*why = allow_random ? "expected \"random\" or six hex octets "
		    "xx:xx:xx:xx:xx:xx" : "expected six hex octets "
		    "xx:xx:xx:xx:xx:xx";
		return -1;
	}
	if (sc_vmac_is_zero(v.mac)) {
		*why = "the all-zero VMAC is reserved";
		return -1;
	}
	if (sc_vmac_is_broadcast(v.mac)) {
		*why = "FF:FF:FF:FF:FF:FF is the broadcast VMAC";
		return -1;
	}
	*out = v;
	return 0;
}

int
cfg_parse_uuid(const char *s, struct cfg_uuid *out)
{
	struct cfg_uuid u;

	memset(&u, 0, sizeof(u));
	if (strcmp(s, "generate") == 0)
		u.generate = true;
	else if (sc_uuid_parse(s, u.b) != 0)
		return -1;
	*out = u;
	return 0;
}

static bool
host_char_ok(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* Split "host[:port]" or "[v6][:port]"; host must be non-empty. */
static int
split_host_port(const char *s, size_t len, const char **h, size_t *hlen,
    bool *v6, long *port, const char **why)
{
	const char *end = s + len, *p;
	unsigned long v;

	*port = -1;
	*v6 = false;
	if (len > 0 && s[0] == '[') {
		p = memchr(s, ']', len);
		if (p == NULL) {
			*why = "unterminated [IPv6] address";
			return -1;
		}
		*h = s + 1;
		*hlen = (size_t)(p - s - 1);
		*v6 = true;
		p++;
	} else {
		for (p = s; p < end && *p != ':'; p++)
			;
		*h = s;
		*hlen = (size_t)(p - s);
	}
	if (*hlen == 0 || *hlen > 253) {
		*why = "missing or overlong host";
		return -1;
	}
	if (p < end) {
		char buf[8];
		const char *q = buf;

		if (*p != ':' || end - p - 1 < 1 || end - p - 1 > 5) {
			*why = "bad port";
			return -1;
		}
		memcpy(buf, p + 1, (size_t)(end - p - 1));
		buf[end - p - 1] = '\0';
		if (buf[0] == '0' || dec_field(&q, 65535, &v) != 0 ||
		    *q != '\0') {
			*why = "port must be 1..65535";
			return -1;
		}
		*port = (long)v;
	}
	return 0;
}

static int
check_host(const char *h, size_t n, bool v6, const char **why)
{
	char buf[256];
	struct in6_addr a6;
	size_t i;

	memcpy(buf, h, n);
	buf[n] = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, buf, &a6) != 1) {
			*why = "bad IPv6 address";
			return -1;
		}
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!host_char_ok((unsigned char)h[i])) {
			*why = "bad character in host name";
			return -1;
		}
	return 0;
}

void
cfg_uri_fini(struct cfg_uri *u)
{
	free(u->text);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

int
cfg_parse_uri(const char *s, struct cfg_uri *out, const char **why)
{
	struct sc_uri su;
	struct cfg_uri u;

	/* One URI grammar for the whole tree: the transport's. */
	if (sc_uri_parse(s, &su, why) != 0)
		return -1;
	memset(&u, 0, sizeof(u));
	u.tls = su.tls;
	u.port = su.port;
	u.text = strdup(s);
	u.host = strdup(su.host);
	u.path = strdup(su.path);
	if (u.text == NULL || u.host == NULL || u.path == NULL) {
		cfg_uri_fini(&u);
		*why = "out of memory";
		return -1;
	}
	*out = u;
	return 0;
}

void
cfg_listen_fini(struct cfg_listen *l)
{
	free(l->text);
	free(l->host);
	memset(l, 0, sizeof(*l));
}

int
cfg_parse_listen(const char *s, struct cfg_listen *out, const char **why)
{
	struct cfg_listen l;
	const char *h;
	size_t hlen;
	long port;
	uint8_t a4[4];
	char buf[256];

	memset(&l, 0, sizeof(l));
	if (split_host_port(s, strlen(s), &h, &hlen, &l.v6, &port, why) != 0)
		return -1;
	if (port < 0) {
		*why = "expected host:port";
		return -1;
	}
	memcpy(buf, h, hlen);
	buf[hlen] = '\0';
	if (l.v6) {
		if (check_host(h, hlen, true, why) != 0)
			return -1;
	} else if (strcmp(buf, "*") == 0) {
		strcpy(buf, "0.0.0.0");
	} else if (cfg_parse_ipv4(buf, a4) != 0) {
		*why = "host must be an IPv4 address, [IPv6] or *";
		return -1;
	}
	l.port = (uint16_t)port;
	l.text = strdup(s);
	l.host = strdup(buf);
	if (l.text == NULL || l.host == NULL) {
		cfg_listen_fini(&l);
		*why = "out of memory";
		return -1;
	}
	*out = l;
	return 0;
}

int
cfg_parse_mode(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t n = 0;

	if (*s != '0')
		return -1;
	for (; *s != '\0'; s++, n++) {
		if (*s < '0' || *s > '7' || n >= 4)
			return -1;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	*out = v;
	return 0;
}

bool
cfg_name_is_valid(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return n >= 1 && n <= CFG_NAME_MAX;
}

unsigned
cfg_edit_distance(const char *a, const char *b)
{
	/* Two-row Levenshtein over short names; capped at 3. */
	unsigned row[2][64];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= 63 || lb >= 63)
		return 3;
	for (j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *cur = row[i & 1], *prev = row[(i - 1) & 1];

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned sub = prev[j - 1] +
			    (a[i - 1] == b[j - 1] ? 0u : 1u);
			unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? sub : del;
			if (ins < cur[j])
				cur[j] = ins;
		}
	}
	return row[la & 1][lb] > 3 ? 3 : row[la & 1][lb];
}
