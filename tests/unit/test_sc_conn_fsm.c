/*
 * BACnet/SC connection state machines (sc/sc_conn_fsm.h), driven like the
 * I/O glue would: a fake clock, one fake timer, messages as bytes through
 * the codec.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/hex.h"
#include "sc/sc_conn_fsm.h"
#include "tests/unit/harness.h"

#define CW	CLK_SEC(10)
#define DW	CLK_SEC(5)
#define HB	CLK_SEC(300)
#define SIL	CLK_SEC(610)

/* digest E4 (node A) and E5 (hub) */
static const char e4_hex[] = "06 00 00 01 02 A1 B2 C3 D4 E5 55 0E 84 00 E2"
    " 9B 41 D4 A7 16 44 66 55 44 00 00 06 40 05 D9";
static const char e5_hex[] = "07 00 00 01 92 7B F7 1A 96 A2 6F A4 59 EA EE"
    " 8A 3C A4 89 4E DB 77 E1 60 35 5E FF FF EF 8F";

struct rig {
	struct clk_fake		 clk;
	struct sc_conn_cfg	 cfg;
	struct sc_conn		 c;
	struct sc_conn_out	 out;
	bool			 timer_armed;	/* the glue's timer */
	uint64_t		 timer_at;
	uint8_t			 sent[128];	/* last message sent */
	size_t			 sent_len;
	unsigned		 nsent;
	unsigned		 nfired;
};

static void
rig_init(struct rig *r, enum sc_conn_role role)
{
	const char *uuid = role == SC_CONN_INITIATOR ?
	    "550e8400-e29b-41d4-a716-446655440000" :
	    "6fa459ea-ee8a-3ca4-894e-db77e160355e";
	uint8_t vmac[6];

	memset(r, 0, sizeof(*r));
	r->clk.now_us = CLK_SEC(1000);
	clk_fake_install(&r->clk);
	r->cfg.connect_wait_us = CW;
	r->cfg.disconnect_wait_us = DW;
	r->cfg.heartbeat_us = HB;
	r->cfg.accept_silence_us = SIL;
	CU_ASSERT_EQUAL_FATAL(sc_uuid_parse(uuid, r->cfg.uuid), 0);
	if (role == SC_CONN_INITIATOR) {
		r->cfg.max_bvlc = 1600;
		r->cfg.max_npdu = 1497;
		sc_vmac_parse("02:a1:b2:c3:d4:e5", vmac);
	} else {
		r->cfg.max_bvlc = 65535;
		r->cfg.max_npdu = 61327;
		sc_vmac_parse("92:7b:f7:1a:96:a2", vmac);
	}
	sc_conn_init(&r->c, role, &r->cfg, vmac, 1);
	CU_ASSERT_EQUAL(r->c.state, SC_CONN_IDLE);
}

/* Run one event now; carry out the timer request and the send. */
static enum sc_conn_state
rig_step(struct rig *r, const struct sc_conn_event *ev)
{
	enum sc_conn_state s = sc_conn_step(&r->c, ev, clk_now_us(), &r->out);
	struct wr w;

	CU_ASSERT_EQUAL(s, r->c.state);
	switch (r->out.timer) {
	case SC_TIMER_KEEP:
		break;
	case SC_TIMER_ARM:
		r->timer_armed = true;
		r->timer_at = r->out.timer_at;
		CU_ASSERT_TRUE(r->timer_at > clk_now_us());
		break;
	case SC_TIMER_STOP:
		r->timer_armed = false;
		break;
	}
	r->sent_len = 0;
	if (r->out.send) {
		wr_init(&w, r->sent, sizeof(r->sent));
		CU_ASSERT_EQUAL(scm_msg_encode(&w, &r->out.tx), 0);
		r->sent_len = w.len;
		r->nsent++;
	}
	return s;
}

static enum sc_conn_state
rig_ev(struct rig *r, enum sc_conn_ev_type type)
{
	struct sc_conn_event ev = { .type = type };

	return rig_step(r, &ev);
}

/* Advance the clock by dt, firing the timer whenever it falls due. */
static void
rig_advance(struct rig *r, uint64_t dt)
{
	uint64_t end = r->clk.now_us + dt;

	while (r->timer_armed && r->timer_at <= end) {
		r->clk.now_us = r->timer_at;
		r->timer_armed = false;
		r->nfired++;
		rig_ev(r, SC_EV_TIMER);
	}
	r->clk.now_us = end;
}

/* Feed hex bytes as they would arrive: decoded, or refused. */
static enum sc_conn_state
rig_rx_admit(struct rig *r, const char *hex, enum sc_admit admit)
{
	uint8_t buf[128];
	long n = hex_decode(hex, buf, sizeof(buf), NULL);
	struct scm_msg m;
	struct scm_fail f;
	struct sc_conn_event ev = { .admit = admit };

	CU_ASSERT_FATAL(n >= 0);
	if (scm_decode(buf, (size_t)n, &m, &f) == CODEC_OK) {
		ev.type = SC_EV_RX;
		ev.msg = &m;
	} else {
		ev.type = SC_EV_RX_BAD;
		ev.fail = &f;
	}
	return rig_step(r, &ev);
}

static enum sc_conn_state
rig_rx(struct rig *r, const char *hex)
{
	return rig_rx_admit(r, hex, SC_ADMIT_NEW);
}

static bool
sent_is(const struct rig *r, const char *hex)
{
	uint8_t want[128];
	long n = hex_decode(hex, want, sizeof(want), NULL);

	return r->out.send && n >= 0 && ut_bytes_equal(r->sent, r->sent_len,
	    want, (size_t)n, __FILE__, __LINE__);
}

/* Nothing happened at all. */
static bool
no_action(const struct rig *r)
{
	const struct sc_conn_out *o = &r->out;

	return !o->send && !o->open_ws && !o->close_ws && !o->deliver &&
	    !o->up && !o->down && !o->new_vmac && !o->replace_old &&
	    !o->failed && o->timer == SC_TIMER_KEEP;
}

/* Initiator through to CONNECTED with the E4/E5 exchange. */
static void
initiator_connected(struct rig *r)
{
	rig_init(r, SC_CONN_INITIATOR);
	rig_ev(r, SC_EV_OPEN);
	rig_ev(r, SC_EV_WS_OPEN);
	CU_ASSERT_EQUAL_FATAL(rig_rx(r, e5_hex), SC_CONN_CONNECTED);
}

/* Acceptor through to CONNECTED with the E4/E5 exchange. */
static void
acceptor_connected(struct rig *r)
{
	rig_init(r, SC_CONN_ACCEPTOR);
	rig_ev(r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL_FATAL(rig_rx(r, e4_hex), SC_CONN_CONNECTED);
}

/* ---- initiating peer ---- */

static void
test_init_connect(void)
{
	struct rig r;
	uint64_t t0;

	rig_init(&r, SC_CONN_INITIATOR);
	t0 = clk_now_us();
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_OPEN), SC_CONN_AWAIT_WS);
	CU_ASSERT_TRUE(r.out.open_ws);
	CU_ASSERT_TRUE(r.timer_armed && r.timer_at == t0 + CW);
	rig_advance(&r, CLK_SEC(1));
	/* WebSocket up: the Connect-Request is exactly digest E4. */
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_OPEN), SC_CONN_AWAIT_ACCEPT);
	CU_ASSERT_TRUE(sent_is(&r, e4_hex));
	CU_ASSERT_TRUE(r.timer_armed && r.timer_at == t0 + CLK_SEC(1) + CW);
	rig_advance(&r, CLK_SEC(2));
	/* E5 from the hub: connected, peer remembered, heartbeat armed. */
	CU_ASSERT_EQUAL(rig_rx(&r, e5_hex), SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(r.out.up);
	CU_ASSERT_FALSE(r.out.send);
	CU_ASSERT_TRUE(r.c.have_peer);
	CU_ASSERT_EQUAL(r.c.peer.max_bvlc, 65535);
	CU_ASSERT_EQUAL(r.c.peer.max_npdu, 61327);
	CU_ASSERT_EQUAL(r.c.peer.vmac[0], 0x92);
	CU_ASSERT_EQUAL(r.c.peer.uuid[15], 0x5e);
	CU_ASSERT_TRUE(r.timer_armed &&
	    r.timer_at == t0 + CLK_SEC(3) + HB);
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(r.c.state), "connected");
}

static void
test_init_await_ws_timeout_and_close(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_INITIATOR);
	rig_ev(&r, SC_EV_OPEN);
	rig_advance(&r, CW - 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_AWAIT_WS);
	rig_advance(&r, 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.error_code, SC_ERR_TIMEOUT);
	CU_ASSERT_FALSE(r.timer_armed);
	/* WebSocket failure while opening. */
	rig_ev(&r, SC_EV_OPEN);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_CLOSED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.failed);
	CU_ASSERT_FALSE(r.out.close_ws);
	CU_ASSERT_FALSE(r.out.down);
	CU_ASSERT_FALSE(r.timer_armed);
	/* Local close while opening: not a failure. */
	rig_ev(&r, SC_EV_OPEN);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws);
	CU_ASSERT_FALSE(r.out.failed);
	/* Messages and WS_OPEN in IDLE do nothing. */
	CU_ASSERT_EQUAL(rig_rx(&r, "0A 00 00 09"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_OPEN), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_ACCEPTED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_TIMER), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
}

static void
test_init_await_accept_wrong_id_and_others(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_INITIATOR);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	/* Connect-Accept with another ID: discarded. */
	CU_ASSERT_EQUAL(rig_rx(&r, "07 00 00 02 92 7B F7 1A 96 A2 6F A4 59 EA"
	    " EE 8A 3C A4 89 4E DB 77 E1 60 35 5E FF FF EF 8F"),
	    SC_CONN_AWAIT_ACCEPT);
	CU_ASSERT_TRUE(no_action(&r));
	/* NAK for another ID: discarded. */
	CU_ASSERT_EQUAL(rig_rx(&r, "00 00 00 07 06 01 00 00 07 00 97"),
	    SC_CONN_AWAIT_ACCEPT);
	CU_ASSERT_TRUE(no_action(&r));
	/* Heartbeat-Request, NPDU, ACK-type result: discarded. */
	CU_ASSERT_EQUAL(rig_rx(&r, "0A 00 00 09"), SC_CONN_AWAIT_ACCEPT);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_EQUAL(rig_rx(&r, "01 00 00 0A 01 00 10 08"),
	    SC_CONN_AWAIT_ACCEPT);
	CU_ASSERT_TRUE(no_action(&r));
	/* Connect Wait expires. */
	rig_advance(&r, CW);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.error_code, SC_ERR_TIMEOUT);
}

static void
test_init_nak_duplicate_vmac(void)
{
	struct rig r;
	uint8_t nv[6] = { 0x32, 0x11, 0x22, 0x33, 0x44, 0x55 };

	rig_init(&r, SC_CONN_INITIATOR);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	/* digest E6 */
	CU_ASSERT_EQUAL(rig_rx(&r, "00 00 00 01 06 01 00 00 07 00 97"),
	    SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.new_vmac && r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.error_class, 7);
	CU_ASSERT_EQUAL(r.out.error_code, SCM_ERR_NODE_DUPLICATE_VMAC);
	CU_ASSERT_FALSE(r.out.down);
	CU_ASSERT_FALSE(r.timer_armed);
	/* The owner picks a new Random-48 VMAC and retries: new ID too. */
	sc_vmac_random48(nv, nv);
	sc_conn_set_vmac(&r.c, nv);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	CU_ASSERT_TRUE(sent_is(&r, "06 00 00 02 32 11 22 33 44 55 55 0E 84 00"
	    " E2 9B 41 D4 A7 16 44 66 55 44 00 00 06 40 05 D9"));
}

static void
test_init_nak_other(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_INITIATOR);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	/* NAK with a proprietary class/code: close at once (B4J). */
	CU_ASSERT_EQUAL(rig_rx(&r, "00 00 00 01 06 01 00 01 00 01 17"),
	    SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_FALSE(r.out.new_vmac);
	CU_ASSERT_EQUAL(r.out.error_class, 256);
	CU_ASSERT_EQUAL(r.out.error_code, 279);
}

static void
test_init_await_accept_disconnects(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_INITIATOR);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	CU_ASSERT_EQUAL(rig_rx(&r, "08 00 00 33"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.close_status, SC_WS_CLOSE_NORMAL);
	CU_ASSERT_FALSE(r.out.send);
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	CU_ASSERT_EQUAL(rig_rx(&r, "09 00 00 34"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.close_status, SC_WS_CLOSE_PROTOCOL);
	/* The WebSocket fails while waiting. */
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_CLOSED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.failed);
	CU_ASSERT_FALSE(r.out.close_ws);
	/* Local close while waiting. */
	rig_ev(&r, SC_EV_OPEN);
	rig_ev(&r, SC_EV_WS_OPEN);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws);
	CU_ASSERT_FALSE(r.out.failed);
}

static void
test_init_heartbeat(void)
{
	struct rig r;
	uint64_t t;

	initiator_connected(&r);
	/* Traffic keeps the link alive: no heartbeat while it flows. */
	rig_advance(&r, HB - 1);
	CU_ASSERT_EQUAL(r.nfired, 0);
	CU_ASSERT_EQUAL(rig_rx(&r, "01 08 00 40 32 76 E4 B1 1D 02 01 00 10 08"),
	    SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(r.out.deliver);
	CU_ASSERT_EQUAL(r.timer_at, clk_now_us() + HB);
	rig_advance(&r, HB - 1);
	CU_ASSERT_EQUAL(r.nsent, 1);	/* only the Connect-Request */
	/* Silence for a whole period: Heartbeat-Request with a new ID. */
	rig_advance(&r, 1);
	CU_ASSERT_EQUAL(r.nfired, 1);
	CU_ASSERT_TRUE(sent_is(&r, "0A 00 00 02"));
	CU_ASSERT_TRUE(r.c.hb_outstanding);
	t = clk_now_us();
	CU_ASSERT_EQUAL(r.timer_at, t + HB);
	/* The ACK arrives: supervision restarts from it. */
	rig_advance(&r, CLK_SEC(1));
	CU_ASSERT_EQUAL(rig_rx(&r, "0B 00 00 02"), SC_CONN_CONNECTED);
	CU_ASSERT_FALSE(r.out.deliver);
	CU_ASSERT_FALSE(r.c.hb_outstanding);
	CU_ASSERT_EQUAL(r.timer_at, t + CLK_SEC(1) + HB);
	/* Without ACK supervision an unanswered heartbeat is repeated. */
	rig_advance(&r, HB);
	CU_ASSERT_TRUE(sent_is(&r, "0A 00 00 03"));
	rig_advance(&r, HB);
	CU_ASSERT_TRUE(sent_is(&r, "0A 00 00 04"));
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_CONNECTED);
}

static void
test_init_heartbeat_ack_required(void)
{
	struct rig r;

	initiator_connected(&r);
	r.cfg.hb_ack_required = true;
	rig_advance(&r, HB);
	CU_ASSERT_TRUE(sent_is(&r, "0A 00 00 02"));
	/* No answer for another period: local disconnect. */
	rig_advance(&r, HB);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_DISCONNECTING);
	CU_ASSERT_TRUE(sent_is(&r, "08 00 00 03"));
	CU_ASSERT_EQUAL(r.timer_at, clk_now_us() + DW);
	CU_ASSERT_FALSE(r.out.down);
	/* No Disconnect-ACK either: Disconnect Wait closes. */
	rig_advance(&r, DW);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	CU_ASSERT_FALSE(r.out.failed);
}

static void
test_connected_peer_requests(void)
{
	struct rig r;
	enum sc_conn_role role;

	for (role = SC_CONN_INITIATOR; role <= SC_CONN_ACCEPTOR; role++) {
		if (role == SC_CONN_INITIATOR)
			initiator_connected(&r);
		else
			acceptor_connected(&r);
		/* Heartbeat-Request: ACK with the same ID. */
		CU_ASSERT_EQUAL(rig_rx(&r, "0A 00 12 34"), SC_CONN_CONNECTED);
		CU_ASSERT_TRUE(sent_is(&r, "0B 00 12 34"));
		CU_ASSERT_FALSE(r.out.deliver);
		/* Result for a connection-level function stays here. */
		CU_ASSERT_EQUAL(rig_rx(&r, "00 00 00 05 0A 01 00 00 07 00 91"),
		    SC_CONN_CONNECTED);
		CU_ASSERT_FALSE(r.out.deliver);
		/* Connect messages once connected: ignored. */
		rig_rx(&r, e4_hex);
		CU_ASSERT_FALSE(r.out.send || r.out.deliver);
		/* Everything else goes up. */
		CU_ASSERT_EQUAL(rig_rx(&r, "00 08 00 06 32 76 E4 B1 1D 02 01 01"
		    " 00 00 07 00 91"), SC_CONN_CONNECTED);
		CU_ASSERT_TRUE(r.out.deliver);
		rig_rx(&r, "05 08 00 07 32 76 E4 B1 1D 02");
		CU_ASSERT_TRUE(r.out.deliver);
		/* Disconnect-Request: ACK with the same ID, close, down. */
		CU_ASSERT_EQUAL(rig_rx(&r, "08 00 43 21"), SC_CONN_IDLE);
		CU_ASSERT_TRUE(sent_is(&r, "09 00 43 21"));
		CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
		CU_ASSERT_EQUAL(r.out.close_status, SC_WS_CLOSE_NORMAL);
		CU_ASSERT_FALSE(r.timer_armed);
	}
}

static void
test_connected_unexpected_disconnect_ack_and_ws_closed(void)
{
	struct rig r;

	initiator_connected(&r);
	CU_ASSERT_EQUAL(rig_rx(&r, "09 00 00 77"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	CU_ASSERT_EQUAL(r.out.close_status, SC_WS_CLOSE_PROTOCOL);
	initiator_connected(&r);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_CLOSED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.down);
	CU_ASSERT_FALSE(r.out.close_ws || r.out.failed);
	CU_ASSERT_FALSE(r.timer_armed);
}

static void
test_connected_naks(void)
{
	struct rig r;

	initiator_connected(&r);
	/* A malformed unicast request from the hub: NAK to its source. */
	CU_ASSERT_EQUAL(rig_rx(&r, "02 08 00 50 32 76 E4 B1 1D 02 00"),
	    SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(sent_is(&r, "00 04 00 50 32 76 E4 B1 1D 02 02 01 00 00"
	    " 07 00 96"));
	CU_ASSERT_FALSE(r.out.deliver);
	/* Refused messages do not count as traffic. */
	CU_ASSERT_EQUAL(r.out.timer, SC_TIMER_KEEP);
	/* A broadcast or a response is never NAKed. */
	rig_rx(&r, "0D 0C 00 51 32 76 E4 B1 1D 02 FF FF FF FF FF FF");
	CU_ASSERT_TRUE(no_action(&r));
	rig_rx(&r, "0B 00 00 52 00");
	CU_ASSERT_TRUE(no_action(&r));
	/* Heartbeat-Request with a must-understand destination option. */
	rig_rx(&r, "0A 02 00 53 4C");
	CU_ASSERT_TRUE(sent_is(&r, "00 00 00 53 0A 01 4C 00 07 00 92"));
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_CONNECTED);
	/* Without Must Understand it is an ordinary heartbeat. */
	rig_rx(&r, "0A 02 00 54 0C");
	CU_ASSERT_TRUE(sent_is(&r, "0B 00 00 54"));
}

static void
test_local_disconnect(void)
{
	struct rig r;

	initiator_connected(&r);
	rig_advance(&r, CLK_SEC(7));
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_DISCONNECTING);
	CU_ASSERT_TRUE(sent_is(&r, "08 00 00 02"));
	CU_ASSERT_EQUAL(r.timer_at, clk_now_us() + DW);
	CU_ASSERT_FALSE(r.out.down || r.out.close_ws);
	/* A second close changes nothing. */
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_DISCONNECTING);
	CU_ASSERT_TRUE(no_action(&r));
	/* New requests are ignored; a late response still goes up. */
	rig_rx(&r, "01 08 00 60 32 76 E4 B1 1D 02 01 00 10 08");
	CU_ASSERT_TRUE(no_action(&r));
	rig_rx(&r, "0A 00 00 61");
	CU_ASSERT_TRUE(no_action(&r));
	rig_rx(&r, "03 08 00 62 32 76 E4 B1 1D 02 77 73 73");
	CU_ASSERT_TRUE(r.out.deliver);
	/* A Disconnect-ACK with another ID is not ours. */
	CU_ASSERT_EQUAL(rig_rx(&r, "09 00 00 03"), SC_CONN_DISCONNECTING);
	CU_ASSERT_TRUE(no_action(&r));
	/* Ours: close normally, down. */
	CU_ASSERT_EQUAL(rig_rx(&r, "09 00 00 02"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	CU_ASSERT_EQUAL(r.out.close_status, SC_WS_CLOSE_NORMAL);
	CU_ASSERT_FALSE(r.timer_armed);

	/* A NAK for the Disconnect-Request also ends it. */
	initiator_connected(&r);
	rig_ev(&r, SC_EV_CLOSE);
	CU_ASSERT_EQUAL(rig_rx(&r, "00 00 00 02 08 01 00 00 07 00 96"),
	    SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	/* So does a crossing Disconnect-Request, acknowledged. */
	initiator_connected(&r);
	rig_ev(&r, SC_EV_CLOSE);
	CU_ASSERT_EQUAL(rig_rx(&r, "08 00 00 99"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(sent_is(&r, "09 00 00 99"));
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	/* And Disconnect Wait, and the WebSocket going away. */
	initiator_connected(&r);
	rig_ev(&r, SC_EV_CLOSE);
	rig_advance(&r, DW - 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_DISCONNECTING);
	rig_advance(&r, 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	initiator_connected(&r);
	rig_ev(&r, SC_EV_CLOSE);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_CLOSED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.down);
	CU_ASSERT_FALSE(r.out.close_ws);
}

static void
test_stale_timer_ignored(void)
{
	struct rig r;

	initiator_connected(&r);
	/* The glue's timer fires early (or after a re-arm): ignored. */
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_TIMER), SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(no_action(&r));
	CU_ASSERT_TRUE(r.c.timer_armed);
}

/* ---- accepting peer ---- */

static void
test_acc_accept(void)
{
	struct rig r;
	struct sc_conn_event ev = { .type = SC_EV_OPEN };
	uint64_t t0;

	rig_init(&r, SC_CONN_ACCEPTOR);
	/* An acceptor never opens. */
	CU_ASSERT_EQUAL(rig_step(&r, &ev), SC_CONN_IDLE);
	CU_ASSERT_TRUE(no_action(&r));
	t0 = clk_now_us();
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_ACCEPTED), SC_CONN_AWAIT_REQUEST);
	CU_ASSERT_TRUE(r.timer_armed && r.timer_at == t0 + CW);
	CU_ASSERT_FALSE(r.out.open_ws);
	/* Other messages first: discarded. */
	rig_rx(&r, "0A 00 00 05");
	CU_ASSERT_TRUE(no_action(&r));
	rig_rx(&r, e5_hex);
	CU_ASSERT_TRUE(no_action(&r));
	/* E4 in: E5 out (echoed ID, our identity and limits). */
	rig_advance(&r, CLK_SEC(2));
	CU_ASSERT_EQUAL(rig_rx(&r, e4_hex), SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(sent_is(&r, e5_hex));
	CU_ASSERT_TRUE(r.out.up);
	CU_ASSERT_FALSE(r.out.replace_old);
	CU_ASSERT_EQUAL(r.c.peer.max_bvlc, 1600);
	CU_ASSERT_EQUAL(r.c.peer.max_npdu, 1497);
	CU_ASSERT_EQUAL(r.c.peer.vmac[5], 0xe5);
	CU_ASSERT_EQUAL(r.timer_at, t0 + CLK_SEC(2) + SIL);
}

static void
test_acc_replace_and_duplicate(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_ACCEPTOR);
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL(rig_rx_admit(&r, e4_hex, SC_ADMIT_REPLACE),
	    SC_CONN_CONNECTED);
	CU_ASSERT_TRUE(r.out.replace_old && r.out.up);
	CU_ASSERT_TRUE(sent_is(&r, e5_hex));
	/* Duplicate VMAC: exactly digest E6, then close. */
	rig_init(&r, SC_CONN_ACCEPTOR);
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL(rig_rx_admit(&r, e4_hex, SC_ADMIT_DUP_VMAC),
	    SC_CONN_IDLE);
	CU_ASSERT_TRUE(sent_is(&r, "00 00 00 01 06 01 00 00 07 00 97"));
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_FALSE(r.out.up || r.out.down);
	CU_ASSERT_EQUAL(r.out.error_code, SCM_ERR_NODE_DUPLICATE_VMAC);
	CU_ASSERT_FALSE(r.timer_armed);
}

static void
test_acc_await_request_failures(void)
{
	struct rig r;

	rig_init(&r, SC_CONN_ACCEPTOR);
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	/* A truncated Connect-Request is NAKed (sc.vec sc-bad-connect-short). */
	CU_ASSERT_EQUAL(rig_rx(&r, "06 00 01 6A 02 A1 B2 C3 D4 E5 55 0E 84 00"
	    " E2 9B 41 D4 A7 16 44 66 55 44 00 00 06 40 05"),
	    SC_CONN_AWAIT_REQUEST);
	CU_ASSERT_TRUE(sent_is(&r, "00 00 01 6A 06 01 00 00 07 00 93"));
	/* Connect Wait expires. */
	rig_advance(&r, CW);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.failed);
	CU_ASSERT_EQUAL(r.out.error_code, SC_ERR_TIMEOUT);
	/* The WebSocket goes away while waiting. */
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_CLOSED), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.failed);
	/* Local close while waiting. */
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws);
	CU_ASSERT_FALSE(r.out.failed);
	/* WS_OPEN is the initiator's event. */
	rig_ev(&r, SC_EV_WS_ACCEPTED);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_WS_OPEN), SC_CONN_AWAIT_REQUEST);
	CU_ASSERT_TRUE(no_action(&r));
}

static void
test_acc_silence(void)
{
	struct rig r;

	acceptor_connected(&r);
	/* The acceptor never sends heartbeats... */
	rig_advance(&r, SIL - 1);
	CU_ASSERT_EQUAL(r.nsent, 1);	/* only the Connect-Accept */
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_CONNECTED);
	/* ... traffic restarts the silence timer ... */
	rig_rx(&r, "0A 00 00 09");
	CU_ASSERT_EQUAL(r.timer_at, clk_now_us() + SIL);
	rig_advance(&r, SIL - 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_CONNECTED);
	/* ... and a silent peer is dropped. */
	rig_advance(&r, 1);
	CU_ASSERT_EQUAL(r.c.state, SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.close_ws && r.out.down);
	CU_ASSERT_FALSE(r.out.send);
	/* An acceptor disconnects like an initiator. */
	acceptor_connected(&r);
	CU_ASSERT_EQUAL(rig_ev(&r, SC_EV_CLOSE), SC_CONN_DISCONNECTING);
	CU_ASSERT_TRUE(sent_is(&r, "08 00 00 01"));
	CU_ASSERT_EQUAL(rig_rx(&r, "09 00 00 01"), SC_CONN_IDLE);
	CU_ASSERT_TRUE(r.out.down);
}

/* ---- random walk: invariants over many event sequences ---- */

static const char *const walk_msgs[] = {
	"07 00 00 01 92 7B F7 1A 96 A2 6F A4 59 EA EE 8A 3C A4 89 4E DB 77 E1"
	" 60 35 5E FF FF EF 8F",
	"06 00 00 01 02 A1 B2 C3 D4 E5 55 0E 84 00 E2 9B 41 D4 A7 16 44 66 55"
	" 44 00 00 06 40 05 D9",
	"00 00 00 01 06 01 00 00 07 00 97", "00 00 00 02 08 01 00 00 07 00 96",
	"0A 00 00 05", "0B 00 00 02", "08 00 00 07", "09 00 00 02",
	"09 00 00 03", "01 08 00 40 32 76 E4 B1 1D 02 01 00 10 08",
	"02 08 00 50 32 76 E4 B1 1D 02 00", "0A 02 00 53 4C", "0D 00 00 01",
	"0B 00 00 52 00",
};

static void
test_random_walk(void)
{
	uint32_t seed = 12345;
	unsigned run, i;

	for (run = 0; run < 200; run++) {
		struct rig r;

		rig_init(&r, run % 2 ? SC_CONN_ACCEPTOR : SC_CONN_INITIATOR);
		r.cfg.hb_ack_required = run % 4 >= 2;
		for (i = 0; i < 60; i++) {
			enum sc_conn_state before = r.c.state, after;
			struct scm_msg m;
			unsigned pick;

			seed = seed * 1103515245u + 12345u;
			pick = (seed >> 16) % 24;
			if (pick < 8) {
				after = rig_ev(&r, (enum sc_conn_ev_type)pick);
			} else if (pick < 10) {
				rig_advance(&r, (seed >> 8) % 2 ? HB : CLK_SEC(3));
				continue;
			} else {
				after = rig_rx_admit(&r, walk_msgs[pick % (sizeof(
				    walk_msgs) / sizeof(walk_msgs[0]))],
				    (enum sc_admit)((seed >> 4) % 3));
			}
			CU_ASSERT_EQUAL(after != SC_CONN_IDLE, r.c.timer_armed);
			CU_ASSERT_EQUAL(r.c.timer_armed, r.timer_armed);
			if (r.out.up)
				CU_ASSERT_EQUAL(after, SC_CONN_CONNECTED);
			if (r.out.close_ws || r.out.down || r.out.failed)
				CU_ASSERT_EQUAL(after, SC_CONN_IDLE);
			if (r.out.down)
				CU_ASSERT_TRUE(before == SC_CONN_CONNECTED ||
				    before == SC_CONN_DISCONNECTING);
			if (r.out.failed)
				CU_ASSERT_TRUE(before != SC_CONN_CONNECTED &&
				    before != SC_CONN_DISCONNECTING);
			if (r.out.send)
				CU_ASSERT_EQUAL(scm_decode(r.sent, r.sent_len,
				    &m, NULL), CODEC_OK);
		}
	}
}

static void
test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(SC_CONN_IDLE), "idle");
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(SC_CONN_AWAIT_WS),
	    "awaiting-websocket");
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(SC_CONN_AWAIT_ACCEPT),
	    "awaiting-accept");
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(SC_CONN_AWAIT_REQUEST),
	    "awaiting-request");
	CU_ASSERT_STRING_EQUAL(sc_conn_state_name(SC_CONN_DISCONNECTING),
	    "disconnecting");
}

static int
fsm_fini(void)
{
	clk_set_source(NULL, NULL);
	return 0;
}

static const struct ut_case cases[] = {
	UT_CASE(test_init_connect),
	UT_CASE(test_init_await_ws_timeout_and_close),
	UT_CASE(test_init_await_accept_wrong_id_and_others),
	UT_CASE(test_init_nak_duplicate_vmac),
	UT_CASE(test_init_nak_other),
	UT_CASE(test_init_await_accept_disconnects),
	UT_CASE(test_init_heartbeat),
	UT_CASE(test_init_heartbeat_ack_required),
	UT_CASE(test_connected_peer_requests),
	UT_CASE(test_connected_unexpected_disconnect_ack_and_ws_closed),
	UT_CASE(test_connected_naks),
	UT_CASE(test_local_disconnect),
	UT_CASE(test_stale_timer_ignored),
	UT_CASE(test_acc_accept),
	UT_CASE(test_acc_replace_and_duplicate),
	UT_CASE(test_acc_await_request_failures),
	UT_CASE(test_acc_silence),
	UT_CASE(test_random_walk),
	UT_CASE(test_state_names),
	UT_END
};
UT_SUITE_FIXTURE(sc_conn_fsm, cases, NULL, fsm_fini);
