/* Unit tests for lib/txwin.c: recent sends in time buckets. */
#include "config.h"

#include "lib/clock.h"
#include "lib/txwin.h"
#include "tests/unit/harness.h"

static void
test_txwin_window(void)
{
	struct txwin t;
	uint64_t now = CLK_SEC(100);
	int i;

	txwin_init(&t, CLK_MS(1000));
	CU_ASSERT_EQUAL(txwin_recent(&t, now), 0);
	/* 10 sends 3 s ago, 5 sends 500 ms ago, 7 just now. */
	for (i = 0; i < 10; i++)
		txwin_note(&t, now - CLK_SEC(3));
	for (i = 0; i < 5; i++)
		txwin_note(&t, now - CLK_MS(500));
	for (i = 0; i < 7; i++)
		txwin_note(&t, now);
	CU_ASSERT_EQUAL(txwin_recent(&t, now), 12);
	/* 600 ms later only the last 7 are recent. */
	CU_ASSERT_EQUAL(txwin_recent(&t, now + CLK_MS(600)), 7);
	CU_ASSERT_EQUAL(txwin_recent(&t, now + CLK_MS(1100)), 0);
}

static void
test_txwin_reuse(void)
{
	struct txwin t;
	uint64_t now = CLK_SEC(5);
	uint64_t k;

	/* One send per 10 ms for 10 s: the ring is reused many times and
	   the window always holds about 100 sends (plus one bucket). */
	txwin_init(&t, CLK_MS(1000));
	for (k = 0; k < 1000; k++)
		txwin_note(&t, now + k * CLK_MS(10));
	now += 999 * CLK_MS(10);
	CU_ASSERT(txwin_recent(&t, now) >= 100);
	CU_ASSERT(txwin_recent(&t, now) <= 104);
	/* Near time zero the window does not underflow. */
	txwin_init(&t, CLK_MS(1000));
	txwin_note(&t, 0);
	CU_ASSERT_EQUAL(txwin_recent(&t, 10), 1);
}

static const struct ut_case cases[] = {
	UT_CASE(test_txwin_window),
	UT_CASE(test_txwin_reuse),
	UT_END
};
UT_SUITE(txwin, cases);
