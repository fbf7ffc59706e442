/*
 * BACnet/SC node glue: hub connector (sc_hubconn_fsm) and connection state
 * machines (sc_peer_fsm) driven over the WebSocket transport (sc_ws), the
 * BVLC-SC codec, and the router's port contract.  See sc_node.h.
 *
 * Every callback has the same shape: decode, step the pure machine, carry
 * out its actions.  A connection attempt is one `struct sc_nconn`; the
 * hub connector's slot points at the current one.  A connection the
 * connector gave up (closing gracefully) is detached from its slot and
 * freed when its WebSocket reports on_close.
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
#include "sc/sc_ws.h"
#include "sc/scm_codec.h"

struct sc_nconn {
	struct sc_pconn		 pc;		/* WebSocket, machine, timer */
	struct sc_node		*node;
	enum sc_hc_slot		 slot;
	bool			 detached;	/* no longer the slot's */
	enum sc_peer_fail	 fail;		/* why the attempt failed */
	uint16_t		 fail_code;
	struct txwin		 txw;		/* recent sends (tx_lost) */
	struct sc_nconn		*next;		/* all connections */
};

struct sc_node {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct sc_node_cfg	 cfg;
	char			 name[64];
	char			 uri[SC_HC_NSLOTS][SC_NODE_URI_MAX];
	uint8_t			 vmac[SC_VMAC_LEN];
	struct sc_hubconn	 hc;
	struct event		*hc_timer;
	struct sc_nconn		*cur[SC_HC_NSLOTS];
	struct sc_nconn		*conns;
	struct sc_ws_limits	 limits;
	struct sc_peer_cfg	 pcfg;
	struct sc_pconn_id	 id;		/* what Connect-Request says */
	struct sc_pconn_ctr	 pctr;
	uint16_t		 msgid;
	struct npdu_port	 port;
	struct sc_node_counters	 ctr;
	char			 errdetail[SC_HC_NSLOTS][SC_NODE_ERR_MAX];
	bool			 hub_peer_known;
	struct scm_connect	 hub_peer;
	struct ratelim		 rl;
	struct sc_nodesw	*nodesw;	/* node switch, or NULL */
};

static const struct npdu_port_ops sc_node_ops;

static void node_hc_apply(struct sc_node *n, const struct sc_hc_actions *a);
static void conn_open(struct sc_node *n, enum sc_hc_slot slot);

/* ------------------------------------------------------------ helpers */

static uint32_t
rnd32(void)
{
	uint32_t v = 0;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		v = (uint32_t)clk_now_us();
	return v;
}

static void
new_random_vmac(struct sc_node *n)
{
	uint8_t r[SC_VMAC_LEN];

	if (RAND_bytes(r, sizeof(r)) != 1) {
		uint64_t t = clk_now_us();

		memcpy(r, &t, sizeof(r));
	}
	sc_vmac_random48(r, n->vmac);
	memcpy(n->port.mac, n->vmac, SC_VMAC_LEN);
}

/* BACnet error code (digest §1.7.3) for a transport failure. */
static uint16_t
ws_error_code(const struct sc_ws_close_info *ci)
{
	switch (ci->kind) {
	case SC_WS_ERR_NONE:
		switch (ci->status) {
		case SC_WS_CLOSE_NORMAL:
			return 0;
		case SC_WS_CLOSE_GOING_AWAY:
			return 170;	/* websocket-endpoint-leaves */
		case SC_WS_CLOSE_PROTOCOL:
			return 171;
		case SC_WS_CLOSE_DATA:
			return 172;
		case SC_WS_CLOSE_TOO_BIG:
			return 176;
		default:
			return 179;	/* websocket-error */
		}
	case SC_WS_ERR_DNS:
		return 190;		/* dns-name-resolution-failed */
	case SC_WS_ERR_TCP:
		return ci->timed_out ? 193 : 194;
	case SC_WS_ERR_TLS:
		return 188;		/* tls-error */
	case SC_WS_ERR_HTTP:
		return 165;		/* http-error */
	case SC_WS_ERR_WS:
		return 171;		/* websocket-protocol-error */
	case SC_WS_ERR_LOCAL:
		return 195;		/* tcp-closed-by-local */
	}
	return 179;
}

static uint16_t
next_msgid(struct sc_node *n)
{
	return n->msgid++;
}

/* ------------------------------------------------- connection actions */

/* What the machine's actions mean for the node (sc_pconn on_event). */
static void
conn_on_event(struct sc_pconn *pc, const struct sc_peer_out *o)
{
	struct sc_nconn *c = pc->owner;
	struct sc_node *n = c->node;
	char vs[SC_VMAC_STRLEN];

	if (o->fail != SC_PEER_FAIL_NONE) {
		c->fail = o->fail;
		c->fail_code = o->fail_code;
	}
	if (o->fail == SC_PEER_FAIL_DUP_VMAC && !c->detached) {
		sc_vmac_format(n->vmac, vs, sizeof(vs));
		new_random_vmac(n);
		n->ctr.dup_vmac++;
		log_notice(LD_SC, "sc[%s %s]: VMAC %s is in use by another "
		    "device; now using a new random VMAC", n->name,
		    n->uri[c->slot], vs);
	}
	if (o->hb_lost)
		log_warnx(LD_SC, "sc[%s %s]: no answer to Heartbeat-Request; "
		    "disconnecting", n->name, n->uri[c->slot]);
	if (o->up && !c->detached) {
		struct sc_hc_actions a;

		n->hub_peer = c->pc.peer.remote;
		n->hub_peer_known = true;
		log_info(LD_SC, "sc[%s]: connected to %s hub %s", n->name,
		    sc_hc_slot_name(c->slot), n->uri[c->slot]);
		sc_hc_up(&n->hc, c->slot, clk_now_us(), rnd32(), &a);
		node_hc_apply(n, &a);
	}
}

static void
conn_unlink_free(struct sc_nconn *c)
{
	struct sc_node *n = c->node;
	struct sc_nconn **pp;

	for (pp = &n->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (!c->detached && n->cur[c->slot] == c)
		n->cur[c->slot] = NULL;
	sc_pconn_fini(&c->pc);
	free(c);
}

/* Tell the hub connector that the attempt or connection c ended. */
static void
conn_report_down(struct sc_nconn *c, enum sc_hc_down_kind kind,
    uint16_t error)
{
	struct sc_node *n = c->node;
	struct sc_hc_actions a;
	enum sc_hc_slot slot = c->slot;

	if (c->detached)
		return;
	c->detached = true;
	n->cur[slot] = NULL;
	sc_hc_down(&n->hc, slot, kind, error, clk_now_us(), rnd32(), &a);
	node_hc_apply(n, &a);
}

/* ------------------------------------------------------ receive path */

int
sc_node_advert(struct sc_node *n, const uint8_t *dest, struct wr *w)
{
	struct scm_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ADVERT;
	m.hdr.msgid = next_msgid(n);	/* a fresh id (digest §1.3.1) */
	if (dest != NULL) {
		m.hdr.has_dest = true;
		memcpy(m.hdr.dest, dest, SC_VMAC_LEN);
	}
	m.u.advert.hub_status = sc_hc_hub_status(&n->hc);
	m.u.advert.accept_dc = n->nodesw != NULL &&
	    sc_nodesw_accepting(n->nodesw) ? 1 : 0;
	m.u.advert.max_bvlc = n->cfg.max_bvlc;
	m.u.advert.max_npdu = n->cfg.max_npdu;
	return scm_msg_encode(w, &m);
}

static void
node_send_advert(struct sc_nconn *c, const struct scm_hdr *req)
{
	uint8_t buf[64];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	if (sc_node_advert(c->node, req->orig, &w) == 0 &&
	    sc_pconn_send(&c->pc, buf, w.len) == SC_WS_SEND_OK)
		c->node->ctr.adverts_tx++;
}

/* A message for the node itself (not connection-level). */
static void
node_handle(struct sc_nconn *c, const struct scm_msg *m)
{
	struct sc_node *n = c->node;
	const struct scm_hdr *h = &m->hdr;
	struct scm_fail f;
	struct npdu_rx rx;

	/* We understand no destination option yet (digest §1.3.2). */
	if (scm_check_dest_opts(h, NULL, NULL, &f) != 0) {
		n->ctr.rx_invalid++;
		(void)sc_pconn_send_nak(&c->pc, &f);
		return;
	}
	/* Node switch: address resolution (issue 8). */
	if (n->nodesw != NULL && sc_nodesw_hub_rx(n->nodesw, m))
		return;
	switch (h->function) {
	case SCM_FN_ENCAP_NPDU:
		memset(&rx, 0, sizeof(rx));
		rx.src_mac = h->orig;
		rx.src_mac_len = SC_VMAC_LEN;
		rx.broadcast = h->has_dest;
		rx.npdu = h->payload;
		rx.npdu_len = h->payload_len;
		rx.opts.data = h->data_opts.data;
		rx.opts.len = h->data_opts.len;
		n->ctr.npdu_rx++;
		npdu_port_deliver(&n->port, &rx);
		break;
	case SCM_FN_RESULT:
		if (m->u.result.code == SCM_RESULT_NAK) {
			const char *en = scm_error_name(m->u.result.error_code);

			n->ctr.naks_rx++;
			log_ratelim(&n->rl, LOG_LVL_INFO, LD_SC,
			    "sc[%s]: NAK for %s id %u: class %u code %u (%s)",
			    n->name, scm_function_name(m->u.result.result_for),
			    h->msgid, m->u.result.error_class,
			    m->u.result.error_code, en != NULL ? en : "?");
		}
		break;
	case SCM_FN_ADDR_RES:
		/* No node switch yet: refuse (digest §1.5.4). */
		scm_fail_set(&f, h, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED, 0,
		    "direct connections not supported");
		(void)sc_pconn_send_nak(&c->pc, &f);
		break;
	case SCM_FN_ADVERT_SOLICIT:
		if (h->has_orig)	/* someone to answer to */
			node_send_advert(c, h);
		break;
	case SCM_FN_ADDR_RES_ACK:
	case SCM_FN_ADVERT:
	case SCM_FN_PROPRIETARY:
	default:
		break;		/* nothing to do for us */
	}
}

static void
conn_on_message(struct sc_pconn *pc, const uint8_t *buf, size_t len)
{
	struct sc_nconn *c = pc->owner;
	struct sc_node *n = c->node;
	struct scm_msg m;
	struct scm_fail f;
	struct sc_peer_out o;

	if (sc_pconn_decode(pc, buf, len, SCM_HOP_FROM_HUB, &m, &f) != 0) {
		n->ctr.rx_invalid++;
		log_ratelim(&n->rl, LOG_LVL_INFO, LD_SC,
		    "sc[%s]: refused a message from %s: %s", n->name,
		    n->uri[c->slot], f.why);
		return;
	}
	sc_pconn_rx(pc, &m, &o);
	if (o.deliver)
		node_handle(c, &m);
}

static void
conn_on_closed(struct sc_pconn *pc, const struct sc_ws_close_info *ci,
    bool was_up)
{
	struct sc_nconn *c = pc->owner;
	struct sc_node *n = c->node;
	enum sc_hc_down_kind kind = SC_HC_DOWN_ERROR;
	uint16_t err;

	/* Queued, on the wire or inside the hub when it went away. */
	if (was_up && ci->kind != SC_WS_ERR_NONE)
		n->ctr.tx_lost += txwin_recent(&c->txw, clk_now_us());
	err = ws_error_code(ci);
	switch (c->fail) {
	case SC_PEER_FAIL_NONE:
		if (ci->kind == SC_WS_ERR_NONE && err == 0)
			kind = SC_HC_DOWN_CLOSED;
		break;
	case SC_PEER_FAIL_DUP_VMAC:
		kind = SC_HC_DOWN_DUP_VMAC;
		err = SCM_ERR_NODE_DUPLICATE_VMAC;
		break;
	case SC_PEER_FAIL_NAK:
		err = c->fail_code;
		break;
	case SC_PEER_FAIL_TIMEOUT:
		err = 30;	/* timeout */
		break;
	case SC_PEER_FAIL_REFUSED:
		err = 169;	/* websocket-closed-by-peer */
		break;
	case SC_PEER_FAIL_PROTOCOL:
		err = 171;
		break;
	}
	if (!c->detached) {
		snprintf(n->errdetail[c->slot], sizeof(n->errdetail[0]),
		    "%s%s%s", sc_ws_err_name(ci->kind),
		    ci->detail != NULL ? ": " : "",
		    ci->detail != NULL ? ci->detail : "");
		if (was_up)
			log_notice(LD_SC, "sc[%s]: connection to %s hub %s "
			    "closed (%s)", n->name, sc_hc_slot_name(c->slot),
			    n->uri[c->slot], n->errdetail[c->slot]);
		else
			log_ratelim(&n->rl, LOG_LVL_INFO, LD_SC,
			    "sc[%s]: cannot connect to %s hub %s (%s)",
			    n->name, sc_hc_slot_name(c->slot),
			    n->uri[c->slot], n->errdetail[c->slot]);
	}
	conn_report_down(c, kind, err);
	conn_unlink_free(c);
}

static const struct sc_pconn_cbs conn_cbs = {
	.on_event = conn_on_event,
	.on_message = conn_on_message,
	.on_closed = conn_on_closed,
};

/* ----------------------------------------------- hub connector actions */

static void
conn_open(struct sc_node *n, enum sc_hc_slot slot)
{
	struct sc_nconn *c;
	char err[SC_NODE_ERR_MAX];

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->node = n;
	c->slot = slot;
	if (sc_pconn_init(&c->pc, n->base, SC_PEER_INITIATING, &n->pcfg,
	    &n->id, &conn_cbs, &n->pctr, c) != 0) {
		free(c);
		goto fail;
	}
	txwin_init(&c->txw, CLK_MS(SC_NODE_INFLIGHT_MS));
	c->next = n->conns;
	n->conns = c;
	n->cur[slot] = c;
	if (sc_pconn_connect(&c->pc, n->dns, n->cfg.tls, n->uri[slot],
	    SC_WS_PROTO_HUB, &n->limits, err, sizeof(err)) != 0) {
		snprintf(n->errdetail[slot], sizeof(n->errdetail[0]), "%s",
		    err);
		log_ratelim(&n->rl, LOG_LVL_WARNING, LD_SC,
		    "sc[%s]: cannot connect to %s: %s", n->name, n->uri[slot],
		    err);
		conn_report_down(c, SC_HC_DOWN_ERROR, 179);
		conn_unlink_free(c);
	}
	return;
fail:
	{
		struct sc_hc_actions a;

		sc_hc_down(&n->hc, slot, SC_HC_DOWN_ERROR, 195, clk_now_us(),
		    rnd32(), &a);
		node_hc_apply(n, &a);
	}
}

/* Gracefully end the slot's connection and detach it. */
static void
conn_close(struct sc_node *n, enum sc_hc_slot slot)
{
	struct sc_nconn *c = n->cur[slot];

	if (c == NULL)
		return;
	c->detached = true;
	n->cur[slot] = NULL;
	sc_pconn_disconnect(&c->pc);
}

static void
node_update_up(struct sc_node *n)
{
	bool up = sc_hc_active(&n->hc) >= 0;

	if (up) {
		size_t m = n->cfg.max_npdu;

		if (n->hub_peer_known && n->hub_peer.max_npdu < m)
			m = n->hub_peer.max_npdu;
		n->port.max_npdu = m;
	}
	if (up != n->port.up) {
		log_info(LD_SC, "sc[%s]: hub connection %s (%s)", n->name,
		    up ? "up" : "down", sc_hc_state_name(n->hc.state));
		npdu_port_set_up(&n->port, up);
	}
}

static void
node_hc_apply(struct sc_node *n, const struct sc_hc_actions *a)
{
	int s;

	for (s = 0; s < SC_HC_NSLOTS; s++)
		if (a->close[s])
			conn_close(n, (enum sc_hc_slot)s);
	if (a->disarm)
		event_del(n->hc_timer);
	if (a->arm)
		sc_pconn_arm_at(n->hc_timer, a->deadline_us);
	if (a->active_changed)
		node_update_up(n);
	for (s = 0; s < SC_HC_NSLOTS; s++)
		if (a->connect[s])
			conn_open(n, (enum sc_hc_slot)s);
}

static void
node_hc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_node *n = arg;
	struct sc_hc_actions a;

	(void)fd;
	(void)what;
	sc_hc_timer(&n->hc, clk_now_us(), rnd32(), &a);
	node_hc_apply(n, &a);
}

/* --------------------------------------------------------- send path */

static struct sc_nconn *
node_active(struct sc_node *n)
{
	int s = sc_hc_active(&n->hc);
	struct sc_nconn *c;

	if (s < 0)
		return NULL;
	c = n->cur[s];
	if (c == NULL || c->pc.ws == NULL || !sc_pconn_is_up(&c->pc))
		return NULL;
	return c;
}

static int
node_send_npdu(struct sc_node *n, const uint8_t *dest,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct sc_nconn *c = node_active(n);

	if (c == NULL) {
		n->ctr.tx_no_hub++;
		return -1;
	}
	if (npdu->hdr_len + npdu->body_len == 0)
		return -1;
	switch (sc_pconn_send_npdu(&c->pc, dest, next_msgid(n), npdu, opts)) {
	case SC_WS_SEND_OK:
		n->ctr.npdu_tx++;
		txwin_note(&c->txw, clk_now_us());
		return 0;
	case SC_WS_SEND_BUSY:
		n->ctr.tx_busy++;
		return -1;
	case SC_WS_SEND_TOO_BIG:
		n->ctr.tx_too_big++;
		return -1;
	case SC_WS_SEND_CLOSED:
		n->ctr.tx_no_hub++;
		return -1;
	}
	return -1;
}

static int
node_port_unicast(struct npdu_port *p, const uint8_t *mac, size_t mac_len,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct sc_node *n = p->impl;

	if (mac_len != SC_VMAC_LEN || !sc_vmac_is_unicast(mac))
		return -1;
	/* Node switch: a direct connection first (issue 8). */
	if (n->nodesw != NULL && sc_nodesw_send(n->nodesw, mac, npdu,
	    opts) == 0)
		return 0;
	return node_send_npdu(n, mac, npdu, opts);
}

static int
node_port_broadcast(struct npdu_port *p, const struct npdu_iov *npdu,
    const struct npdu_opts *opts)
{
	return node_send_npdu(p->impl, sc_vmac_broadcast, npdu, opts);
}

static const struct npdu_port_ops sc_node_ops = {
	.send_unicast = node_port_unicast,
	.send_broadcast = node_port_broadcast,
};

/* ------------------------------------------------------------- public */

void
sc_node_cfg_default(struct sc_node_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_bvlc = 1600;
	cfg->max_npdu = 1497;
	cfg->connect_wait_ms = 10000;
	cfg->disconnect_wait_ms = 10000;
	cfg->heartbeat_ms = 300000;
	cfg->min_reconnect_ms = 2000;
	cfg->max_reconnect_ms = 30000;
}

/* Defaults for the settings left 0. */
static void
node_cfg_fill(struct sc_node_cfg *c)
{
#define DEF(f, v)	if (c->f == 0) c->f = (v)
	DEF(max_bvlc, 1600);
	DEF(max_npdu, 1497);
	DEF(connect_wait_ms, 10000);
	DEF(disconnect_wait_ms, 10000);
	DEF(heartbeat_ms, 300000);
	DEF(min_reconnect_ms, 2000);
	DEF(max_reconnect_ms, 30000);
#undef DEF
}

static void
node_hc_cfg(const struct sc_node *n, struct sc_hc_cfg *hcc)
{
	memset(hcc, 0, sizeof(*hcc));
	hcc->has_failover = n->uri[SC_HC_FAILOVER][0] != '\0';
	hcc->min_reconnect_us = CLK_MS(n->cfg.min_reconnect_ms);
	hcc->max_reconnect_us = CLK_MS(n->cfg.max_reconnect_ms);
	hcc->dup_vmac_retries = 3;
}

int
sc_node_cfg_check(const struct sc_node_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->primary_uri == NULL || cfg->primary_uri[0] == '\0' ||
	    strlen(cfg->primary_uri) >= SC_NODE_URI_MAX ||
	    (cfg->failover_uri != NULL &&
	    strlen(cfg->failover_uri) >= SC_NODE_URI_MAX)) {
		snprintf(err, errlen, "missing or too long hub URI");
		return -1;
	}
	return 0;
}

struct sc_node *
sc_node_new(struct event_base *base, struct evdns_base *dns,
    const struct sc_node_cfg *cfg, char *err, size_t errlen)
{
	struct sc_node *n;
	struct sc_hc_cfg hcc;

	if (sc_node_cfg_check(cfg, err, errlen) != 0)
		return NULL;
	if (cfg->has_vmac && !sc_vmac_is_unicast(cfg->vmac)) {
		snprintf(err, errlen, "VMAC must not be broadcast or zero");
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->base = base;
	n->dns = dns;
	n->cfg = *cfg;
	snprintf(n->name, sizeof(n->name), "%s",
	    cfg->name != NULL ? cfg->name : "sc");
	n->cfg.name = n->name;
	snprintf(n->uri[SC_HC_PRIMARY], SC_NODE_URI_MAX, "%s",
	    cfg->primary_uri);
	snprintf(n->uri[SC_HC_FAILOVER], SC_NODE_URI_MAX, "%s",
	    cfg->failover_uri != NULL ? cfg->failover_uri : "");
	n->cfg.primary_uri = n->uri[SC_HC_PRIMARY];
	n->cfg.failover_uri = n->uri[SC_HC_FAILOVER];
	node_cfg_fill(&n->cfg);
	sc_pconn_timers_ms(&n->pcfg, NULL, n->cfg.connect_wait_ms,
	    n->cfg.disconnect_wait_ms, n->cfg.heartbeat_ms);
	n->id.vmac = n->vmac;
	n->id.uuid = n->cfg.uuid;
	n->id.max_bvlc = n->cfg.max_bvlc;
	n->id.max_npdu = n->cfg.max_npdu;
	node_hc_cfg(n, &hcc);
	sc_hc_init(&n->hc, &hcc);
	sc_pconn_limits(&n->limits, n->cfg.max_bvlc,
	    n->cfg.connect_wait_ms);
	ratelim_init(&n->rl, 10, CLK_SEC(6));
	n->msgid = (uint16_t)rnd32();
	n->hc_timer = evtimer_new(base, node_hc_timer_cb, n);
	if (n->hc_timer == NULL) {
		free(n);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->port.name = n->name;
	n->port.mac_len = SC_VMAC_LEN;
	n->port.max_npdu = n->cfg.max_npdu;
	n->port.ops = &sc_node_ops;
	n->port.impl = n;
	if (cfg->has_vmac) {
		memcpy(n->vmac, cfg->vmac, SC_VMAC_LEN);
		memcpy(n->port.mac, n->vmac, SC_VMAC_LEN);
	} else {
		new_random_vmac(n);
	}
	return n;
}

void
sc_node_free(struct sc_node *n)
{
	struct sc_nconn *c;

	if (n == NULL)
		return;
	while ((c = n->conns) != NULL) {
		c->detached = true;
		conn_unlink_free(c);
	}
	if (n->hc_timer != NULL)
		event_free(n->hc_timer);
	free(n);
}

int
sc_node_reconfigure(struct sc_node *n, const struct sc_node_cfg *cfg,
    char *err, size_t errlen)
{
	struct sc_node_cfg c = *cfg;
	struct sc_hc_cfg hcc;
	struct sc_hc_actions a;
	bool changed[SC_HC_NSLOTS];
	const char *u[SC_HC_NSLOTS];
	struct sc_nconn *k;
	int s;

	if (sc_node_cfg_check(cfg, err, errlen) != 0)
		return -1;
	node_cfg_fill(&c);
	u[SC_HC_PRIMARY] = cfg->primary_uri;
	u[SC_HC_FAILOVER] = cfg->failover_uri != NULL ? cfg->failover_uri : "";
	for (s = 0; s < SC_HC_NSLOTS; s++) {
		changed[s] = strcmp(n->uri[s], u[s]) != 0;
		if (changed[s])
			log_notice(LD_SC, "sc[%s]: %s hub is now %s (was %s)",
			    n->name, sc_hc_slot_name((enum sc_hc_slot)s),
			    u[s][0] != '\0' ? u[s] : "(none)",
			    n->uri[s][0] != '\0' ? n->uri[s] : "(none)");
		snprintf(n->uri[s], SC_NODE_URI_MAX, "%s", u[s]);
	}
	/* What can change at run time; the rest stays as it started. */
	n->cfg.connect_wait_ms = c.connect_wait_ms;
	n->cfg.disconnect_wait_ms = c.disconnect_wait_ms;
	n->cfg.heartbeat_ms = c.heartbeat_ms;
	n->cfg.min_reconnect_ms = c.min_reconnect_ms;
	n->cfg.max_reconnect_ms = c.max_reconnect_ms;
	sc_pconn_timers_ms(&n->pcfg, &n->limits, n->cfg.connect_wait_ms,
	    n->cfg.disconnect_wait_ms, n->cfg.heartbeat_ms);
	/* Connections in place take the timers now (a detached one is only
	   saying goodbye, under the new disconnect wait too). */
	for (k = n->conns; k != NULL; k = k->next)
		sc_pconn_set_timers(&k->pc, &n->pcfg);
	node_hc_cfg(n, &hcc);
	sc_hc_reconfigure(&n->hc, &hcc, changed, clk_now_us(), &a);
	node_hc_apply(n, &a);
	return 0;
}

bool
sc_node_is_idle(const struct sc_node *n)
{
	return n->hc.state == SC_HC_STOPPED && n->conns == NULL;
}

void
sc_node_start(struct sc_node *n)
{
	struct sc_hc_actions a;

	sc_hc_start(&n->hc, clk_now_us(), &a);
	node_hc_apply(n, &a);
}

void
sc_node_stop(struct sc_node *n)
{
	struct sc_hc_actions a;

	sc_hc_stop(&n->hc, clk_now_us(), &a);
	node_hc_apply(n, &a);
	node_update_up(n);
}

struct npdu_port *
sc_node_port(struct sc_node *n)
{
	return &n->port;
}

const uint8_t *
sc_node_vmac(const struct sc_node *n)
{
	return n->vmac;
}

void
sc_node_get_status(const struct sc_node *n, struct sc_node_status *out)
{
	int s;

	memset(out, 0, sizeof(*out));
	memcpy(out->vmac, n->vmac, SC_VMAC_LEN);
	memcpy(out->uuid, n->cfg.uuid, SC_UUID_LEN);
	out->hc_state = n->hc.state;
	out->hub_status = sc_hc_hub_status(&n->hc);
	for (s = 0; s < SC_HC_NSLOTS; s++) {
		memcpy(out->uri[s], n->uri[s], SC_NODE_URI_MAX);
		out->hub[s] = n->hc.hub[s];
		memcpy(out->last_error_detail[s], n->errdetail[s],
		    sizeof(out->last_error_detail[s]));
	}
	out->hub_peer_known = n->hub_peer_known;
	memcpy(out->hub_vmac, n->hub_peer.vmac, SC_VMAC_LEN);
	memcpy(out->hub_uuid, n->hub_peer.uuid, SC_UUID_LEN);
	out->hub_max_bvlc = n->hub_peer.max_bvlc;
	out->hub_max_npdu = n->hub_peer.max_npdu;
	out->ctr = n->ctr;
	out->ctr.naks_tx = n->pctr.naks_tx;
	out->ctr.heartbeats_tx = n->pctr.heartbeats_tx;
}

/* ---- node switch hooks (issue 8) ---- */

void
sc_node_set_nodesw(struct sc_node *n, struct sc_nodesw *sw)
{
	n->nodesw = sw;
}

int
sc_node_hub_send(struct sc_node *n, const uint8_t *buf, size_t len)
{
	struct sc_nconn *c = node_active(n);

	if (c == NULL || sc_pconn_send(&c->pc, buf, len) != SC_WS_SEND_OK)
		return -1;
	return 0;
}
