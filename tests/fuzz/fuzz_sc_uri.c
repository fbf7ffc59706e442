/* Fuzz the wss:// URI parser; whatever parses must print back and reparse. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc/sc_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[1024], again[1200], hh[300];
	struct sc_uri u, v;
	const char *why = NULL;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (sc_uri_parse(in, &u, &why) != 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (u.port == 0 || u.path[0] != '/' || u.host[0] == '\0')
		abort();
	if (sc_uri_host_header(&u, hh, sizeof(hh)) != 0)
		abort();
	snprintf(again, sizeof(again), "%s://%s%s%s:%u%s", u.tls ? "wss" : "ws",
	    u.host_kind == SC_URI_HOST_IPV6 ? "[" : "", u.host,
	    u.host_kind == SC_URI_HOST_IPV6 ? "]" : "", (unsigned)u.port,
	    u.path);
	if (sc_uri_parse(again, &v, &why) != 0 || v.port != u.port ||
	    strcmp(v.host, u.host) != 0 || strcmp(v.path, u.path) != 0 ||
	    v.host_kind != u.host_kind || v.tls != u.tls)
		abort();
	return 0;
}
