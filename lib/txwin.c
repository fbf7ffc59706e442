/* Recent sends in time buckets; see txwin.h. */
#include "config.h"

#include <string.h>

#include "lib/txwin.h"

void
txwin_init(struct txwin *t, uint64_t window_us)
{
	memset(t, 0, sizeof(*t));
	t->window_us = window_us > 0 ? window_us : 1;
	t->width_us = t->window_us / (TXWIN_NB / 2);
	if (t->width_us == 0)
		t->width_us = 1;
}

void
txwin_note(struct txwin *t, uint64_t now_us)
{
	uint64_t b = now_us / t->width_us;
	size_t i = (size_t)(b % TXWIN_NB);

	if (t->bid[i] != b || t->bn[i] == 0) {
		t->bid[i] = b;
		t->bn[i] = 0;
	}
	if (t->bn[i] < UINT32_MAX)
		t->bn[i]++;
}

uint64_t
txwin_recent(const struct txwin *t, uint64_t now_us)
{
	uint64_t from = (now_us > t->window_us ? now_us - t->window_us : 0) /
	    t->width_us;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < TXWIN_NB; i++)
		if (t->bn[i] > 0 && t->bid[i] >= from)
			n += t->bn[i];
	return n;
}
