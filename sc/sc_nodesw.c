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
#include "sc/sc_ws.h"
#include "sc/scm_codec.h"

struct sc_dconn {
	struct sc_nodesw	*sw;
	struct sc_ws		*ws;		/* NULL once closed */
	struct sc_peer		 peer;
	struct event		*timer;
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
	size_t			 n_adv;
	struct sc_ws_listener	*lst;
	struct sc_ws_limits	 limits;
	struct sc_peer_cfg	 pcfg;
	struct sc_dc		 dc;
	struct event		*tick;
	struct sc_dconn		*conns;
	uint16_t		 msgid;
	struct sc_nodesw_counters ctr;
	struct ratelim		 rl;
};

static void dc_apply_acts(struct sc_nodesw *sw, const struct sc_dc_acts *a);
static void sw_rearm(struct sc_nodesw *sw);

static uint16_t
rnd16(void)
{
	uint16_t v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		v = (uint16_t)clk_now_us();
	return v;
}

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

static enum sc_ws_send_rc
dconn_send_buf(struct sc_dconn *c, const uint8_t *buf, size_t len)
{
	struct sc_ws_seg seg = { buf, len };

	if (c->ws == NULL)
		return SC_WS_SEND_CLOSED;
	return sc_ws_send(c->ws, &seg, 1);
}

static void
dconn_send_nak(struct sc_dconn *c, const struct scm_fail *f)
{
	uint8_t buf[64];
	struct wr w;

	if (!scm_fail_wants_nak(f))
		return;
	wr_init(&w, buf, sizeof(buf));
	if (scm_encode_nak(&w, f, NULL, 0) == 0)
		(void)dconn_send_buf(c, buf, w.len);
}

static void
dconn_send_peer_msg(struct sc_dconn *c, enum sc_peer_send what, uint16_t id)
{
	struct sc_nodesw *sw = c->sw;
	struct scm_msg m;
	uint8_t buf[64];
	struct wr w;

	memset(&m, 0, sizeof(m));
	m.hdr.msgid = id;
	switch (what) {
	case SC_PEER_SEND_NONE:
		return;
	case SC_PEER_SEND_CONNECT_REQ:
	case SC_PEER_SEND_CONNECT_ACCEPT:
		m.hdr.function = what == SC_PEER_SEND_CONNECT_REQ ?
		    SCM_FN_CONNECT_REQ : SCM_FN_CONNECT_ACCEPT;
		memcpy(m.u.connect.vmac, sc_node_vmac(sw->node), SC_VMAC_LEN);
		memcpy(m.u.connect.uuid, sw->cfg.uuid, SC_UUID_LEN);
		m.u.connect.max_bvlc = sw->cfg.max_bvlc;
		m.u.connect.max_npdu = sw->cfg.max_npdu;
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
		(void)dconn_send_buf(c, buf, w.len);
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
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
}

static void
dconn_apply(struct sc_dconn *c, const struct sc_peer_out *o)
{
	struct sc_nodesw *sw = c->sw;
	char vs[SC_VMAC_STRLEN];

	if (o->send != SC_PEER_SEND_NONE)
		dconn_send_peer_msg(c, o->send, o->send_id);
	if (o->up) {
		c->since = clk_now_us();
		sw->ctr.opened++;
		if (c->initiated) {
			/* The peer may have changed its VMAC meanwhile. */
			if (memcmp(c->peer.remote.vmac, c->vmac,
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
	if (o->down)
		dconn_uncount(c);
	if (o->arm)
		timer_arm(c->timer, o->deadline);
	if (o->close && c->ws != NULL) {
		event_del(c->timer);
		dconn_uncount(c);
		sc_ws_close(c->ws, o->close_status);
	}
}

static void
dconn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_dconn *c = arg;
	struct sc_peer_out o;

	(void)fd;
	(void)what;
	sc_peer_timer(&c->peer, clk_now_us(), &o);
	dconn_apply(c, &o);
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
	struct sc_peer_out po;
	struct scm_fail f;
	bool dup = false;
	char vs[SC_VMAC_STRLEN];

	if (memcmp(r->vmac, sc_node_vmac(sw->node), SC_VMAC_LEN) == 0 &&
	    memcmp(r->uuid, sw->cfg.uuid, SC_UUID_LEN) != 0)
		dup = true;
	for (o = sw->conns; o != NULL; o = o->next) {
		if (o == c || !sc_peer_is_up(&o->peer))
			continue;
		/* (a) the same device reconnecting (accepted side only: our
		   own initiated connection to it may coexist). */
		if (!o->initiated &&
		    memcmp(o->peer.remote.uuid, r->uuid, SC_UUID_LEN) == 0) {
			old = o;
			continue;
		}
		/* (b) another device with that VMAC. */
		if (memcmp(o->peer.remote.uuid, r->uuid, SC_UUID_LEN) != 0 &&
		    memcmp(o->peer.remote.vmac, r->vmac, SC_VMAC_LEN) == 0)
			dup = true;
	}
	sc_vmac_format(r->vmac, vs, sizeof(vs));
	if (dup) {
		scm_fail_set(&f, &m->hdr, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_NODE_DUPLICATE_VMAC, 0, "duplicate VMAC");
		dconn_send_nak(c, &f);
		sw->ctr.refused_dup++;
		log_info(LD_SC, "sc-dc[%s]: refused %s from %s: duplicate "
		    "VMAC", sw->name, vs, c->uri);
		sc_peer_refuse(&c->peer, clk_now_us(), &po);
		dconn_apply(c, &po);
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
		sc_peer_refuse(&c->peer, clk_now_us(), &po);
		po.close_status = SC_PEER_CLOSE_GOING_AWAY;
		dconn_apply(c, &po);
		return;
	}
	if (sc_dc_acc_up(&sw->dc, r->vmac, clk_now_us()) != 0) {
		sw->ctr.refused_cap++;
		sc_peer_refuse(&c->peer, clk_now_us(), &po);
		dconn_apply(c, &po);
		return;
	}
	memcpy(c->vmac, r->vmac, SC_VMAC_LEN);
	c->have_vmac = true;
	c->counted = true;
	sc_peer_accept(&c->peer, m, clk_now_us(), &po);
	dconn_apply(c, &po);
	if (old != NULL) {
		sw->ctr.replaced++;
		sc_peer_disconnect(&old->peer, clk_now_us(), &po);
		dconn_apply(old, &po);
	}
}

/* ------------------------------------------------------ receive path */

static void
dconn_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len,
    void *arg)
{
	struct sc_dconn *c = arg;
	struct sc_nodesw *sw = c->sw;
	struct scm_msg m;
	struct scm_fail f;
	struct sc_peer_out o;
	struct npdu_rx rx;

	(void)ws;
	if (scm_decode(buf, len, &m, &f) != CODEC_OK ||
	    scm_check_hop(&m.hdr, SCM_HOP_DIRECT, &f) != 0) {
		sw->ctr.rx_invalid++;
		if (sc_peer_is_up(&c->peer))
			dconn_send_nak(c, &f);
		return;
	}
	sc_peer_rx(&c->peer, &m, clk_now_us(), &o);
	dconn_apply(c, &o);
	if (o.connect_request && !c->initiated)
		dconn_admit(c, &m);
	if (!o.deliver || !c->have_vmac)
		return;
	sc_dc_note_rx(&sw->dc, c->vmac, clk_now_us());
	if (scm_check_dest_opts(&m.hdr, NULL, NULL, &f) != 0) {
		sw->ctr.rx_invalid++;
		dconn_send_nak(c, &f);
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
	default:
		break;		/* results, adverts etc.: nothing to do */
	}
}

static void
dconn_on_open(struct sc_ws *ws, void *arg)
{
	struct sc_dconn *c = arg;
	struct sc_peer_out o;

	(void)ws;
	sc_peer_ws_open(&c->peer, clk_now_us(), &o);
	dconn_apply(c, &o);
}

static void
dconn_on_writable(struct sc_ws *ws, void *arg)
{
	(void)ws;
	(void)arg;
}

static void
dconn_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci,
    void *arg)
{
	struct sc_dconn *c = arg;
	struct sc_nodesw *sw = c->sw;
	struct sc_peer_out o;
	bool was_up = sc_peer_is_up(&c->peer) ||
	    c->peer.state == SC_PEER_DISCONNECTING;
	bool clean = ci->kind == SC_WS_ERR_NONE &&
	    ci->status == SC_WS_CLOSE_NORMAL;
	char vs[SC_VMAC_STRLEN];

	(void)ws;
	c->ws = NULL;
	event_del(c->timer);
	sc_peer_ws_closed(&c->peer, clk_now_us(), &o);
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

static const struct sc_ws_cbs dconn_cbs = {
	.on_open = dconn_on_open,
	.on_message = dconn_on_message,
	.on_writable = dconn_on_writable,
	.on_close = dconn_on_close,
};

static struct sc_dconn *
dconn_new(struct sc_nodesw *sw, bool initiated)
{
	struct sc_dconn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->sw = sw;
	c->initiated = initiated;
	c->timer = evtimer_new(sw->base, dconn_timer_cb, c);
	if (c->timer == NULL) {
		free(c);
		return NULL;
	}
	sc_peer_init(&c->peer, initiated ? SC_PEER_INITIATING :
	    SC_PEER_ACCEPTING, &sw->pcfg, rnd16());
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
	struct sc_peer_out o;

	(void)l;
	c = dconn_new(sw, false);
	if (c == NULL) {
		sc_ws_close(ws, SC_WS_CLOSE_INTERNAL);
		return;
	}
	c->ws = ws;
	snprintf(c->uri, sizeof(c->uri), "%s", sc_ws_peer_addr(ws));
	sc_ws_set_cbs(ws, &dconn_cbs, c);
	sc_peer_ws_open(&c->peer, clk_now_us(), &o);
	dconn_apply(c, &o);
}

/* ----------------------------------------------------- initiating side */

static void
dconn_connect(struct sc_nodesw *sw, const uint8_t *vmac, const char *uri)
{
	struct sc_dconn *c = dconn_new(sw, true);
	struct sc_dc_acts a = { 0 };
	struct sc_peer_out o;
	char err[160];

	if (c != NULL) {
		memcpy(c->vmac, vmac, SC_VMAC_LEN);
		c->have_vmac = true;
		c->counted = true;
		snprintf(c->uri, sizeof(c->uri), "%s", uri);
		c->ws = sc_ws_connect(sw->base, sw->dns, sw->cfg.tls, uri,
		    SC_WS_PROTO_DC, &sw->limits, &dconn_cbs, c, err,
		    sizeof(err));
		if (c->ws != NULL) {
			sc_peer_start(&c->peer, clk_now_us(), &o);
			dconn_apply(c, &o);
			return;
		}
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
	struct sc_peer_out o;

	for (i = 0; i < a->n; i++) {
		const struct sc_dc_act *x = &a->a[i];

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
			sc_peer_disconnect(&c->peer, clk_now_us(), &o);
			dconn_apply(c, &o);
			break;
		}
	}
}

static void
sw_rearm(struct sc_nodesw *sw)
{
	uint64_t d = sc_dc_next_deadline(&sw->dc), min;

	if (d == UINT64_MAX) {
		event_del(sw->tick);
		return;
	}
	min = clk_now_us() + CLK_MS(50);
	timer_arm(sw->tick, d > min ? d : min);
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
		if (!c->counted || !c->have_vmac || c->ws == NULL ||
		    !sc_peer_is_up(&c->peer) ||
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
	uint8_t hdr[SCM_HDR_MIN];
	struct sc_ws_seg segs[4];
	size_t nseg = 0, nlen, olen, total;
	uint16_t id;
	uint64_t now = clk_now_us();

	id = sw->msgid++;
	if (sc_dc_unicast(&sw->dc, dest, now, id, &a) != SC_DC_VIA_DIRECT) {
		dc_apply_acts(sw, &a);
		sw_rearm(sw);
		sw->ctr.tx_hub++;
		return -1;
	}
	c = route_conn(sw, dest);
	nlen = npdu->hdr_len + npdu->body_len;
	if (opts != NULL && opts->len > 0 &&
	    scm_optlist_check(opts->data, opts->len, false, NULL) != CODEC_OK)
		opts = NULL;
	olen = opts != NULL ? opts->len : 0;
	total = SCM_HDR_MIN + olen + nlen;
	if (c == NULL || nlen == 0 || total > c->peer.remote.max_bvlc ||
	    nlen > c->peer.remote.max_npdu) {
		sw->ctr.tx_hub++;
		return -1;
	}
	hdr[0] = SCM_FN_ENCAP_NPDU;
	hdr[1] = olen > 0 ? SCM_CTL_DATA_OPTS : 0;
	hdr[2] = (uint8_t)(id >> 8);
	hdr[3] = (uint8_t)id;
	segs[nseg].p = hdr;
	segs[nseg++].len = sizeof(hdr);
	if (olen > 0) {
		segs[nseg].p = opts->data;
		segs[nseg++].len = olen;
	}
	if (npdu->hdr_len > 0) {
		segs[nseg].p = npdu->hdr;
		segs[nseg++].len = npdu->hdr_len;
	}
	if (npdu->body_len > 0) {
		segs[nseg].p = npdu->body;
		segs[nseg++].len = npdu->body_len;
	}
	switch (sc_ws_send(c->ws, segs, nseg)) {
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

struct sc_nodesw *
sc_nodesw_new(struct event_base *base, struct evdns_base *dns,
    struct sc_node *node, const struct sc_nodesw_cfg *cfg, char *err,
    size_t errlen)
{
	struct sc_nodesw *sw;
	struct sc_dc_cfg dcc;
	size_t i;

	if (cfg->n_accept_uris > SC_NODESW_MAX_ADV ||
	    cfg->n_peers > SC_NODESW_MAX_CFG_PEERS) {
		snprintf(err, errlen, "too many URIs or peers");
		return NULL;
	}
	for (i = 0; i < cfg->n_accept_uris; i++) {
		if (cfg->accept_uris[i] == NULL ||
		    strlen(cfg->accept_uris[i]) >= SC_NODESW_URI_MAX ||
		    strchr(cfg->accept_uris[i], ' ') != NULL) {
			snprintf(err, errlen, "bad accept URI");
			return NULL;
		}
	}
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
#define DEF(f, v)	if (sw->cfg.f == 0) sw->cfg.f = (v)
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
	sw->pcfg.connect_wait_us = CLK_MS(sw->cfg.connect_wait_ms);
	sw->pcfg.disconnect_wait_us = CLK_MS(sw->cfg.disconnect_wait_ms);
	sw->pcfg.heartbeat_us = CLK_MS(sw->cfg.heartbeat_ms);
	sw->pcfg.silence_us = 2 * CLK_MS(sw->cfg.heartbeat_ms) + CLK_SEC(10);
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
	sc_ws_limits_default(&sw->limits);
	sw->limits.max_msg_len = sw->cfg.max_bvlc;
	sw->limits.frame_cap = (size_t)sw->cfg.max_bvlc + 4096;
	sw->limits.handshake_ms = sw->cfg.connect_wait_ms;
	sw->limits.max_per_source = sw->cfg.max_per_source;
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
		for (i = 0; i < cfg->n_accept_uris; i++)
			snprintf(sw->adv[i], SC_NODESW_URI_MAX, "%s",
			    cfg->accept_uris[i]);
		sw->n_adv = cfg->n_accept_uris;
		if (sw->n_adv == 0) {
			const char *a = cfg->listen_addr;
			bool v6 = a != NULL && strchr(a, ':') != NULL;

			if (a == NULL || a[0] == '\0' ||
			    strcmp(a, "0.0.0.0") == 0)
				a = "127.0.0.1";
			else if (strcmp(a, "::") == 0)
				a = "::1";
			snprintf(sw->adv[0], SC_NODESW_URI_MAX,
			    v6 ? "wss://[%s]:%u" : "wss://%s:%u", a,
			    (unsigned)sc_ws_listener_port(sw->lst));
			sw->n_adv = 1;
		}
	}
	for (i = 0; i < SC_NODESW_MAX_ADV; i++)
		sw->cfg.accept_uris[i] = NULL;
	sc_node_set_nodesw(node, sw);
	sw_rearm(sw);
	if (sw->cfg.policy == SC_DC_POLICY_CONFIGURED)
		timer_arm(sw->tick, clk_now_us());
	return sw;
}

void
sc_nodesw_free(struct sc_nodesw *sw)
{
	struct sc_dconn *c;

	if (sw == NULL)
		return;
	sc_node_set_nodesw(sw->node, NULL);
	while ((c = sw->conns) != NULL) {
		struct sc_ws *ws = c->ws;

		c->ws = NULL;
		sc_ws_free(ws);
		dconn_unlink_free(c);
	}
	sc_ws_listener_free(sw->lst);
	if (sw->tick != NULL)
		event_free(sw->tick);
	free(sw);
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
		sc_ws_free(c->ws);
		c->ws = NULL;
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
		if (sc_peer_is_up(&c->peer) ||
		    c->peer.state == SC_PEER_DISCONNECTING)
			memcpy(s->uuid, c->peer.remote.uuid, SC_UUID_LEN);
		memcpy(s->uri, c->uri, sizeof(s->uri));
		s->initiated = c->initiated;
		s->state = c->peer.state;
		s->since_us = c->since;
		s->tx = c->tx;
		s->rx = c->rx;
	}
	return n;
}
