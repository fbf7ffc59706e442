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
#include <openssl/rand.h>

#include "lib/bytes.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ratelim.h"
#include "sc/sc_hub.h"
#include "sc/sc_peer_fsm.h"
#include "sc/sc_ws.h"
#include "sc/scm_codec.h"

struct sc_hconn {
	struct sc_hub		*hub;
	struct sc_ws		*ws;
	struct sc_peer		 peer;
	struct event		*timer;
	struct sc_hub_peer	*entry;		/* admitted: table entry */
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
	struct sc_hubtab	 tab;
	struct sc_hconn		*conns;
	size_t			 n_conns;
	uint64_t		 dropped_busy;
	uint64_t		 rx_invalid;
	uint64_t		 dropped_bcast_rate;
	struct ratelim		 rl;
};

static void
timer_arm(struct event *ev, uint64_t deadline)
{
	uint64_t now = clk_now_us();
	uint64_t d = deadline > now ? deadline - now : 0;
	struct timeval tv;

	tv.tv_sec = (time_t)(d / 1000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000u);
	event_add(ev, &tv);
}

static void
hc_send_buf(struct sc_hconn *c, const uint8_t *buf, size_t len)
{
	struct sc_ws_seg seg = { buf, len };

	if (c->ws != NULL)
		(void)sc_ws_send(c->ws, &seg, 1);
}

static void
hc_send_nak(struct sc_hconn *c, const struct scm_fail *f)
{
	uint8_t buf[64];
	struct wr w;

	if (!scm_fail_wants_nak(f))
		return;
	wr_init(&w, buf, sizeof(buf));
	if (scm_encode_nak(&w, f, NULL, 0) == 0)
		hc_send_buf(c, buf, w.len);
}

static void
hc_send_peer_msg(struct sc_hconn *c, enum sc_peer_send what, uint16_t id)
{
	struct sc_hub *h = c->hub;
	struct scm_msg m;
	uint8_t buf[64];
	struct wr w;

	memset(&m, 0, sizeof(m));
	m.hdr.msgid = id;
	switch (what) {
	case SC_PEER_SEND_NONE:
		return;
	case SC_PEER_SEND_CONNECT_REQ:
		return;		/* never on the accepting side */
	case SC_PEER_SEND_CONNECT_ACCEPT:
		m.hdr.function = SCM_FN_CONNECT_ACCEPT;
		memcpy(m.u.connect.vmac, h->cfg.vmac, SC_VMAC_LEN);
		memcpy(m.u.connect.uuid, h->cfg.uuid, SC_UUID_LEN);
		m.u.connect.max_bvlc = h->cfg.max_bvlc;
		m.u.connect.max_npdu = h->cfg.max_npdu;
		break;
	case SC_PEER_SEND_DISCONNECT_REQ:
		m.hdr.function = SCM_FN_DISCONNECT_REQ;
		break;
	case SC_PEER_SEND_DISCONNECT_ACK:
		m.hdr.function = SCM_FN_DISCONNECT_ACK;
		break;
	case SC_PEER_SEND_HEARTBEAT_REQ:
		m.hdr.function = SCM_FN_HEARTBEAT_REQ;
		break;
	case SC_PEER_SEND_HEARTBEAT_ACK:
		m.hdr.function = SCM_FN_HEARTBEAT_ACK;
		break;
	}
	wr_init(&w, buf, sizeof(buf));
	if (scm_msg_encode(&w, &m) == 0)
		hc_send_buf(c, buf, w.len);
}

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

static void
hc_apply(struct sc_hconn *c, const struct sc_peer_out *o)
{
	if (o->send != SC_PEER_SEND_NONE)
		hc_send_peer_msg(c, o->send, o->send_id);
	if (o->down)
		hc_forget(c);
	if (o->arm)
		timer_arm(c->timer, o->deadline);
	if (o->close && c->ws != NULL) {
		event_del(c->timer);
		hc_forget(c);
		sc_ws_close(c->ws, o->close_status);
	}
}

static void
hc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_hconn *c = arg;
	struct sc_peer_out o;

	(void)fd;
	(void)what;
	sc_peer_timer(&c->peer, clk_now_us(), &o);
	if (o.close && c->peer.state == SC_PEER_IDLE && o.fail ==
	    SC_PEER_FAIL_NONE && c->entry != NULL)
		log_info(LD_SC, "sc-hub[%s]: %s silent too long; closing",
		    c->hub->name, c->addr);
	hc_apply(c, &o);
}

/* A Connect-Request m arrived on c in AWAIT_REQUEST: admit or refuse. */
static void
hc_admit(struct sc_hconn *c, const struct scm_msg *m)
{
	struct sc_hub *h = c->hub;
	struct sc_hub_peer *entry = NULL;
	void *old = NULL;
	enum sc_hub_admit a;
	struct sc_peer_out o;
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
		sc_peer_accept(&c->peer, m, clk_now_us(), &o);
		hc_apply(c, &o);
		log_info(LD_SC, "sc-hub[%s]: node %s uuid %s from %s %s",
		    h->name, vs, us, c->addr, sc_hub_admit_name(a));
		if (old != NULL) {
			struct sc_hconn *oc = old;

			/* Its entry is gone; disconnect it politely. */
			oc->entry = NULL;
			sc_peer_disconnect(&oc->peer, clk_now_us(), &o);
			hc_apply(oc, &o);
		}
		break;
	case SC_HUB_REFUSE_DUP_VMAC:
	case SC_HUB_REFUSE_FULL:
	case SC_HUB_REFUSE_BAD_VMAC:
		log_ratelim(&h->rl, LOG_LVL_NOTICE, LD_SC,
		    "sc-hub[%s]: node %s uuid %s from %s %s", h->name, vs, us,
		    c->addr, sc_hub_admit_name(a));
		sc_hub_refusal(a, &m->hdr, &f);
		hc_send_nak(c, &f);
		sc_peer_refuse(&c->peer, clk_now_us(), &o);
		hc_apply(c, &o);
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
		hc_send_nak(c, &f);
		return;
	}
	sc_peer_rx(&c->peer, &m, clk_now_us(), &o);
	hc_apply(c, &o);
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

	if (to->ws == NULL ||
	    sc_ws_send(to->ws, segs, r->rest_len > 0 ? 2 : 1) !=
	    SC_WS_SEND_OK)
		to->hub->dropped_busy++;
}

static void
hc_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct sc_hconn *c = arg;
	struct sc_hub *h = c->hub;
	struct sc_hub_relay r;
	struct sc_peer_out o;
	char vs[SC_VMAC_STRLEN];
	size_t i;

	(void)ws;
	if (c->entry == NULL) {
		hc_rx_unadmitted(c, buf, len);
		return;
	}
	switch (sc_hub_rx(&h->tab, c->entry, buf, len, &r)) {
	case SC_HUB_LOCAL:
		sc_peer_rx(&c->peer, &r.msg, clk_now_us(), &o);
		hc_apply(c, &o);
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
		hc_send_nak(c, &r.fail);
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
	sc_peer_note_rx(&c->peer, clk_now_us());
}

static void
hc_on_writable(struct sc_ws *ws, void *arg)
{
	(void)ws;
	(void)arg;
}

static void
hc_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci, void *arg)
{
	struct sc_hconn *c = arg;
	struct sc_hub *h = c->hub;
	struct sc_peer_out o;

	(void)ws;
	if (c->entry != NULL)
		log_info(LD_SC, "sc-hub[%s]: connection from %s closed (%s%s%s)",
		    h->name, c->addr, sc_ws_err_name(ci->kind),
		    ci->detail != NULL ? ": " : "",
		    ci->detail != NULL ? ci->detail : "");
	c->ws = NULL;
	sc_peer_ws_closed(&c->peer, clk_now_us(), &o);
	hc_forget(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->n_conns--;
	event_free(c->timer);
	free(c);
}

static void
hub_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	struct sc_hub *h = arg;
	struct sc_hconn *c;
	struct sc_ws_cbs cbs = {
		.on_open = NULL,
		.on_message = hc_on_message,
		.on_writable = hc_on_writable,
		.on_close = hc_on_close,
	};
	struct sc_peer_out o;
	uint16_t id0 = 0;

	(void)l;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;		/* the transport closes it (1011) */
	c->timer = evtimer_new(h->base, hc_timer_cb, c);
	if (c->timer == NULL) {
		free(c);
		return;
	}
	c->hub = h;
	c->ws = ws;
	if (h->cfg.bcast_rate > 0)
		ratelim_init(&c->bcast_rl, h->cfg.bcast_burst > 0 ?
		    h->cfg.bcast_burst : h->cfg.bcast_rate,
		    1000000u / h->cfg.bcast_rate);
	snprintf(c->addr, sizeof(c->addr), "%s", sc_ws_peer_addr(ws));
	(void)RAND_bytes((unsigned char *)&id0, sizeof(id0));
	sc_peer_init(&c->peer, SC_PEER_ACCEPTING, &h->pcfg, id0);
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->n_conns++;
	sc_ws_set_cbs(ws, &cbs, c);
	sc_peer_ws_open(&c->peer, clk_now_us(), &o);
	hc_apply(c, &o);
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
	h->pcfg.connect_wait_us = CLK_MS(h->cfg.connect_wait_ms);
	h->pcfg.disconnect_wait_us = CLK_MS(h->cfg.disconnect_wait_ms);
	h->pcfg.heartbeat_us = CLK_MS(h->cfg.heartbeat_ms);
	h->pcfg.silence_us = 2 * CLK_MS(h->cfg.heartbeat_ms) + CLK_SEC(10);
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
	sc_ws_limits_default(&h->limits);
	h->limits.max_msg_len = h->cfg.max_bvlc;
	h->limits.frame_cap = (size_t)h->cfg.max_bvlc + 4096;
	h->limits.handshake_ms = h->cfg.connect_wait_ms;
	h->limits.max_per_source = h->cfg.max_per_source;
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
		sc_ws_free(c->ws);
		event_free(c->timer);
		free(c);
	}
	sc_hubtab_fini(&h->tab);
	free(h);
}

void
sc_hub_shutdown(struct sc_hub *h)
{
	struct sc_hconn *c, *next;
	struct sc_peer_out o;

	for (c = h->conns; c != NULL; c = next) {
		next = c->next;
		sc_peer_disconnect(&c->peer, clk_now_us(), &o);
		hc_apply(c, &o);
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
