/*
 * BACnet/SC connection driver: sc_peer_fsm over sc_ws.  See sc_pconn.h.
 */
#include "config.h"

#include <string.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "lib/bytes.h"
#include "lib/clock.h"
#include "sc/sc_pconn.h"

void
sc_pconn_arm_at(struct event *ev, uint64_t deadline)
{
	uint64_t now = clk_now_us();
	uint64_t d = deadline > now ? deadline - now : 0;
	struct timeval tv;

	tv.tv_sec = (time_t)(d / 1000000u);
	tv.tv_usec = (suseconds_t)(d % 1000000u);
	event_add(ev, &tv);
}

enum sc_ws_send_rc
sc_pconn_send(struct sc_pconn *pc, const uint8_t *buf, size_t len)
{
	struct sc_ws_seg seg = { buf, len };

	if (pc->ws == NULL)
		return SC_WS_SEND_CLOSED;
	return sc_ws_send(pc->ws, &seg, 1);
}

int
sc_pconn_send_nak(struct sc_pconn *pc, const struct scm_fail *f)
{
	uint8_t buf[64];
	struct wr w;

	if (!scm_fail_wants_nak(f))
		return -1;
	wr_init(&w, buf, sizeof(buf));
	if (scm_encode_nak(&w, f, NULL, 0) != 0 ||
	    sc_pconn_send(pc, buf, w.len) != SC_WS_SEND_OK)
		return -1;
	if (pc->ctr != NULL)
		pc->ctr->naks_tx++;
	return 0;
}

enum sc_ws_send_rc
sc_pconn_send_npdu(struct sc_pconn *pc, const uint8_t *dest, uint16_t id,
    const struct npdu_iov *npdu, const struct npdu_opts *opts)
{
	uint8_t hdr[SCM_HDR_FIXED_MAX];
	struct sc_ws_seg segs[4];
	size_t nseg = 0, hlen = SCM_HDR_MIN, olen, nlen;

	if (pc->ws == NULL)
		return SC_WS_SEND_CLOSED;
	if (opts != NULL && opts->len > 0 &&
	    scm_optlist_check(opts->data, opts->len, false, NULL) != CODEC_OK)
		opts = NULL;	/* never forward a broken option list */
	olen = opts != NULL ? opts->len : 0;
	nlen = npdu->hdr_len + npdu->body_len;
	hdr[0] = SCM_FN_ENCAP_NPDU;
	hdr[1] = (dest != NULL ? SCM_CTL_DEST : 0) |
	    (olen > 0 ? SCM_CTL_DATA_OPTS : 0);
	hdr[2] = (uint8_t)(id >> 8);
	hdr[3] = (uint8_t)id;
	if (dest != NULL) {
		memcpy(hdr + hlen, dest, SC_VMAC_LEN);
		hlen += SC_VMAC_LEN;
	}
	if (nlen == 0 || hlen + olen + nlen > pc->peer.remote.max_bvlc ||
	    nlen > pc->peer.remote.max_npdu)
		return SC_WS_SEND_TOO_BIG;
	segs[nseg].p = hdr;
	segs[nseg++].len = hlen;
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
	return sc_ws_send(pc->ws, segs, nseg);
}

/* Build and send the connection-level message the machine asked for. */
static void
pconn_send_peer_msg(struct sc_pconn *pc, enum sc_peer_send what, uint16_t id)
{
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
		memcpy(m.u.connect.vmac, pc->id->vmac, SC_VMAC_LEN);
		memcpy(m.u.connect.uuid, pc->id->uuid, SC_UUID_LEN);
		m.u.connect.max_bvlc = pc->id->max_bvlc;
		m.u.connect.max_npdu = pc->id->max_npdu;
		break;
	case SC_PEER_SEND_DISCONNECT_REQ:
		m.hdr.function = SCM_FN_DISCONNECT_REQ;
		break;
	case SC_PEER_SEND_DISCONNECT_ACK:
		m.hdr.function = SCM_FN_DISCONNECT_ACK;
		break;
	case SC_PEER_SEND_HEARTBEAT_REQ:
		m.hdr.function = SCM_FN_HEARTBEAT_REQ;
		if (pc->ctr != NULL)
			pc->ctr->heartbeats_tx++;
		break;
	case SC_PEER_SEND_HEARTBEAT_ACK:
		m.hdr.function = SCM_FN_HEARTBEAT_ACK;
		break;
	}
	wr_init(&w, buf, sizeof(buf));
	if (scm_msg_encode(&w, &m) == 0)
		(void)sc_pconn_send(pc, buf, w.len);
}

void
sc_pconn_apply(struct sc_pconn *pc, const struct sc_peer_out *o)
{
	if (o->send != SC_PEER_SEND_NONE)
		pconn_send_peer_msg(pc, o->send, o->send_id);
	if (pc->cbs->on_event != NULL)
		pc->cbs->on_event(pc, o);
	if (o->arm)
		sc_pconn_arm_at(pc->timer, o->deadline);
	if (o->close && pc->ws != NULL) {
		event_del(pc->timer);
		sc_ws_close(pc->ws, o->close_status);
	}
}

static void
pconn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sc_pconn *pc = arg;
	struct sc_peer_out o;

	(void)fd;
	(void)what;
	sc_peer_timer(&pc->peer, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

/* ----------------------------------------------- transport callbacks */

static void
pconn_on_open(struct sc_ws *ws, void *arg)
{
	struct sc_pconn *pc = arg;
	struct sc_peer_out o;

	(void)ws;
	sc_peer_ws_open(&pc->peer, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

static void
pconn_on_message(struct sc_ws *ws, const uint8_t *buf, size_t len, void *arg)
{
	struct sc_pconn *pc = arg;

	(void)ws;
	pc->cbs->on_message(pc, buf, len);
}

static void
pconn_on_writable(struct sc_ws *ws, void *arg)
{
	(void)ws;
	(void)arg;
}

static void
pconn_on_close(struct sc_ws *ws, const struct sc_ws_close_info *ci,
    void *arg)
{
	struct sc_pconn *pc = arg;
	struct sc_peer_out o;
	bool was_up = pc->peer.state == SC_PEER_CONNECTED ||
	    pc->peer.state == SC_PEER_DISCONNECTING;

	(void)ws;
	pc->ws = NULL;
	event_del(pc->timer);
	sc_peer_ws_closed(&pc->peer, clk_now_us(), &o);
	pc->cbs->on_closed(pc, ci, was_up);
}

static const struct sc_ws_cbs pconn_ws_cbs = {
	.on_open = pconn_on_open,
	.on_message = pconn_on_message,
	.on_writable = pconn_on_writable,
	.on_close = pconn_on_close,
};

/* ------------------------------------------------------------- public */

int
sc_pconn_init(struct sc_pconn *pc, struct event_base *base,
    enum sc_peer_role role, const struct sc_peer_cfg *pcfg,
    const struct sc_pconn_id *id, const struct sc_pconn_cbs *cbs,
    struct sc_pconn_ctr *ctr, void *owner)
{
	uint16_t id0 = 0;

	memset(pc, 0, sizeof(*pc));
	pc->timer = evtimer_new(base, pconn_timer_cb, pc);
	if (pc->timer == NULL)
		return -1;
	if (RAND_bytes((unsigned char *)&id0, sizeof(id0)) != 1)
		id0 = (uint16_t)clk_now_us();
	sc_peer_init(&pc->peer, role, pcfg, id0);
	pc->base = base;
	pc->id = id;
	pc->cbs = cbs;
	pc->ctr = ctr;
	pc->owner = owner;
	return 0;
}

void
sc_pconn_fini(struct sc_pconn *pc)
{
	struct sc_ws *ws = pc->ws;

	pc->ws = NULL;
	sc_ws_free(ws);
	if (pc->timer != NULL)
		event_free(pc->timer);
	pc->timer = NULL;
}

int
sc_pconn_connect(struct sc_pconn *pc, struct evdns_base *dns,
    const struct sc_tls_ctx *tls, const char *uri, enum sc_ws_proto proto,
    const struct sc_ws_limits *limits, char *err, size_t errlen)
{
	struct sc_peer_out o;

	pc->ws = sc_ws_connect(pc->base, dns, tls, uri, proto, limits,
	    &pconn_ws_cbs, pc, err, errlen);
	if (pc->ws == NULL)
		return -1;
	sc_peer_start(&pc->peer, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
	return 0;
}

void
sc_pconn_accept_ws(struct sc_pconn *pc, struct sc_ws *ws)
{
	struct sc_peer_out o;

	pc->ws = ws;
	sc_ws_set_cbs(ws, &pconn_ws_cbs, pc);
	sc_peer_ws_open(&pc->peer, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

int
sc_pconn_decode(struct sc_pconn *pc, const uint8_t *buf, size_t len,
    enum scm_hop hop, struct scm_msg *m, struct scm_fail *f)
{
	if (scm_decode(buf, len, m, f) == CODEC_OK &&
	    scm_check_hop(&m->hdr, hop, f) == 0)
		return 0;
	if (sc_peer_is_up(&pc->peer))
		(void)sc_pconn_send_nak(pc, f);
	return -1;
}

void
sc_pconn_rx(struct sc_pconn *pc, const struct scm_msg *m,
    struct sc_peer_out *o)
{
	sc_peer_rx(&pc->peer, m, clk_now_us(), o);
	sc_pconn_apply(pc, o);
}

void
sc_pconn_note_rx(struct sc_pconn *pc)
{
	sc_peer_note_rx(&pc->peer, clk_now_us());
}

void
sc_pconn_admit(struct sc_pconn *pc, const struct scm_msg *m)
{
	struct sc_peer_out o;

	sc_peer_accept(&pc->peer, m, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

void
sc_pconn_refuse(struct sc_pconn *pc, uint16_t close_status)
{
	struct sc_peer_out o;

	sc_peer_refuse(&pc->peer, clk_now_us(), &o);
	if (close_status != 0)
		o.close_status = close_status;
	sc_pconn_apply(pc, &o);
}

void
sc_pconn_disconnect(struct sc_pconn *pc)
{
	struct sc_peer_out o;

	sc_peer_disconnect(&pc->peer, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

void
sc_pconn_set_timers(struct sc_pconn *pc, const struct sc_peer_cfg *pcfg)
{
	struct sc_peer_out o;

	sc_peer_set_cfg(&pc->peer, pcfg, clk_now_us(), &o);
	sc_pconn_apply(pc, &o);
}

void
sc_pconn_timers_ms(struct sc_peer_cfg *pcfg, struct sc_ws_limits *l,
    unsigned connect_wait_ms, unsigned disconnect_wait_ms,
    unsigned heartbeat_ms)
{
	if (l != NULL)
		l->handshake_ms = connect_wait_ms;
	pcfg->connect_wait_us = CLK_MS(connect_wait_ms);
	pcfg->disconnect_wait_us = CLK_MS(disconnect_wait_ms);
	pcfg->heartbeat_us = CLK_MS(heartbeat_ms);
	pcfg->silence_us = 2 * CLK_MS(heartbeat_ms) + CLK_SEC(10);
}

void
sc_pconn_limits(struct sc_ws_limits *l, uint16_t max_bvlc,
    unsigned connect_wait_ms)
{
	sc_ws_limits_default(l);
	l->max_msg_len = max_bvlc;
	l->frame_cap = (size_t)max_bvlc + 4096;
	l->handshake_ms = connect_wait_ms;
}

bool
sc_pconn_is_up(const struct sc_pconn *pc)
{
	return sc_peer_is_up(&pc->peer);
}
