/* Foreign-device registration client (bip_fd_fsm), with a fake clock. */
#include "config.h"

#include <string.h>

#include "bip/bip_fd_fsm.h"
#include "tests/unit/harness.h"

#define S(x)	((uint64_t)(x) * 1000000u)
#define T0	S(500)

static void
setup(struct bip_fd *fd, uint16_t ttl)
{
	struct bip_fd_config c;

	memset(&c, 0, sizeof(c));
	c.ttl_s = ttl;
	c.reply_timeout_us = S(5);
	c.backoff_min_us = S(1);
	c.backoff_max_us = S(8);
	bip_fd_init(fd, &c);
}

static void
test_fd_register_and_refresh(void)
{
	struct bip_fd fd;
	struct bip_fd_actions a;

	setup(&fd, 60);
	CU_ASSERT_EQUAL(fd.state, BIP_FD_IDLE);
	bip_fd_step(&fd, BIP_FD_EV_START, T0, &a);
	CU_ASSERT_TRUE(a.send_register);
	CU_ASSERT_EQUAL(a.timer_at_us, T0 + S(5));
	CU_ASSERT_EQUAL(fd.state, BIP_FD_REGISTERING);
	/* a second start does nothing */
	bip_fd_step(&fd, BIP_FD_EV_START, T0, &a);
	CU_ASSERT_FALSE(a.send_register);
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, T0 + S(1), &a);
	CU_ASSERT_FALSE(a.send_register);
	CU_ASSERT_TRUE(a.registered_changed);
	CU_ASSERT_TRUE(fd.registered);
	CU_ASSERT_EQUAL(fd.state, BIP_FD_REGISTERED);
	/* re-register at TTL/2, well before the TTL lapses */
	CU_ASSERT_EQUAL(a.timer_at_us, T0 + S(31));
	bip_fd_step(&fd, BIP_FD_EV_TIMER, T0 + S(31), &a);
	CU_ASSERT_TRUE(a.send_register);
	CU_ASSERT_FALSE(a.registered_changed);
	CU_ASSERT_TRUE(fd.registered);	/* still valid while re-registering */
	CU_ASSERT_EQUAL(a.timer_at_us, T0 + S(36));
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, T0 + S(32), &a);
	CU_ASSERT_FALSE(a.registered_changed);
	CU_ASSERT_EQUAL(a.timer_at_us, T0 + S(62));
	/* a result while not waiting for one changes nothing */
	bip_fd_step(&fd, BIP_FD_EV_RESULT_NAK, T0 + S(33), &a);
	CU_ASSERT_TRUE(fd.registered);
	CU_ASSERT_EQUAL(fd.state, BIP_FD_REGISTERED);
	bip_fd_step(&fd, BIP_FD_EV_STOP, T0 + S(34), &a);
	CU_ASSERT_TRUE(a.registered_changed);
	CU_ASSERT_FALSE(fd.registered);
	CU_ASSERT_EQUAL(a.timer_at_us, UINT64_MAX);
	CU_ASSERT_STRING_EQUAL(bip_fd_state_name(fd.state), "idle");
}

static void
test_fd_backoff(void)
{
	struct bip_fd fd;
	struct bip_fd_actions a;
	uint64_t t = T0;

	setup(&fd, 60);
	bip_fd_step(&fd, BIP_FD_EV_START, t, &a);
	/* NAK: wait 1 s, then try again */
	bip_fd_step(&fd, BIP_FD_EV_RESULT_NAK, t + S(1), &a);
	CU_ASSERT_FALSE(a.send_register);
	CU_ASSERT_EQUAL(fd.state, BIP_FD_RETRY_WAIT);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(2));
	t += S(2);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_TRUE(a.send_register);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(5));
	/* silence: after 5 s back off 2 s, then 4, 8, 8 (capped) */
	t += S(5);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_FALSE(a.send_register);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(2));
	t += S(2);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_TRUE(a.send_register);
	t += S(5);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(4));
	t += S(4);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	t += S(5);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(8));
	t += S(8);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	t += S(5);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_EQUAL(a.timer_at_us, t + S(8));
	CU_ASSERT_EQUAL(fd.attempts, 5);
	/* success resets the back-off */
	t += S(8);
	bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
	CU_ASSERT_TRUE(a.send_register);
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, t, &a);
	CU_ASSERT_TRUE(fd.registered);
	CU_ASSERT_EQUAL(fd.backoff_us, S(1));
	CU_ASSERT_EQUAL(fd.attempts, 0);
}

/* The BBMD stops answering: the registration lapses after TTL. */
static void
test_fd_lapse(void)
{
	struct bip_fd fd;
	struct bip_fd_actions a;
	uint64_t t;
	int guard = 0;

	setup(&fd, 20);
	bip_fd_step(&fd, BIP_FD_EV_START, T0, &a);
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, T0, &a);
	CU_ASSERT_TRUE(fd.registered);
	/* follow the timer without ever answering */
	t = a.timer_at_us;
	while (fd.registered && guard++ < 100) {
		bip_fd_step(&fd, BIP_FD_EV_TIMER, t, &a);
		if (a.registered_changed)
			break;
		CU_ASSERT_TRUE(a.timer_at_us > t);
		t = a.timer_at_us;
	}
	CU_ASSERT_FALSE(fd.registered);
	CU_ASSERT_EQUAL(t, T0 + S(20));	/* exactly at the TTL */
	CU_ASSERT_NOT_EQUAL(fd.state, BIP_FD_REGISTERED);
	CU_ASSERT_NOT_EQUAL(a.timer_at_us, UINT64_MAX);	/* keeps trying */
}

static void
test_fd_distribute_nak(void)
{
	struct bip_fd fd;
	struct bip_fd_actions a;

	setup(&fd, 60);
	/* ignored while idle or registering */
	bip_fd_step(&fd, BIP_FD_EV_DISTRIBUTE_NAK, T0, &a);
	CU_ASSERT_FALSE(a.send_register);
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, T0, &a);	/* stray */
	CU_ASSERT_FALSE(fd.registered);
	bip_fd_step(&fd, BIP_FD_EV_START, T0, &a);
	bip_fd_step(&fd, BIP_FD_EV_RESULT_OK, T0, &a);
	/* the BBMD forgot us: register again at once */
	bip_fd_step(&fd, BIP_FD_EV_DISTRIBUTE_NAK, T0 + S(3), &a);
	CU_ASSERT_TRUE(a.send_register);
	CU_ASSERT_TRUE(a.registered_changed);
	CU_ASSERT_FALSE(fd.registered);
	CU_ASSERT_EQUAL(fd.state, BIP_FD_REGISTERING);
}

static void
test_fd_defaults(void)
{
	struct bip_fd fd;
	struct bip_fd_config c;

	memset(&c, 0, sizeof(c));
	bip_fd_init(&fd, &c);
	CU_ASSERT_EQUAL(fd.cfg.ttl_s, 60);
	CU_ASSERT_EQUAL(fd.cfg.reply_timeout_us, S(5));
	CU_ASSERT_EQUAL(fd.cfg.backoff_min_us, S(1));
	CU_ASSERT_EQUAL(fd.cfg.backoff_max_us, S(60));
	CU_ASSERT_EQUAL(fd.deadline_us, UINT64_MAX);
}

static const struct ut_case cases[] = {
	UT_CASE(test_fd_register_and_refresh),
	UT_CASE(test_fd_backoff),
	UT_CASE(test_fd_lapse),
	UT_CASE(test_fd_distribute_nak),
	UT_CASE(test_fd_defaults),
	UT_END
};
UT_SUITE(bip_fd, cases);
