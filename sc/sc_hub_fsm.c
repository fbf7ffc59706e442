/*
 * BACnet/SC hub function decisions; see sc_hub_fsm.h.
 *
 * Choices where sources differ (digest §1.12, §6):
 *  - Relays are checked against each receiver's announced Max BVLC Length
 *    (RB; BS ignores it): a copy that would not fit is dropped and counted.
 *  - Unicast to an unknown VMAC is dropped silently (no implementation
 *    NAKs it).
 *  - Messages of an unknown function are relayed like any addressed
 *    message: the destination node answers BVLC_FUNCTION_UNKNOWN, and a
 *    later revision's relayable function passes a hub built today.
 *  - The hub validates what it decodes (payload layouts of the known
 *    functions) and NAKs per §1.7.1, but never looks inside the NPDU and
 *    never checks destination options.
 *  - A full table refuses a Connect-Request with a NAK of class RESOURCES,
 *    code OTHER (no source defines one; a NAK tells the node at once
 *    instead of letting its Connect Wait run out).
 *  - A Connect-Request announcing the broadcast or zero VMAC is refused
 *    with HEADER_ENCODING_ERROR (no source covers it; it can never be
 *    addressed).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sc/sc_hub_fsm.h"

static size_t
vmac_hash(const uint8_t *v)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < SC_VMAC_LEN; i++) {
		h ^= v[i];
		h *= 16777619u;
	}
	return h;
}

int
sc_hubtab_init(struct sc_hubtab *t, const struct sc_hubtab_cfg *cfg)
{
	size_t sz = 8;

	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	if (t->cfg.max_conns == 0)
		t->cfg.max_conns = 1;
	while (sz < t->cfg.max_conns * 2)
		sz *= 2;
	t->peers = calloc(t->cfg.max_conns, sizeof(*t->peers));
	t->idx = calloc(sz, sizeof(*t->idx));
	if (t->peers == NULL || t->idx == NULL) {
		sc_hubtab_fini(t);
		return -1;
	}
	t->cap = t->cfg.max_conns;
	t->idx_mask = sz - 1;
	return 0;
}

static size_t slot_of(const struct sc_hubtab *t, const uint8_t *vmac);

int
sc_hubtab_set_max(struct sc_hubtab *t, size_t max_conns, bool *moved)
{
	struct sc_hub_peer *np;
	uint32_t *ni, *oi;
	size_t sz = 8, i;

	*moved = false;
	if (max_conns == 0)
		max_conns = 1;
	if (max_conns <= t->cap) {
		/* Entries at or above the new cap drain away by themselves. */
		t->cfg.max_conns = max_conns;
		return 0;
	}
	while (sz < max_conns * 2)
		sz *= 2;
	np = calloc(max_conns, sizeof(*np));
	ni = calloc(sz, sizeof(*ni));
	if (np == NULL || ni == NULL) {
		free(np);
		free(ni);
		return -1;
	}
	memcpy(np, t->peers, t->cap * sizeof(*np));
	free(t->peers);
	t->peers = np;
	t->cap = max_conns;
	t->cfg.max_conns = max_conns;
	/* A larger hash: insert every entry in use again. */
	oi = t->idx;
	t->idx = ni;
	t->idx_mask = sz - 1;
	free(oi);
	for (i = 0; i < t->hi; i++)
		if (t->peers[i].in_use)
			t->idx[slot_of(t, t->peers[i].vmac)] = (uint32_t)(i + 1);
	*moved = true;
	return 0;
}

void
sc_hubtab_fini(struct sc_hubtab *t)
{
	free(t->peers);
	free(t->idx);
	t->peers = NULL;
	t->idx = NULL;
	t->cap = 0;
	t->n = 0;
	t->hi = 0;
}

/* Hash slot holding vmac, or the empty slot where it would go. */
static size_t
slot_of(const struct sc_hubtab *t, const uint8_t *vmac)
{
	size_t s = vmac_hash(vmac) & t->idx_mask;

	while (t->idx[s] != 0 &&
	    memcmp(t->peers[t->idx[s] - 1].vmac, vmac, SC_VMAC_LEN) != 0)
		s = (s + 1) & t->idx_mask;
	return s;
}

struct sc_hub_peer *
sc_hubtab_find(const struct sc_hubtab *t, const uint8_t *vmac)
{
	size_t s;

	if (t->idx == NULL)
		return NULL;
	s = slot_of(t, vmac);
	return t->idx[s] == 0 ? NULL : &t->peers[t->idx[s] - 1];
}

struct sc_hub_peer *
sc_hubtab_find_uuid(const struct sc_hubtab *t, const uint8_t *uuid)
{
	size_t i;

	for (i = 0; i < t->hi; i++)
		if (t->peers[i].in_use &&
		    memcmp(t->peers[i].uuid, uuid, SC_UUID_LEN) == 0)
			return &t->peers[i];
	return NULL;
}

/* Remove the hash slot s and shift the probe chain back over it. */
static void
idx_delete(struct sc_hubtab *t, size_t s)
{
	size_t j = s, k;

	for (;;) {
		j = (j + 1) & t->idx_mask;
		if (t->idx[j] == 0)
			break;
		k = vmac_hash(t->peers[t->idx[j] - 1].vmac) & t->idx_mask;
		/* Move j into s unless its home k lies cyclically in (s, j]. */
		if (s <= j ? (s < k && k <= j) : (s < k || k <= j))
			continue;
		t->idx[s] = t->idx[j];
		s = j;
	}
	t->idx[s] = 0;
}

void
sc_hubtab_remove(struct sc_hubtab *t, struct sc_hub_peer *peer)
{
	size_t s;

	if (peer == NULL || !peer->in_use)
		return;
	s = slot_of(t, peer->vmac);
	if (t->idx[s] != 0)
		idx_delete(t, s);
	memset(peer, 0, sizeof(*peer));
	t->n--;
	while (t->hi > 0 && !t->peers[t->hi - 1].in_use)
		t->hi--;
}

static struct sc_hub_peer *
add_peer(struct sc_hubtab *t, const struct scm_connect *req, void *conn,
    uint64_t now)
{
	struct sc_hub_peer *p = NULL;
	size_t i;

	/* The whole table: above a lowered cap, a replacing node may need
	   a slot at or beyond it. */
	for (i = 0; i < t->cap; i++) {
		if (!t->peers[i].in_use) {
			p = &t->peers[i];
			break;
		}
	}
	if (p == NULL)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->in_use = true;
	memcpy(p->vmac, req->vmac, SC_VMAC_LEN);
	memcpy(p->uuid, req->uuid, SC_UUID_LEN);
	p->max_bvlc = req->max_bvlc;
	p->max_npdu = req->max_npdu;
	p->since_us = now;
	p->conn = conn;
	t->idx[slot_of(t, p->vmac)] = (uint32_t)(i + 1);
	t->n++;
	if (i + 1 > t->hi)
		t->hi = i + 1;
	return p;
}

enum sc_hub_admit
sc_hubtab_admit(struct sc_hubtab *t, const struct scm_connect *req,
    void *conn, uint64_t now, struct sc_hub_peer **peer, void **old_conn)
{
	struct sc_hub_peer *same_uuid, *same_vmac;
	void *old = NULL;

	if (!sc_vmac_is_unicast(req->vmac)) {
		t->ctr.refused_bad_vmac++;
		return SC_HUB_REFUSE_BAD_VMAC;
	}
	same_uuid = sc_hubtab_find_uuid(t, req->uuid);
	same_vmac = sc_hubtab_find(t, req->vmac);
	if ((same_vmac != NULL && same_vmac != same_uuid) ||
	    (t->cfg.has_own &&
	    memcmp(req->vmac, t->cfg.own_vmac, SC_VMAC_LEN) == 0 &&
	    memcmp(req->uuid, t->cfg.own_uuid, SC_UUID_LEN) != 0)) {
		t->ctr.refused_dup_vmac++;
		return SC_HUB_REFUSE_DUP_VMAC;
	}
	if (same_uuid != NULL) {
		old = same_uuid->conn;
		sc_hubtab_remove(t, same_uuid);
	} else if (t->n >= t->cfg.max_conns) {
		t->ctr.refused_full++;
		return SC_HUB_REFUSE_FULL;
	}
	*peer = add_peer(t, req, conn, now);
	*old_conn = old;
	t->ctr.admitted++;
	if (old != NULL) {
		t->ctr.replaced++;
		return SC_HUB_ADMIT_REPLACE;
	}
	return SC_HUB_ADMIT_NEW;
}

void
sc_hub_refusal(enum sc_hub_admit a, const struct scm_hdr *h,
    struct scm_fail *fail)
{
	switch (a) {
	case SC_HUB_REFUSE_DUP_VMAC:
		scm_fail_set(fail, h, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_NODE_DUPLICATE_VMAC, 0,
		    "VMAC in use by another device");
		break;
	case SC_HUB_REFUSE_FULL:
		scm_fail_set(fail, h, SCM_ERRCLASS_RESOURCES, SCM_ERR_OTHER, 0,
		    "hub connection limit reached");
		break;
	case SC_HUB_REFUSE_BAD_VMAC:
	case SC_HUB_ADMIT_NEW:
	case SC_HUB_ADMIT_REPLACE:
		scm_fail_set(fail, h, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_HEADER_ENCODING_ERROR, 0,
		    "broadcast or zero VMAC in Connect-Request");
		break;
	}
}

bool
sc_hub_fits(const struct sc_hub_peer *peer, size_t out_len)
{
	return out_len <= peer->max_bvlc;
}

bool
sc_hub_bcast_to(struct sc_hubtab *t, const struct sc_hub_peer *from,
    struct sc_hub_peer *peer, const struct sc_hub_relay *r)
{
	if (!peer->in_use || peer == from)
		return false;
	if (!sc_hub_fits(peer, r->out_len)) {
		t->ctr.dropped_too_big++;
		return false;
	}
	peer->tx_msgs++;
	t->ctr.broadcast_copies++;
	return true;
}

/* A refusal: NAK if eligible, else drop.  The hub's NAK has no VMACs. */
static enum sc_hub_verdict
refuse(struct sc_hubtab *t, struct sc_hub_relay *r)
{
	if (!scm_fail_wants_nak(&r->fail)) {
		t->ctr.dropped_invalid++;
		return SC_HUB_DROP;
	}
	r->fail.has_orig = false;
	t->ctr.naks++;
	return SC_HUB_NAK;
}

/* Build the relayed header's fixed part and the borrowed rest. */
static void
rewrite(const uint8_t *buf, size_t len, const struct scm_hdr *in,
    const uint8_t *sender, struct sc_hub_relay *r)
{
	struct scm_hdr h2;
	size_t in_fixed, n = 0;

	scm_hdr_relay(in, sender, &h2);
	in_fixed = SCM_HDR_MIN + (in->has_orig ? SC_VMAC_LEN : 0) +
	    (in->has_dest ? SC_VMAC_LEN : 0);
	r->fixed[n++] = h2.function;
	r->fixed[n++] = h2.flags;
	r->fixed[n++] = (uint8_t)(h2.msgid >> 8);
	r->fixed[n++] = (uint8_t)h2.msgid;
	memcpy(r->fixed + n, h2.orig, SC_VMAC_LEN);
	n += SC_VMAC_LEN;
	if (h2.has_dest) {
		memcpy(r->fixed + n, h2.dest, SC_VMAC_LEN);
		n += SC_VMAC_LEN;
	}
	r->fixed_len = n;
	r->rest = buf + in_fixed;
	r->rest_len = len - in_fixed;
	r->out_len = r->fixed_len + r->rest_len;
}

enum sc_hub_verdict
sc_hub_rx(struct sc_hubtab *t, struct sc_hub_peer *from, const uint8_t *buf,
    size_t len, struct sc_hub_relay *r)
{
	struct scm_hdr h;
	enum codec_rc rc;

	memset(r, 0, sizeof(*r));
	rc = scm_decode(buf, len, &r->msg, &r->fail);
	if (rc == CODEC_UNSUPPORTED) {
		/* Unknown function: relayable if the header is sound. */
		if (scm_hdr_decode(buf, len, &r->msg.hdr, &r->fail) != CODEC_OK)
			return refuse(t, r);
	} else if (rc != CODEC_OK) {
		if (!r->fail.have_hdr) {
			t->ctr.dropped_invalid++;
			return SC_HUB_DROP;	/* < 4 octets */
		}
		return refuse(t, r);
	}
	if (scm_function_is_peer_only(r->msg.hdr.function))
		return SC_HUB_LOCAL;

	h = r->msg.hdr;
	if (h.has_orig && t->cfg.accept_orig_vmac) {
		h.has_orig = false;	/* overwritten below by the true VMAC */
		r->orig_overwritten = true;
		r->orig_first = !from->orig_seen;
		from->orig_seen = true;
		t->ctr.orig_overwritten++;
	}
	if (scm_check_hop(&h, SCM_HOP_HUB_RX, &r->fail) != 0) {
		/* The NAK echoes what the node sent. */
		return refuse(t, r);
	}
	from->rx_msgs++;
	h.has_orig = r->msg.hdr.has_orig;	/* for the input's layout */
	rewrite(buf, len, &h, from->vmac, r);
	if (sc_vmac_is_broadcast(h.dest)) {
		t->ctr.relayed_broadcast++;
		return SC_HUB_BROADCAST;
	}
	r->to = sc_hubtab_find(t, h.dest);
	/* Never back to the sender (found by the hubfn fuzz harness). */
	if (r->to == from)
		r->to = NULL;
	if (r->to == NULL) {
		t->ctr.dropped_unknown_dest++;
		return SC_HUB_DROP_UNKNOWN;
	}
	if (!sc_hub_fits(r->to, r->out_len)) {
		t->ctr.dropped_too_big++;
		return SC_HUB_DROP_TOO_BIG;
	}
	r->to->tx_msgs++;
	t->ctr.relayed_unicast++;
	return SC_HUB_UNICAST;
}

const char *
sc_hub_verdict_name(enum sc_hub_verdict v)
{
	switch (v) {
	case SC_HUB_DROP:
		return "drop";
	case SC_HUB_NAK:
		return "nak";
	case SC_HUB_LOCAL:
		return "local";
	case SC_HUB_UNICAST:
		return "unicast";
	case SC_HUB_BROADCAST:
		return "broadcast";
	case SC_HUB_DROP_UNKNOWN:
		return "drop-unknown-destination";
	case SC_HUB_DROP_TOO_BIG:
		return "drop-too-big";
	}
	return "?";
}

const char *
sc_hub_admit_name(enum sc_hub_admit a)
{
	switch (a) {
	case SC_HUB_ADMIT_NEW:
		return "admitted";
	case SC_HUB_ADMIT_REPLACE:
		return "admitted-replacing";
	case SC_HUB_REFUSE_DUP_VMAC:
		return "refused-duplicate-vmac";
	case SC_HUB_REFUSE_FULL:
		return "refused-full";
	case SC_HUB_REFUSE_BAD_VMAC:
		return "refused-bad-vmac";
	}
	return "?";
}
