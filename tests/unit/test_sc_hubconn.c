/*
 * Hub connector state machine: every transition with a fake clock (the
 * time is a plain variable passed in) and chosen random values.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include "lib/clock.h"
#include "sc/sc_hubconn_fsm.h"
#include "tests/unit/harness.h"

#define MIN_US	CLK_SEC(2)
#define MAX_US	CLK_SEC(30)

static void
setup(struct sc_hubconn *hc, bool failover)
{
	struct sc_hc_cfg cfg = {
		.has_failover = failover,
		.min_reconnect_us = MIN_US,
		.max_reconnect_us = MAX_US,
		.dup_vmac_retries = 2,
	};

	sc_hc_init(hc, &cfg);
}

/* Connected to the primary at time t. */
static void
to_primary(struct sc_hubconn *hc, uint64_t t)
{
	struct sc_hc_actions a;

	sc_hc_start(hc, t, &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	sc_hc_up(hc, SC_HC_PRIMARY, t + 1000, 0, &a);
	CU_ASSERT_EQUAL(hc->state, SC_HC_ON_PRIMARY);
}

/* Primary refused, connected to the failover at time t. */
static void
to_failover(struct sc_hubconn *hc, uint64_t t, struct sc_hc_actions *a)
{
	sc_hc_start(hc, t, a);
	sc_hc_down(hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, t + 10, 0, a);
	CU_ASSERT_TRUE(a->connect[SC_HC_FAILOVER]);
	CU_ASSERT_EQUAL(hc->state, SC_HC_TRY_FAILOVER);
	sc_hc_up(hc, SC_HC_FAILOVER, t + 20, 0, a);
	CU_ASSERT_EQUAL(hc->state, SC_HC_ON_FAILOVER);
}

static void
test_start_connects_primary(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	CU_ASSERT_EQUAL(hc.state, SC_HC_STOPPED);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), -1);
	sc_hc_start(&hc, 100, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	CU_ASSERT_FALSE(a.arm);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].attempts, 1);
	/* A second start changes nothing. */
	sc_hc_start(&hc, 200, &a);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].attempts, 1);
}

static void
test_primary_up(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	sc_hc_start(&hc, 100, &a);
	sc_hc_up(&hc, SC_HC_PRIMARY, 500, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), SC_HC_PRIMARY);
	CU_ASSERT_EQUAL(sc_hc_hub_status(&hc), SC_HC_HUB_PRIMARY);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].status, SC_HC_ST_CONNECTED);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].connect_us, 500);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	/* A duplicate "up" is ignored. */
	sc_hc_up(&hc, SC_HC_PRIMARY, 600, 0, &a);
	CU_ASSERT_FALSE(a.active_changed);
}

static void
test_primary_fails_tries_failover(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	sc_hc_start(&hc, 100, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, 300, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_FAILOVER);
	CU_ASSERT_TRUE(a.connect[SC_HC_FAILOVER]);
	CU_ASSERT_FALSE(a.arm);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].status,
	    SC_HC_ST_FAILED_TO_CONNECT);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].error, 194);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].error_us, 300);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].failures, 1);
	sc_hc_up(&hc, SC_HC_FAILOVER, 400, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_FAILOVER);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(sc_hc_hub_status(&hc), SC_HC_HUB_FAILOVER);
	/* A primary probe is scheduled after the minimum (jitter 0). */
	CU_ASSERT_TRUE(a.arm);
	CU_ASSERT_EQUAL(a.deadline_us, 400 + MIN_US);
}

static void
test_both_fail_backoff_doubles(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	uint64_t t = 0, expect = MIN_US;
	int i;

	setup(&hc, true);
	sc_hc_start(&hc, t, &a);
	for (i = 0; i < 8; i++) {
		sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, t, 0,
		    &a);
		CU_ASSERT_TRUE(a.connect[SC_HC_FAILOVER]);
		sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_ERROR, 193, t, 0,
		    &a);
		CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
		CU_ASSERT_TRUE(a.arm);
		CU_ASSERT_EQUAL(a.deadline_us - t,
		    expect == MAX_US ? MAX_US - MAX_US / 4 : expect);
		CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
		t = a.deadline_us;
		sc_hc_timer(&hc, t, 0, &a);
		CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
		CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
		expect = expect * 2 > MAX_US ? MAX_US : expect * 2;
	}
	CU_ASSERT_EQUAL(hc.hub[SC_HC_FAILOVER].error, 193);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].failures, 8);
	/* Success resets the delay to the minimum. */
	sc_hc_up(&hc, SC_HC_PRIMARY, t, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 196, t + 1, 0, &a);
	/* Lived less than the minimum: waits rather than hammering. */
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	CU_ASSERT_EQUAL(a.deadline_us, t + 1 + MIN_US);
}

static void
test_no_failover_waits(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, false);
	sc_hc_start(&hc, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, 50, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.arm);
	CU_ASSERT_EQUAL(a.deadline_us, 50 + MIN_US);
}

static void
test_jitter_bounds(void)
{
	struct sc_hc_cfg cfg = { true, MIN_US, MAX_US, 0 };
	uint64_t d, v;
	uint32_t r;
	int i;

	/* rnd 0: the nominal delay; rnd max: up to a quarter more. */
	CU_ASSERT_EQUAL(sc_hc_jitter(&cfg, MIN_US, 0), MIN_US);
	v = sc_hc_jitter(&cfg, CLK_SEC(8), UINT32_MAX);
	CU_ASSERT_TRUE(v > CLK_SEC(8) && v <= CLK_SEC(10));
	/* At the maximum the window moves below it: still jittered. */
	v = sc_hc_jitter(&cfg, MAX_US, 0);
	CU_ASSERT_EQUAL(v, MAX_US - MAX_US / 4);
	v = sc_hc_jitter(&cfg, MAX_US, UINT32_MAX);
	CU_ASSERT_TRUE(v < MAX_US && v > MAX_US - MAX_US / 4);
	/* Out-of-range nominal values are clamped; all within [min, max]. */
	for (i = 0, r = 1; i < 2000; i++) {
		r = r * 1103515245u + 12345u;
		d = (uint64_t)r * 37;
		v = sc_hc_jitter(&cfg, d, r);
		CU_ASSERT_TRUE(v >= MIN_US && v <= MAX_US);
	}
	/* Different random values give different delays. */
	CU_ASSERT_NOT_EQUAL(sc_hc_jitter(&cfg, CLK_SEC(4), 0),
	    sc_hc_jitter(&cfg, CLK_SEC(4), 0x80000000u));
}

static void
test_wait_jitter_applied(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, false);
	sc_hc_start(&hc, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, 0,
	    0x80000000u, &a);
	CU_ASSERT_EQUAL(a.deadline_us, MIN_US + MIN_US / 8);
}

static void
test_primary_lost_retries_primary_first(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_primary(&hc, 0);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 196, CLK_SEC(60), 0,
	    &a);
	/* rnd 0: the jittered first retry is due at once. */
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.arm);
	CU_ASSERT_EQUAL(a.deadline_us, CLK_SEC(60));
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), -1);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].status,
	    SC_HC_ST_DISCONNECTED_WITH_ERRORS);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].disconnect_us, CLK_SEC(60));
	sc_hc_timer(&hc, CLK_SEC(60), 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	/* The retry fails: then the failover. */
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, CLK_SEC(61), 0,
	    &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_FAILOVER);
	CU_ASSERT_TRUE(a.connect[SC_HC_FAILOVER]);
}

static void
test_primary_closed_by_hub_not_error(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_primary(&hc, 0);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_CLOSED, 0, CLK_SEC(10), 0,
	    &a);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].status, SC_HC_ST_NOT_CONNECTED);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].error, 0);
	CU_ASSERT_TRUE(a.arm);
	sc_hc_timer(&hc, a.deadline_us, 0, &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
}

/*
 * Rule 4 without a thundering herd: the first retry after losing the
 * primary is drawn from the injected random value over [0, minimum
 * reconnect time], and the back-off after it still starts at the minimum.
 */
static void
test_primary_lost_first_retry_jittered(void)
{
	static const uint32_t rnds[] = { 0, 1, 0x40000000u, 0x80000000u,
	    0xC0000000u, UINT32_MAX };
	const uint64_t t = CLK_SEC(100);
	uint64_t prev = 0;
	size_t i;

	for (i = 0; i < sizeof(rnds) / sizeof(rnds[0]); i++) {
		struct sc_hubconn hc;
		struct sc_hc_actions a;
		uint64_t d;

		setup(&hc, true);
		to_primary(&hc, 0);
		sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 196, t,
		    rnds[i], &a);
		CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
		CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
		CU_ASSERT_TRUE(a.arm);
		d = a.deadline_us - t;
		CU_ASSERT_EQUAL(d, sc_hc_first_retry(&hc.cfg, rnds[i]));
		CU_ASSERT_TRUE(d <= MIN_US);
		CU_ASSERT_TRUE(d >= prev);	/* monotone in rnd */
		prev = d;
		/* At the deadline the retry starts. */
		sc_hc_timer(&hc, a.deadline_us, rnds[i], &a);
		CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
		CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
		/* Primary and failover refused: the wait starts at min. */
		sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194,
		    a.deadline_us + 10, 0, &a);
		CU_ASSERT_TRUE(a.connect[SC_HC_FAILOVER]);
		sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_ERROR, 194,
		    t + CLK_SEC(3), 0, &a);
		CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
		CU_ASSERT_EQUAL(a.deadline_us, t + CLK_SEC(3) + MIN_US);
	}
	CU_ASSERT_EQUAL(prev, MIN_US);
	{
		struct sc_hc_cfg cfg = { false, MIN_US, MAX_US, 0 };

		CU_ASSERT_EQUAL(sc_hc_first_retry(&cfg, 0), 0);
		CU_ASSERT_EQUAL(sc_hc_first_retry(&cfg, 0x80000000u),
		    (MIN_US + 1) / 2);
	}
}

static void
test_return_to_primary(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	uint64_t t;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	CU_ASSERT_TRUE(a.arm);
	t = a.deadline_us;
	CU_ASSERT_EQUAL(t, 20 + MIN_US);
	/* Probe 1: fails; probe 2 after twice the minimum. */
	sc_hc_timer(&hc, t, 0, &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_FAILOVER);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), SC_HC_FAILOVER);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, t + 5, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_FAILOVER);
	CU_ASSERT_FALSE(a.active_changed);
	CU_ASSERT_TRUE(a.arm);
	CU_ASSERT_EQUAL(a.deadline_us, t + 5 + 2 * MIN_US);
	t = a.deadline_us;
	/* Probe 2 succeeds: back to primary, failover closed. */
	sc_hc_timer(&hc, t, 0, &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	sc_hc_up(&hc, SC_HC_PRIMARY, t + 7, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), SC_HC_PRIMARY);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_FAILOVER].status, SC_HC_ST_NOT_CONNECTED);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_FAILOVER].disconnect_us, t + 7);
	CU_ASSERT_FALSE(hc.timer_armed);
	/* The failover's close, reported later, is ignored. */
	sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_CLOSED, 0, t + 9, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.active_changed);
}

static void
test_probe_backoff_capped(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	uint64_t t, d = MIN_US;
	int i;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	t = a.deadline_us;
	for (i = 0; i < 10; i++) {
		sc_hc_timer(&hc, t, 0, &a);
		CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
		sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, t, 0,
		    &a);
		d = d * 2 > MAX_US ? MAX_US : d * 2;
		CU_ASSERT_EQUAL(a.deadline_us - t,
		    d == MAX_US ? MAX_US - MAX_US / 4 : d);
		t = a.deadline_us;
	}
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_FAILOVER);
}

static void
test_failover_lost_while_probe_in_flight(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	uint64_t t;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	t = a.deadline_us;
	sc_hc_timer(&hc, t, 0, &a);
	sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_ERROR, 196, t + 1, 0, &a);
	/* The probe becomes the primary attempt; no second connect. */
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.active_changed);
	sc_hc_up(&hc, SC_HC_PRIMARY, t + 2, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
}

static void
test_failover_lost_idle_probe(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_ERROR, 196, 100, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.disarm);
	CU_ASSERT_FALSE(hc.timer_armed);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_FAILOVER].status,
	    SC_HC_ST_DISCONNECTED_WITH_ERRORS);
	/* A stale probe timer does nothing. */
	sc_hc_timer(&hc, CLK_SEC(100), 0, &a);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
}

static void
test_dup_vmac_retries_then_fails_over(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	sc_hc_start(&hc, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_DUP_VMAC, 151, 10, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].error, 151);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_DUP_VMAC, 151, 20, 0, &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	/* Retries used up: treated as a failure. */
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_DUP_VMAC, 151, 30, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_FAILOVER);
	CU_ASSERT_TRUE(a.connect[SC_HC_FAILOVER]);
	/* Retries come back after a success. */
	sc_hc_up(&hc, SC_HC_FAILOVER, 40, 0, &a);
	CU_ASSERT_EQUAL(hc.dup_left, 2);
}

static void
test_dup_vmac_on_probe_restarts(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	uint64_t t;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	t = a.deadline_us;
	sc_hc_timer(&hc, t, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_DUP_VMAC, 151, t + 1, 0,
	    &a);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
}

static void
test_stop_closes_everything(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_failover(&hc, 0, &a);
	sc_hc_timer(&hc, a.deadline_us, 0, &a);	/* probe in flight */
	sc_hc_stop(&hc, CLK_SEC(9), &a);
	CU_ASSERT_TRUE(a.close[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(hc.state, SC_HC_STOPPED);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), -1);
	/* Events after stop are ignored; start works again. */
	sc_hc_up(&hc, SC_HC_PRIMARY, CLK_SEC(10), 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_STOPPED);
	sc_hc_start(&hc, CLK_SEC(11), &a);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	/* Stop while waiting disarms the timer. */
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, CLK_SEC(12), 0,
	    &a);
	sc_hc_down(&hc, SC_HC_FAILOVER, SC_HC_DOWN_ERROR, 194, CLK_SEC(12), 0,
	    &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	sc_hc_stop(&hc, CLK_SEC(13), &a);
	CU_ASSERT_TRUE(a.disarm);
	CU_ASSERT_FALSE(a.active_changed);
	sc_hc_timer(&hc, CLK_SEC(20), 0, &a);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(sc_hc_state_name(SC_HC_ON_FAILOVER),
	    "connected-to-failover");
	CU_ASSERT_STRING_EQUAL(sc_hc_slot_name(SC_HC_PRIMARY), "primary");
}

/* ---- run-time reconfiguration (issue 10) ---- */

static const bool no_change[SC_HC_NSLOTS] = { false, false };
static const bool primary_changed[SC_HC_NSLOTS] = { true, false };
static const bool failover_changed[SC_HC_NSLOTS] = { false, true };

static void
test_reconf_timers_keep_connection(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	struct sc_hc_cfg cfg = {
		.has_failover = true,
		.min_reconnect_us = CLK_SEC(5),
		.max_reconnect_us = CLK_SEC(7),
		.dup_vmac_retries = 2,
	};

	setup(&hc, true);
	to_primary(&hc, 1000);
	sc_hc_reconfigure(&hc, &cfg, no_change, 5000, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
	CU_ASSERT_FALSE(a.close[SC_HC_PRIMARY] || a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.active_changed);
	CU_ASSERT_EQUAL(hc.cfg.min_reconnect_us, CLK_SEC(5));
	CU_ASSERT_EQUAL(hc.delay_us, CLK_SEC(5));	/* clamped up */
	/* On the failover whose hub changed: start over at the primary. */
	setup(&hc, true);
	to_failover(&hc, 1000, &a);
	sc_hc_reconfigure(&hc, &cfg, failover_changed, 5000, &a);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.active_changed);
	/* Bad values are clamped as at init. */
	cfg.min_reconnect_us = 0;
	cfg.max_reconnect_us = 0;
	sc_hc_reconfigure(&hc, &cfg, no_change, 6000, &a);
	CU_ASSERT_EQUAL(hc.cfg.min_reconnect_us, 1);
	CU_ASSERT_EQUAL(hc.cfg.max_reconnect_us, 1);
}

static void
test_reconf_primary_uri_on_primary(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_primary(&hc, 1000);
	sc_hc_reconfigure(&hc, &hc.cfg, primary_changed, 9000, &a);
	/* The old hub's connection closes and the new one is tried now. */
	CU_ASSERT_TRUE(a.close[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.connect[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.active_changed);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_EQUAL(hc.slot[SC_HC_PRIMARY], SC_HC_SLOT_CONNECTING);
	CU_ASSERT_EQUAL(hc.hub[SC_HC_PRIMARY].attempts, 2);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), -1);
	/* The glue detached the old connection; the new attempt reports. */
	sc_hc_up(&hc, SC_HC_PRIMARY, 9500, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
}

static void
test_reconf_primary_uri_on_failover_keeps_it(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;

	setup(&hc, true);
	to_failover(&hc, 1000, &a);
	CU_ASSERT_TRUE(a.arm);		/* the probe timer */
	sc_hc_reconfigure(&hc, &hc.cfg, primary_changed, 2000, &a);
	CU_ASSERT_FALSE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_FALSE(a.close[SC_HC_PRIMARY]);	/* nothing was open */
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);	/* probe now */
	CU_ASSERT_FALSE(a.active_changed);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_FAILOVER);
	CU_ASSERT_EQUAL(sc_hc_active(&hc), SC_HC_FAILOVER);
	/* A probe in flight to the old primary is replaced. */
	sc_hc_reconfigure(&hc, &hc.cfg, primary_changed, 3000, &a);
	CU_ASSERT_TRUE(a.close[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_FALSE(a.close[SC_HC_FAILOVER]);
	/* The new primary answers: traffic moves there. */
	sc_hc_up(&hc, SC_HC_PRIMARY, 3500, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_ON_PRIMARY);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
}

static void
test_reconf_failover_removed_or_waiting(void)
{
	struct sc_hubconn hc;
	struct sc_hc_actions a;
	struct sc_hc_cfg cfg;

	/* On the failover, the failover is no longer configured. */
	setup(&hc, true);
	to_failover(&hc, 1000, &a);
	cfg = hc.cfg;
	cfg.has_failover = false;
	sc_hc_reconfigure(&hc, &cfg, no_change, 2000, &a);
	CU_ASSERT_TRUE(a.close[SC_HC_FAILOVER]);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.disarm);	/* no probe timer any more */
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	/* Waiting: a new URI is tried at once, no change waits on. */
	setup(&hc, false);
	sc_hc_start(&hc, 0, &a);
	sc_hc_down(&hc, SC_HC_PRIMARY, SC_HC_DOWN_ERROR, 194, 10, 0, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	sc_hc_reconfigure(&hc, &hc.cfg, no_change, 20, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_WAIT);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY]);
	sc_hc_reconfigure(&hc, &hc.cfg, primary_changed, 30, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_TRY_PRIMARY);
	CU_ASSERT_TRUE(a.connect[SC_HC_PRIMARY]);
	CU_ASSERT_TRUE(a.disarm);
	CU_ASSERT_FALSE(a.active_changed);
	/* Stopped: only the configuration is taken. */
	setup(&hc, true);
	sc_hc_reconfigure(&hc, &hc.cfg, primary_changed, 40, &a);
	CU_ASSERT_EQUAL(hc.state, SC_HC_STOPPED);
	CU_ASSERT_FALSE(a.connect[SC_HC_PRIMARY] || a.close[SC_HC_PRIMARY]);
}

static const struct ut_case cases[] = {
	UT_CASE(test_start_connects_primary),
	UT_CASE(test_primary_up),
	UT_CASE(test_primary_fails_tries_failover),
	UT_CASE(test_both_fail_backoff_doubles),
	UT_CASE(test_no_failover_waits),
	UT_CASE(test_jitter_bounds),
	UT_CASE(test_wait_jitter_applied),
	UT_CASE(test_primary_lost_retries_primary_first),
	UT_CASE(test_primary_lost_first_retry_jittered),
	UT_CASE(test_primary_closed_by_hub_not_error),
	UT_CASE(test_return_to_primary),
	UT_CASE(test_probe_backoff_capped),
	UT_CASE(test_failover_lost_while_probe_in_flight),
	UT_CASE(test_failover_lost_idle_probe),
	UT_CASE(test_dup_vmac_retries_then_fails_over),
	UT_CASE(test_dup_vmac_on_probe_restarts),
	UT_CASE(test_stop_closes_everything),
	UT_CASE(test_names),
	UT_CASE(test_reconf_timers_keep_connection),
	UT_CASE(test_reconf_primary_uri_on_primary),
	UT_CASE(test_reconf_primary_uri_on_failover_keeps_it),
	UT_CASE(test_reconf_failover_removed_or_waiting),
	UT_END
};
UT_SUITE(sc_hubconn, cases);
