/*
 * Fuzz the router engine: random NPDUs into a router with two test ports,
 * with time passing between them.  Invariants checked on everything the
 * router sends:
 *   - it is a valid NPDU, no longer than the port's maximum;
 *   - a forwarded NPDU (it carries SNET: the router never puts one in what
 *     it originates) matches an earlier input that arrived on the OTHER
 *     port, with the same body, SNET/SADR kept or set to the arrival
 *     network and MAC, and the hop count decremented (a copy that keeps
 *     DNET has hop = input hop - 1 >= 1; a last-hop copy came from an
 *     input with hop >= 2);
 *   - what the router originates itself is a network-layer message
 *     (Reject, I-Am-Router, Who-Is-Router, Network-Number-Is, ...).
 *
 * Input: records of [flags][len][len octets].  flags bit 0: port; bit 1:
 * arrived as broadcast; bits 2-3: source MAC (3 is the router's own);
 * bits 4-7: seconds/4 to advance the clock (then rtr_tick) first.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "npdu/npdu_codec.h"
#include "router/rtr.h"
#include "tests/unit/rtr_testport.h"

#define FZ_INPUTS	24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_input {
	unsigned	port;
	uint8_t		mac[6];
	uint8_t		npdu[256];
	size_t		len;
	struct npdu_view v;	/* valid while npdu is */
	bool		ok;
};

static const uint8_t fz_macs[4][6] = {
	{ 0xc0, 0xa8, 0x01, 0x0a, 0xba, 0xc0 },
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa },
	{ 0xc0, 0xa8, 0x01, 0x64, 0xba, 0xc0 },
	{ 0 },			/* replaced by the port's own MAC */
};

static struct rtr_tp_log fz_log;
static struct rtr_testport fz_tp[2];
static struct fz_input fz_in[FZ_INPUTS];

/* Is out (sent on port qi) a correct forwarded copy of input in? */
static bool
fz_matches(const struct fz_input *in, unsigned qi, const struct npdu_view *o)
{
	const struct npdu_view *v = &in->v;

	if (!in->ok || !v->has_dnet || in->port == qi)
		return false;
	if (v->is_nl_msg != o->is_nl_msg ||
	    (v->is_nl_msg && v->nl_type != o->nl_type))
		return false;
	if (v->payload_len != o->payload_len || (v->payload_len > 0 &&
	    memcmp(v->payload, o->payload, v->payload_len) != 0))
		return false;
	if ((v->control & 0x07) != (o->control & 0x07))
		return false;
	if (v->has_snet) {
		if (o->snet != v->snet || o->slen != v->slen ||
		    memcmp(o->sadr, v->sadr, v->slen) != 0)
			return false;
	} else if (o->snet != fz_tp[in->port].port.net || o->slen != 6 ||
	    memcmp(o->sadr, in->mac, 6) != 0) {
		return false;
	}
	if (o->has_dnet)
		return o->dnet == v->dnet && o->hop_count >= 1 &&
		    o->hop_count == v->hop_count - 1;
	return v->hop_count >= 2;
}

static void
fz_check(size_t first, size_t nin)
{
	size_t i, k;

	for (i = first; i < fz_log.n; i++) {
		const struct rtr_tp_sent *s = &fz_log.sent[i];
		unsigned qi = s->tp == &fz_tp[0] ? 0 : 1;
		struct npdu_view o;
		bool found = false;

		if (s->len > s->tp->port.max_npdu || s->len > RTR_TP_NPDU_MAX)
			abort();
		if (npdu_decode(s->npdu, s->len, &o, NULL, NULL) != CODEC_OK)
			abort();
		if (!o.has_snet) {
			if (!o.is_nl_msg)
				abort();	/* nothing of ours is an APDU */
			continue;
		}
		for (k = 0; k < nin && !found; k++)
			found = fz_matches(&fz_in[k], qi, &o);
		if (!found)
			abort();
	}
}

/*
 * A reload's rtr_set_limits() in the middle of the traffic, limits from
 * one octet; the table and the queue must then fit the new limits, and a
 * refusal must leave them as they were.
 */
static void
fz_reconfigure(struct rtr *r, const struct rtr_config *base, uint8_t b)
{
	struct rtr_config n = *base;
	size_t routes = rtr_table_count(rtr_table(r));
	const char *why;

	n.table_max = 1u + (b & 7u);
	n.queue_max = (b >> 3) & 7u;
	n.bcast_rate_burst = (b >> 6) & 1u;
	n.nl_rate_burst = (b >> 6) & 3u;
	n.init_rt_updates = (b & 0x80) != 0;
	if (rtr_set_limits(r, &n, &why) == 0) {
		if (routes > n.table_max ||
		    rtr_held_count(r) > n.queue_max ||
		    rtr_config_of(r)->table_max != n.table_max)
			abort();
	} else if (routes <= n.table_max ||
	    rtr_table_count(rtr_table(r)) != routes) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npdu_port *ports[2];
	struct rtr_config c;
	struct rtr *r;
	uint64_t now = 1000000000u;
	size_t off = 0, nin = 0;

	log_set_level(LOG_LVL_ERR);
	rtr_tp_log_init(&fz_log);
	rtr_tp_init(&fz_tp[0], &fz_log, "bip", "C0A80101BAC0", 1497, 0);
	rtr_tp_init(&fz_tp[1], &fz_log, "sc", "F2000000BAC5", 200, 0);
	ports[0] = &fz_tp[0].port;
	ports[1] = &fz_tp[1].port;
	rtr_config_defaults(&c);
	c.nports = 2;
	c.port[0].net = 5;
	c.port[1].net = 7;
	c.search_max = 2;
	c.queue_max = 4;
	c.queue_bytes_max = 600;
	c.table_max = 8;
	c.init_rt_updates = (size > 0 && (data[0] & 1) != 0);
	if ((r = rtr_new(&c, ports)) == NULL)
		abort();
	while (off + 2 <= size && nin < FZ_INPUTS) {
		uint8_t flags = data[off];
		size_t len = data[off + 1];
		struct fz_input *in = &fz_in[nin];
		struct npdu_rx rx;
		size_t first;

		off += 2;
		if (len > size - off)
			len = size - off;
		if ((flags >> 4) != 0) {
			now += (uint64_t)(flags >> 4) * 250000u;
			first = fz_log.n;
			(void)rtr_tick(r, now);
			fz_check(first, nin);
		}
		if ((flags >> 4) == 15)
			fz_reconfigure(r, &c, (uint8_t)len);
		memset(in, 0, sizeof(*in));
		in->port = flags & 1;
		memcpy(in->mac, ((flags >> 2) & 3) == 3 ?
		    fz_tp[in->port].port.mac : fz_macs[(flags >> 2) & 3], 6);
		memcpy(in->npdu, data + off, len);
		in->len = len;
		in->ok = npdu_decode(in->npdu, len, &in->v, NULL, NULL) ==
		    CODEC_OK;
		off += len;
		nin++;
		memset(&rx, 0, sizeof(rx));
		rx.src_mac = in->mac;
		rx.src_mac_len = 6;
		rx.broadcast = (flags & 2) != 0;
		rx.npdu = in->npdu;
		rx.npdu_len = len;
		first = fz_log.n;
		rtr_receive(r, in->port, &rx, now);
		fz_check(first, nin);
		if (fz_log.n > RTR_TP_LOG_MAX / 2)
			rtr_tp_log_clear(&fz_log);
	}
	/* Let every search time out. */
	{
		size_t first = fz_log.n;

		(void)rtr_tick(r, now + 60u * 1000000u);
		fz_check(first, nin);
	}
	rtr_free(r);
	return 0;
}
