/*
 * Connection state machine (initiating and accepting): every transition
 * with a fake clock (a plain time variable), including timeouts, duplicate
 * VMAC, wrong message ids, disconnects from either side and heartbeat loss.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include "lib/clock.h"
#include "sc/sc_peer_fsm.h"
#include "tests/unit/harness.h"

#define CW	CLK_SEC(10)
#define DW	CLK_SEC(5)
#define HB	CLK_SEC(300)
#define SIL	CLK_SEC(610)

static void
init(struct sc_peer *p, enum sc_peer_role role)
{
	struct sc_peer_cfg cfg = { CW, DW, HB, SIL };

	sc_peer_init(p, role, &cfg, 100);
}

static struct scm_msg
msg(uint8_t fn, uint16_t id)
{
	struct scm_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr.function = fn;
	m.hdr.msgid = id;
	return m;
}

static struct scm_msg
nak(uint8_t for_fn, uint16_t id, uint16_t code)
{
	struct scm_msg m = msg(SCM_FN_RESULT, id);

	m.u.result.result_for = for_fn;
	m.u.result.code = SCM_RESULT_NAK;
	m.u.result.error_class = SCM_ERRCLASS_COMMUNICATION;
	m.u.result.error_code = code;
	return m;
}

/* Initiating peer connected at t = 1 s (Connect-Request id 100). */
static void
connected_init(struct sc_peer *p)
{
	struct sc_peer_out o;
	struct scm_msg m;

	init(p, SC_PEER_INITIATING);
	sc_peer_start(p, 0, &o);
	sc_peer_ws_open(p, CLK_MS(500), &o);
	m = msg(SCM_FN_CONNECT_ACCEPT, 100);
	m.u.connect.max_bvlc = 1600;
	sc_peer_rx(p, &m, CLK_SEC(1), &o);
	CU_ASSERT_TRUE(o.up);
	CU_ASSERT_EQUAL(p->state, SC_PEER_CONNECTED);
}

static void
test_init_happy_path(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	CU_ASSERT_EQUAL(p.state, SC_PEER_AWAIT_WS);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CW);
	sc_peer_ws_open(&p, 200, &o);
	CU_ASSERT_EQUAL(p.state, SC_PEER_AWAIT_ACCEPT);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_CONNECT_REQ);
	CU_ASSERT_EQUAL(o.send_id, 100);
	CU_ASSERT_EQUAL(o.deadline, 200 + CW);
	/* An Accept with another id is discarded. */
	m = msg(SCM_FN_CONNECT_ACCEPT, 99);
	sc_peer_rx(&p, &m, 300, &o);
	CU_ASSERT_FALSE(o.up);
	CU_ASSERT_EQUAL(p.state, SC_PEER_AWAIT_ACCEPT);
	/* Other traffic before the Accept is discarded. */
	m = msg(SCM_FN_ENCAP_NPDU, 5);
	sc_peer_rx(&p, &m, 300, &o);
	CU_ASSERT_FALSE(o.deliver);
	m = msg(SCM_FN_CONNECT_ACCEPT, 100);
	m.u.connect.max_bvlc = 1234;
	m.u.connect.vmac[0] = 0x92;
	sc_peer_rx(&p, &m, 400, &o);
	CU_ASSERT_TRUE(o.up);
	CU_ASSERT_TRUE(sc_peer_is_up(&p));
	CU_ASSERT_EQUAL(p.remote.max_bvlc, 1234);
	CU_ASSERT_EQUAL(p.remote.vmac[0], 0x92);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, 400 + HB);
}

static void
test_init_dup_vmac(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_ws_open(&p, 0, &o);
	/* A NAK for another id, or for another function, is ignored. */
	m = nak(SCM_FN_CONNECT_REQ, 7, SCM_ERR_NODE_DUPLICATE_VMAC);
	sc_peer_rx(&p, &m, 10, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_NONE);
	m = nak(SCM_FN_ENCAP_NPDU, 100, SCM_ERR_NODE_DUPLICATE_VMAC);
	sc_peer_rx(&p, &m, 10, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_NONE);
	m = nak(SCM_FN_CONNECT_REQ, 100, SCM_ERR_NODE_DUPLICATE_VMAC);
	sc_peer_rx(&p, &m, 20, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_DUP_VMAC);
	CU_ASSERT_EQUAL(o.fail_code, 151);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_FALSE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_init_other_nak(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_ws_open(&p, 0, &o);
	m = nak(SCM_FN_CONNECT_REQ, 100, SCM_ERR_HEADER_ENCODING_ERROR);
	m.u.result.error_class = SCM_ERRCLASS_RESOURCES;
	sc_peer_rx(&p, &m, 20, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_NAK);
	CU_ASSERT_EQUAL(o.fail_class, SCM_ERRCLASS_RESOURCES);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_init_disconnect_while_awaiting(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_ws_open(&p, 0, &o);
	m = msg(SCM_FN_DISCONNECT_REQ, 3);
	sc_peer_rx(&p, &m, 1, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_REFUSED);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_EQUAL(o.close_status, SC_PEER_CLOSE_NORMAL);

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_ws_open(&p, 0, &o);
	m = msg(SCM_FN_DISCONNECT_ACK, 100);
	sc_peer_rx(&p, &m, 1, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_PROTOCOL);
	CU_ASSERT_EQUAL(o.close_status, SC_PEER_CLOSE_PROTOCOL);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_init_connect_wait(void)
{
	struct sc_peer p;
	struct sc_peer_out o;

	/* Expiry while the transport is still connecting. */
	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_timer(&p, CW - 1, &o);	/* early: re-arm */
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CW);
	CU_ASSERT_FALSE(o.close);
	sc_peer_timer(&p, CW, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_TIMEOUT);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	/* Expiry while awaiting the Accept (wait restarted at open). */
	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_ws_open(&p, CLK_SEC(3), &o);
	sc_peer_timer(&p, CW, &o);
	CU_ASSERT_FALSE(o.close);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(3) + CW);
	sc_peer_timer(&p, CLK_SEC(3) + CW, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_TIMEOUT);
	/* A timer in IDLE does nothing. */
	sc_peer_timer(&p, CLK_SEC(100), &o);
	CU_ASSERT_FALSE(o.close);
	CU_ASSERT_FALSE(o.arm);
}

static void
test_heartbeat_after_silence(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;
	uint64_t t;

	connected_init(&p);
	/* Traffic at 100 s moves the due time: early expiry re-arms. */
	m = msg(SCM_FN_ENCAP_NPDU, 1);
	sc_peer_rx(&p, &m, CLK_SEC(100), &o);
	CU_ASSERT_TRUE(o.deliver);
	CU_ASSERT_FALSE(o.arm);		/* no timer work per message */
	sc_peer_timer(&p, CLK_SEC(1) + HB, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(100) + HB);
	t = CLK_SEC(100) + HB;
	sc_peer_timer(&p, t, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_HEARTBEAT_REQ);
	CU_ASSERT_EQUAL(o.send_id, 101);
	CU_ASSERT_EQUAL(o.deadline, t + HB);
	/* The ACK (any id accepted as traffic) clears the outstanding one. */
	m = msg(SCM_FN_HEARTBEAT_ACK, 101);
	sc_peer_rx(&p, &m, t + 5, &o);
	CU_ASSERT_FALSE(p.hb_out);
	CU_ASSERT_FALSE(o.deliver);
	sc_peer_timer(&p, t + HB, &o);
	CU_ASSERT_EQUAL(o.deadline, t + HB + 5);
	sc_peer_timer(&p, t + HB + 5, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_HEARTBEAT_REQ);
	CU_ASSERT_EQUAL(o.send_id, 102);
}

static void
test_heartbeat_loss_disconnects(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;
	uint64_t t = CLK_SEC(1) + HB;

	connected_init(&p);
	sc_peer_timer(&p, t, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_HEARTBEAT_REQ);
	sc_peer_timer(&p, t + HB, &o);
	CU_ASSERT_TRUE(o.hb_lost);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_REQ);
	CU_ASSERT_EQUAL(p.state, SC_PEER_DISCONNECTING);
	CU_ASSERT_EQUAL(o.deadline, t + HB + DW);
	/* No ACK: the disconnect wait closes it. */
	sc_peer_timer(&p, t + HB + DW, &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_FALSE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	(void)m;
}

static void
test_heartbeat_answered(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	connected_init(&p);
	m = msg(SCM_FN_HEARTBEAT_REQ, 0x0123);
	sc_peer_rx(&p, &m, CLK_SEC(2), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_HEARTBEAT_ACK);
	CU_ASSERT_EQUAL(o.send_id, 0x0123);
	CU_ASSERT_FALSE(o.deliver);
	/* Out-of-place connect messages are discarded. */
	m = msg(SCM_FN_CONNECT_REQ, 1);
	sc_peer_rx(&p, &m, CLK_SEC(3), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_FALSE(o.deliver);
	CU_ASSERT_EQUAL(p.state, SC_PEER_CONNECTED);
}

static void
test_disconnect_by_peer(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	connected_init(&p);
	m = msg(SCM_FN_DISCONNECT_REQ, 0x0124);
	sc_peer_rx(&p, &m, CLK_SEC(5), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_ACK);
	CU_ASSERT_EQUAL(o.send_id, 0x0124);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_EQUAL(o.close_status, SC_PEER_CLOSE_NORMAL);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_unexpected_disconnect_ack(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	connected_init(&p);
	m = msg(SCM_FN_DISCONNECT_ACK, 9);
	sc_peer_rx(&p, &m, CLK_SEC(5), &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_local_disconnect(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	connected_init(&p);
	sc_peer_disconnect(&p, CLK_SEC(9), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_REQ);
	CU_ASSERT_EQUAL(o.send_id, 101);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(9) + DW);
	/* Wrong id, and new requests, are ignored while disconnecting. */
	m = msg(SCM_FN_DISCONNECT_ACK, 55);
	sc_peer_rx(&p, &m, CLK_SEC(10), &o);
	CU_ASSERT_FALSE(o.close);
	m = msg(SCM_FN_HEARTBEAT_REQ, 56);
	sc_peer_rx(&p, &m, CLK_SEC(10), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	m = msg(SCM_FN_ENCAP_NPDU, 57);
	sc_peer_rx(&p, &m, CLK_SEC(10), &o);
	CU_ASSERT_FALSE(o.deliver);
	sc_peer_timer(&p, CLK_SEC(10), &o);	/* early */
	CU_ASSERT_FALSE(o.close);
	m = msg(SCM_FN_DISCONNECT_ACK, 101);
	sc_peer_rx(&p, &m, CLK_SEC(11), &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_FALSE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	/* A second disconnect in IDLE does nothing. */
	sc_peer_disconnect(&p, CLK_SEC(12), &o);
	CU_ASSERT_FALSE(o.close);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
}

static void
test_local_disconnect_nak_and_crossing(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	connected_init(&p);
	sc_peer_disconnect(&p, CLK_SEC(9), &o);
	m = nak(SCM_FN_DISCONNECT_REQ, 101, SCM_ERR_OTHER);
	sc_peer_rx(&p, &m, CLK_SEC(10), &o);
	CU_ASSERT_TRUE(o.close);

	connected_init(&p);
	sc_peer_disconnect(&p, CLK_SEC(9), &o);
	m = msg(SCM_FN_DISCONNECT_REQ, 7);
	sc_peer_rx(&p, &m, CLK_SEC(10), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_ACK);
	CU_ASSERT_EQUAL(o.send_id, 7);
	CU_ASSERT_TRUE(o.close);
}

static void
test_local_disconnect_before_up(void)
{
	struct sc_peer p;
	struct sc_peer_out o;

	init(&p, SC_PEER_INITIATING);
	sc_peer_start(&p, 0, &o);
	sc_peer_disconnect(&p, 1, &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
}

static void
test_ws_closed(void)
{
	struct sc_peer p;
	struct sc_peer_out o;

	connected_init(&p);
	sc_peer_ws_closed(&p, CLK_SEC(3), &o);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_FALSE(o.close);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	sc_peer_ws_closed(&p, CLK_SEC(4), &o);
	CU_ASSERT_FALSE(o.down);
}

static void
test_accepting_happy_path(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_ACCEPTING);
	sc_peer_start(&p, 0, &o);	/* initiating only */
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	sc_peer_ws_open(&p, 10, &o);
	CU_ASSERT_EQUAL(p.state, SC_PEER_AWAIT_REQUEST);
	CU_ASSERT_EQUAL(o.deadline, 10 + CW);
	/* Anything but a Connect-Request is discarded. */
	m = msg(SCM_FN_HEARTBEAT_REQ, 1);
	sc_peer_rx(&p, &m, 20, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_FALSE(o.connect_request);
	m = msg(SCM_FN_CONNECT_REQ, 0x0001);
	m.u.connect.max_npdu = 1497;
	sc_peer_rx(&p, &m, 30, &o);
	CU_ASSERT_TRUE(o.connect_request);
	CU_ASSERT_EQUAL(p.state, SC_PEER_AWAIT_REQUEST);
	sc_peer_accept(&p, &m, 40, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_CONNECT_ACCEPT);
	CU_ASSERT_EQUAL(o.send_id, 0x0001);
	CU_ASSERT_TRUE(o.up);
	CU_ASSERT_EQUAL(p.remote.max_npdu, 1497);
	CU_ASSERT_EQUAL(o.deadline, 40 + SIL);
	/* The accepting side never sends Heartbeat-Requests: silence closes. */
	m = msg(SCM_FN_ENCAP_NPDU, 2);
	sc_peer_rx(&p, &m, CLK_SEC(100), &o);
	CU_ASSERT_TRUE(o.deliver);
	sc_peer_timer(&p, 40 + SIL, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(100) + SIL);
	sc_peer_timer(&p, CLK_SEC(100) + SIL, &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_TRUE(o.down);
	CU_ASSERT_EQUAL(o.close_status, SC_PEER_CLOSE_GOING_AWAY);
}

static void
test_accepting_refuse_and_timeout(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_ACCEPTING);
	sc_peer_ws_open(&p, 0, &o);
	m = msg(SCM_FN_CONNECT_REQ, 4);
	sc_peer_rx(&p, &m, 1, &o);
	sc_peer_refuse(&p, 2, &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_FALSE(o.down);
	CU_ASSERT_EQUAL(p.state, SC_PEER_IDLE);
	/* accept after refuse does nothing. */
	sc_peer_accept(&p, &m, 3, &o);
	CU_ASSERT_FALSE(o.up);

	init(&p, SC_PEER_ACCEPTING);
	sc_peer_ws_open(&p, 0, &o);
	sc_peer_timer(&p, CW, &o);
	CU_ASSERT_EQUAL(o.fail, SC_PEER_FAIL_TIMEOUT);
	CU_ASSERT_TRUE(o.close);
}

static void
test_accepting_disconnects(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct scm_msg m;

	init(&p, SC_PEER_ACCEPTING);
	sc_peer_ws_open(&p, 0, &o);
	m = msg(SCM_FN_CONNECT_REQ, 4);
	sc_peer_accept(&p, &m, 1, &o);
	/* The hub replaces the connection: Disconnect-Request, then ACK. */
	sc_peer_disconnect(&p, 2, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_REQ);
	CU_ASSERT_TRUE(o.down);
	m = msg(SCM_FN_DISCONNECT_ACK, o.send_id);
	sc_peer_rx(&p, &m, 3, &o);
	CU_ASSERT_TRUE(o.close);
	/* And a node that disconnects itself. */
	init(&p, SC_PEER_ACCEPTING);
	sc_peer_ws_open(&p, 0, &o);
	m = msg(SCM_FN_CONNECT_REQ, 4);
	sc_peer_accept(&p, &m, 1, &o);
	m = msg(SCM_FN_DISCONNECT_REQ, 77);
	sc_peer_rx(&p, &m, 2, &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_DISCONNECT_ACK);
	CU_ASSERT_EQUAL(o.send_id, 77);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_TRUE(o.down);
}

/* New timers at run time (reload): acted on at once or re-armed. */
static void
test_set_cfg_at_run_time(void)
{
	struct sc_peer p;
	struct sc_peer_out o;
	struct sc_peer_cfg fast = { CW, DW, CLK_SEC(5), CLK_SEC(20) };
	struct sc_peer_cfg slow = { CW, DW, CLK_SEC(60), CLK_SEC(130) };

	/* Idle for 10 s under a 300 s heartbeat; now 5 s: send one now. */
	connected_init(&p);
	sc_peer_set_cfg(&p, &fast, CLK_SEC(11), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_HEARTBEAT_REQ);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(16));
	CU_ASSERT_EQUAL(p.cfg.heartbeat_us, CLK_SEC(5));
	/* Longer again while that request is unanswered: not lost, the
	 * deadline moves to a whole new period from now. */
	sc_peer_set_cfg(&p, &slow, CLK_SEC(14), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_FALSE(o.close || o.hb_lost);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(74));
	/* Not yet due: only a new deadline. */
	connected_init(&p);
	sc_peer_set_cfg(&p, &slow, CLK_SEC(2), &o);
	CU_ASSERT_EQUAL(o.send, SC_PEER_SEND_NONE);
	CU_ASSERT_TRUE(o.arm);
	CU_ASSERT_EQUAL(o.deadline, CLK_SEC(61));
	/* Accepting side: silence limit shortened below the silence so far. */
	init(&p, SC_PEER_ACCEPTING);
	sc_peer_ws_open(&p, 0, &o);
	{
		struct scm_msg m = msg(SCM_FN_CONNECT_REQ, 7);

		sc_peer_accept(&p, &m, CLK_SEC(1), &o);
	}
	CU_ASSERT_TRUE(sc_peer_is_up(&p));
	sc_peer_set_cfg(&p, &fast, CLK_SEC(30), &o);
	CU_ASSERT_TRUE(o.close);
	CU_ASSERT_TRUE(o.down);
	/* Idle: nothing to do. */
	init(&p, SC_PEER_INITIATING);
	sc_peer_set_cfg(&p, &fast, 0, &o);
	CU_ASSERT_FALSE(o.arm || o.close || o.send != SC_PEER_SEND_NONE);
}

static void
test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(sc_peer_state_name(SC_PEER_AWAIT_ACCEPT),
	    "awaiting-accept");
	CU_ASSERT_STRING_EQUAL(sc_peer_state_name(SC_PEER_DISCONNECTING),
	    "disconnecting");
}

static const struct ut_case cases[] = {
	UT_CASE(test_init_happy_path),
	UT_CASE(test_set_cfg_at_run_time),
	UT_CASE(test_init_dup_vmac),
	UT_CASE(test_init_other_nak),
	UT_CASE(test_init_disconnect_while_awaiting),
	UT_CASE(test_init_connect_wait),
	UT_CASE(test_heartbeat_after_silence),
	UT_CASE(test_heartbeat_loss_disconnects),
	UT_CASE(test_heartbeat_answered),
	UT_CASE(test_disconnect_by_peer),
	UT_CASE(test_unexpected_disconnect_ack),
	UT_CASE(test_local_disconnect),
	UT_CASE(test_local_disconnect_nak_and_crossing),
	UT_CASE(test_local_disconnect_before_up),
	UT_CASE(test_ws_closed),
	UT_CASE(test_accepting_happy_path),
	UT_CASE(test_accepting_refuse_and_timeout),
	UT_CASE(test_accepting_disconnects),
	UT_CASE(test_state_names),
	UT_END
};
UT_SUITE(sc_peer, cases);
