/*
 * BACnet/SC connection state machines (digest §1.9-1.10).  Pure.
 */
#include "config.h"

#include <string.h>

#include "sc/sc_conn_fsm.h"

const char *
sc_conn_state_name(enum sc_conn_state s)
{
	switch (s) {
	case SC_CONN_IDLE:
		return "idle";
	case SC_CONN_AWAIT_WS:
		return "awaiting-websocket";
	case SC_CONN_AWAIT_ACCEPT:
		return "awaiting-accept";
	case SC_CONN_AWAIT_REQUEST:
		return "awaiting-request";
	case SC_CONN_CONNECTED:
		return "connected";
	case SC_CONN_DISCONNECTING:
		return "disconnecting";
	}
	return "?";
}

void
sc_conn_init(struct sc_conn *c, enum sc_conn_role role,
    const struct sc_conn_cfg *cfg, const uint8_t *vmac, uint16_t first_msgid)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->state = SC_CONN_IDLE;
	c->cfg = cfg;
	memcpy(c->vmac, vmac, SC_VMAC_LEN);
	c->next_msgid = first_msgid;
}

void
sc_conn_set_vmac(struct sc_conn *c, const uint8_t *vmac)
{
	memcpy(c->vmac, vmac, SC_VMAC_LEN);
}

/* ---- action helpers ---- */

static void
arm(struct sc_conn *c, struct sc_conn_out *out, uint64_t at)
{
	c->timer_armed = true;
	c->timer_at = at;
	out->timer = SC_TIMER_ARM;
	out->timer_at = at;
}

static uint16_t
new_msgid(struct sc_conn *c)
{
	return c->next_msgid++;
}

/* Queue a message with no payload. */
static void
tx_plain(struct sc_conn_out *out, uint8_t function, uint16_t msgid)
{
	memset(&out->tx, 0, sizeof(out->tx));
	out->send = true;
	out->tx.hdr.function = function;
	out->tx.hdr.msgid = msgid;
}

/* Queue a Connect-Request or Connect-Accept describing us. */
static void
tx_connect(struct sc_conn *c, struct sc_conn_out *out, uint8_t function,
    uint16_t msgid)
{
	tx_plain(out, function, msgid);
	memcpy(out->tx.u.connect.vmac, c->vmac, SC_VMAC_LEN);
	memcpy(out->tx.u.connect.uuid, c->cfg->uuid, SC_UUID_LEN);
	out->tx.u.connect.max_bvlc = c->cfg->max_bvlc;
	out->tx.u.connect.max_npdu = c->cfg->max_npdu;
}

static void
fail_attempt(struct sc_conn_out *out, uint16_t error_class,
    uint16_t error_code)
{
	out->failed = true;
	out->error_class = error_class;
	out->error_code = error_code;
}

/*
 * End the connection: stop the timer, ask to close the WebSocket (unless
 * it is already closed: status 0), report "down" if it was established.
 */
static void
go_idle(struct sc_conn *c, struct sc_conn_out *out, uint16_t status)
{
	if (status != 0) {
		out->close_ws = true;
		out->close_status = status;
	}
	if (c->state == SC_CONN_CONNECTED || c->state == SC_CONN_DISCONNECTING)
		out->down = true;
	else if (c->state == SC_CONN_AWAIT_WS ||
	    c->state == SC_CONN_AWAIT_ACCEPT ||
	    c->state == SC_CONN_AWAIT_REQUEST)
		if (!out->failed && status != SC_WS_CLOSE_NORMAL)
			fail_attempt(out, SCM_ERRCLASS_COMMUNICATION,
			    SCM_ERR_OTHER);
	c->timer_armed = false;
	out->timer = SC_TIMER_STOP;
	c->hb_outstanding = false;
	c->state = SC_CONN_IDLE;
}

/* Heartbeat (initiator) or silence (acceptor) supervision from now on. */
static void
arm_supervision(struct sc_conn *c, struct sc_conn_out *out, uint64_t now)
{
	arm(c, out, now + (c->role == SC_CONN_INITIATOR ?
	    c->cfg->heartbeat_us : c->cfg->accept_silence_us));
}

static void
start_disconnect(struct sc_conn *c, struct sc_conn_out *out, uint64_t now)
{
	c->req_msgid = new_msgid(c);
	c->hb_outstanding = false;
	tx_plain(out, SCM_FN_DISCONNECT_REQ, c->req_msgid);
	arm(c, out, now + c->cfg->disconnect_wait_us);
	c->state = SC_CONN_DISCONNECTING;
}

/* True if m answers our request fn/msgid with a BVLC-Result NAK. */
static bool
is_nak_for(const struct scm_msg *m, uint8_t fn, uint16_t msgid)
{
	return m->hdr.function == SCM_FN_RESULT &&
	    m->u.result.code == SCM_RESULT_NAK &&
	    m->u.result.result_for == fn && m->hdr.msgid == msgid;
}

/* Connection-level results (for Connect/Disconnect/Heartbeat) stay here. */
static bool
is_deliverable(const struct scm_msg *m)
{
	if (scm_function_is_peer_only(m->hdr.function))
		return false;
	if (m->hdr.function == SCM_FN_RESULT &&
	    scm_function_is_peer_only(m->u.result.result_for))
		return false;
	return true;
}

/* True for messages that answer an earlier request. */
static bool
is_response(uint8_t function)
{
	return function == SCM_FN_RESULT || function == SCM_FN_ADDR_RES_ACK ||
	    function == SCM_FN_ADVERT;
}

/* ---- per-state handlers of SC_EV_RX ---- */

static void
rx_await_accept(struct sc_conn *c, const struct scm_msg *m, uint64_t now,
    struct sc_conn_out *out)
{
	switch (m->hdr.function) {
	case SCM_FN_CONNECT_ACCEPT:
		if (m->hdr.msgid != c->req_msgid)
			return;		/* not ours: discard */
		c->peer = m->u.connect;
		c->have_peer = true;
		c->state = SC_CONN_CONNECTED;
		out->up = true;
		arm_supervision(c, out, now);
		return;
	case SCM_FN_RESULT:
		if (!is_nak_for(m, SCM_FN_CONNECT_REQ, c->req_msgid))
			return;
		fail_attempt(out, m->u.result.error_class,
		    m->u.result.error_code);
		if (m->u.result.error_class == SCM_ERRCLASS_COMMUNICATION &&
		    m->u.result.error_code == SCM_ERR_NODE_DUPLICATE_VMAC)
			out->new_vmac = true;
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SCM_FN_DISCONNECT_REQ:
		fail_attempt(out, SCM_ERRCLASS_COMMUNICATION, SCM_ERR_OTHER);
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SCM_FN_DISCONNECT_ACK:
		go_idle(c, out, SC_WS_CLOSE_PROTOCOL);
		return;
	default:
		return;			/* discard */
	}
}

static void
rx_await_request(struct sc_conn *c, const struct sc_conn_event *ev,
    uint64_t now, struct sc_conn_out *out)
{
	const struct scm_msg *m = ev->msg;
	struct scm_fail f;

	if (m->hdr.function != SCM_FN_CONNECT_REQ)
		return;			/* discard */
	switch (ev->admit) {
	case SC_ADMIT_DUP_VMAC:
		scm_fail_set(&f, &m->hdr, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_NODE_DUPLICATE_VMAC, 0, "duplicate VMAC");
		scm_nak_msg(&f, NULL, 0, &out->tx);
		out->send = true;
		fail_attempt(out, SCM_ERRCLASS_COMMUNICATION,
		    SCM_ERR_NODE_DUPLICATE_VMAC);
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SC_ADMIT_REPLACE:
		out->replace_old = true;
		break;
	case SC_ADMIT_NEW:
		break;
	}
	c->peer = m->u.connect;
	c->have_peer = true;
	tx_connect(c, out, SCM_FN_CONNECT_ACCEPT, m->hdr.msgid);
	c->state = SC_CONN_CONNECTED;
	out->up = true;
	arm_supervision(c, out, now);
}

static void
rx_connected(struct sc_conn *c, const struct scm_msg *m, uint64_t now,
    struct sc_conn_out *out)
{
	/* Every valid message proves the peer alive. */
	c->hb_outstanding = false;
	arm_supervision(c, out, now);
	switch (m->hdr.function) {
	case SCM_FN_HEARTBEAT_REQ:
		tx_plain(out, SCM_FN_HEARTBEAT_ACK, m->hdr.msgid);
		return;
	case SCM_FN_DISCONNECT_REQ:
		tx_plain(out, SCM_FN_DISCONNECT_ACK, m->hdr.msgid);
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SCM_FN_DISCONNECT_ACK:
		go_idle(c, out, SC_WS_CLOSE_PROTOCOL);
		return;
	default:
		out->deliver = is_deliverable(m);
		return;
	}
}

static void
rx_disconnecting(struct sc_conn *c, const struct scm_msg *m,
    struct sc_conn_out *out)
{
	if ((m->hdr.function == SCM_FN_DISCONNECT_ACK &&
	    m->hdr.msgid == c->req_msgid) ||
	    is_nak_for(m, SCM_FN_DISCONNECT_REQ, c->req_msgid)) {
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	}
	if (m->hdr.function == SCM_FN_DISCONNECT_REQ) {
		tx_plain(out, SCM_FN_DISCONNECT_ACK, m->hdr.msgid);
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	}
	/* New requests are ignored; late responses still go up. */
	out->deliver = is_response(m->hdr.function) && is_deliverable(m);
}

/* ---- events ---- */

static void
on_rx(struct sc_conn *c, const struct sc_conn_event *ev, uint64_t now,
    struct sc_conn_out *out)
{
	switch (c->state) {
	case SC_CONN_IDLE:
	case SC_CONN_AWAIT_WS:
		return;
	case SC_CONN_AWAIT_ACCEPT:
		rx_await_accept(c, ev->msg, now, out);
		return;
	case SC_CONN_AWAIT_REQUEST:
		rx_await_request(c, ev, now, out);
		return;
	case SC_CONN_CONNECTED:
		rx_connected(c, ev->msg, now, out);
		return;
	case SC_CONN_DISCONNECTING:
		rx_disconnecting(c, ev->msg, out);
		return;
	}
}

/* A refused message: NAK it if that is due and the WebSocket is up. */
static void
on_rx_bad(struct sc_conn *c, const struct scm_fail *f,
    struct sc_conn_out *out)
{
	if (c->state == SC_CONN_IDLE || c->state == SC_CONN_AWAIT_WS ||
	    !scm_fail_wants_nak(f))
		return;
	scm_nak_msg(f, NULL, 0, &out->tx);
	out->send = true;
}

static void
on_timer(struct sc_conn *c, uint64_t now, struct sc_conn_out *out)
{
	if (!c->timer_armed || now < c->timer_at)
		return;			/* stale */
	c->timer_armed = false;
	switch (c->state) {
	case SC_CONN_IDLE:
		return;
	case SC_CONN_AWAIT_WS:
	case SC_CONN_AWAIT_ACCEPT:
	case SC_CONN_AWAIT_REQUEST:
		fail_attempt(out, SCM_ERRCLASS_COMMUNICATION, SC_ERR_TIMEOUT);
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SC_CONN_CONNECTED:
		if (c->role == SC_CONN_ACCEPTOR) {
			go_idle(c, out, SC_WS_CLOSE_NORMAL);	/* silent */
		} else if (c->hb_outstanding && c->cfg->hb_ack_required) {
			start_disconnect(c, out, now);
		} else {
			c->hb_msgid = new_msgid(c);
			c->hb_outstanding = true;
			tx_plain(out, SCM_FN_HEARTBEAT_REQ, c->hb_msgid);
			arm(c, out, now + c->cfg->heartbeat_us);
		}
		return;
	case SC_CONN_DISCONNECTING:
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	}
}

static void
on_close(struct sc_conn *c, uint64_t now, struct sc_conn_out *out)
{
	switch (c->state) {
	case SC_CONN_IDLE:
	case SC_CONN_DISCONNECTING:
		return;
	case SC_CONN_AWAIT_WS:
	case SC_CONN_AWAIT_ACCEPT:
	case SC_CONN_AWAIT_REQUEST:
		go_idle(c, out, SC_WS_CLOSE_NORMAL);
		return;
	case SC_CONN_CONNECTED:
		start_disconnect(c, out, now);
		return;
	}
}

/*
 * A connection-level message with a must-understand destination option:
 * we understand none, so it is refused (HEADER_NOT_UNDERSTOOD).
 */
static bool
peer_msg_not_understood(const struct scm_msg *m, struct scm_fail *f)
{
	return scm_function_is_peer_only(m->hdr.function) &&
	    scm_check_dest_opts(&m->hdr, NULL, NULL, f) != 0;
}

enum sc_conn_state
sc_conn_step(struct sc_conn *c, const struct sc_conn_event *ev, uint64_t now,
    struct sc_conn_out *out)
{
	struct scm_fail f;

	memset(out, 0, sizeof(*out));
	out->timer = SC_TIMER_KEEP;
	switch (ev->type) {
	case SC_EV_OPEN:
		if (c->state == SC_CONN_IDLE && c->role == SC_CONN_INITIATOR) {
			out->open_ws = true;
			c->have_peer = false;
			arm(c, out, now + c->cfg->connect_wait_us);
			c->state = SC_CONN_AWAIT_WS;
		}
		break;
	case SC_EV_WS_ACCEPTED:
		if (c->state == SC_CONN_IDLE && c->role == SC_CONN_ACCEPTOR) {
			c->have_peer = false;
			arm(c, out, now + c->cfg->connect_wait_us);
			c->state = SC_CONN_AWAIT_REQUEST;
		}
		break;
	case SC_EV_WS_OPEN:
		if (c->state == SC_CONN_AWAIT_WS) {
			c->req_msgid = new_msgid(c);
			tx_connect(c, out, SCM_FN_CONNECT_REQ, c->req_msgid);
			arm(c, out, now + c->cfg->connect_wait_us);
			c->state = SC_CONN_AWAIT_ACCEPT;
		}
		break;
	case SC_EV_WS_CLOSED:
		if (c->state != SC_CONN_IDLE)
			go_idle(c, out, 0);
		break;
	case SC_EV_TIMER:
		on_timer(c, now, out);
		break;
	case SC_EV_RX:
		if (ev->msg == NULL)
			break;		/* nothing to look at */
		if (peer_msg_not_understood(ev->msg, &f))
			on_rx_bad(c, &f, out);
		else
			on_rx(c, ev, now, out);
		break;
	case SC_EV_RX_BAD:
		if (ev->fail != NULL)
			on_rx_bad(c, ev->fail, out);
		break;
	case SC_EV_CLOSE:
		on_close(c, now, out);
		break;
	}
	return c->state;
}
