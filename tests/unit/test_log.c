#include "config.h"

#include <errno.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "tests/unit/harness.h"

struct captured {
	int		count;
	enum log_level	lvl;
	enum log_domain	dom;
	char		last[256];
};

static void
capture(void *arg, enum log_level lvl, enum log_domain dom, const char *line)
{
	struct captured *c = arg;

	c->count++;
	c->lvl = lvl;
	c->dom = dom;
	strncpy(c->last, line, sizeof(c->last) - 1);
}

static void
test_log_levels_and_domains(void)
{
	struct captured c = { 0 };

	log_set_sink(capture, &c);
	log_set_level(LOG_LVL_NOTICE);
	log_info(LD_SC, "not shown");
	CU_ASSERT_EQUAL(c.count, 0);
	log_notice(LD_BIP, "port %d up", 7);
	CU_ASSERT_EQUAL(c.count, 1);
	CU_ASSERT_EQUAL(c.dom, LD_BIP);
	CU_ASSERT_STRING_EQUAL(c.last, "port 7 up");
	log_set_level(LOG_LVL_DEBUG);
	log_set_debug_domain(LD_TLS, false);
	log_debug(LD_TLS, "hidden");
	CU_ASSERT_EQUAL(c.count, 1);
	log_debug(LD_SC, "shown");
	CU_ASSERT_EQUAL(c.count, 2);
	log_set_debug_domain(LD_TLS, true);
	log_set_level(LOG_LVL_NOTICE);
	log_open("test", LOG_TARGET_STDERR);
}

static void
test_log_warn_errno(void)
{
	struct captured c = { 0 };

	log_set_sink(capture, &c);
	errno = ENOENT;
	log_warn(LD_CFG, "open %s", "x.conf");
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(c.lvl, LOG_LVL_WARNING);
	CU_ASSERT_STRING_EQUAL(c.last, "open x.conf: No such file or directory");
	log_open("test", LOG_TARGET_STDERR);
}

static void
test_log_ratelimited(void)
{
	struct captured c = { 0 };
	struct clk_fake f = { .now_us = CLK_SEC(1000) };
	struct ratelim rl;
	int i;

	clk_fake_install(&f);
	log_set_sink(capture, &c);
	ratelim_init(&rl, 2, CLK_SEC(10));
	for (i = 0; i < 50; i++)
		log_ratelim(&rl, LOG_LVL_WARNING, LD_BIP, "bad datagram %d", i);
	CU_ASSERT_EQUAL(c.count, 2);
	f.now_us += CLK_SEC(10);
	log_ratelim(&rl, LOG_LVL_WARNING, LD_BIP, "bad datagram %d", 50);
	/* One line saying 48 were suppressed, then the line itself. */
	CU_ASSERT_EQUAL(c.count, 4);
	CU_ASSERT_STRING_EQUAL(c.last, "bad datagram 50");
	clk_set_source(NULL, NULL);
	log_open("test", LOG_TARGET_STDERR);
}

static void
test_log_parse_names(void)
{
	CU_ASSERT_EQUAL(log_level_parse("debug"), LOG_LVL_DEBUG);
	CU_ASSERT_EQUAL(log_level_parse("err"), LOG_LVL_ERR);
	CU_ASSERT_EQUAL(log_level_parse("loud"), -1);
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LVL_WARNING), "warning");
	CU_ASSERT_STRING_EQUAL(log_domain_name(LD_RTR), "rtr");
}

static const struct ut_case cases[] = {
	UT_CASE(test_log_levels_and_domains),
	UT_CASE(test_log_warn_errno),
	UT_CASE(test_log_ratelimited),
	UT_CASE(test_log_parse_names),
	UT_END
};
UT_SUITE(log, cases);
