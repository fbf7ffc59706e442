/*
 * SC node glue without a network: the Advertisement it answers a
 * solicitation with (through the hub or on a direct connection), run-time
 * reconfiguration of the hub URIs, and the stopped-and-idle signal the
 * daemon waits for.  A real node on a real event_base; nothing connects
 * (no TLS context: every connection attempt fails at once).
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include <event2/event.h>

#include "lib/bytes.h"
#include "sc/sc_node.h"
#include "sc/scm_codec.h"
#include "tests/unit/harness.h"

static const uint8_t own[SC_VMAC_LEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t peer[SC_VMAC_LEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static struct sc_node *
mk_node(struct event_base *base)
{
	struct sc_node_cfg cfg;
	char err[160];
	struct sc_node *n;

	sc_node_cfg_default(&cfg);
	cfg.name = "t";
	cfg.has_vmac = true;
	memcpy(cfg.vmac, own, SC_VMAC_LEN);
	cfg.primary_uri = "wss://127.0.0.1:9/";
	cfg.max_bvlc = 1400;
	cfg.max_npdu = 1300;
	n = sc_node_new(base, NULL, &cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	return n;
}

static void
test_advert(void)
{
	struct event_base *base = event_base_new();
	struct sc_node *n;
	uint8_t buf[64];
	struct wr w;
	struct scm_msg m;
	struct scm_fail f;
	uint16_t id1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	n = mk_node(base);
	/* On a direct connection: no VMACs at all (digest §1.6, §1.13). */
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(sc_node_advert(n, NULL, &w), 0);
	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, w.len, &m, &f), CODEC_OK);
	CU_ASSERT_EQUAL(m.hdr.function, SCM_FN_ADVERT);
	CU_ASSERT_FALSE(m.hdr.has_dest);
	CU_ASSERT_FALSE(m.hdr.has_orig);
	CU_ASSERT_EQUAL(scm_check_hop(&m.hdr, SCM_HOP_DIRECT, &f), 0);
	CU_ASSERT_EQUAL(m.u.advert.hub_status, 0);	/* not connected */
	CU_ASSERT_EQUAL(m.u.advert.accept_dc, 0);	/* no node switch */
	CU_ASSERT_EQUAL(m.u.advert.max_bvlc, 1400);
	CU_ASSERT_EQUAL(m.u.advert.max_npdu, 1300);
	CU_ASSERT_EQUAL(w.len, 10);
	id1 = m.hdr.msgid;
	/* Through the hub: addressed to the solicitor, a fresh id. */
	wr_init(&w, buf, sizeof(buf));
	CU_ASSERT_EQUAL(sc_node_advert(n, peer, &w), 0);
	CU_ASSERT_EQUAL_FATAL(scm_decode(buf, w.len, &m, &f), CODEC_OK);
	CU_ASSERT_TRUE(m.hdr.has_dest);
	CU_ASSERT_EQUAL(memcmp(m.hdr.dest, peer, SC_VMAC_LEN), 0);
	CU_ASSERT_NOT_EQUAL(m.hdr.msgid, id1);
	/* Too small a buffer. */
	wr_init(&w, buf, 8);
	CU_ASSERT_EQUAL(sc_node_advert(n, NULL, &w), -1);
	sc_node_free(n);
	event_base_free(base);
}

static void
test_reconfigure_and_idle(void)
{
	struct event_base *base = event_base_new();
	struct sc_node *n;
	struct sc_node_cfg cfg;
	struct sc_node_status st;
	char err[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	n = mk_node(base);
	CU_ASSERT_TRUE(sc_node_is_idle(n));	/* never started */
	sc_node_cfg_default(&cfg);
	cfg.primary_uri = "wss://127.0.0.1:10/";
	cfg.failover_uri = "wss://127.0.0.1:11/";
	cfg.heartbeat_ms = 5000;
	CU_ASSERT_EQUAL(sc_node_reconfigure(n, &cfg, err, sizeof(err)), 0);
	sc_node_get_status(n, &st);
	CU_ASSERT_STRING_EQUAL(st.uri[SC_HC_PRIMARY], "wss://127.0.0.1:10/");
	CU_ASSERT_STRING_EQUAL(st.uri[SC_HC_FAILOVER], "wss://127.0.0.1:11/");
	CU_ASSERT_EQUAL(st.hc_state, SC_HC_STOPPED);	/* not started by it */
	/* A bad URI changes nothing. */
	cfg.primary_uri = "";
	CU_ASSERT_EQUAL(sc_node_reconfigure(n, &cfg, err, sizeof(err)), -1);
	sc_node_get_status(n, &st);
	CU_ASSERT_STRING_EQUAL(st.uri[SC_HC_PRIMARY], "wss://127.0.0.1:10/");
	/* Started: not idle (every attempt fails at once without TLS, the
	   connector waits to retry); stopped: idle again. */
	sc_node_start(n);
	CU_ASSERT_FALSE(sc_node_is_idle(n));
	sc_node_get_status(n, &st);
	CU_ASSERT_TRUE(st.hub[SC_HC_PRIMARY].attempts >= 1);
	CU_ASSERT_TRUE(st.hub[SC_HC_FAILOVER].attempts >= 1);
	/* Removing the failover while running is taken. */
	cfg.primary_uri = "wss://127.0.0.1:10/";
	cfg.failover_uri = NULL;
	CU_ASSERT_EQUAL(sc_node_reconfigure(n, &cfg, err, sizeof(err)), 0);
	sc_node_get_status(n, &st);
	CU_ASSERT_STRING_EQUAL(st.uri[SC_HC_FAILOVER], "");
	sc_node_stop(n);
	CU_ASSERT_TRUE(sc_node_is_idle(n));
	sc_node_free(n);
	event_base_free(base);
}

static const struct ut_case cases[] = {
	UT_CASE(test_advert),
	UT_CASE(test_reconfigure_and_idle),
	UT_END
};
UT_SUITE(sc_node, cases);
