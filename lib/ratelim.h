/*
 * Token-bucket rate limit for log lines and other actions a remote peer can
 * trigger.  Pure: the caller passes the time in.
 */
#ifndef LIB_RATELIM_H
#define LIB_RATELIM_H

#include <stdbool.h>
#include <stdint.h>

struct ratelim {
	uint64_t	interval_us;	/* one token per interval */
	uint32_t	burst;		/* bucket size */
	uint32_t	tokens;
	uint64_t	last_us;	/* time of the last refill */
	uint64_t	suppressed;	/* denied since the last allowed one */
};

/* Allow burst events at once, then one per interval_us. */
void ratelim_init(struct ratelim *rl, uint32_t burst, uint64_t interval_us);
/*
 * Return true if the event may happen at now_us.  When it may, and earlier
 * events were denied, *suppressed (if not NULL) is set to how many and the
 * count restarts; otherwise *suppressed is set to 0.
 */
bool ratelim_allow(struct ratelim *rl, uint64_t now_us, uint64_t *suppressed);
/*
 * Change the bucket size and interval of a bucket in use: the tokens it
 * holds are kept, but never more than the new burst.
 */
void ratelim_retune(struct ratelim *rl, uint32_t burst, uint64_t interval_us);

#endif
