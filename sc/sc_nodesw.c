/*
 * BACnet/SC node switch glue: the direct-connect listener, initiated and
 * accepted direct connections (sc_peer_fsm over sc_ws with
 * dc.bsc.bacnet.org), address resolution through the node's hub
 * connection, and the decisions of sc_dc_fsm.  See sc_nodesw.h.
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
#include "lib/txwin.h"
#include "sc/sc_node.h"
#include "sc/sc_nodesw.h"
#include "sc/sc_pconn.h"
#include "sc/scm_codec.h"

struct sc_dconn {
	struct sc_pconn		 pc;		/* WebSocket, machine, timer */
	struct sc_nodesw	*sw;
	bool			 initiated;
	bool			 counted;	/* in the sc_dc table */
	bool			 have_vmac;
	uint8_t			 vmac[SC_VMAC_LEN];
	char			 uri[SC_NODESW_URI_MAX];
	uint64_t		 since;
	uint64_t		 tx, rx;
	struct txwin		 txw;		/* recent sends (tx_lost) */
	struct sc_dconn		*next;
};

struct sc_nodesw {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct sc_node		*node;
	struct sc_nodesw_cfg	 cfg;
	char			 name[64];
	char			 adv[SC_NODESW_MAX_ADV][SC_NODESW_URI_MAX];
	char			 adv_default[SC_NODESW_URI_MAX];
	size_t			 n_adv;
	struct sc_ws_listener	*lst;
	struct sc_ws_limits	 limits;
	struct sc_peer_cfg	 pcfg;
	struct sc_pconn_id	 id;		/* what Connect-Request says */
	struct sc_dc		 dc;
	struct event		*tick;
	struct sc_dconn		*conns;
	uint16_t		 msgid;
	struct sc_nodesw_counters ctr;
	struct ratelim		 rl;
	bool			 stopping;	/* sc_nodesw_stop: no new
						   connections or resolutions */
};

static void dc_apply_acts(struct sc_nodesw *sw, const struct sc_dc_acts *a);
static void sw_set_adv(struct sc_nodesw *sw, const struct sc_nodesw_cfg *cfg);
static void sw_make_adv_default(struct sc_nodesw *sw, const char *a);
static int sw_cfg_check(const struct sc_nodesw_cfg *cfg, char *err,
    size_t errlen);
static void sw_rearm(struct sc_nodesw *sw);

static uint16_t
rnd16(void)
{
	uint16_t v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		v = (uint16_t)clk_now_us();
	return v;
}

/* Take c out of the decision table (it is no longer a direct path). */
static void
dconn_uncount(struct sc_dconn *c)
{
	struct sc_nodesw *sw = c->sw;
	struct sc_dc_acts a = { 0 };

	if (!c->counted)
		return;
	c->counted = false;
	if (c->initiated)
		sc_dc_init_down(&sw->dc, c->vmac, clk_now_us(), &a);
	else
		sc_dc_acc_down(&sw->dc, c->vmac, clk_now_us());
	dc_apply_acts(sw, &a);
}

static void
dconn_note_tx(struct sc_dconn *c, uint64_t now)
{
	txwin_note(&c->txw, now);
	c->tx++;
}

/*
 * Count what c sent within inflight_ms before now (rounded up to whole
 * buckets) as possibly lost: an upper bound of what a connection that
 * died without a close handshake took with it.
 */
static void
dconn_count_lost(struct sc_dconn *c, bool clean)
{
	if (clean)
		return;
	c->sw->ctr.tx_lost += txwin_recent(&c->txw, clk_now_us());
}

static void
dconn_unlink_free(struct sc_dconn *c)
{
	struct sc_nodesw *sw = c->sw;
	struct sc_dconn **pp;

	for (pp = &sw->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	sc_pconn_fini(&c->pc);
	free(c);
}

/* What the machine's actions mean for the node switch (on_event). */
static void
dconn_on_event(struct sc_pconn *pc, const struct sc_peer_out *o)
{
	struct sc_dconn *c = pc->owner;
	struct sc_nodesw *sw = c->sw;
	char vs[SC_VMAC_STRLEN];

	if (o->up) {
		c->since = clk_now_us();
		sw->ctr.opened++;
		if (c->initiated) {
			/* The peer may have changed its VMAC meanwhile. */
			if (memcmp(pc->peer.remote.vmac, c->vmac,
			    SC_VMAC_LEN) != 0)
				log_info(LD_SC, "sc-dc[%s]: %s answered with "
				    "another VMAC", sw->name, c->uri);
			sc_dc_init_up(&sw->dc, c->vmac, clk_now_us());
		}
		sc_vmac_format(c->vmac, vs, sizeof(vs));
		log_info(LD_SC, "sc-dc[%s]: direct connection %s %s %s up",
		    sw->name, c->initiated ? "to" : "from", vs, c->uri);
		sw_rearm(sw);
	}
	if (o->down || o->close)
		dconn_uncount(c);
}

/* ---------------------------------------------------- accepting side */

static struct sc_dconn *
find_up(struct sc_nodesw *sw, const uint8_t *vmac, bool initiated)
{
	struct sc_dconn *c;

	for (c = sw->conns; c != NULL; c = c->next)
		if (c->initiated == initiated && c->counted &&
		    c->have_vmac && memcmp(c->vmac, vmac, SC_VMAC_LEN) == 0)
			return c;
	return NULL;
}

/* Connect-Request m on accepted connection c: §1.9.2 (a), (b), (c). */
static void
dconn_admit(struct sc_dconn *c, const struct scm_msg *m)
{
	struct sc_nodesw *sw = c->sw;
	const struct scm_connect *r = &m->u.connect;
	struct sc_dconn *o, *old = NULL;
	struct scm_fail f;
	bool dup = false;
	char vs[SC_VMAC_STRLEN];

	if (memcmp(r->vmac, sc_node_vmac(sw->node), SC_VMAC_LEN) == 0 &&
	    memcmp(r->uuid, sw->cfg.uuid, SC_UUID_LEN) != 0)
		dup = true;
	for (o = sw->conns; o != NULL; o = o->next) {
		if (o == c || !sc_pconn_is_up(&o->pc))
			continue;
		/* (a) the same device reconnecting (accepted side only: our
		   own initiated connection to it may coexist). */
		if (!o->initiated &&
		    memcmp(o->pc.peer.remote.uuid, r->uuid, SC_UUID_LEN) == 0) {
			old = o;
			continue;
		}
		/* (b) another device with that VMAC. */
		if (memcmp(o->pc.peer.remote.uuid, r->uuid, SC_UUID_LEN) != 0 &&
		    memcmp(o->pc.peer.remote.vmac, r->vmac, SC_VMAC_LEN) == 0)
			dup = true;
	}
	sc_vmac_format(r->vmac, vs, sizeof(vs));
	if (dup) {
		scm_fail_set(&f, &m->hdr, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_NODE_DUPLICATE_VMAC, 0, "duplicate VMAC");
		(void)sc_pconn_send_nak(&c->pc, &f);
		sw->ctr.refused_dup++;
		log_info(LD_SC, "sc-dc[%s]: refused %s from %s: duplicate "
		    "VMAC", sw->name, vs, c->uri);
		sc_pconn_refuse(&c->pc, 0);
		return;
	}
	if (old != NULL) {
		/* Take the old one out of the table before the new one
		   goes in (the cap counts both otherwise). */
		dconn_uncount(old);
	} else if (!sc_dc_may_accept(&sw->dc)) {
		sw->ctr.refused_cap++;
		log_ratelim(&sw->rl, LOG_LVL_INFO, LD_SC, "sc-dc[%s]: "
		    "refused %s from %s: %u direct connections", sw->name, vs,
		    c->uri, sc_dc_nconns(&sw->dc));
		sc_pconn_refuse(&c->pc, SC_PEER_CLOSE_GOING_AWAY);
		return;
	}
	if (sc_dc_acc_up(&sw->dc, r->vmac, clk_now_us()) != 0) {
		sw->ctr.refused_cap++;
		sc_pconn_refuse(&c->pc, 0);
		return;
	}
	memcpy(c->vmac, r->vmac, SC_VMAC_LEN);
	c->have_vmac = true;
	c->counted = true;
	sc_pconn_admit(&c->pc, m);
	if (old != NULL) {
		sw->ctr.replaced++;
		sc_pconn_disconnect(&old->pc);
	}
}

/* ------------------------------------------------------ receive path */

/* Answer an Advertisement-Solicitation on c (digest §1.13). */
static void
dconn_send_advert(struct sc_dconn *c)
{
	uint8_t buf[64];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	if (sc_node_advert(c->sw->node, NULL, &w) == 0 &&
	    sc_pconn_send(&c->pc, buf, w.len) == SC_WS_SEND_OK)
		c->sw->ctr.adverts_tx++;
}

static void
dconn_on_message(struct sc_pconn *pc, const uint8_t *buf, size_t len)
{
	struct sc_dconn *c = pc->owner;
	struct sc_nodesw *sw = c->sw;
	struct scm_msg m;
	struct scm_fail f;
	struct sc_peer_out o;
	struct npdu_rx rx;

	if (sc_pconn_decode(pc, buf, len, SCM_HOP_DIRECT, &m, &f) != 0) {
		sw->ctr.rx_invalid++;
		return;
	}
	sc_pconn_rx(pc, &m, &o);
	if (o.connect_request && !c->initiated)
		dconn_admit(c, &m);
	if (!o.deliver || !c->have_vmac)
		return;
	sc_dc_note_rx(&sw->dc, c->vmac, clk_now_us());
	if (scm_check_dest_opts(&m.hdr, NULL, NULL, &f) != 0) {
		sw->ctr.rx_invalid++;
		(void)sc_pconn_send_nak(pc, &f);
		return;
	}
	switch (m.hdr.function) {
	case SCM_FN_ENCAP_NPDU:
		if (m.hdr.has_dest) {
			/* A broadcast on a direct connection (§1.13). */
			sw->ctr.rx_bcast_discarded++;
			return;
		}
		memset(&rx, 0, sizeof(rx));
		rx.src_mac = c->vmac;
		rx.src_mac_len = SC_VMAC_LEN;
		rx.npdu = m.hdr.payload;
		rx.npdu_len = m.hdr.payload_len;
		rx.opts.data = m.hdr.data_opts.data;
		rx.opts.len = m.hdr.data_opts.len;
		c->rx++;
		sw->ctr.rx_direct++;
		npdu_port_deliver(sc_node_port(sw->node), &rx);
		break;
	case SCM_FN_ADVERT_SOLICIT:
		dconn_send_advert(c);
		break;
	default:
		break;		/* results, adverts etc.: nothing to do */
	}
}

static void
dconn_on_closed(struct sc_pconn *pc, const struct sc_ws_close_info *ci,
    bool was_up)
{
	struct sc_dconn *c = pc->owner;
	struct sc_nodesw *sw = c->sw;
	bool clean = ci->kind == SC_WS_ERR_NONE &&
	    ci->status == SC_WS_CLOSE_NORMAL;
	char vs[SC_VMAC_STRLEN];

	if (c->initiated && !was_up && c->counted)
		sw->ctr.failed++;
	dconn_uncount(c);
	dconn_count_lost(c, clean);
	sc_vmac_format(c->vmac, vs, sizeof(vs));
	if (was_up)
		log_info(LD_SC, "sc-dc[%s]: direct connection %s %s closed "
		    "(%s%s%s)", sw->name, c->initiated ? "to" : "from", vs,
		    sc_ws_err_name(ci->kind), ci->detail != NULL ? ": " : "",
		    ci->detail != NULL ? ci->detail : "");
	dconn_unlink_free(c);
	sw_rearm(sw);
}

static const struct sc_pconn_cbs dconn_cbs = {
	.on_event = dconn_on_event,
	.on_message = dconn_on_message,
	.on_closed = dconn_on_closed,
};

static struct sc_dconn *
dconn_new(struct sc_nodesw *sw, bool initiated)
{
	struct sc_dconn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->sw = sw;
	c->initiated = initiated;
	if (sc_pconn_init(&c->pc, sw->base, initiated ? SC_PEER_INITIATING :
	    SC_PEER_ACCEPTING, &sw->pcfg, &sw->id, &dconn_cbs, NULL,
	    c) != 0) {
		free(c);
		return NULL;
	}
	c->since = clk_now_us();
	txwin_init(&c->txw, CLK_MS(sw->cfg.inflight_ms));
	c->next = sw->conns;
	sw->conns = c;
	return c;
}

static void
sw_on_accept(struct sc_ws_listener *l, struct sc_ws *ws, void *arg)
{
	struct sc_nodesw *sw = arg;
	struct sc_dconn *c;

	(void)l;
	c = dconn_new(sw, false);
	if (c == NULL) {
		sc_ws_close(ws, SC_WS_CLOSE_INTERNAL);
		return;
	}
	snprintf(c->uri, sizeof(c->uri), "%s", sc_ws_peer_addr(ws));
	sc_pconn_accept_ws(&c->pc, ws);
}

/* ----------------------------------------------------- initiating side */

static void
dconn_connect(struct sc_nodesw *sw, const uint8_t *vmac, const char *uri)
{
	struct sc_dconn *c = dconn_new(sw, true);
	struct sc_dc_acts a = { 0 };
	char err[160];

	if (c != NULL) {
		memcpy(c->vmac, vmac, SC_VMAC_LEN);
		c->have_vmac = true;
		c->counted = true;
		snprintf(c->uri, sizeof(c->uri), "%s", uri);
		if (sc_pconn_connect(&c->pc, sw->dns, sw->cfg.tls, uri,
		    SC_WS_PROTO_DC, &sw->limits, err, sizeof(err)) == 0)
			return;
		log_ratelim(&sw->rl, LOG_LVL_INFO, LD_SC,
		    "sc-dc[%s]: cannot connect to %s: %s", sw->name, uri, err);
		dconn_unlink_free(c);
	}
	sw->ctr.failed++;
	sc_dc_init_down(&sw->dc, vmac, clk_now_us(), &a);
	dc_apply_acts(sw, &a);
}

static void
sw_send_addr_res(struct sc_nodesw *sw, const uint8_t *vmac, uint16_t msgid)
{
	uint8_t buf[SCM_HDR_FIXED_MAX];
	struct scm_msg m;
	struct wr w;

	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ADDR_RES;
	m.hdr.msgid = msgid;
	m.hdr.has_dest = true;
	memcpy(m.hdr.dest, vmac, SC_VMAC_LEN);
	wr_init(&w, buf, sizeof(buf));
	if (scm_msg_encode(&w, &m) == 0 &&
	    sc_node_hub_send(sw->node, buf, w.len) == 0)
		sw->ctr.res_tx++;
}

static void
dc_apply_acts(struct sc_nodesw *sw, const struct sc_dc_acts *a)
{
	size_t i;
	struct sc_dconn *c;

	for (i = 0; i < a->n; i++) {
		const struct sc_dc_act *x = &a->a[i];

		if (sw->stopping && x->kind != SC_DC_ACT_DISCONNECT)
			continue;
		switch (x->kind) {
		case SC_DC_ACT_RESOLVE:
			sw_send_addr_res(sw, x->vmac, x->msgid);
			break;
		case SC_DC_ACT_CONNECT:
			dconn_connect(sw, x->vmac, x->uri);
			break;
		case SC_DC_ACT_DISCONNECT:
			c = find_up(sw, x->vmac, true);
			if (c == NULL)
				break;
			sw->ctr.idle_closed++;
			/* Leave the send path now; the rest is goodbye. */
			dconn_uncount(c);
			sc_pconn_disconnect(&c->pc);
			break;
		}
	}
}

static void
sw_rearm(struct sc_nodesw *sw)
{
	uint64_t d = sc_dc_next_deadline(&sw->dc), min;

	if (d == UINT64_MAX || sw->stopping) {
		event_del(sw->tick);
		return;
	}
	min = clk_now_us() + CLK_MS(50);
	sc_pconn_arm_at(sw->tick, d > min ? d : min);
}

static void
sw_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_nodesw *sw = arg;
	struct sc_dc_acts a = { 0 };

	(void)fd;
	(void)what;
	sc_dc_tick(&sw->dc, clk_now_us(), sw->msgid, &a);
	sw->msgid = (uint16_t)(sw->msgid + SC_DC_MAX_ACTS);
	dc_apply_acts(sw, &a);
	sw_rearm(sw);
}

/* --------------------------------------------------------- send path */

static struct sc_dconn *
route_conn(struct sc_nodesw *sw, const uint8_t *dest)
{
	struct sc_dconn *c, *best = NULL;

	for (c = sw->conns; c != NULL; c = c->next) {
		if (!c->counted || !c->have_vmac || c->pc.ws == NULL ||
		    !sc_pconn_is_up(&c->pc) ||
		    memcmp(c->vmac, dest, SC_VMAC_LEN) != 0)
			continue;
		if (best == NULL || c->initiated)
			best = c;
	}
	return best;
}

int
sc_nodesw_send(struct sc_nodesw *sw, const uint8_t *dest,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct sc_dc_acts a = { 0 };
	struct sc_dconn *c;
	uint16_t id;
	uint64_t now = clk_now_us();

	if (sw->stopping) {
		sw->ctr.tx_hub++;
		return -1;
	}
	id = sw->msgid++;
	if (sc_dc_unicast(&sw->dc, dest, now, id, &a) != SC_DC_VIA_DIRECT) {
		dc_apply_acts(sw, &a);
		sw_rearm(sw);
		sw->ctr.tx_hub++;
		return -1;
	}
	c = route_conn(sw, dest);
	if (c == NULL) {
		sw->ctr.tx_hub++;
		return -1;
	}
	switch (sc_pconn_send_npdu(&c->pc, NULL, id, npdu, opts)) {
	case SC_WS_SEND_OK:
		dconn_note_tx(c, now);
		sw->ctr.tx_direct++;
		return 0;
	case SC_WS_SEND_BUSY:
		sw->ctr.tx_busy++;
		break;
	case SC_WS_SEND_CLOSED:
	case SC_WS_SEND_TOO_BIG:
		break;
	}
	sw->ctr.tx_hub++;
	return -1;
}

/* ------------------------------------------------ address resolution */

static void
sw_answer_addr_res(struct sc_nodesw *sw, const struct scm_hdr *h)
{
	uint8_t buf[SCM_HDR_FIXED_MAX + SC_NODESW_MAX_ADV * SC_NODESW_URI_MAX];
	struct scm_msg m;
	struct scm_fail f;
	struct wr w;
	size_t i, off = 0;
	uint8_t text[SC_NODESW_MAX_ADV * SC_NODESW_URI_MAX];

	if (!h->has_orig)
		return;
	wr_init(&w, buf, sizeof(buf));
	if (sw->lst == NULL) {
		scm_fail_set(&f, h, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED, 0,
		    "direct connections not accepted");
		if (scm_encode_nak(&w, &f, NULL, 0) != 0)
			return;
	} else {
		for (i = 0; i < sw->n_adv; i++) {
			size_t l = strlen(sw->adv[i]);

			if (off + l + 1 > sizeof(text))
				break;
			if (off > 0)
				text[off++] = ' ';
			memcpy(text + off, sw->adv[i], l);
			off += l;
		}
		memset(&m, 0, sizeof(m));
		m.hdr.function = SCM_FN_ADDR_RES_ACK;
		m.hdr.msgid = h->msgid;
		m.hdr.has_dest = true;
		memcpy(m.hdr.dest, h->orig, SC_VMAC_LEN);
		m.hdr.payload = text;
		m.hdr.payload_len = off;
		if (scm_msg_encode(&w, &m) != 0)
			return;
	}
	if (sc_node_hub_send(sw->node, buf, w.len) == 0)
		sw->ctr.res_answered++;
}

bool
sc_nodesw_hub_rx(struct sc_nodesw *sw, const struct scm_msg *m)
{
	const struct scm_hdr *h = &m->hdr;
	struct sc_dc_acts a = { 0 };

	switch (h->function) {
	case SCM_FN_ADDR_RES:
		sw_answer_addr_res(sw, h);
		return true;
	case SCM_FN_ADDR_RES_ACK:
		if (!h->has_orig)
			return true;
		sw->ctr.res_ack_rx++;
		(void)sc_dc_on_ack(&sw->dc, h->orig, h->msgid, h->payload,
		    h->payload_len, clk_now_us(), &a);
		dc_apply_acts(sw, &a);
		sw_rearm(sw);
		return true;
	case SCM_FN_RESULT:
		if (m->u.result.result_for != SCM_FN_ADDR_RES ||
		    m->u.result.code != SCM_RESULT_NAK || !h->has_orig)
			return false;
		sw->ctr.res_nak_rx++;
		(void)sc_dc_on_nak(&sw->dc, h->orig, h->msgid, clk_now_us());
		sw_rearm(sw);
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------- public */

void
sc_nodesw_cfg_default(struct sc_nodesw_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 16;
	cfg->idle_ms = 300000;
	cfg->resolve_timeout_ms = 5000;
	cfg->cache_ms = 600000;
	cfg->retry_ms = 30000;
	cfg->demand_n = 3;
	cfg->demand_window_ms = 10000;
	cfg->inflight_ms = 1000;
	cfg->max_bvlc = 1600;
	cfg->max_npdu = 1497;
	cfg->connect_wait_ms = 10000;
	cfg->disconnect_wait_ms = 10000;
	cfg->heartbeat_ms = 300000;
}

/* Defaults for the settings left 0 (idle_ms 0 means never). */
static void
sw_cfg_fill(struct sc_nodesw_cfg *c)
{
#define DEF(f, v)	if (c->f == 0) c->f = (v)
	DEF(max_conns, 16);
	DEF(resolve_timeout_ms, 5000);
	DEF(cache_ms, 600000);
	DEF(retry_ms, 30000);
	DEF(demand_n, 3);
	DEF(demand_window_ms, 10000);
	DEF(inflight_ms, 1000);
	DEF(max_bvlc, 1600);
	DEF(max_npdu, 1497);
	DEF(connect_wait_ms, 10000);
	DEF(disconnect_wait_ms, 10000);
	DEF(heartbeat_ms, 300000);
#undef DEF
}

struct sc_nodesw *
sc_nodesw_new(struct event_base *base, struct evdns_base *dns,
    struct sc_node *node, const struct sc_nodesw_cfg *cfg, char *err,
    size_t errlen)
{
	struct sc_nodesw *sw;
	struct sc_dc_cfg dcc;
	size_t i;

	if (sw_cfg_check(cfg, err, errlen) != 0)
		return NULL;
	sw = calloc(1, sizeof(*sw));
	if (sw == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sw->base = base;
	sw->dns = dns;
	sw->node = node;
	sw->cfg = *cfg;
	snprintf(sw->name, sizeof(sw->name), "%s",
	    cfg->name != NULL ? cfg->name : "sc");
	sw->cfg.name = sw->name;
	sw_cfg_fill(&sw->cfg);
	sc_pconn_timers_ms(&sw->pcfg, NULL, sw->cfg.connect_wait_ms,
	    sw->cfg.disconnect_wait_ms, sw->cfg.heartbeat_ms);
	sw->id.vmac = sc_node_vmac(node);
	sw->id.uuid = sw->cfg.uuid;
	sw->id.max_bvlc = sw->cfg.max_bvlc;
	sw->id.max_npdu = sw->cfg.max_npdu;
	memset(&dcc, 0, sizeof(dcc));
	dcc.policy = sw->cfg.policy;
	dcc.max_conns = sw->cfg.max_conns;
	dcc.idle_us = CLK_MS(sw->cfg.idle_ms);
	dcc.resolve_timeout_us = CLK_MS(sw->cfg.resolve_timeout_ms);
	dcc.cache_us = CLK_MS(sw->cfg.cache_ms);
	dcc.retry_us = CLK_MS(sw->cfg.retry_ms);
	dcc.demand_n = sw->cfg.demand_n;
	dcc.demand_window_us = CLK_MS(sw->cfg.demand_window_ms);
	sc_dc_init(&sw->dc, &dcc);
	for (i = 0; i < cfg->n_peers; i++) {
		if (sc_dc_add_configured(&sw->dc, cfg->peers[i].vmac,
		    cfg->peers[i].uri) != 0) {
			snprintf(err, errlen, "bad configured peer %zu", i);
			free(sw);
			return NULL;
		}
		sw->cfg.peers[i].uri = NULL;	/* copied into the table */
	}
	sc_pconn_limits(&sw->limits, sw->cfg.max_bvlc,
	    sw->cfg.connect_wait_ms);
	sc_ws_limits_per_source(&sw->limits, sw->cfg.max_per_source);
	sw->limits.max_conns = sw->cfg.max_conns + sw->limits.max_pending;
	ratelim_init(&sw->rl, 10, CLK_SEC(6));
	sw->msgid = rnd16();
	sw->tick = evtimer_new(base, sw_tick_cb, sw);
	if (sw->tick == NULL) {
		free(sw);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg->accept) {
		sw->lst = sc_ws_listen(base, cfg->tls, cfg->listen_addr,
		    cfg->listen_port, SC_WS_PROTO_DC, &sw->limits,
		    sw_on_accept, sw, err, errlen);
		if (sw->lst == NULL) {
			event_free(sw->tick);
			free(sw);
			return NULL;
		}
		sw_make_adv_default(sw, cfg->listen_addr);
		sw_set_adv(sw, cfg);
	}
	sw->cfg.listen_addr = NULL;	/* borrowed: not kept */
	for (i = 0; i < SC_NODESW_MAX_ADV; i++)
		sw->cfg.accept_uris[i] = NULL;
	sc_node_set_nodesw(node, sw);
	sw_rearm(sw);
	if (sw->cfg.policy == SC_DC_POLICY_CONFIGURED)
		sc_pconn_arm_at(sw->tick, clk_now_us());
	return sw;
}

void
sc_nodesw_free(struct sc_nodesw *sw)
{
	struct sc_dconn *c;

	if (sw == NULL)
		return;
	sc_node_set_nodesw(sw->node, NULL);
	while ((c = sw->conns) != NULL)
		dconn_unlink_free(c);
	sc_ws_listener_free(sw->lst);
	if (sw->tick != NULL)
		event_free(sw->tick);
	free(sw);
}

void
sc_nodesw_set_timers(struct sc_nodesw *sw, const struct sc_nodesw_cfg *cfg)
{
	struct sc_nodesw_cfg c = *cfg;
	struct sc_dconn *k;

	sw_cfg_fill(&c);
	sw->cfg.connect_wait_ms = c.connect_wait_ms;
	sw->cfg.disconnect_wait_ms = c.disconnect_wait_ms;
	sw->cfg.heartbeat_ms = c.heartbeat_ms;
	sw->cfg.idle_ms = c.idle_ms;
	sw->cfg.resolve_timeout_ms = c.resolve_timeout_ms;
	sw->cfg.cache_ms = c.cache_ms;
	sc_pconn_timers_ms(&sw->pcfg, &sw->limits, sw->cfg.connect_wait_ms,
	    sw->cfg.disconnect_wait_ms, sw->cfg.heartbeat_ms);
	for (k = sw->conns; k != NULL; k = k->next)
		sc_pconn_set_timers(&k->pc, &sw->pcfg);
	if (sw->lst != NULL)	/* handshakes accepted from now on */
		sc_ws_listener_set_limits(sw->lst, &sw->limits);
	/* The decision table reads its timers at each step. */
	sw->dc.cfg.idle_us = CLK_MS(sw->cfg.idle_ms);
	sw->dc.cfg.resolve_timeout_us = CLK_MS(sw->cfg.resolve_timeout_ms);
	sw->dc.cfg.cache_us = CLK_MS(sw->cfg.cache_ms);
	sw_rearm(sw);
}

/* The advertised URIs: cfg's, or one made from the listener. */
static void
sw_set_adv(struct sc_nodesw *sw, const struct sc_nodesw_cfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_accept_uris; i++)
		snprintf(sw->adv[i], SC_NODESW_URI_MAX, "%s",
		    cfg->accept_uris[i]);
	sw->n_adv = cfg->n_accept_uris;
	if (sw->n_adv == 0) {
		memcpy(sw->adv[0], sw->adv_default, SC_NODESW_URI_MAX);
		sw->n_adv = 1;
	}
}

/* The URI advertised when none is configured, from the listener. */
static void
sw_make_adv_default(struct sc_nodesw *sw, const char *a)
{
	bool v6 = a != NULL && strchr(a, ':') != NULL;

	if (a == NULL || a[0] == '\0' || strcmp(a, "0.0.0.0") == 0)
		a = "127.0.0.1";
	else if (strcmp(a, "::") == 0)
		a = "::1";
	snprintf(sw->adv_default, SC_NODESW_URI_MAX,
	    v6 ? "wss://[%s]:%u" : "wss://%s:%u", a,
	    (unsigned)sc_ws_listener_port(sw->lst));
}

/* cfg's URIs and peers fit the node switch's arrays. */
static int
sw_cfg_check(const struct sc_nodesw_cfg *cfg, char *err, size_t errlen)
{
	size_t i;

	if (cfg->n_accept_uris > SC_NODESW_MAX_ADV ||
	    cfg->n_peers > SC_NODESW_MAX_CFG_PEERS) {
		snprintf(err, errlen, "too many URIs or peers");
		return -1;
	}
	for (i = 0; i < cfg->n_accept_uris; i++) {
		if (cfg->accept_uris[i] == NULL ||
		    strlen(cfg->accept_uris[i]) >= SC_NODESW_URI_MAX ||
		    strchr(cfg->accept_uris[i], ' ') != NULL) {
			snprintf(err, errlen, "bad accept URI");
			return -1;
		}
	}
	return 0;
}

int
sc_nodesw_reconfigure(struct sc_nodesw *sw, const struct sc_nodesw_cfg *cfg,
    bool check_only, char *err, size_t errlen)
{
	struct sc_dc_peer_cfg peers[SC_NODESW_MAX_CFG_PEERS];
	struct sc_dconn *c;
	unsigned max_conns = cfg->max_conns > 0 ? cfg->max_conns : 16;
	size_t i;

	if (sw_cfg_check(cfg, err, errlen) != 0)
		return -1;
	for (i = 0; i < cfg->n_peers; i++) {
		memcpy(peers[i].vmac, cfg->peers[i].vmac, SC_VMAC_LEN);
		peers[i].uri = cfg->peers[i].uri;
	}
	if (!sc_dc_reconfigure_fits(&sw->dc, peers, cfg->n_peers)) {
		snprintf(err, errlen, "the direct-connection table cannot "
		    "hold the configured peers now");
		return -1;
	}
	if (check_only)
		return 0;
	(void)sc_dc_reconfigure(&sw->dc, cfg->policy, max_conns, peers,
	    cfg->n_peers);	/* fits: cannot fail */
	sw->cfg.policy = cfg->policy;
	sw->cfg.max_conns = max_conns;
	sw->cfg.max_per_source = cfg->max_per_source;
	/* Close what the new configuration would not have opened. */
	for (c = sw->conns; c != NULL; c = c->next) {
		if (!c->initiated || !c->counted || !c->have_vmac ||
		    sc_dc_is_initiated(&sw->dc, c->vmac))
			continue;
		c->counted = false;	/* the table let it go already */
		sw->ctr.reconf_closed++;
		sc_pconn_disconnect(&c->pc);
	}
	if (sw->lst != NULL) {
		sw_set_adv(sw, cfg);
		sc_ws_limits_per_source(&sw->limits, sw->cfg.max_per_source);
		sw->limits.max_conns = sw->cfg.max_conns +
		    sw->limits.max_pending;
		sc_ws_listener_set_limits(sw->lst, &sw->limits);
	}
	sw_rearm(sw);
	if (sw->cfg.policy == SC_DC_POLICY_CONFIGURED && !sw->stopping)
		sc_pconn_arm_at(sw->tick, clk_now_us());
	return 0;
}

void
sc_nodesw_stop(struct sc_nodesw *sw)
{
	struct sc_dconn *c, *next;

	sw->stopping = true;
	event_del(sw->tick);
	sc_ws_listener_free(sw->lst);
	sw->lst = NULL;
	for (c = sw->conns; c != NULL; c = next) {
		next = c->next;
		dconn_uncount(c);
		sc_pconn_disconnect(&c->pc);
	}
}

bool
sc_nodesw_is_idle(const struct sc_nodesw *sw)
{
	return sw->conns == NULL;
}

int
sc_nodesw_kill(struct sc_nodesw *sw, const uint8_t *vmac)
{
	struct sc_dconn *c, *next;
	int n = 0;

	for (c = sw->conns; c != NULL; c = next) {
		next = c->next;
		if (!c->have_vmac || memcmp(c->vmac, vmac, SC_VMAC_LEN) != 0)
			continue;
		dconn_uncount(c);
		dconn_count_lost(c, false);
		dconn_unlink_free(c);
		n++;
	}
	sw_rearm(sw);
	return n;
}

uint16_t
sc_nodesw_listen_port(const struct sc_nodesw *sw)
{
	return sw->lst != NULL ? sc_ws_listener_port(sw->lst) : 0;
}

bool
sc_nodesw_accepting(const struct sc_nodesw *sw)
{
	return sw->lst != NULL;
}

void
sc_nodesw_get_status(const struct sc_nodesw *sw, struct sc_nodesw_status *out)
{
	memset(out, 0, sizeof(*out));
	out->accepting = sw->lst != NULL;
	out->listen_port = sc_nodesw_listen_port(sw);
	out->policy = sw->cfg.policy;
	out->n_conns = sc_dc_nconns(&sw->dc);
	out->max_conns = sw->cfg.max_conns;
	out->ctr = sw->ctr;
	if (sw->lst != NULL)
		sc_ws_listener_stats(sw->lst, &out->listener);
}

size_t
sc_nodesw_get_conns(const struct sc_nodesw *sw,
    struct sc_nodesw_conn_status *out, size_t max)
{
	const struct sc_dconn *c;
	size_t n = 0;

	for (c = sw->conns; c != NULL; c = c->next, n++) {
		struct sc_nodesw_conn_status *s;

		if (n >= max)
			continue;
		s = &out[n];
		memset(s, 0, sizeof(*s));
		memcpy(s->vmac, c->vmac, SC_VMAC_LEN);
		if (sc_pconn_is_up(&c->pc) ||
		    c->pc.peer.state == SC_PEER_DISCONNECTING)
			memcpy(s->uuid, c->pc.peer.remote.uuid, SC_UUID_LEN);
		memcpy(s->uri, c->uri, sizeof(s->uri));
		s->initiated = c->initiated;
		s->state = c->pc.peer.state;
		s->since_us = c->since;
		s->tx = c->tx;
		s->rx = c->rx;
	}
	return n;
}
