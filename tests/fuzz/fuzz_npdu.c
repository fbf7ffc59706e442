/*
 * Fuzz the NPDU header and network-layer message decoders: whatever
 * decodes must re-encode to exactly the input octets.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "npdu/nlm_codec.h"
#include "npdu/npdu_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk every list entry, as the router would. */
static void
walk(const struct nlm_msg *m)
{
	struct nlm_port_iter it;
	struct nlm_port p;
	unsigned sum = 0;
	size_t i;

	switch (m->type) {
	case NPDU_NL_I_AM_ROUTER:
	case NPDU_NL_ROUTER_BUSY:
	case NPDU_NL_ROUTER_AVAILABLE:
		for (i = 0; i < m->u.nets.count; i++)
			sum += nlm_nets_at(&m->u.nets, i);
		break;
	case NPDU_NL_INIT_RT:
	case NPDU_NL_INIT_RT_ACK:
		nlm_port_iter_init(&it, &m->u.ports);
		for (i = 0; nlm_port_iter_next(&it, &p); i++)
			if (p.info_len > 0)
				sum += p.info[p.info_len - 1];
		if (i != m->u.ports.count)
			abort();
		break;
	default:
		break;
	}
	(void)sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct npdu_view v;
	struct nlm_msg m;
	const char *why = NULL;
	size_t off = 0;
	struct wr w;
	enum codec_rc rc;

	if (size > 65536)
		return 0;
	rc = npdu_decode(data, size, &v, &why, &off);
	if (rc != CODEC_OK) {
		if (why == NULL || off > size)
			abort();
		return 0;
	}
	if (v.hdr_len + v.payload_len != size ||
	    npdu_header_len(&v) != v.hdr_len)
		abort();
	wr_init(&w, out, sizeof(out));
	if (npdu_encode(&w, &v) != 0 || w.len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	if (!v.is_nl_msg)
		return 0;
	why = NULL;
	rc = nlm_decode(&v, &m, &why, &off);
	if (rc != CODEC_OK) {
		if (why == NULL || off > size)
			abort();
		if ((rc == CODEC_UNSUPPORTED) == nlm_type_is_known(v.nl_type))
			abort();
		return 0;
	}
	walk(&m);
	wr_init(&w, out, sizeof(out));
	if (nlm_encode(&w, &v, &m) != 0 || w.len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	return 0;
}
