/*
 * Router counters by name and other names for the control socket.
 * See rtr.h.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "router/rtr.h"

#define RTR_STAT(f)	{ #f, offsetof(struct rtr_stats, f) }

static const struct {
	const char	*name;
	size_t		 off;
} rtr_stat_tab[] = {
	RTR_STAT(rx),
	RTR_STAT(rx_malformed),
	RTR_STAT(rx_from_self),
	RTR_STAT(local_apdu),
	RTR_STAT(local_no_handler),
	RTR_STAT(local_nl),
	RTR_STAT(fwd),
	RTR_STAT(fwd_last_hop),
	RTR_STAT(fwd_global),
	RTR_STAT(drop_hop_count),
	RTR_STAT(drop_wrong_port),
	RTR_STAT(drop_busy),
	RTR_STAT(drop_too_long),
	RTR_STAT(drop_no_route),
	RTR_STAT(drop_bad_dadr),
	RTR_STAT(drop_routed_netnum),
	RTR_STAT(drop_queue_full),
	RTR_STAT(drop_search_full),
	RTR_STAT(drop_nl_ratelim),
	RTR_STAT(drop_bcast_ratelim),
	RTR_STAT(drop_nl_malformed),
	RTR_STAT(drop_port_down),
	RTR_STAT(search_started),
	RTR_STAT(search_found),
	RTR_STAT(search_failed),
	RTR_STAT(held),
	RTR_STAT(released),
	{ "reject_sent_0", offsetof(struct rtr_stats, reject_sent) +
	    0 * sizeof(uint64_t) },
	{ "reject_sent_1", offsetof(struct rtr_stats, reject_sent) +
	    1 * sizeof(uint64_t) },
	{ "reject_sent_2", offsetof(struct rtr_stats, reject_sent) +
	    2 * sizeof(uint64_t) },
	{ "reject_sent_3", offsetof(struct rtr_stats, reject_sent) +
	    3 * sizeof(uint64_t) },
	{ "reject_sent_4", offsetof(struct rtr_stats, reject_sent) +
	    4 * sizeof(uint64_t) },
	{ "reject_sent_5", offsetof(struct rtr_stats, reject_sent) +
	    5 * sizeof(uint64_t) },
	{ "reject_sent_6", offsetof(struct rtr_stats, reject_sent) +
	    6 * sizeof(uint64_t) },
	RTR_STAT(reject_rx),
	RTR_STAT(nl_unknown),
	RTR_STAT(learn_new),
	RTR_STAT(learn_changed),
	RTR_STAT(learn_return),
	RTR_STAT(learn_refused),
	RTR_STAT(learn_conflict),
	RTR_STAT(learn_full),
	RTR_STAT(netnum_conflict),
	RTR_STAT(netnum_learned),
	RTR_STAT(init_rt_refused),
};

const char *
rtr_stat_name(size_t i)
{
	return i < sizeof(rtr_stat_tab) / sizeof(rtr_stat_tab[0]) ?
	    rtr_stat_tab[i].name : NULL;
}

uint64_t
rtr_stat_value(const struct rtr_stats *st, size_t i)
{
	uint64_t v;

	if (rtr_stat_name(i) == NULL)
		return 0;
	memcpy(&v, (const char *)st + rtr_stat_tab[i].off, sizeof(v));
	return v;
}

const char *
rtr_reach_name(enum rtr_reach reach)
{
	switch (reach) {
	case RTR_REACH_OK:
		return "reachable";
	case RTR_REACH_BUSY:
		return "busy";
	case RTR_REACH_UNREACHABLE:
		return "unreachable";
	}
	return "?";
}
