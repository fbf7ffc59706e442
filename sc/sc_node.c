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
#include "sc/sc_peer_fsm.h"
#include "sc/sc_ws.h"
#include "sc/scm_codec.h"

struct sc_nconn {
	struct sc_node		*node;
	enum sc_hc_slot		 slot;
	bool			 detached;	/* no longer the slot's */
	struct sc_ws		*ws;		/* NULL once closed */
	struct sc_peer		 peer;
	struct event		*timer;
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

/* Send one message built in buf (header and payload together). */
static enum sc_ws_send_rc
conn_send_buf(struct sc_nconn *c, const uint8_t *buf, size_t len)
{
	struct sc_ws_seg seg = { buf, len };

	if (c->ws == NULL)
		return SC_WS_SEND_CLOSED;
	return sc_ws_send(c->ws, &seg, 1);
}

static void
conn_send_nak(struct sc_nconn *c, const struct scm_fail *f)
{
	uint8_t buf[64];
	struct wr w;

	if (!scm_fail_wants_nak(f))
		return;
	wr_init(&w, buf, sizeof(buf));
	if (scm_encode_nak(&w, f, NULL, 0) != 0)
		return;
	if (conn_send_buf(c, buf, w.len) == SC_WS_SEND_OK)
		c->node->ctr.naks_tx++;
}

/* Send a connection-level message the peer machine asked for. */
static void
conn_send_peer_msg(struct sc_nconn *c, enum sc_peer_send what, uint16_t id)
{
	struct sc_node *n = c->node;
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
		memcpy(m.u.connect.vmac, n->vmac, SC_VMAC_LEN);
		memcpy(m.u.connect.uuid, n->cfg.uuid, SC_UUID_LEN);
		m.u.connect.max_bvlc = n->cfg.max_bvlc;
		m.u.connect.max_npdu = n->cfg.max_npdu;
		break;
	case SC_PEER_SEND_DISCONNECT_REQ:
		m.hdr.function = SCM_FN_DISCONNECT_REQ;
		break;
	case SC_PEER_SEND_DISCONNECT_ACK:
		m.hdr.function = SCM_FN_DISCONNECT_ACK;
		break;
	case SC_PEER_SEND_HEARTBEAT_REQ:
		m.hdr.function = SCM_FN_HEARTBEAT_REQ;
		n->ctr.heartbeats_tx++;
		break;
	case SC_PEER_SEND_HEARTBEAT_ACK:
		m.hdr.function = SCM_FN_HEARTBEAT_ACK;
		break;
	}
	wr_init(&w, buf, sizeof(buf));
	if (scm_msg_encode(&w, &m) == 0)
		(void)conn_send_buf(c, buf, w.len);
}

/* ------------------------------------------------- connection actions */

static void
conn_apply(struct sc_nconn *c, const struct sc_peer_out *o)
{
	struct sc_node *n = c->node;
	char vs[SC_VMAC_STRLEN];

	if (o->send != SC_PEER_SEND_NONE)
		conn_send_peer_msg(c, o->send, o->send_id);
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

		n->hub_peer = c->peer.remote;
		n->hub_peer_known = true;
		log_info(LD_SC, "sc[%s]: connected to %s hub %s", n->name,
		    sc_hc_slot_name(c->slot), n->uri[c->slot]);
		sc_hc_up(&n->hc, c->slot, clk_now_us(), rnd32(), &a);
		node_hc_apply(n, &a);
	}
	if (o->arm)
		timer_arm(c->timer, o->deadline);
	if (o->close && c->ws != NULL) {
		event_del(c->timer);
		sc_ws_close(c->ws, o->close_status);
	}
}

static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_nconn *c = arg;
	struct sc_peer_out o;

	(void)fd;
	(void)what;
	sc_peer_timer(&c->peer, clk_now_us(), &o);
	conn_apply(c, &o);
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
	if (c->timer != NULL)
		event_free(c->timer);
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

static void
node_send_advert(struct sc_nconn *c, const struct scm_hdr *req)
{
	struct sc_node *n = c->node;
	struct scm_msg m;
	uint8_t buf[64];
	struct wr w;

	memset(&m, 0, sizeof(m));
	m.hdr.function = SCM_FN_ADVERT;
	m.hdr.msgid = next_msgid(n);	/* a fresh id (digest §1.3.1) */
	m.hdr.has_dest = true;
	memcpy(m.hdr.dest, req->orig, SC_VMAC_LEN);
	m.u.advert.hub_status = sc_hc_hub_status(&n->hc);
	m.u.advert.accept_dc = n->nodesw != NULL &&
	    sc_nodesw_accepting(n->nodesw) ? 1 : 0;
	m.u.advert.max_bvlc = n->cfg.max_bvlc;
	m.u.advert.max_npdu = n->cfg.max_npdu;
	wr_init(&w, buf, sizeof(buf));
	if (scm_msg_encode(&w, &m) == 0 &&
	    conn_send_buf(c, buf, w.len) == SC_WS_SEND_OK)
		n->ctr.adverts_tx++;
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
		conn_send_nak(c, &f);
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
		conn_send_nak(c, &f);
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
conn_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct sc_nconn *c = arg;
	struct sc_node *n = c->node;
	struct scm_msg m;
	struct scm_fail f;
	struct sc_peer_out o;

	(void)ws;
	if (scm_decode(buf, len, &m, &f) != CODEC_OK ||
	    scm_check_hop(&m.hdr, SCM_HOP_FROM_HUB, &f) != 0) {
		n->ctr.rx_invalid++;
		log_ratelim(&n->rl, LOG_LVL_INFO, LD_SC,
		    "sc[%s]: refused a message from %s: %s", n->name,
		    n->uri[c->slot], f.why);
		if (c->peer.state == SC_PEER_CONNECTED)
			conn_send_nak(c, &f);
		return;
	}
	sc_peer_rx(&c->peer, &m, clk_now_us(), &o);
	conn_apply(c, &o);
	if (o.deliver)
		node_handle(c, &m);
}

static void
conn_on_open(struct sc_ws *ws, void *arg)
{
	struct sc_nconn *c = arg;
	struct sc_peer_out o;

	(void)ws;
	sc_peer_ws_open(&c->peer, clk_now_us(), &o);
	conn_apply(c, &o);
}

static void
conn_on_writable(struct sc_ws *ws, void *arg)
{
	(void)ws;
	(void)arg;
}

static void
conn_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci,
    void *arg)
{
	struct sc_nconn *c = arg;
	struct sc_node *n = c->node;
	struct sc_peer_out o;
	bool was_up = c->peer.state == SC_PEER_CONNECTED ||
	    c->peer.state == SC_PEER_DISCONNECTING;
	enum sc_hc_down_kind kind = SC_HC_DOWN_ERROR;
	uint16_t err;

	(void)ws;
	c->ws = NULL;
	event_del(c->timer);
	/* Queued, on the wire or inside the hub when it went away. */
	if (was_up && ci->kind != SC_WS_ERR_NONE)
		n->ctr.tx_lost += txwin_recent(&c->txw, clk_now_us());
	sc_peer_ws_closed(&c->peer, clk_now_us(), &o);
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

/* ----------------------------------------------- hub connector actions */

static void
conn_open(struct sc_node *n, enum sc_hc_slot slot)
{
	struct sc_nconn *c;
	struct sc_ws_cbs cbs = {
		.on_open = conn_on_open,
		.on_message = conn_on_message,
		.on_writable = conn_on_writable,
		.on_close = conn_on_close,
	};
	struct sc_peer_out o;
	char err[SC_NODE_ERR_MAX];

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->node = n;
	c->slot = slot;
	c->timer = evtimer_new(n->base, conn_timer_cb, c);
	if (c->timer == NULL) {
		free(c);
		goto fail;
	}
	sc_peer_init(&c->peer, SC_PEER_INITIATING, &n->pcfg,
	    (uint16_t)rnd32());
	txwin_init(&c->txw, CLK_MS(SC_NODE_INFLIGHT_MS));
	c->next = n->conns;
	n->conns = c;
	n->cur[slot] = c;
	c->ws = sc_ws_connect(n->base, n->dns, n->cfg.tls, n->uri[slot],
	    SC_WS_PROTO_HUB, &n->limits, &cbs, c, err, sizeof(err));
	if (c->ws == NULL) {
		snprintf(n->errdetail[slot], sizeof(n->errdetail[0]), "%s",
		    err);
		log_ratelim(&n->rl, LOG_LVL_WARNING, LD_SC,
		    "sc[%s]: cannot connect to %s: %s", n->name, n->uri[slot],
		    err);
		conn_report_down(c, SC_HC_DOWN_ERROR, 179);
		conn_unlink_free(c);
		return;
	}
	sc_peer_start(&c->peer, clk_now_us(), &o);
	conn_apply(c, &o);
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
	struct sc_peer_out o;

	if (c == NULL)
		return;
	c->detached = true;
	n->cur[slot] = NULL;
	sc_peer_disconnect(&c->peer, clk_now_us(), &o);
	conn_apply(c, &o);
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
		timer_arm(n->hc_timer, a->deadline_us);
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
	if (c == NULL || c->ws == NULL || !sc_peer_is_up(&c->peer))
		return NULL;
	return c;
}

static int
node_send_npdu(struct sc_node *n, const uint8_t *dest,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	struct sc_nconn *c = node_active(n);
	uint8_t hdr[SCM_HDR_FIXED_MAX];
	struct sc_ws_seg segs[4];
	size_t nseg = 0, total, nlen;
	uint16_t id;

	if (c == NULL) {
		n->ctr.tx_no_hub++;
		return -1;
	}
	nlen = npdu->hdr_len + npdu->body_len;
	if (nlen == 0)
		return -1;
	if (opts != NULL && opts->len > 0 &&
	    scm_optlist_check(opts->data, opts->len, false, NULL) != CODEC_OK)
		opts = NULL;	/* never forward a broken option list */
	id = next_msgid(n);
	hdr[0] = SCM_FN_ENCAP_NPDU;
	hdr[1] = SCM_CTL_DEST |
	    (opts != NULL && opts->len > 0 ? SCM_CTL_DATA_OPTS : 0);
	hdr[2] = (uint8_t)(id >> 8);
	hdr[3] = (uint8_t)id;
	memcpy(hdr + 4, dest, SC_VMAC_LEN);
	segs[nseg].p = hdr;
	segs[nseg++].len = 4 + SC_VMAC_LEN;
	if (opts != NULL && opts->len > 0) {
		segs[nseg].p = opts->data;
		segs[nseg++].len = opts->len;
	}
	if (npdu->hdr_len > 0) {
		segs[nseg].p = npdu->hdr;
		segs[nseg++].len = npdu->hdr_len;
	}
	if (npdu->body_len > 0) {
		segs[nseg].p = npdu->body;
		segs[nseg++].len = npdu->body_len;
	}
	total = 4 + SC_VMAC_LEN + (opts != NULL ? opts->len : 0) + nlen;
	if (total > c->peer.remote.max_bvlc ||
	    nlen > c->peer.remote.max_npdu) {
		n->ctr.tx_too_big++;
		return -1;
	}
	switch (sc_ws_send(c->ws, segs, nseg)) {
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

struct sc_node *
sc_node_new(struct event_base *base, struct evdns_base *dns,
    const struct sc_node_cfg *cfg, char *err, size_t errlen)
{
	struct sc_node *n;
	struct sc_hc_cfg hcc;

	if (cfg->primary_uri == NULL || cfg->primary_uri[0] == '\0' ||
	    strlen(cfg->primary_uri) >= SC_NODE_URI_MAX ||
	    (cfg->failover_uri != NULL &&
	    strlen(cfg->failover_uri) >= SC_NODE_URI_MAX)) {
		snprintf(err, errlen, "missing or too long hub URI");
		return NULL;
	}
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
	if (n->cfg.max_bvlc == 0)
		n->cfg.max_bvlc = 1600;
	if (n->cfg.max_npdu == 0)
		n->cfg.max_npdu = 1497;
#define DEF(f, v)	if (n->cfg.f == 0) n->cfg.f = (v)
	DEF(connect_wait_ms, 10000);
	DEF(disconnect_wait_ms, 10000);
	DEF(heartbeat_ms, 300000);
	DEF(min_reconnect_ms, 2000);
	DEF(max_reconnect_ms, 30000);
#undef DEF
	n->pcfg.connect_wait_us = CLK_MS(n->cfg.connect_wait_ms);
	n->pcfg.disconnect_wait_us = CLK_MS(n->cfg.disconnect_wait_ms);
	n->pcfg.heartbeat_us = CLK_MS(n->cfg.heartbeat_ms);
	n->pcfg.silence_us = 2 * CLK_MS(n->cfg.heartbeat_ms) + CLK_SEC(10);
	memset(&hcc, 0, sizeof(hcc));
	hcc.has_failover = n->uri[SC_HC_FAILOVER][0] != '\0';
	hcc.min_reconnect_us = CLK_MS(n->cfg.min_reconnect_ms);
	hcc.max_reconnect_us = CLK_MS(n->cfg.max_reconnect_ms);
	hcc.dup_vmac_retries = 3;
	sc_hc_init(&n->hc, &hcc);
	sc_ws_limits_default(&n->limits);
	n->limits.max_msg_len = n->cfg.max_bvlc;
	n->limits.frame_cap = (size_t)n->cfg.max_bvlc + 4096;
	n->limits.handshake_ms = n->cfg.connect_wait_ms;
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
		struct sc_ws *ws = c->ws;

		c->ws = NULL;
		sc_ws_free(ws);
		c->detached = true;
		conn_unlink_free(c);
	}
	if (n->hc_timer != NULL)
		event_free(n->hc_timer);
	free(n);
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

	if (c == NULL || conn_send_buf(c, buf, len) != SC_WS_SEND_OK)
		return -1;
	return 0;
}
