/*
 * Fuzz the hub function's decisions (sc_hub_fsm): the first input octet
 * picks the sender among three connected nodes and the accept_orig_vmac
 * option; the rest is one message from that node.  Whatever the verdict,
 * it must be consistent: a relay is the rewritten header plus a view into
 * the input, decodes as a valid message from the hub (hop rules) and keeps
 * function, id, options and payload; a NAK encodes and decodes; a
 * Connect-Request that decodes is put through admission and the table must
 * stay consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "sc/sc_hub_fsm.h"
#include "sc/scm_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];

static void
admit(struct sc_hubtab *t, uint8_t last, uint8_t tag)
{
	struct scm_connect c;
	struct sc_hub_peer *p;
	void *old;

	memset(&c, 0, sizeof(c));
	c.vmac[0] = 0x02;
	c.vmac[5] = last;
	memset(c.uuid, tag, sizeof(c.uuid));
	c.max_bvlc = 1600;
	c.max_npdu = 1497;
	if (sc_hubtab_admit(t, &c, NULL, 0, &p, &old) != SC_HUB_ADMIT_NEW)
		abort();
}

static void
check_relay(const struct sc_hub_relay *r, const uint8_t *data, size_t size)
{
	struct scm_hdr h;
	struct scm_fail f;

	if (r->out_len != r->fixed_len + r->rest_len ||
	    r->rest < data || r->rest + r->rest_len != data + size ||
	    r->out_len > sizeof(out))
		abort();
	memcpy(out, r->fixed, r->fixed_len);
	memcpy(out + r->fixed_len, r->rest, r->rest_len);
	if (scm_hdr_decode(out, r->out_len, &h, &f) != CODEC_OK)
		abort();
	if (h.function != r->msg.hdr.function || h.msgid != r->msg.hdr.msgid ||
	    !h.has_orig || h.payload_len != r->msg.hdr.payload_len ||
	    h.dest_opts.len != r->msg.hdr.dest_opts.len ||
	    h.data_opts.len != r->msg.hdr.data_opts.len)
		abort();
	if (scm_check_hop(&h, SCM_HOP_FROM_HUB, &f) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_hubtab_cfg cfg;
	struct sc_hubtab t;
	struct sc_hub_relay r;
	struct sc_hub_peer *from, *p;
	struct scm_msg m;
	struct wr w;
	size_t i, copies = 0;

	if (size < 1 || size > 65535)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_conns = 4;
	cfg.accept_orig_vmac = (data[0] & 0x80) != 0;
	cfg.has_own = true;
	cfg.own_vmac[0] = 0x02;
	cfg.own_vmac[5] = 0x09;
	if (sc_hubtab_init(&t, &cfg) != 0)
		return 0;
	admit(&t, 1, 0x11);
	admit(&t, 2, 0x22);
	admit(&t, 3, 0x33);
	from = sc_hubtab_at(&t, (data[0] & 0x7f) % 3);
	data++;
	size--;
	switch (sc_hub_rx(&t, from, data, size, &r)) {
	case SC_HUB_UNICAST:
		if (r.to == NULL || !r.to->in_use)
			abort();
		check_relay(&r, data, size);
		break;
	case SC_HUB_BROADCAST:
		check_relay(&r, data, size);
		for (i = 0; i < t.hi; i++) {
			p = sc_hubtab_at(&t, i);
			if (sc_hub_bcast_to(&t, from, p, &r)) {
				if (p == from)
					abort();
				copies++;
			}
		}
		if (copies > 2)
			abort();
		break;
	case SC_HUB_NAK:
		if (r.fail.has_orig)
			abort();
		wr_init(&w, out, sizeof(out));
		if (scm_encode_nak(&w, &r.fail, NULL, 0) != 0 ||
		    scm_decode(out, w.len, &m, NULL) != CODEC_OK ||
		    m.hdr.has_orig || m.hdr.has_dest)
			abort();
		break;
	case SC_HUB_LOCAL:
		if (!scm_function_is_peer_only(r.msg.hdr.function))
			abort();
		if (r.msg.hdr.function == SCM_FN_CONNECT_REQ) {
			void *old = NULL;

			(void)sc_hubtab_admit(&t, &r.msg.u.connect, NULL, 1, &p,
			    &old);
			for (i = 0; i < t.hi; i++) {
				p = sc_hubtab_at(&t, i);
				if (p->in_use && sc_hubtab_find(&t, p->vmac) != p)
					abort();
			}
		}
		break;
	case SC_HUB_DROP:
	case SC_HUB_DROP_UNKNOWN:
	case SC_HUB_DROP_TOO_BIG:
		break;
	}
	sc_hubtab_fini(&t);
	return 0;
}
