/*
 * Monotonic time in microseconds.  Pure code never calls this: it takes the
 * time as an argument.  Glue code calls clk_now_us(); tests replace the
 * source with a fake clock they advance by hand.
 */
#ifndef LIB_CLOCK_H
#define LIB_CLOCK_H

#include <stdint.h>

typedef uint64_t (*clk_source_fn)(void *arg);

/* Return the current monotonic time in microseconds. */
uint64_t clk_now_us(void);
/* Replace the time source (NULL restores CLOCK_MONOTONIC). */
void clk_set_source(clk_source_fn fn, void *arg);

/* A fake clock for tests: clk_fake_install() makes clk_now_us() return *t. */
struct clk_fake {
	uint64_t	now_us;
};
void clk_fake_install(struct clk_fake *f);

#define CLK_MS(x)	((uint64_t)(x) * 1000u)
#define CLK_SEC(x)	((uint64_t)(x) * 1000000u)

#endif
