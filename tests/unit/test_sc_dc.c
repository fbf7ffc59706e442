/*
 * Node switch decisions (sc/sc_dc_fsm.h): resolution cache and freshness,
 * send-path choice, on-demand policy, cap, idle disconnect; fake time.
 */
#include "config.h"

#include <string.h>

#include "lib/clock.h"
#include "sc/sc_dc_fsm.h"
#include "tests/unit/harness.h"

static const uint8_t vA[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t vB[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t vC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c };

#define T0	CLK_SEC(1000)

static void
cfg_demand(struct sc_dc *t, unsigned n, unsigned max)
{
	struct sc_dc_cfg c;

	memset(&c, 0, sizeof(c));
	c.policy = SC_DC_POLICY_ON_DEMAND;
	c.max_conns = max;
	c.idle_us = CLK_SEC(60);
	c.resolve_timeout_us = CLK_SEC(5);
	c.cache_us = CLK_SEC(600);
	c.retry_us = CLK_SEC(30);
	c.demand_n = n;
	c.demand_window_us = CLK_SEC(1);
	sc_dc_init(t, &c);
}

static const uint8_t uris2[] = "wss://127.0.0.1:1 wss://[::1]:2";

/* Drive vmac to a resolved, up, initiated connection. */
static void
bring_up(struct sc_dc *t, const uint8_t *v, uint64_t now)
{
	struct sc_dc_acts a = { 0 };

	CU_ASSERT_EQUAL(sc_dc_unicast(t, v, now, 7, &a), SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
	a.n = 0;
	CU_ASSERT_EQUAL(sc_dc_on_ack(t, v, 7, uris2, sizeof(uris2) - 1, now,
	    &a), 0);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	sc_dc_init_up(t, v, now);
}

static void
test_dc_demand_threshold(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 3, 4);
	/* Two unicasts: below N, nothing asked. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0, 1, &a), SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + 10, 2, &a), SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);
	/* Window expires: count restarts. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(2), 3, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(2) + 1, 4, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);
	/* Third inside the window: Address-Resolution with that id. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(2) + 2, 5, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
	CU_ASSERT_EQUAL(a.a[0].msgid, 5);
	CU_ASSERT_EQUAL(memcmp(a.a[0].vmac, vA, 6), 0);
	/* While pending, no second request. */
	a.n = 0;
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(2) + 3, 6, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);
}

static void
test_dc_ack_connect_and_route(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };
	const struct sc_dc_peer *p;

	cfg_demand(&t, 1, 4);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0, 9, &a), SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	a.n = 0;
	/* Wrong message id or sender: ignored. */
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vA, 8, uris2, sizeof(uris2) - 1, T0,
	    &a), -1);
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vB, 9, uris2, sizeof(uris2) - 1, T0,
	    &a), -1);
	CU_ASSERT_EQUAL(a.n, 0);
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vA, 9, uris2, sizeof(uris2) - 1, T0,
	    &a), 0);
	p = sc_dc_find(&t, vA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->n_uris, 2);
	CU_ASSERT_STRING_EQUAL(p->uris[0], "wss://127.0.0.1:1");
	CU_ASSERT_STRING_EQUAL(p->uris[1], "wss://[::1]:2");
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	CU_ASSERT_STRING_EQUAL(a.a[0].uri, "wss://127.0.0.1:1");
	/* Connecting: still through the hub. */
	a.n = 0;
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + 1, 10, &a), SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);
	/* First URI fails: the second is tried. */
	sc_dc_init_down(&t, vA, T0 + 2, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_STRING_EQUAL(a.a[0].uri, "wss://[::1]:2");
	sc_dc_init_up(&t, vA, T0 + 3);
	CU_ASSERT_TRUE(sc_dc_is_direct(&t, vA));
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + 4, 11, &a), SC_DC_VIA_DIRECT);
	/* The connection dies: back to the hub at once. */
	a.n = 0;
	sc_dc_init_down(&t, vA, T0 + 5, &a);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + 6, 12, &a), SC_DC_VIA_HUB);
	CU_ASSERT_FALSE(sc_dc_is_direct(&t, vA));
}

static void
test_dc_cache_freshness(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 1, 4);
	bring_up(&t, vA, T0);
	a.n = 0;
	sc_dc_init_down(&t, vA, T0 + CLK_SEC(1), &a);
	CU_ASSERT_EQUAL(a.n, 0);	/* was up: no retry of another URI */
	/* Within freshness: connect straight from the cache. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(100), 20, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	/* Fail that attempt on both URIs: back-off, no action. */
	a.n = 0;
	sc_dc_init_down(&t, vA, T0 + CLK_SEC(101), &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);	/* second URI */
	a.n = 0;
	sc_dc_init_down(&t, vA, T0 + CLK_SEC(102), &a);
	CU_ASSERT_EQUAL(a.n, 0);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(110), 21, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);	/* retry delay 30 s not over */
	/* After the freshness limit (600 s) and the retry delay: resolve. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(601), 22, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
	CU_ASSERT_EQUAL(a.a[0].msgid, 22);
}

static void
test_dc_nak_and_empty(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 1, 4);
	(void)sc_dc_unicast(&t, vA, T0, 1, &a);
	(void)sc_dc_unicast(&t, vB, T0, 2, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 2);
	a.n = 0;
	CU_ASSERT_EQUAL(sc_dc_on_nak(&t, vA, 1, T0 + 1), 0);
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vB, 2, NULL, 0, T0 + 1, &a), 0);
	CU_ASSERT_EQUAL(a.n, 0);	/* empty list: no direct path */
	/* Cached "no path": neither resolved nor connected again. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(300), 3, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vB, T0 + CLK_SEC(300), 4, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL(a.n, 0);
	/* Stale: asked again. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0 + CLK_SEC(700), 5, &a),
	    SC_DC_VIA_HUB);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
	/* A late NAK for an old id is ignored. */
	CU_ASSERT_EQUAL(sc_dc_on_nak(&t, vA, 1, T0 + CLK_SEC(701)), -1);
}

static void
test_dc_resolve_timeout(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 1, 4);
	(void)sc_dc_unicast(&t, vA, T0, 1, &a);
	CU_ASSERT_EQUAL(sc_dc_next_deadline(&t), T0 + CLK_SEC(5));
	a.n = 0;
	sc_dc_tick(&t, T0 + CLK_SEC(5), 50, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	/* The late answer is ignored; retry only after retry_us. */
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vA, 1, uris2, sizeof(uris2) - 1,
	    T0 + CLK_SEC(6), &a), -1);
	(void)sc_dc_unicast(&t, vA, T0 + CLK_SEC(10), 2, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	(void)sc_dc_unicast(&t, vA, T0 + CLK_SEC(36), 3, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
}

static void
test_dc_cap_and_accept(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 1, 2);
	bring_up(&t, vA, T0);
	CU_ASSERT_TRUE(sc_dc_may_accept(&t));
	CU_ASSERT_EQUAL(sc_dc_acc_up(&t, vC, T0), 0);
	CU_ASSERT_EQUAL(sc_dc_nconns(&t), 2);
	CU_ASSERT_FALSE(sc_dc_may_accept(&t));
	/* At the cap: nothing is started for B. */
	a.n = 0;
	(void)sc_dc_unicast(&t, vB, T0 + 1, 30, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	/* An accepted connection carries unicasts too. */
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vC, T0 + 2, 31, &a),
	    SC_DC_VIA_DIRECT);
	sc_dc_acc_down(&t, vC, T0 + 3);
	CU_ASSERT_EQUAL(sc_dc_nconns(&t), 1);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vC, T0 + 4, 32, &a), SC_DC_VIA_HUB);
	/* Below the cap again: B goes ahead. */
	a.n = 0;
	(void)sc_dc_unicast(&t, vB, T0 + 5, 33, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_RESOLVE);
}

static void
test_dc_idle(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };

	cfg_demand(&t, 1, 4);
	bring_up(&t, vA, T0);
	CU_ASSERT_EQUAL(sc_dc_next_deadline(&t), T0 + CLK_SEC(60));
	(void)sc_dc_unicast(&t, vA, T0 + CLK_SEC(30), 1, &a);
	sc_dc_note_rx(&t, vA, T0 + CLK_SEC(50));
	a.n = 0;
	sc_dc_tick(&t, T0 + CLK_SEC(100), 2, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	sc_dc_tick(&t, T0 + CLK_SEC(110), 2, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_DISCONNECT);
	CU_ASSERT_EQUAL(memcmp(a.a[0].vmac, vA, 6), 0);
}

static void
test_dc_never_and_configured(void)
{
	struct sc_dc t;
	struct sc_dc_cfg c;
	struct sc_dc_acts a = { 0 };
	size_t i;

	memset(&c, 0, sizeof(c));
	c.policy = SC_DC_POLICY_NEVER;
	c.max_conns = 4;
	c.cache_us = CLK_SEC(600);
	c.resolve_timeout_us = CLK_SEC(5);
	c.retry_us = CLK_SEC(30);
	sc_dc_init(&t, &c);
	CU_ASSERT_EQUAL(sc_dc_unicast(&t, vA, T0, 1, &a), SC_DC_VIA_HUB);
	sc_dc_tick(&t, T0, 1, &a);
	CU_ASSERT_EQUAL(a.n, 0);

	c.policy = SC_DC_POLICY_CONFIGURED;
	sc_dc_init(&t, &c);
	CU_ASSERT_EQUAL(sc_dc_add_configured(&t, vA, "wss://127.0.0.1:9"), 0);
	CU_ASSERT_EQUAL(sc_dc_add_configured(&t, vB, NULL), 0);
	sc_dc_tick(&t, T0, 40, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 2);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	CU_ASSERT_STRING_EQUAL(a.a[0].uri, "wss://127.0.0.1:9");
	CU_ASSERT_EQUAL(a.a[1].kind, SC_DC_ACT_RESOLVE);
	/* Unconfigured C never triggers anything. */
	a.n = 0;
	(void)sc_dc_unicast(&t, vC, T0, 1, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	/* A's attempt fails: retried after retry_us by the tick. */
	sc_dc_init_down(&t, vA, T0 + 1, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	sc_dc_tick(&t, T0 + CLK_SEC(10), 41, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	sc_dc_tick(&t, T0 + CLK_SEC(31), 42, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	/* Configured peers are not idled out. */
	sc_dc_init_up(&t, vA, T0 + CLK_SEC(32));
	a.n = 0;
	sc_dc_tick(&t, T0 + CLK_SEC(10000), 43, &a);
	for (i = 0; i < a.n; i++)
		CU_ASSERT_NOT_EQUAL(a.a[i].kind, SC_DC_ACT_DISCONNECT);
}

/* A reload's new policy, cap and peers (sc_dc_reconfigure). */
static void
test_dc_reconfigure(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };
	struct sc_dc_peer_cfg pc[2];
	const struct sc_dc_peer *p;
	char longuri[SC_DC_URI_MAX + 8];

	cfg_demand(&t, 3, 4);	/* idle 60 s, retry 30 s */
	t.cfg.policy = SC_DC_POLICY_CONFIGURED;
	CU_ASSERT_EQUAL(sc_dc_add_configured(&t, vA, "wss://127.0.0.1:9"), 0);
	sc_dc_tick(&t, T0, 1, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	sc_dc_init_up(&t, vA, T0);
	CU_ASSERT_EQUAL(sc_dc_acc_up(&t, vC, T0), 0);	/* C dialled us */
	CU_ASSERT_TRUE(sc_dc_is_initiated(&t, vA));

	/* Add B (a URI), keep A: A stays up, B is tried at the next tick. */
	memset(pc, 0, sizeof(pc));
	memcpy(pc[0].vmac, vA, 6);
	pc[0].uri = "wss://127.0.0.1:9";
	memcpy(pc[1].vmac, vB, 6);
	pc[1].uri = "wss://127.0.0.1:10";
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_CONFIGURED, 4, pc,
	    2), 0);
	CU_ASSERT_TRUE(sc_dc_is_initiated(&t, vA));
	CU_ASSERT_TRUE(sc_dc_is_direct(&t, vA));
	a.n = 0;
	sc_dc_tick(&t, T0 + 1, 2, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_CONNECT);
	CU_ASSERT_EQUAL(memcmp(a.a[0].vmac, vB, 6), 0);
	CU_ASSERT_STRING_EQUAL(a.a[0].uri, "wss://127.0.0.1:10");
	sc_dc_init_up(&t, vB, T0 + 1);
	CU_ASSERT_EQUAL(sc_dc_nconns(&t), 3);

	/* A's URI changes: its connection goes, the new URI is tried at
	   once; B is removed: its connection goes; C (accepted) stays,
	   also above the lowered cap. */
	pc[0].uri = "wss://127.0.0.1:19";
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_CONFIGURED, 1, pc,
	    1), 0);
	CU_ASSERT_FALSE(sc_dc_is_initiated(&t, vA));
	CU_ASSERT_FALSE(sc_dc_is_initiated(&t, vB));
	CU_ASSERT_TRUE(sc_dc_is_direct(&t, vC));
	p = sc_dc_find(&t, vB);
	CU_ASSERT_TRUE(p == NULL || !p->configured);
	CU_ASSERT_EQUAL(sc_dc_nconns(&t), 1);
	CU_ASSERT_FALSE(sc_dc_may_accept(&t));
	a.n = 0;
	sc_dc_tick(&t, T0 + 2, 3, &a);
	CU_ASSERT_EQUAL(a.n, 0);	/* the cap (1) is taken by C */
	sc_dc_acc_down(&t, vC, T0 + 3);
	sc_dc_tick(&t, T0 + 3, 4, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_STRING_EQUAL(a.a[0].uri, "wss://127.0.0.1:19");
	sc_dc_init_up(&t, vA, T0 + 3);

	/* Policy never: every initiated connection goes, none is made. */
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_NEVER, 4, pc, 1),
	    0);
	CU_ASSERT_FALSE(sc_dc_is_initiated(&t, vA));
	a.n = 0;
	sc_dc_tick(&t, T0 + CLK_SEC(100), 5, &a);
	CU_ASSERT_EQUAL(a.n, 0);

	/* On demand: a peer no longer configured keeps its connection and
	   falls under the idle timeout. */
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_CONFIGURED, 4, pc,
	    1), 0);
	sc_dc_tick(&t, T0 + CLK_SEC(101), 6, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	sc_dc_init_up(&t, vA, T0 + CLK_SEC(101));
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_ON_DEMAND, 4, NULL,
	    0), 0);
	CU_ASSERT_TRUE(sc_dc_is_initiated(&t, vA));
	a.n = 0;
	sc_dc_tick(&t, T0 + CLK_SEC(200), 7, &a);
	CU_ASSERT_EQUAL_FATAL(a.n, 1);
	CU_ASSERT_EQUAL(a.a[0].kind, SC_DC_ACT_DISCONNECT);

	/* A URI too long: refused, nothing changed. */
	memset(longuri, 'x', sizeof(longuri) - 1);
	longuri[sizeof(longuri) - 1] = '\0';
	pc[1].uri = longuri;
	CU_ASSERT_FALSE(sc_dc_reconfigure_fits(&t, pc, 2));
	CU_ASSERT_EQUAL(sc_dc_reconfigure(&t, SC_DC_POLICY_NEVER, 4, pc, 2),
	    -1);
	CU_ASSERT_EQUAL(t.cfg.policy, SC_DC_POLICY_ON_DEMAND);
	CU_ASSERT_TRUE(sc_dc_is_initiated(&t, vA));
}

static void
test_dc_uri_parse(void)
{
	struct sc_dc t;
	struct sc_dc_acts a = { 0 };
	static const uint8_t odd[] = "  wss://a:1  wss://b\x01:2 wss://c:3 "
	    "wss://d:4 wss://e:5 wss://f:6";
	const struct sc_dc_peer *p;

	cfg_demand(&t, 1, 4);
	(void)sc_dc_unicast(&t, vA, T0, 1, &a);
	a.n = 0;
	CU_ASSERT_EQUAL(sc_dc_on_ack(&t, vA, 1, odd, sizeof(odd) - 1, T0, &a),
	    0);
	p = sc_dc_find(&t, vA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(p->n_uris, SC_DC_MAX_URIS);
	CU_ASSERT_STRING_EQUAL(p->uris[0], "wss://a:1");
	CU_ASSERT_STRING_EQUAL(p->uris[1], "wss://c:3");
	CU_ASSERT_STRING_EQUAL(p->uris[3], "wss://e:5");
}

static const struct ut_case cases[] = {
	UT_CASE(test_dc_demand_threshold),
	UT_CASE(test_dc_ack_connect_and_route),
	UT_CASE(test_dc_cache_freshness),
	UT_CASE(test_dc_nak_and_empty),
	UT_CASE(test_dc_resolve_timeout),
	UT_CASE(test_dc_cap_and_accept),
	UT_CASE(test_dc_idle),
	UT_CASE(test_dc_never_and_configured),
	UT_CASE(test_dc_reconfigure),
	UT_CASE(test_dc_uri_parse),
	UT_END
};
UT_SUITE(sc_dc, cases);
