#include "config.h"

#include "lib/clock.h"
#include "tests/unit/harness.h"

static void
test_clock_monotonic(void)
{
	uint64_t a, b;

	clk_set_source(NULL, NULL);
	a = clk_now_us();
	b = clk_now_us();
	CU_ASSERT_TRUE(a > 0);
	CU_ASSERT_TRUE(b >= a);
}

static void
test_clock_fake(void)
{
	struct clk_fake f = { .now_us = CLK_SEC(5) };

	clk_fake_install(&f);
	CU_ASSERT_EQUAL(clk_now_us(), 5000000u);
	f.now_us += CLK_MS(250);
	CU_ASSERT_EQUAL(clk_now_us(), 5250000u);
	clk_set_source(NULL, NULL);
	CU_ASSERT_NOT_EQUAL(clk_now_us(), 5250000u);
}

static const struct ut_case cases[] = {
	UT_CASE(test_clock_monotonic),
	UT_CASE(test_clock_fake),
	UT_END
};
UT_SUITE(clock, cases);
