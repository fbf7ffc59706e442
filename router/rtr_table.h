/*
 * The routing table of clause 6.6.1: one entry per network number (DNET),
 * with the router port it is reached through, the next-hop router's MAC on
 * that port (none for a directly connected network), and a reachability
 * status (reachable, busy for 30 s, unreachable).
 *
 * Pure: no I/O, no logging, no clock reads; every call that depends on
 * time takes now_us.  Lookups are O(1) (an index over all 65536 network
 * numbers); the number of entries is capped by configuration.
 *
 * Ports are numbered 0 .. RTR_TABLE_PORTS-1 here (the router's index).
 */
#ifndef ROUTER_RTR_TABLE_H
#define ROUTER_RTR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "npdu/port.h"

#define RTR_TABLE_PORTS		16	/* most ports a router may have */
#define RTR_BUSY_US		(30u * 1000000u)	/* clause 6.6.3.6 */
#define RTR_TIME_NEVER		UINT64_MAX

enum rtr_reach {
	RTR_REACH_OK = 0,	/* reachable */
	RTR_REACH_BUSY,		/* Router-Busy or Reject reason 2: 30 s */
	RTR_REACH_UNREACHABLE,	/* Reject reason 1 from the next hop */
};

struct rtr_route {
	uint16_t	 net;		/* 1 .. 65534 */
	uint8_t		 port;		/* router port index */
	bool		 direct;	/* directly connected (no next hop) */
	bool		 configured;	/* direct, from configuration */
	uint8_t		 mac_len;	/* next hop; 0 when direct */
	uint8_t		 mac[NPDU_PORT_MAC_MAX];
	enum rtr_reach	 reach;
	uint64_t	 busy_until_us;	/* with RTR_REACH_BUSY */
	uint64_t	 refreshed_us;	/* last learned / confirmed */
	bool		 relayed;	/* passed on to other ports, */
	uint64_t	 relayed_us;	/* ... last at this time */
};

/* Outcome of rtr_table_learn(). */
enum rtr_learn {
	RTR_LEARN_NEW = 0,	/* a new entry was added */
	RTR_LEARN_CHANGED,	/* existing entry: next hop or port changed */
	RTR_LEARN_REFRESHED,	/* same port and next hop: refreshed */
	RTR_LEARN_DIRECT,	/* net is directly connected: ignored */
	RTR_LEARN_CONFLICT,	/* net is reachable via another port */
	RTR_LEARN_REFUSED,	/* learning is refused on this port */
	RTR_LEARN_FULL,		/* size limit reached */
	RTR_LEARN_INVALID,	/* net 0 or 0xFFFF, bad port or MAC */
};

struct rtr_table {
	struct rtr_route *routes;	/* owned: cap entries, n used */
	size_t		  cap;
	size_t		  n;
	uint16_t	 *index;	/* owned: net -> slot + 1 (0: none) */
	uint64_t	  max_age_us;	/* learned entries; 0: never age */
	bool		  learn[RTR_TABLE_PORTS];
};

/*
 * Initialise an empty table holding at most max_entries entries (direct
 * ones included) whose learned entries age out max_age_us after they were
 * last refreshed (0: never).  Learning is allowed on every port until
 * rtr_table_set_learning() says otherwise.  Return 0, or -1 on OOM or if
 * max_entries is 0.
 */
int rtr_table_init(struct rtr_table *t, size_t max_entries,
    uint64_t max_age_us);
/* Free what rtr_table_init() allocated; a zeroed table is fine. */
void rtr_table_fini(struct rtr_table *t);
/*
 * Let the table hold at most max_entries entries from now on (the same
 * clamp as rtr_table_init).  Return 0, or -1 with the table unchanged if
 * max_entries is 0, fewer than the entries it holds now, or on OOM.
 */
int rtr_table_resize(struct rtr_table *t, size_t max_entries);

/* Allow or refuse learning routes from announcements on port. */
void rtr_table_set_learning(struct rtr_table *t, unsigned port, bool on);

/*
 * Make net the directly connected network of port (configured: from the
 * configuration; otherwise learned from Network-Number-Is).  A learned
 * entry for net is replaced; a direct entry of another port for net, or
 * net 0 / 0xFFFF, fails with -1 (a conflict the caller reports).  Any
 * earlier direct entry of this port is removed.  Return 0 or -1.
 */
int rtr_table_set_direct(struct rtr_table *t, unsigned port, uint16_t net,
    bool configured, uint64_t now_us);

/* Return the network number directly connected to port, or 0. */
uint16_t rtr_table_port_net(const struct rtr_table *t, unsigned port);

/*
 * Learn that net is reachable through the router with MAC mac on port
 * (I-Am-Router-To-Network).  A direct entry is never overridden.  An entry
 * through another port is kept (RTR_LEARN_CONFLICT) unless it is
 * unreachable, in which case it is replaced.  A new or refreshed entry is
 * reachable.  When the table is full, the oldest unreachable learned entry
 * is evicted; if there is none, RTR_LEARN_FULL.
 */
enum rtr_learn rtr_table_learn(struct rtr_table *t, uint16_t net,
    unsigned port, const uint8_t *mac, size_t mac_len, uint64_t now_us);

/* Return the entry for net (borrowed until the table changes), or NULL. */
const struct rtr_route *rtr_table_find(const struct rtr_table *t,
    uint16_t net);

/*
 * Refresh the age of the learned entry for net if it goes through port and
 * mac (traffic from that network arrived from its next hop).
 */
void rtr_table_touch(struct rtr_table *t, uint16_t net, unsigned port,
    const uint8_t *mac, size_t mac_len, uint64_t now_us);

/*
 * Set the reachability of the learned entry for net, if there is one and
 * (when mac is not NULL) its next hop is port / mac.  Busy lasts
 * RTR_BUSY_US.  Return true if an entry changed state.
 */
bool rtr_table_set_reach(struct rtr_table *t, uint16_t net,
    enum rtr_reach reach, unsigned port, const uint8_t *mac, size_t mac_len,
    uint64_t now_us);

/* Note that the route to net was passed on to other ports at now_us. */
void rtr_table_set_relayed(struct rtr_table *t, uint16_t net,
    uint64_t now_us);

/* Remove the learned entry for net.  Return 0, or -1 if there is none. */
int rtr_table_remove(struct rtr_table *t, uint16_t net);

/*
 * Expire busy states and age out learned entries at now_us.  Return the
 * time of the next such event, or RTR_TIME_NEVER.
 */
uint64_t rtr_table_tick(struct rtr_table *t, uint64_t now_us);

/* Entry i (0 .. rtr_table_count()-1), in no particular order. */
size_t rtr_table_count(const struct rtr_table *t);
const struct rtr_route *rtr_table_at(const struct rtr_table *t, size_t i);

/* True if the next hop of r is port / mac. */
bool rtr_route_is_via(const struct rtr_route *r, unsigned port,
    const uint8_t *mac, size_t mac_len);

#endif
