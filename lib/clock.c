#include "config.h"

#include <time.h>

#include "lib/clock.h"

static clk_source_fn clk_fn;
static void *clk_arg;

uint64_t
clk_now_us(void)
{
	struct timespec ts;

	if (clk_fn != NULL)
		return clk_fn(clk_arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
clk_set_source(clk_source_fn fn, void *arg)
{
	clk_fn = fn;
	clk_arg = arg;
}

static uint64_t
clk_fake_read(void *arg)
{
	return ((const struct clk_fake *)arg)->now_us;
}

void
clk_fake_install(struct clk_fake *f)
{
	clk_set_source(clk_fake_read, f);
}
