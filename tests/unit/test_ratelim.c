#include "config.h"

#include "lib/clock.h"
#include "lib/ratelim.h"
#include "tests/unit/harness.h"

static void
test_ratelim_burst_then_rate(void)
{
	struct ratelim rl;
	uint64_t sup = 99;
	uint64_t t = CLK_SEC(100);

	ratelim_init(&rl, 3, CLK_SEC(1));
	CU_ASSERT_TRUE(ratelim_allow(&rl, t, &sup));
	CU_ASSERT_EQUAL(sup, 0);
	CU_ASSERT_TRUE(ratelim_allow(&rl, t, NULL));
	CU_ASSERT_TRUE(ratelim_allow(&rl, t, NULL));
	CU_ASSERT_FALSE(ratelim_allow(&rl, t, &sup));
	CU_ASSERT_FALSE(ratelim_allow(&rl, t + CLK_MS(999), NULL));
	CU_ASSERT_TRUE(ratelim_allow(&rl, t + CLK_SEC(1), &sup));
	CU_ASSERT_EQUAL(sup, 2);	/* the two denied ones are reported */
	CU_ASSERT_FALSE(ratelim_allow(&rl, t + CLK_SEC(1), NULL));
}

static void
test_ratelim_refill_capped(void)
{
	struct ratelim rl;
	uint64_t t = CLK_SEC(10);
	int i, allowed = 0;

	ratelim_init(&rl, 2, CLK_MS(100));
	(void)ratelim_allow(&rl, t, NULL);
	(void)ratelim_allow(&rl, t, NULL);
	/* A long silence refills to the burst size, never beyond. */
	for (i = 0; i < 10; i++)
		allowed += ratelim_allow(&rl, t + CLK_SEC(60), NULL);
	CU_ASSERT_EQUAL(allowed, 2);
}

static void
test_ratelim_clock_backwards(void)
{
	struct ratelim rl;

	ratelim_init(&rl, 1, CLK_SEC(1));
	CU_ASSERT_TRUE(ratelim_allow(&rl, CLK_SEC(50), NULL));
	CU_ASSERT_FALSE(ratelim_allow(&rl, CLK_SEC(10), NULL));
	CU_ASSERT_TRUE(ratelim_allow(&rl, CLK_SEC(11), NULL));
}

static const struct ut_case cases[] = {
	UT_CASE(test_ratelim_burst_then_rate),
	UT_CASE(test_ratelim_refill_capped),
	UT_CASE(test_ratelim_clock_backwards),
	UT_END
};
UT_SUITE(ratelim, cases);
