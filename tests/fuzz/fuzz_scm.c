/*
 * Fuzz the BVLC-SC codec: decode arbitrary octets; whatever decodes must
 * re-encode to exactly the same octets (whole and as header + payload),
 * survive a hub relay, and every refusal that deserves a NAK must give a
 * NAK that decodes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc/scm_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];

static void
fuzz_walk(const struct scm_msg *m)
{
	static const enum scm_hop hops[] = { SCM_HOP_HUB_RX, SCM_HOP_FROM_HUB,
	    SCM_HOP_DIRECT };
	struct scm_opt_iter it;
	struct scm_opt o;
	struct scm_fail f;
	const uint8_t *u;
	size_t pos = 0, ulen, i;
	unsigned n = 0;

	scm_opt_iter_init(&it, &m->hdr.dest_opts);
	while (scm_opt_next(&it, &o))
		n++;
	if (it.error || n != m->hdr.dest_opts.count)
		abort();
	n = 0;
	scm_opt_iter_init(&it, &m->hdr.data_opts);
	while (scm_opt_next(&it, &o))
		n++;
	if (it.error || n != m->hdr.data_opts.count)
		abort();
	while (scm_uri_next(m->hdr.payload, m->hdr.payload_len, &pos, &u,
	    &ulen))
		if (ulen == 0 || u < m->hdr.payload)
			abort();
	for (i = 0; i < sizeof(hops) / sizeof(hops[0]); i++)
		(void)scm_check_hop(&m->hdr, hops[i], &f);
	(void)scm_check_dest_opts(&m->hdr, NULL, NULL, &f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sender[SC_VMAC_LEN] = { 0x02, 1, 2, 3, 4, 5 };
	struct scm_msg m, again;
	struct scm_hdr rh;
	struct scm_fail f;
	struct wr w;

	if (size > 65535)
		return 0;
	if (scm_decode(data, size, &m, &f) != CODEC_OK) {
		if (scm_fail_wants_nak(&f)) {
			wr_init(&w, out, sizeof(out));
			if (scm_encode_nak(&w, &f, NULL, 0) != 0 ||
			    scm_decode(out, w.len, &again, NULL) != CODEC_OK)
				abort();
		}
		return 0;
	}
	wr_init(&w, out, sizeof(out));
	if (scm_msg_encode(&w, &m) != 0 || w.len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	wr_init(&w, out, sizeof(out));
	if (scm_hdr_encode(&w, &m.hdr) != 0 || w.len != m.hdr.hdr_len)
		abort();
	fuzz_walk(&m);
	if (scm_function_is_peer_only(m.hdr.function))
		return 0;	/* never relayed */
	scm_hdr_relay(&m.hdr, sender, &rh);
	wr_init(&w, out, sizeof(out));
	if (scm_hdr_encode(&w, &rh) != 0)
		abort();
	wr_bytes(&w, rh.payload, rh.payload_len);
	if (wr_status(&w) != 0 ||
	    scm_decode(out, w.len, &again, NULL) != CODEC_OK)
		abort();
	return 0;
}
