/*
 * BACnet/SC connection state machine; see sc_peer_fsm.h.
 *
 * Choices where sources differ (digest §1.9, §1.10, §6):
 *  - A NAK other than NODE_DUPLICATE_VMAC to our Connect-Request ends the
 *    attempt at once (B4J, citing AB.6.2.2) instead of waiting for the
 *    Connect Wait timeout (REF, BS): the refusing peer closes anyway, and
 *    the hub connector learns the reason sooner.
 *  - Heartbeat loss (B4J, Protocol_Revision 24): when the heartbeat timer
 *    expires again while our Heartbeat-Request is still unanswered and
 *    nothing at all arrived meanwhile, we start a Disconnect.  Peers that
 *    answer heartbeats (every implementation does) never see a
 *    difference; a dead link is noticed after two heartbeat periods.
 *  - The accepting side closes a connection on which nothing arrived for
 *    silence_us (the glue sets 2 x heartbeat + a margin, BS-like),
 *    restarted on receive only (not on send, unlike REF).
 *  - Connection-level messages out of place are discarded, except a
 *    Disconnect-ACK while connected or awaiting an Accept, which closes
 *    (REF, BS; 1002 while awaiting).
 */
#include "config.h"

#include <string.h>

#include "sc/sc_peer_fsm.h"

void
sc_peer_init(struct sc_peer *p, enum sc_peer_role role,
    const struct sc_peer_cfg *cfg, uint16_t id0)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->cfg = *cfg;
	p->next_id = id0;
	p->state = SC_PEER_IDLE;
}

static void
out_clear(struct sc_peer_out *o)
{
	memset(o, 0, sizeof(*o));
}

static uint16_t
new_id(struct sc_peer *p)
{
	return p->next_id++;
}

static void
set_state(struct sc_peer *p, enum sc_peer_state st, uint64_t now)
{
	p->state = st;
	p->state_since = now;
}

static void
arm(struct sc_peer_out *o, uint64_t at)
{
	o->arm = true;
	o->deadline = at;
}

/* Close and go IDLE; report down if we were up. */
static void
to_idle(struct sc_peer *p, uint64_t now, uint16_t status,
    struct sc_peer_out *o)
{
	if (p->state == SC_PEER_CONNECTED)
		o->down = true;
	o->close = true;
	o->close_status = status;
	p->hb_out = false;
	set_state(p, SC_PEER_IDLE, now);
}

static void
send_msg(struct sc_peer_out *o, enum sc_peer_send what, uint16_t id)
{
	o->send = what;
	o->send_id = id;
}

/* When the CONNECTED timer is due. */
static uint64_t
connected_due(const struct sc_peer *p)
{
	uint64_t base = p->last_rx;

	if (p->role == SC_PEER_ACCEPTING)
		return base + p->cfg.silence_us;
	if (p->last_hb > base)
		base = p->last_hb;
	return base + p->cfg.heartbeat_us;
}

void
sc_peer_start(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	out_clear(o);
	if (p->role != SC_PEER_INITIATING || p->state != SC_PEER_IDLE)
		return;
	set_state(p, SC_PEER_AWAIT_WS, now);
	arm(o, now + p->cfg.connect_wait_us);
}

void
sc_peer_ws_open(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	out_clear(o);
	if (p->role == SC_PEER_INITIATING) {
		if (p->state != SC_PEER_AWAIT_WS)
			return;
		p->req_id = new_id(p);
		send_msg(o, SC_PEER_SEND_CONNECT_REQ, p->req_id);
		set_state(p, SC_PEER_AWAIT_ACCEPT, now);
	} else {
		if (p->state != SC_PEER_IDLE)
			return;
		set_state(p, SC_PEER_AWAIT_REQUEST, now);
	}
	arm(o, now + p->cfg.connect_wait_us);
}

static void
became_up(struct sc_peer *p, const struct scm_connect *remote, uint64_t now,
    struct sc_peer_out *o)
{
	p->remote = *remote;
	p->last_rx = now;
	p->last_hb = 0;
	p->hb_out = false;
	set_state(p, SC_PEER_CONNECTED, now);
	o->up = true;
	arm(o, connected_due(p));
}

static void
rx_await_accept(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o)
{
	const struct scm_result *r = &m->u.result;

	switch (m->hdr.function) {
	case SCM_FN_CONNECT_ACCEPT:
		if (m->hdr.msgid == p->req_id)
			became_up(p, &m->u.connect, now, o);
		break;
	case SCM_FN_RESULT:
		if (m->hdr.msgid != p->req_id ||
		    r->result_for != SCM_FN_CONNECT_REQ ||
		    r->code != SCM_RESULT_NAK)
			break;
		o->fail = r->error_code == SCM_ERR_NODE_DUPLICATE_VMAC ?
		    SC_PEER_FAIL_DUP_VMAC : SC_PEER_FAIL_NAK;
		o->fail_class = r->error_class;
		o->fail_code = r->error_code;
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_DISCONNECT_REQ:
		o->fail = SC_PEER_FAIL_REFUSED;
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_DISCONNECT_ACK:
		o->fail = SC_PEER_FAIL_PROTOCOL;
		to_idle(p, now, SC_PEER_CLOSE_PROTOCOL, o);
		break;
	default:
		break;		/* discard */
	}
}

static void
rx_connected(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o)
{
	p->last_rx = now;
	p->hb_out = false;	/* anything received proves the link */
	switch (m->hdr.function) {
	case SCM_FN_HEARTBEAT_REQ:
		send_msg(o, SC_PEER_SEND_HEARTBEAT_ACK, m->hdr.msgid);
		break;
	case SCM_FN_HEARTBEAT_ACK:
		break;
	case SCM_FN_DISCONNECT_REQ:
		send_msg(o, SC_PEER_SEND_DISCONNECT_ACK, m->hdr.msgid);
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_DISCONNECT_ACK:
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_CONNECT_REQ:
	case SCM_FN_CONNECT_ACCEPT:
		break;		/* out of place: discard */
	default:
		o->deliver = true;
		break;
	}
}

static void
rx_disconnecting(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o)
{
	switch (m->hdr.function) {
	case SCM_FN_DISCONNECT_ACK:
		if (m->hdr.msgid == p->req_id)
			to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_RESULT:
		if (m->hdr.msgid == p->req_id &&
		    m->u.result.result_for == SCM_FN_DISCONNECT_REQ)
			to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SCM_FN_DISCONNECT_REQ:
		/* Both sides disconnecting at once: answer and close. */
		send_msg(o, SC_PEER_SEND_DISCONNECT_ACK, m->hdr.msgid);
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	default:
		break;		/* new requests are ignored */
	}
}

void
sc_peer_rx(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o)
{
	out_clear(o);
	switch (p->state) {
	case SC_PEER_AWAIT_ACCEPT:
		rx_await_accept(p, m, now, o);
		break;
	case SC_PEER_AWAIT_REQUEST:
		if (m->hdr.function == SCM_FN_CONNECT_REQ)
			o->connect_request = true;
		break;		/* anything else: discard */
	case SC_PEER_CONNECTED:
		rx_connected(p, m, now, o);
		break;
	case SC_PEER_DISCONNECTING:
		rx_disconnecting(p, m, now, o);
		break;
	case SC_PEER_IDLE:
	case SC_PEER_AWAIT_WS:
		break;
	}
}

void
sc_peer_note_rx(struct sc_peer *p, uint64_t now)
{
	if (p->state != SC_PEER_CONNECTED)
		return;
	p->last_rx = now;
	p->hb_out = false;
}

void
sc_peer_accept(struct sc_peer *p, const struct scm_msg *m, uint64_t now,
    struct sc_peer_out *o)
{
	out_clear(o);
	if (p->state != SC_PEER_AWAIT_REQUEST ||
	    m->hdr.function != SCM_FN_CONNECT_REQ)
		return;
	send_msg(o, SC_PEER_SEND_CONNECT_ACCEPT, m->hdr.msgid);
	became_up(p, &m->u.connect, now, o);
}

void
sc_peer_refuse(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	out_clear(o);
	if (p->state != SC_PEER_AWAIT_REQUEST)
		return;
	to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
}

void
sc_peer_timer(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	uint64_t due;

	out_clear(o);
	switch (p->state) {
	case SC_PEER_IDLE:
		break;
	case SC_PEER_AWAIT_WS:
	case SC_PEER_AWAIT_ACCEPT:
	case SC_PEER_AWAIT_REQUEST:
		if (now < p->state_since + p->cfg.connect_wait_us) {
			arm(o, p->state_since + p->cfg.connect_wait_us);
			break;
		}
		o->fail = SC_PEER_FAIL_TIMEOUT;
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SC_PEER_CONNECTED:
		due = connected_due(p);
		if (now < due) {
			arm(o, due);
			break;
		}
		if (p->role == SC_PEER_ACCEPTING) {
			to_idle(p, now, SC_PEER_CLOSE_GOING_AWAY, o);
			break;
		}
		if (p->hb_out) {
			/* Nothing since our last Heartbeat-Request. */
			sc_peer_disconnect(p, now, o);
			o->hb_lost = true;
			break;
		}
		p->hb_id = new_id(p);
		p->hb_out = true;
		p->last_hb = now;
		send_msg(o, SC_PEER_SEND_HEARTBEAT_REQ, p->hb_id);
		arm(o, connected_due(p));
		break;
	case SC_PEER_DISCONNECTING:
		if (now < p->state_since + p->cfg.disconnect_wait_us) {
			arm(o, p->state_since + p->cfg.disconnect_wait_us);
			break;
		}
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	}
}

void
sc_peer_set_cfg(struct sc_peer *p, const struct sc_peer_cfg *cfg,
    uint64_t now, struct sc_peer_out *o)
{
	p->cfg = *cfg;
	if (p->hb_out && p->last_hb < now)
		p->last_hb = now;
	sc_peer_timer(p, now, o);
}

void
sc_peer_disconnect(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	out_clear(o);
	switch (p->state) {
	case SC_PEER_CONNECTED:
		o->down = true;
		p->req_id = new_id(p);
		send_msg(o, SC_PEER_SEND_DISCONNECT_REQ, p->req_id);
		set_state(p, SC_PEER_DISCONNECTING, now);
		arm(o, now + p->cfg.disconnect_wait_us);
		break;
	case SC_PEER_AWAIT_WS:
	case SC_PEER_AWAIT_ACCEPT:
	case SC_PEER_AWAIT_REQUEST:
		to_idle(p, now, SC_PEER_CLOSE_NORMAL, o);
		break;
	case SC_PEER_IDLE:
	case SC_PEER_DISCONNECTING:
		break;
	}
}

void
sc_peer_ws_closed(struct sc_peer *p, uint64_t now, struct sc_peer_out *o)
{
	out_clear(o);
	if (p->state == SC_PEER_CONNECTED)
		o->down = true;
	set_state(p, SC_PEER_IDLE, now);
	p->hb_out = false;
}

bool
sc_peer_is_up(const struct sc_peer *p)
{
	return p->state == SC_PEER_CONNECTED;
}

const char *
sc_peer_state_name(enum sc_peer_state st)
{
	switch (st) {
	case SC_PEER_IDLE:
		return "idle";
	case SC_PEER_AWAIT_WS:
		return "awaiting-websocket";
	case SC_PEER_AWAIT_ACCEPT:
		return "awaiting-accept";
	case SC_PEER_AWAIT_REQUEST:
		return "awaiting-request";
	case SC_PEER_CONNECTED:
		return "connected";
	case SC_PEER_DISCONNECTING:
		return "disconnecting";
	}
	return "?";
}
