#include "config.h"

#include <stddef.h>

#include "lib/ratelim.h"

void
ratelim_init(struct ratelim *rl, uint32_t burst, uint64_t interval_us)
{
	rl->interval_us = interval_us > 0 ? interval_us : 1;
	rl->burst = burst > 0 ? burst : 1;
	rl->tokens = rl->burst;
	rl->last_us = 0;
	rl->suppressed = 0;
}

void
ratelim_retune(struct ratelim *rl, uint32_t burst, uint64_t interval_us)
{
	rl->interval_us = interval_us > 0 ? interval_us : 1;
	rl->burst = burst > 0 ? burst : 1;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
}

bool
ratelim_allow(struct ratelim *rl, uint64_t now_us, uint64_t *suppressed)
{
	if (now_us > rl->last_us) {
		uint64_t add = (now_us - rl->last_us) / rl->interval_us;

		if (add > 0) {
			if (add >= rl->burst - rl->tokens)
				rl->tokens = rl->burst;
			else
				rl->tokens += (uint32_t)add;
			rl->last_us += add * rl->interval_us;
			if (rl->tokens == rl->burst)
				rl->last_us = now_us;
		}
	} else if (now_us < rl->last_us) {
		rl->last_us = now_us;	/* clock source changed: restart */
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		if (suppressed != NULL)
			*suppressed = 0;
		return false;
	}
	rl->tokens--;
	if (suppressed != NULL)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
