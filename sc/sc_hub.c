/*
 * BACnet/SC hub function glue; see sc_hub.h.  Each accepted WebSocket is
 * one `struct sc_hconn` with an accepting connection machine; once its
 * Connect-Request is admitted it has an entry in the hub table, and every
 * message it sends goes through sc_hub_rx() for a verdict.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "lib/bytes.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ratelim.h"
#include "sc/sc_hub.h"
#include "sc/sc_pconn.h"
#include "sc/scm_codec.h"

struct sc_hconn {
	struct sc_pconn		 pc;		/* WebSocket, machine, timer */
	struct sc_hub		*hub;
	struct sc_hub_peer	*entry;		/* admitted: table entry */
	size_t			 entry_i;	/* its index (set_limits) */
	struct ratelim		 bcast_rl;	/* cfg.bcast_rate */
	char			 addr[64];
	struct sc_hconn		*prev, *next;
};

struct sc_hub {
	struct event_base	*base;
	struct sc_hub_conf	 cfg;
	char			 name[64];
	struct sc_ws_listener	*lst;
	struct sc_ws_limits	 limits;
	struct sc_peer_cfg	 pcfg;
	struct sc_pconn_id	 id;		/* what Connect-Accept says */
	struct sc_hubtab	 tab;
	struct sc_hconn		*conns;
	size_t			 n_conns;
	uint64_t		 dropped_busy;
	uint64_t		 rx_invalid;
	uint64_t		 dropped_bcast_rate;
	struct ratelim		 rl;
};

/* Remove c's table entry (if it still has one). */
static void
hc_forget(struct sc_hconn *c)
{
	if (c->entry == NULL)
		return;
	if (c->entry->conn == c)
		sc_hubtab_remove(&c->hub->tab, c->entry);
	c->entry = NULL;
}

/* What the machine's actions mean for the hub (sc_pconn on_event). */
static void
hc_on_event(struct sc_pconn *pc, const struct sc_peer_out *o)
{
	struct sc_hconn *c = pc->owner;

	/* Only the silence limit closes with 1001. */
	if (o->close && o->close_status == SC_PEER_CLOSE_GOING_AWAY &&
	    c->entry != NULL)
		log_info(LD_SC, "sc-hub[%s]: %s silent too long; closing",
		    c->hub->name, c->addr);
	if (o->down || o->close)
		hc_forget(c);
}

/* A Connect-Request m arrived on c in AWAIT_REQUEST: admit or refuse. */
static void
hc_admit(struct sc_hconn *c, const struct scm_msg *m)
{
	struct sc_hub *h = c->hub;
	struct sc_hub_peer *entry = NULL;
	void *old = NULL;
	enum sc_hub_admit a;
	struct scm_fail f;
	char vs[SC_VMAC_STRLEN], us[SC_UUID_STRLEN];

	a = sc_hubtab_admit(&h->tab, &m->u.connect, c, clk_now_us(), &entry,
	    &old);
	sc_vmac_format(m->u.connect.vmac, vs, sizeof(vs));
	sc_uuid_format(m->u.connect.uuid, us, sizeof(us));
	switch (a) {
	case SC_HUB_ADMIT_REPLACE:
	case SC_HUB_ADMIT_NEW:
		c->entry = entry;
		sc_pconn_admit(&c->pc, m);
		log_info(LD_SC, "sc-hub[%s]: node %s uuid %s from %s %s",
		    h->name, vs, us, c->addr, sc_hub_admit_name(a));
		if (old != NULL) {
			struct sc_hconn *oc = old;

			/* Its entry is gone; disconnect it politely. */
			oc->entry = NULL;
			sc_pconn_disconnect(&oc->pc);
		}
		break;
	case SC_HUB_REFUSE_DUP_VMAC:
	case SC_HUB_REFUSE_FULL:
	case SC_HUB_REFUSE_BAD_VMAC:
		log_ratelim(&h->rl, LOG_LVL_NOTICE, LD_SC,
		    "sc-hub[%s]: node %s uuid %s from %s %s", h->name, vs, us,
		    c->addr, sc_hub_admit_name(a));
		sc_hub_refusal(a, &m->hdr, &f);
		(void)sc_pconn_send_nak(&c->pc, &f);
		sc_pconn_refuse(&c->pc, 0);
		break;
	}
}

/* A message from a connection without a table entry. */
static void
hc_rx_unadmitted(struct sc_hconn *c, const uint8_t *buf, size_t len)
{
	struct scm_msg m;
	struct scm_fail f;
	struct sc_peer_out o;

	if (scm_decode(buf, len, &m, &f) != CODEC_OK) {
		c->hub->rx_invalid++;
		(void)sc_pconn_send_nak(&c->pc, &f);
		return;
	}
	sc_pconn_rx(&c->pc, &m, &o);
	if (o.connect_request)
		hc_admit(c, &m);
}

static void
hc_relay(struct sc_hconn *to, const struct sc_hub_relay *r)
{
	struct sc_ws_seg segs[2] = {
		{ r->fixed, r->fixed_len },
		{ r->rest, r->rest_len },
	};

	if (to->pc.ws == NULL ||
	    sc_ws_send(to->pc.ws, segs, r->rest_len > 0 ? 2 : 1) !=
	    SC_WS_SEND_OK)
		to->hub->dropped_busy++;
}

static void
hc_on_message(struct sc_pconn *pc, const uint8_t *buf, size_t len)
{
	struct sc_hconn *c = pc->owner;
	struct sc_hub *h = c->hub;
	struct sc_hub_relay r;
	struct sc_peer_out o;
	char vs[SC_VMAC_STRLEN];
	size_t i;

	if (c->entry == NULL) {
		hc_rx_unadmitted(c, buf, len);
		return;
	}
	switch (sc_hub_rx(&h->tab, c->entry, buf, len, &r)) {
	case SC_HUB_LOCAL:
		sc_pconn_rx(&c->pc, &r.msg, &o);
		return;
	case SC_HUB_UNICAST:
		hc_relay(r.to->conn, &r);
		break;
	case SC_HUB_BROADCAST:
		if (h->cfg.bcast_rate > 0 &&
		    !ratelim_allow(&c->bcast_rl, clk_now_us(), NULL)) {
			h->dropped_bcast_rate++;
			log_ratelim(&h->rl, LOG_LVL_NOTICE, LD_SC,
			    "sc-hub[%s]: %s sends more than %u broadcasts "
			    "per second: dropped (%llu so far)", h->name,
			    c->addr, (unsigned)h->cfg.bcast_rate,
			    (unsigned long long)h->dropped_bcast_rate);
			break;
		}
		for (i = 0; i < h->tab.hi; i++) {
			struct sc_hub_peer *p = sc_hubtab_at(&h->tab, i);

			if (sc_hub_bcast_to(&h->tab, c->entry, p, &r))
				hc_relay(p->conn, &r);
		}
		break;
	case SC_HUB_NAK:
		log_ratelim(&h->rl, LOG_LVL_INFO, LD_SC,
		    "sc-hub[%s]: refused %s from %s: %s", h->name,
		    scm_function_name(r.fail.function), c->addr, r.fail.why);
		(void)sc_pconn_send_nak(&c->pc, &r.fail);
		return;
	case SC_HUB_DROP:
	case SC_HUB_DROP_UNKNOWN:
	case SC_HUB_DROP_TOO_BIG:
		break;
	}
	if (r.orig_first) {
		sc_vmac_format(c->entry->vmac, vs, sizeof(vs));
		log_notice(LD_SC, "sc-hub[%s]: node %s (%s) sends an "
		    "Originating VMAC to the hub; accepted and overwritten "
		    "(accept_orig_vmac)", h->name, vs, c->addr);
	}
	sc_pconn_note_rx(&c->pc);
}

static void
hc_on_closed(struct sc_pconn *pc, const struct sc_ws_close_info *ci,
    bool was_up)
{
	struct sc_hconn *c = pc->owner;
	struct sc_hub *h = c->hub;

	(void)was_up;
	if (c->entry != NULL)
		log_info(LD_SC, "sc-hub[%s]: connection from %s closed (%s%s%s)",
		    h->name, c->addr, sc_ws_err_name(ci->kind),
		    ci->detail != NULL ? ": " : "",
		    ci->detail != NULL ? ci->detail : "");
	hc_forget(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->n_conns--;
	sc_pconn_fini(&c->pc);
	free(c);
}

static const struct sc_pconn_cbs hc_cbs = {
	.on_event = hc_on_event,
	.on_message = hc_on_message,
	.on_closed = hc_on_closed,
};

static void
hub_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	struct sc_hub *h = arg;
	struct sc_hconn *c;

	(void)l;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;		/* the transport closes it (1011) */
	if (sc_pconn_init(&c->pc, h->base, SC_PEER_ACCEPTING, &h->pcfg,
	    &h->id, &hc_cbs, NULL, c) != 0) {
		free(c);
		return;
	}
	c->hub = h;
	if (h->cfg.bcast_rate > 0)
		ratelim_init(&c->bcast_rl, h->cfg.bcast_burst > 0 ?
		    h->cfg.bcast_burst : h->cfg.bcast_rate,
		    1000000u / h->cfg.bcast_rate);
	snprintf(c->addr, sizeof(c->addr), "%s", sc_ws_peer_addr(ws));
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->n_conns++;
	sc_pconn_accept_ws(&c->pc, ws);
}

struct sc_hub *
sc_hub_new(struct event_base *base, const struct sc_hub_conf *cfg,
    char *err, size_t errlen)
{
	struct sc_hub *h;
	struct sc_hubtab_cfg tc;

	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->base = base;
	h->cfg = *cfg;
	snprintf(h->name, sizeof(h->name), "%s",
	    cfg->name != NULL ? cfg->name : "hub");
	h->cfg.name = h->name;
	h->cfg.bind_addr = NULL;
#define DEF(f, v)	if (h->cfg.f == 0) h->cfg.f = (v)
	DEF(max_bvlc, 1600);
	DEF(max_npdu, 1497);
	DEF(max_conns, 256);
	DEF(connect_wait_ms, 10000);
	DEF(disconnect_wait_ms, 10000);
	DEF(heartbeat_ms, 300000);
#undef DEF
	sc_pconn_timers_ms(&h->pcfg, NULL, h->cfg.connect_wait_ms,
	    h->cfg.disconnect_wait_ms, h->cfg.heartbeat_ms);
	h->id.vmac = h->cfg.vmac;
	h->id.uuid = h->cfg.uuid;
	h->id.max_bvlc = h->cfg.max_bvlc;
	h->id.max_npdu = h->cfg.max_npdu;
	memset(&tc, 0, sizeof(tc));
	tc.max_conns = h->cfg.max_conns;
	tc.accept_orig_vmac = h->cfg.accept_orig_vmac;
	tc.has_own = true;
	memcpy(tc.own_vmac, h->cfg.vmac, SC_VMAC_LEN);
	memcpy(tc.own_uuid, h->cfg.uuid, SC_UUID_LEN);
	if (sc_hubtab_init(&h->tab, &tc) != 0) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ratelim_init(&h->rl, 20, CLK_SEC(3));
	sc_pconn_limits(&h->limits, h->cfg.max_bvlc,
	    h->cfg.connect_wait_ms);
	sc_ws_limits_per_source(&h->limits, h->cfg.max_per_source);
	h->limits.max_conns = (unsigned)h->cfg.max_conns +
	    h->limits.max_pending;
	h->lst = sc_ws_listen(base, cfg->tls, cfg->bind_addr, cfg->port,
	    SC_WS_PROTO_HUB, &h->limits, hub_on_accept, h, err, errlen);
	if (h->lst == NULL) {
		sc_hubtab_fini(&h->tab);
		free(h);
		return NULL;
	}
	log_info(LD_SC, "sc-hub[%s]: hub function listening on port %u",
	    h->name, (unsigned)sc_ws_listener_port(h->lst));
	return h;
}

void
sc_hub_free(struct sc_hub *h)
{
	struct sc_hconn *c;

	if (h == NULL)
		return;
	sc_ws_listener_free(h->lst);
	while ((c = h->conns) != NULL) {
		h->conns = c->next;
		sc_pconn_fini(&c->pc);
		free(c);
	}
	sc_hubtab_fini(&h->tab);
	free(h);
}

void
sc_hub_set_timers(struct sc_hub *h, unsigned connect_wait_ms,
    unsigned disconnect_wait_ms, unsigned heartbeat_ms)
{
	struct sc_hconn *c;

	if (connect_wait_ms > 0)
		h->cfg.connect_wait_ms = connect_wait_ms;
	if (disconnect_wait_ms > 0)
		h->cfg.disconnect_wait_ms = disconnect_wait_ms;
	if (heartbeat_ms > 0)
		h->cfg.heartbeat_ms = heartbeat_ms;
	sc_pconn_timers_ms(&h->pcfg, &h->limits, h->cfg.connect_wait_ms,
	    h->cfg.disconnect_wait_ms, h->cfg.heartbeat_ms);
	for (c = h->conns; c != NULL; c = c->next)
		sc_pconn_set_timers(&c->pc, &h->pcfg);
	/* Handshakes that start from now on get the new connect wait. */
	sc_ws_listener_set_limits(h->lst, &h->limits);
}

int
sc_hub_set_limits(struct sc_hub *h, const struct sc_hub_limits *lim,
    char *err, size_t errlen)
{
	size_t max_conns = lim->max_conns > 0 ? lim->max_conns : 256;
	struct sc_hconn *c;
	bool moved = false;

	/* The table first: the only step that can fail. */
	for (c = h->conns; c != NULL; c = c->next)
		if (c->entry != NULL)
			c->entry_i = (size_t)(c->entry - h->tab.peers);
	if (sc_hubtab_set_max(&h->tab, max_conns, &moved) != 0) {
		snprintf(err, errlen, "hub function: out of memory for %zu "
		    "connections", max_conns);
		return -1;
	}
	if (moved)
		for (c = h->conns; c != NULL; c = c->next)
			if (c->entry != NULL)
				c->entry = sc_hubtab_at(&h->tab, c->entry_i);
	h->cfg.max_conns = max_conns;
	h->cfg.max_per_source = lim->max_per_source;
	h->tab.cfg.accept_orig_vmac = lim->accept_orig_vmac;
	h->cfg.accept_orig_vmac = lim->accept_orig_vmac;
	sc_ws_limits_per_source(&h->limits, lim->max_per_source);
	h->limits.max_conns = (unsigned)max_conns + h->limits.max_pending;
	sc_ws_listener_set_limits(h->lst, &h->limits);
	if (lim->bcast_rate != h->cfg.bcast_rate ||
	    lim->bcast_burst != h->cfg.bcast_burst) {
		uint32_t burst = lim->bcast_burst > 0 ? lim->bcast_burst :
		    lim->bcast_rate;

		/* Every node's bucket restarts full with the new values. */
		for (c = h->conns; c != NULL && lim->bcast_rate > 0;
		    c = c->next)
			ratelim_init(&c->bcast_rl, burst,
			    1000000u / lim->bcast_rate);
		h->cfg.bcast_rate = lim->bcast_rate;
		h->cfg.bcast_burst = lim->bcast_burst;
	}
	return 0;
}

void
sc_hub_shutdown(struct sc_hub *h)
{
	struct sc_hconn *c, *next;

	for (c = h->conns; c != NULL; c = next) {
		next = c->next;
		sc_pconn_disconnect(&c->pc);
	}
}

uint16_t
sc_hub_listen_port(const struct sc_hub *h)
{
	return sc_ws_listener_port(h->lst);
}

void
sc_hub_get_status(const struct sc_hub *h, struct sc_hub_status *out)
{
	memset(out, 0, sizeof(*out));
	out->port = sc_ws_listener_port(h->lst);
	out->n_peers = h->tab.n;
	out->n_conns = h->n_conns;
	out->ctr = h->tab.ctr;
	out->dropped_busy = h->dropped_busy;
	out->dropped_bcast_rate = h->dropped_bcast_rate;
	out->rx_invalid = h->rx_invalid;
	sc_ws_listener_stats(h->lst, &out->listener);
}

size_t
sc_hub_get_peers(const struct sc_hub *h, struct sc_hub_peer_status *out,
    size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < h->tab.hi; i++) {
		const struct sc_hub_peer *p = sc_hubtab_at(&h->tab, i);
		const struct sc_hconn *c = p->conn;

		if (!p->in_use)
			continue;
		if (k < max) {
			struct sc_hub_peer_status *s = &out[k];

			memset(s, 0, sizeof(*s));
			memcpy(s->vmac, p->vmac, SC_VMAC_LEN);
			memcpy(s->uuid, p->uuid, SC_UUID_LEN);
			snprintf(s->addr, sizeof(s->addr), "%s",
			    c != NULL ? c->addr : "");
			s->since_us = p->since_us;
			s->max_bvlc = p->max_bvlc;
			s->max_npdu = p->max_npdu;
			s->rx_msgs = p->rx_msgs;
			s->tx_msgs = p->tx_msgs;
		}
		k++;
	}
	return k;
}
