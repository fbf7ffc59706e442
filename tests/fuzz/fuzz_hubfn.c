/*
 * Stateful fuzz harness of the hub function (sc_hub_fsm): six fake
 * connections connect, send unicasts, broadcasts and raw messages, and
 * disconnect, in the order the input dictates, with VMACs and Device UUIDs
 * drawn from small pools so that duplicate-VMAC and same-UUID games are
 * frequent.  A reference model decides independently what admission must
 * answer, and after every step the harness checks the invariants:
 *   - never more than one connected node per VMAC or per UUID, and the
 *     hosting device's VMAC only with its own UUID;
 *   - the table (n, find, find_uuid) agrees with the model of which fake
 *     connection holds which entry;
 *   - nothing is relayed back to its sender;
 *   - a relayed message is rewritten as the digest (§1.12) says: Originating
 *     VMAC = the sender's, Destination VMAC removed (unicast) or kept as
 *     broadcast, function, message id, options and payload untouched;
 *   - a broadcast goes to exactly the other connected nodes it fits;
 *   - a unicast goes to the node holding the destination VMAC, is dropped
 *     only when none does or it does not fit.
 *
 * Input: octet 0 = configuration (bit 0 accept_orig_vmac, bits 1-2 pick
 * max_conns 2..5, bit 3 hosting device present); then steps, each an
 * operation octet (bits 5-7 the kind, bits 0-2 the connection) and its
 * arguments.  Kind 2 with bit 4 set changes max_conns (1..8) as a reload
 * does: the admitted nodes stay, admission follows the new cap.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "sc/sc_hub_fsm.h"
#include "sc/scm_codec.h"
#include "sc/sc_vmac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCONN	6

struct fconn {
	struct sc_hub_peer	*peer;	/* NULL: not admitted */
	uint64_t		 rx;	/* messages relayed to it */
};

static struct fconn conns[NCONN];
static uint8_t out[70000];
static uint8_t msg[70000];

static const uint8_t vmacs[8][SC_VMAC_LEN] = {
	{ 0x02, 0, 0, 0, 0, 0x01 },
	{ 0x02, 0, 0, 0, 0, 0x02 },
	{ 0x02, 0, 0, 0, 0, 0x03 },
	{ 0x02, 0, 0, 0, 0, 0x04 },
	{ 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc },
	{ 0x02, 0, 0, 0, 0, 0x09 },	/* the hosting device's */
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	{ 0, 0, 0, 0, 0, 0 },
};
static const uint16_t bvlc_sizes[4] = { 1600, 64, 300, 65535 };

static void
uuid_of(unsigned i, uint8_t *u)
{
	memset(u, 0x10 * (int)(i + 1), SC_UUID_LEN);
}

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* Octets from the input: 0 when it ran out. */
struct in {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
in_u8(struct in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static size_t
in_bytes(struct in *in, uint8_t *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset(dst + k, 0xa5, n - k);
	in->p += k;
	in->left -= k;
	return n;
}

static int
conn_index(const void *c)
{
	int k;

	for (k = 0; k < NCONN; k++)
		if (c == &conns[k])
			return k;
	return -1;
}

static void
check_table(const struct sc_hubtab *t)
{
	struct sc_hub_peer *p, *q;
	size_t i, j, used = 0;
	int k, k2, held = 0;

	/* A lowered cap (set_max) may leave more nodes than it allows. */
	check(t->hi <= t->cap && t->n <= t->cap &&
	    t->cfg.max_conns <= t->cap);
	for (i = 0; i < t->hi; i++) {
		p = sc_hubtab_at(t, i);
		if (!p->in_use)
			continue;
		used++;
		check(sc_vmac_is_unicast(p->vmac));
		check(sc_hubtab_find(t, p->vmac) == p);
		check(sc_hubtab_find_uuid(t, p->uuid) == p);
		if (t->cfg.has_own &&
		    memcmp(p->vmac, t->cfg.own_vmac, SC_VMAC_LEN) == 0)
			check(memcmp(p->uuid, t->cfg.own_uuid,
			    SC_UUID_LEN) == 0);
		for (j = i + 1; j < t->hi; j++) {
			q = sc_hubtab_at(t, j);
			if (!q->in_use)
				continue;
			check(memcmp(p->vmac, q->vmac, SC_VMAC_LEN) != 0);
			check(memcmp(p->uuid, q->uuid, SC_UUID_LEN) != 0);
		}
		k = conn_index(p->conn);
		check(k >= 0 && conns[k].peer == p);
	}
	check(used == t->n);
	for (k = 0; k < NCONN; k++) {
		if (conns[k].peer == NULL)
			continue;
		held++;
		check(conns[k].peer->in_use &&
		    conns[k].peer->conn == &conns[k]);
		for (k2 = k + 1; k2 < NCONN; k2++)
			check(conns[k2].peer != conns[k].peer);
	}
	check((size_t)held == t->n);
}

/* The model's answer to a Connect-Request (digest §1.9.2, §1.12). */
static enum sc_hub_admit
model_admit(const struct sc_hubtab *t, const struct scm_connect *c,
    int *replaced)
{
	int k, same_uuid = -1, same_vmac = -1;

	*replaced = -1;
	if (!sc_vmac_is_unicast(c->vmac))
		return SC_HUB_REFUSE_BAD_VMAC;
	for (k = 0; k < NCONN; k++) {
		if (conns[k].peer == NULL)
			continue;
		if (memcmp(conns[k].peer->uuid, c->uuid, SC_UUID_LEN) == 0)
			same_uuid = k;
		if (memcmp(conns[k].peer->vmac, c->vmac, SC_VMAC_LEN) == 0)
			same_vmac = k;
	}
	if ((same_vmac >= 0 && same_vmac != same_uuid) ||
	    (t->cfg.has_own &&
	    memcmp(c->vmac, t->cfg.own_vmac, SC_VMAC_LEN) == 0 &&
	    memcmp(c->uuid, t->cfg.own_uuid, SC_UUID_LEN) != 0))
		return SC_HUB_REFUSE_DUP_VMAC;
	if (same_uuid >= 0) {
		*replaced = same_uuid;
		return SC_HUB_ADMIT_REPLACE;
	}
	if (t->n >= t->cfg.max_conns)
		return SC_HUB_REFUSE_FULL;
	return SC_HUB_ADMIT_NEW;
}

static void
op_connect(struct sc_hubtab *t, int k, uint8_t s, uint64_t now)
{
	struct scm_connect c;
	struct sc_hub_peer *p = NULL;
	void *old = NULL;
	enum sc_hub_admit want, got;
	int replaced;

	if (conns[k].peer != NULL)
		return;	/* a connected node's Connect-Request is LOCAL */
	memset(&c, 0, sizeof(c));
	memcpy(c.vmac, vmacs[s & 7], SC_VMAC_LEN);
	uuid_of((s >> 3) & 7, c.uuid);
	c.max_bvlc = bvlc_sizes[s >> 6];
	c.max_npdu = 1497;
	want = model_admit(t, &c, &replaced);
	got = sc_hubtab_admit(t, &c, &conns[k], now, &p, &old);
	check(got == want);
	switch (got) {
	case SC_HUB_ADMIT_NEW:
	case SC_HUB_ADMIT_REPLACE:
		check(p != NULL && p->in_use && p->conn == &conns[k] &&
		    memcmp(p->vmac, c.vmac, SC_VMAC_LEN) == 0 &&
		    memcmp(p->uuid, c.uuid, SC_UUID_LEN) == 0 &&
		    p->max_bvlc == c.max_bvlc);
		if (got == SC_HUB_ADMIT_REPLACE) {
			check(old == &conns[replaced]);
			conns[replaced].peer = NULL;	/* the glue closes it */
		} else {
			check(old == NULL);
		}
		conns[k].peer = p;
		break;
	case SC_HUB_REFUSE_DUP_VMAC:
	case SC_HUB_REFUSE_FULL:
	case SC_HUB_REFUSE_BAD_VMAC:
		break;
	}
}

static void
op_disconnect(struct sc_hubtab *t, int k)
{
	if (conns[k].peer == NULL)
		return;
	sc_hubtab_remove(t, conns[k].peer);
	conns[k].peer = NULL;
}

/* Rebuild a relayed copy and check the rewriting against the input. */
static void
check_rewrite(const struct sc_hub_relay *r, const struct sc_hub_peer *from,
    const uint8_t *buf, size_t len, bool bcast)
{
	const struct scm_hdr *in = &r->msg.hdr;
	struct scm_hdr h;
	struct scm_fail f;

	check(r->out_len == r->fixed_len + r->rest_len &&
	    r->out_len <= sizeof(out) && r->rest >= buf &&
	    r->rest + r->rest_len == buf + len);
	memcpy(out, r->fixed, r->fixed_len);
	memcpy(out + r->fixed_len, r->rest, r->rest_len);
	check(scm_hdr_decode(out, r->out_len, &h, &f) == CODEC_OK);
	check(h.has_orig && memcmp(h.orig, from->vmac, SC_VMAC_LEN) == 0);
	if (bcast)
		check(h.has_dest && sc_vmac_is_broadcast(h.dest));
	else
		check(!h.has_dest);
	check(h.function == in->function && h.msgid == in->msgid);
	check(h.dest_opts.len == in->dest_opts.len &&
	    (h.dest_opts.len == 0 ||
	    memcmp(h.dest_opts.data, in->dest_opts.data,
	    h.dest_opts.len) == 0));
	check(h.data_opts.len == in->data_opts.len &&
	    (h.data_opts.len == 0 ||
	    memcmp(h.data_opts.data, in->data_opts.data,
	    h.data_opts.len) == 0));
	check(h.payload_len == in->payload_len &&
	    (h.payload_len == 0 ||
	    memcmp(h.payload, in->payload, h.payload_len) == 0));
	check(scm_check_hop(&h, SCM_HOP_FROM_HUB, &f) == 0);
}

static void
op_send(struct sc_hubtab *t, int k, const uint8_t *buf, size_t len)
{
	struct sc_hub_peer *from = conns[k].peer, *p, *holder;
	struct sc_hub_relay r;
	struct scm_msg m;
	struct wr w;
	uint64_t before_rx;
	size_t i, copies, want;
	int j;

	if (from == NULL)
		return;	/* the glue feeds only admitted connections */
	before_rx = from->rx_msgs;
	switch (sc_hub_rx(t, from, buf, len, &r)) {
	case SC_HUB_UNICAST:
		check(r.to != NULL && r.to->in_use && r.to != from);
		check(memcmp(r.to->vmac, r.msg.hdr.dest, SC_VMAC_LEN) == 0);
		check(sc_hub_fits(r.to, r.out_len));
		check(from->rx_msgs == before_rx + 1);
		j = conn_index(r.to->conn);
		check(j >= 0 && j != k && conns[j].peer == r.to);
		conns[j].rx++;
		check_rewrite(&r, from, buf, len, false);
		break;
	case SC_HUB_BROADCAST:
		check(sc_vmac_is_broadcast(r.msg.hdr.dest));
		check_rewrite(&r, from, buf, len, true);
		copies = 0;
		want = 0;
		for (i = 0; i < t->hi; i++) {
			p = sc_hubtab_at(t, i);
			if (p->in_use && p != from && r.out_len <= p->max_bvlc)
				want++;
			if (sc_hub_bcast_to(t, from, p, &r)) {
				check(p != from && p->in_use &&
				    r.out_len <= p->max_bvlc);
				j = conn_index(p->conn);
				check(j >= 0 && j != k);
				conns[j].rx++;
				copies++;
			}
		}
		check(copies == want);
		break;
	case SC_HUB_DROP_UNKNOWN:
		/* Nobody else holds the destination. */
		holder = sc_hubtab_find(t, r.msg.hdr.dest);
		check(holder == NULL || holder == from);
		break;
	case SC_HUB_DROP_TOO_BIG:
		holder = sc_hubtab_find(t, r.msg.hdr.dest);
		check(holder != NULL && holder != from &&
		    !sc_hub_fits(holder, r.out_len));
		break;
	case SC_HUB_NAK:
		check(!r.fail.has_orig);
		wr_init(&w, out, sizeof(out));
		check(scm_encode_nak(&w, &r.fail, NULL, 0) == 0);
		check(scm_decode(out, w.len, &m, NULL) == CODEC_OK &&
		    !m.hdr.has_orig && !m.hdr.has_dest &&
		    m.hdr.function == SCM_FN_RESULT);
		break;
	case SC_HUB_LOCAL:
		check(scm_function_is_peer_only(r.msg.hdr.function));
		break;
	case SC_HUB_DROP:
		break;
	}
}

/* An Encapsulated-NPDU (or another function) to vmac dst. */
static size_t
build_msg(struct in *in, uint8_t function, const uint8_t *dst, size_t plen,
    bool orig, bool dopt, bool topt)
{
	static const uint8_t secure_path[1] = { SCM_OPT_SECURE_PATH };
	static const uint8_t prop_opt[6] = {
		SCM_OPT_DATA | SCM_OPT_PROPRIETARY, 0, 3, 0x01, 0x02, 0x07
	};
	struct scm_hdr h;
	struct wr w;
	uint8_t *pl;

	memset(&h, 0, sizeof(h));
	h.function = function;
	h.msgid = (uint16_t)(in_u8(in) << 8 | 0x5a);
	h.has_dest = true;
	memcpy(h.dest, dst, SC_VMAC_LEN);
	if (orig) {
		h.has_orig = true;
		memcpy(h.orig, vmacs[4], SC_VMAC_LEN);
	}
	if (dopt) {
		h.data_opts.data = secure_path;
		h.data_opts.len = sizeof(secure_path);
	}
	if (topt) {
		h.dest_opts.data = prop_opt;
		h.dest_opts.len = sizeof(prop_opt);
	}
	wr_init(&w, msg, sizeof(msg));
	if (scm_hdr_encode(&w, &h) != 0)
		return 0;
	pl = wr_reserve(&w, plen);
	if (pl == NULL)
		return 0;
	in_bytes(in, pl, plen);
	return wr_status(&w) == 0 ? w.len : 0;
}

/*
 * A reload's new cap: the nodes stay (even above it); a larger table moves
 * the entries, so the fake connections follow them by index.
 */
static void
op_set_max(struct sc_hubtab *t, size_t max)
{
	size_t idx[NCONN], n = t->n;
	bool moved = false;
	int k;

	for (k = 0; k < NCONN; k++)
		idx[k] = conns[k].peer != NULL ?
		    (size_t)(conns[k].peer - t->peers) : 0;
	if (sc_hubtab_set_max(t, max, &moved) != 0)
		return;
	check(t->cfg.max_conns == max && t->n == n);
	for (k = 0; k < NCONN && moved; k++)
		if (conns[k].peer != NULL)
			conns[k].peer = sc_hubtab_at(t, idx[k]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_hubtab_cfg cfg;
	struct sc_hubtab t;
	struct in in;
	uint8_t op, a, b;
	uint64_t now = 1;
	size_t len;
	int k;

	if (size < 1 || size > 65536)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.accept_orig_vmac = (data[0] & 1) != 0;
	cfg.max_conns = 2 + ((data[0] >> 1) & 3);
	cfg.has_own = (data[0] & 8) != 0;
	memcpy(cfg.own_vmac, vmacs[5], SC_VMAC_LEN);
	uuid_of(7, cfg.own_uuid);
	if (sc_hubtab_init(&t, &cfg) != 0)
		return 0;
	memset(conns, 0, sizeof(conns));
	in.p = data + 1;
	in.left = size - 1;
	while (in.left > 0) {
		op = in_u8(&in);
		k = (op & 7) % NCONN;
		now += 1000;
		switch (op >> 5) {
		case 0:
		case 1:
			op_connect(&t, k, in_u8(&in), now);
			break;
		case 2:
			if (op & 0x10)
				op_set_max(&t, 1 + (in_u8(&in) & 7));
			else
				op_disconnect(&t, k);
			break;
		case 3:	/* unicast Encapsulated-NPDU */
		case 4:	/* broadcast */
			a = in_u8(&in);
			b = in_u8(&in);
			len = build_msg(&in, SCM_FN_ENCAP_NPDU,
			    (op >> 5) == 4 ? vmacs[6] : vmacs[a & 7],
			    (size_t)(a >> 3) * ((b & 0x80) ? 300 : 8),
			    (b & 1) != 0, (b & 2) != 0, (b & 4) != 0);
			if (len > 0)
				op_send(&t, k, msg, len);
			break;
		case 5:	/* another function, maybe unknown */
			a = in_u8(&in);
			b = in_u8(&in);
			len = build_msg(&in, b & 0x1f, vmacs[a & 7],
			    (size_t)(a >> 3), (b & 0x20) != 0,
			    (b & 0x40) != 0, (b & 0x80) != 0);
			if (len > 0)
				op_send(&t, k, msg, len);
			break;
		case 6:
		case 7:	/* raw octets */
			len = in_u8(&in);
			if (op & 8)
				len = len << 8 | in_u8(&in);
			if (len > in.left)
				len = in.left;
			memcpy(msg, in.p, len);
			in.p += len;
			in.left -= len;
			op_send(&t, k, msg, len);
			break;
		}
		check_table(&t);
	}
	for (k = 0; k < NCONN; k++)
		op_disconnect(&t, k);
	check(t.n == 0);
	sc_hubtab_fini(&t);
	return 0;
}
