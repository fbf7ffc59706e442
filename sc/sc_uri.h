/*
 * Hub and direct-connect URIs as users write them (pure, no I/O):
 *
 *	wss://hub.example.com:4443/path
 *	wss://192.0.2.10:443/
 *	wss://[2001:db8::1]:4443
 *	ws://127.0.0.1:8080/	(plaintext; the transport refuses it unless
 *				 the configuration allows it explicitly)
 *
 * The scheme is case-insensitive.  No user info, no fragment, no IPv6
 * zone.  Without a port, 443 (wss) or 80 (ws) is used, as RFC 6455 says
 * (BACnet defines no port; configurations should name one).  Without a
 * path, "/" is used; a query is kept as part of the path.
 */
#ifndef SC_SC_URI_H
#define SC_SC_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_URI_HOST_MAX	253	/* longest DNS name */
#define SC_URI_PATH_MAX	255

enum sc_uri_host_kind {
	SC_URI_HOST_NAME = 0,	/* DNS name: resolve it, send it as SNI */
	SC_URI_HOST_IPV4,
	SC_URI_HOST_IPV6,	/* host holds the address without brackets */
};

struct sc_uri {
	bool			 tls;		/* wss:// */
	enum sc_uri_host_kind	 host_kind;
	char			 host[SC_URI_HOST_MAX + 1];
	uint16_t		 port;
	bool			 port_given;	/* port written in the URI */
	char			 path[SC_URI_PATH_MAX + 1];	/* starts with '/' */
};

/*
 * Parse the NUL-terminated URI s.  Return 0 and fill *out, or -1 and set
 * *why (a fixed string; why may be NULL).
 */
int sc_uri_parse(const char *s, struct sc_uri *out, const char **why);

/*
 * Write the Host header value for u ("name:port", "[v6]:port"; the port is
 * left out when it was not written in the URI) into buf.  Return 0, or -1
 * if buf is too small.
 */
int sc_uri_host_header(const struct sc_uri *u, char *buf, size_t len);

#endif
