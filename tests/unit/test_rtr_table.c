#include "config.h"

#include "lib/clock.h"
#include "router/rtr_table.h"
#include "tests/unit/harness.h"

static const uint8_t mac_a[6] = { 0xc0, 0xa8, 0x01, 0x01, 0xba, 0xc0 };
static const uint8_t mac_b[6] = { 0xc0, 0xa8, 0x01, 0x02, 0xba, 0xc0 };
static const uint8_t mac_c[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };

static void
test_rtr_table_direct(void)
{
	struct rtr_table t;
	const struct rtr_route *r;

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 8, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 0, 5, true, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 1, 7, true, 0), 0);
	/* Same number on two ports, and the reserved numbers, fail. */
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 1, 5, true, 0), -1);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 2, 0, true, 0), -1);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 2, 0xffff, true, 0), -1);
	CU_ASSERT_EQUAL(rtr_table_count(&t), 2);
	r = rtr_table_find(&t, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(r->direct);
	CU_ASSERT_TRUE(r->configured);
	CU_ASSERT_EQUAL(r->port, 0);
	CU_ASSERT_EQUAL(rtr_table_port_net(&t, 1), 7);
	CU_ASSERT_EQUAL(rtr_table_port_net(&t, 2), 0);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 6));
	/* A port's direct number can change (learned Network-Number-Is). */
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 1, 8, false, 0), 0);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 7));
	CU_ASSERT_EQUAL(rtr_table_port_net(&t, 1), 8);
	CU_ASSERT_EQUAL(rtr_table_count(&t), 2);
	rtr_table_fini(&t);
}

static void
test_rtr_table_learn(void)
{
	struct rtr_table t;
	const struct rtr_route *r;

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 8, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 0, 5, true, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 1, 7, true, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_c, 6, 10), RTR_LEARN_NEW);
	r = rtr_table_find(&t, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(r->direct);
	CU_ASSERT_EQUAL(r->port, 1);
	CU_ASSERT_EQUAL(r->mac_len, 6);
	UT_ASSERT_BYTES(r->mac, r->mac_len, mac_c, 6);
	CU_ASSERT_EQUAL(r->reach, RTR_REACH_OK);
	CU_ASSERT_TRUE(rtr_route_is_via(r, 1, mac_c, 6));
	CU_ASSERT_FALSE(rtr_route_is_via(r, 0, mac_c, 6));
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_c, 6, 20),
	    RTR_LEARN_REFRESHED);
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->refreshed_us, 20);
	/* Another router on the same port: the newer announcement wins. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_a, 6, 30),
	    RTR_LEARN_CHANGED);
	UT_ASSERT_BYTES(rtr_table_find(&t, 9)->mac, 6, mac_a, 6);
	/* Directly connected networks are never overridden. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 5, 1, mac_c, 6, 30),
	    RTR_LEARN_DIRECT);
	CU_ASSERT_TRUE(rtr_table_find(&t, 5)->direct);
	/* The same network through another port is a conflict. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 0, mac_b, 6, 40),
	    RTR_LEARN_CONFLICT);
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->port, 1);
	CU_ASSERT_EQUAL(rtr_table_count(&t), 3);
	/* ... unless the old route is unreachable. */
	CU_ASSERT_TRUE(rtr_table_set_reach(&t, 9, RTR_REACH_UNREACHABLE, 1,
	    mac_a, 6, 50));
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 0, mac_b, 6, 60),
	    RTR_LEARN_CHANGED);
	r = rtr_table_find(&t, 9);
	CU_ASSERT_EQUAL(r->port, 0);
	CU_ASSERT_EQUAL(r->reach, RTR_REACH_OK);
	/* Invalid input. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 0, 0, mac_b, 6, 0),
	    RTR_LEARN_INVALID);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 0xffff, 0, mac_b, 6, 0),
	    RTR_LEARN_INVALID);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 3, 0, mac_b, 0, 0),
	    RTR_LEARN_INVALID);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 3, RTR_TABLE_PORTS, mac_b, 6, 0),
	    RTR_LEARN_INVALID);
	CU_ASSERT_EQUAL(rtr_table_remove(&t, 9), 0);
	CU_ASSERT_EQUAL(rtr_table_remove(&t, 9), -1);
	CU_ASSERT_EQUAL(rtr_table_remove(&t, 5), -1);	/* direct */
	CU_ASSERT_EQUAL(rtr_table_count(&t), 2);
	rtr_table_fini(&t);
}

static void
test_rtr_table_learning_refused(void)
{
	struct rtr_table t;

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 8, 0), 0);
	rtr_table_set_learning(&t, 1, false);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_c, 6, 0),
	    RTR_LEARN_REFUSED);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 9));
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 0, mac_c, 6, 0), RTR_LEARN_NEW);
	rtr_table_set_learning(&t, 1, true);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 10, 1, mac_c, 6, 0),
	    RTR_LEARN_NEW);
	rtr_table_fini(&t);
}

static void
test_rtr_table_size_limit(void)
{
	struct rtr_table t;
	uint16_t net;

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 4, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 0, 1, true, 0), 0);
	for (net = 10; net < 13; net++)
		CU_ASSERT_EQUAL(rtr_table_learn(&t, net, 1, mac_c, 6, net),
		    RTR_LEARN_NEW);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 20, 1, mac_c, 6, 0),
	    RTR_LEARN_FULL);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 20));
	/* Updates of known entries still work when full. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 11, 1, mac_a, 6, 0),
	    RTR_LEARN_CHANGED);
	/* Unreachable entries make room, oldest first. */
	rtr_table_set_reach(&t, 12, RTR_REACH_UNREACHABLE, 0, NULL, 0, 0);
	rtr_table_set_reach(&t, 10, RTR_REACH_UNREACHABLE, 0, NULL, 0, 0);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 20, 1, mac_c, 6, 0),
	    RTR_LEARN_NEW);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 10));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(&t, 12));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(&t, 11));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(&t, 1));
	CU_ASSERT_EQUAL(rtr_table_count(&t), 4);
	rtr_table_fini(&t);
	CU_ASSERT_EQUAL(rtr_table_init(&t, 0, 0), -1);
}

static void
test_rtr_table_busy(void)
{
	struct rtr_table t;
	uint64_t t0 = CLK_SEC(100);

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 8, 0), 0);
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_c, 6, t0),
	    RTR_LEARN_NEW);
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0), RTR_TIME_NEVER);
	/* Busy from another router than the next hop: ignored. */
	CU_ASSERT_FALSE(rtr_table_set_reach(&t, 9, RTR_REACH_BUSY, 1, mac_a,
	    6, t0));
	CU_ASSERT_TRUE(rtr_table_set_reach(&t, 9, RTR_REACH_BUSY, 1, mac_c,
	    6, t0));
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->reach, RTR_REACH_BUSY);
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(10)),
	    t0 + CLK_SEC(30));
	/* A refresh from the same router does not lift busy early. */
	CU_ASSERT_EQUAL(rtr_table_learn(&t, 9, 1, mac_c, 6, t0 + CLK_SEC(20)),
	    RTR_LEARN_REFRESHED);
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->reach, RTR_REACH_BUSY);
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(30) - 1),
	    t0 + CLK_SEC(30));
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->reach, RTR_REACH_BUSY);
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(30)), RTR_TIME_NEVER);
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->reach, RTR_REACH_OK);
	/* Router-Available lifts it at once. */
	rtr_table_set_reach(&t, 9, RTR_REACH_BUSY, 1, mac_c, 6, t0);
	CU_ASSERT_TRUE(rtr_table_set_reach(&t, 9, RTR_REACH_OK, 1, mac_c, 6,
	    t0 + 1));
	CU_ASSERT_EQUAL(rtr_table_find(&t, 9)->reach, RTR_REACH_OK);
	rtr_table_fini(&t);
}

static void
test_rtr_table_ageing(void)
{
	struct rtr_table t;
	uint64_t t0 = CLK_SEC(1000);

	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 8, CLK_SEC(300)), 0);
	CU_ASSERT_EQUAL(rtr_table_set_direct(&t, 0, 5, true, t0), 0);
	rtr_table_learn(&t, 9, 1, mac_c, 6, t0);
	rtr_table_learn(&t, 10, 1, mac_c, 6, t0 + CLK_SEC(100));
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(10)),
	    t0 + CLK_SEC(300));
	/* Traffic from the network through its next hop refreshes it. */
	rtr_table_touch(&t, 9, 1, mac_c, 6, t0 + CLK_SEC(250));
	rtr_table_touch(&t, 10, 1, mac_a, 6, t0 + CLK_SEC(250)); /* no */
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(300)),
	    t0 + CLK_SEC(400));
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(400)),
	    t0 + CLK_SEC(550));
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 10));
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(&t, 9));
	CU_ASSERT_EQUAL(rtr_table_tick(&t, t0 + CLK_SEC(550)), RTR_TIME_NEVER);
	CU_ASSERT_PTR_NULL(rtr_table_find(&t, 9));
	/* Direct entries never age. */
	CU_ASSERT_PTR_NOT_NULL(rtr_table_find(&t, 5));
	CU_ASSERT_EQUAL(rtr_table_count(&t), 1);
	rtr_table_fini(&t);
}

static void
test_rtr_table_many(void)
{
	struct rtr_table t;
	unsigned net, found = 0;

	/* Fill, empty half, refill: the index stays consistent. */
	CU_ASSERT_EQUAL_FATAL(rtr_table_init(&t, 1000, 0), 0);
	for (net = 1; net <= 1000; net++)
		CU_ASSERT_EQUAL(rtr_table_learn(&t, (uint16_t)(net * 61),
		    net % 3, mac_c, 6, 0), RTR_LEARN_NEW);
	for (net = 1; net <= 1000; net += 2)
		CU_ASSERT_EQUAL(rtr_table_remove(&t, (uint16_t)(net * 61)), 0);
	for (net = 1; net <= 1000; net++) {
		const struct rtr_route *r = rtr_table_find(&t,
		    (uint16_t)(net * 61));

		if (r != NULL) {
			found++;
			CU_ASSERT_EQUAL(r->net, (uint16_t)(net * 61));
			CU_ASSERT_EQUAL(r->port, net % 3);
		}
	}
	CU_ASSERT_EQUAL(found, 500);
	CU_ASSERT_EQUAL(rtr_table_count(&t), 500);
	rtr_table_fini(&t);
}

static const struct ut_case cases[] = {
	UT_CASE(test_rtr_table_direct),
	UT_CASE(test_rtr_table_learn),
	UT_CASE(test_rtr_table_learning_refused),
	UT_CASE(test_rtr_table_size_limit),
	UT_CASE(test_rtr_table_busy),
	UT_CASE(test_rtr_table_ageing),
	UT_CASE(test_rtr_table_many),
	UT_END
};
UT_SUITE(rtr_table, cases);
